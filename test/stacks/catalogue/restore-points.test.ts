import * as assert from "assert";
import { backupIdTime } from "../../../stacks/catalogue/backup-id";
import { closestPoint, incompleteReasons, MetadataConfigMap, readMetadataEntries, RestorePoint, restorePoints, VELERO_MATCH_WINDOW } from "../../../stacks/catalogue/restore-points";
import { at, fixture, ok, velero } from "../../support/catalogue";

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
            "configmap opensearch-backups-metadata, entry 255099900: skipped, the key is not a backup ID (date +%y%V%u%H%M): weekday 9 is not an ISO weekday (1 Monday to 7 Sunday)",
            "configmap opensearch-backups-metadata, entry latest: skipped, the key is not a backup ID (date +%y%V%u%H%M): it is not 9 digits",
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

describe("closestPoint: the pairing by binary search", () => {
    /** The rule by brute force: every point, the closest by its minute's middle, within the window of the minute, the first on a tie. */
    function bruteForce(points: RestorePoint[], started: number): RestorePoint | undefined {
        let best: RestorePoint | undefined;
        let bestDistance = Infinity;
        for (const point of points) {
            const offset = started - point.time.getTime();
            if (offset < -VELERO_MATCH_WINDOW.beforeMs || offset > VELERO_MATCH_WINDOW.afterMs) continue;
            const distance = Math.abs(offset - 30_000);
            if (distance < bestDistance) [best, bestDistance] = [point, distance];
        }
        return best;
    }

    it("picks what comparing with every point picks: equal times, ties between two sides, the window's edges, no point at all", () => {
        // A fixed pseudo-random sequence, so a failure is reproducible.
        let seed = 42;
        const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
        const minute = 60_000;
        for (let round = 0; round < 200; round++) {
            const times = Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() * 48) * 30 * minute);
            const points: RestorePoint[] = times
                .map((t, i) => ({ id: String(250000000 + i), time: new Date(Date.UTC(2025, 0, 1) + t), velero: {}, complete: false }))
                .sort((a, b) => b.time.getTime() - a.time.getTime() || b.id.localeCompare(a.id));
            for (let probe = 0; probe < 30; probe++) {
                // Whole and half minutes: a tie between two points' middles happens.
                const started = Date.UTC(2025, 0, 1) + Math.floor(random() * 120 * 60) * (minute / 2) - 6 * 60 * minute;
                assert.strictEqual(closestPoint(points, started), bruteForce(points, started), `round ${round}, probe ${probe}`);
            }
            for (const point of points) {
                for (const edge of [-VELERO_MATCH_WINDOW.beforeMs, VELERO_MATCH_WINDOW.afterMs, -VELERO_MATCH_WINDOW.beforeMs - 1, VELERO_MATCH_WINDOW.afterMs + 1]) {
                    const started = point.time.getTime() + edge;
                    assert.strictEqual(closestPoint(points, started), bruteForce(points, started));
                }
            }
        }
    });

    it("gives a backup started late in a point's minute to that point, not to the next minute's", () => {
        const minute = (iso: string) => ({ id: iso, time: new Date(iso), velero: {}, complete: false }) as RestorePoint;
        const points = [minute("2026-12-06T23:10:00Z"), minute("2026-12-06T23:09:00Z")];
        assert.strictEqual(closestPoint(points, Date.parse("2026-12-06T23:09:59Z")), points[1]);
        assert.strictEqual(closestPoint(points, Date.parse("2026-12-06T23:10:00Z")), points[0]);
        assert.strictEqual(closestPoint(points, Date.parse("2026-12-06T23:08:31Z")), points[1]);
    });
});
