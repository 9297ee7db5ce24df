import * as assert from "assert";
import type { StackValidationArgs } from "@pulumi/policy";
import { renderStack } from "../../render/render";
import type { RecordedResource } from "../../render/recorder";
import { policies } from "../../policy/policies";
import { declaresBackupAlerts, productionStackHasBackupAlerts, stackNameOf } from "../../policy/monitoring";
import { minioConfig, stackFile } from "../support/stacks";
import { copyOf, stackArgs } from "./adapter";

const MONITORING = {
    enabled: true,
    runbookBaseUrl: "https://github.com/acme/hopsworks-dr/blob/main/docs/runbooks/alerts",
    opensearchBackupCronJob: "opensearch-backup",
};

/** The stack policy's violations, with the policy config the engine would hand over. */
async function messages(resources: RecordedResource[], config: Record<string, unknown> = {}): Promise<string[]> {
    const args: StackValidationArgs = { ...stackArgs(resources), getConfig: <T extends object>() => config as T };
    const found: string[] = [];
    await productionStackHasBackupAlerts.validateStack(args, (message) => found.push(message));
    return found;
}

describe("policy: production-stack-has-backup-alerts (advisory)", () => {
    const rendered: Record<string, RecordedResource[]> = {};

    // renderStack runs the program under global mocks: one at a time, never in parallel.
    before(async () => {
        rendered.prodWithout = (await renderStack(stackFile(minioConfig(), "prod"))).resources;
        rendered.prodWith = (await renderStack(stackFile({ ...minioConfig(), monitoring: MONITORING }, "prod"))).resources;
        rendered.prodConfigMap = (await renderStack(stackFile({ ...minioConfig(), monitoring: { ...MONITORING, format: "configmap" } }, "prod"))).resources;
        rendered.devWithout = (await renderStack(stackFile(minioConfig(), "dev"))).resources;
    });

    it("is advisory, in the pack, with a productionStacks setting that defaults to prod and production", () => {
        assert.strictEqual(productionStackHasBackupAlerts.enforcementLevel, "advisory");
        assert.ok(policies.includes(productionStackHasBackupAlerts));
        assert.deepStrictEqual(productionStackHasBackupAlerts.configSchema?.properties.productionStacks.default, ["prod", "production"]);
    });

    it("reads the stack's name from the resources' URNs", () => {
        assert.strictEqual(stackNameOf(stackArgs(rendered.prodWithout).resources), "prod");
        assert.strictEqual(stackNameOf(stackArgs(rendered.devWithout).resources), "dev");
        assert.strictEqual(stackNameOf([]), undefined);
    });

    it("flags the production stack prod without monitoring, saying how to turn it on", async () => {
        assert.deepStrictEqual(await messages(rendered.prodWithout), [
            "Stack prod is a production stack (policy config productionStacks: prod, production) and declares no backup alerts: " +
                "no PrometheusRule or rules-file ConfigMap watches velero_backup_last_successful_timestamp, so nobody is told when backups stop. " +
                "Turn them on with: pulumi config set --path monitoring.enabled true -s prod (README, Alerts).",
        ]);
    });

    it("passes the production stack with its alerts as a PrometheusRule or as a rules-file ConfigMap", async () => {
        assert.deepStrictEqual(await messages(rendered.prodWith), []);
        assert.deepStrictEqual(await messages(rendered.prodConfigMap), []);
        assert.ok(declaresBackupAlerts(stackArgs(rendered.prodConfigMap).resources));
    });

    it("passes a stack that is not a production one, and follows the configured names", async () => {
        assert.deepStrictEqual(await messages(rendered.devWithout), []);
        assert.strictEqual((await messages(rendered.devWithout, { productionStacks: ["dev", "live"] })).length, 1);
        assert.deepStrictEqual(await messages(rendered.prodWithout, { productionStacks: ["live"] }), []);
    });

    it("does not take a PrometheusRule that watches no backups for backup alerts", async () => {
        const resources = copyOf(rendered.prodWith);
        const rule = resources.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")!;
        rule.inputs.spec.groups = [{ name: "other", rules: [{ alert: "Down", expr: "up == 0" }] }];
        assert.strictEqual((await messages(resources)).length, 1);
    });
});
