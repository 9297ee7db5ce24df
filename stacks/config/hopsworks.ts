import { CHART_SOURCE_FORMS, chartSourceKind, readChartSource } from "./chart-source";
import { DEFAULTS } from "./defaults";
import { is, NAMESPACE_RULE, SEMVER } from "./formats";
import { LIMITS } from "./limits";
import { HOPSWORKS_TIMEOUT_SECONDS } from "../names";
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
}

export const HOPSWORKS_KEYS = ["namespace", "chart", "repo", "repoUsername", "repoPassword", "chartVersion", "version", "valuesFiles", "timeoutSeconds", "restoreTimeoutSeconds"] as const;

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
    if (!repo || !chartVersion || !version) return undefined;
    return { namespace, chart, repo, repoUsername, repoPassword, chartVersion, version, valuesFiles: files, timeoutSeconds, restoreTimeoutSeconds };
}

/** How long Helm waits for the Hopsworks release: restoreTimeoutSeconds during a restore (timeoutSeconds if longer). */
export function releaseTimeoutSeconds(hopsworks: HopsworksConfig, restoreMode: "none" | "new-cluster" | "in-place"): number {
    return restoreMode === "none" ? hopsworks.timeoutSeconds : Math.max(hopsworks.restoreTimeoutSeconds, hopsworks.timeoutSeconds);
}
