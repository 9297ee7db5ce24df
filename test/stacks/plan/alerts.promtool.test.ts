/**
 * The generated alert rules run by Prometheus's own rule engine: `promtool check rules` and
 * `promtool test rules` over synthetic series, for a daily and a weekly schedule. promtool is the
 * one the drill builds (drill/tools/build.sh promtool, into the drill cache); without it the
 * suite is skipped and says why. One promtool run per rule file, whatever the number of cases.
 */
import assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { DRILL_CACHE } from "../../../drill/tools";
import versions from "../../../drill/versions.json";
import { AlertRule, alertRuleGroups, alertThresholds, AlertsInput, rulesFileText, RuleGroup } from "../../../stacks/plan/alerts";
import { VELERO_SCHEDULES } from "../../../stacks/names";

const PROMTOOL = path.join(DRILL_CACHE, "bin", `promtool-${versions.prometheus}`, "promtool");

const NS = "hopsworks";
const RONDB = "create-rondb-backup";
const OPENSEARCH = "create-opensearch-backup";
const MAIN = VELERO_SCHEDULES.main;
const USERS = VELERO_SCHEDULES.users;

type Labels = Record<string, string>;

/** Prometheus's humanizeDuration (template_funcs), for the values these cases produce. */
function humanizeDuration(seconds: number): string {
    if (seconds === 0) return "0s";
    const d = Math.floor(seconds / 86_400);
    const h = Math.floor(seconds / 3_600) % 24;
    const m = Math.floor(seconds / 60) % 60;
    const s = Math.floor(seconds) % 60;
    if (d !== 0) return `${d}d ${h}h ${m}m ${s}s`;
    if (h !== 0) return `${h}h ${m}m ${s}s`;
    if (m !== 0) return `${m}m ${s}s`;
    return `${seconds}s`;
}

/** A rule's annotations as Prometheus expands them for an alert with these labels and value. */
function expanded(rule: AlertRule, labels: Labels, value: number): Labels {
    const expand = (text: string) =>
        text
            .replace(/\{\{ \$value \| humanizeDuration \}\}/g, humanizeDuration(value))
            .replace(/\{\{ \$value \}\}/g, String(value))
            .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? "");
    return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v)]));
}

/** The rule named `alert` whose expression contains every marker (rules of one alert differ in their expression). */
function ruleOf(groups: RuleGroup[], alert: string, ...markers: string[]): AlertRule {
    const found = groups.flatMap((g) => g.rules).filter((r) => r.alert === alert && markers.every((m) => r.expr.includes(m)));
    assert.equal(found.length, 1, `one rule ${alert} with ${markers.join(", ")}`);
    return found[0];
}

interface Series {
    series: string;
    values: string;
}

const selector = (metric: string, labels: Labels) =>
    `${metric}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}}`;

/**
 * Every series the rules read, in a healthy state, sampled every minute from 0 to `minutes`: the
 * four services last succeeded at `lastSuccess` (seconds), counters flat at 0, the location
 * Available, both CronJobs created at 0 with one successful job each. `change` replaces series.
 */
function series(minutes: number, lastSuccess: Partial<Record<"main" | "users" | "rondb" | "opensearch", number | null>> = {}, change: Series[] = []): Series[] {
    const constant = (value: number) => `${value}x${minutes}`;
    const success = (key: "main" | "users" | "rondb" | "opensearch") => (lastSuccess[key] === undefined ? 60 : lastSuccess[key]);
    const all: Series[] = [];
    for (const [key, schedule] of [["main", MAIN], ["users", USERS]] as const) {
        const last = success(key);
        if (last !== null) all.push({ series: selector("velero_backup_last_successful_timestamp", { schedule }), values: constant(last) });
        all.push({ series: selector("velero_backup_failure_total", { schedule }), values: constant(0) });
        all.push({ series: selector("velero_backup_partial_failure_total", { schedule }), values: constant(0) });
    }
    all.push({ series: selector("velero_backup_location_status_gauge", { backup_location_name: "hopsworks-bsl" }), values: constant(1) });
    for (const metric of ["velero_restore_failed_total", "velero_restore_validation_failed_total", "velero_restore_partial_failure_total"]) {
        all.push({ series: selector(metric, { schedule: "" }), values: constant(0) });
    }
    for (const [key, cronjob] of [["rondb", RONDB], ["opensearch", OPENSEARCH]] as const) {
        const last = success(key);
        all.push({ series: selector("kube_cronjob_created", { namespace: NS, cronjob }), values: constant(0) });
        if (last !== null) all.push({ series: selector("kube_cronjob_status_last_successful_time", { namespace: NS, cronjob }), values: constant(last) });
        all.push({ series: selector("kube_job_status_failed", { namespace: NS, job_name: `${cronjob}-29000000`, reason: "BackoffLimitExceeded" }), values: constant(0) });
        all.push({ series: selector("kube_job_status_start_time", { namespace: NS, job_name: `${cronjob}-29000000` }), values: constant(0) });
    }
    const replaced = new Set(change.map((c) => c.series));
    return [...all.filter((s) => !replaced.has(s.series)), ...change];
}

interface AlertCase {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Labels; exp_annotations: Labels }[];
}

/** An alert firing with `labels` (severity added from the rule) and `value`, as promtool expects it. */
function firing(rule: AlertRule, labels: Labels, value: number): AlertCase["exp_alerts"][number] {
    return { exp_labels: { ...labels, severity: rule.labels.severity }, exp_annotations: expanded(rule, labels, value) };
}

/** One test group: `cases` at their times, and no alert of the other `quiet` names at those times. */
function group(name: string, input_series: Series[], cases: AlertCase[], quiet: { eval_time: string; alertnames: string[] }[] = []) {
    return {
        name,
        interval: "1m",
        input_series,
        alert_rule_test: [
            ...cases,
            ...quiet.flatMap((q) => q.alertnames.map((alertname) => ({ eval_time: q.eval_time, alertname, exp_alerts: [] }))),
        ],
    };
}

const allAlertNames = (groups: RuleGroup[]) => [...new Set(groups.flatMap((g) => g.rules.map((r) => r.alert)))];

const HOUR = 3600;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The cases for one schedule, as two test files for one promtool run: spans of minutes evaluated
 * every minute (a fresh backup, failures, the location's `for`), and spans up to the thresholds
 * evaluated every `step`, the largest whole number of hours both thresholds are multiples of
 * (1h for 25h and 26h, 169h for a weekly 169h and 169h), so a weekly schedule costs a few
 * evaluations, not 10,000. The boundary is tested at E = threshold + step: a success at
 * step - 1 s is one second past the threshold at E (it fires), one at step + 1 s one second short (it does not).
 */
function testFiles(ruleFile: string, input: AlertsInput): { short: Record<string, unknown>; long: Record<string, unknown> } {
    const groups = alertRuleGroups(input);
    const t = alertThresholds(input.schedule, input.recoveryPointObjectiveSeconds);
    const limit = t.limitMs / 1000;
    const rpo = t.rpoMs / 1000;
    assert.ok(limit % HOUR === 0 && rpo % HOUR === 0, "the long cases need thresholds of whole hours");
    const step = gcd(limit, rpo);
    const hours = (seconds: number) => `${seconds / HOUR}h`;
    const names = allAlertNames(groups);
    const rule = (alert: string, ...markers: string[]) => ruleOf(groups, alert, ...markers);
    const hourly = (g: ReturnType<typeof group>) => ({ ...g, interval: hours(step) });

    const fresh = group("a fresh backup of every service fires nothing", series(10), [], [{ eval_time: "10m", alertnames: names }]);

    // In steps: E is one step past the threshold.
    const e = limit / step + 1;
    const past = step - 1;
    const short = step + 1;
    const boundary = hourly(
        group(
            `a success ${humanizeDuration(limit + 1)} ago fires, one ${humanizeDuration(limit - 1)} ago does not`,
            series(e, { main: past, users: short, rondb: past, opensearch: short }),
            [
                {
                    eval_time: hours(e * step),
                    alertname: "HopsworksVeleroBackupOverdue",
                    exp_alerts: [firing(rule("HopsworksVeleroBackupOverdue", MAIN), { schedule: MAIN }, limit + 1)],
                },
                {
                    eval_time: hours(e * step),
                    alertname: "HopsworksRonDBBackupOverdue",
                    exp_alerts: [firing(rule("HopsworksRonDBBackupOverdue"), { namespace: NS, cronjob: RONDB }, limit + 1)],
                },
                {
                    eval_time: hours(e * step),
                    alertname: "HopsworksNoCompleteRestorePoint",
                    exp_alerts: limit === rpo ? [firing(rule("HopsworksNoCompleteRestorePoint"), {}, limit + 1)] : [],
                },
            ],
            [
                {
                    eval_time: hours(e * step),
                    alertnames: ["HopsworksOpenSearchBackupOverdue", "HopsworksBackupCronJobMissing", "HopsworksVeleroBackupNeverSucceeded", "HopsworksRestorePointIncomplete"],
                },
                // The step before, the older success was still step - 1 s short of the threshold.
                { eval_time: hours((e - 1) * step), alertnames: ["HopsworksVeleroBackupOverdue", "HopsworksRonDBBackupOverdue", "HopsworksNoCompleteRestorePoint"] },
            ],
        ),
    );

    const r = rpo / step + 1;
    const objective = hourly(
        group(
            `no complete restore point: the oldest of the newest successes ${humanizeDuration(rpo + 1)} ago fires`,
            series(r, { main: past, users: short, rondb: short, opensearch: short }),
            [{ eval_time: hours(r * step), alertname: "HopsworksNoCompleteRestorePoint", exp_alerts: [firing(rule("HopsworksNoCompleteRestorePoint"), {}, rpo + 1)] }],
        ),
    );
    const objectiveMet = hourly(
        group(
            `a complete restore point: the oldest of the newest successes ${humanizeDuration(rpo - 1)} ago does not fire`,
            series(r, { main: short, users: short, rondb: short, opensearch: short }),
            [],
            [{ eval_time: hours(r * step), alertnames: ["HopsworksNoCompleteRestorePoint"] }],
        ),
    );

    const never = hourly(
        group(
            `a schedule with no success at all fires after ${humanizeDuration(limit)}`,
            series(e, { main: null }),
            [
                {
                    eval_time: hours(limit),
                    alertname: "HopsworksVeleroBackupNeverSucceeded",
                    exp_alerts: [firing(rule("HopsworksVeleroBackupNeverSucceeded", MAIN), { schedule: MAIN }, 1)],
                },
                {
                    eval_time: hours(rpo),
                    alertname: "HopsworksRestorePointIncomplete",
                    exp_alerts: [firing(rule("HopsworksRestorePointIncomplete"), {}, 3)],
                },
            ],
            [{ eval_time: hours(limit - step), alertnames: ["HopsworksVeleroBackupNeverSucceeded", "HopsworksRestorePointIncomplete"] }],
        ),
    );

    const failures = group(
        "failure counters that rise fire; an old failed job before a success does not",
        series(10, {}, [
            { series: selector("velero_backup_failure_total", { schedule: MAIN }), values: "0 0 0 1x7" },
            { series: selector("velero_backup_partial_failure_total", { schedule: USERS }), values: "0 0 0 0 2x6" },
            // A restore in a new cluster, before Velero knew the schedule: the series starts at 1.
            { series: selector("velero_restore_failed_total", { schedule: MAIN }), values: "_x4 1x5" },
            { series: selector("velero_restore_partial_failure_total", { schedule: "" }), values: "0 0 1x8" },
            // RonDB: a run started at 300 s, after the last success (60 s), failed.
            { series: selector("kube_job_status_failed", { namespace: NS, job_name: `${RONDB}-29000005`, reason: "BackoffLimitExceeded" }), values: "_x5 1x4" },
            { series: selector("kube_job_status_start_time", { namespace: NS, job_name: `${RONDB}-29000005` }), values: "_x5 300x4" },
            // OpenSearch: a run that failed at 0 s, before the last success: no alert.
            { series: selector("kube_job_status_failed", { namespace: NS, job_name: `${OPENSEARCH}-29000000`, reason: "BackoffLimitExceeded" }), values: "1x10" },
        ]),
        [
            { eval_time: "9m", alertname: "HopsworksVeleroBackupFailed", exp_alerts: [firing(rule("HopsworksVeleroBackupFailed", MAIN), { schedule: MAIN }, 0)] },
            {
                eval_time: "9m",
                alertname: "HopsworksVeleroBackupPartiallyFailed",
                exp_alerts: [firing(rule("HopsworksVeleroBackupPartiallyFailed", USERS), { schedule: USERS }, 0)],
            },
            { eval_time: "9m", alertname: "HopsworksVeleroRestoreFailed", exp_alerts: [firing(rule("HopsworksVeleroRestoreFailed"), { schedule: MAIN }, 1)] },
            {
                eval_time: "9m",
                alertname: "HopsworksVeleroRestorePartiallyFailed",
                // Prometheus drops a label with an empty value: sum by (schedule) of schedule="" has none.
                exp_alerts: [firing(rule("HopsworksVeleroRestorePartiallyFailed"), {}, 0)],
            },
            {
                eval_time: "9m",
                alertname: "HopsworksRonDBBackupJobFailed",
                exp_alerts: [firing(rule("HopsworksRonDBBackupJobFailed"), { namespace: NS, job_name: `${RONDB}-29000005` }, 1)],
            },
        ],
        [
            { eval_time: "9m", alertnames: ["HopsworksOpenSearchBackupJobFailed", "HopsworksVeleroRestoreFailedValidation"] },
            { eval_time: "2m", alertnames: ["HopsworksVeleroBackupFailed", "HopsworksVeleroRestoreFailed", "HopsworksRonDBBackupJobFailed"] },
        ],
    );

    const location = group(
        "the location gauge at 0 fires once it has been 0 for 5m",
        series(10, {}, [{ series: selector("velero_backup_location_status_gauge", { backup_location_name: "hopsworks-bsl" }), values: "1 1 0x8" }]),
        [
            {
                eval_time: "7m",
                alertname: "HopsworksBackupLocationUnavailable",
                exp_alerts: [firing(rule("HopsworksBackupLocationUnavailable"), { backup_location_name: "hopsworks-bsl" }, 0)],
            },
        ],
        [{ eval_time: "6m", alertnames: ["HopsworksBackupLocationUnavailable", "HopsworksBackupLocationUnreported"] }],
    );

    // promtool passes a case for an alert name no rule has: every name here must be a rule's.
    const all = [fresh, failures, location, boundary, objective, objectiveMet, never];
    const unknown = all.flatMap((g) => g.alert_rule_test.map((c) => c.alertname)).filter((n) => !names.includes(n));
    assert.deepEqual(unknown, [], "alert names the rules do not have");
    return {
        short: { rule_files: [ruleFile], evaluation_interval: "1m", tests: [fresh, failures, location] },
        long: { rule_files: [ruleFile], evaluation_interval: hours(step), tests: [boundary, objective, objectiveMet, never] },
    };
}

const SCHEDULES: { title: string; file: string; input: AlertsInput }[] = [
    {
        title: "a daily schedule, with a recovery-point objective of 26h",
        file: "daily",
        input: { schedule: "@daily", hopsworksNamespace: NS, rondbBackupCronJob: RONDB, opensearchBackupCronJob: OPENSEARCH, recoveryPointObjectiveSeconds: 26 * 3600, runbookBaseUrl: "https://example.com/runbooks" },
    },
    {
        title: "a weekly schedule, objective by default",
        file: "weekly",
        input: { schedule: "0 3 * * 0", hopsworksNamespace: NS, rondbBackupCronJob: RONDB, opensearchBackupCronJob: OPENSEARCH, runbookBaseUrl: "https://example.com/runbooks" },
    },
];

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
    const run = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 60_000 });
    return { status: run.status, output: `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}` };
}

describe("alert rules under promtool", function () {
    this.timeout(120_000);
    let dir: string;

    before(function () {
        if (!fs.existsSync(PROMTOOL)) {
            console.log(`skipping the promtool tests: ${PROMTOOL} not found (build it with drill/tools/build.sh promtool)`);
            this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-promtool-"));
        for (const s of SCHEDULES) {
            fs.writeFileSync(path.join(dir, `${s.file}.rules.yaml`), rulesFileText(alertRuleGroups(s.input)));
            const files = testFiles(`${s.file}.rules.yaml`, s.input);
            fs.writeFileSync(path.join(dir, `${s.file}.short.test.yaml`), stringify(files.short, { lineWidth: 0 }));
            fs.writeFileSync(path.join(dir, `${s.file}.long.test.yaml`), stringify(files.long, { lineWidth: 0 }));
        }
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("passes promtool check rules", function () {
        const run = promtool(["check", "rules", ...SCHEDULES.map((s) => `${s.file}.rules.yaml`)], dir);
        assert.equal(run.status, 0, run.output);
        assert.match(run.output, /SUCCESS/);
    });

    for (const s of SCHEDULES) {
        it(`passes promtool test rules for ${s.title}`, function () {
            const run = promtool(["test", "rules", `${s.file}.short.test.yaml`, `${s.file}.long.test.yaml`], dir);
            assert.equal(run.status, 0, run.output);
        });
    }

    it("fails the same cases for a threshold one second too high (the cases can tell)", function () {
        const daily = SCHEDULES[0];
        const limit = alertThresholds(daily.input.schedule).limitMs / 1000;
        const shifted = rulesFileText(alertRuleGroups(daily.input)).replaceAll(`> ${limit}`, `> ${limit + 1}`);
        assert.notEqual(shifted, rulesFileText(alertRuleGroups(daily.input)));
        fs.writeFileSync(path.join(dir, "shifted.rules.yaml"), shifted);
        const files = testFiles("shifted.rules.yaml", daily.input);
        fs.writeFileSync(path.join(dir, "shifted.long.test.yaml"), stringify(files.long, { lineWidth: 0 }));
        const run = promtool(["test", "rules", "shifted.long.test.yaml"], dir);
        assert.notEqual(run.status, 0, run.output);
        assert.match(run.output, /HopsworksVeleroBackupOverdue/);
        assert.match(run.output, /HopsworksRonDBBackupOverdue/);
    });

    it("gives the daily and the weekly schedule the thresholds of backups status", function () {
        const [daily, weekly] = SCHEDULES.map((s) => alertThresholds(s.input.schedule, s.input.recoveryPointObjectiveSeconds));
        assert.equal(daily.limitMs, 25 * 3_600_000);
        assert.equal(weekly.limitMs, 169 * 3_600_000);
        assert.equal(daily.rpoMs, 26 * 3_600_000);
        assert.equal(weekly.rpoMs, weekly.limitMs);
    });
});
