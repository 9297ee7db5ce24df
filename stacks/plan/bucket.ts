import { StackConfig } from "../config/stack-config";
import { isAwsS3 } from "../config/storage";
import { LIFECYCLE_RULE_ID } from "../names";
import { planBucketPolicy } from "./bucket-policy";
import { PolicyDocument } from "./iam";

export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/** Bucket settings in the S3 API's own JSON shape, as the manual writes them. */
export interface LifecycleRule {
    ID: string;
    Status: "Enabled";
    Filter: Record<string, never>;
    Expiration: { ExpiredObjectDeleteMarker: true };
    NoncurrentVersionExpiration: { NoncurrentDays: number };
    /** AWS S3 only: MinIO refuses a lifecycle configuration with it (bucketLifecycleRule). */
    AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

export interface EncryptionRule {
    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" | "aws:kms"; KMSMasterKeyID?: string };
    BucketKeyEnabled?: boolean;
}

export interface BucketPlan {
    name: string;
    /** false: managed outside the stack; none of the settings below is declared (see stacks/plan/bucket-check.ts). */
    manage: boolean;
    /** false: the bucket exists and is adopted for its versioning, lifecycle and encryption only. */
    create: boolean;
    region: string;
    /**
     * An S3-compatible store's endpoint as the machine running `pulumi` reaches it
     * (storage.apiEndpoint, by default storage.endpoint); the bucket's provider is pointed at it.
     */
    endpoint?: string;
    forcePathStyle: boolean;
    insecureSkipTLSVerify: boolean;
    /** PEM bundle the store's TLS certificate is checked against (storage.caCert); S3-compatible stores only. */
    caCert?: string;
    versioning: { Status: "Enabled" };
    lifecycle: { Rules: LifecycleRule[] };
    /** undefined: the store's default encryption is left as it is. */
    serverSideEncryption?: { Rules: EncryptionRule[] };
    /** AWS buckets this stack creates get every public access blocked. */
    blockPublicAccess: boolean;
    /** The bucket policy the stack declares (stacks/plan/bucket-policy.ts); unset: the bucket's own policy is left alone. */
    policy?: PolicyDocument;
}

/**
 * Versioning keeps HopsFS blocks restorable; the lifecycle rule is the manual's, with
 * NoncurrentDays no shorter than the backup ttl (an overwritten block must outlive every
 * backup that still lists it), no expiry of current objects and no NewerNoncurrentVersions.
 * On AWS S3 it also aborts incomplete multipart uploads; an S3-compatible store gets only what
 * the manual's rule holds, since MinIO refuses AbortIncompleteMultipartUpload.
 */
export function planBucket(config: StackConfig): BucketPlan {
    const { storage, backup } = config;
    const onAws = isAwsS3(storage);
    return {
        name: storage.bucket,
        manage: storage.manage,
        create: storage.create,
        region: storage.region,
        endpoint: storage.apiEndpoint,
        forcePathStyle: storage.forcePathStyle,
        insecureSkipTLSVerify: storage.insecureSkipTLSVerify,
        caCert: storage.caCert,
        versioning: { Status: "Enabled" },
        lifecycle: {
            Rules: [
                {
                    ID: LIFECYCLE_RULE_ID,
                    Status: "Enabled",
                    Filter: {},
                    Expiration: { ExpiredObjectDeleteMarker: true },
                    NoncurrentVersionExpiration: { NoncurrentDays: backup.noncurrentVersionDays },
                    ...(onAws ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS } } : {}),
                },
            ],
        },
        serverSideEncryption: encryption(config),
        blockPublicAccess: onAws && storage.create,
        ...(storage.bucketPolicy?.declared ? { policy: planBucketPolicy(config) } : {}),
    };
}

function encryption({ storage }: StackConfig): BucketPlan["serverSideEncryption"] {
    switch (storage.serverSideEncryption) {
        case "none":
            return undefined;
        case "AES256":
            return { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] };
        case "aws:kms":
            // A bucket key cuts KMS requests (and cost) for the many small HopsFS blocks.
            return {
                Rules: [
                    { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: storage.kmsKeyArn }, BucketKeyEnabled: true },
                ],
            };
    }
}

/**
 * An S3-compatible store with storage.manage: true: the stack declares the bucket's settings with
 * the AWS provider, whose lifecycle resource waits after its PUT for a response field only AWS
 * sends, so on MinIO and Ceph `pulumi up` can wait until it times out and never converge
 * (hashicorp/terraform-provider-aws#49019, #46021).
 */
export function bucketWarnings(config: StackConfig): string[] {
    const { storage } = config;
    const undeclared = storage.manage && !storage.create && storage.bucketPolicy && !storage.bucketPolicy.declared
        ? [
              `storage.breakGlassPrincipals is set, but adopted bucket ${storage.bucket} gets the stack's bucket policy only with ` +
                  "storage.replaceBucketPolicy: true (a bucket has one policy, which it replaces): no policy is declared, and version deletion " +
                  "and changes to versioning and lifecycle stay open to whoever the bucket's policy and IAM allow",
          ]
        : [];
    if (!storage.manage || isAwsS3(storage)) return undeclared;
    return [...undeclared,
        `storage.manage is true with the S3-compatible store at storage.endpoint ${config.storage.endpoint}: the stack declares bucket ` +
            `${config.storage.bucket}'s versioning and lifecycle with the AWS provider, whose lifecycle resource waits for a response ` +
            "only AWS S3 sends and may never converge on MinIO or Ceph (`pulumi up` fails at its timeout; hashicorp/terraform-provider-aws#49019, " +
            "#46021). Set storage.manage: false and have the store's owner apply the versioning and lifecycle rule in the render's " +
            "bucket.json; the stack then checks them before every preview and deployment",
    ];
}
