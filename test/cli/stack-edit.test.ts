import * as assert from "assert";
import { FlowStyleConfigError, hasConfigKey, setConfigKey } from "../../cli/stack-edit";

const KEY = "hopsworks-dr:restore";
const BLOCK = { mode: "in-place", backupId: "255211000", veleroBackups: { main: "k8s-backups-main-1", users: "k8s-backups-users-resources-1" } };

const FILE = `config:
  hopsworks-dr:backup:
    schedule: "0 10 * * 1"   # Mondays
  hopsworks-dr:restore:
    # Chosen in the incident call.
    mode: new-cluster
    backupId: "250111000"   # the last good one
    veleroBackups:
      # from backups list
      main: k8s-backups-main-0
      users: k8s-backups-users-resources-0
    # the restore's own trailing comment
  # Velero settings stay last.
  hopsworks-dr:velero:
    kubectlImageTag: "1.33"
    # velero's trailing comment
# end of file
`;

describe("stack file edits", () => {
    it("refuses a flow-style config (config: {...}) rather than re-printing the whole file, to set and to remove", () => {
        const flow = `config: {hopsworks-dr:backup: {schedule: "0 10 * * 1"}, hopsworks-dr:restore: {mode: new-cluster}}  # one line\n`;
        assert.throws(() => setConfigKey(flow, KEY, BLOCK), FlowStyleConfigError);
        assert.throws(() => setConfigKey(flow, KEY, undefined), FlowStyleConfigError);
        // A flow-style value under a block-style config is still one block of lines: replaced alone.
        const flowValue = "config:\n  hopsworks-dr:restore: {mode: new-cluster}\n  hopsworks-dr:velero: {}\n";
        assert.strictEqual(setConfigKey(flowValue, KEY, undefined), "config:\n  hopsworks-dr:velero: {}\n");
    });

    it("updates an existing block in place: its comments stay, and so do the lines after it", () => {
        assert.strictEqual(setConfigKey(FILE, KEY, BLOCK), FILE
            .replace("mode: new-cluster", "mode: in-place")
            .replace(`backupId: "250111000"   # the last good one`, `backupId: "255211000" # the last good one`)
            .replace(/-0\n/g, "-1\n"));
    });

    it("removes a block with the comment lines inside it, keeping the comment and the key after it", () => {
        const removed = setConfigKey(FILE, KEY, undefined);
        assert.strictEqual(removed, FILE.replace(/  hopsworks-dr:restore:\n[\s\S]*?# the restore's own trailing comment\n/, ""));
        assert.ok(removed.includes("  # Velero settings stay last.\n  hopsworks-dr:velero:\n"));
        assert.ok(!hasConfigKey(removed, KEY));
    });

    it("appends a new block after the last key and its own comments, and removes it again byte for byte", () => {
        const without = setConfigKey(FILE, KEY, undefined);
        const added = setConfigKey(without, KEY, BLOCK);
        assert.ok(added.includes(`    # velero's trailing comment\n  hopsworks-dr:restore:\n    mode: in-place\n`), added);
        assert.ok(added.endsWith("      users: k8s-backups-users-resources-1\n# end of file\n"), added);
        assert.strictEqual(setConfigKey(added, KEY, undefined), without);
    });

    it("keeps CRLF line endings, the new block's included", () => {
        const crlf = FILE.replace(/\n/g, "\r\n");
        const edited = setConfigKey(crlf, KEY, BLOCK);
        assert.strictEqual(edited, setConfigKey(FILE, KEY, BLOCK).replace(/\n/g, "\r\n"));
        const without = setConfigKey(crlf, KEY, undefined);
        assert.strictEqual(setConfigKey(setConfigKey(without, KEY, BLOCK), KEY, undefined), without);
        assert.ok(!/[^\r]\n/.test(setConfigKey(without, KEY, BLOCK)), "no LF-only line");
    });

    it("returns the text unchanged when the block already holds the value", () => {
        const same = { mode: "new-cluster", backupId: "250111000", veleroBackups: { main: "k8s-backups-main-0", users: "k8s-backups-users-resources-0" } };
        assert.strictEqual(setConfigKey(FILE, KEY, same), FILE);
    });

    it("gives a last line without a line ending one before the new block", () => {
        assert.strictEqual(setConfigKey("config:\n  a:b: 1", KEY, { mode: "x" }), "config:\n  a:b: 1\n  hopsworks-dr:restore:\n    mode: x\n");
    });
});
