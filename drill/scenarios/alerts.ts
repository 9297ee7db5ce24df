/**
 * Scenario `alerts`: the backup alerts a stack declares (monitoring.enabled, format configmap),
 * checked against the real systems. Every metric and label the rules select must be in the scrape of
 * the real Velero and of a real kube-state-metrics (a metric renamed in an upgrade fails here, not
 * silently in production); then a real Prometheus, scraping both and loading the rules file from the
 * ConfigMap the stack deployed, keeps every alert inactive after fresh backups and fires the overdue
 * alerts once a schedule's interval plus grace passes without one (an every-minute schedule: 2 min).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ALERT_PAGES, alertThresholds, groupName, RuleGroup } from "../../stacks/plan/alerts";
import { VELERO_SCHEDULES } from "../../stacks/names";
import { MONITORING_DEFAULTS, RULES_FILE_KEY } from "../../stacks/config/monitoring";
import { PORTS, VELERO_NAMESPACE } from "../env";
import { missingSeries, parseExposition, selectorText, seriesTheRulesSelect } from "../metrics";
import { recordStart, startProcess, stopProcess, waitFor } from "../processes";
import { check, Recorder } from "../report";
import { Shell } from "../shell";
import { takeScheduledBackup } from "../cluster-state";
import { DRILL_STACK, HOPSWORKS_NAMESPACE, render } from "./backup-mode";
import { ensureBackups } from "./prerequisites";

export const SCENARIO = "alerts";

/** A schedule whose threshold passes within the drill: every minute, so overdue after 1 min + 1 min grace. */
const DRILL_SCHEDULE = "* * * * *";
const PROMETHEUS = `http://127.0.0.1:${PORTS.prometheus}`;
/** What the stand-in chart's backup CronJobs are called: the monitoring config's defaults (Superset's: Hopsworks 5.2, the drill's version). */
const CRONJOBS = {
    rondb: MONITORING_DEFAULTS.rondbBackupCronJob,
    opensearch: MONITORING_DEFAULTS.opensearchBackupCronJob,
    superset: MONITORING_DEFAULTS.supersetBackupCronJob,
};
const SCRAPES = {
    velero: `127.0.0.1:${PORTS.veleroMetrics}`,
    "kube-state-metrics": `127.0.0.1:${PORTS.kubeStateMetrics}`,
};

interface PromRule {
    name: string;
    state: "inactive" | "pending" | "firing";
    health: string;
    lastError?: string;
    lastEvaluation: string;
    alerts: { labels: Record<string, string>; state: string; activeAt: string }[];
}

async function prometheus(pathAndQuery: string): Promise<any> {
    const response = await fetch(`${PROMETHEUS}${pathAndQuery}`);
    const body = (await response.json()) as any;
    check(body.status === "success", `Prometheus ${pathAndQuery}: ${JSON.stringify(body).slice(0, 500)}`);
    return body.data;
}

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    return (await prometheus(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
}

async function alertRules(): Promise<{ group: string; rule: PromRule }[]> {
    const data = await prometheus("/api/v1/rules?type=alert");
    return data.groups.flatMap((g: any) => g.rules.map((rule: PromRule) => ({ group: g.name, rule })));
}

/** The active instance of an alert whose labels include `labels`, if any. */
async function activeAlert(alert: string, labels: Record<string, string>): Promise<{ state: string; activeAt: string } | undefined> {
    return (await alertRules())
        .filter(({ rule }) => rule.name === alert)
        .flatMap(({ rule }) => rule.alerts)
        .find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
}

const describeActive = (rules: { rule: PromRule }[]) =>
    rules.map(({ rule }) => `${rule.name} ${rule.state} ${rule.alerts.map((a) => JSON.stringify(a.labels)).join(" ")}`).join("; ");

export async function alerts(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    await ensureBackups(rec, sh, SCENARIO);
    const set = (key: string, value: string) => sh.pulumi(["config", "set", "--path", key, value], { stack: DRILL_STACK });
    const limitSeconds = alertThresholds(DRILL_SCHEDULE).limitMs / 1000;
    const cronJobSucceeded = (name: string) => sh.getJson(["cronjob", name, "-n", HOPSWORKS_NAMESPACE])?.status?.lastSuccessfulTime as string | undefined;

    const rulesFile = await step("Turn on the backup alerts (monitoring.format configmap) on an every-minute schedule; pulumi up deploys the rules", (ctx) => {
        set("monitoring.enabled", "true");
        set("monitoring.format", "configmap");
        set("backup.schedule", DRILL_SCHEDULE);
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        const deployed = sh.getJson(["configmap", MONITORING_DEFAULTS.name, "-n", HOPSWORKS_NAMESPACE])?.data?.[RULES_FILE_KEY];
        check(deployed, `no ConfigMap ${HOPSWORKS_NAMESPACE}/${MONITORING_DEFAULTS.name} with ${RULES_FILE_KEY}`);
        check(deployed === render(sh).alerts, "the deployed rules differ from the render's alerts.yaml");
        const schedules = sh.getJson(["schedules.velero.io", "-n", VELERO_NAMESPACE]).items.map((s: any) => `${s.metadata.name} ${s.spec.schedule}`);
        for (const name of Object.values(VELERO_SCHEDULES)) check(schedules.includes(`${name} ${DRILL_SCHEDULE}`), `no schedule ${name} ${DRILL_SCHEDULE}: ${schedules.join(", ")}`);
        const groups = (parse(deployed) as { groups: RuleGroup[] }).groups;
        ctx.detail(`ConfigMap ${HOPSWORKS_NAMESPACE}/${MONITORING_DEFAULTS.name}: ${groups.length} groups, ${groups.flatMap((g) => g.rules).length} rules, equal to the render's alerts.yaml`);
        return { text: deployed as string, groups };
    });

    await step("Back up with each Velero schedule and run each backup CronJob once; start kube-state-metrics on 127.0.0.1", async (ctx) => {
        // Velero sets a schedule's last-success gauge when one of its backups completes.
        for (const schedule of Object.values(VELERO_SCHEDULES)) takeScheduledBackup(sh, schedule);
        startProcess(sh.drill.run, "kube-state-metrics", "kube-state-metrics", [
            `--kubeconfig=${sh.env.KUBECONFIG}`,
            "--host=127.0.0.1",
            `--port=${PORTS.kubeStateMetrics}`,
            "--telemetry-host=127.0.0.1",
            `--telemetry-port=${PORTS.kubeStateMetricsTelemetry}`,
            "--resources=cronjobs,jobs",
            `--namespaces=${HOPSWORKS_NAMESPACE}`,
        ], { env: sh.env });
        recordStart(sh.drill.run, "kube-state-metrics");
        // The CronJob controller starts a Job at the next minute; kwok completes its pod.
        const t0 = Date.now();
        for (const name of Object.values(CRONJOBS)) await waitFor(`a successful run of CronJob ${name}`, () => cronJobSucceeded(name), 180_000, 2_000);
        ctx.figure("cronJobsSucceededAfterSeconds", (Date.now() - t0) / 1000);
        return `Velero backups of both schedules; ${Object.values(CRONJOBS).map((n) => `${n} succeeded at ${cronJobSucceeded(n)}`).join(", ")}`;
    });

    await step("Scrape the real Velero and kube-state-metrics: every metric and label the rules select is there", async (ctx) => {
        const checked: string[] = [];
        for (const [prefix, target] of [["velero_", SCRAPES.velero], ["kube_", SCRAPES["kube-state-metrics"]]]) {
            const scrape = await waitFor(`${target}/metrics`, async () => (await fetch(`http://${target}/metrics`).catch(() => undefined))?.text(), 30_000);
            const expected = seriesTheRulesSelect(rulesFile.groups, prefix);
            check(expected.length > 0, `the rules select no ${prefix} series`);
            const missing = missingSeries(expected, parseExposition(scrape));
            check(missing.length === 0, `the scrape of ${target} lacks what the rules select:\n${missing.join("\n")}`);
            checked.push(...expected.map(selectorText));
        }
        ctx.figure("seriesChecked", checked.length);
        return `${checked.length} series, all present: ${checked.join(", ")}`;
    });

    await step("Start a real Prometheus on 127.0.0.1, scraping both and loading the deployed rules: every rule evaluates", async () => {
        const dir = path.join(sh.drill.run, "prometheus");
        mkdirSync(dir, { recursive: true });
        const rules = path.join(dir, RULES_FILE_KEY);
        writeFileSync(rules, rulesFile.text);
        const config = {
            global: { scrape_interval: "1s", evaluation_interval: "1s" },
            rule_files: [rules],
            scrape_configs: Object.entries(SCRAPES).map(([job, target]) => ({ job_name: job, static_configs: [{ targets: [target] }] })),
        };
        writeFileSync(path.join(dir, "prometheus.yml"), stringify(config));
        startProcess(sh.drill.run, "prometheus", "prometheus", [
            `--config.file=${path.join(dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(dir, "data")}`,
            `--web.listen-address=127.0.0.1:${PORTS.prometheus}`,
        ], { env: sh.env });
        recordStart(sh.drill.run, "prometheus");
        await waitFor("Prometheus to be ready", async () => ((await fetch(`${PROMETHEUS}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 60_000);
        await waitFor("Prometheus's first scrape of both", async () => ((await query("up == 1")).length === Object.keys(SCRAPES).length ? true : undefined), 60_000);
        // Evaluations that began after those scrapes, so no rule still sees an empty database.
        const scraped = Date.now();
        const evaluated = await waitFor(
            "every rule evaluated over the scraped samples",
            async () => {
                const all = await alertRules();
                return all.length > 0 && all.every(({ rule }) => Date.parse(rule.lastEvaluation) > scraped) ? all : undefined;
            },
            60_000,
        );
        // Prometheus lists the groups by name, not in the file's order.
        const groups = [...new Set(evaluated.map((r) => r.group))].sort();
        check(JSON.stringify(groups) === JSON.stringify(ALERT_PAGES.map(groupName).sort()), `Prometheus loaded groups ${groups.join(", ")}`);
        const broken = evaluated.filter(({ rule }) => rule.health !== "ok");
        check(broken.length === 0, `rules that do not evaluate:\n${broken.map(({ rule }) => `${rule.name}: ${rule.lastError}`).join("\n")}`);
        return `${evaluated.length} alert rules in ${groups.length} groups, all healthy; Velero and kube-state-metrics scraped`;
    });

    await step("After fresh backups of every service (Velero, RonDB, OpenSearch, Superset), no alert is pending or firing", async () => {
        const active = (await alertRules()).filter(({ rule }) => rule.state !== "inactive");
        check(active.length === 0, `active: ${describeActive(active)}`);
        return "every rule of every group inactive, restore-point rules included";
    });

    const overdue: { alert: string; labels: Record<string, string>; lastSuccess: string }[] = [
        { alert: "HopsworksVeleroBackupOverdue", labels: { schedule: VELERO_SCHEDULES.main }, lastSuccess: `velero_backup_last_successful_timestamp{schedule="${VELERO_SCHEDULES.main}"}` },
        { alert: "HopsworksRonDBBackupOverdue", labels: { cronjob: CRONJOBS.rondb }, lastSuccess: `kube_cronjob_status_last_successful_time{cronjob="${CRONJOBS.rondb}"}` },
    ];
    await step(`Pause ${VELERO_SCHEDULES.main} and suspend ${CRONJOBS.rondb}: each overdue alert fires ${limitSeconds} s after its last success; the running ones stay quiet`, async (ctx) => {
        sh.velero(["schedule", "pause", VELERO_SCHEDULES.main]);
        sh.kubectl(["patch", "cronjob", CRONJOBS.rondb, "-n", HOPSWORKS_NAMESPACE, "--type=merge", "-p", '{"spec":{"suspend":true}}']);
        const lines: string[] = [];
        for (const o of overdue) {
            const firing = await waitFor(
                `${o.alert} to fire`,
                async () => {
                    const alert = await activeAlert(o.alert, o.labels);
                    return alert?.state === "firing" ? alert : undefined;
                },
                (limitSeconds + 150) * 1000,
                1_000,
            );
            const lastSuccess = Number((await query(o.lastSuccess))[0].value[1]);
            const after = Date.parse(firing.activeAt) / 1000 - lastSuccess;
            ctx.figure(`${o.alert}FiredSecondsAfterLastSuccess`, Math.round(after * 10) / 10);
            check(after > limitSeconds, `${o.alert} fired ${after.toFixed(1)} s after the last success, before the ${limitSeconds} s threshold`);
            check(after < limitSeconds + 10, `${o.alert} fired ${after.toFixed(1)} s after the last success, ${(after - limitSeconds).toFixed(1)} s late`);
            lines.push(`${o.alert} ${JSON.stringify(o.labels)} fired ${after.toFixed(1)} s after its last success`);
        }
        const quiet = [
            await activeAlert("HopsworksVeleroBackupOverdue", { schedule: VELERO_SCHEDULES.users }),
            await activeAlert("HopsworksOpenSearchBackupOverdue", { cronjob: CRONJOBS.opensearch }),
            await activeAlert("HopsworksSupersetBackupOverdue", { cronjob: CRONJOBS.superset }),
        ];
        check(quiet.every((a) => a === undefined), `an alert of a schedule that kept running is active: ${JSON.stringify(quiet)}`);
        // Its group is evaluated on its own tick, up to a second and a scrape apart from the overdue
        // alerts' groups (the drill once read it a moment too early): wait for it, bounded.
        const pointRule = async () => (await alertRules()).find(({ rule }) => rule.name === "HopsworksNoCompleteRestorePoint")?.rule;
        await waitFor("HopsworksNoCompleteRestorePoint to fire", async () => ((await pointRule())?.state === "firing" ? true : undefined), 30_000, 1_000).catch(async () => {
            check(false, `HopsworksNoCompleteRestorePoint is ${(await pointRule())?.state} 30 s after the overdue alerts fired: a restore point needs every service on time`);
        });
        return `${lines.join("; ")} (threshold ${limitSeconds} s); HopsworksNoCompleteRestorePoint firing; ${VELERO_SCHEDULES.users}, ${CRONJOBS.opensearch} and ${CRONJOBS.superset} quiet`;
    });

    await step("Resume both: their next scheduled runs resolve the alerts", async (ctx) => {
        const t0 = Date.now();
        // Velero runs a resumed schedule's missed backup at once; the CronJob runs at the next minute.
        sh.velero(["schedule", "unpause", VELERO_SCHEDULES.main]);
        sh.kubectl(["patch", "cronjob", CRONJOBS.rondb, "-n", HOPSWORKS_NAMESPACE, "--type=merge", "-p", '{"spec":{"suspend":false}}']);
        await waitFor(
            "the alerts to resolve",
            async () => ((await alertRules()).every(({ rule }) => rule.state === "inactive") ? true : undefined),
            180_000,
            1_000,
        ).catch(async (error) => {
            throw new Error(`${(error as Error).message}; active: ${describeActive((await alertRules()).filter(({ rule }) => rule.state !== "inactive"))}`);
        });
        ctx.figure("resolvedSecondsAfterResume", (Date.now() - t0) / 1000);
        return `every alert inactive again ${((Date.now() - t0) / 1000).toFixed(1)} s after resuming`;
    });

    await step("Back to the drill stack's daily schedule without alerts; Prometheus and kube-state-metrics stopped by their PIDs", () => {
        stopProcess(sh.drill.run, "prometheus");
        stopProcess(sh.drill.run, "kube-state-metrics");
        sh.pulumi(["config", "rm", "monitoring"], { stack: DRILL_STACK });
        set("backup.schedule", "@daily");
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        check(sh.getJson(["configmap", MONITORING_DEFAULTS.name, "-n", HOPSWORKS_NAMESPACE]) === undefined, "the rules ConfigMap is still there");
        return "monitoring off, schedule @daily";
    });
}
