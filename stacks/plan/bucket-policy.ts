import { StackConfig } from "../config/stack-config";
import { PolicyDocument } from "./iam";

/** What only a break-glass principal may do to the bucket: delete a version, or change what keeps versions. */
export const GUARDED_ACTIONS = [
    "s3:DeleteObjectVersion",
    "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
];

/**
 * The bucket's policy (storage.bucketPolicy): every request without TLS is denied, and so are the
 * guarded actions for every principal not named in storage.breakGlassPrincipals. A Deny wins over
 * any Allow, so neither Velero's keys nor a leaked HopsFS credential can purge versions, suspend
 * versioning or shorten the lifecycle. Lifecycle expiry is S3's own and is not affected.
 */
export function planBucketPolicy(config: StackConfig): PolicyDocument | undefined {
    const policy = config.storage.bucketPolicy;
    if (!policy) return undefined;
    const bucket = `arn:aws:s3:::${config.storage.bucket}`;
    // Over a plain http:// store the TLS statement would deny every request: it is left out there (plain-http.ts warns of the store).
    const overTls = ![config.storage.endpoint, config.storage.apiEndpoint].some((url) => url?.startsWith("http:"));
    return {
        Version: "2012-10-17",
        Statement: [
            ...(overTls ? [{
                Sid: "DenyRequestsWithoutTLS",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucket, `${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            }] : []),
            {
                Sid: "OnlyBreakGlassDeletesVersionsOrChangesRetention",
                Effect: "Deny",
                Principal: "*",
                Action: GUARDED_ACTIONS,
                Resource: [bucket, `${bucket}/*`],
                Condition: { ArnNotLike: { "aws:PrincipalArn": policy.breakGlassPrincipals } },
            },
        ],
    };
}
