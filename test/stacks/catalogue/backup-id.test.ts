import assert from "assert/strict";
import { backupIdAt, backupIdExpected, backupIdFieldProblem, backupIdTime, backupIdTimes } from "../../../stacks/catalogue/backup-id";
import { readMetadataEntries } from "../../../stacks/catalogue/restore-points";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planRestore } from "../../../stacks/plan/restore";
import { minioConfig, source } from "../../support/stacks";
import { checkAgainstPreviousState } from "../../../stacks/plan/history";

const at = (iso: string) => new Date(iso);

describe("backup IDs", () => {
    const known: [id: string, time: string, why: string][] = [
        ["254811200", "2025-11-24T12:00:00Z", "FACTS.md: 2025, week 48, Monday 12:00"],
        ["254811140", "2025-11-24T11:40:00Z", "the manual's RonDB override"],
        ["250110000", "2025-12-29T00:00:00Z", "a 2025 date in ISO week 1 of 2026 (FACTS.md)"],
        ["255260400", "2025-12-27T04:00:00Z", "the Saturday before it, still week 52"],
        ["260140000", "2026-01-01T00:00:00Z", "New Year's Day 2026 is in week 1"],
        ["275352359", "2027-01-01T23:59:00Z", "2027-01-01 is in ISO week 53 of 2026"],
        ["215350000", "2021-01-01T00:00:00Z", "2021-01-01 is in ISO week 53 of 2020"],
        ["215240000", "2021-12-30T00:00:00Z", "week 52 of 2021 at the end of the year"],
        ["205340000", "2020-12-31T00:00:00Z", "2020 has 53 weeks"],
    ];
    for (const [id, time, why] of known) {
        it(`decodes ${id} as ${time} (${why})`, () => assert.equal(backupIdTime(id)?.toISOString(), at(time).toISOString()));
        it(`encodes ${time} as ${id}`, () => assert.equal(backupIdAt(at(time)), id));
    }

    it("orders across New Year by time, where the numeric order is wrong", () => {
        const ids = ["255260400", "250110000", "260140000"];
        const byTime = [...ids].sort((a, b) => backupIdTime(b)!.getTime() - backupIdTime(a)!.getTime());
        assert.deepEqual(byTime, ["260140000", "250110000", "255260400"]);
        assert.deepEqual([...ids].sort((a, b) => Number(b) - Number(a)), ["260140000", "255260400", "250110000"], "sort -nr misorders");
    });

    it("round-trips every hour of a year boundary", () => {
        for (let t = Date.UTC(2026, 11, 20); t < Date.UTC(2027, 0, 12); t += 3_600_000) {
            assert.equal(backupIdTime(backupIdAt(new Date(t)))?.getTime(), t);
        }
    });

    describe("ambiguous in the last days of December", () => {
        // 2023-01-01 and 2023-12-31 are both calendar year 23, ISO week 52, Sunday (FACTS.md).
        it("235270000 is both 2023-01-01 and 2023-12-31", () => {
            assert.deepEqual(backupIdTimes("235270000").map((t) => t.toISOString()), ["2023-01-01T00:00:00.000Z", "2023-12-31T00:00:00.000Z"]);
            assert.equal(backupIdAt(at("2023-01-01T00:00:00Z")), "235270000");
            assert.equal(backupIdAt(at("2023-12-31T00:00:00Z")), "235270000");
        });

        it("decodes to the candidate nearest to, and not after, the reference time", () => {
            const decode = (id: string, reference: string) => backupIdTime(id, at(reference))?.toISOString();
            assert.equal(decode("235270000", "2024-01-15T00:00:00Z"), "2023-12-31T00:00:00.000Z");
            assert.equal(decode("235270000", "2023-12-31T00:00:00Z"), "2023-12-31T00:00:00.000Z", "a reference equal to a candidate is not after it");
            assert.equal(decode("235270000", "2023-12-30T23:59:00Z"), "2023-01-01T00:00:00.000Z");
            assert.equal(decode("235270000", "2023-06-01T00:00:00Z"), "2023-01-01T00:00:00.000Z");
            // Wednesday of ISO week 1: 2025-01-01 (week 1 of 2025) and 2025-12-31 (week 1 of 2026).
            assert.equal(decode("250130000", "2026-01-02T00:00:00Z"), "2025-12-31T00:00:00.000Z");
            assert.equal(decode("250130000", "2025-03-01T00:00:00Z"), "2025-01-01T00:00:00.000Z");
            // Every candidate after the reference (a clock behind the backup's): the nearest one.
            assert.equal(decode("235270000", "2022-12-01T00:00:00Z"), "2023-01-01T00:00:00.000Z");
        });

        it("decodes against now by default: the backup of 2023-12-31 is not taken for one of a year earlier", () => {
            assert.equal(backupIdTime("235270000")?.toISOString(), "2023-12-31T00:00:00.000Z");
        });

        it("round-trips every hour around two ambiguous New Years, given the time itself as the reference", () => {
            for (const [from, to] of [[Date.UTC(2022, 11, 20), Date.UTC(2023, 0, 12)], [Date.UTC(2023, 11, 20), Date.UTC(2024, 0, 12)], [Date.UTC(2024, 11, 20), Date.UTC(2025, 0, 12)], [Date.UTC(2025, 11, 20), Date.UTC(2026, 0, 12)]]) {
                for (let t = from; t < to; t += 3_600_000) {
                    assert.equal(backupIdTime(backupIdAt(new Date(t)), new Date(t))?.getTime(), t, new Date(t).toISOString());
                }
            }
        });

        it("the catalogue decodes a metadata entry against its own end time, else against now", () => {
            const { entries } = readMetadataEntries(
                [
                    { name: "rondb-backups-metadata", service: "rondb", data: { "235270000": JSON.stringify({ state: "SUCCESS", end_time: "2023-12-31T00:09:00Z" }) } },
                    { name: "opensearch-backups-metadata", service: "opensearch", data: { "235270000": JSON.stringify({ state: "SUCCESS" }) } },
                ],
                at("2024-01-10T00:00:00Z"),
            );
            assert.deepEqual(entries.map((e) => [e.service, e.time.toISOString()]), [
                ["opensearch", "2023-12-31T00:00:00.000Z"],
                ["rondb", "2023-12-31T00:00:00.000Z"],
            ]);
            const early = readMetadataEntries([{ name: "rondb-backups-metadata", service: "rondb", data: { "235270000": JSON.stringify({ state: "SUCCESS" }) } }], at("2023-03-01T00:00:00Z"));
            assert.equal(early.entries[0].time.toISOString(), "2023-01-01T00:00:00.000Z", "then, 2023-12-31 had not come yet");
        });

        it("an in-place restore of the newest backup, taken 2023-12-31, is not refused as taken before a fresh install of 2023-06", () => {
            const config = readStackConfig(source({ ...minioConfig(), restore: { mode: "in-place", backupId: "235270000", backupHopsworksVersion: "4.8.0", forceDataClear: true, confirm: "test/235270000", latestVeleroBackups: true } }));
            const restore = planRestore(config)!;
            assert.equal(restore.backupTakenAt, "2023-12-31T00:00:00.000Z");
            assert.deepEqual(checkAgainstPreviousState(config, restore, { hopsworksInstalledAt: "2023-06-01T00:00:00.000Z", restoreHistory: [] }), []);
        });
    });

    for (const bad of ["25481120", "2548112000", "250010000", "255410000", "254801200", "254812400", "254811260", "25481120a", "275312000"]) {
        it(`refuses ${bad}`, () => assert.equal(backupIdTime(bad), undefined));
    }
});

describe("backup IDs: what is wrong with one that is not (issue 21, item 12)", () => {
    const cases: [id: string, problem: string | undefined][] = [
        ["254811200", undefined],
        ["256011200", "week 60 is not an ISO week (01 to 53)"],
        ["250011200", "week 00 is not an ISO week (01 to 53)"],
        ["254801200", "weekday 0 is not an ISO weekday (1 Monday to 7 Sunday)"],
        ["254882400", "weekday 8 is not an ISO weekday (1 Monday to 7 Sunday)"],
        ["254812400", "hour 24 is not an hour (00 to 23)"],
        ["254811260", "minute 60 is not a minute (00 to 59)"],
        ["215311200", "week 53, weekday 1 is no day of 2021"],
        ["25481120", "it is not 9 digits"],
        ["latest", "it is not 9 digits"],
    ];
    for (const [id, problem] of cases) {
        it(`${id}: ${problem ?? "an ID"}`, () => {
            assert.equal(backupIdFieldProblem(id), problem);
            assert.equal(backupIdExpected(id).endsWith(problem === undefined ? `such as "254811200"` : `; in this one, ${problem}`), true);
        });
    }
});
