import { createHash } from "crypto";
import { StackConfig } from "../config/stack-config";
import { LOCATION_PREFIX } from "../names";

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Record<string, unknown>[];
}

export interface VeleroIamPlan {
    roleName: string;
    policyName: string;
    /** The S3-only policy of the AWS plugin's README, scoped to the location's prefix in the backup bucket. */
    policy: PolicyDocument;
    /** Trusts the cluster's OIDC provider, for Velero's service account only. */
    trustPolicy: PolicyDocument;
}

/**
 * What the AWS plugin needs, and only under the location's prefix (k8s_backup/): Hopsworks keeps
 * HopsFS data, RonDB and OpenSearch backups in the same bucket, and `BUCKET/*` would let Velero
 * delete them. Object actions on `BUCKET/PREFIX/*`, listing with an s3:prefix condition, as
 * aws-ia eks-blueprints-addons and terraform-aws-modules scope Velero's role.
 */
export function veleroS3Policy(bucket: string, kmsKeyArn?: string, prefix: string = LOCATION_PREFIX): PolicyDocument {
    const policy: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "s3:GetObject",
                    "s3:DeleteObject",
                    "s3:PutObject",
                    "s3:PutObjectTagging",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                Resource: [`arn:aws:s3:::${bucket}/${prefix}/*`],
            },
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [`arn:aws:s3:::${bucket}`],
                Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } },
            },
        ],
    };
    if (kmsKeyArn) {
        // The bucket's default encryption uses this key: writing and reading objects needs it.
        policy.Statement.push(kmsStatement(kmsKeyArn));
    }
    return policy;
}

const KMS_ALIAS_ARN = /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}):(alias\/.+)$/;

/**
 * The key's permissions. An alias ARN in Resource grants nothing for the key (IAM matches the key's
 * ARN, and S3 decrypts by the key's ID): for an alias, the account's keys in that region that carry
 * the alias (kms:ResourceAliases, which every KMS request is evaluated with, unlike kms:RequestAlias).
 */
export function kmsStatement(kmsKeyArn: string): Record<string, unknown> {
    const Action = ["kms:GenerateDataKey", "kms:Decrypt"];
    const alias = KMS_ALIAS_ARN.exec(kmsKeyArn);
    if (!alias) return { Effect: "Allow", Action, Resource: [kmsKeyArn] };
    return {
        Effect: "Allow",
        Action,
        Resource: [`${alias[1]}:key/*`],
        Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": alias[2] } },
    };
}

/** IAM role names have at most 64 characters (the policy's, 128). */
const ROLE_NAME_MAX = 64;

/**
 * Velero's role: storage.irsa.roleName, else `<project>-<stack>-<region>-velero`. IAM names are
 * global to the account, so the name carries what tells two deployments apart there (the stack
 * alone did not: every project's or region's `prod` made `prod-velero`). Too long a name is cut
 * and ends in a hash of the whole, so it stays unique.
 */
export function veleroRoleName(config: StackConfig): string {
    const given = config.storage.irsa?.roleName;
    if (given) return given;
    const full = `${config.project}-${config.stack}-${config.storage.region}-velero`.replace(/[^\w+=,.@-]/g, "-");
    if (full.length <= ROLE_NAME_MAX) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
    return `${full.slice(0, ROLE_NAME_MAX - hash.length - 1)}-${hash}`;
}

/**
 * An AWS vault read as Velero reads a location (s3:ListBucket under the prefix, s3:GetObject),
 * nothing written or deleted: after a region loss the restore reads the vault with this role
 * (restore.source: vault), and IAM outlives the region. A vault in another account must also
 * allow the role in its own bucket policy. An S3-compatible vault has keys of its own instead.
 */
export function withVaultRead(policy: PolicyDocument, vault: { bucket: string; endpoint?: string; kmsKeyArn?: string } | undefined): PolicyDocument {
    if (!vault || vault.endpoint !== undefined) return policy;
    const statements: Record<string, unknown>[] = [
        { Sid: "ReadTheVaultForARestore", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${vault.bucket}/${LOCATION_PREFIX}/*`] },
        {
            Sid: "ListTheVaultForARestore",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [`arn:aws:s3:::${vault.bucket}`],
            Condition: { StringLike: { "s3:prefix": [LOCATION_PREFIX, `${LOCATION_PREFIX}/*`] } },
        },
    ];
    if (vault.kmsKeyArn) statements.push(kmsStatement(vault.kmsKeyArn));
    return { ...policy, Statement: [...policy.Statement, ...statements] };
}

/** undefined unless the stack is told to create Velero's role (storage.irsa). */
export function planVeleroIam(config: StackConfig, serviceAccount: string): VeleroIamPlan | undefined {
    const irsa = config.storage.irsa;
    if (!irsa) return undefined;
    const issuer = irsa.oidcProviderUrl;
    return {
        roleName: veleroRoleName(config),
        policyName: `${veleroRoleName(config)}-s3`,
        policy: withVaultRead(veleroS3Policy(config.storage.bucket, config.storage.kmsKeyArn), config.vault),
        trustPolicy: {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: irsa.oidcProviderArn },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${issuer}:sub`]: `system:serviceaccount:${config.velero.namespace}:${serviceAccount}`,
                            [`${issuer}:aud`]: "sts.amazonaws.com",
                        },
                    },
                },
            ],
        },
    };
}
