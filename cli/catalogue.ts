/**
 * The backup catalogue as the commands read it from the cluster: every metadata ConfigMap and
 * Velero Backup, turned into restore points by stacks/catalogue/restore-points.ts.
 */
import { MetadataEntry, readMetadataEntries, RestorePoint, restorePoints, VeleroBackup } from "../stacks/catalogue/restore-points";
import { CliIo } from "./errors";
import { Cluster } from "./kube";

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
