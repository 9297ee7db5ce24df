import assert from "assert/strict";
import { planBucket } from "../../../stacks/plan/bucket";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { awsConfig, minioConfig, source } from "../../support/stacks";

const plan = (values: Record<string, any>) => planBucket(readStackConfig(source(values)));

describe("bucket plan", () => {
    it("keeps noncurrent versions as long as the ttl, never expires current objects, never counts versions", () => {
        const c = minioConfig();
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
