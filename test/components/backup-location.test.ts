import assert from "assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BackupLocation } from "../../components/backup-location";
import { readStackConfig } from "../../stacks/config";
import { planLocation } from "../../stacks/location";
import { REDACTED } from "../../stacks/secret";
import { awsConfig, minioConfig, source } from "../support/stacks";
import { record, StubResource } from "../support/record";

describe("BackupLocation component", () => {
    it("declares the credentials Secret, secret end to end, then the location that references it", async () => {
        const plan = planLocation(readStackConfig(source(minioConfig())), "ReadWrite");
        const { resources, byName, nameOf } = await record(() => {
            new BackupLocation("backup-location", {
                location: plan.location,
                credentialsSecret: plan.credentialsSecret,
                accessKeyId: pulumi.secret("AKIATESTKEY"),
                secretAccessKey: pulumi.secret("test-secret-key"),
            });
        });
        assert.deepEqual(
            resources.map((r) => [r.type, r.name]),
            [
                ["hopsworks-dr:index:BackupLocation", "backup-location"],
                ["kubernetes:core/v1:Secret", "backup-location-credentials"],
                ["kubernetes:velero.io/v1:BackupStorageLocation", "backup-location"],
            ],
        );
        const secret = byName("backup-location-credentials");
        assert.deepEqual(secret.inputs.metadata, { name: "hopsworks-bsl-credentials", namespace: "velero" });
        assert.deepEqual(secret.inputs.stringData, { cloud: REDACTED });
        assert.deepEqual(secret.secretPaths, ["stringData"]);
        // Set by the Kubernetes SDK's Secret; the policy pack relies on it (secrets reach policies unwrapped).
        assert.deepEqual(secret.additionalSecretOutputs, ["data", "stringData"]);
        const location = byName("backup-location", "kubernetes:velero.io/v1:BackupStorageLocation");
        assert.deepEqual(location.inputs, { ...plan.location });
        assert.deepEqual(location.dependencies.map(nameOf), ["backup-location-credentials"]);
        assert.ok(!JSON.stringify(resources).includes("test-secret-key"));
    });

    it("declares only the location on AWS, and passes the component's dependencies on to it", async () => {
        const plan = planLocation(readStackConfig(source(awsConfig())), "ReadWrite");
        const { resources, byName, nameOf } = await record(() => {
            const before = new StubResource("velero-release");
            new BackupLocation("backup-location", { location: plan.location }, { dependsOn: [before] });
        });
        assert.ok(!resources.some((r) => r.type === "kubernetes:core/v1:Secret"));
        const location = byName("backup-location", "kubernetes:velero.io/v1:BackupStorageLocation");
        assert.deepEqual(location.dependencies.map(nameOf), ["velero-release"]);
    });
});
