import assert from "assert/strict";
import { ownValue, prototypeKeyPaths, setOwn } from "../../../stacks/config/own-keys";

describe("own keys (issue 18, item 1)", () => {
    it("finds every prototype key by its path, in maps and lists, and nothing else", () => {
        const tree = JSON.parse('{"__proto__": {"a": 1}, "x": [{"constructor": 1}, {"y": {"prototype": 2, "proto": 3}}], "z": "__proto__"}');
        assert.deepEqual(prototypeKeyPaths(tree), ["__proto__", "x[0].constructor", "x[1].y.prototype"]);
        assert.deepEqual(prototypeKeyPaths({ a: { b: [1, "constructor"] } }), []);
    });

    it("sets __proto__ as an own key, leaving the prototype alone", () => {
        const target: Record<string, unknown> = {};
        setOwn(target, "__proto__", { restore: true });
        assert.equal(Object.getPrototypeOf(target), Object.prototype);
        assert.equal(target.restore, undefined);
        assert.deepEqual(ownValue(target, "__proto__"), { restore: true });
        assert.equal(ownValue({}, "constructor"), undefined);
    });
});
