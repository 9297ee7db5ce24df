import assert from "assert/strict";
import { judgeRestoreJob, judgeStateConfigMap } from "../../../stacks/catalogue/superset-restore";

const ID = "20260722215632-2116913658";

describe("how far a Superset restore got", () => {
    it("the \"state\" revision: migrated ends it (restoreId this backup's, or empty); anything else waits, a failed key fails", () => {
        assert.equal(judgeStateConfigMap(ID, { phase: "migrated", restoreId: ID }).state, "done");
        assert.equal(judgeStateConfigMap(ID, { phase: "migrated" }).state, "done", "the page documents phase only");
        assert.deepEqual(judgeStateConfigMap(ID, { phase: "", restoreId: "" }), { state: "waiting", what: "superset-restore-state phase is empty, not migrated" });
        assert.equal(judgeStateConfigMap(ID, { phase: "migrated", restoreId: "20260101000000-1" }).state, "waiting");
        assert.deepEqual(judgeStateConfigMap(ID, { phase: "migrated", failed: "lease lost" }), {
            state: "failed",
            what: "superset-restore-state records failed: lease lost (phase migrated)",
        });
        assert.equal(judgeStateConfigMap(ID, undefined).state, "waiting");
    });

    it("the \"job\" revision: Complete True ends it, Failed True fails it, a False condition still waits", () => {
        assert.equal(judgeRestoreJob(ID, [{ type: "Complete", status: "True" }]).state, "done");
        assert.equal(judgeRestoreJob(ID, [{ type: "Complete", status: "False" }]).state, "waiting");
        assert.deepEqual(judgeRestoreJob(ID, [{ type: "Failed", status: "True" }]), { state: "failed", what: `Job superset-restore-${ID} Failed` });
        assert.equal(judgeRestoreJob(ID, [{ type: "Failed", status: "False" }, { type: "Complete", status: "True" }]).state, "done");
        assert.equal(judgeRestoreJob(ID, undefined).state, "waiting");
    });
});
