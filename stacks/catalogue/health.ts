import { CronExpressionParser } from "cron-parser";
import { LOCATION_NAME, VELERO_SCHEDULES } from "../names";
import {
    hopsworksVeleroBackups,
    incompleteReasons,
    MetadataEntry,
    METADATA_SERVICES,
    RestorePoint,
    RUNNING_STATES,
    VeleroBackup,
    VELERO_FINAL_PHASES,
    veleroTime,
} from "./restore-points";
import { formatDuration, scheduleCron } from "./schedule";
import type { SupersetBackup } from "./superset";

/**
 * The health and recovery-point rule: when a backup is overdue, and whether the backups of a
 * cluster are healthy. `backups status` and the Prometheus alerts (stacks/plan/alerts.ts) judge
 * by the same overdueLimit, so they agree on what overdue means.
 */

/** A backup counts as on time until the schedule's interval plus this grace (at most the interval itself) has passed. */
export const RPO_GRACE_MS = 3_600_000;

/**
 * When a backup becomes overdue: the schedule's interval plus a grace of RPO_GRACE_MS (at most
 * the interval itself). `backups status` and the Prometheus alerts (stacks/plan/alerts.ts) both judge
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
    /**
     * Hopsworks 5.2 and later: Superset's backups, judged as RonDB's are (their own service, not
     * part of a restore point's completeness). Undefined: Superset is not judged (before 5.2).
     */
    supersetBackups?: SupersetBackup[];
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
    if (input.supersetBackups) {
        const newest = newestBy(input.supersetBackups.filter((b) => b.state === "SUCCESS"), (b) => b.completed ?? b.time);
        const run = newestBy(input.supersetBackups.filter((b) => RUNNING_STATES.includes(b.state)), (b) => b.time);
        const running = run && (!newest || run.time > newest.time) ? { name: run.id, started: run.time } : undefined;
        services.push(judge("superset", newest?.id, newest?.time, newest?.completed, running));
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
