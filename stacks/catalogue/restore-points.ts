import { backupIdFieldProblem, backupIdTime, backupIdTimes, idMinute } from "./backup-id";
import { LOCATION_NAME, VELERO_SCHEDULES } from "../names";
import { firstAtOrBefore } from "./newest-first";
import { entryFields } from "./entry-fields";
import type { SupersetBackup } from "./superset";

/**
 * The backup catalogue: which restore points exist, as plain functions over plain data
 * (ConfigMaps and Velero Backups already fetched), so the CLI stays a thin shell and every rule
 * here is tested without a cluster. Whether backups are healthy is health.ts.
 */

export const METADATA_SERVICES = ["rondb", "opensearch"] as const;
export type MetadataService = (typeof METADATA_SERVICES)[number];

/** Base names; rotation adds `-1`, `-2`, ... once a ConfigMap holds 5000 keys or ~900 KB. */
export const METADATA_CONFIGMAP: Record<MetadataService, string> = {
    rondb: "rondb-backups-metadata",
    opensearch: "opensearch-backups-metadata",
};

export type VeleroScheduleKey = keyof typeof VELERO_SCHEDULES;

/** States a metadata entry may be in; anything else is reported and skipped. */
export const KNOWN_STATES = ["SUCCESS", "FAILED", "RUNNING", "IN_PROGRESS"];
/** Metadata states of a backup that has not finished. */
export const RUNNING_STATES = ["RUNNING", "IN_PROGRESS"];
/** Velero Backup phases that end a backup; any other (New, InProgress, Finalizing, ...) means it is still running. */
export const VELERO_FINAL_PHASES = ["Completed", "PartiallyFailed", "Failed", "FailedValidation", "Deleting"];

/**
 * A Velero backup belongs to the restore point whose time is closest to the backup's start,
 * within this window around the point: the schedules fire on the same cron as the RonDB and
 * OpenSearch jobs, so their backups start minutes after the backup ID's minute, never hours before.
 */
export const VELERO_MATCH_WINDOW = { beforeMs: 30 * 60_000, afterMs: 6 * 3_600_000 };
/** VELERO_MATCH_WINDOW in words, as messages and docs state it. */
export const VELERO_MATCH_WINDOW_TEXT =
    `from ${VELERO_MATCH_WINDOW.beforeMs / 60_000} minutes before to ${VELERO_MATCH_WINDOW.afterMs / 3_600_000} hours after the backup ID's time`;

/** Whether a Velero backup taken at `time` falls within VELERO_MATCH_WINDOW of a restore point taken at `point`. */
export function withinVeleroWindow(time: Date, point: Date): boolean {
    const offset = time.getTime() - point.getTime();
    return offset >= -VELERO_MATCH_WINDOW.beforeMs && offset <= VELERO_MATCH_WINDOW.afterMs;
}

/**
 * When a schedule's backup was taken, by its name: Velero names them <schedule>-<YYYYMMDDhhmmss>
 * (UTC); <schedule>-<YYYYMMDD>T<hhmmss>Z is read too. Undefined when the name carries no such time.
 */
export function veleroNameTime(schedule: string, name: string): Date | undefined {
    if (!name.startsWith(`${schedule}-`)) return undefined;
    const stamp = /^(\d{4})(\d{2})(\d{2})(?:t(\d{2})(\d{2})(\d{2})z|(\d{2})(\d{2})(\d{2}))$/i.exec(name.slice(schedule.length + 1));
    if (!stamp) return undefined;
    const [y, mo, d, h, mi, se] = [stamp[1], stamp[2], stamp[3], stamp[4] ?? stamp[7], stamp[5] ?? stamp[8], stamp[6] ?? stamp[9]].map(Number);
    const time = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
    // Date.UTC rolls 20251340 over into 2026: only a real date and time is one.
    const exact = time.getUTCMonth() === mo - 1 && time.getUTCDate() === d && time.getUTCHours() === h && time.getUTCMinutes() === mi && time.getUTCSeconds() === se;
    return exact ? time : undefined;
}

/** The name Velero gives a backup of `schedule` taken at `time`: <schedule>-<YYYYMMDDhhmmss> (UTC), as veleroNameTime reads it. */
export function veleroBackupNameAt(schedule: string, time: Date): string {
    return `${schedule}-${time.toISOString().replace(/[-:T]/g, "").slice(0, 14)}`;
}

/**
 * Why a named backup of `schedule` is not restore point `id`'s (taken at `pointTime`) by the time
 * in its name, or undefined when it is within VELERO_MATCH_WINDOW, the catalogue's pairing window.
 */
export function veleroPairProblem(schedule: string, name: string, id: string, pointTime: Date): string | undefined {
    const point = `restore point ${id} (${pointTime.toISOString()})`;
    const time = veleroNameTime(schedule, name);
    if (time === undefined) {
        return `carries no time in its name (${schedule}-<YYYYMMDDhhmmss>, as Velero names a schedule's backups), so it cannot be checked against ${point}`;
    }
    if (withinVeleroWindow(time, pointTime)) return undefined;
    return (
        `was taken at ${time.toISOString()} by its name, outside the window of ${point}: ${VELERO_MATCH_WINDOW_TEXT}, as the catalogue pairs them. ` +
        "It would restore Kubernetes objects of another date than the point's RonDB, OpenSearch and HopsFS data; name the point's own " +
        "(hopsworks-dr backups list, or aws s3 ls s3://<bucket>/k8s_backup/backups/)"
    );
}

export interface MetadataConfigMap {
    name: string;
    service: MetadataService;
    data: Record<string, string>;
}

export interface MetadataEntry {
    id: string;
    service: MetadataService;
    state: string;
    /** From the entry's start_time, else decoded from the ID. */
    time: Date;
    /** From end_time, else start_time plus duration_ms; unset when the entry records neither. */
    completed?: Date;
    configMap: string;
}

export interface VeleroBackup {
    name: string;
    /** The `velero.io/schedule-name` label. */
    schedule: string;
    storageLocation?: string;
    phase?: string;
    /** status.startTimestamp, else metadata.creationTimestamp: when the schedule fired. */
    started?: Date;
    completed?: Date;
}

export interface RestorePoint {
    id: string;
    time: Date;
    rondb?: string;
    opensearch?: string;
    velero: { main?: VeleroBackup; users?: VeleroBackup };
    /** Hopsworks 5.2: the point's Superset backup (supersetBackupsOfPoints); unset when none was taken at or before it. */
    superset?: SupersetBackup;
    complete: boolean;
    /** When the last of its four backups completed; unset unless every one records its completion. */
    completed?: Date;
}

/** Metadata ConfigMap names in rotation order: the base, then -1, -2, ... */
export function metadataConfigMapIndex(service: MetadataService, name: string): number | undefined {
    const base = METADATA_CONFIGMAP[service];
    if (name === base) return 0;
    const match = new RegExp(`^${base}-(\\d+)$`).exec(name);
    return match ? Number(match[1]) : undefined;
}

/** Reads a start_time written as ISO text, epoch seconds or epoch milliseconds. */
function parseTime(value: unknown): Date | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return new Date(value < 1e12 ? value * 1000 : value);
    if (typeof value === "string" && value.trim() !== "") {
        if (/^\d+$/.test(value)) return parseTime(Number(value));
        const ms = Date.parse(value);
        if (!Number.isNaN(ms)) return new Date(ms);
    }
    return undefined;
}

/**
 * Every entry of every metadata ConfigMap. A malformed entry (bad JSON, no or unknown state, a
 * key that is not a backup ID) becomes a warning and is skipped: one bad key must not hide the
 * other restore points. An ID found in two rotated ConfigMaps keeps its successful entry. An
 * entry without a start time gets the time its ID decodes to, against the entry's end time, else
 * `now` (an ID minted in the last days of December is ambiguous, see backupIdTimes).
 */
export function readMetadataEntries(configMaps: MetadataConfigMap[], now: Date = new Date()): { entries: MetadataEntry[]; warnings: string[] } {
    const warnings: string[] = [];
    // Per service, by ID: no key string built per entry (a real catalogue has 40,000 of them).
    const byService = new Map<MetadataService, Map<string, MetadataEntry>>();
    const ordered = [...configMaps].sort(
        (a, b) => a.service.localeCompare(b.service) ||
            (metadataConfigMapIndex(a.service, a.name) ?? 1e9) - (metadataConfigMapIndex(b.service, b.name) ?? 1e9),
    );
    for (const configMap of ordered) {
        let byId = byService.get(configMap.service);
        if (!byId) byService.set(configMap.service, (byId = new Map()));
        const data = configMap.data;
        for (const id in data) {
            const read = readMetadataEntry(configMap, id, data[id], now);
            if (typeof read === "string") {
                warnings.push(`configmap ${configMap.name}, entry ${id}: skipped, ${read}`);
                continue;
            }
            if (byId.get(id)?.state === "SUCCESS") continue;
            byId.set(id, read);
        }
    }
    return { entries: [...byService.values()].flatMap((byId) => [...byId.values()]), warnings };
}

/** One metadata entry, or why it is skipped. No closure or temporary object per entry: this runs 40,000 times. */
function readMetadataEntry(configMap: MetadataConfigMap, id: string, text: string, now: Date): MetadataEntry | string {
    // No time at all: not a backup ID (backupIdTimes matches BACKUP_ID_PATTERN itself).
    if (backupIdTimes(id).length === 0) return `the key is not a backup ID (date +%y%V%u%H%M): ${backupIdFieldProblem(id)}`;
    const fields = entryFields(text);
    if (fields === undefined) return "not valid JSON";
    const state = fields.state;
    if (typeof state !== "string" || !KNOWN_STATES.includes(state)) {
        return `unknown state ${JSON.stringify(state ?? null)} (known: ${KNOWN_STATES.join(", ")})`;
    }
    const started = parseTime(fields.start_time);
    const ended = parseTime(fields.end_time);
    const time = started ?? backupIdTime(id, ended ?? now)!;
    const duration = fields.duration_ms;
    const completed = ended ?? (started && typeof duration === "number" && Number.isFinite(duration) ? new Date(started.getTime() + duration) : undefined);
    const entry: MetadataEntry = { id, service: configMap.service, state, time, configMap: configMap.name };
    if (completed) entry.completed = completed;
    return entry;
}

export function veleroTime(backup: VeleroBackup): Date | undefined {
    return backup.started ?? backup.completed;
}

/** Velero backups of the two Hopsworks schedules on the Hopsworks location, the only ones a restore uses. */
export function hopsworksVeleroBackups(backups: VeleroBackup[]): VeleroBackup[] {
    const schedules: string[] = Object.values(VELERO_SCHEDULES);
    return backups.filter((b) => schedules.includes(b.schedule) && b.storageLocation === LOCATION_NAME);
}

/**
 * One restore point per backup ID, newest first by time (not by the numeric ID, which is not
 * monotonic around New Year), with the Velero backups that belong to it: each Velero backup goes
 * to the point whose ID's minute is closest to its start (closestPoint) within VELERO_MATCH_WINDOW;
 * a point keeps, per schedule, a Completed backup over any other, then the closest.
 */
export function restorePoints(entries: MetadataEntry[], veleroBackups: VeleroBackup[]): RestorePoint[] {
    const byId = new Map<string, RestorePoint>();
    const completions = new Map<RestorePoint, Partial<Record<MetadataService, Date>>>();
    for (const entry of entries) {
        let point = byId.get(entry.id);
        if (!point) {
            point = { id: entry.id, time: entry.time, velero: {}, complete: false };
            byId.set(entry.id, point);
            completions.set(point, {});
        }
        point[entry.service] = entry.state;
        if (entry.completed) completions.get(point)![entry.service] = entry.completed;
        // RonDB's start time is the point's time: it is the backup the ID was minted for.
        if (entry.service === "rondb") point.time = entry.time;
    }
    const points = [...byId.values()].sort(compareNewestFirst);
    const minutes: PointMinute[] = points.map((point) => ({ point, time: idMinute(point) }));
    minutes.sort((a, b) => b.time.getTime() - a.time.getTime() || b.point.id.localeCompare(a.point.id));
    for (const backup of hopsworksVeleroBackups(veleroBackups)) {
        const started = veleroTime(backup)?.getTime();
        if (started === undefined) continue;
        const best = closestPoint(minutes, started);
        if (best) keepBetterVeleroBackup(best, backup, started);
    }
    for (const point of points) {
        point.complete = point.rondb === "SUCCESS" && point.opensearch === "SUCCESS" &&
            point.velero.main?.phase === "Completed" && point.velero.users?.phase === "Completed";
        const completed = point.complete ? lastCompletion(point, completions.get(point)!) : undefined;
        if (completed) point.completed = completed;
    }
    return points;
}

/** A restore point with its backup ID's minute, the time Velero backups pair by. */
interface PointMinute {
    point: RestorePoint;
    time: Date;
}

const SCHEDULE_KEYS = Object.keys(VELERO_SCHEDULES) as VeleroScheduleKey[];

/** Gives the point `backup` for its schedule unless it has a better one: Completed over any other phase, then closer to the minute's middle. */
function keepBetterVeleroBackup({ point, time }: PointMinute, backup: VeleroBackup, started: number): void {
    const key = SCHEDULE_KEYS.find((k) => VELERO_SCHEDULES[k] === backup.schedule);
    if (key === undefined) return;
    const kept = point.velero[key];
    if (kept === undefined) {
        point.velero[key] = backup;
        return;
    }
    const middle = time.getTime() + HALF_MINUTE_MS;
    const completed = Number(backup.phase === "Completed") - Number(kept.phase === "Completed");
    const closer = Math.abs(veleroTime(kept)!.getTime() - middle) - Math.abs(started - middle);
    // On a tie the first one met stays, as a stable sort of the candidates would keep it.
    if (completed > 0 || (completed === 0 && closer > 0)) point.velero[key] = backup;
}

/** When the last of a complete point's four backups completed; undefined unless every one records it. */
function lastCompletion(point: RestorePoint, metadata: Partial<Record<MetadataService, Date>>): Date | undefined {
    const ends = [...METADATA_SERVICES.map((service) => metadata[service]), point.velero.main?.completed, point.velero.users?.completed];
    let last = -Infinity;
    for (const end of ends) {
        if (end === undefined) return undefined;
        last = Math.max(last, end.getTime());
    }
    return new Date(last);
}

const HALF_MINUTE_MS = 30_000;

/**
 * The point whose minute (`time`, a backup ID's minute) is closest to `started`, measured from the
 * minute's middle so that a backup started within a minute goes to that minute's point; within
 * VELERO_MATCH_WINDOW of the minute; on equal distance the first in the newest-first order. By
 * binary search, so 40,000 Velero backups over 20,000 points is not 800 million comparisons.
 */
export function closestPoint<T extends { time: Date }>(newestFirst: readonly T[], started: number): T | undefined {
    const centre = started - HALF_MINUTE_MS;
    const low = firstAtOrBefore(newestFirst, centre);
    // The nearest minute on each side, with every point sharing it (equal times sit side by side).
    const near: number[] = [];
    for (let i = low - 1; i >= 0 && timeAt(newestFirst, i) === timeAt(newestFirst, low - 1); i--) near.push(i);
    for (let i = low; i < newestFirst.length && timeAt(newestFirst, i) === timeAt(newestFirst, low); i++) near.push(i);
    let best: number | undefined;
    let bestDistance = Infinity;
    for (const i of near) {
        const offset = started - timeAt(newestFirst, i);
        if (offset < -VELERO_MATCH_WINDOW.beforeMs || offset > VELERO_MATCH_WINDOW.afterMs) continue;
        const distance = Math.abs(centre - timeAt(newestFirst, i));
        if (distance < bestDistance || (distance === bestDistance && i < best!)) {
            best = i;
            bestDistance = distance;
        }
    }
    return best === undefined ? undefined : newestFirst[best];
}

/** The time of the i-th point, in ms (a function, not a closure per call: closestPoint runs per Velero backup). */
function timeAt(points: readonly { time: Date }[], i: number): number {
    return points[i].time.getTime();
}

function compareNewestFirst(a: RestorePoint, b: RestorePoint): number {
    return b.time.getTime() - a.time.getTime() || b.id.localeCompare(a.id);
}

/** Why a point cannot be restored from, e.g. "opensearch FAILED, no Velero users backup"; empty when complete. */
export function incompleteReasons(point: RestorePoint): string[] {
    const reasons: string[] = [];
    for (const service of METADATA_SERVICES) {
        if (point[service] === undefined) reasons.push(`no ${service} backup`);
        else if (point[service] !== "SUCCESS") reasons.push(`${service} ${point[service]}`);
    }
    for (const key of Object.keys(VELERO_SCHEDULES) as VeleroScheduleKey[]) {
        const backup = point.velero[key];
        if (!backup) reasons.push(`no Velero ${key} backup`);
        else if (backup.phase !== "Completed") reasons.push(`Velero ${key} backup ${backup.name} ${backup.phase ?? "without a phase"}`);
    }
    return reasons;
}
