import { backupIdTime, BACKUP_ID_PATTERN } from "./backup-id";
import { LOCATION_NAME, LOCATION_PREFIX, VELERO_SCHEDULES } from "../names";
import { MetadataEntry, RestorePoint, restorePoints, VeleroBackup, VELERO_MATCH_WINDOW, veleroNameTime, withinVeleroWindow } from "./restore-points";
import { SupersetBackup, supersetBackupIdTime } from "./superset";

/**
 * The restore points as the bucket shows them, for the worst day: the cluster and its catalogue
 * (the metadata ConfigMaps, the Velero Backups) are gone, the bucket is not. Pure: it takes what
 * a listing and the `velero-backup.json` objects hold and builds the same MetadataEntry and
 * VeleroBackup values the cluster catalogue reads, paired by restorePoints as there.
 *
 * What the bucket cannot tell: whether a RonDB backup succeeded (its state lives in the lost
 * ConfigMap; a folder is shown as IN_BUCKET), and which OpenSearch snapshot belongs to which
 * backup ID (an S3 snapshot repository keeps its snapshots' names inside its own index files, at a
 * base path the manual does not document), so the OpenSearch column stays empty.
 */

/** Where RonDB writes each backup: rondb_backup/<id>/ (FACTS, the metadata's `path`). */
export const RONDB_BACKUP_PREFIX = "rondb_backup/";
/** Where Velero keeps each backup of hopsworks-bsl: k8s_backup/backups/<name>/. */
export const VELERO_BACKUPS_PREFIX = `${LOCATION_PREFIX}/backups/`;
/** The Backup object Velero writes beside each backup's data. */
export const VELERO_BACKUP_FILE = "velero-backup.json";
/** The RonDB state of a backup ID whose folder is in the bucket: present, its success not recorded there. */
export const IN_BUCKET = "IN_BUCKET";

/** The last path segment of a CommonPrefix such as rondb_backup/254811200/. */
function folderName(prefix: string, parent: string): string | undefined {
    if (!prefix.startsWith(parent)) return undefined;
    const name = prefix.slice(parent.length).replace(/\/$/, "");
    return name === "" || name.includes("/") ? undefined : name;
}

/**
 * A RonDB entry per backup ID folder under rondb_backup/, its time decoded from the ID (against
 * `now`, as the catalogue does for an entry without a start time). A folder that is not a backup
 * ID becomes a warning.
 */
export function rondbEntriesFromFolders(prefixes: string[], now: Date): { entries: MetadataEntry[]; warnings: string[] } {
    const entries: MetadataEntry[] = [];
    const warnings: string[] = [];
    for (const prefix of prefixes) {
        const id = folderName(prefix, RONDB_BACKUP_PREFIX);
        const time = id !== undefined && BACKUP_ID_PATTERN.test(id) ? backupIdTime(id, now) : undefined;
        if (id === undefined || time === undefined) {
            warnings.push(`${prefix}: skipped, not a backup ID folder (date +%y%V%u%H%M)`);
            continue;
        }
        entries.push({ id, service: "rondb", state: IN_BUCKET, time, configMap: prefix });
    }
    return { entries, warnings };
}

/** Where Superset's CronJob writes each dump (Hopsworks 5.2): superset_backup/<id>/ (superset.sql.gz, manifest.json). */
export const SUPERSET_BACKUP_PREFIX = "superset_backup/";

/**
 * A Superset backup per ID folder under superset_backup/, its time from its ID, its state IN_BUCKET
 * (whether it succeeded is recorded in the lost cluster's superset-backups-metadata). Other folders are warnings.
 */
export function supersetBackupsFromFolders(prefixes: string[]): { backups: SupersetBackup[]; warnings: string[] } {
    const backups: SupersetBackup[] = [];
    const warnings: string[] = [];
    for (const prefix of prefixes) {
        const id = folderName(prefix, SUPERSET_BACKUP_PREFIX);
        const time = id === undefined ? undefined : supersetBackupIdTime(id);
        if (id === undefined || time === undefined) warnings.push(`${prefix}: skipped, not a Superset backup ID folder (YYYYMMDDhhmmss-<digits>)`);
        else backups.push({ id, state: IN_BUCKET, time });
    }
    return { backups, warnings };
}

/** The Velero backup names of the folders under k8s_backup/backups/. */
export function veleroBackupNames(prefixes: string[]): string[] {
    return prefixes.map((p) => folderName(p, VELERO_BACKUPS_PREFIX)).filter((n): n is string => n !== undefined);
}

/** The schedule a backup's name belongs to (<schedule>-<time>), or undefined. */
function scheduleOfName(name: string): string | undefined {
    return Object.values(VELERO_SCHEDULES).find((s) => veleroNameTime(s, name) !== undefined);
}

/**
 * A backup known only by its folder's name (its JSON not read): schedule and time from the name,
 * which Velero gives a schedule's backups; no phase. Undefined for a name of no Hopsworks schedule.
 */
export function veleroBackupFromName(name: string): VeleroBackup | undefined {
    const schedule = scheduleOfName(name);
    if (schedule === undefined) return undefined;
    return { name, schedule, storageLocation: LOCATION_NAME, started: veleroNameTime(schedule, name) };
}

function date(value: unknown): Date | undefined {
    if (typeof value !== "string") return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * A backup from its velero-backup.json (a velero.io/v1 Backup): the schedule-name label,
 * spec.storageLocation, status.phase, status.startTimestamp (else metadata.creationTimestamp) and
 * status.completionTimestamp, as the cluster's Backup objects are read. Text that is not such an
 * object is a warning.
 */
export function veleroBackupFromJson(name: string, text: string): { backup?: VeleroBackup; warning?: string } {
    const where = `${VELERO_BACKUPS_PREFIX}${name}/${VELERO_BACKUP_FILE}`;
    let value: any;
    try {
        value = JSON.parse(text);
    } catch {
        return { warning: `${where}: not valid JSON; its backup is shown by its name only` };
    }
    if (typeof value !== "object" || value === null || value.kind !== "Backup") {
        return { warning: `${where}: not a Velero Backup (kind ${JSON.stringify(value?.kind ?? null)}); its backup is shown by its name only` };
    }
    const label = value.metadata?.labels?.["velero.io/schedule-name"];
    const schedule = typeof label === "string" ? label : scheduleOfName(name) ?? "";
    const started = date(value.status?.startTimestamp) ?? date(value.metadata?.creationTimestamp);
    const completed = date(value.status?.completionTimestamp);
    const phase = typeof value.status?.phase === "string" ? value.status.phase : undefined;
    const storageLocation = typeof value.spec?.storageLocation === "string" ? value.spec.storageLocation : undefined;
    return {
        backup: {
            name: typeof value.metadata?.name === "string" ? value.metadata.name : name,
            schedule,
            ...(storageLocation !== undefined ? { storageLocation } : {}),
            ...(phase !== undefined ? { phase } : {}),
            ...(started ? { started } : {}),
            ...(completed ? { completed } : {}),
        },
    };
}

/**
 * The bucket's restore points, paired by restorePoints exactly as the catalogue pairs them,
 * newest first. Complete here means what the bucket can show: a RonDB folder and both Velero
 * backups Completed (OpenSearch and RonDB's own state are not in it).
 */
export function bucketRestorePoints(rondb: MetadataEntry[], veleroBackups: VeleroBackup[]): RestorePoint[] {
    const points = restorePoints(rondb, veleroBackups);
    for (const point of points) {
        point.complete = point.rondb === IN_BUCKET && point.velero.main?.phase === "Completed" && point.velero.users?.phase === "Completed";
        delete point.completed;
    }
    return points;
}

/**
 * Which points' velero-backup.json to read: the newest `newest` points', or one point's (`id`).
 * Reading one object per Velero backup costs a request each (40,000 for 20,000 points), so the
 * rest are known by their names: schedule and time, no phase.
 */
export type VeleroReadScope = { newest: number } | { id: string };

/** By default the newest 100 points' backups are read: a restore is taken from the newest ones. */
export const DEFAULT_NEWEST_READ = 100;

/**
 * The Velero backups (known by name) whose velero-backup.json the scope needs: those whose name's
 * time could pair with the points in scope (within the catalogue's window of them).
 */
export function veleroNamesToRead(points: RestorePoint[], byName: VeleroBackup[], scope: VeleroReadScope): Set<string> {
    const names = new Set<string>();
    if ("id" in scope) {
        const point = points.find((p) => p.id === scope.id);
        if (point) for (const b of byName) if (b.started && withinVeleroWindow(b.started, point.time)) names.add(b.name);
        return names;
    }
    if (points.length === 0 || scope.newest <= 0) return names;
    // Points are newest first: every backup from the window's start of the oldest point in scope on.
    const oldest = points[Math.min(scope.newest, points.length) - 1];
    const from = oldest.time.getTime() - VELERO_MATCH_WINDOW.beforeMs;
    for (const b of byName) if (b.started && b.started.getTime() >= from) names.add(b.name);
    return names;
}

/** Why a bucket point cannot be restored from, in what the bucket shows; empty when complete. */
export function bucketIncompleteReasons(point: RestorePoint): string[] {
    const reasons: string[] = [];
    if (point.rondb === undefined) reasons.push(`no RonDB backup folder under ${RONDB_BACKUP_PREFIX}`);
    for (const key of Object.keys(VELERO_SCHEDULES) as (keyof typeof VELERO_SCHEDULES)[]) {
        const backup = point.velero[key];
        if (!backup) reasons.push(`no Velero ${key} backup under ${VELERO_BACKUPS_PREFIX}`);
        else if (backup.phase !== "Completed") reasons.push(`Velero ${key} backup ${backup.name} ${backup.phase ?? "without a phase"}`);
    }
    return reasons;
}
