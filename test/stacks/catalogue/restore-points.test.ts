import * as assert from "assert";
import { backupIdAt, backupIdTime } from "../../../stacks/catalogue/backup-id";
import { SCHEDULE_MACROS } from "../../../stacks/catalogue/schedule";
import {
    backupHealth,
    formatDuration,
    incompleteReasons,
    MetadataConfigMap,
    readMetadataEntries,
    restorePoints,
    scheduleIntervalMs,
    VeleroBackup,
} from "../../../stacks/catalogue/restore-points";

const ok = (start?: string) => JSON.stringify({ state: "SUCCESS", ...(start ? { start_time: start } : {}) });
const at = (iso: string) => backupIdAt(new Date(iso));

function velero(schedule: "main" | "users", iso: string, phase = "Completed", location = "hopsworks-bsl"): VeleroBackup {
    const full = schedule === "main" ? "k8s-backups-main" : "k8s-backups-users-resources";
    return { name: `${full}-${iso.replace(/\D/g, "").slice(0, 14)}`, schedule: full, storageLocation: location, phase, started: new Date(iso) };
}

/** Both services succeeded, and both Velero schedules completed a minute later, at each time. */
function fixture(times: string[]) {
    const data = Object.fromEntries(times.map((t) => [at(t), ok()]));
    const configMaps: MetadataConfigMap[] = [
        { name: "rondb-backups-metadata", service: "rondb", data },
        { name: "opensearch-backups-metadata", service: "opensearch", data: { ...data } },
    ];
    const veleroBackups = times.flatMap((t) => {
        const later = new Date(Date.parse(t) + 60_000).toISOString();
        return [velero("main", later), velero("users", later)];
    });
    return { configMaps, veleroBackups };
}

describe("catalogue", () => {
    it("orders restore points by time across New Year, where the numeric IDs misorder", () => {
        const times = ["2025-12-22T10:00:00Z", "2025-12-29T10:00:00Z", "2026-01-05T10:00:00Z"];
        const { configMaps, veleroBackups } = fixture(times);
        const { entries, warnings } = readMetadataEntries(configMaps);
        assert.deepStrictEqual(warnings, []);
        const points = restorePoints(entries, veleroBackups);
        assert.deepStrictEqual(points.map((p) => p.id), ["260211000", "250111000", "255211000"]);
        // `sort -nr`, as the manual does, would put 2025-12-22 first.
        assert.deepStrictEqual(points.map((p) => p.id).sort().reverse(), ["260211000", "255211000", "250111000"]);
        assert.strictEqual(backupIdTime("250111000")?.toISOString(), "2025-12-29T10:00:00.000Z");
        assert.ok(points.every((p) => p.complete));
    });

    it("reads every rotated ConfigMap and keeps the successful entry of an ID seen twice", () => {
        const configMaps: MetadataConfigMap[] = [
            { name: "rondb-backups-metadata-2", service: "rondb", data: { "254811200": ok("2025-11-24T12:00:30Z") } },
            { name: "rondb-backups-metadata", service: "rondb", data: { "255011200": JSON.stringify({ state: "FAILED" }) } },
            { name: "rondb-backups-metadata-1", service: "rondb", data: { "254911200": ok(), "255011200": ok() } },
        ];
        const { entries } = readMetadataEntries(configMaps);
        const byId = Object.fromEntries(entries.map((e) => [e.id, [e.state, e.configMap, e.time.toISOString()]]));
        assert.deepStrictEqual(byId, {
            "254811200": ["SUCCESS", "rondb-backups-metadata-2", "2025-11-24T12:00:30.000Z"],
            "254911200": ["SUCCESS", "rondb-backups-metadata-1", "2025-12-01T12:00:00.000Z"],
            "255011200": ["SUCCESS", "rondb-backups-metadata-1", "2025-12-08T12:00:00.000Z"],
        });
    });

    it("skips malformed entries with one warning each, keeping the rest", () => {
        const { entries, warnings } = readMetadataEntries([
            {
                name: "opensearch-backups-metadata",
                service: "opensearch",
                data: { "254811200": "{oops", "254911200": JSON.stringify({ state: "MAYBE" }), latest: ok(), "255011200": ok(), "255099900": ok() },
            },
        ]);
        assert.deepStrictEqual(entries.map((e) => e.id), ["255011200"]);
        assert.deepStrictEqual(warnings, [
            "configmap opensearch-backups-metadata, entry 254811200: skipped, not valid JSON",
            `configmap opensearch-backups-metadata, entry 254911200: skipped, unknown state "MAYBE" (known: SUCCESS, FAILED, RUNNING, IN_PROGRESS)`,
            "configmap opensearch-backups-metadata, entry 255099900: skipped, the key is not a backup ID (date +%y%V%u%H%M)",
            "configmap opensearch-backups-metadata, entry latest: skipped, the key is not a backup ID (date +%y%V%u%H%M)",
        ]);
    });

    it("matches Velero backups by time within the window, preferring Completed, and judges completeness", () => {
        const id = at("2025-12-29T10:00:00Z");
        const { entries } = readMetadataEntries([
            { name: "rondb-backups-metadata", service: "rondb", data: { [id]: ok() } },
            { name: "opensearch-backups-metadata", service: "opensearch", data: { [id]: JSON.stringify({ state: "FAILED" }) } },
        ]);
        const points = restorePoints(entries, [
            velero("main", "2025-12-29T10:00:30Z", "Failed"),
            velero("main", "2025-12-29T10:20:00Z"),
            velero("users", "2025-12-29T17:00:00Z"), // 7 hours after: outside the window
            velero("users", "2025-12-29T10:00:10Z", "Completed", "default"), // another location
        ]);
        assert.strictEqual(points.length, 1);
        assert.strictEqual(points[0].velero.main?.name, "k8s-backups-main-20251229102000");
        assert.strictEqual(points[0].velero.users, undefined);
        assert.strictEqual(points[0].complete, false);
        assert.deepStrictEqual(incompleteReasons(points[0]), ["opensearch FAILED", "no Velero users backup"]);
    });

    it("gives each Velero backup to one point only, the closest", () => {
        const { configMaps } = fixture(["2025-12-29T10:00:00Z", "2025-12-29T11:00:00Z"]);
        const { entries } = readMetadataEntries(configMaps);
        const points = restorePoints(entries, [velero("main", "2025-12-29T10:50:00Z")]);
        assert.deepStrictEqual(points.map((p) => [p.id, p.velero.main?.name ?? null]), [
            ["250111100", "k8s-backups-main-20251229105000"],
            ["250111000", null],
        ]);
    });

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

    it("takes end_time, else start_time plus duration_ms, as an entry's completion", () => {
        const { entries } = readMetadataEntries([{
            name: "rondb-backups-metadata", service: "rondb",
            data: {
                "250111000": JSON.stringify({ state: "SUCCESS", start_time: "2025-12-29T10:00:00Z", duration_ms: 5_400_000 }),
                "255211000": JSON.stringify({ state: "SUCCESS", start_time: 1766397600, end_time: 1766401200 }),
                "255111000": JSON.stringify({ state: "SUCCESS" }),
            },
        }]);
        assert.deepStrictEqual(Object.fromEntries(entries.map((e) => [e.id, e.completed?.toISOString() ?? null])), {
            "250111000": "2025-12-29T11:30:00.000Z",
            "255211000": "2025-12-22T11:00:00.000Z",
            "255111000": null,
        });
    });
});
