import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { toPulumiShape } from "../stacks/plan/aws-shape";
import { EncryptionRule, LifecycleRule } from "../stacks/plan/bucket";

export interface BackupBucketArgs {
    /** The bucket's name; created when `create`, otherwise adopted as it is. */
    readonly name: pulumi.Input<string>;
    /** Decides which resources exist, so it is plain, not an Input. */
    readonly create: boolean;
    /** The bucket's region (the store's region name on an S3-compatible store). */
    readonly region: pulumi.Input<string>;
    /** The S3-compatible store's URL as the machine running `pulumi` reaches it (storage.apiEndpoint); unset for AWS S3. Plain: it decides the provider's settings. */
    readonly endpoint?: string;
    /** Path-style addressing, for S3-compatible stores. Default: false. */
    readonly forcePathStyle?: pulumi.Input<boolean>;
    /** Skip the store's TLS verification. Default: false. */
    readonly insecureSkipTLSVerify?: pulumi.Input<boolean>;
    /** Path of a PEM file the provider trusts for the store's TLS (S3-compatible stores); unset: the system's CAs. */
    readonly customCaBundle?: pulumi.Input<string>;
    /** An S3-compatible store's keys, for the provider (kept secret). Default: none, on AWS S3 (the default credential chain). */
    readonly credentials?: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> };
    /** The versioning configuration, in the S3 API's JSON shape (always Enabled: HopsFS restores need the old versions). */
    readonly versioning: pulumi.Input<{ Status: "Enabled" }>;
    /** The lifecycle configuration, in the S3 API's JSON shape: the manual's rule. It replaces every rule the bucket has. */
    readonly lifecycle: pulumi.Input<{ Rules: LifecycleRule[] }>;
    /** In the S3 API's JSON shape; unset leaves the store's default encryption alone. */
    readonly serverSideEncryption?: pulumi.Input<{ Rules: EncryptionRule[] }>;
    /** Block every kind of public access (AWS buckets this stack creates). Plain: it decides whether the resource exists. */
    readonly blockPublicAccess: boolean;
    /** The bucket policy document (stacks/plan/bucket-policy.ts). Plain: it decides whether the resource exists. Default: none (the bucket's own is left alone). */
    readonly policy?: object;
}

/**
 * The versioned backup bucket (HopsFS's blocks and Velero's backups) with the manual's
 * lifecycle rule. The bucket and its public access block are protected and retained on delete;
 * every other setting is retained on delete: deleting a BucketVersioning suspends versioning,
 * which would silently end HopsFS backups.
 */
export class BackupBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    /** The provider every AWS resource of the stack uses (also Velero's IAM). */
    readonly provider: aws.Provider;

    constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:BackupBucket", name, {}, opts);

        // Explicit, so the bucket lands in storage.region (or the store) whatever aws:region says.
        this.provider = new aws.Provider(
            `${name}-store`,
            args.endpoint === undefined
                ? { region: args.region }
                : {
                      region: args.region,
                      endpoints: [{ s3: args.endpoint }],
                      s3UsePathStyle: args.forcePathStyle,
                      insecure: args.insecureSkipTLSVerify,
                      customCaBundle: args.customCaBundle,
                      accessKey: args.credentials?.accessKeyId,
                      secretKey: args.credentials?.secretAccessKey,
                      skipCredentialsValidation: true,
                      skipRequestingAccountId: true,
                      skipMetadataApiCheck: true,
                      skipRegionValidation: true,
                  },
            { parent: this },
        );
        const inBucket = { parent: this, provider: this.provider, dependsOn: opts?.dependsOn };

        const bucket = args.create
            ? new aws.s3.Bucket(name, { bucket: args.name, forceDestroy: false }, { ...inBucket, protect: true, retainOnDelete: true })
            : undefined;
        this.bucketName = bucket ? bucket.bucket : pulumi.output(args.name);

        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            {
                bucket: this.bucketName,
                versioningConfiguration: pulumi.output(args.versioning).apply((v) => ({ status: v.Status })),
            },
            { ...inBucket, retainOnDelete: true },
        );
        // Noncurrent-version rules only make sense once versioning is on.
        const lifecycle = new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            { bucket: this.bucketName, rules: pulumi.output(args.lifecycle).apply((l) => toPulumiShape(l.Rules)) },
            { ...inBucket, dependsOn: [versioning], retainOnDelete: true },
        );
        const encryption = args.serverSideEncryption === undefined
            ? undefined
            : new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-encryption`,
                { bucket: this.bucketName, rules: pulumi.output(args.serverSideEncryption).apply((e) => toPulumiShape(e.Rules)) },
                { ...inBucket, retainOnDelete: true },
            );
        const settings: pulumi.Resource[] = [versioning, lifecycle, ...(encryption ? [encryption] : [])];
        if (args.blockPublicAccess) {
            const block = new aws.s3.BucketPublicAccessBlock(
                `${name}-public-access`,
                { bucket: this.bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                // As the bucket: deleting the block (a destroy, a rename) would let a policy or ACL open every backup.
                { ...inBucket, protect: true, retainOnDelete: true },
            );
            settings.push(block);
        }
        if (args.policy !== undefined) {
            // Last: once on, only a break-glass principal may change versioning, lifecycle or the policy.
            new aws.s3.BucketPolicy(`${name}-policy`, { bucket: this.bucketName, policy: JSON.stringify(args.policy) }, { ...inBucket, dependsOn: settings, retainOnDelete: true });
        }
        this.registerOutputs({ bucketName: this.bucketName });
    }
}
