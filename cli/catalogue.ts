/**
 * The backup catalogue as the commands read it from the cluster: every metadata ConfigMap and
 * Velero Backup, turned into restore points by stacks/catalogue/restore-points.ts.
 */
import { MetadataEntry, readMetadataEntries, RestorePoint, restorePoints, VeleroBackup } from "../stacks/catalogue/restore-points";
import { readSupersetEntries, SupersetBackup, supersetBackupsOfPoints } from "../stacks/catalogue/superset";
import { CliIo } from "./errors";
import { Cluster } from "./kube";

export interface Catalogue {
    entries: MetadataEntry[];
    veleroBackups: VeleroBackup[];
    /** Hopsworks 5.2: every Superset backup in superset-backups-metadata; none before. */
    supersetBackups: SupersetBackup[];
    points: RestorePoint[];
}

/** Reads every metadata ConfigMap and the Velero backups; malformed entries become warnings on stderr. */
export async function loadCatalogue(cluster: Cluster, io: CliIo): Promise<Catalogue> {
    // Each read as soon as it arrives: the metadata is decoded while Velero's pages still come in.
    const [{ entries, warnings }, veleroBackups, superset] = await Promise.all([
        cluster.allMetadataConfigMaps().then((configMaps) => readMetadataEntries(configMaps, io.now())),
        cluster.veleroBackups(),
        cluster.supersetMetadataConfigMaps().then(readSupersetEntries),
    ]);
    for (const warning of [...warnings, ...superset.warnings]) io.stderr(`warning: ${warning}\n`);
    return { entries, veleroBackups, supersetBackups: superset.backups, points: withSuperset(restorePoints(entries, veleroBackups), superset.backups) };
}

/** Each point with its Superset backup (stacks/catalogue/superset.ts, supersetBackupsOfPoints). */
export function withSuperset(points: RestorePoint[], backups: SupersetBackup[]): RestorePoint[] {
    const of = supersetBackupsOfPoints(points, backups);
    points.forEach((point, i) => {
        if (of[i]) point.superset = of[i];
    });
    return points;
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
        superset: point.superset ? { id: point.superset.id, time: point.superset.time.toISOString(), state: point.superset.state } : null,
        complete: point.complete,
    };
}
