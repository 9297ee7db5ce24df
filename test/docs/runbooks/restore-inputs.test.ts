import assert from "assert/strict";
import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../support/stacks";

const PROGRAM = path.join(PROJECT_DIR, "docs/runbooks/restore-inputs.jq");
const PARENT = "urn:pulumi:prod::hopsworks-dr::hopsworks-dr:index:VeleroRestore::k8s-backups-main";
const URN = "urn:pulumi:prod::hopsworks-dr::hopsworks-dr:index:VeleroRestore$kubernetes:velero.io/v1:Restore::k8s-backups-main";
const DECLARED = {
    apiVersion: "velero.io/v1",
    kind: "Restore",
    metadata: { name: "k8s-backups-main", namespace: "velero", annotations: { "hopsworks-dr.io/restore-attempt": "1" } },
    spec: { backupName: "k8s-backups-main-20251124120012" },
};
const DEPENDENCIES = ["urn:pulumi:prod::hopsworks-dr::hopsworks-dr:index:BackupLocation$kubernetes:velero.io/v1:BackupStorageLocation::backup-location"];

/** The state interrupted-deployment.md exports before the repair: the killed run's pending create. */
function beforeRepair(spec = DECLARED.spec) {
    const resource = { urn: URN, custom: true, type: "kubernetes:velero.io/v1:Restore", inputs: { ...DECLARED, spec }, parent: PARENT, dependencies: DEPENDENCIES, propertyDependencies: { spec: [] } };
    return { version: 3, deployment: { resources: [], pending_operations: [{ type: "creating", resource }] } };
}

/** The state after `pulumi import`: the Restore with only its kind and name as inputs. */
function imported(backupName = DECLARED.spec.backupName, id: string | null = "velero/k8s-backups-main") {
    const other = { urn: PARENT, custom: false, type: "hopsworks-dr:index:VeleroRestore" };
    const restore = {
        urn: URN,
        id,
        custom: true,
        type: "kubernetes:velero.io/v1:Restore",
        inputs: { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "k8s-backups-main", namespace: "velero" } },
        outputs: {
            ...DECLARED,
            spec: { backupName, itemOperationTimeout: "4h0m0s" },
            status: { phase: "Completed" },
            __inputs: { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "k8s-backups-main", namespace: "velero" } },
            __fieldManager: "pulumi-kubernetes-849cbb7b",
        },
        parent: PARENT,
    };
    return { version: 3, deployment: { resources: [other, restore] } };
}

function runJq(beforeState: object, state: object, name = "k8s-backups-main") {
    const dir = mkdtempSync(path.join(tmpdir(), "restore-inputs-"));
    writeFileSync(path.join(dir, "before.json"), JSON.stringify(beforeState));
    writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
    const r = spawnSync("jq", ["--slurpfile", "before", path.join(dir, "before.json"), "--arg", "name", name, "-f", PROGRAM, path.join(dir, "state.json")], { encoding: "utf8" });
    return { status: r.status, out: r.stdout, err: r.stderr };
}

describe("docs/runbooks/restore-inputs.jq (interrupted-deployment.md)", function () {
    before(function () {
        if (spawnSync("jq", ["--version"]).status !== 0) {
            console.log("    skipped: jq is not installed here (the runbook needs it)");
            this.skip();
        }
    });

    it("gives the imported Restore the inputs, dependencies and property dependencies the interrupted run declared, and changes nothing else", () => {
        const r = runJq(beforeRepair(), imported());
        assert.equal(r.status, 0, r.err);
        const state = JSON.parse(r.out);
        const expected: any = imported();
        Object.assign(expected.deployment.resources[1], { inputs: DECLARED, dependencies: DEPENDENCIES, propertyDependencies: { spec: [] } });
        // The provider diffs against its own copy of the inputs in the outputs.
        expected.deployment.resources[1].outputs.__inputs = DECLARED as any;
        assert.deepEqual(state, expected);
    });

    it("refuses, writing nothing, when the Restore in the cluster restores another backup than the one declared", () => {
        const r = runJq(beforeRepair(), imported("k8s-backups-main-20200101000000"));
        assert.notEqual(r.status, 0);
        assert.equal(r.out, "");
        assert.match(r.err, /restores k8s-backups-main-20200101000000, the interrupted run declared k8s-backups-main-20251124120012/);
    });

    it("refuses when the import has not run, and when the export before the repair has no pending create of that Restore", () => {
        const missing = imported();
        missing.deployment.resources.pop();
        assert.match(runJq(beforeRepair(), missing).err, /no Restore k8s-backups-main under .*run the runbook's pulumi import first/);
        assert.match(runJq(beforeRepair(), imported(undefined, null)).err, /run the runbook's pulumi import first/);
        assert.match(runJq(beforeRepair(), imported(), "k8s-backups-users-resources").err, /no pending create of Restore k8s-backups-users-resources/);
    });
});
