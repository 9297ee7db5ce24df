/**
 * Scenario `alerts`: the backup alerts a stack declares (monitoring.enabled, format configmap),
 * checked against the real Velero and evaluated by a real Prometheus. Every Velero metric and label
 * the rules select must be in Velero's own scrape; then Prometheus, scraping Velero and loading the
 * rules file from the ConfigMap the stack deployed, keeps the overdue alert inactive after a fresh
 * backup and fires it once the schedule's interval plus grace has passed without one (a drill stack
 * with an every-minute schedule: 2 minutes).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ALERT_PAGES, alertThresholds, groupName, RuleGroup } from "../../stacks/plan/alerts";
import { VELERO_SCHEDULES } from "../../stacks/names";
import { MONITORING_DEFAULTS, RULES_FILE_KEY } from "../../stacks/config/monitoring";
import { PORTS, VELERO_NAMESPACE } from "../env";
import { missingSeries, parseExposition, selectorText, seriesTheRulesSelect } from "../metrics";
import { logFile, recordStart, startProcess, stopProcess, waitFor } from "../processes";
import { check, Recorder } from "../report";
import { Shell } from "../shell";
import { takeScheduledBackup } from "../cluster-state";
import { DRILL_STACK, HOPSWORKS_NAMESPACE, render } from "./backup-mode";
import { ensureBackups } from "./prerequisites";

export const SCENARIO = "alerts";

/** A schedule whose threshold passes within the drill: every minute, so overdue after 1 min + 1 min grace. */
const DRILL_SCHEDULE = "* * * * *";
const PROMETHEUS = `http://127.0.0.1:${PORTS.prometheus}`;
/** The alert groups over Velero's own metrics (the others need kube-state-metrics, which the drill does not run). */
const VELERO_PAGES = ["velero-backups", "backup-location", "velero-restores"] as const;

interface PromRule {
    name: string;
    type: string;
    state: "inactive" | "pending" | "firing";
    health: string;
    lastError?: string;
    lastEvaluation: string;
    alerts: { labels: Record<string, string>; state: string; activeAt: string; value: string }[];
}

async function prometheus(pathAndQuery: string): Promise<any> {
    const response = await fetch(`${PROMETHEUS}${pathAndQuery}`);
    const body = (await response.json()) as any;
    check(body.status === "success", `Prometheus ${pathAndQuery}: ${JSON.stringify(body).slice(0, 500)}`);
    return body.data;
}

async function alertRules(): Promise<{ group: string; rule: PromRule }[]> {
    const data = await prometheus("/api/v1/rules?type=alert");
    return data.groups.flatMap((g: any) => g.rules.map((rule: PromRule) => ({ group: g.name, rule })));
}

/** The active instance of an alert for one schedule, if any. */
async function alertFor(alert: string, schedule: string): Promise<{ state: string; activeAt: string } | undefined> {
    const rules = await alertRules();
    return rules
        .filter(({ rule }) => rule.name === alert)
        .flatMap(({ rule }) => rule.alerts)
        .find((a) => a.labels.schedule === schedule);
}

export async function alerts(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    await ensureBackups(rec, sh, SCENARIO);
    const set = (key: string, value: string) => sh.pulumi(["config", "set", "--path", key, value], { stack: DRILL_STACK });
    const limitSeconds = alertThresholds(DRILL_SCHEDULE).limitMs / 1000;

    const rulesFile = await step(`Turn on the backup alerts (monitoring.format configmap) on an every-minute schedule; pulumi up deploys the rules`, (ctx) => {
        set("monitoring.enabled", "true");
        set("monitoring.format", "configmap");
        set("backup.schedule", DRILL_SCHEDULE);
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        const configMap = sh.getJson(["configmap", MONITORING_DEFAULTS.name, "-n", HOPSWORKS_NAMESPACE]);
        const deployed = configMap?.data?.[RULES_FILE_KEY];
        check(deployed, `no ConfigMap ${HOPSWORKS_NAMESPACE}/${MONITORING_DEFAULTS.name} with ${RULES_FILE_KEY}`);
        check(deployed === render(sh).alerts, "the deployed rules differ from the render's alerts.yaml");
        const schedules = sh.getJson(["schedules.velero.io", "-n", VELERO_NAMESPACE]).items.map((s: any) => `${s.metadata.name} ${s.spec.schedule}`);
        for (const name of Object.values(VELERO_SCHEDULES)) check(schedules.includes(`${name} ${DRILL_SCHEDULE}`), `no schedule ${name} ${DRILL_SCHEDULE}: ${schedules.join(", ")}`);
        const groups = (parse(deployed) as { groups: RuleGroup[] }).groups;
        ctx.detail(`ConfigMap ${HOPSWORKS_NAMESPACE}/${MONITORING_DEFAULTS.name}: ${groups.length} groups, ${groups.flatMap((g) => g.rules).length} rules, equal to the render's alerts.yaml`);
        return { text: deployed as string, groups };
    });

    await step("Scrape the real Velero: every Velero metric and label the rules select is there", async (ctx) => {
        // A backup of each schedule, so the last-success gauges exist (Velero sets them on a backup's completion).
        for (const schedule of Object.values(VELERO_SCHEDULES)) takeScheduledBackup(sh, schedule);
        const scrape = await (await fetch(`http://127.0.0.1:${PORTS.veleroMetrics}/metrics`)).text();
        const expected = seriesTheRulesSelect(rulesFile.groups, "velero_");
        const missing = missingSeries(expected, parseExposition(scrape));
        check(missing.length === 0, `Velero's metrics lack what the rules select:\n${missing.join("\n")}`);
        ctx.figure("seriesChecked", expected.length);
        ctx.detail(`${expected.length} series, all present: ${expected.map(selectorText).join(", ")}`);
    });

    await step("Start a real Prometheus on 127.0.0.1, scraping Velero and loading the deployed rules: every rule evaluates", async () => {
        const dir = path.join(sh.drill.run, "prometheus");
        mkdirSync(dir, { recursive: true });
        const rules = path.join(dir, "hopsworks-dr.rules.yaml");
        writeFileSync(rules, rulesFile.text);
        const config = {
            global: { scrape_interval: "1s", evaluation_interval: "1s" },
            rule_files: [rules],
            scrape_configs: [{ job_name: "velero", static_configs: [{ targets: [`127.0.0.1:${PORTS.veleroMetrics}`] }] }],
        };
        writeFileSync(path.join(dir, "prometheus.yml"), stringify(config));
        startProcess(sh.drill.run, "prometheus", "prometheus", [
            `--config.file=${path.join(dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(dir, "data")}`,
            `--web.listen-address=127.0.0.1:${PORTS.prometheus}`,
        ], { env: sh.env });
        recordStart(sh.drill.run, "prometheus");
        await waitFor("Prometheus to be ready", async () => ((await fetch(`${PROMETHEUS}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 60_000);
        await waitFor("Prometheus's first scrape of Velero", async () => {
            const up = await prometheus(`/api/v1/query?query=${encodeURIComponent('up{job="velero"}')}`);
            return up.result?.[0]?.value?.[1] === "1" ? true : undefined;
        }, 60_000);
        // Evaluations that began after that scrape, so no rule still sees an empty database.
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
        return `${evaluated.length} alert rules in ${groups.length} groups, all healthy; Velero scraped`;
    });

    await step("After a fresh backup of each schedule, no alert over Velero's metrics is pending or firing", async () => {
        const active = (await alertRules()).filter(({ group, rule }) => VELERO_PAGES.some((p) => groupName(p) === group) && rule.state !== "inactive");
        check(active.length === 0, `active: ${active.map(({ rule }) => `${rule.name} ${rule.state} ${JSON.stringify(rule.alerts.map((a) => a.labels))}`).join("; ")}`);
        const others = (await alertRules()).filter(({ rule }) => rule.state !== "inactive").map(({ rule }) => `${rule.name} ${rule.state}`);
        return `inactive: every rule of ${VELERO_PAGES.map(groupName).join(", ")}; active without kube-state-metrics (expected): ${others.join(", ") || "none"}`;
    });

    await step(`Pause ${VELERO_SCHEDULES.main}: HopsworksVeleroBackupOverdue fires for it once ${limitSeconds} s pass without a backup, not for the users schedule`, async (ctx) => {
        sh.velero(["schedule", "pause", VELERO_SCHEDULES.main]);
        const lastSuccessOf = async (schedule: string) => {
            const r = await prometheus(`/api/v1/query?query=${encodeURIComponent(`velero_backup_last_successful_timestamp{schedule="${schedule}"}`)}`);
            return Number(r.result[0].value[1]);
        };
        const firing = await waitFor(
            "the overdue alert to fire",
            async () => {
                const alert = await alertFor("HopsworksVeleroBackupOverdue", VELERO_SCHEDULES.main);
                return alert?.state === "firing" ? alert : undefined;
            },
            (limitSeconds + 120) * 1000,
            1_000,
        );
        const lastSuccess = await lastSuccessOf(VELERO_SCHEDULES.main);
        const firedAfter = Date.parse(firing.activeAt) / 1000 - lastSuccess;
        ctx.figure("firedSecondsAfterLastSuccess", Math.round(firedAfter * 10) / 10);
        check(firedAfter > limitSeconds, `fired ${firedAfter.toFixed(1)} s after the last success, before the ${limitSeconds} s threshold`);
        check(firedAfter < limitSeconds + 10, `fired ${firedAfter.toFixed(1)} s after the last success, ${(firedAfter - limitSeconds).toFixed(1)} s late`);
        const users = await alertFor("HopsworksVeleroBackupOverdue", VELERO_SCHEDULES.users);
        check(users === undefined, `the users schedule's alert is ${users?.state}, though it ran every minute`);
        const point = (await alertRules()).find(({ rule }) => rule.name === "HopsworksNoCompleteRestorePoint")?.rule;
        check(point?.state === "firing", `HopsworksNoCompleteRestorePoint is ${point?.state}: a restore point needs every schedule on time`);
        return `fired ${firedAfter.toFixed(1)} s after ${VELERO_SCHEDULES.main}'s last success (threshold ${limitSeconds} s); HopsworksNoCompleteRestorePoint firing too; the users schedule's alert inactive`;
    });

    await step(`Resume ${VELERO_SCHEDULES.main}: its next scheduled backup resolves the alert`, async (ctx) => {
        const t0 = Date.now();
        // Velero runs a resumed schedule's missed backup at once (named for that minute: no manual backup beside it).
        sh.velero(["schedule", "unpause", VELERO_SCHEDULES.main]);
        await waitFor("the overdue alert to resolve", async () => ((await alertFor("HopsworksVeleroBackupOverdue", VELERO_SCHEDULES.main)) === undefined ? true : undefined), 150_000, 1_000);
        ctx.figure("resolvedSecondsAfterResume", (Date.now() - t0) / 1000);
        return `HopsworksVeleroBackupOverdue inactive again ${((Date.now() - t0) / 1000).toFixed(1)} s after the schedule resumed`;
    });

    await step("Back to the drill stack's daily schedule without alerts; Prometheus stopped by its PID", () => {
        stopProcess(sh.drill.run, "prometheus");
        sh.pulumi(["config", "rm", "monitoring"], { stack: DRILL_STACK });
        set("backup.schedule", "@daily");
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        check(sh.getJson(["configmap", MONITORING_DEFAULTS.name, "-n", HOPSWORKS_NAMESPACE]) === undefined, "the rules ConfigMap is still there");
        return `Prometheus log: ${logFile(sh.drill.run, "prometheus")}`;
    });
}
