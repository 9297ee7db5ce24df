import * as assert from "assert";
import {
    bucketRestorePoints,
    IN_BUCKET,
    rondbEntriesFromFolders,
    veleroBackupFromJson,
    veleroBackupFromName,
    veleroBackupNames,
    veleroNamesToRead,
} from "../../../stacks/catalogue/bucket-layout";
import { MetadataConfigMap, readMetadataEntries, RestorePoint, restorePoints } from "../../../stacks/catalogue/restore-points";
import { at, fixture, ok, velero, veleroBackupJson } from "../../support/catalogue";

const NOW = new Date("2026-01-10T00:00:00Z");

describe("bucket layout", () => {
    it("reads RonDB backup IDs from the rondb_backup/ folders, decoding each ID's time, and warns of other folders", () => {
        const { entries, warnings } = rondbEntriesFromFolders(["rondb_backup/254811200/", "rondb_backup/latest/", "rondb_backup/250111000/"], NOW);
        assert.deepStrictEqual(entries.map((e) => [e.id, e.service, e.state, e.time.toISOString()]), [
            ["254811200", "rondb", IN_BUCKET, "2025-11-24T12:00:00.000Z"],
            ["250111000", "rondb", IN_BUCKET, "2025-12-29T10:00:00.000Z"],
        ]);
        assert.deepStrictEqual(warnings, ["rondb_backup/latest/: skipped, not a backup ID folder (date +%y%V%u%H%M)"]);
    });

    it("reads a velero-backup.json's schedule label, location, phase and times", () => {
        const text = veleroBackupJson("k8s-backups-main-20251124120012", "k8s-backups-main", "2025-11-24T12:00:12Z", "PartiallyFailed");
        assert.deepStrictEqual(veleroBackupFromJson("k8s-backups-main-20251124120012", text), {
            backup: {
                name: "k8s-backups-main-20251124120012",
                schedule: "k8s-backups-main",
                storageLocation: "hopsworks-bsl",
                phase: "PartiallyFailed",
                started: new Date("2025-11-24T12:00:12Z"),
                completed: new Date("2025-11-24T12:00:57Z"),
            },
        });
        assert.deepStrictEqual(veleroBackupFromJson("x", "{oops"), { warning: "k8s_backup/backups/x/velero-backup.json: not valid JSON; its backup is shown by its name only" });
        assert.deepStrictEqual(veleroBackupFromJson("x", "{}"), { warning: "k8s_backup/backups/x/velero-backup.json: not a Velero Backup (kind null); its backup is shown by its name only" });
    });

    it("knows a backup by its folder's name alone: schedule and time from the name, no phase", () => {
        assert.deepStrictEqual(veleroBackupNames(["k8s_backup/backups/k8s-backups-main-20251124120012/", "k8s_backup/backups/"]), ["k8s-backups-main-20251124120012"]);
        assert.deepStrictEqual(veleroBackupFromName("k8s-backups-users-resources-20251124120013"), {
            name: "k8s-backups-users-resources-20251124120013",
            schedule: "k8s-backups-users-resources",
            storageLocation: "hopsworks-bsl",
            started: new Date("2025-11-24T12:00:13Z"),
        });
        assert.strictEqual(veleroBackupFromName("manual-backup-1"), undefined);
    });

    it("pairs the bucket's backups into the same restore points, newest first, as the cluster catalogue pairs them", () => {
        const times = ["2025-12-22T10:00:00Z", "2025-12-29T10:00:00Z", "2026-01-05T10:00:00Z"];
        const { configMaps, veleroBackups } = fixture(times);
        const cluster = restorePoints(readMetadataEntries(configMaps, NOW).entries, veleroBackups);
        const ids = Object.keys(configMaps[0].data);
        const { entries } = rondbEntriesFromFolders(ids.map((id) => `rondb_backup/${id}/`), NOW);
        const fromJson = veleroBackups.map((b) => veleroBackupFromJson(b.name, veleroBackupJson(b.name, b.schedule, b.started!.toISOString())).backup!);
        const points = bucketRestorePoints(entries, fromJson);
        assert.deepStrictEqual(points.map((p) => p.id), ["260211000", "250111000", "255211000"]);
        assert.deepStrictEqual(points.map((p) => [p.velero.main?.name, p.velero.users?.name]), cluster.map((p) => [p.velero.main?.name, p.velero.users?.name]));
        assert.deepStrictEqual(points.map((p) => [p.rondb, p.opensearch, p.complete]), times.map(() => [IN_BUCKET, undefined, true]));
    });

    it("pairs points a minute apart as the cluster does: a backup started within a point's minute is that point's", () => {
        // The drill's failure: RonDB 23:09:05 and 23:10:00.5; Velero's main backup started 23:09:40,
        // nearer the second RonDB start, and the bucket knows only the IDs' minutes.
        const [first, second] = [at("2026-12-06T23:09:05Z"), at("2026-12-06T23:10:00Z")];
        const configMaps: MetadataConfigMap[] = (["rondb", "opensearch"] as const).map((service) => ({
            name: `${service}-backups-metadata`, service,
            data: { [first]: ok("2026-12-06T23:09:05Z"), [second]: ok("2026-12-06T23:10:00.500Z") },
        }));
        const backups = [velero("main", "2026-12-06T23:09:40Z"), velero("users", "2026-12-06T23:09:41Z"), velero("main", "2026-12-06T23:10:01Z"), velero("users", "2026-12-06T23:10:59Z")];
        const cluster = restorePoints(readMetadataEntries(configMaps, NOW).entries, backups);
        const { entries } = rondbEntriesFromFolders([first, second].map((id) => `rondb_backup/${id}/`), NOW);
        const bucket = bucketRestorePoints(entries, backups.map((b) => veleroBackupFromName(b.name)!));
        const pairs = (points: RestorePoint[]) => points.map((p) => [p.id, p.velero.main?.name, p.velero.users?.name]);
        assert.deepStrictEqual(pairs(cluster), [
            [second, "k8s-backups-main-20261206231001", "k8s-backups-users-resources-20261206231059"],
            [first, "k8s-backups-main-20261206230940", "k8s-backups-users-resources-20261206230941"],
        ]);
        assert.deepStrictEqual(pairs(bucket), pairs(cluster));
    });

    it("is not complete without both Velero backups Completed, or with a backup known only by its name", () => {
        const { entries } = rondbEntriesFromFolders(["rondb_backup/254811200/"], NOW);
        const main = veleroBackupFromJson("k8s-backups-main-20251124120012", veleroBackupJson("k8s-backups-main-20251124120012", "k8s-backups-main", "2025-11-24T12:00:12Z")).backup!;
        const users = veleroBackupFromName("k8s-backups-users-resources-20251124120013")!;
        const [point] = bucketRestorePoints(entries, [main, users]);
        assert.deepStrictEqual([point.velero.main?.name, point.velero.users?.name, point.complete], [main.name, users.name, false]);
        const failed = veleroBackupFromJson(users.name, veleroBackupJson(users.name, users.schedule, "2025-11-24T12:00:13Z", "Failed")).backup!;
        assert.strictEqual(bucketRestorePoints(entries, [main, failed])[0].complete, false);
    });

    it("reads the velero-backup.json of the backups that may pair with the points in scope only", () => {
        const times = ["2025-12-22T10:00:00Z", "2025-12-29T10:00:00Z", "2026-01-05T10:00:00Z"];
        const { configMaps, veleroBackups } = fixture(times);
        const { entries } = rondbEntriesFromFolders(Object.keys(configMaps[0].data).map((id) => `rondb_backup/${id}/`), NOW);
        const byName = veleroBackups.map((b) => veleroBackupFromName(b.name)!);
        const points = bucketRestorePoints(entries, byName);
        assert.deepStrictEqual([...veleroNamesToRead(points, byName, { newest: 2 })].sort(), [
            "k8s-backups-main-20251229100100", "k8s-backups-main-20260105100100",
            "k8s-backups-users-resources-20251229100100", "k8s-backups-users-resources-20260105100100",
        ]);
        assert.deepStrictEqual([...veleroNamesToRead(points, byName, { id: "255211000" })].sort(), ["k8s-backups-main-20251222100100", "k8s-backups-users-resources-20251222100100"]);
        assert.strictEqual(veleroNamesToRead(points, byName, { newest: Infinity }).size, 6);
        assert.strictEqual(veleroNamesToRead(points, byName, { id: "254811200" }).size, 0);
    });
});
