import { MetadataEntry, readMetadataEntries, RestorePoint, restorePoints, VeleroBackup } from "../stacks/catalogue/restore-points";
import { formatDuration, scheduleProblem } from "../stacks/catalogue/schedule";
import { CliError, CliIo } from "./errors";
import { Cluster, VeleroScheduleSpec } from "./kube";
import { table, utcMinute } from "./format";
import { VELERO_SCHEDULES } from "../stacks/names";
import { backupHealth, scheduleIntervalMs } from "../stacks/catalogue/health";

export interface Catalogue {
    entries: MetadataEntry[];
    veleroBackups: VeleroBackup[];
    points: RestorePoint[];
}

/** Reads every metadata ConfigMap and the Velero backups; malformed entries become warnings on stderr. */
export async function loadCatalogue(cluster: Cluster, io: CliIo): Promise<Catalogue> {
    const [configMaps, veleroBackups] = await Promise.all([cluster.allMetadataConfigMaps(), cluster.veleroBackups()]);
    const { entries, warnings } = readMetadataEntries(configMaps, io.now());
    for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
    return { entries, veleroBackups, points: restorePoints(entries, veleroBackups) };
}

function veleroJson(backup: VeleroBackup | undefined) {
    if (!backup) return null;
    return {
        name: backup.name,
        phase: backup.phase ?? null,
        started: backup.started?.toISOString() ?? null,
        completed: backup.completed?.toISOString() ?? null,
    };
}

export function pointJson(point: RestorePoint) {
    return {
        id: point.id,
        time: point.time.toISOString(),
        rondb: point.rondb ?? null,
        opensearch: point.opensearch ?? null,
        velero: { main: veleroJson(point.velero.main), users: veleroJson(point.velero.users) },
        complete: point.complete,
    };
}

function veleroCell(backup: VeleroBackup | undefined): string {
    if (!backup) return "-";
    return backup.phase === "Completed" ? backup.name : `${backup.name} (${backup.phase ?? "no phase"})`;
}

export async function backupsList(cluster: Cluster, io: CliIo, json: boolean): Promise<number> {
    const { points } = await loadCatalogue(cluster, io);
    if (json) {
        io.stdout(`${JSON.stringify(points.map(pointJson), null, 2)}\n`);
        return 0;
    }
    if (points.length === 0) {
        io.stdout("no backups found\n");
        return 0;
    }
    const header = ["BACKUP ID", "TIME (UTC)", "RONDB", "OPENSEARCH", "VELERO MAIN", "VELERO USERS", "COMPLETE"];
    const rows = points.map((p) => [
        p.id,
        utcMinute(p.time),
        p.rondb ?? "-",
        p.opensearch ?? "-",
        veleroCell(p.velero.main),
        veleroCell(p.velero.users),
        p.complete ? "yes" : "no",
    ]);
    io.stdout(`${table(header, rows)}\n`);
    return 0;
}

/** The schedule `backups status` judges against, where it came from, and anything worth saying about it. */
export interface ScheduleChoice {
    schedule: string;
    from: string;
    notes: string[];
}

const PASS_A_SCHEDULE = "pass --schedule <cron> or --stack <name>";

/**
 * The schedule from the cluster's Velero Schedules k8s-backups-main and k8s-backups-users-resources
 * (spec.schedule): the one there is, or when they differ, the one with the longer interval, so
 * neither schedule's backups are judged overdue before their time.
 */
export async function clusterSchedule(cluster: Cluster, now: Date): Promise<ScheduleChoice> {
    const namespace = cluster.options.veleroNamespace;
    const names = Object.values(VELERO_SCHEDULES);
    let specs: (VeleroScheduleSpec | undefined)[];
    try {
        specs = await Promise.all(names.map((name) => cluster.veleroSchedule(name)));
    } catch (error) {
        if (error instanceof CliError) throw new CliError(`${error.message}; to judge backups without reading the Velero Schedules, ${PASS_A_SCHEDULE}`);
        throw error;
    }
    const found = specs.filter((s): s is VeleroScheduleSpec => s !== undefined);
    if (found.length === 0) {
        throw new CliError(
            `no Velero Schedule ${names.join(" or ")} in namespace ${namespace} to take the backup schedule from: ${PASS_A_SCHEDULE}` +
                " (or --velero-namespace, if Velero runs in another namespace)",
        );
    }
    const notes: string[] = [];
    for (const spec of found) {
        const problem = spec.schedule === undefined ? "has no spec.schedule" : scheduleProblem(spec.schedule);
        if (problem) {
            const value = spec.schedule === undefined ? "" : ` spec.schedule ${JSON.stringify(spec.schedule)}:`;
            throw new CliError(`Velero Schedule ${spec.name} in namespace ${namespace}:${value} ${problem}; ${PASS_A_SCHEDULE}`);
        }
        if (spec.paused) notes.push(`Velero Schedule ${spec.name} is paused: it takes no backups`);
    }
    for (const name of names) {
        if (!found.some((s) => s.name === name)) notes.push(`Velero Schedule ${name} not found in namespace ${namespace}`);
    }
    const intervals = found.map((s) => ({ ...s, intervalMs: scheduleIntervalMs(s.schedule!, now) }));
    const longest = intervals.reduce((a, b) => (b.intervalMs > a.intervalMs ? b : a));
    if (found.length === 1) {
        return { schedule: longest.schedule!, from: `Velero Schedule ${longest.name} in namespace ${namespace}`, notes };
    }
    if (intervals.every((s) => s.schedule!.trim() === longest.schedule!.trim())) {
        return { schedule: longest.schedule!, from: `Velero Schedules ${names.join(" and ")} in namespace ${namespace}`, notes };
    }
    const each = intervals.map((s) => `${s.name} ${JSON.stringify(s.schedule)} (every ${formatDuration(s.intervalMs)})`).join(", ");
    notes.push(`the Velero Schedules differ: ${each}; the longer interval is used`);
    return { schedule: longest.schedule!, from: `Velero Schedule ${longest.name} in namespace ${namespace}, the longer interval`, notes };
}

export async function backupsStatus(cluster: Cluster, io: CliIo, choose: ScheduleChoice | undefined, json: boolean): Promise<number> {
    const now = io.now();
    // The schedule first: without one there is nothing to judge against, whatever the catalogue holds.
    const choice = choose ?? (await clusterSchedule(cluster, now));
    const [location, catalogue] = await Promise.all([cluster.location(), loadCatalogue(cluster, io)]);
    const { schedule } = choice;
    const health = backupHealth({ now, schedule, location, ...catalogue });
    const healthy = health.problems.length === 0;
    if (json) {
        const report = {
            healthy,
            location: location
                ? { name: location.name, phase: location.phase ?? null, lastSynced: location.lastSynced?.toISOString() ?? null }
                : null,
            schedule,
            scheduleFrom: choice.from,
            scheduleNotes: choice.notes,
            intervalSeconds: health.intervalMs / 1000,
            graceSeconds: health.graceMs / 1000,
            ageFrom: "completion",
            services: health.services.map((s) => ({
                service: s.service,
                newest: s.newest ?? null,
                time: s.time?.toISOString() ?? null,
                timeIs: s.basis ?? null,
                ageSeconds: s.ageMs === undefined ? null : Math.round(s.ageMs / 1000),
                onTime: s.onTime,
                running: s.running ? { name: s.running.name, started: s.running.started.toISOString() } : null,
            })),
            newestComplete: health.newestComplete ? pointJson(health.newestComplete) : null,
            problems: health.problems,
        };
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return healthy ? 0 : 1;
    }
    const lines: string[] = [];
    lines.push(
        location
            ? `location ${location.name}: ${location.phase ?? "no phase"}, last synced ${location.lastSynced ? `${utcMinute(location.lastSynced)} UTC` : "never"}`
            : `location: not found`,
    );
    lines.push(`schedule ${schedule} (from ${choice.from}): every ${formatDuration(health.intervalMs)}`);
    for (const note of choice.notes) lines.push(`  note: ${note}`);
    lines.push(`a backup is overdue once it completed more than ${formatDuration(health.intervalMs + health.graceMs)} ago (the interval plus ${formatDuration(health.graceMs)} grace)`);
    lines.push("");
    const rows = health.services.map((s) => [
        s.service,
        s.newest ?? "-",
        s.time ? `${utcMinute(s.time)}${s.basis === "started" ? " (start)" : ""}` : "-",
        s.ageMs === undefined ? "-" : formatDuration(s.ageMs),
        s.onTime ? "yes" : "NO",
    ]);
    lines.push(table(["SERVICE", "NEWEST SUCCESSFUL", "COMPLETED (UTC)", "AGE", "ON TIME"], rows));
    const footnotes: string[] = [];
    for (const s of health.services) {
        if (s.running) {
            footnotes.push(`${s.service}: ${s.running.name} is running, started ${utcMinute(s.running.started)} UTC; the age counts from the previous completed backup`);
        }
        if (s.basis === "started") footnotes.push(`${s.service}: ${s.newest} records no completion time; its age counts from its start`);
    }
    if (footnotes.length > 0) lines.push("", ...footnotes);
    lines.push("");
    const complete = health.newestComplete;
    lines.push(`newest complete restore point: ${complete ? `${complete.id} (${utcMinute(complete.time)} UTC)` : "none"}`);
    if (healthy) {
        lines.push("healthy");
    } else {
        lines.push(`unhealthy (${health.problems.length} problem${health.problems.length === 1 ? "" : "s"}):`);
        for (const problem of health.problems) lines.push(`  - ${problem}`);
    }
    io.stdout(`${lines.join("\n")}\n`);
    return healthy ? 0 : 1;
}
