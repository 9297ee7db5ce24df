import assert from "assert/strict";
import { LongStrings, WINDOW } from "../../../stacks/config/long-strings";

describe("long strings replaced in one pass (issue 18, item 13)", () => {
    const a = "a".repeat(WINDOW + 8);
    const b = `${a}bbbb`;

    it("replaces every occurrence, the longest pattern where two start at one place", () => {
        const strings = new LongStrings([[a, "<a>"], [b, "<b>"], [`"${a}"`, "<quoted a>"]]);
        assert.equal(strings.replace(`x ${b} y ${a} z "${a}" ${a}`), `x <b> y <a> z <quoted a> <a>`);
    });

    it("leaves a text without a pattern, a short text and an empty set alone", () => {
        assert.equal(new LongStrings([[a, "<a>"]]).replace(`${"a".repeat(WINDOW)}b`), `${"a".repeat(WINDOW)}b`);
        assert.equal(new LongStrings([[a, "<a>"]]).replace("short"), "short");
        assert.equal(new LongStrings([]).replace(a), a);
    });

    it("tells patterns apart that share their first characters", () => {
        const common = "p".repeat(WINDOW * 2);
        const patterns: [string, string][] = Array.from({ length: 50 }, (_, i) => [`${common}${i}!`, `<${i}>`]);
        assert.equal(new LongStrings(patterns).replace(`${common}7! and ${common}42!`), "<7> and <42>");
    });

    it("refuses a pattern shorter than its window", () => {
        assert.throws(() => new LongStrings([["short", "x"]]), /shorter than 32 characters/);
    });
});
