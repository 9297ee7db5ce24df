import * as assert from "assert";
import { backupHealth, scheduleIntervalMs } from "../../../stacks/catalogue/health";
import { MetadataConfigMap, readMetadataEntries, restorePoints } from "../../../stacks/catalogue/restore-points";
import { formatDuration, SCHEDULE_MACROS } from "../../../stacks/catalogue/schedule";
import { at, fixture, ok, velero } from "../../support/catalogue";

describe("catalogue: backup health", () => {
    it("takes the recovery point objective from the schedule's interval", () => {
        const now = new Date("2026-01-06T12:00:00Z");
        assert.strictEqual(scheduleIntervalMs("@weekly", now), 7 * 86_400_000);
        assert.strictEqual(scheduleIntervalMs("@daily", now), 86_400_000);
        assert.strictEqual(scheduleIntervalMs("0 */6 * * *", now), 6 * 3_600_000);
        assert.strictEqual(scheduleIntervalMs("@midnight", now), 86_400_000);
        assert.strictEqual(formatDuration(8 * 86_400_000 + 2 * 3_600_000 + 59_000), "8d 2h");
        assert.strictEqual(formatDuration(3_600_000 * 3 + 5 * 60_000), "3h 5m");
    });

    function health(times: string[], now: string, tweak: (f: ReturnType<typeof fixture>) => void = () => {}) {
        const f = fixture(times);
        tweak(f);
        const { entries } = readMetadataEntries(f.configMaps);
        const points = restorePoints(entries, f.veleroBackups);
        return backupHealth({
            now: new Date(now),
            schedule: "0 10 * * 1",
            location: { name: "hopsworks-bsl", phase: "Available", lastSynced: new Date(now) },
            entries,
            veleroBackups: f.veleroBackups,
            points,
        });
    }

    it("is healthy while every service's newest backup is within interval plus grace", () => {
        const result = health(["2025-12-29T10:00:00Z", "2026-01-05T10:00:00Z"], "2026-01-12T10:59:00Z");
        assert.deepStrictEqual(result.problems, []);
        assert.strictEqual(result.newestComplete?.id, "260211000");
    });

    it("reports each overdue service and the location, one line each", () => {
        const result = health(["2025-12-29T10:00:00Z"], "2026-01-06T12:00:00Z", (f) => {
            f.configMaps[1].data = {};
        });
        assert.deepStrictEqual(result.problems, [
            "rondb: newest successful backup 250111000 started 8d 2h ago (it records no completion time), more than the schedule's interval 7d (0 10 * * 1) plus 1h grace",
            "opensearch: no successful backup",
            "velero main: newest successful backup k8s-backups-main-20251229100100 started 8d 1h ago (it records no completion time), more than the schedule's interval 7d (0 10 * * 1) plus 1h grace",
            "velero users: newest successful backup k8s-backups-users-resources-20251229100100 started 8d 1h ago (it records no completion time), more than the schedule's interval 7d (0 10 * * 1) plus 1h grace",
        ]);
        const unavailable = backupHealth({
            now: new Date("2026-01-06T12:00:00Z"), schedule: "@weekly", location: { name: "hopsworks-bsl", phase: "Unavailable" },
            entries: [], veleroBackups: [], points: [],
        });
        assert.deepStrictEqual(unavailable.problems.slice(0, 2), [
            "location hopsworks-bsl: phase is Unavailable, not Available",
            "location hopsworks-bsl: has never synced backups from the bucket",
        ]);
    });

    it("reports the partial case: every service recent, but no recent complete restore point", () => {
        // RonDB and Velero ran on the 5th, OpenSearch only on the 4th: each is on time, none lines up.
        const result = health(["2025-12-22T10:00:00Z", "2026-01-05T10:00:00Z"], "2026-01-06T12:00:00Z", (f) => {
            const data = f.configMaps[1].data;
            delete data["260211000"];
            data[at("2026-01-04T10:00:00Z")] = ok();
        });
        assert.deepStrictEqual(result.problems, [
            "complete restore point: newest successful backup 255211000 started 15d 2h ago (it records no completion time), more than the schedule's interval 7d (0 10 * * 1) plus 1h grace",
            "newest restore point 260211000 is partial: no opensearch backup",
        ]);
    });

    it("has an interval for every macro the config accepts (cron-parser alone has no @midnight)", () => {
        const now = new Date("2026-01-06T12:00:00Z");
        const day = 86_400_000;
        const expected: Record<string, number> = {
            "@yearly": 365 * day, "@annually": 365 * day, "@monthly": 31 * day, "@weekly": 7 * day,
            "@daily": day, "@midnight": day, "@hourly": 3_600_000,
        };
        assert.deepStrictEqual(Object.keys(expected), SCHEDULE_MACROS);
        for (const macro of SCHEDULE_MACROS) assert.strictEqual(scheduleIntervalMs(macro, now), expected[macro], macro);
    });

    /**
     * A weekly backup (Mondays 10:00) that takes 3 hours: the previous one ran 2025-12-29 10:00 to
     * 13:00, the next started 2026-01-05 10:00 and is still running at 11:30.
     */
    function longBackups(now: string, runningPhase = "InProgress") {
        const done = { start_time: "2025-12-29T10:00:00Z", end_time: "2025-12-29T13:00:00Z", state: "SUCCESS" };
        const configMaps: MetadataConfigMap[] = (["rondb", "opensearch"] as const).map((service) => ({
            name: `${service}-backups-metadata`,
            service,
            data: { "250111000": JSON.stringify(done), "260211000": JSON.stringify({ start_time: "2026-01-05T10:00:00Z", state: "RUNNING" }) },
        }));
        const veleroBackups = (["main", "users"] as const).flatMap((key) => [
            { ...velero(key, "2025-12-29T10:00:10Z"), completed: new Date("2025-12-29T12:59:00Z") },
            { ...velero(key, "2026-01-05T10:00:10Z", runningPhase) },
        ]);
        const { entries } = readMetadataEntries(configMaps);
        const points = restorePoints(entries, veleroBackups);
        return backupHealth({
            now: new Date(now), schedule: "0 10 * * 1", location: { name: "hopsworks-bsl", phase: "Available", lastSynced: new Date(now) },
            entries, veleroBackups, points,
        });
    }

    it("counts a backup's age from its completion: a backup longer than the grace is not overdue while the next one runs", () => {
        // From its start, the previous backup would be 7d 1h 30m old, past 7d plus 1h grace.
        const result = longBackups("2026-01-05T11:30:00Z");
        assert.deepStrictEqual(result.problems, []);
        assert.deepStrictEqual(result.services.map((s) => [s.service, s.newest, s.basis, s.time?.toISOString(), s.running?.name]), [
            ["rondb", "250111000", "completed", "2025-12-29T13:00:00.000Z", "260211000"],
            ["opensearch", "250111000", "completed", "2025-12-29T13:00:00.000Z", "260211000"],
            ["velero main", "k8s-backups-main-20251229100010", "completed", "2025-12-29T12:59:00.000Z", "k8s-backups-main-20260105100010"],
            ["velero users", "k8s-backups-users-resources-20251229100010", "completed", "2025-12-29T12:59:00.000Z", "k8s-backups-users-resources-20260105100010"],
        ]);
        // The restore point completes with its last backup.
        assert.strictEqual(result.newestComplete?.completed?.toISOString(), "2025-12-29T13:00:00.000Z");
    });

    it("still finds a backup overdue once the previous one completed more than interval plus grace ago, naming the running one", () => {
        const result = longBackups("2026-01-05T14:30:00Z");
        assert.strictEqual(result.problems[0],
            "rondb: newest successful backup 250111000 completed 7d 1h ago, more than the schedule's interval 7d (0 10 * * 1) plus 1h grace; " +
                "260211000 is running, started 4h 30m ago");
        assert.strictEqual(result.problems.length, 4);
    });
});

describe("catalogue: Superset's backups in the health (Hopsworks 5.2)", () => {
    const now = new Date("2026-01-20T12:00:00Z");
    const judge = (supersetBackups?: { id: string; state: string; time: Date; completed?: Date }[]) =>
        backupHealth({ now, schedule: "0 10 * * 1", location: { name: "hopsworks-bsl", phase: "Available", lastSynced: now }, entries: [], veleroBackups: [], points: [], supersetBackups });

    it("is not judged before 5.2 (no Superset backups given)", () => {
        assert.ok(!judge().services.some((s) => s.service === "superset"));
    });

    it("judges the newest successful dump by its completion, as RonDB's, and names a newer one still running", () => {
        const h = judge([
            { id: "20260105100007-2", state: "SUCCESS", time: new Date("2026-01-05T10:00:07Z"), completed: new Date("2026-01-05T10:00:37Z") },
            { id: "20260112100007-3", state: "FAILED", time: new Date("2026-01-12T10:00:07Z") },
            { id: "20260119100007-4", state: "RUNNING", time: new Date("2026-01-19T10:00:07Z") },
        ]);
        const superset = h.services.find((s) => s.service === "superset")!;
        assert.deepStrictEqual([superset.newest, superset.onTime, superset.running?.name], ["20260105100007-2", false, "20260119100007-4"]);
        assert.ok(h.problems.includes(
            "superset: newest successful backup 20260105100007-2 completed 15d 1h ago, more than the schedule's interval 7d (0 10 * * 1) plus 1h grace; " +
                "20260119100007-4 is running, started 1d 1h ago",
        ), h.problems.join("\n"));
    });

    it("reports a 5.2 cluster with no Superset backup at all", () => {
        assert.ok(judge([]).problems.includes("superset: no successful backup"));
    });
});
