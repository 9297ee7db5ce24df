import { backupIdExpected, backupIdTime, futureBackupIdProblem } from "../catalogue/backup-id";
import { restoreConfirmation, SUPERSET, SUPERSET_MIN_VERSION, VELERO_BACKUP_NAME, VELERO_SCHEDULES } from "../names";
import { SUPERSET_BACKUP_ID_EXPECTED, supersetBackupIdTime } from "../catalogue/superset";
import { compareVersions } from "./formats";
import { LIMITS, oneOf } from "./limits";
import { ConfigReader } from "./reader";
import { veleroPairProblem } from "../catalogue/restore-points";

export const RESTORE_MODES = ["none", "new-cluster", "in-place", "superset"] as const;
export type RestoreMode = (typeof RESTORE_MODES)[number];
/** The modes that restore the platform (RonDB, OpenSearch, HopsFS, Kubernetes objects); "superset" restores Superset alone. */
export const PLATFORM_MODES = ["new-cluster", "in-place"] as const;
export type PlatformMode = (typeof PLATFORM_MODES)[number];

export function isPlatformMode(mode: RestoreMode | undefined): mode is PlatformMode {
    return mode === "new-cluster" || mode === "in-place";
}

/** restore.superset: the Superset backup a restore reloads (Hopsworks 5.2 and later). */
export interface SupersetRestoreConfig {
    /** The Superset backup ID, a key of ConfigMap superset-backups-metadata. */
    backupId: string;
    /** When it was taken, from its ID. */
    takenAt: Date;
    /** Recorded in the chart's restore audit trail. Default: "<stack>/<backupId>". */
    initiatedBy: string;
}
/** Where a new-cluster restore reads its backups: the primary bucket, or the off-site vault (region loss). */
export const RESTORE_SOURCES = ["primary", "vault"] as const;
export type RestoreSource = (typeof RESTORE_SOURCES)[number];

/** In-place restore exists from this Hopsworks version on (the manual). */
export const IN_PLACE_MIN_VERSION = "4.8.0";

/** hopsworks-dr:restore, with every default applied. */
export interface RestoreConfig {
    /** Default: "none", normal backup operation. */
    mode: RestoreMode;
    /** New-cluster only: "vault" restores from the vault (needs a vault config). Default: "primary". */
    source: RestoreSource;
    /** The global backup ID; it also drives the HopsFS restore. Set whenever mode is not none. */
    backupId?: string;
    /** RonDB's own backup ID, when it differs from backupId. Default: backupId. */
    rondbBackupId?: string;
    /** The OpenSearch snapshot to restore. Default: backupId. */
    opensearchSnapshot?: string;
    /** OpenSearch indices left out of the restore. Default: none. */
    opensearchSkipIndices: string[];
    /** Velero backup names; both required for a restore unless latestVeleroBackups. */
    veleroBackups: { main?: string; users?: string };
    /**
     * The typed opt-in to restore each schedule's newest Completed backup (Restores by scheduleName),
     * whatever backupId is: true only when set so. Absent or false: veleroBackups must name both.
     */
    latestVeleroBackups?: boolean;
    /**
     * The typed acknowledgement, exactly backupId, that restore.veleroBackups are restored although
     * their names' times are outside the catalogue's window of the backup ID's time. Default: unset.
     */
    veleroBackupsOutsideWindow?: string;
    /** In-place only, and required true there: the restore replaces all data. Default: false. */
    forceDataClear: boolean;
    /** In-place only, and required there: exactly "<stack>/<backupId>" (restoreConfirmation). */
    confirm?: string;
    /** New-cluster only: bumped to run the Velero restores again (each Restore is recreated). Default: 1. */
    attempt: number;
    /** New-cluster only: "<stack>/<backupId>" accepts Velero restores that ended PartiallyFailed. */
    acceptPartial?: string;
    /** Hopsworks 5.2 and later: the Superset backup restored with the platform, or alone (mode superset). Default: none. */
    superset?: SupersetRestoreConfig;
}

export const RESTORE_KEYS = [
    "mode", "backupId", "rondbBackupId", "opensearchSnapshot", "opensearchSkipIndices", "veleroBackups", "attempt", "acceptPartial",
    "backupHopsworksVersion", "forceDataClear", "confirm", "latestVeleroBackups", "veleroBackupsOutsideWindow", "source", "superset",
] as const;
export const VELERO_BACKUPS_KEYS = ["main", "users"] as const;
export const RESTORE_SUPERSET_KEYS = ["backupId", "initiatedBy"] as const;
/** The keys of a platform restore, which a Superset-only restore (mode superset) refuses. */
const PLATFORM_ONLY_KEYS = ["backupId", "rondbBackupId", "opensearchSnapshot", "opensearchSkipIndices", "veleroBackups", "latestVeleroBackups", "veleroBackupsOutsideWindow", "backupHopsworksVersion"];

const INDEX_NAME = /^[a-z0-9_.*][a-z0-9_.*+-]*$/;

export function readRestore(r: ConfigReader, hopsworksVersion: string | undefined): RestoreConfig | undefined {
    const o = r.section("restore", RESTORE_KEYS);
    const mode = r.string(o, "restore.mode", {
        default: "none",
        max: oneOf(RESTORE_MODES),
        check: (v) => (RESTORE_MODES as readonly string[]).includes(v),
        expected: `must be one of ${RESTORE_MODES.join(", ")}`,
    }) as RestoreMode | undefined;
    const isId = (v: string) => backupIdTime(v) !== undefined;
    const backupId = notInFuture(r, "restore.backupId", r.digits(o, "restore.backupId", LIMITS.backupId, isId, backupIdExpected));
    const rondbBackupId = notInFuture(r, "restore.rondbBackupId", r.digits(o, "restore.rondbBackupId", LIMITS.backupId, isId, backupIdExpected));
    const opensearchSnapshot = r.digits(o, "restore.opensearchSnapshot", LIMITS.opensearchName, (v) => /^[a-z0-9][a-z0-9._-]*$/.test(v), "must be an OpenSearch snapshot name such as \"254811140\"");
    const opensearchSkipIndices = r.stringList(o, "restore.opensearchSkipIndices", LIMITS.opensearchName, (v) =>
        INDEX_NAME.test(v) ? undefined : "must be an index name (lowercase, no leading '-': the '-' is added when rendered)",
    );
    const veleroBackups: RestoreConfig["veleroBackups"] = {};
    if (o.veleroBackups !== undefined && o.veleroBackups !== null) {
        const vb = r.object(o.veleroBackups, "restore.veleroBackups", VELERO_BACKUPS_KEYS) ?? {};
        for (const [key, schedule] of Object.entries(VELERO_SCHEDULES) as [keyof typeof VELERO_SCHEDULES, string][]) {
            veleroBackups[key] = r.string(vb, `restore.veleroBackups.${key}`, {
                max: LIMITS.objectName,
                check: (v) => VELERO_BACKUP_NAME.test(v) && v.startsWith(`${schedule}-`),
                expected: `must be a Velero backup of schedule ${schedule}, such as "${schedule}-20260213T153627Z"`,
            });
        }
    }
    const backupHopsworksVersion = r.digits(o, "restore.backupHopsworksVersion", LIMITS.version, (v) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v), "must be the Hopsworks version that took the backup, e.g. \"4.8.0\"");
    const forceDataClear = r.boolean(o, "restore.forceDataClear", false);
    const confirm = r.string(o, "restore.confirm", { max: LIMITS.confirmation });
    const attempt = r.integer(o, "restore.attempt", { min: 1, max: LIMITS.attempt, default: 1 }) ?? 1;
    const acceptPartial = r.string(o, "restore.acceptPartial", { max: LIMITS.confirmation });
    const latestVeleroBackups = r.boolean(o, "restore.latestVeleroBackups", false);
    const source = readSource(r, o, mode);
    const outsideWindow = r.digits(o, "restore.veleroBackupsOutsideWindow", LIMITS.backupId, isId, (v) => `${backupIdExpected(v)}: restore.backupId, typed again`);
    const superset = readSuperset(r, o, mode, hopsworksVersion);
    if (mode === undefined) return undefined;

    if (isPlatformMode(mode)) {
        checkVeleroBackups(r, o, backupId, latestVeleroBackups);
        checkVeleroWindow(r, backupId, veleroBackups, outsideWindow);
    } else if (mode === "none") {
        for (const key of ["latestVeleroBackups", "veleroBackupsOutsideWindow"]) {
            if (o[key] !== undefined && o[key] !== null) r.problem(`restore.${key}`, "applies only to a restore (restore.mode new-cluster or in-place)");
        }
    } else {
        for (const key of PLATFORM_ONLY_KEYS) {
            if (o[key] !== undefined && o[key] !== null) {
                r.problem(`restore.${key}`, "applies only to a platform restore (restore.mode new-cluster or in-place); restore.mode superset restores Superset alone, from restore.superset.backupId: remove it");
            }
        }
    }
    if (isPlatformMode(mode)) {
        if (o.backupId === undefined || o.backupId === null) {
            r.problem("restore.backupId", `is required when restore.mode is ${mode}: the global backup ID (it also restores HopsFS), e.g. "254811200"`);
        }
        if (o.backupHopsworksVersion === undefined || o.backupHopsworksVersion === null) {
            r.problem("restore.backupHopsworksVersion", `is required when restore.mode is ${mode}: the Hopsworks version that took the backup (restores need the exact same version)`);
        } else if (backupHopsworksVersion && hopsworksVersion && backupHopsworksVersion !== hopsworksVersion) {
            r.invalid(
                "restore.backupHopsworksVersion",
                backupHopsworksVersion,
                `must equal hopsworks.version (${JSON.stringify(hopsworksVersion)}): restore with the exact Hopsworks version that took the backup, ` +
                    `so set hopsworks.version and hopsworks.chartVersion to that version's for the restore`,
            );
        }
    }
    if (mode === "in-place") {
        if (hopsworksVersion && compareVersions(hopsworksVersion, IN_PLACE_MIN_VERSION) < 0) {
            r.problem(
                "restore.mode",
                `= "in-place": needs Hopsworks ${IN_PLACE_MIN_VERSION} or newer, but hopsworks.version is ${JSON.stringify(hopsworksVersion)}; ` +
                    "upgrade first, or restore into a new cluster (restore.mode: new-cluster)",
            );
        }
        if (!forceDataClear) {
            r.invalid("restore.forceDataClear", o.forceDataClear ?? null, "must be true for an in-place restore: it replaces all data in the cluster with the backup's");
        }
        const expected = restoreConfirmation(r.source.stack, backupId ?? "<backupId>");
        if (confirm !== expected) {
            r.invalid(
                "restore.confirm",
                o.confirm ?? null,
                `must be exactly ${JSON.stringify(expected)} to confirm that stack ${r.source.stack}'s data is replaced by backup ${backupId ?? "<backupId>"}; ` +
                    "anything written after the backup was taken is lost",
            );
        }
    } else if (mode === "superset") {
        checkSupersetConfirmation(r, o, superset, forceDataClear);
    } else {
        for (const key of ["forceDataClear", "confirm"]) {
            if (o[key] !== undefined && o[key] !== null) r.problem(`restore.${key}`, "applies only to restore.mode: in-place");
        }
    }
    if (mode === "new-cluster") {
        const expected = restoreConfirmation(r.source.stack, backupId ?? "<backupId>");
        if (acceptPartial !== undefined && acceptPartial !== expected) {
            r.invalid(
                "restore.acceptPartial",
                acceptPartial,
                `must be exactly ${JSON.stringify(expected)} to install Hopsworks on Velero restores of backup ${backupId ?? "<backupId>"} that ended PartiallyFailed; ` +
                    "the objects Velero could not restore stay missing",
            );
        }
    } else {
        for (const key of ["attempt", "acceptPartial"]) {
            if (o[key] !== undefined && o[key] !== null) r.problem(`restore.${key}`, "applies only to restore.mode: new-cluster (the Velero restores this stack runs)");
        }
    }
    return {
        mode, source, backupId, rondbBackupId, opensearchSnapshot, opensearchSkipIndices, veleroBackups, forceDataClear, confirm, attempt, acceptPartial,
        ...(latestVeleroBackups ? { latestVeleroBackups } : {}),
        ...(outsideWindow !== undefined ? { veleroBackupsOutsideWindow: outsideWindow } : {}),
        ...(superset ? { superset } : {}),
    };
}

/** How far past now a Superset backup's time may be: another clock's skew, as for RonDB's IDs. */
const SUPERSET_SKEW_MS = 3_600_000;

/**
 * restore.superset {backupId, initiatedBy}: Hopsworks 5.2 and later, during a restore only (any
 * mode but none), a Superset backup ID of the documented form that is not in the future.
 * restore.mode superset needs it.
 */
function readSuperset(r: ConfigReader, o: Record<string, any>, mode: RestoreMode | undefined, version: string | undefined): SupersetRestoreConfig | undefined {
    const given = o.superset !== undefined && o.superset !== null;
    if (mode === "superset" && version !== undefined && compareVersions(version, SUPERSET_MIN_VERSION) < 0) {
        r.problem(
            "restore.mode",
            `= "superset": Superset is backed up and restored from Hopsworks ${SUPERSET_MIN_VERSION} on, but hopsworks.version is ${JSON.stringify(version)}; ` +
                `valid modes there: ${RESTORE_MODES.filter((m) => m !== "superset").join(", ")}`,
        );
        return undefined;
    }
    if (!given) {
        if (mode === "superset") r.invalid("restore.superset.backupId", null, `is required when restore.mode is superset: the Superset backup to reload; ${SUPERSET_BACKUP_ID_EXPECTED}`);
        return undefined;
    }
    if (version !== undefined && compareVersions(version, SUPERSET_MIN_VERSION) < 0) {
        r.problem(
            "restore.superset",
            `applies only to Hopsworks ${SUPERSET_MIN_VERSION} or newer (Superset's backup and restore), but hopsworks.version is ${JSON.stringify(version)}: ` +
                "remove it; the restore there brings back RonDB, OpenSearch, HopsFS and the Kubernetes objects",
        );
        return undefined;
    }
    if (mode === "none") {
        r.problem("restore.superset", "applies only to a restore (restore.mode new-cluster, in-place or superset): remove it, or set restore.mode");
        return undefined;
    }
    const block = r.object(o.superset, "restore.superset", RESTORE_SUPERSET_KEYS) ?? {};
    const backupId = r.string(block, "restore.superset.backupId", {
        required: true,
        max: LIMITS.supersetBackupId,
        check: (v) => supersetBackupIdTime(v) !== undefined,
        expected: SUPERSET_BACKUP_ID_EXPECTED,
    });
    const initiatedBy = r.string(block, "restore.superset.initiatedBy", {
        max: LIMITS.initiatedBy,
        check: (v) => /^[\x20-\x7e]+$/.test(v) && v.trim() === v,
        expected: 'must be printable ASCII without leading or trailing spaces, e.g. "ops:HWORKS-2973 alice": recorded in the chart\'s Superset restore audit trail',
    });
    if (backupId === undefined) return undefined;
    const takenAt = supersetBackupIdTime(backupId)!;
    if (takenAt.getTime() > r.now.getTime() + SUPERSET_SKEW_MS) {
        r.invalid(
            "restore.superset.backupId",
            backupId,
            `was taken at ${takenAt.toISOString()} by its ID, later than now (${r.now.toISOString()}) by more than the 1 hour allowed for clock skew: ` +
                `a backup cannot be in the future; check the ID in ConfigMap ${SUPERSET.metadataConfigMap}`,
        );
    }
    return { backupId, takenAt, initiatedBy: initiatedBy ?? restoreConfirmation(r.source.stack, backupId) };
}

/**
 * restore.mode superset replaces Superset's whole database with the backup's: confirmed as an
 * in-place restore is, with restore.confirm "<stack>/<Superset backupId>". forceDataClear is the
 * chart's flag for the platform restore and does not apply.
 */
function checkSupersetConfirmation(r: ConfigReader, o: Record<string, any>, superset: SupersetRestoreConfig | undefined, forceDataClear: boolean): void {
    if (forceDataClear || (o.forceDataClear !== undefined && o.forceDataClear !== null)) {
        r.problem("restore.forceDataClear", "applies only to restore.mode: in-place; a Superset restore is confirmed with restore.confirm alone");
    }
    const id = superset?.backupId ?? "<superset.backupId>";
    const expected = restoreConfirmation(r.source.stack, id);
    if (o.confirm !== expected) {
        r.invalid(
            "restore.confirm",
            o.confirm ?? null,
            `must be exactly ${JSON.stringify(expected)} to confirm that stack ${r.source.stack}'s Superset database (dashboards, charts, saved queries, ` +
                `connections, users) is replaced by Superset backup ${id}; anything saved in Superset after it was taken is lost`,
        );
    }
}

/** restore.source: "vault" only for a new-cluster restore (the vault is only read by a fresh cluster, after region loss). */
function readSource(r: ConfigReader, o: Record<string, unknown>, mode: string | undefined): RestoreSource {
    const source = r.string(o, "restore.source", {
        default: "primary",
        max: oneOf(RESTORE_SOURCES),
        check: (v) => (RESTORE_SOURCES as readonly string[]).includes(v),
        expected: `must be one of ${RESTORE_SOURCES.join(", ")}`,
    }) as RestoreSource | undefined;
    if (source === "vault" && mode !== undefined && mode !== "new-cluster") {
        r.invalid(
            "restore.source",
            source,
            `applies only to restore.mode: new-cluster (restore.mode is ${JSON.stringify(mode)}): a restore from the vault goes into a new cluster; ` +
                'remove restore.source, or set it to "primary"',
        );
    }
    return source ?? "primary";
}

/** The backup ID, with a problem naming its date when it decodes to later than now (a mistyped ID). */
function notInFuture(r: ConfigReader, path: string, id: string | undefined): string | undefined {
    const problem = id === undefined ? undefined : futureBackupIdProblem(id, r.now);
    if (problem !== undefined) r.invalid(path, id, problem);
    return id;
}

/**
 * The named Velero backups are the restore point's by their names' times: within the catalogue's
 * window (VELERO_MATCH_WINDOW) of the backup ID's time, unless restore.veleroBackupsOutsideWindow
 * acknowledges this backup ID, for the rare pair taken outside it on purpose.
 */
function checkVeleroWindow(r: ConfigReader, backupId: string | undefined, named: RestoreConfig["veleroBackups"], outsideWindow: string | undefined): void {
    const given = (["main", "users"] as const).filter((key) => named[key] !== undefined);
    if (outsideWindow !== undefined && (given.length === 0 || outsideWindow !== backupId)) {
        r.invalid(
            "restore.veleroBackupsOutsideWindow",
            outsideWindow,
            given.length === 0
                ? "applies only with restore.veleroBackups, the named backups it lets outside the window"
                : `must be exactly ${JSON.stringify(backupId ?? "<backupId>")} (restore.backupId) to restore restore.veleroBackups outside the window of that restore point`,
        );
        return;
    }
    const pointTime = backupId === undefined ? undefined : backupIdTime(backupId, r.now);
    if (outsideWindow !== undefined || backupId === undefined || pointTime === undefined) return;
    for (const key of given) {
        const problem = veleroPairProblem(VELERO_SCHEDULES[key], named[key]!, backupId, pointTime);
        if (problem) {
            r.invalid(
                `restore.veleroBackups.${key}`,
                named[key],
                `${problem}. To restore it anyway, set restore.veleroBackupsOutsideWindow: ${JSON.stringify(backupId)}`,
            );
        }
    }
}

/**
 * A restore names the Velero backups of its restore point: without them Velero restores each
 * schedule's newest Completed backup (a scheduleName restore), whatever backupId is, and an older
 * backup ID would get Kubernetes objects of another date than its RonDB, OpenSearch and HopsFS
 * data. Taking the newest on purpose is the typed opt-in restore.latestVeleroBackups: true.
 */
function checkVeleroBackups(r: ConfigReader, o: Record<string, unknown>, backupId: string | undefined, latest: boolean): void {
    const given = (o.veleroBackups ?? {}) as Record<string, unknown>;
    const named = (["main", "users"] as const).filter((key) => given[key] !== undefined && given[key] !== null);
    if (latest) {
        if (named.length > 0) {
            r.invalid(
                "restore.latestVeleroBackups",
                true,
                `contradicts ${named.map((k) => `restore.veleroBackups.${k}`).join(" and ")}, which name the Velero backups to restore: ` +
                    "remove restore.latestVeleroBackups to restore the named backups, or restore.veleroBackups to take each schedule's newest",
            );
        }
        return;
    }
    if (named.length === 2) return;
    const missing = named.length === 0 ? "restore.veleroBackups" : `restore.veleroBackups.${named[0] === "main" ? "users" : "main"}`;
    r.invalid(
        missing,
        null,
        `must name the Velero backups of restore point ${backupId ?? "<backupId>"}: restore.veleroBackups.main ` +
            `("${VELERO_SCHEDULES.main}-<time>") and restore.veleroBackups.users ("${VELERO_SCHEDULES.users}-<time>"). ` +
            "Without them Velero restores each schedule's newest Completed backup whatever restore.backupId is, so an older " +
            "backup ID would get Kubernetes objects of another date than its RonDB, OpenSearch and HopsFS data. Find them with " +
            "npx hopsworks-dr backups list, or without a catalogue aws s3 ls s3://<bucket>/k8s_backup/backups/ (the pair taken " +
            "minutes after the backup ID's time); to restore each schedule's newest Completed backup on purpose, set " +
            "restore.latestVeleroBackups: true",
    );
}
