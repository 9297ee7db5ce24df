import * as assert from "assert";
import { judgeVault, vaultObjectsOf } from "../../../stacks/catalogue/vault-lag";
import type { RestorePoint } from "../../../stacks/catalogue/restore-points";

const POINT: RestorePoint = {
    id: "260211000",
    time: new Date("2026-01-05T10:00:00Z"),
    velero: {
        main: { name: "k8s-backups-main-20260105100012", schedule: "k8s-backups-main" },
        users: { name: "k8s-backups-users-resources-20260105100013", schedule: "k8s-backups-users-resources" },
    },
    complete: true,
    completed: new Date("2026-01-05T10:05:00Z"),
};
const THRESHOLD = 20 * 60_000;
const at = (minutesAfterCompletion: number) => new Date(POINT.completed!.getTime() + minutesAfterCompletion * 60_000);

describe("vault lag", () => {
    it("looks for the RonDB folder and both velero-backup.json", () => {
        assert.deepStrictEqual(vaultObjectsOf(POINT), {
            prefixes: ["rondb_backup/260211000/"],
            keys: [
                "k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json",
                "k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json",
            ],
        });
    });

    it("counts the age from completion: missing objects are replicating up to the threshold, lagging from it on", () => {
        const young = judgeVault({ point: POINT, now: at(19), thresholdMs: THRESHOLD, missing: ["rondb_backup/260211000/"] });
        assert.deepStrictEqual([young.state, young.problem, young.line], [
            "replicating",
            undefined,
            "vault: restore point 260211000 (2026-01-05 10:00 UTC) replicating: completed 19m ago, under the 20m lag threshold (missing: rondb_backup/260211000/)",
        ]);
        const old = judgeVault({ point: POINT, now: at(20), thresholdMs: THRESHOLD, missing: ["rondb_backup/260211000/"] });
        assert.deepStrictEqual([old.state, old.problem], [
            "lagging",
            "vault: restore point 260211000 (2026-01-05 10:00 UTC) completed 20m ago is not in the vault (missing: rondb_backup/260211000/); replication lag over 20m",
        ]);
    });

    it("is replicated whatever the age once nothing is missing, and unreadable with a read error", () => {
        assert.strictEqual(judgeVault({ point: POINT, now: at(600), thresholdMs: THRESHOLD, missing: [] }).state, "replicated");
        const denied = judgeVault({ point: POINT, now: at(1), thresholdMs: THRESHOLD, missing: [], readError: "access denied" });
        assert.deepStrictEqual([denied.state, denied.problem], ["unreadable", "vault: cannot check restore point 260211000 (2026-01-05 10:00 UTC): access denied"]);
    });

    it("counts from the point's time when a backup records no completion", () => {
        const { completed: _, ...uncompleted } = POINT;
        const report = judgeVault({ point: uncompleted, now: at(16), thresholdMs: THRESHOLD, missing: ["x"] });
        assert.deepStrictEqual([report.state, report.ageMs, report.completed], ["lagging", 21 * 60_000, undefined]);
        assert.ok(report.problem!.includes("UTC) taken 21m ago is not in the vault"), report.problem);
    });
});
