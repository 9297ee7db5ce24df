import { formatDuration, scheduleLongestIntervalMs } from "../catalogue/schedule";
import { MAX_TTL_DAYS } from "./ttl";
import { ConfigReader, show } from "./reader";
import { LIMITS, oneOf } from "./limits";
import { overdueLimit } from "../catalogue/health";
import { SUPERSET, SUPERSET_MIN_VERSION } from "../names";
import { hasVersion, refuseBeforeVersion } from "./hopsworks";

/**
 * The `hopsworks-dr:monitoring` section: whether the stack declares its backup alerts
 * (stacks/alerts.ts), in which form, where, and against which objective.
 */

export const MONITORING_FORMATS = ["prometheus-operator", "configmap"] as const;
export type MonitoringFormat = (typeof MONITORING_FORMATS)[number];

export const MONITORING_KEYS = [
    "enabled", "format", "namespace", "ruleLabels", "configMapName", "rondbBackupCronJob", "opensearchBackupCronJob", "supersetBackupCronJob",
    "recoveryPointObjective", "runbookBaseUrl",
] as const;

export const MONITORING_DEFAULTS = {
    format: "prometheus-operator" as MonitoringFormat,
    /** The PrometheusRule's name, and the ConfigMap's unless monitoring.configMapName says otherwise. */
    name: "hopsworks-dr-alerts",
    /**
     * The RonDB backup CronJob: `create-rondb-backup` in logicalclocks/rondb-helm 0.8.0
     * (templates/backups/create.yaml, commit be197b3), the RonDB subchart Hopsworks installs in its namespace.
     */
    rondbBackupCronJob: "create-rondb-backup",
    /**
     * The OpenSearch backup CronJob. UNVERIFIED: the Hopsworks chart that creates it is not public, so this
     * name is only an analogy with RonDB's; HopsworksBackupCronJobMissing fires when no CronJob has it.
     */
    opensearchBackupCronJob: "create-opensearch-backup",
    /** Superset's backup CronJob (Hopsworks 5.2), as the Hopsworks disaster-recovery page names it. */
    supersetBackupCronJob: SUPERSET.backupCronJob,
    /** A placeholder: Alertmanager needs an absolute URL, and only the user knows where their copy of this repository lives. */
    runbookBaseUrl: "https://github.com/YOUR-ORG/hopsworks-dr/blob/main/docs/runbooks/alerts",
};

/** The key a ConfigMap holds the rules file under (format configmap). */
export const RULES_FILE_KEY = "hopsworks-dr.rules.yaml";

export interface MonitoringConfig {
    enabled: boolean;
    format: MonitoringFormat;
    /** Where the PrometheusRule or ConfigMap goes; the Hopsworks namespace unless set. */
    namespace: string;
    /** Labels of the PrometheusRule or ConfigMap, e.g. the `release` a Prometheus ruleSelector picks. */
    ruleLabels: Record<string, string>;
    /** The ConfigMap's name (format configmap). */
    configMapName: string;
    rondbBackupCronJob: string;
    opensearchBackupCronJob: string;
    /** false while opensearchBackupCronJob is the unverified default. */
    opensearchBackupCronJobSet: boolean;
    /** Hopsworks 5.2 and later: Superset's backup CronJob, watched like RonDB's and OpenSearch's. Unset before 5.2. */
    supersetBackupCronJob?: string;
    /** How old the newest complete restore point may get, in seconds; unset: the schedule's longest interval plus grace. */
    recoveryPointObjectiveSeconds?: number;
    /** Where the runbook pages are, without a trailing slash. */
    runbookBaseUrl: string;
    /** false while runbookBaseUrl is the placeholder. */
    runbookBaseUrlSet: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label's name part, and a non-empty label value: at most 63 characters, alphanumeric at both ends. */
const LABEL_NAME = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A CronJob's name is at most 52 characters, so that the Jobs it creates (name + "-" + 11 digits) stay valid. */
const CRONJOB_NAME = /^(?=.{1,52}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A duration such as "26h", "7d", "1d12h" or "90m". */
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** Why a Kubernetes label key is not valid, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.indexOf("/");
    const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    if (prefix !== undefined && !DNS_SUBDOMAIN.test(prefix)) {
        return "its prefix (before the /) must be a DNS subdomain: lowercase letters, digits, '-' and '.', at most 253 characters";
    }
    if (!LABEL_NAME.test(name)) {
        return "it must be a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a DNS-subdomain prefix and a /";
    }
    return undefined;
}

/** Why a Kubernetes label value is not valid, or undefined. The empty value is valid. */
export function labelValueProblem(value: string): string | undefined {
    return value === "" || LABEL_NAME.test(value)
        ? undefined
        : "must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/** Seconds in a duration such as "26h" or "1d12h", or undefined when it is not one (or zero). */
export function durationSeconds(text: string): number | undefined {
    const match = DURATION.exec(text);
    if (!match || text === "") return undefined;
    const [d, h, m] = match.slice(1).map((part) => Number(part ?? 0));
    const seconds = ((d * 24 + h) * 60 + m) * 60;
    return seconds > 0 ? seconds : undefined;
}

/** The longest objective: the longest ttl, beyond which no restore point is kept. */
const MAX_OBJECTIVE_SECONDS = MAX_TTL_DAYS * 86_400;

const DURATION_EXPECTED = `must be a duration of days, hours and minutes such as "26h", "7d" or "1d12h"`;

function isHttpsUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return url.protocol === "https:" && url.hostname !== "" && url.username === "" && url.password === "" && url.search === "" && url.hash === "";
    } catch {
        return false;
    }
}

/**
 * Reads `monitoring`. `hopsworksNamespace` is the default namespace; `backup` (when valid) is what
 * the objective is checked against: an objective shorter than the schedule's longest interval
 * would fire before every backup.
 */
export function readMonitoring(
    r: ConfigReader,
    hopsworksNamespace: string,
    backup: { enabled: boolean; schedule: string } | undefined,
    /** hopsworks.version: from 5.2 on Superset's backup CronJob is watched too. */
    hopsworksVersion?: string,
): MonitoringConfig {
    const m = r.section("monitoring", MONITORING_KEYS);
    const given = (key: string) => m[key] !== undefined && m[key] !== null;
    const enabled = r.boolean(m, "monitoring.enabled", false);
    const format = (r.string(m, "monitoring.format", {
        default: MONITORING_DEFAULTS.format,
        max: oneOf(MONITORING_FORMATS),
        check: (v) => (MONITORING_FORMATS as readonly string[]).includes(v),
        expected: `must be one of ${MONITORING_FORMATS.join(", ")} (a PrometheusRule for the Prometheus Operator, or a ConfigMap holding a rules file)`,
    }) ?? MONITORING_DEFAULTS.format) as MonitoringFormat;
    const namespace = r.string(m, "monitoring.namespace", {
        default: hopsworksNamespace,
        max: LIMITS.namespace,
        check: (v) => DNS_LABEL.test(v),
        expected: "must be a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)",
    })!;
    const ruleLabels = readLabels(r, m.ruleLabels);
    const configMapName = r.string(m, "monitoring.configMapName", {
        default: MONITORING_DEFAULTS.name,
        max: LIMITS.objectName,
        check: (v) => DNS_SUBDOMAIN.test(v),
        expected: "must be a ConfigMap name: lowercase letters, digits, '-' and '.', at most 253 characters",
    })!;
    if (given("configMapName") && format !== "configmap") {
        r.problem("monitoring.configMapName", `applies only to monitoring.format configmap (the format is ${format}): remove it`);
    }
    const cronJob = (key: "rondbBackupCronJob" | "opensearchBackupCronJob" | "supersetBackupCronJob", what: string) =>
        r.string(m, `monitoring.${key}`, {
            default: MONITORING_DEFAULTS[key],
            max: LIMITS.cronJobName,
            check: (v) => CRONJOB_NAME.test(v),
            expected: `must be the name of the ${what} backup CronJob in the Hopsworks namespace (lowercase letters, digits and hyphens, at most 52), as \`kubectl get cronjobs -n ${hopsworksNamespace}\` lists it`,
        })!;
    const rondbBackupCronJob = cronJob("rondbBackupCronJob", "RonDB");
    const opensearchBackupCronJob = cronJob("opensearchBackupCronJob", "OpenSearch");
    const superset = hasVersion(hopsworksVersion, SUPERSET_MIN_VERSION);
    if (given("supersetBackupCronJob")) refuseBeforeVersion(r, "monitoring.supersetBackupCronJob", hopsworksVersion, SUPERSET_MIN_VERSION, "Superset's backups");
    const supersetBackupCronJob = superset ? cronJob("supersetBackupCronJob", "Superset") : undefined;
    let rpoText = r.string(m, "monitoring.recoveryPointObjective", {
        max: LIMITS.duration,
        check: (v) => durationSeconds(v) !== undefined,
        expected: DURATION_EXPECTED,
    });
    if (rpoText !== undefined && durationSeconds(rpoText)! > MAX_OBJECTIVE_SECONDS) {
        r.invalid(
            "monitoring.recoveryPointObjective",
            rpoText,
            `must be at most ${MAX_TTL_DAYS}d: no backup is kept longer (backup.ttl is at most ${MAX_TTL_DAYS} days), so a restore point older than that cannot exist`,
        );
        rpoText = undefined;
    }
    const recoveryPointObjectiveSeconds = rpoText === undefined ? undefined : durationSeconds(rpoText);
    if (recoveryPointObjectiveSeconds !== undefined && backup) {
        const intervalMs = scheduleLongestIntervalMs(backup.schedule);
        if (recoveryPointObjectiveSeconds * 1000 < intervalMs) {
            r.invalid(
                "monitoring.recoveryPointObjective",
                rpoText,
                `must be at least the backup schedule's longest interval, ${formatDuration(intervalMs)} (backup.schedule ${JSON.stringify(backup.schedule)}): ` +
                    `just before each backup the newest restore point is that old, so the alert would fire every time; ` +
                    `leave it unset for the interval plus grace (${formatDuration(overdueLimit(intervalMs).limitMs)})`,
            );
        }
    }
    const runbookBaseUrl = r.string(m, "monitoring.runbookBaseUrl", {
        max: LIMITS.url,
        check: isHttpsUrl,
        expected:
            "must be the https URL of the folder that holds this repository's docs/runbooks/alerts pages, such as " +
            "https://github.com/<owner>/<repo>/blob/main/docs/runbooks/alerts (no credentials, query or fragment): Alertmanager links need an absolute URL",
    });
    if (enabled && backup && !backup.enabled) {
        r.problem(
            "monitoring.enabled",
            "= true: the alerts watch the backups, and backup.enabled is false, so every one of them would fire; enable backups or set monitoring.enabled false",
        );
    }
    return {
        enabled,
        format,
        namespace,
        ruleLabels,
        configMapName,
        rondbBackupCronJob,
        opensearchBackupCronJob,
        opensearchBackupCronJobSet: given("opensearchBackupCronJob"),
        ...(supersetBackupCronJob ? { supersetBackupCronJob } : {}),
        ...(recoveryPointObjectiveSeconds !== undefined ? { recoveryPointObjectiveSeconds } : {}),
        runbookBaseUrl: (runbookBaseUrl ?? MONITORING_DEFAULTS.runbookBaseUrl).replace(/\/+$/, ""),
        runbookBaseUrlSet: runbookBaseUrl !== undefined,
    };
}

function readLabels(r: ConfigReader, value: unknown): Record<string, string> {
    const path = "monitoring.ruleLabels";
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
        r.invalid(path, value, `must be a map of label names to values, e.g. { release: kube-prometheus-stack }`);
        return {};
    }
    const labels: Record<string, string> = {};
    for (const [key, labelValue] of Object.entries(value as Record<string, unknown>)) {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) {
            r.problem(path, `has the key ${show(key)}, not a valid Kubernetes label key: ${keyProblem}`);
            continue;
        }
        if (typeof labelValue !== "string") {
            r.invalid(`${path}.${key}`, labelValue, "must be a string: label values are strings (quote it in YAML)");
            continue;
        }
        const valueProblem = labelValueProblem(labelValue);
        if (valueProblem) {
            r.invalid(`${path}.${key}`, labelValue, `${valueProblem} (a Kubernetes label value)`);
            continue;
        }
        labels[key] = labelValue;
    }
    return labels;
}
