import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { toPulumiShape } from "../stacks/plan/aws-shape";
import { VaultBucketSettings } from "../stacks/plan/vault";

export interface VaultArgs {
    /** The vault bucket's name. */
    readonly bucket: pulumi.Input<string>;
    /** Its region: never the primary's (the config refuses it). */
    readonly region: pulumi.Input<string>;
    /** An S3-compatible vault's URL; unset: AWS S3. Plain: it decides the provider's settings. */
    readonly endpoint?: string;
    /** Path-style addressing. Default: false. */
    readonly forcePathStyle?: pulumi.Input<boolean>;
    /** The vault's own keys (another account or store), kept secret. Default: none (the default credential chain). */
    readonly credentials?: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> };
    /** A role in the vault's account the provider assumes. Default: none. */
    readonly providerRoleArn?: pulumi.Input<string>;
    /** Versioning, Object Lock, lifecycle and encryption, in the S3 API's JSON shapes (stacks/plan/vault.ts). */
    readonly settings: VaultBucketSettings;
    /** Block every kind of public access (AWS S3). Plain: it decides whether the resource exists. Default: false. */
    readonly blockPublicAccess?: boolean;
}

/**
 * The off-site vault: a bucket created with Object Lock (it cannot be turned on later without
 * versioning, nor ever off), its versioning, its default retention, a lifecycle that never expires
 * a version before its retention, encryption and a public access block. The bucket and the block
 * are protected and retained on delete; every setting is retained on delete, so a `pulumi destroy`
 * or a removed vault key leaves the vault as it was.
 */
export class Vault extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly provider: aws.Provider;

    constructor(name: string, args: VaultArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:Vault", name, {}, opts);
        this.provider = new aws.Provider(`${name}-store`, providerArgs(args), { parent: this });
        const inVault = { parent: this, provider: this.provider };
        const kept = { ...inVault, retainOnDelete: true };

        const bucket = new aws.s3.Bucket(name, { bucket: args.bucket, objectLockEnabled: true, forceDestroy: false }, { ...kept, protect: true });
        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        const { Versioning, ObjectLockConfiguration, LifecycleConfiguration, ServerSideEncryption } = args.settings;
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: this.bucketName, versioningConfiguration: { status: Versioning.Status } }, kept);
        new aws.s3.BucketObjectLockConfiguration(
            `${name}-object-lock`,
            { bucket: this.bucketName, objectLockEnabled: ObjectLockConfiguration.ObjectLockEnabled, rule: toPulumiShape(ObjectLockConfiguration.Rule) },
            { ...kept, dependsOn: [versioning] },
        );
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: this.bucketName, rules: toPulumiShape(LifecycleConfiguration.Rules) }, { ...kept, dependsOn: [versioning] });
        if (ServerSideEncryption) {
            new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, { bucket: this.bucketName, rules: toPulumiShape(ServerSideEncryption.Rules) }, kept);
        }
        if (args.blockPublicAccess) {
            new aws.s3.BucketPublicAccessBlock(
                `${name}-public-access`,
                { bucket: this.bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                { ...kept, protect: true },
            );
        }
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}

/** The vault's provider: its own region, and its own keys, role or store. */
function providerArgs(args: VaultArgs): aws.ProviderArgs {
    const keys = args.credentials ? { accessKey: args.credentials.accessKeyId, secretKey: args.credentials.secretAccessKey } : {};
    if (args.endpoint === undefined) {
        return { region: args.region, ...keys, ...(args.providerRoleArn ? { assumeRoles: [{ roleArn: args.providerRoleArn }] } : {}) };
    }
    return {
        region: args.region,
        endpoints: [{ s3: args.endpoint }],
        s3UsePathStyle: args.forcePathStyle,
        ...keys,
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipRegionValidation: true,
    };
}
