import { StackConfig } from "../config/stack-config";
import { SupersetRestoreContract } from "../config/hopsworks";
import { Values } from "../config/values-files";
import { SUPERSET, supersetRestoreJob, VELERO_SCHEDULES } from "../names";

/**
 * Step one of Hopsworks 5.2's two-step Superset restore, as plain data: the values under
 * global._hopsworks.restoreFromBackup.superset with the barrier the chart's revision of the page
 * requires, and how its end is read, which `restore finish` (step two) waits for. Step two clears
 * the flag: `restore finish` removes the restore block, and the release's values then carry no
 * restoreFromBackup, so the chart's default (enabled false) applies.
 */

/** How the end of a Superset restore is read from the cluster, per revision. */
export type SupersetCompletion =
    | { contract: "state"; configMap: string; key: string; value: string }
    | { contract: "job"; job: string };

export interface SupersetRestorePlan {
    contract: SupersetRestoreContract;
    backupId: string;
    /** When the backup was taken, from its ID (UTC). */
    takenAt: string;
    initiatedBy: string;
    /** The release's values for step one, under global._hopsworks.restoreFromBackup.superset. */
    values: Values;
    /** "job" contract: the chart's overlay (values.superset-restore.yaml), merged over the values files during step one. */
    overlay?: { path: string; values: Values };
    /** What keeps the reload from running before the Superset Secrets are back, in words. */
    barrier: string;
    completion: SupersetCompletion;
}

/**
 * The Velero Restore that puts superset-secret-key back before the reload ("state" revision's
 * veleroRestoreName): in a new-cluster restore the stack's own main Restore (named after the
 * schedule, stacks/plan/restore.ts); in place the chart's own, which the manual names "with the
 * exact backup name or schedule name": the named main backup, else the schedule. A Superset-only
 * restore has none: the page's acknowledgeNoVeleroBarrier, the live secret key matching the backup's.
 */
export function supersetVeleroBarrier(config: StackConfig): string | undefined {
    const { restore } = config;
    if (restore.mode === "new-cluster") return VELERO_SCHEDULES.main;
    if (restore.mode === "in-place") return restore.veleroBackups.main ?? VELERO_SCHEDULES.main;
    return undefined;
}

export function planSupersetRestore(config: StackConfig): SupersetRestorePlan | undefined {
    const superset = config.restore.superset;
    if (!superset || config.restore.mode === "none") return undefined;
    const contract = config.hopsworks.supersetRestoreContract;
    const values: Values = { enabled: true, backupId: superset.backupId, initiatedBy: superset.initiatedBy };
    const common = { contract, backupId: superset.backupId, takenAt: superset.takenAt.toISOString(), initiatedBy: superset.initiatedBy };
    if (contract === "job") {
        const overlay = config.hopsworks.supersetRestoreOverlay;
        return {
            ...common,
            values: nest(values),
            ...(overlay ? { overlay: { path: overlay.path, values: overlay.values } } : {}),
            barrier: `the chart's ${SUPERSET.overlayFile} (${overlay?.path ?? "hopsworks.supersetRestoreOverlay"}) holds every Superset workload at zero replicas`,
            completion: { contract, job: supersetRestoreJob(superset.backupId) },
        };
    }
    const velero = supersetVeleroBarrier(config);
    Object.assign(values, velero ? { veleroRestoreName: velero } : { acknowledgeNoVeleroBarrier: true });
    return {
        ...common,
        values: nest(values),
        barrier: velero
            ? `the restore Job waits for Velero Restore ${velero} to reach Completed (it puts superset-secret-key back) before it imports the database`
            : "acknowledgeNoVeleroBarrier: no Velero Restore is involved, the import is gated on the live superset-secret-key matching the backup's fingerprint",
        completion: { contract, configMap: SUPERSET.stateConfigMap, key: SUPERSET.stateKeys.phase, value: SUPERSET.migratedPhase },
    };
}

/** The values at SUPERSET.valuesPath. */
function nest(superset: Values): Values {
    return { global: { _hopsworks: { restoreFromBackup: { superset } } } };
}

/** The end `restore finish` waits for, in words: "ConfigMap superset-restore-state key phase = migrated". */
export function completionText(completion: SupersetCompletion, namespace: string): string {
    return completion.contract === "state"
        ? `ConfigMap ${namespace}/${completion.configMap} key ${completion.key} = ${completion.value}`
        : `Job ${namespace}/${completion.job} condition Complete`;
}
