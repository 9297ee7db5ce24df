import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { durationSeconds, labelKeyProblem, labelValueProblem, MONITORING_DEFAULTS } from "../../../stacks/config/monitoring";
import { minioConfig, source } from "../../support/stacks";

function withMonitoring(monitoring: unknown, change: (c: Record<string, any>) => void = () => {}) {
    const c = minioConfig();
    c.monitoring = monitoring;
    change(c);
    return c;
}

function problemsOf(values: Record<string, any>): string[] {
    try {
        readStackConfig(source(values));
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        return error.problems.map((p) => p.message);
    }
    assert.fail("the config was accepted");
}

describe("monitoring config", () => {
    it("is off by default, with every default applied", () => {
        const { monitoring } = readStackConfig(source(minioConfig()));
        assert.deepEqual(monitoring, {
            enabled: false,
            format: "prometheus-operator",
            namespace: "hopsworks",
            ruleLabels: {},
            configMapName: "hopsworks-dr-alerts",
            rondbBackupCronJob: "create-rondb-backup",
            opensearchBackupCronJob: "create-opensearch-backup",
            opensearchBackupCronJobSet: false,
            runbookBaseUrl: MONITORING_DEFAULTS.runbookBaseUrl,
            runbookBaseUrlSet: false,
        });
    });

    it("treats an empty object (Pulumi.yaml's default) like an absent section", () => {
        assert.deepEqual(readStackConfig(source(withMonitoring({}))).monitoring, readStackConfig(source(minioConfig())).monitoring);
    });

    it("defaults the namespace to the Hopsworks namespace", () => {
        const c = withMonitoring({ enabled: true }, (v) => (v.hopsworks.namespace = "hw-prod"));
        assert.equal(readStackConfig(source(c)).monitoring.namespace, "hw-prod");
    });

    it("reads every key, booleans as pulumi config set --path stores them, and drops a trailing slash of the runbook URL", () => {
        const { monitoring } = readStackConfig(
            source(
                withMonitoring({
                    enabled: "true",
                    format: "configmap",
                    namespace: "monitoring",
                    ruleLabels: { release: "kube-prometheus-stack", "example.com/team": "data", empty: "" },
                    configMapName: "prometheus-rules.hopsworks",
                    rondbBackupCronJob: "rondb-backup",
                    opensearchBackupCronJob: "opensearch-backup",
                    recoveryPointObjective: "8d",
                    runbookBaseUrl: "https://github.com/acme/hopsworks-dr/blob/main/docs/runbooks/alerts/",
                }),
            ),
        );
        assert.deepEqual(monitoring, {
            enabled: true,
            format: "configmap",
            namespace: "monitoring",
            ruleLabels: { release: "kube-prometheus-stack", "example.com/team": "data", empty: "" },
            configMapName: "prometheus-rules.hopsworks",
            rondbBackupCronJob: "rondb-backup",
            opensearchBackupCronJob: "opensearch-backup",
            opensearchBackupCronJobSet: true,
            recoveryPointObjectiveSeconds: 8 * 86_400,
            runbookBaseUrl: "https://github.com/acme/hopsworks-dr/blob/main/docs/runbooks/alerts",
            runbookBaseUrlSet: true,
        });
    });

    const invalid: [title: string, monitoring: unknown, says: RegExp, change?: (c: Record<string, any>) => void][] = [
        ["an unknown key", { enabeld: true }, /^hopsworks-dr:monitoring\.enabeld is not a known key; valid keys of monitoring are enabled, format, namespace/],
        ["a section that is not an object", "on", /^hopsworks-dr:monitoring = "on": must be an object with keys enabled, format/],
        ["enabled that is not a boolean", { enabled: "yes" }, /^hopsworks-dr:monitoring\.enabled = "yes": must be true or false/],
        ["an unknown format", { format: "grafana" }, /^hopsworks-dr:monitoring\.format = "grafana": must be one of prometheus-operator, configmap/],
        ["a namespace that is not a DNS label", { namespace: "Monitoring_NS" }, /^hopsworks-dr:monitoring\.namespace = "Monitoring_NS": must be a Kubernetes namespace name/],
        ["ruleLabels that are not a map", { ruleLabels: ["release"] }, /^hopsworks-dr:monitoring\.ruleLabels = \["release"\]: must be a map of label names to values/],
        ["a label key with a space", { ruleLabels: { "my label": "x" } }, /^hopsworks-dr:monitoring\.ruleLabels has the key "my label", not a valid Kubernetes label key: it must be a name of at most 63/],
        ["a label key with a bad prefix", { ruleLabels: { "Example.com/team": "x" } }, /has the key "Example\.com\/team", not a valid Kubernetes label key: its prefix \(before the \/\) must be a DNS subdomain/],
        ["a label key of 64 characters", { ruleLabels: { ["k".repeat(64)]: "x" } }, /not a valid Kubernetes label key/],
        ["a label value that is a number", { ruleLabels: { tier: 1 } }, /^hopsworks-dr:monitoring\.ruleLabels\.tier = 1: must be a string: label values are strings \(quote it in YAML\)/],
        ["a label value ending in a hyphen", { ruleLabels: { release: "kube-prometheus-" } }, /^hopsworks-dr:monitoring\.ruleLabels\.release = "kube-prometheus-": must be empty or at most 63 letters/],
        ["a label value of 64 characters", { ruleLabels: { release: "v".repeat(64) } }, /monitoring\.ruleLabels\.release = "v{64}": must be empty or at most 63/],
        ["configMapName with the prometheus-operator format", { configMapName: "rules" }, /^hopsworks-dr:monitoring\.configMapName applies only to monitoring\.format configmap \(the format is prometheus-operator\): remove it/],
        ["a configMapName with capitals", { format: "configmap", configMapName: "Rules" }, /^hopsworks-dr:monitoring\.configMapName = "Rules": must be a ConfigMap name/],
        ["a CronJob name with capitals", { rondbBackupCronJob: "Create-Backup" }, /^hopsworks-dr:monitoring\.rondbBackupCronJob = "Create-Backup": must be the name of the RonDB backup CronJob in the Hopsworks namespace .*`kubectl get cronjobs -n hopsworks`/],
        ["a CronJob name of 53 characters", { opensearchBackupCronJob: "o".repeat(53) }, /monitoring\.opensearchBackupCronJob = "o{53}": must be the name of the OpenSearch backup CronJob .* at most 52/],
        ["an objective in weeks", { recoveryPointObjective: "2w" }, /^hopsworks-dr:monitoring\.recoveryPointObjective = "2w": must be a duration of days, hours and minutes such as "26h", "7d" or "1d12h"/],
        ["an objective of zero", { recoveryPointObjective: "0h" }, /monitoring\.recoveryPointObjective = "0h": must be a duration/],
        [
            "an objective shorter than the schedule's interval",
            { recoveryPointObjective: "20h" },
            /^hopsworks-dr:monitoring\.recoveryPointObjective = "20h": must be at least the backup schedule's longest interval, 1d \(backup\.schedule "@daily"\): .* leave it unset for the interval plus grace \(1d 1h\)/,
            (c) => (c.backup = { schedule: "@daily" }),
        ],
        [
            "an objective shorter than the longest gap of a monthly schedule",
            { recoveryPointObjective: "30d" },
            /recoveryPointObjective = "30d": must be at least the backup schedule's longest interval, 31d \(backup\.schedule "@monthly"\)/,
            (c) => (c.backup = { schedule: "@monthly" }),
        ],
        ["an http runbook URL", { runbookBaseUrl: "http://github.com/acme/dr" }, /^hopsworks-dr:monitoring\.runbookBaseUrl = "http:\/\/github\.com\/acme\/dr": must be the https URL of the folder that holds this repository's docs\/runbooks\/alerts pages/],
        ["a relative runbook URL", { runbookBaseUrl: "docs/runbooks/alerts" }, /monitoring\.runbookBaseUrl = "docs\/runbooks\/alerts": must be the https URL .* Alertmanager links need an absolute URL/],
        ["a runbook URL with credentials", { runbookBaseUrl: "https://user:pw@github.com/acme" }, /monitoring\.runbookBaseUrl = .*: must be the https URL/],
        ["a runbook URL with a fragment", { runbookBaseUrl: "https://github.com/acme#x" }, /monitoring\.runbookBaseUrl = .*: must be the https URL/],
        [
            "alerts on backups that are disabled",
            { enabled: true },
            /^hopsworks-dr:monitoring\.enabled = true: the alerts watch the backups, and backup\.enabled is false/,
            (c) => (c.backup = { enabled: false }),
        ],
    ];

    for (const [title, monitoring, says, change] of invalid) {
        it(`refuses ${title}, naming the key, the value and what is valid`, () => {
            const problems = problemsOf(withMonitoring(monitoring, change));
            assert.ok(problems.some((p) => says.test(p)), `no problem matches ${says}:\n${problems.join("\n")}`);
        });
    }

    it("accepts an objective equal to the longest interval, and one longer", () => {
        for (const rpo of ["1d", "26h", "1d12h", "1500m"]) {
            const c = withMonitoring({ enabled: true, recoveryPointObjective: rpo }, (v) => (v.backup = { schedule: "@daily" }));
            assert.ok(readStackConfig(source(c)).monitoring.recoveryPointObjectiveSeconds! >= 86_400, rpo);
        }
    });

    it("checks label keys and values by the Kubernetes rules", () => {
        for (const key of ["release", "app.kubernetes.io/part-of", "prometheus", "a", "A_b.c-d"]) assert.equal(labelKeyProblem(key), undefined, key);
        for (const key of ["", "-a", "a-", "a b", "/a", "a/", "a/b/c", `${"p".repeat(254)}/a`, "UPPER.example.com/a"]) assert.ok(labelKeyProblem(key), key);
        for (const value of ["", "kube-prometheus-stack", "v1.2_3"]) assert.equal(labelValueProblem(value), undefined, value);
        for (const value of ["-x", "x-", "a b", "a/b", "x".repeat(64)]) assert.ok(labelValueProblem(value), value);
    });

    it("reads durations of days, hours and minutes", () => {
        assert.equal(durationSeconds("26h"), 93_600);
        assert.equal(durationSeconds("7d"), 604_800);
        assert.equal(durationSeconds("1d12h30m"), 131_400);
        for (const bad of ["", "0d", "26", "h", "1.5h", "2w", "1h1d", " 1h"]) assert.equal(durationSeconds(bad), undefined, bad);
    });
});
