import assert from "assert/strict";
import { ConfigError } from "../../../stacks/config/reader";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { minioConfig, source } from "../../support/stacks";

/** 254811200 is 2025-11-24 12:00 UTC; its Velero backups were taken seconds later. */
const VELERO = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
const RESTORE = { mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: "4.8.0", veleroBackups: VELERO };
const NOW = new Date("2026-01-06T12:00:00Z");

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
        assert.deepEqual(problems({ ...RESTORE, backupId: "304011200" }), [
            'hopsworks-dr:restore.backupId = "304011200": decodes to 2030-09-30T12:00:00.000Z, later than now (2026-01-06T12:00:00.000Z) ' +
                "by more than the 1 hour allowed for clock skew: a restore point cannot be in the future; check the ID (date +%y%V%u%H%M: year, ISO week, weekday, hour, minute)",
        ]);
        assert.match(problems({ ...RESTORE, rondbBackupId: "304011200" })[0], /^hopsworks-dr:restore.rondbBackupId = "304011200": decodes to 2030-09-30T12:00:00.000Z, later than now/);
    });

    it("accepts a backup ID up to an hour after now (another clock's skew), and judges against the time it is given", () => {
        // 260221300 is Tuesday 2026-01-06 13:00 UTC.
        assert.deepEqual(problems({ ...RESTORE, backupId: "260221300" }, new Date("2026-01-06T12:00:00Z")), []);
        assert.equal(problems({ ...RESTORE, backupId: "260221300" }, new Date("2026-01-06T11:59:59Z")).length, 1);
        assert.deepEqual(problems({ ...RESTORE, backupId: "304011200" }, new Date("2030-09-30T12:00:00Z")), []);
    });
});
