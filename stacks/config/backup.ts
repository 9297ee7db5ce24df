import { formatDuration, SCHEDULE_EXPECTED, scheduleLongestIntervalMs, scheduleProblem } from "../catalogue/schedule";
import { DEFAULTS } from "./defaults";
import { LIMITS } from "./limits";
import { ConfigReader } from "./reader";
import { MAX_NONCURRENT_DAYS, MAX_TTL_DAYS, ttlDays, ttlHours, TTL_EXPECTED } from "./ttl";

/** hopsworks-dr:backup, with every default applied. */
export interface BackupConfig {
    /** Whether the Hopsworks chart takes backups (its values' backups.enabled). Default: true. */
    enabled: boolean;
    /** The backup schedule, a 5-field cron expression or a macro. Default: "@weekly". */
    schedule: string;
    /** How long Velero keeps a backup, days or hours. Default: "60d". */
    ttl: string;
    /** The ttl in whole days, for the bucket's lifecycle. */
    ttlDays: number;
    /** How long the bucket keeps noncurrent versions (HopsFS blocks). Default: the ttl in days. */
    noncurrentVersionDays: number;
}

export const BACKUP_KEYS = ["enabled", "schedule", "ttl", "noncurrentVersionDays"] as const;

export function readBackup(r: ConfigReader): BackupConfig | undefined {
    const b = r.section("backup", BACKUP_KEYS);
    const enabled = r.boolean(b, "backup.enabled", true);
    let schedule = r.string(b, "backup.schedule", { default: DEFAULTS.backupSchedule, max: LIMITS.schedule, expected: SCHEDULE_EXPECTED });
    // The parser's own reason ("hour 25 is outside 0-23"), not a generic description of cron.
    const scheduleWrong = b.schedule === undefined || schedule === undefined ? undefined : scheduleProblem(schedule);
    if (scheduleWrong) {
        r.invalid("backup.schedule", schedule, scheduleWrong);
        schedule = undefined;
    }
    let ttl = r.string(b, "backup.ttl", {
        default: DEFAULTS.backupTtl,
        max: LIMITS.ttl,
        check: (v) => ttlDays(v) !== undefined,
        expected: TTL_EXPECTED,
    });
    if (ttl !== undefined && ttlDays(ttl)! > MAX_TTL_DAYS) {
        r.invalid(
            "backup.ttl",
            ttl,
            `must be at most ${MAX_TTL_DAYS} days ("${MAX_TTL_DAYS}d" or "${MAX_TTL_DAYS * 24}h"): Velero keeps backups for a Go duration ` +
                "(at most about 292 years) and the bucket's lifecycle counts whole days, and a retention beyond 10 years is taken for a typo",
        );
        ttl = undefined;
    } else if (ttl !== undefined && schedule !== undefined) {
        // Each backup must live until the next one exists, as noncurrent versions must live as long as a backup.
        const interval = scheduleLongestIntervalMs(schedule);
        if (ttlHours(ttl)! * 3_600_000 < interval) {
            r.invalid(
                "backup.ttl",
                ttl,
                `must be at least the longest interval between two scheduled backups (${formatDuration(interval)}, backup.schedule ` +
                    `${JSON.stringify(schedule)}): each backup would expire before the next one is taken, leaving no backup to restore from`,
            );
            ttl = undefined;
        }
    }
    const days = ttl === undefined ? undefined : ttlDays(ttl);
    const noncurrentVersionDays = r.integer(b, "backup.noncurrentVersionDays", { min: 1, max: { ...LIMITS.noncurrentVersionDays, max: MAX_NONCURRENT_DAYS }, default: days });
    if (days !== undefined && noncurrentVersionDays !== undefined && noncurrentVersionDays < days) {
        r.invalid(
            "backup.noncurrentVersionDays",
            b.noncurrentVersionDays,
            `must be at least the backup ttl in days (${days}, from backup.ttl ${JSON.stringify(ttl)}): ` +
                "HopsFS blocks overwritten after a backup would expire before the backup does",
        );
    }
    if (schedule === undefined || ttl === undefined || days === undefined || noncurrentVersionDays === undefined) return undefined;
    return { enabled, schedule, ttl, ttlDays: days, noncurrentVersionDays };
}
