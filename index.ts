/**
 * hopsworks-dr: one environment's Hopsworks disaster-recovery set-up, declared from its stack
 * config. Reads the config, builds the plan (stacks/, plain data), declares the components in
 * the manual's order, and exports what operators and later deployments need.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupBucket } from "./components/backup-bucket";
import { BackupLocation } from "./components/backup-location";
import { Hopsworks } from "./components/hopsworks";
import { Velero } from "./components/velero";
import { VeleroIam } from "./components/velero-iam";
import { readStackConfig } from "./stacks/config";
import { ConfigError } from "./stacks/config-reader";
import { planStack, StackPlan } from "./stacks/plan";
import { configSourceFromPulumi } from "./stacks/source";

function plannedStack(): StackPlan {
    try {
        return planStack(readStackConfig(configSourceFromPulumi(__dirname)));
    } catch (error) {
        // A RunError ends the program with its message alone: no stack trace, nothing declared.
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
}

const plan = plannedStack();
plan.warnings.forEach((warning) => pulumi.log.warn(warning));

const reveal = (secret?: { reveal(): string }) => (secret ? pulumi.secret(secret.reveal()) : undefined);

const bucket = new BackupBucket("backup-bucket", {
    bucket: plan.bucket.name,
    create: plan.bucket.create,
    region: plan.bucket.region,
    endpoint: plan.bucket.endpoint,
    forcePathStyle: plan.bucket.forcePathStyle,
    insecureSkipTLSVerify: plan.bucket.insecureSkipTLSVerify,
    accessKeyId: reveal(plan.storeCredentials?.accessKeyId),
    secretAccessKey: reveal(plan.storeCredentials?.secretAccessKey),
    versioning: plan.bucket.versioning,
    lifecycle: plan.bucket.lifecycle,
    serverSideEncryption: plan.bucket.serverSideEncryption,
    blockPublicAccess: plan.bucket.blockPublicAccess,
});

const veleroIam = plan.veleroIam
    ? new VeleroIam("velero-iam", { ...plan.veleroIam, provider: bucket.provider })
    : undefined;

const velero = new Velero("velero", {
    releaseName: plan.velero.releaseName,
    namespace: plan.velero.namespace,
    chart: plan.velero.chart,
    repo: plan.velero.repo,
    version: plan.velero.version,
    values: plan.velero.values,
    serviceAccountRoleArn: plan.velero.role.kind === "existing" ? plan.velero.role.arn : veleroIam?.roleArn,
});

// Velero brings the BackupStorageLocation CRD; the bucket must exist before Velero validates it.
const location = new BackupLocation(
    "backup-location",
    {
        location: plan.location.location,
        credentialsSecret: plan.location.credentialsSecret,
        accessKeyId: reveal(plan.storeCredentials?.accessKeyId),
        secretAccessKey: reveal(plan.storeCredentials?.secretAccessKey),
    },
    { dependsOn: [velero, bucket] },
);

const hopsworks = new Hopsworks(
    "hopsworks",
    {
        releaseName: plan.hopsworks.releaseName,
        namespace: plan.hopsworks.namespace,
        chart: plan.hopsworks.chart,
        repo: plan.hopsworks.repo,
        version: plan.hopsworks.version,
        timeoutSeconds: plan.hopsworks.timeoutSeconds,
        values: plan.hopsworks.values,
        repoUsername: reveal(plan.hopsworks.repoCredentials?.username),
        repoPassword: reveal(plan.hopsworks.repoCredentials?.password),
    },
    { dependsOn: [location] },
);

export const mode = plan.mode;
export const bucketName = bucket.bucketName;
export const veleroNamespace = velero.namespace;
export const backupLocation = location.location.metadata.name;
export const veleroRoleArn = plan.velero.role.kind === "existing" ? plan.velero.role.arn : (veleroIam?.roleArn ?? null);
export const hopsworksRelease = hopsworks.release.status.apply((s) => ({ name: s.name, namespace: s.namespace, version: s.version, revision: s.revision }));
