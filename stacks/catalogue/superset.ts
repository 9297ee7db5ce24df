import { SUPERSET } from "../names";
import { idMinute } from "./backup-id";
import { entryFields } from "./entry-fields";
import { firstAtOrBefore } from "./newest-first";

/**
 * Superset's backups (Hopsworks 5.2): their IDs, the metadata ConfigMap that indexes them, and
 * which one belongs to a restore point. Pure, as the rest of the catalogue.
 */

/**
 * A Superset backup ID as the page shows it, 20260722215632-2116913658: the UTC time the dump was
 * taken (YYYYMMDDhhmmss), a dash, and digits.
 */
export const SUPERSET_BACKUP_ID = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-(\d{1,20})$/;
/** The longest Superset backup ID accepted: 14 digits, a dash, 20 digits. */
export const SUPERSET_BACKUP_ID_MAX = 35;
/** What a Superset backup ID must look like, for messages. */
export const SUPERSET_BACKUP_ID_EXPECTED =
    'must be a Superset backup ID such as "20260722215632-2116913658": the UTC time of the dump (YYYYMMDDhhmmss), a dash and digits ' +
    `(the keys of ConfigMap ${SUPERSET.metadataConfigMap})`;

/** When a Superset backup was taken, from its ID; undefined when it is not one (or not a real date). */
export function supersetBackupIdTime(id: string): Date | undefined {
    const m = SUPERSET_BACKUP_ID.exec(id);
    if (!m) return undefined;
    const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]), h = Number(m[4]), mi = Number(m[5]), s = Number(m[6]);
    const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    const exact = time.getUTCFullYear() === y && time.getUTCMonth() === mo - 1 && time.getUTCDate() === d &&
        time.getUTCHours() === h && time.getUTCMinutes() === mi && time.getUTCSeconds() === s;
    return exact ? time : undefined;
}

export interface SupersetBackup {
    id: string;
    /** The entry's state: SUCCESS, FAILED, ... (IN_BUCKET when read from the bucket's folders). */
    state: string;
    /** When the dump was taken: its ID's time. */
    time: Date;
    /** The entry's end_time, when it records one. */
    completed?: Date;
}

/**
 * The Superset backups of a metadata ConfigMap (superset-backups-metadata and any rotated
 * -1, -2, ...). A key that is not a Superset backup ID, or a value without a state, is a warning
 * and skipped. Its time is the ID's: the page documents the ID, not the value's other fields.
 */
export function readSupersetEntries(configMaps: { name: string; data: Record<string, string> }[]): { backups: SupersetBackup[]; warnings: string[] } {
    const backups = new Map<string, SupersetBackup>();
    const warnings: string[] = [];
    for (const configMap of configMaps) {
        const data = configMap.data;
        for (const id in data) {
            const read = readSupersetEntry(id, data[id]);
            if (typeof read === "string") {
                warnings.push(`configmap ${configMap.name}, entry ${id}: skipped, ${read}`);
                continue;
            }
            if (backups.get(id)?.state === "SUCCESS") continue;
            backups.set(id, read);
        }
    }
    return { backups: [...backups.values()], warnings };
}

/** One Superset backup, or why its entry is skipped. */
function readSupersetEntry(id: string, text: string): SupersetBackup | string {
    const time = supersetBackupIdTime(id);
    if (time === undefined) return "the key is not a Superset backup ID (YYYYMMDDhhmmss-<digits>)";
    const fields = entryFields(text);
    if (fields === undefined) return "not valid JSON";
    if (typeof fields.state !== "string") return "no state";
    const backup: SupersetBackup = { id, state: fields.state, time };
    const ended = typeof fields.end_time === "string" ? new Date(fields.end_time) : undefined;
    if (ended && !Number.isNaN(ended.getTime())) backup.completed = ended;
    return backup;
}

/**
 * How long after a restore point's time a Superset dump still counts as taken by the same backup
 * run: the create-superset-backup CronJob fires on the backup schedule, as RonDB's job does, so
 * its dump starts seconds to minutes after the point's time, and its ID's seconds may be later
 * than the point's.
 */
export const SUPERSET_SAME_RUN_MS = 30 * 60_000;

/**
 * The Superset backup of each restore point (newest first, as restorePoints orders them): the newest
 * successful dump taken at or before the point's backup ID minute, the same run's dump included (up
 * to SUPERSET_SAME_RUN_MS after it, and before the next newer point's minute). By the IDs' minutes,
 * as the Velero pairing: the bucket knows no more, and it must pair as the cluster does. None for a
 * point older than every dump: taken before Superset backups existed.
 */
export function supersetBackupsOfPoints(points: { id: string; time: Date }[], backups: SupersetBackup[]): (SupersetBackup | undefined)[] {
    const successful = backups.filter((b) => b.state === "SUCCESS" || b.state === "IN_BUCKET").sort((a, b) => b.time.getTime() - a.time.getTime());
    const minutes = points.map((point) => idMinute(point).getTime());
    return points.map((_, index) => {
        const newer = index > 0 ? minutes[index - 1] : Infinity;
        const limit = Math.min(minutes[index] + SUPERSET_SAME_RUN_MS, newer - 1);
        return successful[firstAtOrBefore(successful, limit)];
    });
}
