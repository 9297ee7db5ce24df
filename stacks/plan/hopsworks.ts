import { chartSourceKind, chartSourceWarning } from "../config/chart-source";
import { ConfigProblem, show } from "../config/reader";
import { StackConfig } from "../config/stack-config";
import { ReleasePlan } from "./helm-release";
import { SecretValue } from "../config/secret";
import { veleroDuration } from "../config/ttl";
import { leafPaths, mergeValues, valueAt, valueAtOrAbove, Values } from "../config/values-files";
import { releaseTimeoutSeconds } from "../config/hopsworks";
import { CONFIG_NAMESPACE, HOPSWORKS_RELEASE } from "../names";
import { locationStore, restoresFromVault } from "./location";

export interface HopsworksPlan extends ReleasePlan {
    timeoutSeconds: number;
    /**
     * Helm's --atomic (with cleanup on fail), during a new-cluster restore only: a failed or timed-out
     * install is uninstalled and leaves nothing in the state, so the next `pulumi up` installs again.
     * Without it the failed release stays, and the next `pulumi up` upgrades it still carrying
     * restoreFromBackup.backupId without inPlace, which the chart's RonDB guards refuse. Never for
     * an in-place restore, whose rollback would come after its data was cleared.
     */
    atomic: boolean;
    repoCredentials?: { username: SecretValue; password: SecretValue };
    /** What this stack sets, whatever the values files say. */
    generatedValues: Values;
    /** The values files merged in order, then the generated values: what the release gets. */
    values: Values;
}

/** The chart's HopsFS object storage (RonDB, OpenSearch and HopsFS read their backups from it): the backup bucket. */
export const OBJECT_STORAGE = "global._hopsworks.managedObjectStorage.s3";

/** Where each generated value comes from, for messages that tell the operator which key owns it. */
const OWNERS: Record<string, string> = {
    "global._hopsworks.backups.enabled": "backup.enabled",
    "global._hopsworks.backups.schedule": "backup.schedule",
    "global._hopsworks.backups.ttl": "backup.ttl",
    "hopsworks.velero.namespace": "velero.namespace",
    "hopsworks.velero.backup.ttl": "backup.ttl",
    "hopsworks.velero.backup.storageLocation.create": "storage (this stack owns hopsworks-bsl)",
};

/**
 * Restore values are driven by hopsworks-dr:restore only: a restoreFromBackup left in a values
 * file would be sent again on every upgrade, which the chart's RonDB guards then fail.
 */
export const RESTORE_OWNED = [
    "global._hopsworks.restoreFromBackup",
    "rondb.rondb.restoreFromBackup",
    "olk.opensearch.restore.repositories",
    "hopsworks.velero.restore",
];

/**
 * The manual's backup values, and the chart told not to make the location this stack owns,
 * where Velero runs and how long Velero keeps its backups. The last two follow the chart's
 * documented values (hopsworks.velero.namespace, default velero, where its prerequisite check
 * looks for Velero; hopsworks.velero.backup.ttl, a Go duration, unset meaning 30 days); the
 * chart's templates are not public, so how it reads them is unverified.
 */
export function generatedHopsworksValues(config: StackConfig): Values {
    return {
        global: {
            _hopsworks: {
                backups: { enabled: config.backup.enabled, schedule: config.backup.schedule, ttl: config.backup.ttl },
            },
        },
        hopsworks: {
            velero: {
                namespace: config.velero.namespace,
                backup: { ttl: veleroDuration(config.backup.ttl), storageLocation: { create: false } },
            },
        },
    };
}

/**
 * During a restore from the vault, the release's object storage is the vault, so RonDB, OpenSearch
 * and HopsFS restore from it (the chart's s3 keys: bucket.name, region, endpoint). Otherwise
 * nothing: the manual's values files keep their own settings, which must name storage.bucket.
 */
export function objectStorageValues(config: StackConfig): Values {
    if (!restoresFromVault(config)) return {};
    const store = locationStore(config);
    const s3: Values = { bucket: { name: store.bucket }, region: store.region, ...(store.endpoint ? { endpoint: store.endpoint } : {}) };
    return { global: { _hopsworks: { managedObjectStorage: { s3 } } } };
}

/**
 * A values file's HopsFS bucket must be the one the stack backs up to: refused otherwise. During a
 * restore from the vault the primary's name is expected there (the stack's vault settings win).
 */
function otherBucketProblem(config: StackConfig, file: { path: string; values: Values }, index: number): ConfigProblem | undefined {
    const path = `${OBJECT_STORAGE}.bucket.name`;
    const named = valueAt(file.values, path);
    const allowed = [config.storage.bucket, ...(restoresFromVault(config) ? [locationStore(config).bucket] : [])];
    if (named === undefined || allowed.includes(named as string)) return undefined;
    return {
        key: `hopsworks.valuesFiles[${index}]`,
        message:
            `${CONFIG_NAMESPACE}:hopsworks.valuesFiles[${index}] = ${JSON.stringify(file.path)}: sets ${path} to ${show(named)}, but the backups ` +
            `are in hopsworks-dr:storage.bucket ${JSON.stringify(config.storage.bucket)}, and RonDB, OpenSearch and HopsFS back up to and restore ` +
            "from the HopsFS bucket: set it to storage.bucket, or remove it from the file",
    };
}

/**
 * pulumi-kubernetes logs in to an OCI registry with the release's repositoryOpts only from 4.27.0
 * (docs/development.md, "pulumi-kubernetes 4.25.0 to 4.34.2"); the pinned 4.25.0 uses Helm's
 * registry login of the machine that runs Pulumi.
 */
function ociLoginWarning(config: StackConfig): string | undefined {
    const { repo, repoUsername } = config.hopsworks;
    if (chartSourceKind(repo) !== "oci" || repoUsername === undefined) return undefined;
    const registry = repo.replace(/^oci:\/\//, "").split("/")[0];
    return (
        `${CONFIG_NAMESPACE}:hopsworks.repo = ${JSON.stringify(repo)}: the Pulumi Kubernetes provider this project pins (4.25.0) does not log in ` +
        `to an OCI registry with hopsworks.repoUsername and hopsworks.repoPassword (4.27.0 and later do): run \`helm registry login ${registry}\` ` +
        "on the machine that runs pulumi preview and pulumi up, or the chart pull fails with an authorization error"
    );
}

/**
 * A values file that sets a generated key to another value is refused (the stack config owns
 * it, and a silent override would hide a schedule or ttl nobody chose); the same value only warns.
 */
export function planHopsworks(config: StackConfig, generatedValues: Values): { plan: HopsworksPlan; problems: ConfigProblem[]; warnings: string[] } {
    const { hopsworks } = config;
    const problems: ConfigProblem[] = [];
    const warnings: string[] = [];
    const sourceWarning = chartSourceWarning("hopsworks.repo", hopsworks.repo, hopsworks.chart);
    if (sourceWarning) warnings.push(sourceWarning);
    const ociLogin = ociLoginWarning(config);
    if (ociLogin) warnings.push(ociLogin);
    hopsworks.valuesFiles.forEach((file, index) => {
        const otherBucket = otherBucketProblem(config, file, index);
        if (otherBucket) problems.push(otherBucket);
        for (const owned of RESTORE_OWNED) {
            if (valueAt(file.values, owned) === undefined) continue;
            problems.push({
                key: `hopsworks.valuesFiles[${index}]`,
                message:
                    `${CONFIG_NAMESPACE}:hopsworks.valuesFiles[${index}] = ${JSON.stringify(file.path)}: sets ${owned}; restores are set ` +
                    "with hopsworks-dr:restore (mode, backupId, ...), which also removes them afterwards: remove it from the file",
            });
        }
        for (const [path, generated] of leafPaths(generatedValues)) {
            if (RESTORE_OWNED.some((owned) => path.startsWith(`${owned}.`))) continue;
            // The primary's object storage in the file is expected; the vault's settings replace it during the restore.
            if (path.startsWith(`${OBJECT_STORAGE}.`)) continue;
            const fromFile = valueAtOrAbove(file.values, path);
            if (fromFile === undefined) continue;
            const owner = OWNERS[path] ? `hopsworks-dr:${OWNERS[path]}` : "this stack's config";
            if (JSON.stringify(fromFile.value) === JSON.stringify(generated)) {
                warnings.push(`${file.path} sets ${fromFile.path}, which ${owner} already sets; remove it from the file`);
            } else {
                problems.push({
                    key: `hopsworks.valuesFiles[${index}]`,
                    message:
                        `${CONFIG_NAMESPACE}:hopsworks.valuesFiles[${index}] = ${JSON.stringify(file.path)}: sets ${fromFile.path} to ` +
                        `${show(fromFile.value)}, but ${owner} sets ${path} to ${JSON.stringify(generated)}; ` +
                        `remove it from the file and set it in the stack config`,
                });
            }
        }
    });
    // A Superset restore's overlay (the "job" revision's values.superset-restore.yaml) comes after the values files, as `helm -f` takes it.
    const overlay = config.restore.superset && config.restore.mode !== "none" && hopsworks.supersetRestoreContract === "job" ? hopsworks.supersetRestoreOverlay : undefined;
    const values = mergeValues(...hopsworks.valuesFiles.map((f) => f.values), ...(overlay ? [overlay.values] : []), generatedValues);
    return {
        plan: {
            releaseName: HOPSWORKS_RELEASE,
            namespace: hopsworks.namespace,
            chart: hopsworks.chart,
            repo: hopsworks.repo,
            version: hopsworks.chartVersion,
            // A restore restores RonDB, OpenSearch and HopsFS inside the release's wait: hours, not the manual's 1200 s.
            timeoutSeconds: releaseTimeoutSeconds(hopsworks, config.restore.mode),
            atomic: config.restore.mode === "new-cluster",
            repoCredentials:
                hopsworks.repoUsername && hopsworks.repoPassword
                    ? { username: hopsworks.repoUsername, password: hopsworks.repoPassword }
                    : undefined,
            generatedValues,
            values,
        },
        problems,
        warnings,
    };
}
