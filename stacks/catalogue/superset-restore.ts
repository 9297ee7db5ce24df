import { SUPERSET, supersetRestoreJob } from "../names";

/**
 * How far a Superset restore got, judged from what the cluster shows, per revision of the page:
 * "state" reads ConfigMap superset-restore-state (phase, restoreId, failed), "job" the restore
 * Job's conditions. Pure: `restore finish` fetches, this judges and words it.
 */

export type SupersetRestoreOutcome = { state: "done"; what: string } | { state: "waiting"; what: string } | { state: "failed"; what: string };

/** The "state" revision: phase migrated ends it; a failed key, or a previous restore's migrated phase, do not. */
export function judgeStateConfigMap(backupId: string, data: Record<string, string> | undefined): SupersetRestoreOutcome {
    const { phase, restoreId, failed } = SUPERSET.stateKeys;
    if (data === undefined) {
        return { state: "waiting", what: `ConfigMap ${SUPERSET.stateConfigMap} does not exist yet: the restore Job has not started (has \`pulumi up\` applied step one?)` };
    }
    if (data[failed]) return { state: "failed", what: `${SUPERSET.stateConfigMap} records failed: ${data[failed]} (phase ${data[phase] || "empty"})` };
    // restoreId is assumed to be the backup ID the state describes (the page lists the key, not its content).
    const other = data[restoreId] && data[restoreId] !== backupId ? data[restoreId] : undefined;
    if (data[phase] === SUPERSET.migratedPhase && !other) return { state: "done", what: `${SUPERSET.stateConfigMap} phase is ${SUPERSET.migratedPhase}` };
    if (other) return { state: "waiting", what: `${SUPERSET.stateConfigMap} still describes the restore of ${other} (phase ${data[phase] || "empty"}): the restore of ${backupId} has not started` };
    return { state: "waiting", what: `${SUPERSET.stateConfigMap} phase is ${data[phase] ? data[phase] : "empty"}, not ${SUPERSET.migratedPhase}` };
}

/** The "job" revision: Job superset-restore-<ID> Complete ends it, Failed fails it. */
export function judgeRestoreJob(backupId: string, conditions: { type: string; status: string; reason?: string; message?: string }[] | undefined): SupersetRestoreOutcome {
    const job = supersetRestoreJob(backupId);
    if (conditions === undefined) return { state: "waiting", what: `Job ${job} does not exist yet (has \`pulumi up\` applied step one?)` };
    const failed = conditions.find((c) => c.type === "Failed" && c.status === "True");
    if (failed) return { state: "failed", what: `Job ${job} Failed${failed.reason ? ` (${failed.reason}${failed.message ? `: ${failed.message}` : ""})` : ""}` };
    if (conditions.some((c) => c.type === "Complete" && c.status === "True")) return { state: "done", what: `Job ${job} is Complete` };
    return { state: "waiting", what: `Job ${job} is still running (not Complete)` };
}

/** What to do after a failed Superset restore, per revision: the audit trail, the fence, re-run or abandon. */
export function afterFailedRestore(contract: "state" | "job", backupId: string, namespace: string, stack: string, supersetOnly: boolean): string {
    const audit =
        `read the audit trail (kubectl get configmap ${SUPERSET.auditConfigMap} -n ${namespace} -o json | jq -r '.data | to_entries | ` +
        `map(select(.key|startswith("h-"))) | sort_by(.key) | .[].value')`;
    const fence =
        contract === "state"
            ? `The fence holds: ${SUPERSET.stateConfigMap} phase is not ${SUPERSET.migratedPhase}, so scheduled Superset backups refuse to run. ` +
              `Verify or recover Superset's database first; to re-run it, kubectl delete job ${supersetRestoreJob(backupId)} -n ${namespace} --ignore-not-found=true and ` +
              `kubectl patch configmap ${SUPERSET.stateConfigMap} -n ${namespace} --type merge -p '{"data":{"phase":"","restoreId":"","failed":"","attempts":"","initiator":""}}'`
            : `The fence holds: ${SUPERSET.auditConfigMap} key ${SUPERSET.fenceKey} is set, so scheduled Superset backups skip their run. ` +
              `Verify or recover Superset's database first, then clear it: kubectl patch configmap ${SUPERSET.auditConfigMap} -n ${namespace} --type json ` +
              `-p '[{"op":"remove","path":"/data/${SUPERSET.fenceKey}"}]'; to re-run it, kubectl delete job ${supersetRestoreJob(backupId)} -n ${namespace}`;
    const rerun = supersetOnly
        ? "A pulumi up with no change does nothing (Pulumi sees the release as it was), so give the new attempt its own initiatedBy, which the chart " +
          `records and which upgrades the release, making the Job again: pulumi config set --path restore.superset.initiatedBy "<you>, attempt 2" -s ${stack}, then pulumi up`
        : "The platform restore is not applied twice (the chart refuses upgrades that carry it again), so run Superset's on its own once the platform's is " +
          `finished: pulumi config rm --path restore.superset -s ${stack}, hopsworks-dr restore finish --stack ${stack}, pulumi up -s ${stack}, then ` +
          `hopsworks-dr restore plan --stack ${stack} --mode superset --superset-backup ${backupId} --yes and pulumi up -s ${stack}`;
    return (
        `${audit}. ${fence}. ${rerun}. To give the Superset restore up instead, once the database is known good, clear the fence as above and ` +
        (supersetOnly
            ? `remove the restore block (pulumi config rm restore -s ${stack}), then pulumi up`
            : `pulumi config rm --path restore.superset -s ${stack}, then hopsworks-dr restore finish --stack ${stack}`)
    );
}
