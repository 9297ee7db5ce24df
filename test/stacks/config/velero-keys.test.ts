import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planBucketPolicy } from "../../../stacks/plan/bucket-policy";
import { planStack, veleroKeysOf } from "../../../stacks/plan/stack-plan";
import { Case, refusals } from "../../support/config";
import { awsConfig, BREAK_GLASS, minioConfig, source } from "../../support/stacks";

const invalid: Case[] = [
    [
        "a managed S3-compatible bucket without Velero's own keys",
        minioConfig,
        (c) => { delete c.storage.veleroAccessKeyId; delete c.storage.veleroSecretAccessKey; },
        "storage.veleroAccessKeyId",
        /^hopsworks-dr:storage\.veleroAccessKeyId is required when the stack manages a bucket on an S3-compatible store \(storage\.manage: true\): Velero gets its own keys, never storage\.accessKeyId and storage\.secretAccessKey, .*pulumi config set --secret --path storage\.veleroAccessKeyId -s test, which prompts for the value/,
    ],
    ["Velero's keys equal to the provider's", minioConfig, (c) => (c.storage.veleroAccessKeyId = c.storage.accessKeyId), "storage.veleroAccessKeyId", /^hopsworks-dr:storage\.veleroAccessKeyId is storage\.accessKeyId: Velero's keys must belong to another store identity than the provider's/],
    ["half of Velero's pair", minioConfig, (c) => delete c.storage.veleroSecretAccessKey, "storage.veleroSecretAccessKey", /is required with the other key of Velero's pair/],
    ["Velero's keys on AWS", awsConfig, (c) => Object.assign(c.storage, { veleroAccessKeyId: "a", veleroSecretAccessKey: "b" }), "storage.veleroAccessKeyId", /applies only to S3-compatible stores/],
    [
        "a created bucket without break-glass principals",
        awsConfig,
        (c) => delete c.storage.breakGlassPrincipals,
        "storage.breakGlassPrincipals",
        /^hopsworks-dr:storage\.breakGlassPrincipals is required with the stack's bucket policy on the bucket it creates, which denies s3:DeleteObjectVersion and changes to versioning, lifecycle, Object Lock and the policy to every principal but these: .*including the identity that runs `pulumi up`/,
    ],
    ["an adopted bucket's policy without break-glass principals", awsConfig, (c) => { delete c.storage.breakGlassPrincipals; Object.assign(c.storage, { create: false, replaceLifecycleRules: true, replaceBucketPolicy: true }); }, "storage.breakGlassPrincipals", /is required with the stack's bucket policy on adopted bucket hopsworks-backups \(storage\.replaceBucketPolicy: true\)/],
    ["a break-glass principal that is no ARN", awsConfig, (c) => (c.storage.breakGlassPrincipals = ["admin"]), "storage.breakGlassPrincipals[0]", /= "admin": must be an IAM principal ARN/],
    ["Velero's role as a break-glass principal", awsConfig, (c) => c.storage.breakGlassPrincipals.push(c.storage.iamRoleArn), "storage.breakGlassPrincipals", /names Velero's role \(storage\.iamRoleArn arn:aws:iam::123456789012:role\/velero\): Velero must never be able to delete versions/],
    ["replaceBucketPolicy on a bucket the stack creates", awsConfig, (c) => (c.storage.replaceBucketPolicy = true), "storage.replaceBucketPolicy", /applies only to an adopted bucket \(storage\.create: false\): a bucket the stack creates always gets the stack's policy; remove it/],
    ["replaceBucketPolicy with manage false", minioConfig, (c) => Object.assign(c.storage, { manage: false, replaceBucketPolicy: true }), "storage.replaceBucketPolicy", /applies only when the stack manages the bucket/],
];

describe("Velero's own keys and the bucket policy (issue 19, item 2)", () => {
    refusals(invalid);

    it("needs no Velero pair for a bucket managed outside the stack (the drill's set-up), and takes one when given", () => {
        const c = minioConfig();
        delete c.storage.veleroAccessKeyId;
        delete c.storage.veleroSecretAccessKey;
        c.storage.manage = false;
        assert.equal(readStackConfig(source(c)).storage.veleroCredentials, undefined);
    });

    it("denies requests without TLS, and version deletion and retention changes to all but the break-glass principals", () => {
        const policy = planBucketPolicy(readStackConfig(source(awsConfig())));
        assert.deepEqual(policy, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DenyRequestsWithoutTLS",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::hopsworks-backups", "arn:aws:s3:::hopsworks-backups/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
                {
                    Sid: "OnlyBreakGlassDeletesVersionsOrChangesRetention",
                    Effect: "Deny",
                    Principal: "*",
                    Action: ["s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
                    Resource: ["arn:aws:s3:::hopsworks-backups", "arn:aws:s3:::hopsworks-backups/*"],
                    Condition: { ArnNotLike: { "aws:PrincipalArn": [BREAK_GLASS] } },
                },
            ],
        });
    });

    it("leaves the TLS statement out over a plain http:// store, where it would deny every request", () => {
        const c = minioConfig();
        c.storage.endpoint = "http://minio.minio.svc.cluster.local:9000";
        const policy = planBucketPolicy(readStackConfig(source(c)))!;
        assert.deepEqual(policy.Statement.map((s) => s.Sid), ["OnlyBreakGlassDeletesVersionsOrChangesRetention"]);
    });

    it("declares an adopted bucket's policy only with storage.replaceBucketPolicy, and warns when break-glass principals are set without it", () => {
        const adopted = awsConfig();
        Object.assign(adopted.storage, { create: false, replaceLifecycleRules: true });
        const without = planStack(readStackConfig(source(adopted)));
        assert.equal(without.bucket.policy, undefined);
        assert.match(without.warnings.join("\n"), /storage\.breakGlassPrincipals is set, but adopted bucket hopsworks-backups gets the stack's bucket policy only with storage\.replaceBucketPolicy: true/);
        adopted.storage.replaceBucketPolicy = true;
        const withAck = planStack(readStackConfig(source(adopted)));
        assert.equal(withAck.bucket.policy?.Statement.length, 2);
        assert.doesNotMatch(withAck.warnings.join("\n"), /breakGlassPrincipals/);
    });

    it("gives the location Velero's own keys, not the provider's, and the store's keys only to a bucket managed outside the stack", () => {
        const managed = veleroKeysOf(planStack(readStackConfig(source(minioConfig()))))!;
        assert.deepEqual([managed.accessKeyId.reveal(), managed.secretAccessKey.reveal()], ["AKIAVELEROKEY", "velero-secret-key"]);
        const c = minioConfig();
        Object.assign(c.storage, { manage: false, veleroAccessKeyId: undefined, veleroSecretAccessKey: undefined });
        const outside = veleroKeysOf(planStack(readStackConfig(source(c))))!;
        assert.equal(outside.accessKeyId.reveal(), "AKIATESTKEY");
    });
});
