import { stringify } from "yaml";
import { formatDuration, scheduleLongestIntervalMs } from "../catalogue/schedule";
import { StackConfig } from "../config/stack-config";
import { MONITORING_DEFAULTS, MonitoringFormat, RULES_FILE_KEY } from "../config/monitoring";
import { LOCATION_NAME, Manifest, VELERO_SCHEDULES } from "../names";
import { overdueLimit } from "../catalogue/health";

/**
 * The backup alerts, as plain data: Prometheus alerting rule groups over Velero's metrics and
 * kube-state-metrics, with thresholds from the same rule as `hopsworks-dr backups status`
 * (stacks/catalogue/health.ts: overdueLimit). components/backup-alerts.ts declares them as a
 * PrometheusRule or a ConfigMap; the render writes them to alerts.yaml.
 */

export type Severity = "critical" | "warning";

export interface AlertRule {
    alert: string;
    expr: string;
    /** How long the condition must hold before the alert fires (a Prometheus duration); unset: at once. */
    for?: string;
    /** severity, and where one alert has a rule per schedule or CronJob, which one (promtool refuses duplicate rules). */
    labels: { severity: Severity } & Record<string, string>;
    annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/** Runbook pages, docs/runbooks/alerts/<page>.md: one per rule group. */
export const ALERT_PAGES = ["velero-backups", "backup-location", "velero-restores", "backup-jobs", "restore-point"] as const;
export type AlertPage = (typeof ALERT_PAGES)[number];

/** The Prometheus rule group of a runbook page. */
export const groupName = (page: AlertPage) => `hopsworks-dr-${page}`;

/**
 * Velero validates a location every minute (--store-validation-frequency, default 1m): 5m is five
 * failed validations in a row, not one transient error.
 */
export const LOCATION_UNAVAILABLE_FOR = "5m";
/** How long a series that should always exist (a location's status, a CronJob) may be missing before it is reported. */
export const MISSING_FOR = "15m";
/** How long a failed or partially failed restore keeps its alert firing. */
export const RESTORE_FAILURE_WINDOW = "24h";

export interface AlertsInput {
    /** backup.schedule: the Velero schedules and the RonDB and OpenSearch CronJobs all run on it. */
    schedule: string;
    /** Where the backup CronJobs run. */
    hopsworksNamespace: string;
    rondbBackupCronJob: string;
    opensearchBackupCronJob: string;
    /**
     * Hopsworks 5.2 and later: Superset's backup CronJob, watched as RonDB's and OpenSearch's are. It is
     * not part of a restore point (points before Superset backups existed have none), so the
     * restore-point rules leave it out.
     */
    supersetBackupCronJob?: string;
    /** Unset: the schedule's longest interval plus grace. */
    recoveryPointObjectiveSeconds?: number;
    runbookBaseUrl: string;
}

export interface AlertThresholds {
    /** The longest gap between two runs of the schedule. */
    intervalMs: number;
    graceMs: number;
    /** When a backup is overdue: interval plus grace. */
    limitMs: number;
    /** The recovery-point objective for a complete restore point. */
    rpoMs: number;
    /** Whether the objective is the user's (monitoring.recoveryPointObjective) or the default. */
    rpoFrom: "config" | "default";
}

/**
 * The rule `backups status` applies (overdueLimit), over the schedule's longest interval: a
 * threshold fixed in advance must hold between any two runs (@monthly: 31 days, not 28).
 */
export function alertThresholds(schedule: string, recoveryPointObjectiveSeconds?: number): AlertThresholds {
    const limit = overdueLimit(scheduleLongestIntervalMs(schedule));
    return recoveryPointObjectiveSeconds === undefined
        ? { ...limit, rpoMs: limit.limitMs, rpoFrom: "default" }
        : { ...limit, rpoMs: recoveryPointObjectiveSeconds * 1000, rpoFrom: "config" };
}

/** A Prometheus duration for whole seconds, e.g. "7d1h", "26h", "5m". */
export function promDuration(ms: number): string {
    let seconds = Math.round(ms / 1000);
    if (seconds <= 0) return "0s";
    let text = "";
    for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
        if (seconds >= size) {
            text += `${Math.floor(seconds / size)}${unit}`;
            seconds %= size;
        }
    }
    return text;
}

/** Seconds, as a PromQL number. */
const secondsOf = (ms: number) => String(Math.round(ms / 1000));

/** A matcher value in PromQL's double-quoted string syntax. */
const quoted = (value: string) => JSON.stringify(value);

/**
 * A counter that rose within `window`: increase() for a series that existed before, and the
 * value itself for a series born inside the window with a count already above 0 (increase()
 * sees no rise in a series' first sample). Velero starts a schedule's counters at 0 only once
 * that Schedule exists: a restore in a new cluster, before the Hopsworks chart has created the
 * Schedules, is counted on a series that starts at 1.
 */
function counterRose(selector: string, by: string, window: string): string {
    return (
        `sum by (${by}) (increase(${selector}[${window}])) > 0\n` +
        `or\n` +
        `sum by (${by}) (${selector} unless ${selector} offset ${window}) > 0`
    );
}

/** The rule groups for a stack's schedule and names, every threshold stated in words in its description. */
export function alertRuleGroups(input: AlertsInput): RuleGroup[] {
    const t = alertThresholds(input.schedule, input.recoveryPointObjectiveSeconds);
    const limit = formatDuration(t.limitMs);
    const limitRule =
        `${limit}: the longest interval of the backup schedule ${input.schedule} (${formatDuration(t.intervalMs)}) ` +
        `plus ${formatDuration(t.graceMs)} grace, the rule \`hopsworks-dr backups status\` applies`;
    const runbook = (page: AlertPage, alert: string) => `${input.runbookBaseUrl}/${page}.md#${alert.toLowerCase()}`;
    const rule = (
        page: AlertPage,
        alert: string,
        severity: Severity,
        expr: string,
        text: { summary: string; description: string },
        options: { for?: string; labels?: Record<string, string> } = {},
    ): AlertRule => ({
        alert,
        expr,
        ...(options.for !== undefined ? { for: options.for } : {}),
        // Sorted, as the engine hands them back: the rules file and the render's alerts.yaml read the same.
        labels: Object.fromEntries(Object.entries({ severity, ...options.labels }).sort(([a], [b]) => a.localeCompare(b))) as AlertRule["labels"],
        annotations: { ...text, runbook_url: runbook(page, alert) },
    });

    const ns = input.hopsworksNamespace;
    const pointCronJobs = [
        { service: "RonDB", name: input.rondbBackupCronJob, key: "rondbBackupCronJob" },
        { service: "OpenSearch", name: input.opensearchBackupCronJob, key: "opensearchBackupCronJob" },
    ];
    const cronJobs = [...pointCronJobs, ...(input.supersetBackupCronJob ? [{ service: "Superset", name: input.supersetBackupCronJob, key: "supersetBackupCronJob" }] : [])];
    const schedules = Object.values(VELERO_SCHEDULES);

    const veleroBackups: AlertRule[] = schedules.flatMap((schedule) => {
        const selector = (metric: string) => `${metric}{schedule=${quoted(schedule)}}`;
        const lastSuccess = selector("velero_backup_last_successful_timestamp");
        return [
            rule(
                "velero-backups",
                "HopsworksVeleroBackupOverdue",
                "critical",
                `time() - max by (schedule) (${lastSuccess}) > ${secondsOf(t.limitMs)}`,
                {
                    summary: `No successful Velero backup of schedule ${schedule} for more than ${limit}`,
                    description:
                        `The newest successful backup of Velero schedule ${schedule} completed {{ $value | humanizeDuration }} ago. ` +
                        `A backup is overdue after ${limitRule}.`,
                },
                { labels: { schedule } },
            ),
            rule(
                "velero-backups",
                "HopsworksVeleroBackupNeverSucceeded",
                "critical",
                `absent(${lastSuccess})`,
                {
                    summary: `No successful Velero backup of schedule ${schedule} reported for ${limit}`,
                    description:
                        `Velero has reported no successful backup of schedule ${schedule} for ${limit} ` +
                        `(no velero_backup_last_successful_timestamp series), and a backup is overdue after ${limitRule}. ` +
                        `Either the schedule has never completed a backup, or Prometheus does not scrape Velero.`,
                },
                { for: promDuration(t.limitMs), labels: { schedule } },
            ),
            rule(
                "velero-backups",
                "HopsworksVeleroBackupFailed",
                "warning",
                `sum by (schedule) (increase(${selector("velero_backup_failure_total")}[${promDuration(t.limitMs)}])) > 0`,
                {
                    summary: `A Velero backup of schedule ${schedule} failed`,
                    description:
                        `A backup of Velero schedule ${schedule} failed within the last ${limit} ` +
                        `(the schedule's longest interval plus grace, so the alert lasts until a later run could have replaced it). ` +
                        `It is not a restore point.`,
                },
                { labels: { schedule } },
            ),
            rule(
                "velero-backups",
                "HopsworksVeleroBackupPartiallyFailed",
                "warning",
                `sum by (schedule) (increase(${selector("velero_backup_partial_failure_total")}[${promDuration(t.limitMs)}])) > 0`,
                {
                    summary: `A Velero backup of schedule ${schedule} partially failed`,
                    description:
                        `A backup of Velero schedule ${schedule} ended PartiallyFailed within the last ${limit} ` +
                        `(the schedule's longest interval plus grace). A restore by schedule skips it, and it lacks the objects Velero could not back up.`,
                },
                { labels: { schedule } },
            ),
        ];
    });

    const location = `velero_backup_location_status_gauge{backup_location_name=${quoted(LOCATION_NAME)}}`;
    const backupLocation: AlertRule[] = [
        rule(
            "backup-location",
            "HopsworksBackupLocationUnavailable",
            "critical",
            `max by (backup_location_name) (${location}) == 0`,
            {
                summary: `Velero backup location ${LOCATION_NAME} is Unavailable`,
                description:
                    `Velero has reported backup location ${LOCATION_NAME} Unavailable for ${LOCATION_UNAVAILABLE_FOR}: no backup or restore can use the bucket. ` +
                    `Velero validates a location every minute by default, so ${LOCATION_UNAVAILABLE_FOR} is five failed validations in a row, not one transient error.`,
            },
            { for: LOCATION_UNAVAILABLE_FOR },
        ),
        rule(
            "backup-location",
            "HopsworksBackupLocationUnreported",
            "critical",
            `absent(${location})`,
            {
                summary: `Velero reports no status for backup location ${LOCATION_NAME}`,
                description:
                    `No velero_backup_location_status_gauge series for ${LOCATION_NAME} for ${MISSING_FOR}: the location does not exist, ` +
                    `or Prometheus does not scrape Velero, and then none of the Velero alerts can fire.`,
            },
            { for: MISSING_FOR },
        ),
    ];

    const restoreFailures = (metric: string) => counterRose(metric, "schedule", RESTORE_FAILURE_WINDOW);
    const veleroRestores: AlertRule[] = [
        rule(
            "velero-restores",
            "HopsworksVeleroRestoreFailed",
            "critical",
            restoreFailures("velero_restore_failed_total"),
            {
                summary: "A Velero restore failed",
                description:
                    `A Velero restore (of schedule "{{ $labels.schedule }}"; empty for a restore of a backup by name) ended Failed within the last ${RESTORE_FAILURE_WINDOW}. ` +
                    `A new-cluster restore stops before Hopsworks is installed.`,
            },
        ),
        rule(
            "velero-restores",
            "HopsworksVeleroRestoreFailedValidation",
            "critical",
            restoreFailures("velero_restore_validation_failed_total"),
            {
                summary: "A Velero restore failed validation",
                description:
                    `A Velero restore (of schedule "{{ $labels.schedule }}") ended FailedValidation within the last ${RESTORE_FAILURE_WINDOW}: ` +
                    `its backup was not found or not yet synced, or the location was Unavailable.`,
            },
        ),
        rule(
            "velero-restores",
            "HopsworksVeleroRestorePartiallyFailed",
            "warning",
            restoreFailures("velero_restore_partial_failure_total"),
            {
                summary: "A Velero restore partially failed",
                description:
                    `A Velero restore (of schedule "{{ $labels.schedule }}") ended PartiallyFailed within the last ${RESTORE_FAILURE_WINDOW}: ` +
                    `some objects were not restored.`,
            },
        ),
    ];

    const backupJobs: AlertRule[] = cronJobs.flatMap(({ service, name, key }) => {
        const cronJob = `{namespace=${quoted(ns)}, cronjob=${quoted(name)}}`;
        const jobs = `{namespace=${quoted(ns)}, job_name=~${quoted(`${name}-[0-9]+`)}}`;
        const lastSuccess = `kube_cronjob_status_last_successful_time${cronJob}`;
        return [
            rule(
                "backup-jobs",
                `Hopsworks${service}BackupOverdue`,
                "critical",
                `time() - max by (namespace, cronjob) (${lastSuccess}) > ${secondsOf(t.limitMs)}`,
                {
                    summary: `No successful ${service} backup for more than ${limit}`,
                    description:
                        `The newest successful run of the ${service} backup CronJob ${ns}/${name} completed {{ $value | humanizeDuration }} ago. ` +
                        `A backup is overdue after ${limitRule}.`,
                },
            ),
            rule(
                "backup-jobs",
                `Hopsworks${service}BackupNeverSucceeded`,
                "critical",
                `(time() - max by (namespace, cronjob) (kube_cronjob_created${cronJob}) > ${secondsOf(t.limitMs)})\n` +
                    `unless on (namespace, cronjob)\n${lastSuccess}`,
                {
                    summary: `The ${service} backup CronJob has never succeeded`,
                    description:
                        `The ${service} backup CronJob ${ns}/${name} was created {{ $value | humanizeDuration }} ago and has no successful run yet, ` +
                        `and a backup is overdue after ${limitRule}.`,
                },
            ),
            rule(
                "backup-jobs",
                `Hopsworks${service}BackupJobFailed`,
                "warning",
                `max by (namespace, job_name) (kube_job_status_failed${jobs}) > 0\n` +
                    `unless on (namespace, job_name)\n(\n` +
                    `  max by (namespace, job_name) (kube_job_status_start_time${jobs})\n` +
                    `  < on (namespace) group_left ()\n` +
                    `  max by (namespace) (${lastSuccess})\n)`,
                {
                    summary: `A run of the ${service} backup CronJob failed`,
                    description:
                        `Job ${ns}/{{ $labels.job_name }} of the ${service} backup CronJob ${name} has failed pods, and no run of the CronJob has succeeded since it started. ` +
                        `Its backup is missing or FAILED in the metadata.`,
                },
            ),
            rule(
                "backup-jobs",
                "HopsworksBackupCronJobMissing",
                "critical",
                `absent(kube_cronjob_created${cronJob})`,
                {
                    summary: `No ${service} backup CronJob ${ns}/${name}`,
                    description:
                        `kube-state-metrics has reported no CronJob ${name} in namespace ${ns} for ${MISSING_FOR}, so the ${service} backup alerts cannot fire. ` +
                        `Backups are off, the CronJob has another name (set hopsworks-dr:monitoring.${key}), ` +
                        `or Prometheus does not scrape kube-state-metrics.`,
                },
                { for: MISSING_FOR, labels: { cronjob: name } },
            ),
        ];
    });

    const newestSuccesses =
        `  max by (schedule) (velero_backup_last_successful_timestamp{schedule=~${quoted(schedules.join("|"))}})\n` +
        `  or\n` +
        `  max by (cronjob) (kube_cronjob_status_last_successful_time{namespace=${quoted(ns)}, cronjob=~${quoted(pointCronJobs.map((c) => c.name).join("|"))}})`;
    const services = `RonDB (${ns}/${input.rondbBackupCronJob}), OpenSearch (${ns}/${input.opensearchBackupCronJob}), Velero ${schedules.join(" and ")}`;
    const rpo = formatDuration(t.rpoMs);
    const rpoWhy =
        t.rpoFrom === "config"
            ? "monitoring.recoveryPointObjective"
            : `the default: the longest interval of the backup schedule ${input.schedule} (${formatDuration(t.intervalMs)}) plus ${formatDuration(t.graceMs)} grace`;
    const restorePoint: AlertRule[] = [
        rule(
            "restore-point",
            "HopsworksNoCompleteRestorePoint",
            "critical",
            `time() - min(\n${newestSuccesses}\n) > ${secondsOf(t.rpoMs)}`,
            {
                summary: `No complete restore point within the recovery-point objective ${rpo}`,
                description:
                    `The oldest of the newest successful backups of ${services} completed {{ $value | humanizeDuration }} ago, ` +
                    `more than the recovery-point objective ${rpo} (${rpoWhy}): no restore point newer than that is complete. ` +
                    `Prometheus sees each service's newest success only; \`hopsworks-dr backups status\` also checks that they belong to one restore point.`,
            },
        ),
        rule(
            "restore-point",
            "HopsworksRestorePointIncomplete",
            "critical",
            `(count(\n${newestSuccesses}\n) or vector(0)) < 4`,
            {
                summary: `Fewer than the 4 backed-up services report a successful backup, for ${rpo}`,
                description:
                    `For ${rpo} (the recovery-point objective, ${rpoWhy}) only {{ $value }} of the 4 services (${services}) have reported a successful backup, ` +
                    `so no restore point is complete.`,
            },
            { for: promDuration(t.rpoMs) },
        ),
    ];

    const groups: Record<AlertPage, AlertRule[]> = {
        "velero-backups": veleroBackups,
        "backup-location": backupLocation,
        "velero-restores": veleroRestores,
        "backup-jobs": backupJobs,
        "restore-point": restorePoint,
    };
    return ALERT_PAGES.map((page) => ({ name: groupName(page), rules: groups[page] }));
}

/** The groups as a Prometheus rules file (`rule_files:`), the text alerts.yaml and the ConfigMap hold. */
export function rulesFileText(groups: RuleGroup[]): string {
    return stringify({ groups }, { lineWidth: 0 });
}

export interface AlertsPlan {
    format: MonitoringFormat;
    /** The PrometheusRule or ConfigMap, as declared. */
    manifest: Manifest;
    groups: RuleGroup[];
    /** The rules file the ConfigMap holds, and the render writes to alerts.yaml. */
    rulesFile: string;
}

/** What monitoring declares: nothing unless monitoring.enabled, else the rule groups in the chosen form. */
export function planAlerts(config: StackConfig): { plan?: AlertsPlan; warnings: string[] } {
    const m = config.monitoring;
    if (!m.enabled) return { warnings: [] };
    const groups = alertRuleGroups({
        schedule: config.backup.schedule,
        hopsworksNamespace: config.hopsworks.namespace,
        rondbBackupCronJob: m.rondbBackupCronJob,
        opensearchBackupCronJob: m.opensearchBackupCronJob,
        ...(m.supersetBackupCronJob ? { supersetBackupCronJob: m.supersetBackupCronJob } : {}),
        recoveryPointObjectiveSeconds: m.recoveryPointObjectiveSeconds,
        runbookBaseUrl: m.runbookBaseUrl,
    });
    const rulesFile = rulesFileText(groups);
    const labels = Object.keys(m.ruleLabels).length > 0 ? { labels: { ...m.ruleLabels } } : {};
    const manifest: Manifest =
        m.format === "prometheus-operator"
            ? {
                  apiVersion: "monitoring.coreos.com/v1",
                  kind: "PrometheusRule",
                  metadata: { name: MONITORING_DEFAULTS.name, namespace: m.namespace, ...labels },
                  spec: { groups },
              }
            : {
                  apiVersion: "v1",
                  kind: "ConfigMap",
                  metadata: { name: m.configMapName, namespace: m.namespace, ...labels },
                  data: { [RULES_FILE_KEY]: rulesFile },
              };
    const warnings: string[] = [];
    if (!m.runbookBaseUrlSet) {
        warnings.push(
            `hopsworks-dr:monitoring.runbookBaseUrl is not set: the alerts' runbook_url links point at the placeholder ${MONITORING_DEFAULTS.runbookBaseUrl}; ` +
                "set it to where your copy of docs/runbooks/alerts is published, e.g. https://github.com/<owner>/<repo>/blob/main/docs/runbooks/alerts",
        );
    }
    if (!m.opensearchBackupCronJobSet) {
        warnings.push(
            `hopsworks-dr:monitoring.opensearchBackupCronJob is the default ${JSON.stringify(MONITORING_DEFAULTS.opensearchBackupCronJob)}, which is not verified ` +
                `against the Hopsworks chart (not public): check \`kubectl get cronjobs -n ${config.hopsworks.namespace}\` and set it to the OpenSearch backup CronJob's name`,
        );
    }
    return { plan: { format: m.format, manifest, groups, rulesFile }, warnings };
}
