import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planStack } from "../../../stacks/plan/stack-plan";
import { judgeVault } from "../../../stacks/plan/vault-check";
import { planVault, replicationPolicy } from "../../../stacks/plan/vault";
import { irsaConfig, minioConfig, source, vaultConfig } from "../../support/stacks";

const plan = (values: Record<string, any>) => planVault(readStackConfig(source(values)))!;

describe("vault plan (stacks/plan/vault.ts)", () => {
    it("locks every version for objectLock.days, expires noncurrent ones only after it, encrypts and blocks public access", () => {
        const c = vaultConfig();
        c.vault.objectLock.days = 90;
        const vault = plan(c);
        assert.deepEqual(vault.settings, {
            Versioning: { Status: "Enabled" },
            ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 90 } } },
            LifecycleConfiguration: {
                Rules: [
                    {
                        ID: "VaultNoncurrentAfterRetention",
                        Status: "Enabled",
                        Filter: {},
                        Expiration: { ExpiredObjectDeleteMarker: true },
                        NoncurrentVersionExpiration: { NoncurrentDays: 90 },
                        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
                    },
                ],
            },
            ServerSideEncryption: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
        });
        assert.equal(vault.blockPublicAccess, true);
    });

    it("keeps noncurrent versions at least as long as the primary does (backup.noncurrentVersionDays)", () => {
        const c = vaultConfig();
        c.backup = { noncurrentVersionDays: 120 };
        assert.equal(plan(c).settings.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration.NoncurrentDays, 120);
    });

    it("replicates the whole bucket without delete markers, with a role of exactly the permissions FACTS lists", () => {
        const { replication } = plan(vaultConfig());
        assert.equal(replication.declared, true);
        assert.deepEqual(replication.configuration, {
            Role: "arn:aws:iam::123456789012:role/hopsworks-dr-test-vault-replication",
            Rules: [
                {
                    ID: "hopsworks-dr-vault",
                    Priority: 1,
                    Status: "Enabled",
                    Filter: { Prefix: "" },
                    DeleteMarkerReplication: { Status: "Disabled" },
                    // Replication Time Control and metrics by default: the lag check and the CloudWatch alarms rely on them.
                    Destination: {
                        Bucket: "arn:aws:s3:::hopsworks-vault",
                        ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } },
                        Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
                    },
                },
            ],
        });
        assert.ok(replication.role.create);
        assert.deepEqual(replication.role.trustPolicy.Statement, [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        assert.deepEqual(
            replication.role.policy.Statement.map((s) => [s.Action, s.Resource]),
            [
                [["s3:GetReplicationConfiguration", "s3:ListBucket"], ["arn:aws:s3:::hopsworks-backups"]],
                [["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"], ["arn:aws:s3:::hopsworks-backups/*"]],
                [["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], ["arn:aws:s3:::hopsworks-vault/*"]],
            ],
        );
        assert.deepEqual(replication.role.policy, replicationPolicy("hopsworks-backups", "hopsworks-vault"));
    });

    it("hands the copies to the vault's account when the vault is in another one, and uses an existing replication role when named", () => {
        const c = irsaConfig();
        c.vault = { bucket: "hopsworks-vault", region: "eu-west-1", providerRoleArn: "arn:aws:iam::210987654321:role/vault", objectLock: { mode: "GOVERNANCE" }, replication: { roleArn: "arn:aws:iam::123456789012:role/repl" } };
        const { replication } = plan(c);
        assert.deepEqual(replication.role, { create: false, arn: "arn:aws:iam::123456789012:role/repl" });
        assert.deepEqual(replication.configuration.Rules[0].Destination, {
            Bucket: "arn:aws:s3:::hopsworks-vault",
            Account: "210987654321",
            AccessControlTranslation: { Owner: "Destination" },
            ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } },
            Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
        });
    });

    it("leaves the replication to the primary's owner, with a warning, when the stack does not manage the primary", () => {
        const c = minioConfig();
        c.storage.manage = false;
        c.vault = { bucket: "hopsworks-vault", region: "dr", endpoint: "https://minio.dr.example.com", accessKeyId: "k", secretAccessKey: "s", objectLock: { mode: "GOVERNANCE" } };
        const stackPlan = planStack(readStackConfig(source(c)));
        assert.equal(stackPlan.vault?.replication.declared, false);
        assert.equal(stackPlan.vault?.settings.ServerSideEncryption, undefined, "MinIO refuses SSE-S3 without a KMS");
        assert.match(stackPlan.warnings[0], /^vault hopsworks-vault: the stack does not declare the replication from bucket hopsworks-test \(storage\.manage is false\): its owner must apply the render's vault\.json ReplicationConfiguration/);
    });
});

describe("vault plan: replication left to the store's owner", () => {
    it("does not declare a replication from an AWS primary into a vault on an S3-compatible store, and says why", () => {
        const c = vaultConfig();
        Object.assign(c.vault, { endpoint: "https://minio.dr.example.com", region: "dr", accessKeyId: "k", secretAccessKey: "s" });
        const stackPlan = planStack(readStackConfig(source(c)));
        assert.equal(stackPlan.vault?.replication.declared, false);
        assert.match(stackPlan.warnings[0], /\(the vault is on the S3-compatible store at https:\/\/minio\.dr\.example\.com, which AWS S3 cannot replicate to\)/);
    });
});

describe("vault check (stacks/plan/vault-check.ts)", () => {
    const vault = () => {
        const c = vaultConfig();
        c.vault.manage = false;
        return plan(c);
    };
    const locked = (Mode: string, Days: number) => ({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode, Days } } });

    it("accepts a versioned vault locked in COMPLIANCE for at least the retention", () => {
        const result = judgeVault(vault(), { Status: "Enabled" }, locked("COMPLIANCE", 60), null);
        assert.deepEqual(result.problems, []);
        assert.equal(result.found, "versioning Enabled; Object Lock Enabled, default retention COMPLIANCE 60 days; 0 lifecycle rule(s)");
    });

    it("refuses a vault without Object Lock, with a shorter or weaker retention, unversioned, or expiring current objects", () => {
        const messages = (...args: Parameters<typeof judgeVault> extends [unknown, ...infer R] ? R : never) => judgeVault(vault(), ...args).problems.map((p) => p.message);
        assert.match(messages({ Status: "Enabled" }, null, null)[0], /^hopsworks-dr:vault\.bucket = "hopsworks-vault" \(vault\.manage: false\): Object Lock is off/);
        assert.match(messages({ Status: "Enabled" }, locked("COMPLIANCE", 30), null)[0], /its default retention is 30 days, less than vault\.objectLock\.days 60/);
        assert.match(messages({ Status: "Enabled" }, locked("GOVERNANCE", 60), null)[0], /default retention mode is "GOVERNANCE", weaker than vault\.objectLock\.mode COMPLIANCE/);
        assert.match(messages({ Status: "Suspended" }, locked("COMPLIANCE", 60), null)[0], /its versioning is "Suspended"/);
        assert.match(messages({ Status: "Enabled" }, locked("COMPLIANCE", 60), { Rules: [{ ID: "x", Status: "Enabled", Filter: {}, Expiration: { Days: 5 } }] })[0], /lifecycle rule "x" expires current objects/);
    });
});
