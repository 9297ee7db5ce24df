import { strict as assert } from "assert";
import { missingSeries, parseExposition, selectorText, seriesTheRulesSelect } from "../../drill/metrics";
import { alertRuleGroups } from "../../stacks/plan/alerts";

const GROUPS = alertRuleGroups({
    schedule: "@daily",
    hopsworksNamespace: "hopsworks",
    rondbBackupCronJob: "create-rondb-backup",
    opensearchBackupCronJob: "create-opensearch-backup",
    runbookBaseUrl: "https://example.com/alerts",
});

/** A scrape in Velero's shape: HELP and TYPE comments, labelled counters and gauges. */
const SCRAPE = [
    "# HELP velero_backup_failure_total Total number of failed backups",
    "# TYPE velero_backup_failure_total counter",
    'velero_backup_failure_total{schedule=""} 0',
    'velero_backup_failure_total{schedule="k8s-backups-main"} 0',
    'velero_backup_failure_total{schedule="k8s-backups-users-resources"} 1',
    'velero_backup_last_successful_timestamp{schedule="k8s-backups-main"} 1.764e+09',
    'velero_backup_location_status_gauge{backup_location_name="hopsworks-bsl"} 1',
    'go_goroutines 212',
    "",
].join("\n");

describe("drill metrics", () => {
    it("matches a regular expression's alternatives as PromQL does (anchored), and a plain alternative as a value", () => {
        const groups = [
            {
                name: "g",
                rules: [
                    {
                        alert: "A",
                        expr: 'max by (namespace, job_name) (kube_job_status_failed{namespace="hopsworks", job_name=~"create-rondb-backup-[0-9]+"}) > 0 or kube_cronjob_created{cronjob=~"create-rondb-backup"}',
                        labels: { severity: "warning" as const },
                        annotations: { summary: "", description: "", runbook_url: "" },
                    },
                ],
            },
        ];
        const expected = seriesTheRulesSelect(groups, "kube_");
        assert.deepEqual(expected.map(selectorText), [
            'kube_job_status_failed{namespace="hopsworks", job_name=~"create-rondb-backup-[0-9]+"}',
            'kube_cronjob_created{cronjob="create-rondb-backup"}',
        ]);
        const scrape = (jobName: string) =>
            parseExposition(`kube_job_status_failed{namespace="hopsworks",job_name="${jobName}"} 0\nkube_cronjob_created{namespace="hopsworks",cronjob="create-rondb-backup"} 1\n`);
        assert.deepEqual(missingSeries(expected, scrape("create-rondb-backup-29394420")), []);
        assert.deepEqual(missingSeries(expected, scrape("create-rondb-backup-29394420x")), ['kube_job_status_failed{namespace="hopsworks", job_name=~"create-rondb-backup-[0-9]+"}']);
    });

    it("reads the series of a text-format scrape, labels unescaped, comments dropped", () => {
        const series = parseExposition(SCRAPE + 'odd_metric{path="a\\"b",empty=""} 2\n');
        assert.equal(series.length, 7);
        assert.deepEqual(series[1], { name: "velero_backup_failure_total", labels: { schedule: "k8s-backups-main" } });
        assert.deepEqual(series[5], { name: "go_goroutines", labels: {} });
        assert.deepEqual(series[6], { name: "odd_metric", labels: { path: 'a"b', empty: "" } });
    });

    it("expects one series per label value the rules select, for every Velero metric they use", () => {
        const expected = seriesTheRulesSelect(GROUPS, "velero_").map(selectorText);
        const schedules = ["k8s-backups-main", "k8s-backups-users-resources"];
        for (const schedule of schedules) {
            for (const metric of ["velero_backup_last_successful_timestamp", "velero_backup_failure_total", "velero_backup_partial_failure_total"]) {
                assert.ok(expected.includes(`${metric}{schedule="${schedule}"}`), `${metric} of ${schedule}`);
            }
        }
        assert.ok(expected.includes('velero_backup_location_status_gauge{backup_location_name="hopsworks-bsl"}'));
        // The restore counters are selected without labels and summed by schedule: they must carry it.
        for (const metric of ["velero_restore_failed_total", "velero_restore_validation_failed_total", "velero_restore_partial_failure_total"]) {
            assert.ok(expected.includes(`${metric}{schedule=~".*"}`), metric);
        }
        assert.equal(new Set(expected).size, expected.length);
        assert.ok(expected.every((e) => e.startsWith("velero_")), "only Velero's metrics");
    });

    it("names each expected series the scrape lacks", () => {
        const expected = seriesTheRulesSelect(GROUPS, "velero_");
        const missing = missingSeries(expected, parseExposition(SCRAPE));
        assert.ok(missing.includes('velero_backup_last_successful_timestamp{schedule="k8s-backups-users-resources"}'));
        assert.ok(missing.includes('velero_restore_failed_total{schedule=~".*"}'));
        assert.ok(!missing.includes('velero_backup_last_successful_timestamp{schedule="k8s-backups-main"}'));
        assert.ok(!missing.includes('velero_backup_location_status_gauge{backup_location_name="hopsworks-bsl"}'));
        // A renamed metric: the rules' name is missing from the scrape.
        const renamed = parseExposition(SCRAPE.replace(/velero_backup_location_status_gauge/g, "velero_backup_location_status"));
        assert.ok(missingSeries(expected, renamed).includes('velero_backup_location_status_gauge{backup_location_name="hopsworks-bsl"}'));
        // A renamed label: the series is there, the label the rule groups by is not.
        const relabelled = parseExposition(SCRAPE + 'velero_restore_failed_total{schedule_name="k8s-backups-main"} 0\n');
        assert.ok(missingSeries(expected, relabelled).includes('velero_restore_failed_total{schedule=~".*"}'));
        const labelled = parseExposition(SCRAPE + 'velero_restore_failed_total{schedule="k8s-backups-main"} 0\n');
        assert.ok(!missingSeries(expected, labelled).includes('velero_restore_failed_total{schedule=~".*"}'));
    });
});
