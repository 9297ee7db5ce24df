import assert from "assert/strict";
import { ConfigError } from "../../../stacks/config/reader";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planStack } from "../../../stacks/plan/stack-plan";
import { minioConfig, source } from "../../support/stacks";

/** 254811200 is 2025-11-24 12:00 UTC; its Velero backups were taken seconds later. */
const VELERO = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
const RESTORE = { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: "4.8.0", veleroBackups: VELERO };
const NOW = new Date("2026-01-06T12:00:00Z");

/** A Velero pair whose names carry this time (YYYYMMDDhhmmss). */
const pairAt = (time: string) => ({ main: `k8s-backups-main-${time}`, users: `k8s-backups-users-resources-${time}` });

function withRestore(restore: Record<string, unknown>) {
    const c = minioConfig();
    c.restore = restore;
    return c;
}

/** The messages the config is refused with, or [] when it is accepted. */
function problems(restore: Record<string, unknown>, now = NOW): string[] {
    try {
        readStackConfig(source(withRestore(restore), { now }));
        return [];
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems.map((p) => p.message);
    }
}

describe("restore config: a restore point is not in the future", () => {
    it("refuses a backup ID later than now by more than the hour allowed for clock skew, naming its date", () => {
        const future = { ...RESTORE, backupId: "304011200", veleroBackups: pairAt("20300930120012") };
        assert.deepEqual(problems(future), [
            'hopsworks-dr:restore.backupId = "304011200": decodes to 2030-09-30T12:00:00.000Z, later than now (2026-01-06T12:00:00.000Z) ' +
                "by more than the 1 hour allowed for clock skew: a restore point cannot be in the future; check the ID (date +%y%V%u%H%M: year, ISO week, weekday, hour, minute)",
        ]);
        assert.match(problems({ ...RESTORE, rondbBackupId: "304011200" })[0], /^hopsworks-dr:restore.rondbBackupId = "304011200": decodes to 2030-09-30T12:00:00.000Z, later than now/);
    });

    it("accepts a backup ID up to an hour after now (another clock's skew), and judges against the time it is given", () => {
        // 260221300 is Tuesday 2026-01-06 13:00 UTC.
        const soon = { ...RESTORE, backupId: "260221300", veleroBackups: pairAt("20260106130012") };
        assert.deepEqual(problems(soon, new Date("2026-01-06T12:00:00Z")), []);
        assert.equal(problems(soon, new Date("2026-01-06T11:59:59Z")).length, 1);
        assert.deepEqual(problems({ ...RESTORE, backupId: "304011200", veleroBackups: pairAt("20300930120012") }, new Date("2030-09-30T12:00:00Z")), []);
    });
});

describe("restore config: the Velero pair is the restore point's by its names' times", () => {
    const outside = (key: string, name: string, time: string) =>
        `hopsworks-dr:restore.veleroBackups.${key} = "${name}": was taken at ${time} by its name, outside the window of restore point 254811200 ` +
        "(2025-11-24T12:00:00.000Z): from 30 minutes before to 6 hours after the backup ID's time, as the catalogue pairs them. It would restore " +
        "Kubernetes objects of another date than the point's RonDB, OpenSearch and HopsFS data; name the point's own (hopsworks-dr backups list, " +
        'or aws s3 ls s3://<bucket>/k8s_backup/backups/). To restore it anyway, set restore.veleroBackupsOutsideWindow: "254811200"';

    it("accepts the manual's pair for backup 254811200 (taken 12 and 13 seconds after it) and the window's edges", () => {
        assert.deepEqual(problems(RESTORE), []);
        assert.deepEqual(problems({ ...RESTORE, veleroBackups: { main: "k8s-backups-main-20251124113000", users: "k8s-backups-users-resources-20251124180000" } }), []);
        assert.deepEqual(problems({ ...RESTORE, veleroBackups: { main: "k8s-backups-main-20251124T121500Z", users: VELERO.users } }), [], "the T...Z form");
    });

    it("refuses a pair of other dates, naming each key, its value, the decoded times and the window", () => {
        const far = { main: "k8s-backups-main-20200101000000", users: "k8s-backups-users-resources-20291231000000" };
        assert.deepEqual(problems({ ...RESTORE, veleroBackups: far }), [
            outside("main", far.main, "2020-01-01T00:00:00.000Z"),
            outside("users", far.users, "2029-12-31T00:00:00.000Z"),
        ]);
        const justOutside = { main: "k8s-backups-main-20251124112959", users: "k8s-backups-users-resources-20251124180001" };
        assert.deepEqual(problems({ ...RESTORE, veleroBackups: justOutside }), [
            outside("main", justOutside.main, "2025-11-24T11:29:59.000Z"),
            outside("users", justOutside.users, "2025-11-24T18:00:01.000Z"),
        ]);
        assert.deepEqual(problems({ ...RESTORE, mode: "in-place", forceDataClear: true, confirm: "test/254811200", veleroBackups: { ...VELERO, users: far.users } }), [
            outside("users", far.users, "2029-12-31T00:00:00.000Z"),
        ]);
    });

    it("refuses a name with no time in it, which cannot be checked", () => {
        assert.deepEqual(problems({ ...RESTORE, veleroBackups: { ...VELERO, main: "k8s-backups-main-20251340120000" } }), [
            'hopsworks-dr:restore.veleroBackups.main = "k8s-backups-main-20251340120000": carries no time in its name (k8s-backups-main-<YYYYMMDDhhmmss>, ' +
                "as Velero names a schedule's backups), so it cannot be checked against restore point 254811200 (2025-11-24T12:00:00.000Z). " +
                'To restore it anyway, set restore.veleroBackupsOutsideWindow: "254811200"',
        ]);
    });

    it("restores a pair outside the window when restore.veleroBackupsOutsideWindow types the backup ID, with a warning", () => {
        const far = { main: "k8s-backups-main-20200101000000", users: "k8s-backups-users-resources-20291231000000" };
        const config = readStackConfig(source(withRestore({ ...RESTORE, veleroBackups: far, veleroBackupsOutsideWindow: 254811200 }), { now: NOW }));
        assert.equal(config.restore.veleroBackupsOutsideWindow, "254811200");
        assert.deepEqual(planStack(config).warnings.filter((w) => w.startsWith("restore.veleroBackupsOutsideWindow")), [
            "restore.veleroBackupsOutsideWindow: the Velero backups k8s-backups-main-20200101000000 and k8s-backups-users-resources-20291231000000 are " +
                "restored without checking their names' times against the window of backup 254811200 (from 30 minutes before to 6 hours after the " +
                "backup ID's time); a pair of another date restores Kubernetes objects of that date next to the point's RonDB, OpenSearch and HopsFS data",
        ]);
        assert.deepEqual(problems({ ...RESTORE, veleroBackups: far, veleroBackupsOutsideWindow: "254811140" }), [
            'hopsworks-dr:restore.veleroBackupsOutsideWindow = "254811140": must be exactly "254811200" (restore.backupId) to restore restore.veleroBackups outside the window of that restore point',
        ]);
        assert.deepEqual(problems({ ...RESTORE, veleroBackups: undefined, latestVeleroBackups: true, veleroBackupsOutsideWindow: "254811200" }), [
            'hopsworks-dr:restore.veleroBackupsOutsideWindow = "254811200": applies only with restore.veleroBackups, the named backups it lets outside the window',
        ]);
        assert.deepEqual(problems({ mode: "none", veleroBackupsOutsideWindow: "254811200" }), [
            "hopsworks-dr:restore.veleroBackupsOutsideWindow applies only to a restore (restore.mode new-cluster or in-place)",
        ]);
    });
});
