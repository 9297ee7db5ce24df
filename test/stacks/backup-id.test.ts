import assert from "assert/strict";
import { backupIdAt, backupIdTime } from "../../stacks/backup-id";

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

    for (const bad of ["25481120", "2548112000", "250010000", "255410000", "254801200", "254812400", "254811260", "25481120a", "275312000"]) {
        it(`refuses ${bad}`, () => assert.equal(backupIdTime(bad), undefined));
    }
});
