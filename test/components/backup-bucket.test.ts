import assert from "assert/strict";
import { BackupBucket } from "../../components/backup-bucket";
import { planBucket } from "../../stacks/plan/bucket";
import { readStackConfig } from "../../stacks/config/stack-config";
import { REDACTED } from "../../stacks/config/secret";
import { awsConfig, minioConfig, source } from "../support/stacks";
import { record } from "../support/record";
import * as pulumi from "@pulumi/pulumi";

function declare(values: Record<string, any>) {
    const plan = planBucket(readStackConfig(source(values)));
    return () => {
        // As index.ts declares it: the plan spread into the arguments, with the revealed keys.
        new BackupBucket("backup-bucket", {
            ...plan,
            credentials: plan.endpoint ? { accessKeyId: pulumi.secret("AKIATESTKEY"), secretAccessKey: pulumi.secret("test-secret-key") } : undefined,
        });
    };
}

describe("BackupBucket component", () => {
    it("declares a protected, retained, versioned AWS bucket with the lifecycle rule, encryption and public access block", async () => {
        const { resources, byName, nameOf } = await record(declare(awsConfig()));
        assert.deepEqual(
            resources.map((r) => [r.type, r.name]),
            [
                ["hopsworks-dr:index:BackupBucket", "backup-bucket"],
                ["pulumi:providers:aws", "backup-bucket-store"],
                ["aws:s3/bucket:Bucket", "backup-bucket"],
                ["aws:s3/bucketVersioning:BucketVersioning", "backup-bucket-versioning"],
                ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backup-bucket-lifecycle"],
                ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "backup-bucket-encryption"],
                ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "backup-bucket-public-access"],
                ["aws:s3/bucketPolicy:BucketPolicy", "backup-bucket-policy"],
            ],
        );
        const bucket = byName("backup-bucket", "aws:s3/bucket:Bucket");
        assert.equal(bucket.protect, true);
        assert.equal(bucket.retainOnDelete, true);
        assert.equal(bucket.inputs.bucket, "hopsworks-backups");
        assert.equal(bucket.inputs.forceDestroy, false);
        const versioning = byName("backup-bucket-versioning");
        assert.equal(versioning.retainOnDelete, true);
        assert.deepEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
        assert.deepEqual(versioning.dependencies.map(nameOf), ["backup-bucket"]);
        const lifecycle = byName("backup-bucket-lifecycle");
        assert.deepEqual(lifecycle.inputs.rules, [
            {
                id: "HopsFSBlocksRetentionPolicy",
                status: "Enabled",
                filter: {},
                expiration: { expiredObjectDeleteMarker: true },
                noncurrentVersionExpiration: { noncurrentDays: 60 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
        ]);
        assert.ok(lifecycle.dependencies.map(nameOf).includes("backup-bucket-versioning"), "lifecycle waits for versioning");
        assert.deepEqual(byName("backup-bucket-encryption").inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        const publicAccess = byName("backup-bucket-public-access");
        // Deleting the block (a destroy, a rename) would let a policy or ACL open every backup.
        assert.equal(publicAccess.protect, true, "the public access block is protected");
        assert.equal(publicAccess.retainOnDelete, true, "the public access block is retained on delete");
        assert.deepEqual(publicAccess.inputs, {
            bucket: "hopsworks-backups",
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        const provider = byName("backup-bucket-store");
        assert.equal(provider.inputs.region, "eu-north-1");
        for (const r of resources.filter((r) => r.type.startsWith("aws:s3"))) {
            // A provider reference is "<urn>::<id>".
            assert.ok(r.provider?.startsWith(`${provider.urn}::`), `${r.name} uses the store's provider`);
        }
    });

    it("adopts an existing bucket: no Bucket resource and no encryption resource, only its versioning and lifecycle", async () => {
        const c = awsConfig();
        Object.assign(c.storage, { create: false, replaceLifecycleRules: true });
        const { resources, byName } = await record(declare(c));
        assert.deepEqual(
            resources.filter((r) => r.type.startsWith("aws:s3")).map((r) => r.name),
            ["backup-bucket-versioning", "backup-bucket-lifecycle"],
        );
        assert.equal(byName("backup-bucket-versioning").inputs.bucket, "hopsworks-backups");
    });

    it("sets an adopted bucket's encryption only when storage.serverSideEncryption is given", async () => {
        const c = awsConfig();
        Object.assign(c.storage, { create: false, replaceLifecycleRules: true, serverSideEncryption: "aws:kms", kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/1234" });
        const { byName } = await record(declare(c));
        assert.deepEqual(byName("backup-bucket-encryption").inputs.rules, [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-north-1:123456789012:key/1234" }, bucketKeyEnabled: true },
        ]);
    });

    it("trusts a private CA through the provider's customCaBundle file", async () => {
        const plan = planBucket(readStackConfig(source(minioConfig())));
        const { byName } = await record(() => {
            new BackupBucket("backup-bucket", { ...plan, customCaBundle: "/project/.pulumi-ca/ca-0123456789abcdef.pem" });
        });
        assert.equal(byName("backup-bucket-store").inputs.customCaBundle, "/project/.pulumi-ca/ca-0123456789abcdef.pem");
    });

    it("points an S3-compatible store's provider at its endpoint with path style, the keys kept secret", async () => {
        const { byName, resources } = await record(declare(minioConfig()));
        const provider = byName("backup-bucket-store");
        assert.deepEqual(
            { ...provider.inputs, version: undefined },
            {
                region: "us-east-1",
                endpoints: JSON.stringify([{ s3: "https://minio.example.com:9000" }]),
                s3UsePathStyle: "true",
                insecure: "false",
                accessKey: REDACTED,
                secretKey: REDACTED,
                skipCredentialsValidation: "true",
                skipRequestingAccountId: "true",
                skipMetadataApiCheck: "true",
                skipRegionValidation: "true",
                version: undefined,
            },
        );
        assert.deepEqual(provider.secretPaths.sort(), ["accessKey", "secretKey"]);
        assert.ok(!resources.some((r) => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"));
        assert.ok(!JSON.stringify(resources).includes("test-secret-key"));
    });
});
