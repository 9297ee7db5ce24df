import assert from "assert/strict";
import { scheduleCron, scheduleLongestIntervalMs, scheduleProblem, SCHEDULE_MACROS } from "../../../stacks/catalogue/schedule";
import { ttlDays } from "../../../stacks/config/ttl";

describe("backup schedule", () => {
    for (const ok of [...SCHEDULE_MACROS, "0 3 * * 0", "*/30 * * * *", "0 0 * * MON", "0 3 ? * sun-sat", "5/15 1-5/2 1,15 JAN-mar *"]) {
        it(`accepts ${ok}`, () => assert.equal(scheduleProblem(ok), undefined));
    }
    for (const bad of ["@every 1h", "0 3 * *", "0 0 3 * * 0", "weekly", ""]) {
        it(`refuses ${JSON.stringify(bad)}`, () => assert.match(scheduleProblem(bad) ?? "", /must be a 5-field cron expression/));
    }
    // Five fields, so the reason is the field at fault, not the shape.
    const reasons: [string, string][] = [
        ["61 25 * * *", "minute 61 is outside 0-59; hour 25 is outside 0-23"],
        ["61 * * * *", "minute 61 is outside 0-59"],
        ["0 0 32 * *", "day-of-month 32 is outside 1-31"],
        ["0 0 * 13 *", "month 13 is outside 1-12"],
        ["0 0 * * 7", "day-of-week 7 is outside 0-6 (Sunday is 0: Kubernetes CronJobs refuse 7)"],
        ["0 0 * * FUN", `day-of-week "FUN" is not a number or SUN-SAT`],
        ["*/0 * * * *", `minute step "0" must be a whole number of at least 1`],
        ["0 5-1 * * *", "hour range 5-1 runs backwards"],
        ["0 3 L * *", `day-of-month "L" is not a number`],
        ["0 3 * * 5#2", `day-of-week "5#2" is not a number or SUN-SAT`],
        ["0 0 30 2 *", "never runs: Invalid explicit day of month definition"],
    ];
    for (const [bad, reason] of reasons) {
        it(`refuses ${JSON.stringify(bad)}: ${reason}`, () => assert.equal(scheduleProblem(bad), reason));
    }
    it("finds the longest interval between two runs: a month of 31 days, a weekend, a leap year, a leap day", () => {
        const hours = (schedule: string) => scheduleLongestIntervalMs(schedule) / 3_600_000;
        assert.equal(hours("@hourly"), 1);
        assert.equal(hours("@weekly"), 168);
        assert.equal(hours("@monthly"), 31 * 24);
        assert.equal(hours("0 3 * * 1-5"), 72);
        assert.equal(hours("@yearly"), 366 * 24);
        assert.equal(hours("0 0 29 2 *"), (3 * 365 + 366) * 24);
        assert.equal(hours("*/10 * * * *"), 1 / 6);
    });
    it("finds it however often a schedule runs before its longest pause, and reads the day fields as CronJobs do", () => {
        const days = (schedule: string) => scheduleLongestIntervalMs(schedule) / 86_400_000;
        // Every minute of January: 44,640 runs, then from Jan 31 23:59 to Jan 1 00:00, 335 days and a minute after a leap February.
        assert.equal(days("* * * 1 *"), 335 + 1 / 1440);
        // Day 13 or a Friday (both restricted): never more than 7 days; day 13 alone, the 13th of each month.
        assert.equal(days("0 3 13 * 5"), 7);
        assert.equal(days("0 3 13 * *"), 31);
        // A stepped day of month is a restriction too: odd days or Sundays, so at most 2 days apart.
        assert.equal(days("0 0 */2 * 0"), 2);
        // Names and lists: weekdays at 06:00 and 18:00.
        assert.equal(days("0 6,18 * * MON-FRI"), 2.5);
    });
    it("expands every macro for cron-parser, which has no @midnight", () => {
        assert.deepEqual(SCHEDULE_MACROS.map(scheduleCron), ["0 0 1 1 *", "0 0 1 1 *", "0 0 1 * *", "0 0 * * 0", "0 0 * * *", "0 0 * * *", "0 * * * *"]);
        assert.equal(scheduleCron(" 0 3 * * 0 "), "0 3 * * 0");
    });
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
