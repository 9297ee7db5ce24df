import { CronExpressionParser } from "cron-parser";
import { backupIdTime, BACKUP_ID_PATTERN } from "./backup-id";
import { LOCATION_NAME, VELERO_SCHEDULES } from "../plan/location";
import { scheduleCron } from "./schedule";

/**
 * The backup catalogue: which restore points exist and whether backups are healthy, as plain
 * functions over plain data (ConfigMaps and Velero Backups already fetched), so the CLI stays a
 * thin shell and every rule here is tested without a cluster.
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

/** A backup counts as on time until the schedule's interval plus this grace (at most the interval itself) has passed. */
export const RPO_GRACE_MS = 3_600_000;

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
    const byKey = new Map<string, MetadataEntry>();
    const ordered = [...configMaps].sort(
        (a, b) => a.service.localeCompare(b.service) ||
            (metadataConfigMapIndex(a.service, a.name) ?? 1e9) - (metadataConfigMapIndex(b.service, b.name) ?? 1e9),
    );
    for (const configMap of ordered) {
        for (const [id, text] of Object.entries(configMap.data)) {
            const where = `configmap ${configMap.name}, entry ${id}`;
            if (!BACKUP_ID_PATTERN.test(id) || backupIdTime(id) === undefined) {
                warnings.push(`${where}: skipped, the key is not a backup ID (date +%y%V%u%H%M)`);
                continue;
            }
            let value: unknown;
            try {
                value = JSON.parse(text);
            } catch {
                warnings.push(`${where}: skipped, not valid JSON`);
                continue;
            }
            const state = typeof value === "object" && value !== null ? (value as Record<string, unknown>).state : undefined;
            if (typeof state !== "string" || !KNOWN_STATES.includes(state)) {
                warnings.push(`${where}: skipped, unknown state ${JSON.stringify(state ?? null)} (known: ${KNOWN_STATES.join(", ")})`);
                continue;
            }
            const fields = value as Record<string, unknown>;
            const started = parseTime(fields.start_time);
            const ended = parseTime(fields.end_time);
            const time = started ?? backupIdTime(id, ended ?? now)!;
            const duration = typeof fields.duration_ms === "number" ? fields.duration_ms : Number.NaN;
            const completed = ended ?? (started && Number.isFinite(duration) ? new Date(started.getTime() + duration) : undefined);
            const key = `${configMap.service}/${id}`;
            const previous = byKey.get(key);
            if (previous?.state === "SUCCESS") continue;
            byKey.set(key, { id, service: configMap.service, state, time, ...(completed ? { completed } : {}), configMap: configMap.name });
        }
    }
    return { entries: [...byKey.values()], warnings };
}

function veleroTime(backup: VeleroBackup): Date | undefined {
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
 * to the point closest to its start within VELERO_MATCH_WINDOW; a point keeps, per schedule, a
 * Completed backup over any other, then the closest.
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
    const candidates = new Map<RestorePoint, VeleroBackup[]>();
    for (const backup of hopsworksVeleroBackups(veleroBackups)) {
        const started = veleroTime(backup)?.getTime();
        if (started === undefined) continue;
        let best: RestorePoint | undefined;
        let bestDistance = Infinity;
        for (const point of points) {
            const offset = started - point.time.getTime();
            if (offset < -VELERO_MATCH_WINDOW.beforeMs || offset > VELERO_MATCH_WINDOW.afterMs) continue;
            if (Math.abs(offset) < bestDistance) {
                best = point;
                bestDistance = Math.abs(offset);
            }
        }
        if (best) candidates.set(best, [...(candidates.get(best) ?? []), backup]);
    }
    for (const [point, backups] of candidates) {
        for (const key of Object.keys(VELERO_SCHEDULES) as VeleroScheduleKey[]) {
            const distance = (b: VeleroBackup) => Math.abs(veleroTime(b)!.getTime() - point.time.getTime());
            const ofSchedule = backups
                .filter((b) => b.schedule === VELERO_SCHEDULES[key])
                .sort((a, b) => Number(b.phase === "Completed") - Number(a.phase === "Completed") || distance(a) - distance(b));
            if (ofSchedule.length > 0) point.velero[key] = ofSchedule[0];
        }
    }
    for (const point of points) {
        point.complete = point.rondb === "SUCCESS" && point.opensearch === "SUCCESS" &&
            point.velero.main?.phase === "Completed" && point.velero.users?.phase === "Completed";
        const ends = [...METADATA_SERVICES.map((s) => completions.get(point)?.[s]), point.velero.main?.completed, point.velero.users?.completed];
        if (point.complete && ends.every((d) => d !== undefined)) point.completed = new Date(Math.max(...ends.map((d) => d!.getTime())));
    }
    return points;
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

/**
 * When a backup becomes overdue: the schedule's interval plus a grace of RPO_GRACE_MS (at most
 * the interval itself). `backups status` and the Prometheus alerts (stacks/alerts.ts) both judge
 * by it, so they agree on what overdue means.
 */
export function overdueLimit(intervalMs: number): { intervalMs: number; graceMs: number; limitMs: number } {
    const graceMs = Math.min(RPO_GRACE_MS, intervalMs);
    return { intervalMs, graceMs, limitMs: intervalMs + graceMs };
}

/** The schedule's interval around `now` (previous to next run), the recovery point objective. */
export function scheduleIntervalMs(schedule: string, now: Date): number {
    const options = { tz: "UTC" };
    const cron = scheduleCron(schedule);
    const next = CronExpressionParser.parse(cron, { ...options, currentDate: now }).next().toDate();
    // From the next run back, so a `now` exactly on a run time does not halve the interval.
    const previous = CronExpressionParser.parse(cron, { ...options, currentDate: next }).prev().toDate();
    return next.getTime() - previous.getTime();
}

export interface LocationStatus {
    name: string;
    phase?: string;
    lastSynced?: Date;
}

/** A backup that has started and not finished, newer than the newest successful one. */
export interface RunningBackup {
    name: string;
    started: Date;
}

export interface ServiceHealth {
    service: string;
    /** The newest successful backup: a metadata ID or a Velero backup name. */
    newest?: string;
    /** When it completed; when it records no completion, when it started (see `basis`). */
    time?: Date;
    /** What the age counts from: the backup's completion, or its start when no completion time is recorded. */
    basis?: "completed" | "started";
    ageMs?: number;
    onTime: boolean;
    /** A newer backup still running: the age still counts from the previous completed one. */
    running?: RunningBackup;
}

export interface BackupHealth {
    location?: LocationStatus;
    intervalMs: number;
    graceMs: number;
    services: ServiceHealth[];
    newestComplete?: RestorePoint;
    /** One line per reason the backups are not healthy; empty when healthy. */
    problems: string[];
}

/** "9d 2h", "3h 5m", "42m": ages and intervals as people read them. */
export function formatDuration(ms: number): string {
    const minutes = Math.floor(Math.max(0, ms) / 60_000);
    const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
    if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
    if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
    return `${m}m`;
}

/** The newest of `items` by `time`, or undefined. */
function newestBy<T>(items: T[], time: (item: T) => Date | undefined): T | undefined {
    return items.reduce<T | undefined>((best, item) => (time(item) !== undefined && (!best || time(item)! > time(best)!) ? item : best), undefined);
}

/**
 * Whether backups are healthy: the location is Available and has synced, every service (RonDB,
 * OpenSearch, both Velero schedules) has a successful backup that completed less than the
 * interval plus grace ago, and so does a complete restore point. Ages count from completion, so
 * a backup that runs longer than the grace is not overdue while the next one runs; a backup that
 * records no completion time counts from its start. A service alone out of date is the partial
 * case the manual warns about: the other services' newer backups cannot be restored without it.
 */
export function backupHealth(input: {
    now: Date;
    schedule: string;
    location?: LocationStatus;
    entries: MetadataEntry[];
    veleroBackups: VeleroBackup[];
    points: RestorePoint[];
}): BackupHealth {
    const { intervalMs, graceMs, limitMs } = overdueLimit(scheduleIntervalMs(input.schedule, input.now));
    const problems: string[] = [];
    const location = input.location;
    if (!location) {
        problems.push(`location ${LOCATION_NAME}: not found`);
    } else {
        if (location.phase !== "Available") problems.push(`location ${location.name}: phase is ${location.phase ?? "not set"}, not Available`);
        if (!location.lastSynced) problems.push(`location ${location.name}: has never synced backups from the bucket`);
    }
    const rpo = `the schedule's interval ${formatDuration(intervalMs)} (${input.schedule}) plus ${formatDuration(graceMs)} grace`;
    const judge = (service: string, newest: string | undefined, started: Date | undefined, completed: Date | undefined, running?: RunningBackup): ServiceHealth => {
        const runningNote = running ? `; ${running.name} is running, started ${formatDuration(input.now.getTime() - running.started.getTime())} ago` : "";
        const time = completed ?? started;
        if (!newest || !time) {
            problems.push(`${service}: no successful backup${runningNote}`);
            return { service, onTime: false, ...(running ? { running } : {}) };
        }
        const basis = completed ? "completed" : "started";
        const ageMs = input.now.getTime() - time.getTime();
        const onTime = ageMs <= limitMs;
        if (!onTime) {
            const age = basis === "completed" ? `completed ${formatDuration(ageMs)} ago` : `started ${formatDuration(ageMs)} ago (it records no completion time)`;
            problems.push(`${service}: newest successful backup ${newest} ${age}, more than ${rpo}${runningNote}`);
        }
        return { service, newest, time, basis, ageMs, onTime, ...(running ? { running } : {}) };
    };
    const services: ServiceHealth[] = [];
    for (const service of METADATA_SERVICES) {
        const ofService = input.entries.filter((e) => e.service === service);
        const newest = newestBy(ofService.filter((e) => e.state === "SUCCESS"), (e) => e.completed ?? e.time);
        const run = newestBy(ofService.filter((e) => RUNNING_STATES.includes(e.state)), (e) => e.time);
        const running = run && (!newest || run.time > newest.time) ? { name: run.id, started: run.time } : undefined;
        services.push(judge(service, newest?.id, newest?.time, newest?.completed, running));
    }
    const velero = hopsworksVeleroBackups(input.veleroBackups);
    for (const [key, schedule] of Object.entries(VELERO_SCHEDULES)) {
        const ofSchedule = velero.filter((b) => b.schedule === schedule);
        const newest = newestBy(ofSchedule.filter((b) => b.phase === "Completed"), (b) => b.completed ?? veleroTime(b));
        const run = newestBy(ofSchedule.filter((b) => !VELERO_FINAL_PHASES.includes(b.phase ?? "")), (b) => b.started);
        const newestStart = newest ? veleroTime(newest) : undefined;
        const running = run && (!newestStart || run.started! > newestStart) ? { name: run.name, started: run.started! } : undefined;
        services.push(judge(`velero ${key}`, newest?.name, newest?.started, newest?.completed, running));
    }
    const newestComplete = input.points.find((p) => p.complete);
    const newestPoint = input.points[0];
    if (services.every((s) => s.onTime)) {
        // Every service is on time, yet their backups may not line up into one restore point.
        const completeHealth = judge("complete restore point", newestComplete?.id, newestComplete?.time, newestComplete?.completed);
        if (!completeHealth.onTime && newestPoint && !newestPoint.complete) {
            problems.push(`newest restore point ${newestPoint.id} is partial: ${incompleteReasons(newestPoint).join(", ")}`);
        }
    }
    return { location, intervalMs, graceMs, services, newestComplete, problems };
}
