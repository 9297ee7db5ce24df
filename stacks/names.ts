/**
 * The names the Hopsworks disaster-recovery manual fixes, and the few the project itself fixes
 * for every part to share: the program, the render, the CLI, the policies and the drill. One
 * home for each, so a rename is one edit. Imports nothing, so any file may import it.
 */

/** The stack config's namespace: every key is `hopsworks-dr:<section>`. */
export const CONFIG_NAMESPACE = "hopsworks-dr";
/** The restore block's key in a stack file, which `hopsworks-dr restore plan` writes and `restore finish` removes. */
export const RESTORE_CONFIG_KEY = `${CONFIG_NAMESPACE}:restore`;

/** The manual's namespaces, the defaults of velero.namespace and hopsworks.namespace. */
export const VELERO_NAMESPACE = "velero";
export const HOPSWORKS_NAMESPACE = "hopsworks";

/** The Helm releases, as the manual installs them (`helm install velero`, the Hopsworks chart's release). */
export const VELERO_RELEASE = "velero";
export const HOPSWORKS_RELEASE = "hopsworks";
/** The chart name in the Velero chart repository (and appended to an oci:// velero.repo). */
export const VELERO_CHART = "velero";

/** The manual's BackupStorageLocation, the prefix of the backups in the bucket, and its credentials Secret and key. */
export const LOCATION_NAME = "hopsworks-bsl";
export const LOCATION_PREFIX = "k8s_backup";
export const CREDENTIALS_SECRET = "hopsworks-bsl-credentials";
export const CREDENTIALS_KEY = "cloud";
/**
 * On the location: the HMAC-SHA256, keyed with storage.credentialsHashKey, of the credentials file
 * its Secret holds. New keys change it and so replace the location (LocationPlan.replaceOnChanges).
 */
export const CREDENTIALS_HMAC_ANNOTATION = "hopsworks-dr.io/credentials-hmac-sha256";

/** The Hopsworks chart's Velero schedules (mainScheduleName, usersScheduleName); restores are named after them. */
export const VELERO_SCHEDULES = { main: "k8s-backups-main", users: "k8s-backups-users-resources" } as const;

/** The manual's lifecycle rule on the backup bucket (HopsFS blocks' noncurrent versions). */
export const LIFECYCLE_RULE_ID = "HopsFSBlocksRetentionPolicy";

/** How long `pulumi up` waits for the location to turn Available before failing. */
export const LOCATION_WAIT_SECONDS = 600;
/** How long `pulumi up` waits for one Velero restore to finish. */
export const RESTORE_WAIT_SECONDS = 3600;
/** Helm's wait for the Hopsworks release: the manual's restores need 1200 s (a Release's own default is 300 s). */
export const HOPSWORKS_TIMEOUT_SECONDS = 1200;
/**
 * Helm's wait for the Hopsworks release while it restores (3 hours): RonDB, OpenSearch and HopsFS
 * restore their data inside it, and an atomic new-cluster install that times out is uninstalled.
 */
export const HOPSWORKS_RESTORE_TIMEOUT_SECONDS = 10_800;

/** A Velero backup's name; the manual's examples (k8s-backups-main-20260213T153627Z) carry capitals. */
export const VELERO_BACKUP_NAME = /^[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?$/;

/** Whether `name` can be a backup of `schedule`: Velero names a schedule's backups <schedule>-<timestamp>. */
export function isScheduleBackup(schedule: string, name: string): boolean {
    return VELERO_BACKUP_NAME.test(name) && name.startsWith(`${schedule}-`);
}

/**
 * What the operator types to confirm that a restore acts on this stack with this backup:
 * restore.confirm of an in-place restore, restore.acceptPartial of a new-cluster one, and what
 * `hopsworks-dr restore plan --yes` writes.
 */
export function restoreConfirmation(stack: string, backupId: string): string {
    return `${stack}/${backupId}`;
}

/** A Kubernetes object as the plan declares it. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    [field: string]: unknown;
}

/** Set by the offline render for the program it evaluates: there is no previous deployment to read, and no bucket to check. */
export const OFFLINE_RENDER_ENV = "HOPSWORKS_DR_OFFLINE_RENDER";

/**
 * Where Hopsworks keeps its backups in the HopsFS bucket, each ending in "/": Velero's location
 * prefix, the RonDB subchart's restoreFromBackup.pathPrefix, the OpenSearch snapshot repository
 * and Superset's dumps (docs.hopsworks.ai 5.2 dr.md). The OpenSearch repository's base path is not
 * public (the Hopsworks chart is not): `opensearch_backup` is this project's assumption, which
 * `backups recover --opensearch-prefix` overrides. Everything else in the bucket is HopsFS data.
 */
export const OPENSEARCH_BACKUP_PREFIX_DEFAULT = "opensearch_backup";
export const BACKUP_PREFIXES = { velero: `${LOCATION_PREFIX}/`, rondb: "rondb_backup/", opensearch: `${OPENSEARCH_BACKUP_PREFIX_DEFAULT}/`, superset: "superset_backup/" } as const;

/**
 * `backups status --vault-lag`'s default: Replication Time Control replicates 99.99% of objects
 * within 15 minutes; 5 more minutes of margin keep a slow object from failing a cron run. At most a week.
 */
export const VAULT_LAG_DEFAULT_MINUTES = 20;
export const VAULT_LAG_MAX_MINUTES = 10_080;

/**
 * Hopsworks 5.2's Superset backup and two-step restore, as docs.hopsworks.ai's disaster-recovery
 * page names them (logicalclocks.github.io docs/setup_installation/admin/ha-dr/dr.md). The page
 * exists in two revisions that disagree on the restore's barrier and on how its end is read:
 * "state" (veleroRestoreName or acknowledgeNoVeleroBarrier; ConfigMap superset-restore-state, key
 * phase = migrated) and "job" (the chart's overlay values file; Job superset-restore-<ID> Complete;
 * fence key inProgress in superset-restore-audit). Both names sets live here, for the program, the
 * CLI and the drill's stand-in chart to share.
 */
export const SUPERSET = {
    /** The CronJob that dumps Superset's MySQL to superset_backup/<id>/. */
    backupCronJob: "create-superset-backup",
    /** The index of the dumps: one key per backup ID, JSON values with a `state`. */
    metadataConfigMap: "superset-backups-metadata",
    /** Where the restore values go in the Hopsworks chart. */
    valuesPath: "global._hopsworks.restoreFromBackup.superset",
    /** "state" revision: the restore's execution state and its maintenance fence. */
    stateConfigMap: "superset-restore-state",
    stateKeys: { phase: "phase", restoreId: "restoreId", failed: "failed" },
    /** The terminal phase of a successful restore ("state" revision). */
    migratedPhase: "migrated",
    /** Both revisions: the append-only audit trail (h-* keys); in the "job" revision also the fence. */
    auditConfigMap: "superset-restore-audit",
    /** "job" revision: the fence key, the backup ID of a restore running or failed. */
    fenceKey: "inProgress",
    /** "job" revision: the chart's overlay that pins every Superset workload to zero replicas. */
    overlayFile: "values.superset-restore.yaml",
    /** The Secrets the Velero backup carries (label backup.hops.works/include). */
    secrets: ["superset-secret-key", "superset-mysql-users-secrets", "superset-admin-credentials"],
} as const;

/** The restore Job of a Superset backup (both revisions name it so). */
export function supersetRestoreJob(backupId: string): string {
    return `superset-restore-${backupId}`;
}

/** Hopsworks backs up and restores Superset from this version on. */
export const SUPERSET_MIN_VERSION = "5.2.0";
/** Hopsworks labels Trino's authentication Secrets for the main Velero schedule from this version on. */
export const TRINO_BACKUP_MIN_VERSION = "5.1.0";
/** Trino's Secrets that travel in k8s-backups-main from 5.1 on; the internal shared secret deliberately does not. */
export const TRINO_SECRETS = ["trino-password-file", "trino-groups-file", "trino-admin-credentials", "trino-monitoring-credentials"] as const;
