/**
 * hopsworks-dr: one environment's Hopsworks disaster-recovery set-up, declared from its stack
 * config. Reads the config and the stack's previous outputs, builds the plan (stacks/, plain
 * data), refuses anything unsafe before declaring a resource, then declares the components in
 * the manual's order and records what later deployments need in the outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkExternalBucket } from "./program/bucket-check";
import { writeCaBundle } from "./program/ca-bundle";
import { releaseHistory } from "./program/helm-release";
import { BackupAlerts } from "./components/backup-alerts";
import { BackupBucket } from "./components/backup-bucket";
import { BackupLocation } from "./components/backup-location";
import { Hopsworks } from "./components/hopsworks";
import { Velero } from "./components/velero";
import { VeleroIam } from "./components/velero-iam";
import { VeleroRestore } from "./components/velero-restore";
import { readStackConfig } from "./stacks/config/stack-config";
import { ConfigError } from "./stacks/config/reader";
import { adoptedInstallTime } from "./stacks/plan/helm-release";
import { planStack, StackPlan } from "./stacks/plan/stack-plan";
import { readPreviousState } from "./program/previous-state";
import { AppliedRestore, checkAgainstPreviousState, PreviousState, STATE_CHECKS } from "./stacks/plan/restore";
import { configSourceFromPulumi } from "./program/config-source";
import { OFFLINE_RENDER_ENV } from "./stacks/names";

/** Shown in the offline render where a deployment would write its own time. */
const DEPLOYMENT_TIME = "<time of the deployment>";

/** Runs a check that may refuse the config; a refusal ends the program with its message alone. */
function refusing<T>(check: () => T): T {
    try {
        return check();
    } catch (error) {
        // A RunError prints no stack trace; nothing has been declared yet.
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
}

const reveal = (secret?: { reveal(): string }) => (secret ? pulumi.secret(secret.reveal()) : undefined);

/**
 * The previous state, its install time taken from the Hopsworks release's first deployment when
 * that is earlier (a release the stack adopted got its certificates before the stack's first
 * `pulumi up`). Read from the cluster only when deploying, and not for a new-cluster restore,
 * which installs afresh. A cluster that cannot be read leaves the recorded time, with a warning.
 */
async function withAdoptedRelease(previous: PreviousState | undefined, plan: StackPlan): Promise<PreviousState | undefined> {
    if (!previous || plan.restore?.mode === "new-cluster") return previous;
    // As the kubernetes provider reaches the cluster: its kubeconfig and context settings, else the defaults.
    const access = { kubeconfig: pulumi.runtime.getConfig("kubernetes:kubeconfig"), context: pulumi.runtime.getConfig("kubernetes:context") };
    const found = await releaseHistory.firstDeployed(plan.hopsworks.namespace, plan.hopsworks.releaseName, access);
    if (found.problem) pulumi.log.warn(`${found.problem}; hopsworksInstalledAt stays ${previous.hopsworksInstalledAt ?? "the time of this deployment"}`);
    return adoptedInstallTime(previous, found.firstDeployed);
}

export = async () => {
    const config = refusing(() => readStackConfig(configSourceFromPulumi(__dirname)));
    const plan = refusing(() => planStack(config));
    // Read once the config is valid: the outputs carry it forward, and the restore checks need it.
    const previous = await withAdoptedRelease(await readPreviousState(), plan);
    refusing(() => {
        const problems = plan.restore && previous ? checkAgainstPreviousState(config, plan.restore, previous) : [];
        if (problems.length > 0) throw new ConfigError(problems);
    });
    // A bucket managed outside the stack is read over the S3 API, before anything is declared.
    // The offline render reads nothing: it lists the check as not evaluated.
    const offline = process.env[OFFLINE_RENDER_ENV] === "1";
    let bucketFound: string | null = null;
    if (plan.bucketCheck && !offline) {
        const credentials = plan.storeCredentials && {
            accessKeyId: plan.storeCredentials.accessKeyId.reveal(),
            secretAccessKey: plan.storeCredentials.secretAccessKey.reveal(),
        };
        const result = await checkExternalBucket(plan.bucketCheck, credentials);
        refusing(() => {
            if (result.problems.length > 0) throw new ConfigError(result.problems);
        });
        result.warnings.forEach((warning) => pulumi.log.warn(warning));
        bucketFound = result.found;
    }
    plan.warnings.forEach((warning) => pulumi.log.warn(warning));
    const now = previous ? new Date().toISOString() : DEPLOYMENT_TIME;
    const accessKeyId = reveal(plan.storeCredentials?.accessKeyId);
    const secretAccessKey = reveal(plan.storeCredentials?.secretAccessKey);

    // storage.manage: false declares no AWS resource at all: no provider, bucket settings or IAM.
    const bucket = !plan.bucket.manage ? undefined : new BackupBucket("backup-bucket", {
        bucket: plan.bucket.name,
        create: plan.bucket.create,
        region: plan.bucket.region,
        endpoint: plan.bucket.endpoint,
        forcePathStyle: plan.bucket.forcePathStyle,
        insecureSkipTLSVerify: plan.bucket.insecureSkipTLSVerify,
        // The provider trusts a private CA only from a file.
        customCaBundle: plan.bucket.caCert ? writeCaBundle(plan.bucket.caCert, __dirname) : undefined,
        accessKeyId,
        secretAccessKey,
        versioning: plan.bucket.versioning,
        lifecycle: plan.bucket.lifecycle,
        serverSideEncryption: plan.bucket.serverSideEncryption,
        blockPublicAccess: plan.bucket.blockPublicAccess,
    });

    // irsa needs the bucket's provider; the config refuses it with storage.manage: false.
    const veleroIam = plan.veleroIam && bucket ? new VeleroIam("velero-iam", { ...plan.veleroIam, provider: bucket.provider }) : undefined;

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
            accessKeyId,
            secretAccessKey,
            replaceOnChanges: plan.location.replaceOnChanges,
        },
        { dependsOn: bucket ? [velero, bucket] : [velero] },
    );

    // New-cluster restore: main, then users, each only once the one before it completed (the manual's script).
    const restores: VeleroRestore[] = [];
    for (const restore of plan.restore?.veleroRestores ?? []) {
        const previous = restores.length > 0 ? restores[restores.length - 1] : undefined;
        restores.push(
            new VeleroRestore(restore.manifest.metadata.name, { ...restore, after: previous?.completed }, { dependsOn: [previous ?? location] }),
        );
    }

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
            // Resolves only when every Velero restore is Completed: a failed one stops the install here.
            description: plan.restore
                ? pulumi
                      .all(restores.map((r) => r.completed))
                      .apply(() => `hopsworks-dr: ${plan.restore!.mode} restore of backup ${plan.restore!.backupId}`)
                : "hopsworks-dr",
            repoUsername: reveal(plan.hopsworks.repoCredentials?.username),
            repoPassword: reveal(plan.hopsworks.repoCredentials?.password),
            // New-cluster restore: a failed install is uninstalled, so the next `pulumi up` installs again.
            atomic: plan.hopsworks.atomic,
        },
        { dependsOn: restores.length > 0 ? [restores[restores.length - 1]] : [location] },
    );

    // monitoring.enabled: the backup alerts, after the release that creates their namespace (if one does).
    const alertsNamespace = plan.alerts?.manifest.metadata.namespace;
    const alerts = plan.alerts
        ? new BackupAlerts(
              "backup-alerts",
              {
                  format: plan.alerts.format,
                  name: plan.alerts.manifest.metadata.name,
                  namespace: plan.alerts.manifest.metadata.namespace,
                  labels: plan.alerts.manifest.metadata.labels,
                  groups: plan.alerts.groups,
                  rulesFile: plan.alerts.rulesFile,
              },
              { dependsOn: alertsNamespace === plan.hopsworks.namespace ? [hopsworks] : alertsNamespace === plan.velero.namespace ? [velero] : [] },
          )
        : undefined;

    // What the next deployment reads back (stacks/previous-state.ts).
    // A new-cluster restore is always a fresh install (new certificates), even on a reused stack.
    const installingNow = !previous?.hopsworksInstalledAt || plan.restore?.mode === "new-cluster";
    const activeRestore: AppliedRestore | null = plan.restore
        ? {
              mode: plan.restore.mode,
              backupId: plan.restore.backupId,
              appliedAt: now,
              ...(plan.restore.mode === "new-cluster" ? { attempt: config.restore.attempt } : {}),
          }
        : null;
    return {
        mode: plan.mode,
        restore: plan.restore
            ? {
                  mode: plan.restore.mode,
                  backupId: plan.restore.backupId,
                  backupTakenAt: plan.restore.backupTakenAt,
                  steps: plan.restore.steps,
                  checksNotEvaluated: previous ? [] : STATE_CHECKS[plan.restore.mode],
              }
            : null,
        bucketName: bucket ? bucket.bucketName : plan.bucket.name,
        // null when the stack manages the bucket; else what it requires of it and what it found.
        externalBucket: plan.bucketCheck
            ? {
                  requirement: plan.bucketCheck.requirement,
                  // The manual's settings, for whoever manages the bucket (the render's bucket.json shows them).
                  settings: { Versioning: plan.bucket.versioning, LifecycleConfiguration: plan.bucket.lifecycle },
                  evaluated: bucketFound !== null,
                  found: bucketFound,
              }
            : null,
        veleroNamespace: velero.namespace,
        backupLocation: location.location.metadata.name,
        backupLocationAccessMode: (plan.location.location.spec as { accessMode: string }).accessMode,
        veleroRoleArn: plan.velero.role.kind === "existing" ? plan.velero.role.arn : (veleroIam?.roleArn ?? null),
        hopsworksRelease: hopsworks.release.status.apply((s) => ({ name: s.name, namespace: s.namespace, version: s.version, revision: s.revision })),
        hopsworksInstalledAt: installingNow ? now : previous!.hopsworksInstalledAt,
        installedFromBackup: installingNow ? (plan.restore?.mode === "new-cluster" ? plan.restore.backupId : null) : (previous?.installedFromBackup ?? null),
        activeRestore,
        restoreHistory: [...(previous?.restoreHistory ?? []), ...(activeRestore ? [activeRestore] : [])],
        // Only with monitoring.enabled, so a stack without it keeps its outputs as they were.
        ...(plan.alerts && alerts
            ? {
                  monitoring: {
                      enabled: true,
                      kind: plan.alerts.manifest.kind,
                      namespace: alerts.rules.metadata.namespace,
                      name: alerts.rules.metadata.name,
                      alerts: [...new Set(plan.alerts.groups.flatMap((g) => g.rules.map((r) => r.alert)))],
                  },
              }
            : {}),
    };
};
