import assert from "assert/strict";
import { scheduleProblem } from "../../stacks/schedule";
import { ttlDays } from "../../stacks/ttl";

describe("backup schedule", () => {
    for (const ok of ["@weekly", "@daily", "@hourly", "0 3 * * 0", "*/30 * * * *", "0 0 * * MON"]) {
        it(`accepts ${ok}`, () => assert.equal(scheduleProblem(ok), undefined));
    }
    for (const bad of ["@every 1h", "0 3 * *", "0 0 3 * * 0", "61 * * * *", "weekly", ""]) {
        it(`refuses ${JSON.stringify(bad)}`, () => assert.match(scheduleProblem(bad) ?? "", /must be a 5-field cron expression/));
    }
});

describe("backup ttl", () => {
    it("counts days, and hours rounded up to days", () => {
        assert.equal(ttlDays("60d"), 60);
        assert.equal(ttlDays("720h"), 30);
        assert.equal(ttlDays("721h"), 31);
        assert.equal(ttlDays("1h"), 1);
    });
    it("refuses what the chart's pattern refuses, and zero", () => {
        for (const bad of ["60", "8w", "1.5d", "0d", "d", " 60d"]) assert.equal(ttlDays(bad), undefined, bad);
    });
});
