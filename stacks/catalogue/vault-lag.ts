/**
 * Whether the vault holds the newest complete restore point: which objects to look for, and the
 * judgment of what was found against the replication lag threshold. Pure: cli/vault-lag.ts reads the vault.
 */
import { RONDB_BACKUP_PREFIX, VELERO_BACKUP_FILE, VELERO_BACKUPS_PREFIX } from "./bucket-layout";
import type { RestorePoint } from "./restore-points";
import { formatDuration } from "./schedule";


/** What to look for in the vault: the RonDB backup's folder (any object under it) and the two velero-backup.json. */
export interface VaultObjects {
    prefixes: string[];
    keys: string[];
}

export function vaultObjectsOf(point: RestorePoint): VaultObjects {
    const keys = [point.velero.main?.name, point.velero.users?.name]
        .filter((name): name is string => name !== undefined)
        .map((name) => `${VELERO_BACKUPS_PREFIX}${name}/${VELERO_BACKUP_FILE}`);
    return { prefixes: [`${RONDB_BACKUP_PREFIX}${point.id}/`], keys };
}

export type VaultState = "replicated" | "replicating" | "lagging" | "unreadable";

export interface VaultReport {
    state: VaultState;
    id: string;
    /** The point's time (its ID's). */
    time: Date;
    /** When its last backup completed, where the age counts from; unset: the age counts from `time`. */
    completed?: Date;
    ageMs: number;
    thresholdMs: number;
    missing: string[];
    /** The line `backups status` prints. */
    line: string;
    /** Set when unhealthy. */
    problem?: string;
}

/**
 * Judges the vault's copy of `point`: every object there is replicated; objects missing from a point
 * younger than the threshold are still replicating (healthy); older, replication lags (unhealthy).
 * The age counts from the point's completion (replication starts once its objects are written), else its time.
 */
export function judgeVault(input: { point: RestorePoint; now: Date; thresholdMs: number; missing: string[]; readError?: string }): VaultReport {
    const { point, now, thresholdMs, missing } = input;
    const { time, completed } = point;
    const ageMs = Math.max(0, now.getTime() - (completed ?? time).getTime());
    const base = { id: point.id, time, ...(completed ? { completed } : {}), ageMs, thresholdMs, missing };
    const taken = `restore point ${point.id} (${time.toISOString().slice(0, 16).replace("T", " ")} UTC)`;
    if (input.readError !== undefined) {
        const problem = `vault: cannot check ${taken}: ${input.readError}`;
        return { ...base, state: "unreadable", line: problem, problem };
    }
    if (missing.length === 0) return { ...base, state: "replicated", line: `vault: ${taken} replicated` };
    const what = `(missing: ${missing.join(", ")})`;
    if (ageMs < thresholdMs) {
        return { ...base, state: "replicating", line: `vault: ${taken} replicating: ${completed ? "completed" : "taken"} ${formatDuration(ageMs)} ago, under the ${formatDuration(thresholdMs)} lag threshold ${what}` };
    }
    const problem = `vault: ${taken} ${completed ? "completed" : "taken"} ${formatDuration(ageMs)} ago is not in the vault ${what}; replication lag over ${formatDuration(thresholdMs)}`;
    return { ...base, state: "lagging", line: problem, problem };
}
