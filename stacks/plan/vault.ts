import { createHash } from "crypto";
import { StackConfig } from "../config/stack-config";
import { isAwsS3 } from "../config/storage";
import { ObjectLockMode, VaultConfig } from "../config/vault";
import { ABORT_INCOMPLETE_UPLOAD_DAYS, EncryptionRule } from "./bucket";
import { PolicyDocument } from "./iam";

/** The vault's lifecycle rule and the primary's replication rule. */
export const VAULT_LIFECYCLE_RULE_ID = "VaultNoncurrentAfterRetention";
export const REPLICATION_RULE_ID = "hopsworks-dr-vault";

/** The vault's settings in the S3 API's JSON shapes (what `aws s3api put-bucket-*` take). */
export interface VaultBucketSettings {
    Versioning: { Status: "Enabled" };
    ObjectLockConfiguration: { ObjectLockEnabled: "Enabled"; Rule: { DefaultRetention: { Mode: ObjectLockMode; Days: number } } };
    LifecycleConfiguration: {
        Rules: {
            ID: string;
            Status: "Enabled";
            Filter: Record<string, never>;
            Expiration: { ExpiredObjectDeleteMarker: true };
            NoncurrentVersionExpiration: { NoncurrentDays: number };
            AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
        }[];
    };
    /** undefined on an S3-compatible store (MinIO and Ceph refuse SSE-S3 without a KMS). */
    ServerSideEncryption?: { Rules: EncryptionRule[] };
}

/** PutBucketReplication's ReplicationConfiguration, in the S3 API's JSON shape. */
export interface ReplicationConfiguration {
    Role: string;
    Rules: {
        ID: string;
        Priority: number;
        Status: "Enabled";
        Filter: { Prefix: "" };
        DeleteMarkerReplication: { Status: "Disabled" };
        Destination: {
            Bucket: string;
            Account?: string;
            AccessControlTranslation?: { Owner: "Destination" };
            ReplicationTime?: { Status: "Enabled"; Time: { Minutes: 15 } };
            Metrics: { Status: "Enabled"; EventThreshold?: { Minutes: 15 } };
        };
    }[];
}

export interface ReplicationPlan {
    /** Whether the stack declares the replication on the primary: it manages the primary, and both are on AWS S3. Otherwise vault.json is for the primary's owner. */
    declared: boolean;
    /** The role S3 assumes: created by the stack unless vault.replication.roleArn names one. */
    role: { create: true; name: string; policy: PolicyDocument; trustPolicy: PolicyDocument } | { create: false; arn: string };
    /** The role's ARN as far as the config tells it (the created role's, in the stack's account); the deployment uses the real one. */
    roleArn: string;
    configuration: ReplicationConfiguration;
}

/** Where the vault is and how it is reached, as its config says (`manage: false`: nothing is declared and stacks/plan/vault-check.ts reads it). */
export interface VaultPlan extends Pick<VaultConfig, "bucket" | "region" | "endpoint" | "forcePathStyle" | "credentials" | "providerRoleArn" | "manage"> {
    settings: VaultBucketSettings;
    /** Every public access blocked (AWS S3). */
    blockPublicAccess: boolean;
    replication: ReplicationPlan;
}

/** The vault and the primary's replication into it, or undefined without a vault. */
export function planVault(config: StackConfig): VaultPlan | undefined {
    const vault = config.vault;
    if (!vault) return undefined;
    const onAws = isAwsS3(vault);
    return {
        bucket: vault.bucket,
        region: vault.region,
        endpoint: vault.endpoint,
        forcePathStyle: vault.forcePathStyle,
        credentials: vault.credentials,
        providerRoleArn: vault.providerRoleArn,
        manage: vault.manage,
        settings: vaultSettings(config, vault, onAws),
        blockPublicAccess: onAws,
        replication: planReplication(config, vault),
    };
}

/**
 * Versioning and Object Lock's default retention lock every version for objectLock.days. The
 * lifecycle rule expires a noncurrent version only once it is past its retention (NoncurrentDays
 * counts from when it became noncurrent, which is never before it was written) and no sooner than
 * the primary keeps its own (backup.noncurrentVersionDays); it never expires current objects:
 * a live HopsFS block is current in the vault too.
 */
function vaultSettings(config: StackConfig, vault: VaultConfig, onAws: boolean): VaultBucketSettings {
    const { mode, days } = vault.objectLock;
    return {
        Versioning: { Status: "Enabled" },
        ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: mode, Days: days } } },
        LifecycleConfiguration: {
            Rules: [
                {
                    ID: VAULT_LIFECYCLE_RULE_ID,
                    Status: "Enabled",
                    Filter: {},
                    Expiration: { ExpiredObjectDeleteMarker: true },
                    NoncurrentVersionExpiration: { NoncurrentDays: Math.max(days, config.backup.noncurrentVersionDays) },
                    ...(onAws ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS } } : {}),
                },
            ],
        },
        ...(onAws
            ? {
                  ServerSideEncryption: {
                      Rules: [
                          vault.kmsKeyArn
                              ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: vault.kmsKeyArn }, BucketKeyEnabled: true }
                              : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
                      ],
                  },
              }
            : {}),
    };
}

const ARN_ACCOUNT = /^arn:(aws[a-z-]*):iam::(\d{12}):/;

/** The stack's AWS account and partition, from Velero's role or the cluster's OIDC provider (on AWS one of them is set). */
function stackAccount(config: StackConfig): { partition: string; account: string } | undefined {
    const arn = config.storage.iamRoleArn ?? config.storage.irsa?.oidcProviderArn;
    const match = arn ? ARN_ACCOUNT.exec(arn) : null;
    return match ? { partition: match[1], account: match[2] } : undefined;
}

/** `<project>-<stack>-vault-replication`, cut to IAM's 64 characters with a hash of the whole. */
export function replicationRoleName(config: StackConfig): string {
    const given = config.vault?.replication.roleName;
    if (given) return given;
    const full = `${config.project}-${config.stack}-vault-replication`.replace(/[^\w+=,.@-]/g, "-");
    if (full.length <= 64) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
    return `${full.slice(0, 64 - hash.length - 1)}-${hash}`;
}

/**
 * Exactly what S3 needs to replicate (FACTS, "Object Lock and replication"): read the source's
 * replication configuration and list it; read each version with its ACL, tags, retention and
 * legal hold; replicate objects, deletes and tags into the vault. Nothing else: the role cannot
 * delete a version anywhere (s3:ReplicateDelete only writes delete markers, which the rule never sends).
 */
export function replicationPolicy(source: string, vault: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [`arn:aws:s3:::${source}`] },
            {
                Effect: "Allow",
                Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
                Resource: [`arn:aws:s3:::${source}/*`],
            },
            { Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [`arn:aws:s3:::${vault}/*`] },
        ],
    };
}

const S3_TRUST: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/**
 * Replication metrics always (the CloudWatch alarms of docs/config.md read them); with Replication
 * Time Control, S3's 15-minute objective, which `backups status --vault-lag` (20 minutes) assumes,
 * and the event when an object misses it.
 */
function timeControl(enabled: boolean): Pick<ReplicationConfiguration["Rules"][number]["Destination"], "ReplicationTime" | "Metrics"> {
    if (!enabled) return { Metrics: { Status: "Enabled" } };
    return { ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } }, Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } } };
}

/**
 * One rule for the whole bucket (Filter Prefix ""): HopsFS data, k8s_backup/, rondb_backup/,
 * OpenSearch snapshots and superset_backup/ alike. A V2 rule (with a Filter) replicates no delete
 * marker when DeleteMarkerReplication is Disabled, so a deletion in the primary never reaches the
 * vault. Replication keeps version IDs. Into another account, the vault's account owns the copies.
 */
function planReplication(config: StackConfig, vault: VaultConfig): ReplicationPlan {
    const { storage } = config;
    const name = replicationRoleName(config);
    const account = stackAccount(config);
    const roleArn = vault.replication.roleArn ?? `arn:${account?.partition ?? "aws"}:iam::${account?.account ?? "<the stack's account>"}:role/${name}`;
    const vaultAccount = vault.providerRoleArn ? ARN_ACCOUNT.exec(vault.providerRoleArn)?.[2] : undefined;
    const otherAccount = vaultAccount !== undefined && vaultAccount !== account?.account;
    return {
        // S3 replicates only between AWS buckets: a store's own replication (MinIO's remote targets) is set up by its owner.
        declared: storage.manage && isAwsS3(storage) && isAwsS3(vault),
        role: vault.replication.roleArn
            ? { create: false, arn: vault.replication.roleArn }
            : { create: true, name, policy: replicationPolicy(storage.bucket, vault.bucket), trustPolicy: S3_TRUST },
        roleArn,
        configuration: {
            Role: roleArn,
            Rules: [
                {
                    ID: REPLICATION_RULE_ID,
                    Priority: 1,
                    Status: "Enabled",
                    Filter: { Prefix: "" },
                    DeleteMarkerReplication: { Status: "Disabled" },
                    Destination: {
                        Bucket: `arn:aws:s3:::${vault.bucket}`,
                        ...(otherAccount ? { Account: vaultAccount, AccessControlTranslation: { Owner: "Destination" as const } } : {}),
                        ...timeControl(vault.replication.timeControl),
                    },
                },
            ],
        },
    };
}

/** Said in plan.txt and vault.json: what the replication rule does not do. */
export const EXISTING_OBJECTS_NOTE =
    "replication copies only versions written after it is switched on: objects already in the primary (earlier backups, HopsFS " +
    "blocks) are not copied by the rule. Copy them once with S3 Batch Replication (aws s3control create-job --operation " +
    "'{\"S3ReplicateObject\":{}}' with a manifest generated from the replication configuration, docs/config.md \"Vault\"), " +
    "then check that the newest restore point's objects are in the vault";

/** Warnings about a vault the plan cannot fix: the replication left to the primary's owner. */
export function vaultWarnings(config: StackConfig, plan: VaultPlan | undefined): string[] {
    if (!plan || plan.replication.declared) return [];
    const why = !config.storage.manage
        ? "storage.manage is false"
        : !isAwsS3(config.storage)
          ? `the primary is on the S3-compatible store at ${config.storage.endpoint}`
          : `the vault is on the S3-compatible store at ${plan.endpoint}, which AWS S3 cannot replicate to`;
    return [
        `vault ${plan.bucket}: the stack does not declare the replication from bucket ${config.storage.bucket} (${why}): its owner must ` +
            "apply the render's vault.json ReplicationConfiguration (whole bucket, DeleteMarkerReplication Disabled) and its replication role, " +
            "or the store's own replication with delete markers off; until then nothing reaches the vault",
    ];
}
