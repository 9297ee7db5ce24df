import { StackConfig } from "./config";

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Record<string, unknown>[];
}

export interface VeleroIamPlan {
    roleName: string;
    policyName: string;
    /** The S3-only policy of the AWS plugin's README, scoped to the backup bucket. */
    policy: PolicyDocument;
    /** Trusts the cluster's OIDC provider, for Velero's service account only. */
    trustPolicy: PolicyDocument;
}

export function veleroS3Policy(bucket: string, kmsKeyArn?: string): PolicyDocument {
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
                Resource: [`arn:aws:s3:::${bucket}/*`],
            },
            { Effect: "Allow", Action: ["s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`] },
        ],
    };
    if (kmsKeyArn) {
        // The bucket's default encryption uses this key: writing and reading objects needs it.
        policy.Statement.push({ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [kmsKeyArn] });
    }
    return policy;
}

/** undefined unless the stack is told to create Velero's role (storage.irsa). */
export function planVeleroIam(config: StackConfig, serviceAccount: string): VeleroIamPlan | undefined {
    const irsa = config.storage.irsa;
    if (!irsa) return undefined;
    const issuer = irsa.oidcProviderUrl;
    return {
        roleName: `${config.stack}-velero`,
        policyName: `${config.stack}-velero-s3`,
        policy: veleroS3Policy(config.storage.bucket, config.storage.kmsKeyArn),
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
