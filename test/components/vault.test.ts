import assert from "assert/strict";
import * as aws from "@pulumi/aws";
import { Vault } from "../../components/vault";
import { VaultReplication } from "../../components/vault-replication";
import { readStackConfig } from "../../stacks/config/stack-config";
import { planVault } from "../../stacks/plan/vault";
import { record } from "../support/record";
import { minioConfig, source, vaultConfig } from "../support/stacks";

describe("Vault and VaultReplication components", () => {
    it("a vault on an S3-compatible store: Object Lock bucket, versioning, retention and lifecycle, no encryption or public access block", async () => {
        const c = minioConfig();
        c.storage.manage = false;
        c.vault = { bucket: "hopsworks-vault", region: "dr", endpoint: "https://minio.dr.example.com", accessKeyId: "k", secretAccessKey: "s", objectLock: { mode: "GOVERNANCE", days: 90 } };
        const plan = planVault(readStackConfig(source(c)))!;
        const { resources, byName } = await record(() => new Vault("vault", { ...plan, credentials: { accessKeyId: "k", secretAccessKey: "s" } }));
        assert.deepEqual(
            resources.map((r) => [r.type, r.name, r.parent === resources[0].urn ? "child" : "top"]),
            [
                ["hopsworks-dr:index:Vault", "vault", "top"],
                ["pulumi:providers:aws", "vault-store", "child"],
                ["aws:s3/bucket:Bucket", "vault", "child"],
                ["aws:s3/bucketVersioning:BucketVersioning", "vault-versioning", "child"],
                ["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "vault-object-lock", "child"],
                ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "vault-lifecycle", "child"],
            ],
        );
        assert.deepEqual(byName("vault-object-lock").inputs.rule, { defaultRetention: { mode: "GOVERNANCE", days: 90 } });
        assert.equal(byName("vault-object-lock").retainOnDelete, true);
        assert.equal(byName("vault-lifecycle").inputs.rules[0].noncurrentVersionExpiration.noncurrentDays, 90);
        assert.ok(JSON.stringify(byName("vault-store").inputs).includes("https://minio.dr.example.com"), "the provider reaches the vault's store");
    });

    it("replication with an existing role declares no IAM resource, only the retained configuration on the primary", async () => {
        const c = vaultConfig();
        c.vault.replication = { roleArn: "arn:aws:iam::123456789012:role/repl", timeControl: false };
        const { replication } = planVault(readStackConfig(source(c)))!;
        const { resources, byName } = await record(() => {
            const provider = new aws.Provider("primary", { region: "eu-north-1" });
            new VaultReplication("vault-replication", { sourceBucket: "hopsworks-backups", role: replication.role, configuration: replication.configuration, provider });
        });
        assert.deepEqual(resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type), ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"]);
        const config = byName("vault-replication", "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
        assert.equal(config.inputs.role, "arn:aws:iam::123456789012:role/repl");
        assert.equal(config.retainOnDelete, true);
        // timeControl: false keeps the replication metrics (the alarms read them), without Replication Time Control.
        assert.deepEqual(config.inputs.rules[0].destination, { bucket: "arn:aws:s3:::hopsworks-vault", metrics: { status: "Enabled" } });
    });

    it("replication with a created role: the role and its policy first, then the configuration", async () => {
        const { replication } = planVault(readStackConfig(source(vaultConfig())))!;
        const { resources, byName, nameOf } = await record(() => {
            const provider = new aws.Provider("primary", { region: "eu-north-1" });
            new VaultReplication("vault-replication", { sourceBucket: "hopsworks-backups", role: replication.role, configuration: replication.configuration, provider });
        });
        assert.deepEqual(resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.name), ["vault-replication-role", "vault-replication-policy", "vault-replication"]);
        assert.ok(byName("vault-replication", "aws:s3/bucketReplicationConfig:BucketReplicationConfig").dependencies.map(nameOf).includes("vault-replication-policy"));
        assert.deepEqual(JSON.parse(byName("vault-replication-policy").inputs.policy).Statement.length, 3);
    });
});
