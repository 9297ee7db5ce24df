import assert from "assert/strict";
import { parse } from "yaml";
import { BackupAlerts } from "../../components/backup-alerts";
import { planAlerts } from "../../stacks/plan/alerts";
import { readStackConfig } from "../../stacks/config/stack-config";
import { minioConfig, source } from "../support/stacks";
import { record, StubResource } from "../support/record";

function alertsPlan(monitoring: Record<string, unknown>) {
    const c = minioConfig();
    c.monitoring = { enabled: true, ...monitoring };
    const { plan } = planAlerts(readStackConfig(source(c)));
    assert.ok(plan);
    return plan;
}

describe("BackupAlerts component", () => {
    it("declares the PrometheusRule of the plan under itself, passing its dependencies on", async () => {
        const plan = alertsPlan({ ruleLabels: { release: "kube-prometheus-stack" } });
        const { resources, byName, nameOf } = await record(() => {
            const before = new StubResource("hopsworks-release");
            new BackupAlerts(
                "backup-alerts",
                {
                    format: plan.format,
                    name: plan.manifest.metadata.name,
                    namespace: plan.manifest.metadata.namespace,
                    labels: plan.manifest.metadata.labels,
                    groups: plan.groups,
                    rulesFile: plan.rulesFile,
                },
                { dependsOn: [before] },
            );
        });
        assert.deepEqual(
            resources.map((r) => [r.type, r.name]),
            [
                ["test:index:Stub", "hopsworks-release"],
                ["hopsworks-dr:index:BackupAlerts", "backup-alerts"],
                ["kubernetes:monitoring.coreos.com/v1:PrometheusRule", "backup-alerts"],
            ],
        );
        const rule = byName("backup-alerts", "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        assert.deepEqual(rule.inputs, plan.manifest);
        assert.equal(nameOf(rule.parent!), "backup-alerts");
        assert.deepEqual(rule.dependencies.map(nameOf), ["hopsworks-release"]);
    });

    it("declares a ConfigMap holding the rules file with format configmap", async () => {
        const plan = alertsPlan({ format: "configmap", namespace: "monitoring", configMapName: "prometheus-hopsworks-rules" });
        const { byName } = await record(() => {
            new BackupAlerts("backup-alerts", {
                format: "configmap",
                name: plan.manifest.metadata.name,
                namespace: plan.manifest.metadata.namespace,
                groups: plan.groups,
                rulesFile: plan.rulesFile,
            });
        });
        const configMap = byName("backup-alerts", "kubernetes:core/v1:ConfigMap");
        assert.deepEqual(configMap.inputs, plan.manifest);
        assert.deepEqual(parse((configMap.inputs.data as Record<string, string>)["hopsworks-dr.rules.yaml"]), { groups: plan.groups });
    });

    it("applies its documented defaults: a PrometheusRule named hopsworks-dr-alerts without labels", async () => {
        const { byName } = await record(() => {
            new BackupAlerts("alerts", { namespace: "hopsworks", groups: [] });
        });
        assert.deepEqual(byName("alerts", "kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "hopsworks-dr-alerts", namespace: "hopsworks" },
            spec: { groups: [] },
        });
    });
});
