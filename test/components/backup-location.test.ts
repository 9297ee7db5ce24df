import assert from "assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BackupLocation } from "../../components/backup-location";
import { readStackConfig } from "../../stacks/config/stack-config";
import { createHash, createHmac } from "crypto";
import { credentialsFile, credentialsHmac, planLocation } from "../../stacks/plan/location";
import { REDACTED } from "../../stacks/config/secret";
import { awsConfig, minioConfig, source } from "../support/stacks";
import { record, StubResource } from "../support/record";

const CREDENTIALS = { accessKeyId: pulumi.secret("AKIATESTKEY"), secretAccessKey: pulumi.secret("test-secret-key"), hashKey: pulumi.secret("test-credentials-hash-key") };

describe("BackupLocation component", () => {
    it("declares the credentials Secret, secret end to end, then the location that references it", async () => {
        const plan = planLocation(readStackConfig(source(minioConfig())), "ReadWrite");
        const { resources, byName, nameOf } = await record(() => {
            new BackupLocation("backup-location", {
                location: plan.location,
                credentialsSecret: plan.credentialsSecret,
                credentials: CREDENTIALS,
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
        const { apiVersion, kind, metadata, spec } = plan.location;
        // The hash of the Secret's content, kept secret, is the only input the plan does not hold.
        assert.deepEqual(location.inputs, {
            apiVersion,
            kind,
            metadata: { ...metadata, annotations: { ...metadata.annotations, "hopsworks-dr.io/credentials-hmac-sha256": REDACTED } },
            spec,
        });
        assert.deepEqual(location.secretPaths, ["metadata.annotations.hopsworks-dr.io/credentials-hmac-sha256"]);
        assert.deepEqual(location.dependencies.map(nameOf), ["backup-location-credentials"]);
        assert.ok(!JSON.stringify(resources).includes("test-secret-key"));
    });

    it("is replaced when its spec or its credentials' hash change, the old location deleted first (same name)", async () => {
        const plan = planLocation(readStackConfig(source(minioConfig())), "ReadWrite");
        const { byName } = await record(() => {
            new BackupLocation("backup-location", {
                location: plan.location,
                credentialsSecret: plan.credentialsSecret,
                credentials: CREDENTIALS,
                replaceOnChanges: plan.replaceOnChanges,
            });
        });
        const location = byName("backup-location", "kubernetes:velero.io/v1:BackupStorageLocation");
        assert.deepEqual(location.replaceOnChanges, ["spec", 'metadata.annotations["hopsworks-dr.io/credentials-hmac-sha256"]']);
        assert.equal(location.deleteBeforeReplace, true);
        // New keys, a new hash: the location is replaced, so Velero validates it afresh.
        assert.notEqual(credentialsHmac("k", "AKIATESTKEY", "test-secret-key"), credentialsHmac("k", "AKIATESTKEY", "rotated-secret-key"));
    });

    it("hashes the credentials with HMAC-SHA256 keyed by storage.credentialsHashKey, never a plain SHA-256 of guessable keys", () => {
        const file = credentialsFile("minioadmin", "minioadmin");
        const hmac = credentialsHmac("test-credentials-hash-key", "minioadmin", "minioadmin");
        assert.equal(hmac, createHmac("sha256", "test-credentials-hash-key").update(file).digest("hex"));
        // A dictionary of human-chosen keys hashed plainly does not find it, nor does a guess of the hash key.
        assert.notEqual(hmac, createHash("sha256").update(file).digest("hex"));
        assert.notEqual(hmac, credentialsHmac("another-hash-key", "minioadmin", "minioadmin"));
    });

    it("computes the hash inside the component from the resolved hash key, a Pulumi secret", async () => {
        const plan = planLocation(readStackConfig(source(minioConfig())), "ReadWrite");
        let hashKeyRead = false;
        const hashKey = pulumi.secret("test-credentials-hash-key").apply((k) => ((hashKeyRead = true), k));
        const { byName } = await record(() => {
            new BackupLocation("backup-location", { location: plan.location, credentialsSecret: plan.credentialsSecret, credentials: { ...CREDENTIALS, hashKey } });
        });
        assert.ok(hashKeyRead, "the component reads the hash key");
        const location = byName("backup-location", "kubernetes:velero.io/v1:BackupStorageLocation");
        assert.equal(location.inputs.metadata.annotations["hopsworks-dr.io/credentials-hmac-sha256"], REDACTED);
        assert.equal(location.inputs.metadata.annotations["hopsworks-dr.io/credentials-sha256"], undefined, "no unkeyed hash is left on the location");
    });

    it("adopting: the Secret made by hand is taken over with patchForce, as the location is", async () => {
        const c = minioConfig();
        c.storage.adoptLocation = true;
        const plan = planLocation(readStackConfig(source(c)), "ReadWrite");
        const { byName } = await record(() => {
            new BackupLocation("backup-location", {
                location: plan.location,
                credentialsSecret: plan.credentialsSecret,
                credentials: CREDENTIALS,
            });
        });
        assert.deepEqual(byName("backup-location-credentials").inputs.metadata.annotations, { "pulumi.com/patchForce": "true" });
        const location = byName("backup-location", "kubernetes:velero.io/v1:BackupStorageLocation");
        assert.equal(location.inputs.metadata.annotations["pulumi.com/patchForce"], "true");
        assert.equal(location.inputs.metadata.annotations["helm.sh/resource-policy"], "keep");
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
