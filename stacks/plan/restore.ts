import { backupIdTime } from "../catalogue/backup-id";
import { VELERO_MATCH_WINDOW_TEXT } from "../catalogue/restore-points";
import { StackConfig } from "../config/stack-config";
import { AccessMode, locationStore, restoresFromVault } from "./location";
import { mergeValues, Values } from "../config/values-files";
import { Manifest, RESTORE_WAIT_SECONDS, SUPERSET, SUPERSET_MIN_VERSION, TRINO_BACKUP_MIN_VERSION, TRINO_SECRETS, VELERO_SCHEDULES } from "../names";
import { RestoreConfig } from "../config/restore";
import { hasVersion, releaseTimeoutSeconds } from "../config/hopsworks";
import { completionText, planSupersetRestore, SupersetRestorePlan } from "./superset";

/**
 * The phases a Velero Restore ends in. Velero 1.17 sets no completionTimestamp on
 * FailedValidation, so the wait is on the phase itself, whichever of these it is.
 */
export const RESTORE_TERMINAL_PHASES = ["Completed", "PartiallyFailed", "Failed", "FailedValidation"] as const;

/**
 * A pulumi.com/waitFor expression (RFC 9535 JSONPath, as pulumi-kubernetes evaluates it) that holds
 * once the restore's status reaches any terminal phase: the filter selects the status object then.
 */
export const RESTORE_FINISHED_WAIT = `jsonpath={$[?${RESTORE_TERMINAL_PHASES.map((p) => `@.phase=='${p}'`).join(" || ")}]}`;
/** Velero writes these into a Restore's spec; they must not show as drift. */
const CONTROLLER_WRITTEN = ["spec.itemOperationTimeout"];

export interface VeleroRestorePlan {
    manifest: Manifest;
    /** Spec fields the Velero controller fills in, ignored in diffs. */
    ignoreChanges: string[];
    /** Accept a restore that ended PartiallyFailed (restore.acceptPartial), not only Completed. */
    acceptPartial: boolean;
}

/** Bumped by restore.attempt: a new value recreates the Restore, so Velero runs it again. */
export const RESTORE_ATTEMPT_ANNOTATION = "hopsworks-dr.io/restore-attempt";

export interface RestorePlan {
    /** superset: Superset alone, on a running cluster (backupId is then the Superset backup's). */
    mode: "new-cluster" | "in-place" | "superset";
    backupId: string;
    /** When the backup was taken, decoded from its ID (UTC). */
    backupTakenAt: string;
    /** The Velero Restores this stack creates, in order (new-cluster only: the chart makes its own in-place). */
    veleroRestores: VeleroRestorePlan[];
    /** Merged over the generated Hopsworks values. */
    hopsworksValues: Values;
    /** The order `pulumi up` applies the restore in, for the plan and the preview's reviewers. */
    steps: string[];
    /** Every way this restore departs from "everything from backupId", one line each, for plan.txt and the preview. */
    overrides: string[];
    /** Hopsworks 5.2 and later: step one of the Superset restore that goes with it (restore.superset). */
    superset?: SupersetRestorePlan;
}

/** What the restore block overrides: each service restored from elsewhere, what is left out, what is accepted. */
export function restoreOverrides(restore: RestoreConfig): string[] {
    const overrides: string[] = [];
    if (restore.rondbBackupId) overrides.push(`RonDB restores its backup ${restore.rondbBackupId} (restore.rondbBackupId), not ${restore.backupId}`);
    if (restore.opensearchSnapshot) overrides.push(`OpenSearch restores snapshot ${restore.opensearchSnapshot} (restore.opensearchSnapshot), not ${restore.backupId}`);
    if (restore.opensearchSkipIndices.length > 0) {
        overrides.push(`OpenSearch leaves out indices ${restore.opensearchSkipIndices.join(", ")} (restore.opensearchSkipIndices)`);
    }
    if (restore.latestVeleroBackups) overrides.push("Velero restores each schedule's newest Completed backup, whatever the backup ID (restore.latestVeleroBackups)");
    if (restore.acceptPartial !== undefined) overrides.push(`a Velero restore that ends PartiallyFailed is accepted (restore.acceptPartial)`);
    if (restore.attempt > 1) overrides.push(`attempt ${restore.attempt}: the Velero Restores are made again (restore.attempt)`);
    return overrides;
}

/** restore.source: vault, stated where plan.txt and the preview list the restore's departures from the usual. */
function vaultSourceOverride(config: StackConfig): string[] {
    if (!restoresFromVault(config)) return [];
    const store = locationStore(config);
    return [
        `every backup is read from the vault, bucket ${store.bucket} in ${store.region}${store.endpoint ? ` at ${store.endpoint}` : ""} (restore.source: vault), ` +
            `not the primary ${config.storage.bucket}: the location and the Hopsworks release's object storage point at it`,
    ];
}

/** The location's access mode: ReadOnly while a new cluster restores, so it cannot prune or overwrite its backups. */
export function locationAccessMode(restore: RestoreConfig): AccessMode {
    return restore.mode === "new-cluster" ? "ReadOnly" : "ReadWrite";
}

export function planRestore(config: StackConfig): RestorePlan | undefined {
    const platform = planPlatformRestore(config);
    const superset = planSupersetRestore(config);
    if (config.restore.mode === "superset") return superset ? supersetOnlyRestore(config, superset) : undefined;
    if (!platform || !superset) return platform;
    return {
        ...platform,
        hopsworksValues: mergeValues(platform.hopsworksValues, superset.values),
        superset,
        steps: [...platform.steps, supersetStep(config, superset)],
        overrides: [...platform.overrides, supersetOverride(platform.backupId, platform.backupTakenAt, superset)],
    };
}

/** restore.mode superset: Superset alone, on the running cluster, two steps as with a platform restore. */
function supersetOnlyRestore(config: StackConfig, superset: SupersetRestorePlan): RestorePlan {
    return {
        mode: "superset",
        backupId: superset.backupId,
        backupTakenAt: superset.takenAt,
        veleroRestores: [],
        hopsworksValues: superset.values,
        superset,
        overrides: [],
        steps: [supersetStep(config, superset)],
    };
}

/** The Superset restore's step one and how step two follows, for plan.txt and the preview. */
function supersetStep(config: StackConfig, superset: SupersetRestorePlan): string {
    return (
        `Superset: the Hopsworks release ${config.restore.mode === "new-cluster" ? "installed" : "upgraded"} with ${SUPERSET.valuesPath} ` +
        `{enabled, backupId ${superset.backupId} (taken ${superset.takenAt}), initiatedBy ${JSON.stringify(superset.initiatedBy)}}; ` +
        `${superset.barrier}. Step two, once ${completionText(superset.completion, config.hopsworks.namespace)}: ` +
        "`hopsworks-dr restore finish`, which checks that end, then `pulumi up` clears the flag and Superset starts again"
    );
}

/** A Superset backup is its own: the page warns it is not point-in-time consistent with RonDB and HopsFS. */
function supersetOverride(backupId: string, backupTakenAt: string, superset: SupersetRestorePlan): string {
    return (
        `Superset reloads its own backup ${superset.backupId} (taken ${superset.takenAt}, restore.superset.backupId), not a snapshot coordinated with ` +
        `backup ${backupId} (taken ${backupTakenAt}): Superset's per-project Trino connections may carry passwords RonDB has since replaced`
    );
}

function planPlatformRestore(config: StackConfig): RestorePlan | undefined {
    const { restore } = config;
    if ((restore.mode !== "new-cluster" && restore.mode !== "in-place") || !restore.backupId) return undefined;
    const backupTakenAt = backupIdTime(restore.backupId)!.toISOString();
    if (restore.mode === "new-cluster") {
        const main = veleroRestore(config, VELERO_SCHEDULES.main, restore.veleroBackups.main);
        const users = veleroRestore(config, VELERO_SCHEDULES.users, restore.veleroBackups.users);
        return {
            mode: "new-cluster",
            backupId: restore.backupId,
            backupTakenAt,
            veleroRestores: [main, users],
            hopsworksValues: restoreValues(restore),
            overrides: [...vaultSourceOverride(config), ...restoreOverrides(restore)],
            steps: [
                "Velero and the hopsworks-bsl location, ReadOnly, until it is Available and has synced the backups",
                `Velero restore ${VELERO_SCHEDULES.main} of ${restore.veleroBackups.main ?? "the newest Completed backup of schedule " + VELERO_SCHEDULES.main + " (restore.latestVeleroBackups)"}, until Completed`,
                `Velero restore ${VELERO_SCHEDULES.users} of ${restore.veleroBackups.users ?? "the newest Completed backup of schedule " + VELERO_SCHEDULES.users + " (restore.latestVeleroBackups)"}, until Completed`,
                `the Hopsworks release installed with restoreFromBackup.backupId ${restore.backupId}, Helm waiting up to ` +
                    `${releaseTimeoutSeconds(config.hopsworks, "new-cluster")} s (hopsworks.restoreTimeoutSeconds) for RonDB, OpenSearch and HopsFS to restore; ` +
                    "at that timeout the atomic install is uninstalled and `pulumi up` fails, the Velero restores stay Completed",
            ],
        };
    }
    return {
        mode: "in-place",
        backupId: restore.backupId,
        backupTakenAt,
        veleroRestores: [],
        hopsworksValues: restoreValues(restore),
        overrides: restoreOverrides(restore),
        steps: [
            `the Hopsworks release upgraded with restoreFromBackup {backupId ${restore.backupId}, inPlace, forceDataClear}: ` +
                `the chart stops the stateful services, clears their data and restores it, Helm waiting up to ` +
                `${releaseTimeoutSeconds(config.hopsworks, "in-place")} s (hopsworks.restoreTimeoutSeconds); at that timeout \`pulumi up\` fails ` +
                "and the release is left failed while the restore jobs go on (see docs/runbooks/in-place-restore.md)",
        ],
    };
}

/**
 * What `pulumi preview` and `pulumi up` warn about a restore: each schedule's newest backup taken
 * on purpose, a 5.2 restore that leaves Superset out, a restore point older than Trino's backups.
 */
export function restoreWarnings(config: StackConfig): string[] {
    return [...veleroWarnings(config), ...supersetMissingWarnings(config), ...trinoWarnings(config)];
}

/** A platform restore on Hopsworks 5.2 or later without restore.superset: Superset's dashboards, charts and connections stay as they are, or empty. */
export function supersetMissingWarnings(config: StackConfig): string[] {
    const { restore, hopsworks } = config;
    if ((restore.mode !== "new-cluster" && restore.mode !== "in-place") || restore.superset || !hasVersion(hopsworks.version, SUPERSET_MIN_VERSION)) return [];
    return [
        `restore.superset is not set: this ${restore.mode} restore on Hopsworks ${hopsworks.version} does not restore Superset (dashboards, charts, ` +
            `saved queries, database connections, users and roles)${restore.mode === "new-cluster" ? ", which then starts empty" : ", which keeps its current database"}. ` +
            `Set restore.superset.backupId to the restore point's Superset backup (hopsworks-dr restore plan picks it; ConfigMap ${SUPERSET.metadataConfigMap}), ` +
            "unless the point predates Superset backups"
    ];
}

/**
 * A platform restore on Hopsworks 5.1 or later of a point taken before hopsworks.trinoBackupsSince:
 * its k8s-backups-main lacks Trino's Secrets (the page: "Backups older than the feature lack them").
 */
export function trinoWarnings(config: StackConfig): string[] {
    const { restore, hopsworks } = config;
    const since = hopsworks.trinoBackupsSince;
    if ((restore.mode !== "new-cluster" && restore.mode !== "in-place") || !restore.backupId || !since) return [];
    if (!hasVersion(hopsworks.version, TRINO_BACKUP_MIN_VERSION)) return [];
    const taken = backupIdTime(restore.backupId);
    if (!taken || taken.getTime() >= since.getTime()) return [];
    return [trinoPredatesText(restore.backupId, taken, since)];
}

/** The warning for a restore point taken before the stack's backups carried Trino's Secrets; `restore plan` says the same. */
export function trinoPredatesText(backupId: string, taken: Date, since: Date): string {
    return (
        `restore point ${backupId} (${taken.toISOString()}) predates Trino's backups (hopsworks.trinoBackupsSince ${since.toISOString()}): its ` +
        `${VELERO_SCHEDULES.main} backup lacks Trino's Secrets (${TRINO_SECRETS.join(", ")}). Hopsworks rebuilds the project users' and groups' ` +
        "Trino authentication from RonDB, but the admin and monitoring credentials are the chart's values again: an out-of-band rotation of them " +
        "is lost, and Prometheus may need its Trino monitoring credentials re-aligned"
    );
}

function veleroWarnings(config: StackConfig): string[] {
    const { restore } = config;
    if (restore.mode !== "new-cluster" && restore.mode !== "in-place") return [];
    if (restore.veleroBackupsOutsideWindow !== undefined) {
        return [
            `restore.veleroBackupsOutsideWindow: the Velero backups ${restore.veleroBackups.main} and ${restore.veleroBackups.users} are restored ` +
                `without checking their names' times against the window of backup ${restore.backupId} (${VELERO_MATCH_WINDOW_TEXT}); ` +
                "a pair of another date restores Kubernetes objects of that date next to the point's RonDB, OpenSearch and HopsFS data",
        ];
    }
    if (!restore.latestVeleroBackups) return [];
    return [
        `restore.latestVeleroBackups: the Velero restores take each schedule's newest Completed backup (${VELERO_SCHEDULES.main}, ` +
            `${VELERO_SCHEDULES.users}), whatever restore.backupId (${restore.backupId}) is. Unless backup ${restore.backupId} is the ` +
            "newest restore point, Kubernetes objects of another date are restored next to its RonDB, OpenSearch and HopsFS data. " +
            "Name the point's own backups in restore.veleroBackups.main and .users instead",
    ];
}

function veleroRestore(config: StackConfig, schedule: string, backupName: string | undefined): VeleroRestorePlan {
    return {
        manifest: {
            apiVersion: "velero.io/v1",
            kind: "Restore",
            metadata: {
                name: schedule,
                namespace: config.velero.namespace,
                annotations: {
                    // Wait for a terminal phase (any), then check it is Completed: a wait on
                    // Completed would hang until the timeout when a restore ends PartiallyFailed.
                    "pulumi.com/waitFor": RESTORE_FINISHED_WAIT,
                    "pulumi.com/timeoutSeconds": String(RESTORE_WAIT_SECONDS),
                    [RESTORE_ATTEMPT_ANNOTATION]: String(config.restore.attempt),
                },
            },
            spec: backupName ? { backupName } : { scheduleName: schedule },
        },
        acceptPartial: config.restore.acceptPartial !== undefined,
        // With scheduleName, the controller writes the backup it chose into spec.backupName.
        // Not spec.backupName, which the controller writes for a scheduleName restore: ignoring it made
        // Pulumi carry an old backupName into a schedule restore, which Velero then refused ("Either a
        // backup or schedule must be specified ..., but not both"; found by the drill). A Restore is
        // never updated in place: the same restore is refused once applied, and a new spec or attempt
        // replaces it, so the controller's write cannot turn into an unwanted re-run.
        ignoreChanges: CONTROLLER_WRITTEN,
    };
}

/** The manual's restore values (Restore on Cluster installation, Customizations, In-Place Restore). */
export function restoreValues(restore: RestoreConfig): Values {
    const restoreFromBackup: Values = { backupId: restore.backupId };
    if (restore.mode === "in-place") Object.assign(restoreFromBackup, { inPlace: true, forceDataClear: true });
    const values: Values = { global: { _hopsworks: { restoreFromBackup } } };
    if (restore.rondbBackupId) values.rondb = { rondb: { restoreFromBackup: { backupId: restore.rondbBackupId } } };
    if (restore.opensearchSnapshot || restore.opensearchSkipIndices.length > 0) {
        const snapshot: Values = { snapshot_name: restore.opensearchSnapshot ?? restore.backupId };
        if (restore.opensearchSkipIndices.length > 0) {
            snapshot.payload = { indices: restore.opensearchSkipIndices.map((i) => `-${i}`).join(",") };
        }
        values.olk = { opensearch: { restore: { repositories: { default: { snapshots: { default: snapshot } } } } } };
    }
    if (restore.mode === "in-place" && (restore.veleroBackups.main || restore.veleroBackups.users)) {
        const ids: Values = {};
        if (restore.veleroBackups.main) ids.mainScheduleBackupId = restore.veleroBackups.main;
        if (restore.veleroBackups.users) ids.usersScheduleBackupId = restore.veleroBackups.users;
        values.hopsworks = { velero: { restore: ids } };
    }
    return values;
}
