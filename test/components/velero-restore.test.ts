import assert from "assert/strict";
import { restoreProblems, VeleroRestore } from "../../components/velero-restore";
import { Recorder } from "../../render/recorder";
import { record, StubResource } from "../support/record";

const manifest = {
    apiVersion: "velero.io/v1",
    kind: "Restore",
    metadata: { name: "k8s-backups-main", namespace: "velero", annotations: { "pulumi.com/waitFor": "jsonpath={.status.completionTimestamp}" } },
    spec: { scheduleName: "k8s-backups-main" },
};

describe("VeleroRestore component", () => {
    it("declares the Restore after what it depends on, replaced (deleted first) on spec changes, ignoring controller fields", async () => {
        const { byName, nameOf } = await record(() => {
            const location = new StubResource("hopsworks-bsl");
            new VeleroRestore("k8s-backups-main", { manifest, ignoreChanges: ["spec.itemOperationTimeout", "spec.backupName"] }, { dependsOn: [location] });
        });
        const restore = byName("k8s-backups-main", "kubernetes:velero.io/v1:Restore");
        assert.deepEqual(restore.inputs, manifest);
        assert.deepEqual(restore.dependencies.map(nameOf), ["hopsworks-bsl"]);
        assert.deepEqual(restore.ignoreChanges, ["spec.itemOperationTimeout", "spec.backupName"]);
        // A new spec, or a new restore.attempt annotation, recreates the Restore so Velero runs it again.
        assert.deepEqual(restore.replaceOnChanges, ["spec", "metadata.annotations"]);
        assert.equal(restore.deleteBeforeReplace, true);
    });

    it("resolves `completed` only for a Completed restore", async () => {
        const recorder = new Recorder("hopsworks-dr", "test");
        let phase: string | undefined;
        await recorder.run(async () => {
            new VeleroRestore("k8s-backups-main", { manifest, ignoreChanges: [] }).completed.apply((p) => (phase = p));
        });
        assert.equal(phase, "Completed");
    });

    it("fails with the restore's name, phase and how to inspect it when it ends PartiallyFailed", async () => {
        const recorder = new Recorder("hopsworks-dr", "test", { restorePhase: "PartiallyFailed" });
        await assert.rejects(
            recorder.run(async () => {
                const restore = new VeleroRestore("k8s-backups-main", { manifest, ignoreChanges: [] });
                return { completed: restore.completed };
            }),
            /Velero restore velero\/k8s-backups-main ended PartiallyFailed, not Completed; Hopsworks was not installed\. Inspect it with: velero restore describe k8s-backups-main -n velero --details/,
        );
    });

    it("names Velero's own reasons: validation errors, failure reason, error count", () => {
        assert.equal(
            restoreProblems({ phase: "FailedValidation", validationErrors: ["backup.velero.io \"k8s-backups-main-x\" not found"] }),
            ' (validation errors: backup.velero.io "k8s-backups-main-x" not found)',
        );
        assert.equal(restoreProblems({ phase: "PartiallyFailed", errors: 2 }), " (2 errors)");
        assert.equal(restoreProblems({ phase: "Failed", failureReason: "plugin panicked", errors: 1 }), " (failure reason: plugin panicked, 1 error)");
        assert.equal(restoreProblems({ phase: "Completed" }), "");
    });

    it("says both ways forward when a restore ends PartiallyFailed: a new attempt, or a typed acceptance", async () => {
        const recorder = new Recorder("hopsworks-dr", "test", { restorePhase: "PartiallyFailed" });
        await assert.rejects(
            recorder.run(async () => ({ completed: new VeleroRestore("k8s-backups-main", { manifest, ignoreChanges: [] }).completed })),
            /raise restore\.attempt \(pulumi config set --path restore\.attempt <n\+1>\), or accept it: pulumi config set --path restore\.acceptPartial <stack>\/<backupId>, and pulumi up/,
        );
    });

    it("accepts a PartiallyFailed restore only with acceptPartial, and never a Failed one", async () => {
        const partial = new Recorder("hopsworks-dr", "test", { restorePhase: "PartiallyFailed" });
        let phase: string | undefined;
        await partial.run(async () => {
            new VeleroRestore("k8s-backups-main", { manifest, ignoreChanges: [], acceptPartial: true }).completed.apply((p) => (phase = p));
        });
        assert.equal(phase, "PartiallyFailed");
        const failed = new Recorder("hopsworks-dr", "test", { restorePhase: "Failed" });
        await assert.rejects(
            failed.run(async () => ({ completed: new VeleroRestore("k8s-backups-main", { manifest, ignoreChanges: [], acceptPartial: true }).completed })),
            /ended Failed, not Completed/,
        );
    });
});
