import { BACKUP_KEYS, BackupConfig, readBackup } from "./backup";
import { DEFAULTS } from "./defaults";
import { CONFIG_NAMESPACE } from "../names";
import { HOPSWORKS_KEYS, HopsworksConfig, readHopsworks } from "./hopsworks";
import { MonitoringConfig, MONITORING_KEYS, readMonitoring } from "./monitoring";
import { ConfigError, ConfigReader, ConfigSource } from "./reader";
import { readRestore, RESTORE_KEYS, RESTORE_SUPERSET_KEYS, RestoreConfig, VELERO_BACKUPS_KEYS } from "./restore";
import { SUPERSET } from "../names";
import { namespaceFindings } from "./stack-file";
import { IRSA_KEYS, readStorage, STORAGE_KEYS, StorageConfig } from "./storage";
import { readVelero, VELERO_KEYS, VeleroConfig } from "./velero";
import { checkVeleroKeys } from "./velero-keys";
import { PROTOTYPE_KEYS, prototypeKeyPaths } from "./own-keys";
import { OBJECT_LOCK_KEYS, readVault, REPLICATION_KEYS, VaultConfig, VAULT_KEYS } from "./vault";

export interface StackConfig {
    stack: string;
    /** The Pulumi project's name. Default: "hopsworks-dr" (Pulumi.yaml's). */
    project: string;
    storage: StorageConfig;
    backup: BackupConfig;
    velero: VeleroConfig;
    hopsworks: HopsworksConfig;
    restore: RestoreConfig;
    monitoring: MonitoringConfig;
    /** The off-site, Object Lock vault the primary replicates into (stacks/config/vault.ts). Default: none. */
    vault?: VaultConfig;
    /** Warnings about the config itself (a key in a namespace nothing reads), shown with the plan's. Default: none. */
    configWarnings?: string[];
}

/** Every key of each config object, for the runbook and documentation checks. */
export const CONFIG_KEYS = {
    storage: STORAGE_KEYS,
    irsa: IRSA_KEYS,
    backup: BACKUP_KEYS,
    velero: VELERO_KEYS,
    hopsworks: HOPSWORKS_KEYS,
    restore: RESTORE_KEYS,
    veleroBackups: VELERO_BACKUPS_KEYS,
    superset: RESTORE_SUPERSET_KEYS,
    monitoring: MONITORING_KEYS,
    vault: VAULT_KEYS,
    objectLock: OBJECT_LOCK_KEYS,
    replication: REPLICATION_KEYS,
} as const;

/** Top-level keys of the `hopsworks-dr:` namespace; later issues add theirs here. */
export const TOP_LEVEL_KEYS = ["storage", "backup", "velero", "hopsworks", "restore", "monitoring", "vault"];

/**
 * Turns raw stack config into a validated StackConfig with every default applied, or throws
 * a ConfigError listing every problem. Reads the Hopsworks values files, so their errors are
 * reported together with the rest.
 */
function hasKey(section: unknown, key: string): boolean {
    return typeof section === "object" && section !== null && (section as Record<string, unknown>)[key] !== undefined && (section as Record<string, unknown>)[key] !== null;
}

export function readStackConfig(source: ConfigSource): StackConfig {
    const r = new ConfigReader(source);
    const namespaces = namespaceFindings(source.otherKeys ?? []);
    // A typo in the namespace comes first: it is why a key it holds is reported missing below.
    r.problems.push(...namespaces.problems);
    for (const at of prototypeKeyPaths(source.values)) {
        r.problem(
            at,
            `in Pulumi.${source.stack}.yaml is a key JavaScript reserves (__proto__, constructor, prototype): it would reach the ` +
                "prototype of the config objects, and no config key is named so; remove it",
        );
    }
    for (const key of Object.keys(source.values)) {
        if (!TOP_LEVEL_KEYS.includes(key) && !PROTOTYPE_KEYS.includes(key)) {
            r.problem(key, `is not a known key; valid keys are ${TOP_LEVEL_KEYS.map((k) => `hopsworks-dr:${k}`).join(", ")}`);
        }
    }
    const storage = readStorage(r);
    const backup = readBackup(r);
    const velero = readVelero(r);
    checkVeleroKeys(r, storage);
    const hopsworks = readHopsworks(r);
    const restore = readRestore(r, hopsworks?.version);
    const monitoring = readMonitoring(r, hopsworks?.namespace ?? DEFAULTS.hopsworksNamespace, backup, hopsworks?.version);
    const vault = readVault(r, storage, backup);
    if (restore?.source === "vault" && !vault && !("vault" in source.values)) {
        r.invalid("restore.source", "vault", "needs a vault to restore from: configure hopsworks-dr:vault (its bucket, region and keys), or set restore.source to \"primary\"");
    }
    if (restore?.superset && hopsworks?.supersetRestoreContract === "job" && !hopsworks.supersetRestoreOverlay && !hasKey(source.values.hopsworks, "supersetRestoreOverlay")) {
        r.problem(
            "hopsworks.supersetRestoreOverlay",
            `is required for a Superset restore with hopsworks.supersetRestoreContract: job: the chart's ${SUPERSET.overlayFile}, which holds Superset at ` +
                `zero replicas while the database reloads (the chart refuses the restore without it); copy it from the chart ` +
                `(helm pull <repo>/hopsworks --version <chartVersion> --untar) into the project folder and give its path`,
        );
    }
    const backupValues = source.values.backup as Record<string, unknown> | undefined;
    if (storage && !storage.manage && backupValues?.noncurrentVersionDays !== undefined && backupValues.noncurrentVersionDays !== null) {
        r.problem(
            "backup.noncurrentVersionDays",
            "sets the lifecycle rule the stack declares, and storage.manage: false declares none; the bucket's own rules are checked " +
                "against backup.ttl instead: remove it",
        );
    }
    if (r.problems.length > 0 || !storage || !backup || !hopsworks || !restore) throw new ConfigError(r.problems);
    return {
        stack: source.stack, project: source.project ?? CONFIG_NAMESPACE, storage, backup, velero, hopsworks, restore, monitoring,
        ...(vault ? { vault } : {}),
        ...(namespaces.warnings.length > 0 ? { configWarnings: namespaces.warnings } : {}),
    };
}
