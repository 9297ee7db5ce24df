import assert from "assert/strict";
import { CronExpressionParser } from "cron-parser";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
    ALERT_PAGES,
    alertRuleGroups,
    AlertsInput,
    alertThresholds,
    groupName,
    planAlerts,
    promDuration,
    rulesFileText,
} from "../../../stacks/plan/alerts";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { MONITORING_DEFAULTS } from "../../../stacks/config/monitoring";
import { scheduleCron, scheduleLongestIntervalMs } from "../../../stacks/catalogue/schedule";
import { minioConfig, PROJECT_DIR, source } from "../../support/stacks";
import { backupHealth, overdueLimit, scheduleIntervalMs } from "../../../stacks/catalogue/health";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const INPUT: AlertsInput = {
    schedule: "@weekly",
    hopsworksNamespace: "hopsworks",
    rondbBackupCronJob: "create-rondb-backup",
    opensearchBackupCronJob: "create-opensearch-backup",
    runbookBaseUrl: "https://github.com/acme/hopsworks-dr/blob/main/docs/runbooks/alerts",
};

const rulesOf = (input: AlertsInput) => alertRuleGroups(input).flatMap((g) => g.rules);
const exprOf = (input: AlertsInput, alert: string, marker = "") => {
    const found = rulesOf(input).filter((r) => r.alert === alert && r.expr.includes(marker));
    assert.equal(found.length, 1, `${alert} ${marker}`);
    return found[0];
};

/** The longest gap between consecutive runs, by walking cron-parser's runs (slow, for a check). */
function walkedLongestMs(schedule: string, from: Date, to: Date): number {
    const runs = CronExpressionParser.parse(scheduleCron(schedule), { tz: "UTC", currentDate: from });
    let previous = runs.next().getTime();
    let longest = 0;
    for (let next = runs.next().getTime(); next <= to.getTime(); next = runs.next().getTime()) {
        longest = Math.max(longest, next - previous);
        previous = next;
    }
    return longest;
}

describe("alerts: thresholds", () => {
    it("gives a schedule with equal gaps the interval backups status computes at any time", () => {
        const now = new Date("2026-03-04T05:06:07Z");
        for (const schedule of ["@hourly", "@daily", "@midnight", "@weekly", "0 3 * * 0", "*/15 * * * *", "30 2 * * *"]) {
            assert.equal(scheduleLongestIntervalMs(schedule), scheduleIntervalMs(schedule, now), schedule);
        }
    });

    it("gives a schedule with unequal gaps its longest one, wherever in the calendar", () => {
        assert.equal(scheduleLongestIntervalMs("@monthly"), 31 * DAY);
        assert.equal(scheduleLongestIntervalMs("@yearly"), 366 * DAY);
        assert.equal(scheduleLongestIntervalMs("0 3 * * 1,4"), 4 * DAY);
        assert.equal(scheduleLongestIntervalMs("0 0 1,15 * *"), 17 * DAY);
        assert.equal(scheduleLongestIntervalMs("*/15 2-4 * * *"), 21 * HOUR + 15 * 60_000);
        assert.equal(scheduleLongestIntervalMs("0 0 29 2 *"), (4 * 365 + 1) * DAY);
        for (const schedule of ["@monthly", "0 3 * * 1,4", "0 */6 * * 1-5", "30 1 * 2 *", "0 3 13 * 5"]) {
            assert.equal(scheduleLongestIntervalMs(schedule), walkedLongestMs(schedule, new Date("2023-01-01Z"), new Date("2030-01-01Z")), schedule);
        }
    });

    it("is the overdue rule of backups status: interval plus a grace of 1h, at most the interval", () => {
        assert.deepEqual(overdueLimit(7 * DAY), { intervalMs: 7 * DAY, graceMs: HOUR, limitMs: 7 * DAY + HOUR });
        assert.deepEqual(overdueLimit(30 * 60_000), { intervalMs: 30 * 60_000, graceMs: 30 * 60_000, limitMs: HOUR });
        const now = new Date("2026-01-07T12:00:00Z");
        for (const schedule of ["@hourly", "@daily", "@weekly"]) {
            const status = backupHealth({ now, schedule, entries: [], veleroBackups: [], points: [] });
            const alerts = alertThresholds(schedule);
            assert.equal(alerts.limitMs, status.intervalMs + status.graceMs, schedule);
        }
    });

    it("gives an hourly and a weekly schedule different thresholds, in seconds in the expression", () => {
        assert.match(exprOf({ ...INPUT, schedule: "@hourly" }, "HopsworksVeleroBackupOverdue", "k8s-backups-main").expr, / > 7200$/);
        assert.match(exprOf(INPUT, "HopsworksVeleroBackupOverdue", "k8s-backups-main").expr, / > 608400$/);
    });

    it("takes the recovery-point objective from the config, else the interval plus grace", () => {
        assert.match(exprOf(INPUT, "HopsworksNoCompleteRestorePoint").expr, /\) > 608400$/);
        const rpo = exprOf({ ...INPUT, schedule: "@daily", recoveryPointObjectiveSeconds: 26 * 3600 }, "HopsworksNoCompleteRestorePoint");
        assert.match(rpo.expr, /\) > 93600$/);
        assert.match(rpo.annotations.description, /more than the recovery-point objective 1d 2h \(monitoring\.recoveryPointObjective\)/);
        assert.equal(exprOf({ ...INPUT, recoveryPointObjectiveSeconds: 8 * 86_400 }, "HopsworksRestorePointIncomplete").for, "8d");
    });

    it("writes Prometheus durations", () => {
        assert.equal(promDuration(7 * DAY + HOUR), "7d1h");
        assert.equal(promDuration(26 * HOUR), "1d2h");
        assert.equal(promDuration(5 * 60_000), "5m");
        assert.equal(promDuration(90_061_000), "1d1h1m1s");
        assert.equal(promDuration(0), "0s");
    });
});

describe("alerts: rule groups", () => {
    const groups = alertRuleGroups(INPUT);
    const rules = groups.flatMap((g) => g.rules);

    it("has one group per runbook page, in order", () => {
        assert.deepEqual(groups.map((g) => g.name), ALERT_PAGES.map(groupName));
        assert.deepEqual(groups.map((g) => g.name), [
            "hopsworks-dr-velero-backups",
            "hopsworks-dr-backup-location",
            "hopsworks-dr-velero-restores",
            "hopsworks-dr-backup-jobs",
            "hopsworks-dr-restore-point",
        ]);
    });

    it("gives every rule a severity, a summary, a description and the runbook section of its alert", () => {
        groups.forEach((group, i) => {
            for (const rule of group.rules) {
                assert.ok(["critical", "warning"].includes(rule.labels.severity), rule.alert);
                assert.ok(rule.annotations.summary.length > 10 && rule.annotations.description.length > 40, rule.alert);
                assert.equal(rule.annotations.runbook_url, `${INPUT.runbookBaseUrl}/${ALERT_PAGES[i]}.md#${rule.alert.toLowerCase()}`);
            }
        });
    });

    it("never gives two rules the same name and labels (promtool's duplicate-rule lint)", () => {
        const keys = rules.map((r) => `${r.alert} ${JSON.stringify(r.labels)}`);
        assert.equal(new Set(keys).size, keys.length);
    });

    it("declares the expected alerts", () => {
        assert.deepEqual([...new Set(rules.map((r) => r.alert))], [
            "HopsworksVeleroBackupOverdue",
            "HopsworksVeleroBackupNeverSucceeded",
            "HopsworksVeleroBackupFailed",
            "HopsworksVeleroBackupPartiallyFailed",
            "HopsworksBackupLocationUnavailable",
            "HopsworksBackupLocationUnreported",
            "HopsworksVeleroRestoreFailed",
            "HopsworksVeleroRestoreFailedValidation",
            "HopsworksVeleroRestorePartiallyFailed",
            "HopsworksRonDBBackupOverdue",
            "HopsworksRonDBBackupNeverSucceeded",
            "HopsworksRonDBBackupJobFailed",
            "HopsworksBackupCronJobMissing",
            "HopsworksOpenSearchBackupOverdue",
            "HopsworksOpenSearchBackupNeverSucceeded",
            "HopsworksOpenSearchBackupJobFailed",
            "HopsworksNoCompleteRestorePoint",
            "HopsworksRestorePointIncomplete",
        ]);
    });

    it("watches each Velero schedule with its own rules, naming the schedule and the threshold in words", () => {
        for (const schedule of ["k8s-backups-main", "k8s-backups-users-resources"]) {
            const overdue = exprOf(INPUT, "HopsworksVeleroBackupOverdue", schedule);
            assert.equal(overdue.expr, `time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule="${schedule}"}) > 608400`);
            assert.match(overdue.annotations.description, new RegExp(`Velero schedule ${schedule} .* overdue after 7d 1h: the longest interval of the backup schedule @weekly \\(7d\\) plus 1h grace`));
            assert.equal(
                exprOf(INPUT, "HopsworksVeleroBackupFailed", schedule).expr,
                `sum by (schedule) (increase(velero_backup_failure_total{schedule="${schedule}"}[7d1h])) > 0`,
            );
            assert.equal(
                exprOf(INPUT, "HopsworksVeleroBackupPartiallyFailed", schedule).expr,
                `sum by (schedule) (increase(velero_backup_partial_failure_total{schedule="${schedule}"}[7d1h])) > 0`,
            );
            const never = exprOf(INPUT, "HopsworksVeleroBackupNeverSucceeded", schedule);
            assert.equal(never.expr, `absent(velero_backup_last_successful_timestamp{schedule="${schedule}"})`);
            assert.equal(never.for, "7d1h");
        }
    });

    it("reports the location Unavailable after 5m, Velero's validation every minute being one transient error", () => {
        const unavailable = exprOf(INPUT, "HopsworksBackupLocationUnavailable");
        assert.equal(unavailable.expr, `max by (backup_location_name) (velero_backup_location_status_gauge{backup_location_name="hopsworks-bsl"}) == 0`);
        assert.equal(unavailable.for, "5m");
        assert.match(unavailable.annotations.description, /validates a location every minute/);
    });

    it("reports failed restores, counting a series born with a failure", () => {
        const failed = exprOf(INPUT, "HopsworksVeleroRestoreFailed").expr;
        assert.match(failed, /^sum by \(schedule\) \(increase\(velero_restore_failed_total\[24h\]\)\) > 0\nor\n/);
        assert.match(failed, /velero_restore_failed_total unless velero_restore_failed_total offset 24h/);
        assert.match(exprOf(INPUT, "HopsworksVeleroRestorePartiallyFailed").expr, /velero_restore_partial_failure_total/);
        assert.match(exprOf(INPUT, "HopsworksVeleroRestoreFailedValidation").expr, /velero_restore_validation_failed_total/);
    });

    it("watches the RonDB and OpenSearch CronJobs by the configured names, in the Hopsworks namespace", () => {
        const input = { ...INPUT, hopsworksNamespace: "hw", rondbBackupCronJob: "rondb-nightly", opensearchBackupCronJob: "os-nightly" };
        assert.equal(
            exprOf(input, "HopsworksRonDBBackupOverdue").expr,
            `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{namespace="hw", cronjob="rondb-nightly"}) > 608400`,
        );
        const failed = exprOf(input, "HopsworksOpenSearchBackupJobFailed").expr;
        assert.match(failed, /^max by \(namespace, job_name\) \(kube_job_status_failed\{namespace="hw", job_name=~"os-nightly-\[0-9\]\+"\}\) > 0\n/);
        assert.match(failed, /kube_cronjob_status_last_successful_time\{namespace="hw", cronjob="os-nightly"\}/);
        assert.match(exprOf(input, "HopsworksRonDBBackupNeverSucceeded").expr, /kube_cronjob_created\{namespace="hw", cronjob="rondb-nightly"\}/);
        assert.match(
            exprOf(input, "HopsworksNoCompleteRestorePoint").expr,
            /velero_backup_last_successful_timestamp\{schedule=~"k8s-backups-main\|k8s-backups-users-resources"\}\)\n {2}or\n {2}max by \(cronjob\) \(kube_cronjob_status_last_successful_time\{namespace="hw", cronjob=~"rondb-nightly\|os-nightly"\}\)/,
        );
        const missing = rulesOf(input).filter((r) => r.alert === "HopsworksBackupCronJobMissing");
        assert.deepEqual(missing.map((r) => r.labels.cronjob), ["rondb-nightly", "os-nightly"]);
        assert.match(missing[1].annotations.description, /set hopsworks-dr:monitoring\.opensearchBackupCronJob/);
    });

    it("round-trips through the rules file", () => {
        assert.deepEqual(parse(rulesFileText(groups)), { groups });
    });
});

describe("alerts: runbooks", () => {
    const dir = path.join(PROJECT_DIR, "docs", "runbooks", "alerts");
    const anchors = (markdown: string) => [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim().toLowerCase());

    it("has a page for each group, with a section for each of its alerts, and the section says how to check with backups status", () => {
        alertRuleGroups(INPUT).forEach((group, i) => {
            const page = fs.readFileSync(path.join(dir, `${ALERT_PAGES[i]}.md`), "utf8");
            for (const rule of group.rules) {
                const anchor = rule.annotations.runbook_url.split("#")[1];
                assert.ok(anchors(page).includes(anchor), `${ALERT_PAGES[i]}.md has no section ## ${rule.alert}`);
            }
            assert.match(page, /(hopsworks-dr|node cli\/bin\.js) backups status/, ALERT_PAGES[i]);
            for (const heading of ["What it means", "Check", "Fix"]) assert.match(page, new RegExp(`\\*\\*${heading}`), `${ALERT_PAGES[i]}: ${heading}`);
        });
    });

    it("lists every page in the index, and the runbook index links it", () => {
        const index = fs.readFileSync(path.join(dir, "README.md"), "utf8");
        for (const page of ALERT_PAGES) assert.ok(index.includes(`](${page}.md)`), page);
        assert.ok(fs.readFileSync(path.join(PROJECT_DIR, "docs", "runbooks", "README.md"), "utf8").includes("](alerts/README.md)"));
    });
});

describe("alerts: the plan", () => {
    const config = (monitoring: Record<string, unknown>) => {
        const c = minioConfig();
        c.monitoring = monitoring;
        return readStackConfig(source(c));
    };

    it("declares nothing unless monitoring.enabled", () => {
        assert.deepEqual(planAlerts(config({})), { warnings: [] });
        assert.deepEqual(planAlerts(config({ enabled: false, format: "configmap" })), { warnings: [] });
    });

    it("declares a PrometheusRule in the Hopsworks namespace by default, with the rule labels", () => {
        const { plan, warnings } = planAlerts(config({ enabled: true, ruleLabels: { release: "kube-prometheus-stack" } }));
        assert.ok(plan);
        assert.deepEqual(plan.manifest, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "hopsworks-dr-alerts", namespace: "hopsworks", labels: { release: "kube-prometheus-stack" } },
            spec: { groups: plan.groups },
        });
        assert.equal(plan.rulesFile, rulesFileText(plan.groups));
        assert.match(plan.groups[0].rules[0].annotations.runbook_url, new RegExp(`^${MONITORING_DEFAULTS.runbookBaseUrl}/velero-backups\\.md#`));
        assert.equal(warnings.length, 2);
        assert.match(warnings[0], /^hopsworks-dr:monitoring\.runbookBaseUrl is not set: the alerts' runbook_url links point at the placeholder https:\/\/github\.com\/YOUR-ORG\//);
        assert.match(warnings[1], /^hopsworks-dr:monitoring\.opensearchBackupCronJob is the default "create-opensearch-backup", which is not verified/);
    });

    it("declares a ConfigMap holding the rules file with format configmap, and no label block without labels", () => {
        const { plan, warnings } = planAlerts(
            config({
                enabled: true,
                format: "configmap",
                namespace: "monitoring",
                configMapName: "hopsworks-rules",
                opensearchBackupCronJob: "opensearch-backup",
                runbookBaseUrl: "https://git.example.com/dr/runbooks",
            }),
        );
        assert.ok(plan);
        assert.deepEqual(plan.manifest, {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "hopsworks-rules", namespace: "monitoring" },
            data: { "hopsworks-dr.rules.yaml": plan.rulesFile },
        });
        assert.deepEqual(parse(plan.rulesFile).groups, plan.groups);
        assert.deepEqual(warnings, []);
    });
});

describe("alerts: Superset's backup CronJob (Hopsworks 5.2)", () => {
    const withSuperset: AlertsInput = { ...INPUT, supersetBackupCronJob: "create-superset-backup" };

    it("watches create-superset-backup as RonDB's and OpenSearch's, and leaves it out of the restore-point rules", () => {
        const names = rulesOf(withSuperset).map((r) => r.alert);
        for (const alert of ["HopsworksSupersetBackupOverdue", "HopsworksSupersetBackupNeverSucceeded", "HopsworksSupersetBackupJobFailed"]) assert.ok(names.includes(alert), alert);
        assert.equal(exprOf(withSuperset, "HopsworksSupersetBackupOverdue").expr,
            'time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{namespace="hopsworks", cronjob="create-superset-backup"}) > 608400');
        const missing = exprOf(withSuperset, "HopsworksBackupCronJobMissing", "create-superset-backup");
        assert.equal(missing.labels.cronjob, "create-superset-backup");
        assert.match(missing.annotations.description, /set hopsworks-dr:monitoring.supersetBackupCronJob/);
        // The restore point is RonDB, OpenSearch and both Velero schedules: points before Superset backups have none.
        assert.ok(!exprOf(withSuperset, "HopsworksRestorePointIncomplete").expr.includes("superset"));
        assert.deepEqual(exprOf(withSuperset, "HopsworksNoCompleteRestorePoint"), exprOf(INPUT, "HopsworksNoCompleteRestorePoint"));
        assert.ok(!rulesOf(INPUT).some((r) => r.alert.includes("Superset")));
    });

    it("is declared for a stack on Hopsworks 5.2 or later, and monitoring.supersetBackupCronJob is refused before", () => {
        const c = minioConfig();
        c.hopsworks = { ...c.hopsworks, chartVersion: "5.2.0", version: "5.2.0" };
        c.monitoring = { enabled: true, supersetBackupCronJob: "superset-dump" };
        const plan = planAlerts(readStackConfig(source(c)));
        assert.ok(plan.plan!.groups.flatMap((g) => g.rules).some((r) => r.alert === "HopsworksSupersetBackupOverdue" && r.expr.includes('cronjob="superset-dump"')));
        const old = minioConfig();
        old.monitoring = { enabled: true, supersetBackupCronJob: "superset-dump" };
        assert.throws(() => readStackConfig(source(old)), /hopsworks-dr:monitoring.supersetBackupCronJob applies only to Hopsworks 5.2.0 or newer \(Superset's backups\), but hopsworks.version is "4.8.0"/);
    });

    it("has a runbook section for each Superset alert", () => {
        const page = fs.readFileSync(path.join(PROJECT_DIR, "docs/runbooks/alerts/backup-jobs.md"), "utf8");
        for (const rule of rulesOf(withSuperset).filter((r) => r.alert.includes("Superset"))) {
            assert.ok(page.includes(`\n## ${rule.alert}\n`), rule.alert);
            assert.ok(rule.annotations.runbook_url.endsWith(`backup-jobs.md#${rule.alert.toLowerCase()}`));
        }
    });
});
