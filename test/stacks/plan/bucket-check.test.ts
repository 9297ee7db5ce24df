import assert from "assert/strict";
import { BucketCheckPlan, judgeBucket, judgeObjectLock, LifecycleRuleResponse, planBucketCheck, ruleScope, unreadableBucket } from "../../../stacks/plan/bucket-check";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { awsConfig, minioConfig, source } from "../../support/stacks";

const PLAN: BucketCheckPlan = {
    bucket: "hopsworks-test",
    region: "us-east-1",
    endpoint: "https://minio.example.com:9000",
    forcePathStyle: true,
    insecureSkipTLSVerify: false,
    ttl: "60d",
    ttlDays: 60,
    requirement: "-",
};
const ENABLED = { Status: "Enabled" };
/** The manual's rule (Cleanup section), as GetBucketLifecycleConfiguration returns it. */
const MANUAL_RULE: LifecycleRuleResponse = {
    ID: "HopsFSBlocksRetentionPolicy",
    Status: "Enabled",
    Filter: {},
    Expiration: { ExpiredObjectDeleteMarker: true },
    NoncurrentVersionExpiration: { NoncurrentDays: 60 },
};
const rule = (changes: Partial<LifecycleRuleResponse>): LifecycleRuleResponse => ({ ...MANUAL_RULE, ...changes });
const messages = (versioning: object, rules: LifecycleRuleResponse[] | null, plan = PLAN) =>
    judgeBucket(plan, versioning, rules === null ? null : { Rules: rules }).problems.map((p) => p.message);
const PREFIX = 'hopsworks-dr:storage.bucket = "hopsworks-test" (storage.manage: false): ';

describe("the check of a bucket managed outside the stack", () => {
    it("is planned only with storage.manage: false, reaching the store at storage.apiEndpoint", () => {
        assert.equal(planBucketCheck(readStackConfig(source(minioConfig()))), undefined);
        const c = minioConfig();
        Object.assign(c.storage, { manage: false, apiEndpoint: "https://minio.ci.example.com" });
        c.backup = { ttl: "721h" };
        const plan = planBucketCheck(readStackConfig(source(c)))!;
        assert.deepEqual({ ...plan, requirement: undefined }, {
            bucket: "hopsworks-test",
            region: "us-east-1",
            endpoint: "https://minio.ci.example.com",
            forcePathStyle: true,
            insecureSkipTLSVerify: false,
            caCert: undefined,
            ttl: "721h",
            ttlDays: 31,
            checksumAlgorithm: "",
            requirement: undefined,
        });
        assert.equal(
            plan.requirement,
            "bucket hopsworks-test (managed outside the stack) has versioning Enabled, and no enabled lifecycle rule for the whole bucket " +
                "deletes noncurrent versions younger than 31 days (backup.ttl 721h) or expires current objects (without a rule that expires " +
                "noncurrent versions they are kept forever, which only warns of the cost)",
        );
        const aws = awsConfig();
        aws.storage.manage = false;
        assert.equal(planBucketCheck(readStackConfig(source(aws)))!.endpoint, undefined, "AWS S3: no endpoint, the default credential chain");
    });

    it("refuses the location's checksum off (\"\") on a bucket with Object Lock, which refuses such uploads", () => {
        const locked = { ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } };
        assert.deepEqual(judgeObjectLock({ ...PLAN, checksumAlgorithm: "" }, locked), {
            key: "storage.checksumAlgorithm",
            message:
                'hopsworks-dr:storage.checksumAlgorithm = "": bucket hopsworks-test has Object Lock, which refuses an upload without a checksum, ' +
                'so every Velero backup would fail; set storage.checksumAlgorithm to "CRC32" (or CRC32C, SHA1, SHA256)',
        });
        assert.equal(judgeObjectLock({ ...PLAN, checksumAlgorithm: "CRC32" }, locked), undefined);
        assert.equal(judgeObjectLock({ ...PLAN, checksumAlgorithm: "" }, null), undefined, "no Object Lock");
        assert.equal(judgeObjectLock({ ...PLAN }, locked), undefined, "AWS: the plugin's default checksum");
    });

    it("accepts versioning Enabled with the manual's lifecycle rule, and says what it found", () => {
        const result = judgeBucket(PLAN, ENABLED, { Rules: [MANUAL_RULE] });
        assert.deepEqual(result.problems, []);
        assert.deepEqual(result.warnings, []);
        assert.equal(result.found, 'versioning Enabled; lifecycle rule "HopsFSBlocksRetentionPolicy" for the whole bucket keeps noncurrent versions 60 days');
    });

    it("accepts noncurrent versions kept longer than the ttl, or forever (no NoncurrentVersionExpiration)", () => {
        assert.deepEqual(messages(ENABLED, [rule({ NoncurrentVersionExpiration: { NoncurrentDays: 365 } })]), []);
        assert.deepEqual(messages(ENABLED, [{ ID: "abort-uploads", Status: "Enabled", Filter: { Prefix: "" } }]), []);
        assert.deepEqual(messages(ENABLED, [rule({ NoncurrentVersionExpiration: { NoncurrentDays: 60, NewerNoncurrentVersions: 5 } })]), [], "count and age: kept 60 days at least");
    });

    it("refuses versioning Suspended, or never enabled, saying what it found", () => {
        assert.deepEqual(messages({ Status: "Suspended" }, [MANUAL_RULE]), [
            PREFIX +
                'its versioning is "Suspended", but HopsFS backups are the noncurrent versions of its blocks, so it must be "Enabled" ' +
                "(aws s3api put-bucket-versioning --bucket hopsworks-test --versioning-configuration Status=Enabled), or set storage.manage: true to let the stack manage it",
        ]);
        assert.match(messages({}, [MANUAL_RULE])[0], /its versioning is not enabled \(never turned on\)/);
    });

    it("accepts a versioned bucket without a lifecycle configuration (the manual's rule is optional), warning of the cost of keeping every version", () => {
        const result = judgeBucket(PLAN, ENABLED, null);
        assert.deepEqual(result.problems, []);
        assert.deepEqual(result.warnings, [
            "bucket hopsworks-test (storage.manage: false) has no lifecycle configuration (NoSuchLifecycleConfiguration): every noncurrent " +
                "version (each HopsFS block overwritten or deleted, the objects of each expired backup) and every delete marker is kept forever, " +
                "so the bucket's storage, and its bill, grow without bound. The manual calls the rule optional; to bound the cost add one for the " +
                "whole bucket that keeps noncurrent versions at least 60 days (backup.ttl 60d), e.g. the manual's rule HopsFSBlocksRetentionPolicy: " +
                "Filter {}, Status Enabled, NoncurrentVersionExpiration.NoncurrentDays 60",
        ]);
        assert.equal(result.found, "versioning Enabled; no lifecycle configuration");
    });

    it("still refuses a bucket whose only rule deletes versions younger than the ttl, and does not warn of the cost then", () => {
        const result = judgeBucket(PLAN, ENABLED, { Rules: [rule({ NoncurrentVersionExpiration: { NoncurrentDays: 7 } })] });
        assert.equal(result.problems.length, 1);
        assert.match(result.problems[0].message, /keeps noncurrent versions 7 days/);
        assert.deepEqual(result.warnings, []);
    });

    it("refuses a whole-bucket rule that keeps noncurrent versions shorter than the ttl, naming the rule and the days", () => {
        const [message] = messages(ENABLED, [rule({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]);
        assert.equal(
            message,
            PREFIX +
                'its lifecycle rule "HopsFSBlocksRetentionPolicy" applies to the whole bucket and keeps noncurrent versions 30 days: HopsFS blocks that ' +
                "backups still need would be deleted first. Noncurrent versions must be kept at least 60 days (backup.ttl 60d): set " +
                "NoncurrentVersionExpiration.NoncurrentDays to 60 or more, or shorten backup.ttl",
        );
        assert.match(messages(ENABLED, [rule({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })], { ...PLAN, ttl: "721h", ttlDays: 31 })[0], /keeps noncurrent versions 30 days.*at least 31 days \(backup\.ttl 721h\)/);
    });

    it("refuses NewerNoncurrentVersions alone: it deletes by count, whatever the age", () => {
        const [message] = messages(ENABLED, [rule({ NoncurrentVersionExpiration: { NewerNoncurrentVersions: 3 } })]);
        assert.match(message, /deletes noncurrent versions by count \(NewerNoncurrentVersions 3\), whatever their age.*\(NewerNoncurrentVersions alone is not enough\)/);
    });

    it("refuses a shorter whole-bucket rule even beside a good one: the earliest expiration wins", () => {
        const problems = messages(ENABLED, [MANUAL_RULE, { ID: "cost", Status: "Enabled", NoncurrentVersionExpiration: { NoncurrentDays: 7 } }]);
        assert.equal(problems.length, 1);
        assert.match(problems[0], /lifecycle rule "cost" applies to the whole bucket and keeps noncurrent versions 7 days/);
    });

    it("refuses a whole-bucket rule that expires current objects", () => {
        assert.deepEqual(messages(ENABLED, [rule({ Expiration: { Days: 365 } })]), [
            PREFIX + 'its lifecycle rule "HopsFSBlocksRetentionPolicy" applies to the whole bucket and expires current objects (Expiration.Days 365): ' +
                "live HopsFS blocks would be deleted; remove Expiration.Days and Expiration.Date",
        ]);
    });

    it("does not count disabled rules or rules limited to a prefix, tag or size: it warns of the cost, listing what it found", () => {
        const rules: LifecycleRuleResponse[] = [
            rule({ Status: "Disabled" }),
            rule({ ID: "backups-only", Filter: { Prefix: "k8s_backup/" } }),
            rule({ ID: "tagged", Filter: { Tag: { Key: "keep", Value: "yes" } } }),
            rule({ ID: "big", Filter: { ObjectSizeGreaterThan: 1024 } }),
        ];
        const result = judgeBucket(PLAN, ENABLED, { Rules: rules });
        assert.deepEqual(result.problems, []);
        assert.equal(result.warnings.length, 1);
        assert.ok(
            result.warnings[0].startsWith(
                "bucket hopsworks-test (storage.manage: false) has no enabled lifecycle rule for the whole bucket (found: " +
                    'lifecycle rule "HopsFSBlocksRetentionPolicy" (Disabled) for the whole bucket keeps noncurrent versions 60 days; ' +
                    'lifecycle rule "backups-only" for prefix "k8s_backup/" keeps noncurrent versions 60 days; ' +
                    'lifecycle rule "tagged" for tag keep=yes keeps noncurrent versions 60 days; ' +
                    'lifecycle rule "big" for objects larger than 1024 bytes keeps noncurrent versions 60 days): every noncurrent version ',
            ),
            result.warnings[0],
        );
        const none = judgeBucket(PLAN, ENABLED, { Rules: [] });
        assert.deepEqual(none.problems, []);
        assert.match(none.warnings[0], /has no enabled lifecycle rule for the whole bucket \(found: no rules\): .*kept forever/);
    });

    it("only warns about a rule limited to a prefix that deletes noncurrent versions sooner", () => {
        const result = judgeBucket(PLAN, ENABLED, { Rules: [MANUAL_RULE, { ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] });
        assert.deepEqual(result.problems, []);
        assert.deepEqual(result.warnings, [
            'bucket hopsworks-test: lifecycle rule "tmp" for prefix "tmp/" keeps noncurrent versions 1 days, less than at least 60 days (backup.ttl 60d): ' +
                "make sure no HopsFS or backup data is stored there",
        ]);
    });

    it("reads an empty prefix, in the filter, in And or on the rule (the deprecated form), as the whole bucket", () => {
        assert.equal(ruleScope({ Filter: { Prefix: "" } }), undefined);
        assert.equal(ruleScope({ Prefix: "" }), undefined);
        assert.equal(ruleScope({ Filter: { And: { Prefix: "" } } }), undefined);
        assert.equal(ruleScope({}), undefined);
        assert.equal(ruleScope({ Prefix: "hopsfs/" }), 'prefix "hopsfs/"');
        assert.equal(ruleScope({ Filter: { And: { Prefix: "a/", Tags: [{ Key: "k", Value: "v" }] } } }), 'prefix "a/", 1 tag(s)');
    });

    it("says why it could not read the bucket and with which credentials", () => {
        assert.equal(
            unreadableBucket(PLAN, "versioning", { name: "AccessDenied", message: "Access Denied." }).message,
            PREFIX +
                "the check could not read the bucket's versioning at https://minio.example.com:9000: AccessDenied: Access Denied. It reads it with the stack's " +
                "storage.accessKeyId and storage.secretAccessKey, which need s3:GetBucketVersioning and s3:GetLifecycleConfiguration on the bucket",
        );
        assert.match(
            unreadableBucket({ ...PLAN, endpoint: undefined, region: "eu-north-1" }, "lifecycle configuration", { name: "CredentialsProviderError", message: "Could not load credentials" }).message,
            /could not read the bucket's lifecycle configuration on AWS S3 in eu-north-1: CredentialsProviderError: Could not load credentials\. It reads it with the AWS credentials of the machine running pulumi/,
        );
    });
});
