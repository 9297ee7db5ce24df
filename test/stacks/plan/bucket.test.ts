import assert from "assert/strict";
import { bucketWarnings, planBucket } from "../../../stacks/plan/bucket";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { awsConfig, minioConfig, source } from "../../support/stacks";

const plan = (values: Record<string, any>) => planBucket(readStackConfig(source(values)));

describe("bucket plan", () => {
    it("keeps noncurrent versions as long as the ttl, never expires current objects, never counts versions; on AWS S3 aborts stale uploads", () => {
        const c = awsConfig();
        c.backup = { ttl: "45d" };
        const [rule] = plan(c).lifecycle.Rules;
        assert.deepEqual(rule, {
            ID: "HopsFSBlocksRetentionPolicy",
            Status: "Enabled",
            Filter: {},
            Expiration: { ExpiredObjectDeleteMarker: true },
            NoncurrentVersionExpiration: { NoncurrentDays: 45 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        });
        assert.equal(plan(c).lifecycle.Rules.length, 1);
    });

    it("declares for an S3-compatible store only the rules it supports: no AbortIncompleteMultipartUpload, which MinIO refuses", () => {
        const c = minioConfig();
        c.backup = { ttl: "45d" };
        assert.deepEqual(plan(c).lifecycle.Rules, [
            {
                ID: "HopsFSBlocksRetentionPolicy",
                Status: "Enabled",
                Filter: {},
                Expiration: { ExpiredObjectDeleteMarker: true },
                NoncurrentVersionExpiration: { NoncurrentDays: 45 },
            },
        ]);
    });

    it("warns that a bucket managed on an S3-compatible store may never converge, naming storage.manage: false; not on AWS, nor with manage false", () => {
        const warnings = bucketWarnings(readStackConfig(source(minioConfig())));
        assert.equal(warnings.length, 1);
        assert.match(
            warnings[0],
            /^storage\.manage is true with the S3-compatible store at storage\.endpoint https:\/\/minio\.example\.com:9000: .*lifecycle resource .* may never converge on MinIO or Ceph .*Set storage\.manage: false /,
        );
        assert.deepEqual(bucketWarnings(readStackConfig(source(awsConfig()))), []);
        const unmanaged = minioConfig();
        unmanaged.storage.manage = false;
        assert.deepEqual(bucketWarnings(readStackConfig(source(unmanaged))), []);
    });

    it("points the bucket's provider at storage.apiEndpoint when set, else at storage.endpoint; none on AWS", () => {
        assert.equal(plan(minioConfig()).endpoint, "https://minio.example.com:9000");
        const c = minioConfig();
        c.storage.apiEndpoint = "https://minio.ci.example.com";
        assert.equal(plan(c).endpoint, "https://minio.ci.example.com");
        assert.equal(plan(awsConfig()).endpoint, undefined);
    });

    it("uses noncurrentVersionDays when it is longer than the ttl", () => {
        const c = minioConfig();
        c.backup = { ttl: "30d", noncurrentVersionDays: 90 };
        assert.equal(plan(c).lifecycle.Rules[0].NoncurrentVersionExpiration.NoncurrentDays, 90);
    });

    it("encrypts AWS buckets with AES256 and blocks public access on buckets it creates", () => {
        const p = plan(awsConfig());
        assert.deepEqual(p.serverSideEncryption, { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] });
        assert.equal(p.blockPublicAccess, true);
        assert.deepEqual(p.versioning, { Status: "Enabled" });
    });

    it("encrypts with the KMS key, with a bucket key, when one is given", () => {
        const c = awsConfig();
        c.storage.kmsKeyArn = "arn:aws:kms:eu-north-1:123456789012:key/1234";
        assert.deepEqual(plan(c).serverSideEncryption, {
            Rules: [
                {
                    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "arn:aws:kms:eu-north-1:123456789012:key/1234" },
                    BucketKeyEnabled: true,
                },
            ],
        });
    });

    it("leaves an adopted bucket's public access and encryption alone, and an S3-compatible store's encryption", () => {
        const adopted = awsConfig();
        Object.assign(adopted.storage, { create: false, replaceLifecycleRules: true });
        assert.equal(plan(adopted).blockPublicAccess, false);
        assert.equal(plan(adopted).create, false);
        assert.equal(plan(adopted).serverSideEncryption, undefined, "an adopted bucket keeps its own default encryption");
        adopted.storage.serverSideEncryption = "AES256";
        assert.deepEqual(plan(adopted).serverSideEncryption, { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] }, "unless it is set explicitly");
        const minio = plan(minioConfig());
        assert.equal(minio.serverSideEncryption, undefined);
        assert.equal(minio.blockPublicAccess, false);
        assert.equal(minio.endpoint, "https://minio.example.com:9000");
    });
});
