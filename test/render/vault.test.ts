import assert from "assert/strict";
import {
    CreateBucketCommand,
    DeleteObjectCommand,
    GetBucketReplicationCommand,
    GetObjectLockConfigurationCommand,
    PutBucketLifecycleConfigurationCommand,
    PutBucketReplicationCommand,
    PutBucketVersioningCommand,
    PutObjectCommand,
    PutObjectLockConfigurationCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { renderStack } from "../../render/render";
import { checkExternalVault } from "../../program/vault-check";
import { readStackConfig } from "../../stacks/config/stack-config";
import { planVault } from "../../stacks/plan/vault";
import { Moto, sharedMoto } from "../support/moto";
import { awsConfig, source, stackFile, vaultConfig } from "../support/stacks";


describe("render: vault.json", () => {
    it("is written only with a vault: its settings and the primary's replication configuration, and plan.txt says what replication does not copy", async () => {
        assert.equal((await renderStack(stackFile(awsConfig()))).files["vault.json"], undefined);
        const { files, resources } = await renderStack(stackFile(vaultConfig()));
        const vault = JSON.parse(files["vault.json"]);
        assert.equal(vault.Bucket, "hopsworks-vault");
        assert.deepEqual(vault.CreateBucket, { ObjectLockEnabledForBucket: true });
        assert.deepEqual(vault.ObjectLockConfiguration, { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 60 } } });
        assert.equal(vault.Replication.SourceBucket, "hopsworks-backups");
        assert.deepEqual(vault.Replication.ReplicationConfiguration.Rules[0].DeleteMarkerReplication, { Status: "Disabled" });
        assert.match(files["plan.txt"], /\nvault: hopsworks-vault in eu-west-1, Object Lock COMPLIANCE 60 days, declared by the stack\n  replication from hopsworks-backups: the whole bucket \(Filter Prefix ""\), delete markers not replicated, Replication Time Control 15 minutes, metrics on, declared by the stack\n  replication copies only versions written after it is switched on: .*S3 Batch Replication/);
        const types = resources.map((r) => `${r.type} ${r.name}`);
        for (const expected of [
            "hopsworks-dr:index:Vault vault",
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration vault-object-lock",
            "hopsworks-dr:index:VaultReplication vault-replication",
            "aws:s3/bucketReplicationConfig:BucketReplicationConfig vault-replication",
        ]) assert.ok(types.includes(expected), `${expected} in ${types.join(", ")}`);
        const bucket = resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "vault")!;
        assert.equal(bucket.inputs.objectLockEnabled, true);
        assert.equal(bucket.protect && bucket.retainOnDelete, true);
        const replication = resources.find((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")!;
        assert.equal(replication.inputs.bucket, "hopsworks-backups");
        assert.deepEqual(replication.inputs.rules[0].deleteMarkerReplication, { status: "Disabled" });
        assert.deepEqual(replication.inputs.rules[0].filter, { prefix: "" });
    });

    describe("against moto's S3 API", function () {
        this.timeout(60_000);
        let moto: Moto | undefined;
        let s3: S3Client;
        let primary: S3Client;
        let client: (region: string) => S3Client;

        before(async function () {
            moto = await sharedMoto(this);
            const port = new URL(moto.url).port;
            process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
            client = (region: string) => new S3Client({ region, endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
            s3 = client("eu-west-1");
            primary = client("eu-north-1");
        });
        after(() => {
            s3?.destroy();
            primary?.destroy();
        });

        it("accepts the vault's settings and the replication configuration as the render writes them; the lock then refuses a version delete", async () => {
            const { files } = await renderStack(stackFile(vaultConfig()));
            const vault = JSON.parse(files["vault.json"]);
            const Bucket = vault.Bucket;
            await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: vault.CreateBucket.ObjectLockEnabledForBucket, CreateBucketConfiguration: { LocationConstraint: vault.Region } }));
            await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: vault.Versioning }));
            await s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: vault.ObjectLockConfiguration }));
            await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: vault.LifecycleConfiguration }));
            const read = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
            assert.deepEqual(read.ObjectLockConfiguration?.Rule?.DefaultRetention?.Days, 60);
            assert.equal(read.ObjectLockConfiguration?.Rule?.DefaultRetention?.Mode, "COMPLIANCE");

            const source = vault.Replication.SourceBucket;
            await primary.send(new CreateBucketCommand({ Bucket: source, CreateBucketConfiguration: { LocationConstraint: "eu-north-1" } }));
            await primary.send(new PutBucketVersioningCommand({ Bucket: source, VersioningConfiguration: { Status: "Enabled" } }));
            await primary.send(new PutBucketReplicationCommand({ Bucket: source, ReplicationConfiguration: vault.Replication.ReplicationConfiguration }));
            const replication = await primary.send(new GetBucketReplicationCommand({ Bucket: source }));
            assert.equal(replication.ReplicationConfiguration?.Rules?.[0].DeleteMarkerReplication?.Status, "Disabled");

            // What the vault is for: a locked version cannot be deleted.
            const put = await s3.send(new PutObjectCommand({ Bucket, Key: "k8s_backup/backups/b/velero-backup.json", Body: "{}", ChecksumAlgorithm: "CRC32" }));
            await assert.rejects(s3.send(new DeleteObjectCommand({ Bucket, Key: "k8s_backup/backups/b/velero-backup.json", VersionId: put.VersionId })), /AccessDenied|locked|retention/i);
        });

        it("the check of a vault managed elsewhere (vault.manage: false) accepts a vault set up from the render's settings and refuses a bucket without Object Lock", async () => {
            const c = vaultConfig();
            c.vault.manage = false;
            c.vault.bucket = "checked-vault";
            const plan = planVault(readStackConfig(source(c)))!;
            // Its owner applies the render's settings (this test runs on its own, so it makes its bucket itself).
            await s3.send(new CreateBucketCommand({ Bucket: plan.bucket, ObjectLockEnabledForBucket: true, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
            await s3.send(new PutObjectLockConfigurationCommand({ Bucket: plan.bucket, ObjectLockConfiguration: plan.settings.ObjectLockConfiguration }));
            await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: plan.bucket, LifecycleConfiguration: plan.settings.LifecycleConfiguration }));
            const good = await checkExternalVault(plan, client("eu-west-1"));
            assert.deepEqual(good.problems, []);
            assert.match(good.found, /^versioning Enabled; Object Lock Enabled, default retention COMPLIANCE 60 days; 1 lifecycle rule\(s\)$/);
            await s3.send(new CreateBucketCommand({ Bucket: "plain-vault", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
            const bad = await checkExternalVault({ ...plan, bucket: "plain-vault" }, client("eu-west-1"));
            assert.deepEqual(bad.problems.map((p) => p.key), ["vault.bucket", "vault.bucket"]);
            assert.match(bad.problems[0].message, /its versioning is "never enabled"/);
            assert.match(bad.problems[1].message, /Object Lock is off/);
        });
    });
});
