import {
    backupHealth,
    formatDuration,
    MetadataEntry,
    readMetadataEntries,
    RestorePoint,
    restorePoints,
    VeleroBackup,
} from "../stacks/catalogue";
import { CliIo } from "./errors";
import { Cluster } from "./kube";
import { table, utcMinute } from "./format";

export interface Catalogue {
    entries: MetadataEntry[];
    veleroBackups: VeleroBackup[];
    points: RestorePoint[];
}

/** Reads every metadata ConfigMap and the Velero backups; malformed entries become warnings on stderr. */
export async function loadCatalogue(cluster: Cluster, io: CliIo): Promise<Catalogue> {
    const [configMaps, veleroBackups] = await Promise.all([cluster.allMetadataConfigMaps(), cluster.veleroBackups()]);
    const { entries, warnings } = readMetadataEntries(configMaps);
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

export async function backupsStatus(cluster: Cluster, io: CliIo, schedule: string, json: boolean): Promise<number> {
    const [location, catalogue] = await Promise.all([cluster.location(), loadCatalogue(cluster, io)]);
    const now = io.now();
    const health = backupHealth({ now, schedule, location, ...catalogue });
    const healthy = health.problems.length === 0;
    if (json) {
        const report = {
            healthy,
            location: location
                ? { name: location.name, phase: location.phase ?? null, lastSynced: location.lastSynced?.toISOString() ?? null }
                : null,
            schedule,
            intervalSeconds: health.intervalMs / 1000,
            graceSeconds: health.graceMs / 1000,
            services: health.services.map((s) => ({
                service: s.service,
                newest: s.newest ?? null,
                time: s.time?.toISOString() ?? null,
                ageSeconds: s.ageMs === undefined ? null : Math.round(s.ageMs / 1000),
                onTime: s.onTime,
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
    lines.push(`schedule ${schedule}: every ${formatDuration(health.intervalMs)}; a backup is overdue after ${formatDuration(health.intervalMs + health.graceMs)}`);
    lines.push("");
    const rows = health.services.map((s) => [
        s.service,
        s.newest ?? "-",
        s.time ? utcMinute(s.time) : "-",
        s.ageMs === undefined ? "-" : formatDuration(s.ageMs),
        s.onTime ? "yes" : "NO",
    ]);
    lines.push(table(["SERVICE", "NEWEST SUCCESSFUL", "TIME (UTC)", "AGE", "ON TIME"], rows));
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
