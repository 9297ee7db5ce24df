import assert from "assert/strict";
import { readSupersetEntries, supersetBackupIdTime, supersetBackupsOfPoints, SupersetBackup } from "../../../stacks/catalogue/superset";
import { supersetBackupsFromFolders } from "../../../stacks/catalogue/bucket-layout";
import { backupIdAt, backupIdTime } from "../../../stacks/catalogue/backup-id";

const at = (iso: string) => new Date(iso);
const dump = (id: string, state = "SUCCESS"): SupersetBackup => ({ id, state, time: supersetBackupIdTime(id)! });

describe("Superset backup IDs", () => {
    it("reads the page's example as 2026-07-22 21:56:32 UTC, and refuses what is not one", () => {
        assert.deepEqual(supersetBackupIdTime("20260722215632-2116913658"), at("2026-07-22T21:56:32Z"));
        for (const bad of ["20260722215632", "20260722215632-", "2026072221563-1", "20261322215632-1", "20260230000000-1", "20260722245632-1", "263011200", " 20260722215632-1"]) {
            assert.equal(supersetBackupIdTime(bad), undefined, bad);
        }
    });
});

describe("superset-backups-metadata", () => {
    it("keeps every entry with a state, the ID's time, its end_time; warns about keys that are not IDs and values without a state", () => {
        const { backups, warnings } = readSupersetEntries([
            {
                name: "superset-backups-metadata",
                data: {
                    "20260105100007-2222": JSON.stringify({ state: "SUCCESS", end_time: "2026-01-05T10:01:00Z" }),
                    "20260101000000-3333": JSON.stringify({ state: "FAILED" }),
                    "latest": JSON.stringify({ state: "SUCCESS" }),
                    "20260102000000-4": "{not json",
                    "20260103000000-5": JSON.stringify({ path: "s3://b/superset_backup/20260103000000-5" }),
                },
            },
        ]);
        assert.deepEqual(backups, [
            { id: "20260105100007-2222", state: "SUCCESS", time: at("2026-01-05T10:00:07Z"), completed: at("2026-01-05T10:01:00Z") },
            { id: "20260101000000-3333", state: "FAILED", time: at("2026-01-01T00:00:00Z") },
        ]);
        assert.deepEqual(warnings, [
            "configmap superset-backups-metadata, entry latest: skipped, the key is not a Superset backup ID (YYYYMMDDhhmmss-<digits>)",
            "configmap superset-backups-metadata, entry 20260102000000-4: skipped, not valid JSON",
            "configmap superset-backups-metadata, entry 20260103000000-5: skipped, no state",
        ]);
    });
});

describe("a restore point's Superset backup", () => {
    // Weekly points, newest first, as restorePoints orders them.
    const point = (iso: string) => ({ id: backupIdAt(at(iso)), time: at(iso) });
    const points = [point("2026-01-05T10:00:05Z"), point("2025-12-29T10:00:04Z"), point("2025-12-22T10:00:03Z")];

    it("is the newest successful dump at or before the point, its own run's included (seconds later), never a later run's", () => {
        const of = supersetBackupsOfPoints(points, [
            dump("20260105100007-2222"),
            dump("20260101000000-3333", "FAILED"),
            dump("20251229100005-1111"),
        ]).map((b) => b?.id);
        assert.deepEqual(of, ["20260105100007-2222", "20251229100005-1111", undefined]);
    });

    it("falls back to an older dump when the point's own run took none, and allows at most 30 minutes after the point", () => {
        const of = supersetBackupsOfPoints(points, [dump("20260105103006-1"), dump("20251222100010-2")]).map((b) => b?.id);
        // 10:30:06 is more than 30 min after the point's minute (10:00): not the newest point's; 2025-12-22 10:00:10 is the older points' newest.
        assert.deepEqual(of, ["20251222100010-2", "20251222100010-2", "20251222100010-2"]);
    });

    it("never takes a dump at or after the next newer point's time (an hourly schedule)", () => {
        const hourly = [point("2026-01-05T11:00:00Z"), point("2026-01-05T10:00:00Z")];
        const of = supersetBackupsOfPoints(hourly, [dump("20260105110000-2"), dump("20260105100001-1")]).map((b) => b?.id);
        assert.deepEqual(of, ["20260105110000-2", "20260105100001-1"]);
    });

    it("goes by the points' minutes, as the bucket must: a dump late in a minute is that minute's point's, not the next one's", () => {
        // Every-minute points whose RonDB starts fall at different seconds; the bucket knows 23:09 and 23:10 only.
        const dense = [point("2026-12-06T23:10:00.500Z"), point("2026-12-06T23:09:05Z")];
        const of = supersetBackupsOfPoints(dense, [dump("20261206231000-2"), dump("20261206230959-1")]).map((b) => b?.id);
        assert.deepEqual(of, ["20261206231000-2", "20261206230959-1"]);
        const fromBucket = dense.map((p) => ({ id: p.id, time: backupIdTime(p.id)! }));
        assert.deepEqual(supersetBackupsOfPoints(fromBucket, [dump("20261206231000-2"), dump("20261206230959-1")]).map((b) => b?.id), of);
    });

    it("reads dump folders from the bucket as IN_BUCKET, warning about others", () => {
        const { backups, warnings } = supersetBackupsFromFolders(["superset_backup/20260105100007-2222/", "superset_backup/tmp/"]);
        assert.deepEqual(backups, [{ id: "20260105100007-2222", state: "IN_BUCKET", time: at("2026-01-05T10:00:07Z") }]);
        assert.deepEqual(warnings, ["superset_backup/tmp/: skipped, not a Superset backup ID folder (YYYYMMDDhhmmss-<digits>)"]);
    });
});
