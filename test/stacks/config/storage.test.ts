import { Case, refusals } from "../../support/config";
import { awsConfig, minioConfig } from "../../support/stacks";

const irsa = {
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
    oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/ABC",
};

const invalid: Case[] = [
    ["a missing storage section", minioConfig, (c) => delete c.storage, "storage", /is required/],
    ["an unknown storage key", minioConfig, (c) => (c.storage.bucketName = "x"), "storage.bucketName", /valid keys of storage are bucket/],
    ["a bucket name with capitals", minioConfig, (c) => (c.storage.bucket = "My_Bucket"), "storage.bucket", /"My_Bucket": must be an S3 bucket name/],
    ["a bucket name shaped like an IP", minioConfig, (c) => (c.storage.bucket = "10.0.0.1"), "storage.bucket", /must be an S3 bucket name/],
    ["no region", minioConfig, (c) => delete c.storage.region, "storage.region", /is required/],
    ["an AWS region that is not one", awsConfig, (c) => (c.storage.region = "north"), "storage.region", /"north": must be an AWS region/],
    ["an endpoint that is not a URL", minioConfig, (c) => (c.storage.endpoint = "minio:9000"), "storage.endpoint", /must be the http\(s\) URL/],
    ["an adopted AWS bucket without the lifecycle acknowledgement", awsConfig, (c) => (c.storage.create = false), "storage.replaceLifecycleRules", /^hopsworks-dr:storage\.replaceLifecycleRules is missing: must be true to adopt bucket hopsworks-backups \(storage\.create: false\): the stack declares its lifecycle configuration \(BucketLifecycleConfiguration\), which replaces the bucket's whole lifecycle configuration: every rule it has now is removed and only HopsFSBlocksRetentionPolicy is left\. Set storage\.replaceLifecycleRules: true to accept that, or storage\.manage: false to leave the bucket's settings alone; the stack then only checks its versioning and lifecycle/],
    ["an adopted S3-compatible bucket without the lifecycle acknowledgement", minioConfig, (c) => (c.storage.create = "false"), "storage.replaceLifecycleRules", /must be true to adopt bucket hopsworks-test \(storage\.create: false\)/],
    ["an adopted bucket whose acknowledgement is false", awsConfig, (c) => Object.assign(c.storage, { create: false, replaceLifecycleRules: false }), "storage.replaceLifecycleRules", /= false: must be true to adopt bucket/],
    ["replaceLifecycleRules on a bucket the stack creates", awsConfig, (c) => (c.storage.replaceLifecycleRules = true), "storage.replaceLifecycleRules", /applies only to an adopted bucket \(storage\.create: false\): a bucket the stack creates has no other lifecycle rules; remove it/],
    ["replaceLifecycleRules with manage false", minioConfig, (c) => Object.assign(c.storage, { manage: false, replaceLifecycleRules: true }), "storage.replaceLifecycleRules", /applies only when the stack manages the bucket/],
    ["replaceLifecycleRules that is not a boolean", awsConfig, (c) => Object.assign(c.storage, { create: false, replaceLifecycleRules: "yes" }), "storage.replaceLifecycleRules", /= "yes": must be true or false/],
    ["create that is not a boolean", minioConfig, (c) => (c.storage.create = "yes"), "storage.create", /"yes": must be true or false/],
    ["an unknown checksum algorithm", minioConfig, (c) => (c.storage.checksumAlgorithm = "MD5"), "storage.checksumAlgorithm", /"MD5": must be one of "", "CRC32"/],
    ["a caCert that is not PEM", minioConfig, (c) => (c.storage.caCert = "abc"), "storage.caCert", /must be a PEM certificate bundle/],
    ["S3 keys missing on an S3-compatible store", minioConfig, (c) => delete c.storage.secretAccessKey, "storage.secretAccessKey", /^hopsworks-dr:storage\.secretAccessKey is required for an S3-compatible store: pulumi config set --secret --path storage\.secretAccessKey -s test, which prompts for the value \(or reads it from a file: append < <file>\)$/],
    ["an S3 key in plain text", minioConfig, () => {}, "storage.secretAccessKey", /is stored in plain text; it must be a Pulumi secret/],
    [
        "an S3-compatible store without a credentials hash key",
        minioConfig,
        (c) => delete c.storage.credentialsHashKey,
        "storage.credentialsHashKey",
        /^hopsworks-dr:storage\.credentialsHashKey is required for an S3-compatible store: the secret key of the HMAC-SHA256 of the store's keys that the backup location carries \(annotation hopsworks-dr\.io\/credentials-hmac-sha256\), so new keys replace the location without the cluster holding a hash anyone could test guessed keys against\. Set it as a Pulumi secret: `pulumi config set --secret --path storage\.credentialsHashKey -s test` \(it prompts for the value\), or a random one: `openssl rand -base64 32 \| pulumi config set --secret --path storage\.credentialsHashKey -s test`$/,
    ],
    [
        "a credentials hash key in plain text",
        minioConfig,
        () => {},
        "storage.credentialsHashKey",
        /^hopsworks-dr:storage\.credentialsHashKey is stored in plain text; it must be a Pulumi secret: `pulumi config set --secret --path storage\.credentialsHashKey -s test` \(it prompts for the value\), or a random one: `openssl rand -base64 32 \| pulumi config set --secret --path storage\.credentialsHashKey -s test`$/,
    ],
    ["a credentials hash key on AWS", awsConfig, (c) => (c.storage.credentialsHashKey = "k"), "storage.credentialsHashKey", /applies only to S3-compatible stores/],
    ["an IAM role on an S3-compatible store", minioConfig, (c) => (c.storage.iamRoleArn = "arn:aws:iam::123456789012:role/velero"), "storage.iamRoleArn", /applies only to AWS S3/],
    ["neither role nor irsa on AWS", awsConfig, (c) => delete c.storage.iamRoleArn, "storage", /needs Velero's AWS access/],
    ["both role and irsa on AWS", awsConfig, (c) => (c.storage.irsa = irsa), "storage", /sets both iamRoleArn and irsa/],
    ["an apiEndpoint on AWS", awsConfig, (c) => (c.storage.apiEndpoint = "https://s3.example.com"), "storage.apiEndpoint", /applies only to S3-compatible stores \(storage\.endpoint\)/],
    ["an apiEndpoint that is not a URL", minioConfig, (c) => (c.storage.apiEndpoint = "minio.ci:9000"), "storage.apiEndpoint", /= "minio\.ci:9000": must be the http\(s\) URL at which the machine running pulumi reaches the store/],
    ["create with manage false", minioConfig, (c) => Object.assign(c.storage, { manage: false, create: false }), "storage.create", /applies only when the stack manages the bucket; storage\.manage: false leaves the bucket to its owners outside the stack: remove it/],
    ["serverSideEncryption with manage false", awsConfig, (c) => Object.assign(c.storage, { manage: "false", serverSideEncryption: "AES256" }), "storage.serverSideEncryption", /applies only when the stack manages the bucket/],
    ["a KMS key with manage false", awsConfig, (c) => Object.assign(c.storage, { manage: false, kmsKeyArn: "arn:aws:kms:eu-north-1:123456789012:key/1234" }), "storage.kmsKeyArn", /applies only when the stack manages the bucket/],
    ["irsa with manage false", awsConfig, (c) => { delete c.storage.iamRoleArn; Object.assign(c.storage, { manage: false, irsa }); }, "storage.irsa", /makes the stack create Velero's IAM role, an AWS resource, and storage\.manage: false .* declares none .* give it as storage\.iamRoleArn, or set storage\.manage: true/],
    ["manage that is not a boolean", minioConfig, (c) => (c.storage.manage = "outside"), "storage.manage", /"outside": must be true or false/],
    ["S3 keys on AWS", awsConfig, (c) => (c.storage.accessKeyId = "AKIA"), "storage.accessKeyId", /applies only to S3-compatible stores/],
    ["a malformed role ARN", awsConfig, (c) => (c.storage.iamRoleArn = "velero-role"), "storage.iamRoleArn", /"velero-role": must be an IAM role ARN/],
    ["an IAM role name with a slash", awsConfig, (c) => { delete c.storage.iamRoleArn; c.storage.irsa = { ...irsa, roleName: "team/velero" }; }, "storage.irsa.roleName", /"team\/velero": must be an IAM role name/],
    ["an IAM role name of 65 characters", awsConfig, (c) => { delete c.storage.iamRoleArn; c.storage.irsa = { ...irsa, roleName: "r".repeat(65) }; }, "storage.irsa.roleName", /64/],
    ["an OIDC issuer that is not the provider's", awsConfig, (c) => { delete c.storage.iamRoleArn; c.storage.irsa = { ...irsa, oidcProviderUrl: "https://oidc.eks.eu-north-1.amazonaws.com/id/XYZ" }; }, "storage.irsa.oidcProviderUrl", /must be the issuer the provider ARN names \(oidc.eks.eu-north-1.amazonaws.com\/id\/ABC\)/],
    ["irsa without its provider ARN", awsConfig, (c) => { delete c.storage.iamRoleArn; c.storage.irsa = { oidcProviderUrl: irsa.oidcProviderUrl }; }, "storage.irsa.oidcProviderArn", /is required/],
    ["a malformed KMS key", awsConfig, (c) => (c.storage.kmsKeyArn = "alias/backups"), "storage.kmsKeyArn", /must be a KMS key or alias ARN/],
    ["aws:kms without a key", awsConfig, (c) => (c.storage.serverSideEncryption = "aws:kms"), "storage.serverSideEncryption", /needs storage.kmsKeyArn/],
    ["an unknown encryption", awsConfig, (c) => (c.storage.serverSideEncryption = "SSE-C"), "storage.serverSideEncryption", /must be one of AES256, aws:kms, none/],
    ["adoptLocation that is not a boolean", minioConfig, (c) => (c.storage.adoptLocation = "please"), "storage.adoptLocation", /^hopsworks-dr:storage\.adoptLocation = "please": must be true or false$/],
];

describe("storage config (stacks/config/storage.ts)", () => {
    refusals(invalid);
});
