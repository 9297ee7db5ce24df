import { AlertsPlan, planAlerts } from "./alerts";
import { BucketPlan, bucketWarnings, planBucket } from "./bucket";
import { BucketCheckPlan, planBucketCheck } from "./bucket-check";
import { ConfigError } from "../config/reader";
import { StackConfig } from "../config/stack-config";
import { HopsworksPlan, generatedHopsworksValues, objectStorageValues, planHopsworks } from "./hopsworks";
import { planVeleroIam, VeleroIamPlan } from "./iam";
import { LocationPlan, planLocation, restoresFromVault } from "./location";
import { locationAccessMode, planRestore, RestorePlan, restoreWarnings } from "./restore";
import { SecretValue } from "../config/secret";
import { planVelero, VeleroPlan, VELERO_SERVICE_ACCOUNT } from "./velero";
import { mergeValues } from "../config/values-files";
import { plainHttpWarnings } from "./plain-http";
import { RestoreMode } from "../config/restore";
import { planVault, VaultPlan, vaultWarnings } from "./vault";

/**
 * Everything a stack deploys, as plain data: the components turn it into resources, the
 * render into files. Secrets travel as SecretValue, which prints as redacted.
 */
export interface StackPlan {
    stack: string;
    /** none: normal backup operation; otherwise the restore in `restore`. */
    mode: RestoreMode;
    restore?: RestorePlan;
    bucket: BucketPlan;
    /** With storage.manage: false, what `pulumi preview` and `pulumi up` read and require of the bucket. */
    bucketCheck?: BucketCheckPlan;
    /** Credentials for an S3-compatible store, used by the bucket's provider (or the bucket check) and Velero's location. */
    storeCredentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue; hashKey: SecretValue };
    /** Velero's own keys on an S3-compatible store (storage.veleroAccessKeyId): the location's Secret holds them instead of storeCredentials'. */
    veleroCredentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue };
    /** During a restore from the vault (restore.source: vault) with the vault's own keys: the location's Secret holds those. */
    vaultLocationCredentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue };
    veleroIam?: VeleroIamPlan;
    velero: VeleroPlan;
    location: LocationPlan;
    hopsworks: HopsworksPlan;
    /** With monitoring.enabled, the backup alerts (stacks/alerts.ts). */
    alerts?: AlertsPlan;
    /** With a vault config: the off-site Object Lock bucket and the primary's replication into it. */
    vault?: VaultPlan;
    warnings: string[];
}

export function planStack(config: StackConfig): StackPlan {
    const restore = planRestore(config);
    const base = mergeValues(generatedHopsworksValues(config), objectStorageValues(config));
    const generated = restore ? mergeValues(base, restore.hopsworksValues) : base;
    const hopsworks = planHopsworks(config, generated);
    if (hopsworks.problems.length > 0) throw new ConfigError(hopsworks.problems);
    const velero = planVelero(config);
    const alerts = planAlerts(config);
    const vault = planVault(config);
    return {
        stack: config.stack,
        mode: config.restore.mode,
        restore,
        bucket: planBucket(config),
        bucketCheck: planBucketCheck(config),
        storeCredentials: config.storage.credentials,
        ...(config.storage.veleroCredentials ? { veleroCredentials: config.storage.veleroCredentials } : {}),
        ...(restoresFromVault(config) && config.vault?.credentials ? { vaultLocationCredentials: config.vault.credentials } : {}),
        veleroIam: planVeleroIam(config, VELERO_SERVICE_ACCOUNT),
        velero,
        location: planLocation(config, locationAccessMode(config.restore)),
        hopsworks: hopsworks.plan,
        ...(alerts.plan ? { alerts: alerts.plan } : {}),
        ...(vault ? { vault } : {}),
        warnings: [...vaultWarnings(config, vault), ...(config.configWarnings ?? []), ...bucketWarnings(config), ...plainHttpWarnings(config), ...velero.warnings, ...hopsworks.warnings, ...alerts.warnings, ...restoreWarnings(config)],
    };
}

/** The keys the backup location's Secret gives Velero: its own pair when given (required on a managed S3-compatible bucket), else the store's. */
export function veleroKeysOf(plan: StackPlan): { accessKeyId: SecretValue; secretAccessKey: SecretValue } | undefined {
    return plan.veleroCredentials ?? plan.storeCredentials;
}

/**
 * The keys the location's Secret holds and the key of their hash: the vault's during a restore
 * from it (hashed with storage.credentialsHashKey, else the vault's secret key: either is a secret
 * nobody outside the stack holds), else Velero's keys on the primary's store.
 */
export function locationKeysOf(plan: StackPlan): { accessKeyId: SecretValue; secretAccessKey: SecretValue; hashKey: SecretValue } | undefined {
    if (!plan.location.credentialsSecret) return undefined;
    const vault = plan.vaultLocationCredentials;
    if (vault) return { ...vault, hashKey: plan.storeCredentials?.hashKey ?? vault.secretAccessKey };
    const velero = veleroKeysOf(plan);
    return plan.storeCredentials && velero && { ...velero, hashKey: plan.storeCredentials.hashKey };
}
