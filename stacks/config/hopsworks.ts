import { CHART_SOURCE_FORMS, chartSourceKind, readChartSource } from "./chart-source";
import { DEFAULTS } from "./defaults";
import { compareVersions, is, NAMESPACE_RULE, SEMVER } from "./formats";
import { LIMITS, oneOf } from "./limits";
import { HOPSWORKS_TIMEOUT_SECONDS, SUPERSET, SUPERSET_MIN_VERSION, TRINO_BACKUP_MIN_VERSION } from "../names";
import { ConfigReader } from "./reader";
import { SecretValue } from "./secret";
import { loadValuesFiles, ValuesFile } from "./values-files";

/** hopsworks-dr:hopsworks, with every default applied. */
export interface HopsworksConfig {
    /** The Hopsworks namespace. Default: "hopsworks". */
    namespace: string;
    /** The chart's name in its repository. Default: "hopsworks". */
    chart: string;
    /** Where the chart comes from: a repository URL, an oci:// registry path, or an absolute local path (stacks/config/chart-source.ts). Required. */
    repo: string;
    /** The repository or registry login, Pulumi secrets; both or neither. Default: none. */
    repoUsername?: SecretValue;
    repoPassword?: SecretValue;
    /** The Hopsworks chart version. Required. */
    chartVersion: string;
    /** The Hopsworks version the chart runs. Required. */
    version: string;
    /** Values files merged in order under the generated values. Default: none. */
    valuesFiles: ValuesFile[];
    /** Helm's wait for the release. Default: 1200. */
    timeoutSeconds: number;
    /**
     * Helm's wait for the release during a restore (new-cluster or in-place), when RonDB, OpenSearch
     * and HopsFS restore their data; timeoutSeconds instead if that is longer. Default: 10800 (3 hours).
     */
    restoreTimeoutSeconds: number;
    /**
     * Which revision of the Hopsworks disaster-recovery page the chart's Superset restore follows
     * (Hopsworks 5.2 and later only): "state" (veleroRestoreName or acknowledgeNoVeleroBarrier,
     * ConfigMap superset-restore-state reaching phase migrated) or "job" (the chart's overlay
     * values file, Job superset-restore-<ID> Complete). Default: "state".
     */
    supersetRestoreContract: SupersetRestoreContract;
    /**
     * "job" contract only: the chart's values.superset-restore.yaml, copied into the project folder
     * (a path relative to it), added over the values files during step one of a Superset restore.
     * Required there when a Superset restore is configured. Default: none.
     */
    supersetRestoreOverlay?: ValuesFile;
    /**
     * Hopsworks 5.1 and later: when (UTC) the stack's backups began to carry Trino's Secrets, i.e.
     * the first k8s-backups-main backup after the move to 5.1. `restore plan` and the preview warn
     * about a restore point taken before it. Default: unset (not judged).
     */
    trinoBackupsSince?: Date;
}

/** The two revisions of the Superset restore on the Hopsworks page (stacks/names.ts, SUPERSET). */
export const SUPERSET_RESTORE_CONTRACTS = ["state", "job"] as const;
export type SupersetRestoreContract = (typeof SUPERSET_RESTORE_CONTRACTS)[number];

export const HOPSWORKS_KEYS = [
    "namespace", "chart", "repo", "repoUsername", "repoPassword", "chartVersion", "version", "valuesFiles", "timeoutSeconds", "restoreTimeoutSeconds",
    "supersetRestoreContract", "supersetRestoreOverlay", "trinoBackupsSince",
] as const;

export function readHopsworks(r: ConfigReader): HopsworksConfig | undefined {
    const h = r.section("hopsworks", HOPSWORKS_KEYS, true);
    const namespace = r.string(h, "hopsworks.namespace", { default: DEFAULTS.hopsworksNamespace, ...NAMESPACE_RULE })!;
    const chart = r.string(h, "hopsworks.chart", {
        default: DEFAULTS.hopsworksChart,
        max: LIMITS.chartName,
        check: is(/^[a-z0-9][a-z0-9._-]*$/),
        expected: `must be the chart's name in the repository, e.g. "hopsworks"`,
    })!;
    const chartVersion = r.string(h, "hopsworks.chartVersion", {
        required: true,
        max: LIMITS.version,
        check: is(SEMVER),
        expected: `the Hopsworks chart version to deploy, e.g. "4.8.0"`,
    });
    if (h.repo === undefined || h.repo === null) {
        r.problem("hopsworks.repo", `is required: the Hopsworks chart source given with your licence, ${CHART_SOURCE_FORMS}`);
    }
    const repo = readChartSource(r, h, "hopsworks.repo", {
        name: chart,
        version: chartVersion,
        login: "give the repository login as the secrets hopsworks.repoUsername and hopsworks.repoPassword (pulumi config set --secret --path ...)",
    });
    const repoUsername = r.secret(h, "hopsworks.repoUsername", LIMITS.credential);
    const repoPassword = r.secret(h, "hopsworks.repoPassword", LIMITS.credential);
    if ((h.repoUsername === undefined) !== (h.repoPassword === undefined)) {
        r.problem("hopsworks", "sets only one of repoUsername and repoPassword: the chart repository needs both or neither");
    }
    if (repo !== undefined && chartSourceKind(repo) === "local") {
        // A local chart is used as it is: its name comes from its Chart.yaml, and nothing is logged in to.
        for (const key of ["chart", "repoUsername", "repoPassword"]) {
            if (h[key] !== undefined && h[key] !== null) {
                r.problem(`hopsworks.${key}`, `applies only to a chart repository or registry; hopsworks.repo is the local chart ${repo}: remove it`);
            }
        }
    }
    const version = r.string(h, "hopsworks.version", {
        required: true,
        max: LIMITS.version,
        check: is(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
        expected: `the Hopsworks version the chart runs, e.g. "4.8.0"`,
    });
    const timeoutSeconds = r.integer(h, "hopsworks.timeoutSeconds", { min: 60, max: LIMITS.timeoutSeconds, default: DEFAULTS.hopsworksTimeoutSeconds })!;
    const restoreTimeoutSeconds = r.integer(h, "hopsworks.restoreTimeoutSeconds", {
        min: HOPSWORKS_TIMEOUT_SECONDS,
        max: LIMITS.timeoutSeconds,
        default: DEFAULTS.hopsworksRestoreTimeoutSeconds,
    })!;
    const paths = r.stringList(h, "hopsworks.valuesFiles", LIMITS.path);
    const { files, problems } = loadValuesFiles(paths, r.source.projectDir, r.source.stack);
    for (const p of problems) r.invalid(`hopsworks.valuesFiles[${p.index}]`, p.path, p.message);
    const superset = readSupersetKeys(r, h, version);
    const trinoBackupsSince = readTrinoBackupsSince(r, h, version);
    if (!repo || !chartVersion || !version) return undefined;
    return {
        namespace, chart, repo, repoUsername, repoPassword, chartVersion, version, valuesFiles: files, timeoutSeconds, restoreTimeoutSeconds,
        ...superset, ...(trinoBackupsSince ? { trinoBackupsSince } : {}),
    };
}

/** Whether `version` has what `min` brought (an unknown version is given the benefit: its own key reports it). */
export function hasVersion(version: string | undefined, min: string): boolean {
    return version === undefined || compareVersions(version, min) >= 0;
}

/** A key that only exists from Hopsworks `min` on, refused on an older hopsworks.version, naming both and what to do. */
export function refuseBeforeVersion(r: ConfigReader, path: string, version: string | undefined, min: string, what: string): boolean {
    if (hasVersion(version, min)) return false;
    r.problem(
        path,
        `applies only to Hopsworks ${min} or newer (${what}), but hopsworks.version is ${JSON.stringify(version)}: remove it, ` +
            `or set hopsworks.version and hopsworks.chartVersion to ${min} or newer`,
    );
    return true;
}

function present(o: Record<string, unknown>, key: string): boolean {
    return o[key] !== undefined && o[key] !== null;
}

/** hopsworks.supersetRestoreContract and supersetRestoreOverlay: Hopsworks 5.2 and later, the overlay only for the "job" contract. */
function readSupersetKeys(r: ConfigReader, h: Record<string, any>, version: string | undefined): Pick<HopsworksConfig, "supersetRestoreContract" | "supersetRestoreOverlay"> {
    const contract = (r.string(h, "hopsworks.supersetRestoreContract", {
        default: "state",
        max: oneOf(SUPERSET_RESTORE_CONTRACTS),
        check: (v) => (SUPERSET_RESTORE_CONTRACTS as readonly string[]).includes(v),
        expected:
            'must be "state" (the chart takes veleroRestoreName or acknowledgeNoVeleroBarrier and records ConfigMap superset-restore-state phase ' +
            'migrated) or "job" (the chart\'s values.superset-restore.yaml overlay and Job superset-restore-<ID>), as the chart\'s own docs describe its Superset restore',
    }) ?? "state") as SupersetRestoreContract;
    for (const key of ["supersetRestoreContract", "supersetRestoreOverlay"]) {
        if (present(h, key)) refuseBeforeVersion(r, `hopsworks.${key}`, version, SUPERSET_MIN_VERSION, "Superset's backup and restore");
    }
    if (!present(h, "supersetRestoreOverlay")) return { supersetRestoreContract: contract };
    if (contract !== "job") {
        r.problem("hopsworks.supersetRestoreOverlay", `applies only to hopsworks.supersetRestoreContract: job (it is ${JSON.stringify(contract)}): remove it`);
        return { supersetRestoreContract: contract };
    }
    const path = r.string(h, "hopsworks.supersetRestoreOverlay", { max: LIMITS.path });
    if (path === undefined) return { supersetRestoreContract: contract };
    const { files, problems } = loadValuesFiles([path], r.source.projectDir, r.source.stack);
    for (const p of problems) r.invalid("hopsworks.supersetRestoreOverlay", p.path, `the chart's ${SUPERSET.overlayFile}, copied into the project folder: ${p.message}`);
    return { supersetRestoreContract: contract, ...(files[0] ? { supersetRestoreOverlay: files[0] } : {}) };
}

/** hopsworks.trinoBackupsSince: a UTC date or time, Hopsworks 5.1 and later, not in the future. */
function readTrinoBackupsSince(r: ConfigReader, h: Record<string, any>, version: string | undefined): Date | undefined {
    const text = r.string(h, "hopsworks.trinoBackupsSince", {
        max: LIMITS.utcTime,
        check: (v) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z)?$/.test(v) && !Number.isNaN(Date.parse(v)),
        expected: 'must be a UTC date or time such as "2026-03-02" or "2026-03-02T04:00:00Z": the first k8s-backups-main backup after the move to Hopsworks 5.1',
    });
    if (text === undefined) return undefined;
    if (refuseBeforeVersion(r, "hopsworks.trinoBackupsSince", version, TRINO_BACKUP_MIN_VERSION, "Trino's Secrets in the main Velero backup")) return undefined;
    const since = new Date(text);
    if (since.getTime() > r.now.getTime()) {
        r.invalid("hopsworks.trinoBackupsSince", text, `is later than now (${r.now.toISOString()}): it is when backups began to carry Trino's Secrets, which has happened`);
        return undefined;
    }
    return since;
}

/** How long Helm waits for the Hopsworks release: restoreTimeoutSeconds during a restore (timeoutSeconds if longer). */
export function releaseTimeoutSeconds(hopsworks: HopsworksConfig, restoreMode: "none" | "new-cluster" | "in-place" | "superset"): number {
    return restoreMode === "none" ? hopsworks.timeoutSeconds : Math.max(hopsworks.restoreTimeoutSeconds, hopsworks.timeoutSeconds);
}
