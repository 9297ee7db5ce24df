import * as assert from "assert";

describe("backups list --json, written in chunks", () => {
    it("writes exactly JSON.stringify(items, null, 2) and a newline, for no item, one, and more than a chunk", async () => {
        const { writeJsonArray } = await import("../../../cli/commands/backups-list");
        const point = (i: number) => ({ id: String(250000000 + i), velero: { main: i % 3 ? null : { name: `k8s-backups-main-${i}` } }, tags: [], nested: {}, complete: i % 2 === 0 });
        for (const count of [0, 1, 499, 500, 501, 1234]) {
            const items = Array.from({ length: count }, (_, i) => point(i));
            const chunks: string[] = [];
            // Each chunk only once the last was taken: the writer waits for stdout between them.
            let waits = 0;
            const drained = async () => {
                waits++;
                assert.strictEqual(chunks.length, waits, "a chunk written, then a wait");
            };
            await writeJsonArray(items.map((item) => () => item), (text) => chunks.push(text), drained);
            assert.strictEqual(chunks.join(""), `${JSON.stringify(items, null, 2)}\n`, `${count} items`);
            assert.strictEqual(chunks.length, Math.max(1, Math.ceil(count / 500)), `${count} items in chunks of 500`);
            assert.strictEqual(waits, Math.ceil(count / 500), `${count} items: a wait after each chunk`);
        }
    });
});
