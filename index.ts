/**
 * hopsworks-dr: one environment's Hopsworks disaster-recovery set-up, declared from its stack
 * config in the manual's order: the bucket, Velero (and its IAM role), the backup location, the
 * Velero restores of a new-cluster restore, Hopsworks, and the backup alerts. Everything it
 * declares is planned in stacks/ as plain data; the adapters in program/ read what it needs
 * (config, previous outputs, the bucket) and refuse anything unsafe before a resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupAlerts } from "./components/backup-alerts";
import { BackupBucket } from "./components/backup-bucket";
import { BackupLocation } from "./components/backup-location";
import { Hopsworks } from "./components/hopsworks";
import { Velero } from "./components/velero";
import { VeleroIam } from "./components/velero-iam";
import { VeleroRestore } from "./components/velero-restore";
import { Vault } from "./components/vault";
import { VaultReplication } from "./components/vault-replication";
import { checkVaultOfPlan } from "./program/vault-check";
import { EXISTING_OBJECTS_NOTE } from "./stacks/plan/vault";
import { vaultRequirement } from "./stacks/plan/vault-check";
import { checkBucketOfPlan } from "./program/bucket-check";
import { writeCaBundle } from "./program/ca-bundle";
import { configSourceFromPulumi } from "./program/config-source";
import { readHistory } from "./program/previous-state";
import { refuseProblems, refusing } from "./program/refusal";
import { readStackConfig } from "./stacks/config/stack-config";
import { SecretValue } from "./stacks/config/secret";
import { checkAgainstPreviousState, recordedHistory, STATE_CHECKS } from "./stacks/plan/history";
import { locationKeysOf, planStack } from "./stacks/plan/stack-plan";
import { planBucketPolicy } from "./stacks/plan/bucket-policy";

/** Shown in the offline render where a deployment would write its own time. */
const DEPLOYMENT_TIME = "<time of the deployment>";

const reveal = (secret: SecretValue) => pulumi.secret(secret.reveal());

export = async () => {
    const config = refusing(() => readStackConfig(configSourceFromPulumi(__dirname)));
    const plan = refusing(() => planStack(config));
    // Read once the config is valid: the outputs carry it forward, and the restore checks need it.
    const previous = await readHistory(plan);
    refuseProblems(plan.restore && previous ? checkAgainstPreviousState(config, plan.restore, previous) : []);
    const bucketFound = await checkBucketOfPlan(plan);
    const vaultFound = await checkVaultOfPlan(plan);
    plan.warnings.forEach((warning) => pulumi.log.warn(warning));
    const now = previous ? new Date().toISOString() : DEPLOYMENT_TIME;
    const credentials = plan.storeCredentials && {
        accessKeyId: reveal(plan.storeCredentials.accessKeyId),
        secretAccessKey: reveal(plan.storeCredentials.secretAccessKey),
    };
    // Velero's own keys when given (never the provider's on a managed S3-compatible bucket); only the location hashes them.
    // During a restore from the vault with its own keys, the vault's.
    const locationKeys = locationKeysOf(plan);
    const locationCredentials = locationKeys && {
        accessKeyId: reveal(locationKeys.accessKeyId),
        secretAccessKey: reveal(locationKeys.secretAccessKey),
        hashKey: reveal(locationKeys.hashKey),
    };

    // storage.manage: false declares no AWS resource at all: no provider, bucket settings or IAM.
    // The provider trusts a private CA only from a file.
    const customCaBundle = (pem: string | undefined) => (pem ? writeCaBundle(pem, __dirname) : undefined);
    const bucket = plan.bucket.manage
        ? new BackupBucket("backup-bucket", {
              ...plan.bucket,
              customCaBundle: customCaBundle(plan.bucket.caCert),
              credentials,
          })
        : undefined;

    // vault: the off-site Object Lock bucket (unless managed elsewhere) and the primary's replication into it.
    const vault = plan.vault?.manage
        ? new Vault("vault", {
              ...plan.vault,
              credentials: plan.vault.credentials && { accessKeyId: reveal(plan.vault.credentials.accessKeyId), secretAccessKey: reveal(plan.vault.credentials.secretAccessKey) },
          })
        : undefined;
    const replication = plan.vault?.replication.declared && bucket
        ? new VaultReplication(
              "vault-replication",
              { sourceBucket: bucket.bucketName, role: plan.vault.replication.role, configuration: plan.vault.replication.configuration, provider: bucket.provider },
              // Versioning must be on in both buckets before S3 accepts the configuration.
              { dependsOn: vault ? [bucket, vault] : [bucket] },
          )
        : undefined;

    // irsa needs the bucket's provider; the config refuses it with storage.manage: false.
    const veleroIam = plan.veleroIam && bucket ? new VeleroIam("velero-iam", { ...plan.veleroIam, provider: bucket.provider }) : undefined;
    const veleroRoleArn = plan.velero.role.kind === "existing" ? plan.velero.role.arn : veleroIam?.roleArn;
    const velero = new Velero("velero", { ...plan.velero, serviceAccountRoleArn: veleroRoleArn });

    // Velero brings the BackupStorageLocation CRD; the bucket must exist before Velero validates it.
    const location = new BackupLocation("backup-location", { ...plan.location, credentials: locationCredentials }, { dependsOn: bucket ? [velero, bucket] : [velero] });

    // New-cluster restore: main, then users, each only once the one before it completed (the manual's script).
    const restores: VeleroRestore[] = [];
    for (const restore of plan.restore?.veleroRestores ?? []) {
        const before = restores.at(-1);
        restores.push(new VeleroRestore(restore.manifest.metadata.name, { ...restore, after: before?.completed }, { dependsOn: [before ?? location] }));
    }

    const hopsworks = new Hopsworks(
        "hopsworks",
        {
            ...plan.hopsworks,
            // Resolves only when every Velero restore is Completed: a failed one stops the install here.
            description: plan.restore
                ? pulumi.all(restores.map((r) => r.completed)).apply(() => `hopsworks-dr: ${plan.restore!.mode} restore of backup ${plan.restore!.backupId}`)
                : "hopsworks-dr",
            repoCredentials: plan.hopsworks.repoCredentials && {
                username: reveal(plan.hopsworks.repoCredentials.username),
                password: reveal(plan.hopsworks.repoCredentials.password),
            },
        },
        { dependsOn: restores.length > 0 ? [restores[restores.length - 1]] : [location] },
    );

    // monitoring.enabled: the backup alerts, after the release that creates their namespace (if one does).
    const alertsMetadata = plan.alerts?.manifest.metadata;
    const alertsAfter = alertsMetadata?.namespace === plan.hopsworks.namespace ? [hopsworks] : alertsMetadata?.namespace === plan.velero.namespace ? [velero] : [];
    const alerts = plan.alerts && alertsMetadata
        ? new BackupAlerts("backup-alerts", { ...plan.alerts, name: alertsMetadata.name, namespace: alertsMetadata.namespace, labels: alertsMetadata.labels }, { dependsOn: alertsAfter })
        : undefined;

    return {
        mode: plan.mode,
        restore: plan.restore
            ? {
                  mode: plan.restore.mode,
                  backupId: plan.restore.backupId,
                  backupTakenAt: plan.restore.backupTakenAt,
                  steps: plan.restore.steps,
                  overrides: plan.restore.overrides,
                  checksNotEvaluated: previous ? [] : STATE_CHECKS[plan.restore.mode],
              }
            : null,
        bucketName: bucket ? bucket.bucketName : plan.bucket.name,
        // null when the stack manages the bucket; else what it requires of it and what it found.
        externalBucket: plan.bucketCheck
            ? {
                  requirement: plan.bucketCheck.requirement,
                  // The manual's settings, for whoever manages the bucket (the render's bucket.json shows them).
                  settings: { Versioning: plan.bucket.versioning, LifecycleConfiguration: plan.bucket.lifecycle, ...(config.storage.bucketPolicy ? { Policy: planBucketPolicy(config) } : {}) },
                  evaluated: bucketFound !== null,
                  found: bucketFound,
              }
            : null,
        // Only with a vault, so a stack without one keeps its outputs as they were.
        ...(plan.vault
            ? {
                  vault: {
                      bucket: plan.vault.bucket,
                      region: plan.vault.region,
                      endpoint: plan.vault.endpoint ?? null,
                      managed: plan.vault.manage,
                      requirement: plan.vault.manage ? null : vaultRequirement(plan.vault),
                      found: vaultFound,
                      settings: plan.vault.settings,
                      replication: {
                          declared: plan.vault.replication.declared,
                          roleArn: replication ? replication.roleArn : plan.vault.replication.roleArn,
                          configuration: plan.vault.replication.configuration,
                          rolePolicy: plan.vault.replication.role.create ? plan.vault.replication.role.policy : null,
                          existingObjects: EXISTING_OBJECTS_NOTE,
                      },
                  },
              }
            : {}),
        veleroNamespace: velero.namespace,
        backupLocation: location.location.metadata.name,
        backupLocationAccessMode: (plan.location.location.spec as { accessMode: string }).accessMode,
        veleroRoleArn: veleroRoleArn ?? null,
        hopsworksRelease: hopsworks.release.status.apply((s) => ({ name: s.name, namespace: s.namespace, version: s.version, revision: s.revision })),
        // What the next deployment reads back (program/previous-state.ts; the rules: stacks/plan/history.ts).
        ...recordedHistory(previous, plan.restore, config.restore.attempt, now),
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
