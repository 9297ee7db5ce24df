/**
 * Which Superset backup `restore plan` writes (Hopsworks 5.2), and what it says about Trino's
 * Secrets (5.1): the rules are the core's (stacks/catalogue/superset.ts, stacks/plan/restore.ts);
 * this picks, checks against the catalogue when there is one, and words it for the operator.
 */
import { SupersetBackup, supersetBackupIdTime } from "../stacks/catalogue/superset";
import type { RestorePoint } from "../stacks/catalogue/restore-points";
import { compareVersions } from "../stacks/config/formats";
import type { StackConfig } from "../stacks/config/stack-config";
import { SUPERSET, SUPERSET_MIN_VERSION, TRINO_BACKUP_MIN_VERSION, VELERO_SCHEDULES } from "../stacks/names";
import { CliError } from "./errors";

/** As stacks/config/hopsworks.ts hasVersion, without loading the config reader (and yaml) for --help and usage errors. */
function hasVersion(version: string | undefined, min: string): boolean {
    return version === undefined || compareVersions(version, min) >= 0;
}

/** What the operator gave with --superset-backup: nothing (the point's), none, latest (mode superset) or an ID. */
export type SupersetOption = { kind: "default" } | { kind: "none" } | { kind: "latest" } | { kind: "id"; id: string; takenAt: Date };

export interface SupersetChoice {
    /** The backup to write as restore.superset.backupId, if any. */
    backupId?: string;
    /** One line for stdout: which Superset backup, and when it was taken, or why none. */
    line: string;
}

const time = (d: Date) => d.toISOString();

/**
 * The Superset backup of a platform restore: the operator's (checked against the catalogue's
 * successful backups when the catalogue was read), else the point's own, else none, said so.
 * Refused on a stack older than 5.2, whose restore cannot take one.
 */
export function supersetChoice(
    option: SupersetOption,
    point: RestorePoint,
    version: string | undefined,
    known: SupersetBackup[] | undefined,
    /** Whether Superset's backups were read at all (the cluster's metadata, or the bucket's folders). */
    searched: boolean,
): SupersetChoice {
    if (!hasVersion(version, SUPERSET_MIN_VERSION)) {
        if (option.kind === "id" || option.kind === "latest") {
            throw new CliError(`--superset-backup applies only to Hopsworks ${SUPERSET_MIN_VERSION} or newer, and the stack's hopsworks.version is ${version}: leave it out`);
        }
        return { line: "" };
    }
    if (option.kind === "none") return { line: "Superset: not restored (--superset-backup none)" };
    if (option.kind === "id") {
        checkKnown(option.id, known);
        return { backupId: option.id, line: `Superset backup ${option.id} (${time(option.takenAt)}), as --superset-backup names it` };
    }
    if (point.superset) {
        return { backupId: point.superset.id, line: `Superset backup ${point.superset.id} (${time(point.superset.time)}), the newest at or before restore point ${point.id}` };
    }
    if (!searched) {
        return {
            line:
                `Superset: not restored, as no catalogue or bucket was read to find restore point ${point.id}'s Superset backup; name it with ` +
                `--superset-backup <id> (superset_backup/<id>/ in the bucket), or read it with --from-bucket`,
        };
    }
    return {
        line:
            `Superset: no backup at or before restore point ${point.id} is known (a point taken before Superset backups existed has none), so Superset is ` +
            `not restored; name one with --superset-backup <id> (ConfigMap ${SUPERSET.metadataConfigMap}, or superset_backup/<id>/ in the bucket)`,
    };
}

/** The newest successful Superset backup (--mode superset, latest), or the named one checked against the catalogue. */
export function supersetOnlyChoice(option: SupersetOption, known: SupersetBackup[]): { backupId: string; line: string } {
    if (option.kind === "id") {
        checkKnown(option.id, known);
        return { backupId: option.id, line: `Superset backup ${option.id} (${time(option.takenAt)})` };
    }
    const newest = known.filter((b) => b.state === "SUCCESS").sort((a, b) => b.time.getTime() - a.time.getTime())[0];
    if (!newest) throw new CliError(`no successful Superset backup in ConfigMap ${SUPERSET.metadataConfigMap}: nothing to restore (hopsworks-dr backups status shows the backup CronJobs' health)`);
    return { backupId: newest.id, line: `Superset backup ${newest.id} (${time(newest.time)}), the newest successful one` };
}

function checkKnown(id: string, known: SupersetBackup[] | undefined): void {
    if (known === undefined) return;
    const found = known.find((b) => b.id === id);
    if (!found) throw new CliError(`Superset backup ${id} is not in ConfigMap ${SUPERSET.metadataConfigMap} (run: hopsworks-dr backups list)`);
    if (found.state !== "SUCCESS") throw new CliError(`Superset backup ${id} is ${found.state} in ConfigMap ${SUPERSET.metadataConfigMap}, not SUCCESS: it cannot be restored`);
}

/** --superset-backup's value, read: none, latest or an ID (its time decoded). Undefined when it is none of these. */
export function readSupersetOption(value: string | undefined): SupersetOption | undefined {
    if (value === undefined) return { kind: "default" };
    if (value === "none" || value === "latest") return { kind: value };
    const takenAt = supersetBackupIdTime(value);
    return takenAt ? { kind: "id", id: value, takenAt } : undefined;
}

/**
 * What `restore plan` says about Trino's Secrets (Hopsworks 5.1 and later): the core's warning when
 * the point predates hopsworks.trinoBackupsSince, or that it cannot tell without that key.
 */
export function trinoLines(config: StackConfig): string[] {
    const { trinoWarnings } = require("../stacks/plan/restore") as typeof import("../stacks/plan/restore");
    const warnings = trinoWarnings(config).map((w) => `warning: ${w}`);
    if (warnings.length > 0 || !hasVersion(config.hopsworks.version, TRINO_BACKUP_MIN_VERSION) || config.hopsworks.trinoBackupsSince) return warnings;
    return [
        `note: hopsworks.trinoBackupsSince is not set, so whether restore point ${config.restore.backupId}'s ${VELERO_SCHEDULES.main} backup carries Trino's ` +
            "Secrets cannot be told (backups taken before the move to Hopsworks 5.1 lack them; Hopsworks then rebuilds project users from RonDB, and the " +
            "admin and monitoring credentials are the chart's values again). Set it to the first backup after that move (docs/config.md)",
    ];
}
