import assert from "assert/strict";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { renderStack } from "../../render/render";
import { planAlerts } from "../../stacks/plan/alerts";
import { readStackConfig } from "../../stacks/config/stack-config";
import { readStackFile } from "../../stacks/config/stack-file";
import { awsConfig, minioConfig, PROJECT_DIR, source, stackFile } from "../support/stacks";

/** Set, so the render prints no warning about their defaults. */
const QUIET = { runbookBaseUrl: "https://github.com/acme/hopsworks-dr/blob/main/docs/runbooks/alerts", opensearchBackupCronJob: "opensearch-backup" };

function withMonitoring(monitoring: Record<string, unknown>, base = minioConfig()) {
    return { ...base, monitoring: monitoring.enabled === true ? { ...QUIET, ...monitoring } : monitoring };
}

describe("render: backup alerts", () => {
    it("writes the same files, byte for byte, for a stack without monitoring, with monitoring {} and with it disabled", async () => {
        for (const base of [minioConfig(), awsConfig()]) {
            const without = await renderStack(stackFile(base));
            assert.ok(!("alerts.yaml" in without.files));
            assert.ok(!without.resources.some((r) => r.type === "hopsworks-dr:index:BackupAlerts"));
            assert.ok(!("monitoring" in without.outputs));
            for (const monitoring of [{}, { enabled: false, format: "configmap", namespace: "monitoring" }]) {
                const rendered = await renderStack(stackFile(withMonitoring(monitoring, base)));
                assert.deepEqual(rendered.files, without.files, JSON.stringify(monitoring));
            }
        }
        const dev = await renderStack(readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml")));
        assert.ok(Object.keys(dev.files).every((f) => f !== "alerts.yaml"));
    });

    it("declares the PrometheusRule after the Hopsworks release, lists it in the outputs and writes alerts.yaml", async () => {
        const values = withMonitoring({ enabled: true, ruleLabels: { release: "kube-prometheus-stack" } });
        const { files, resources, outputs } = await renderStack(stackFile(values));
        const { plan } = planAlerts(readStackConfig(source(values)));
        const without = await renderStack(stackFile(minioConfig()));
        assert.deepEqual(Object.keys(files), [...Object.keys(without.files), "alerts.yaml"]);
        assert.deepEqual(parse(files["alerts.yaml"]), { groups: plan!.groups });
        assert.equal(files["alerts.yaml"], plan!.rulesFile);

        const manifests = parseAllDocuments(files["manifests.yaml"]).map((d) => d.toJS());
        assert.deepEqual(manifests.find((m) => m.kind === "PrometheusRule"), plan!.manifest);

        // The Hopsworks release creates the namespace: the rule waits for it (a component's dependency resolves to its children).
        const rule = resources.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")!;
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks")!;
        assert.deepEqual(rule.dependencies, [release.urn]);
        assert.match(files["plan.txt"], /backup-alerts \(kubernetes:monitoring\.coreos\.com\/v1:PrometheusRule\)\n +parent: backup-alerts \(hopsworks-dr:index:BackupAlerts\)/);
        assert.deepEqual((outputs.monitoring as Record<string, unknown>), {
            enabled: true,
            kind: "PrometheusRule",
            namespace: "hopsworks",
            name: "hopsworks-dr-alerts",
            alerts: [...new Set(plan!.groups.flatMap((g) => g.rules.map((r) => r.alert)))],
        });
    });

    it("writes the same alerts.yaml from a ConfigMap in another namespace, which waits for no release", async () => {
        const operator = await renderStack(stackFile(withMonitoring({ enabled: true })));
        const configMap = await renderStack(stackFile(withMonitoring({ enabled: true, format: "configmap", namespace: "monitoring", configMapName: "hopsworks-rules" })));
        assert.equal(configMap.files["alerts.yaml"], operator.files["alerts.yaml"]);
        const manifest = parseAllDocuments(configMap.files["manifests.yaml"]).map((d) => d.toJS()).find((m) => m.kind === "ConfigMap");
        assert.deepEqual(manifest.metadata, { name: "hopsworks-rules", namespace: "monitoring" });
        assert.equal(manifest.data["hopsworks-dr.rules.yaml"], configMap.files["alerts.yaml"]);
        const rules = configMap.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
        assert.deepEqual(rules.dependencies, []);
    });

    it("refuses an invalid monitoring config before declaring anything, naming key, value and what is valid", async () => {
        await assert.rejects(
            renderStack(stackFile(withMonitoring({ enabled: true, format: "grafana" }))),
            (error: Error) => {
                assert.match(error.message, /hopsworks-dr:monitoring\.format = "grafana": must be one of prometheus-operator, configmap/);
                assert.deepEqual((error as { resources?: unknown[] }).resources, []);
                return true;
            },
        );
    });
});
