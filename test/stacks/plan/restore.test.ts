import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { planStack } from "../../../stacks/plan/stack-plan";
import { planRestore } from "../../../stacks/plan/restore";
import { minioConfig, otherWarnings, source } from "../../support/stacks";

/** The restore point 254811200 (2025-11-24 12:00 UTC) and its Velero backups, taken minutes later. */
const VELERO = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
const BACKUP = { backupId: "254811200", backupHopsworksVersion: "4.8.0", veleroBackups: VELERO };
const IN_PLACE = { ...BACKUP, mode: "in-place", forceDataClear: true, confirm: "test/254811200" };

function withRestore(restore: Record<string, unknown>, change: (c: Record<string, any>) => void = () => {}) {
    const c = minioConfig();
    c.restore = restore;
    change(c);
    return c;
}

function problemsOf(values: Record<string, any>) {
    try {
        readStackConfig(source(values));
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems;
    }
    return assert.fail("the config was accepted");
}

describe("restore config", () => {
    const refusals: [title: string, config: Record<string, any>, key: string, says: RegExp][] = [
        ["an unknown mode", withRestore({ mode: "full" }), "restore.mode", /"full": must be one of none, new-cluster, in-place/],
        ["a restore without a backup ID", withRestore({ mode: "new-cluster", backupHopsworksVersion: "4.8.0" }), "restore.backupId", /is required when restore.mode is new-cluster: the global backup ID \(it also restores HopsFS\)/],
        ["a backup ID that is not one", withRestore({ ...BACKUP, mode: "new-cluster", backupId: "2548" }), "restore.backupId", /"2548": must be a backup ID of 9 digits/],
        ["a backup ID with week 60", withRestore({ ...BACKUP, mode: "new-cluster", backupId: "256011200" }), "restore.backupId", /must be a backup ID/],
        ["a RonDB override that is not an ID", withRestore({ ...BACKUP, mode: "new-cluster", rondbBackupId: "latest" }), "restore.rondbBackupId", /"latest": must be a backup ID/],
        ["a skipped index with its own '-'", withRestore({ ...BACKUP, mode: "new-cluster", opensearchSkipIndices: ["-myindex"] }), "restore.opensearchSkipIndices[0]", /no leading '-'/],
        ["swapped Velero backups", withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: { main: "k8s-backups-users-resources-20260213T153627Z" } }), "restore.veleroBackups.main", /must be a Velero backup of schedule k8s-backups-main/],
        ["an unknown veleroBackups key", withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: { all: "x" } }), "restore.veleroBackups.all", /valid keys of restore.veleroBackups are main, users/],
        ["a restore without the backup's Hopsworks version", withRestore({ mode: "new-cluster", backupId: "254811200" }), "restore.backupHopsworksVersion", /is required when restore.mode is new-cluster/],
        ["a backup taken by another Hopsworks version", withRestore({ ...BACKUP, mode: "new-cluster", backupHopsworksVersion: "4.7.1" }), "restore.backupHopsworksVersion", /"4.7.1": must equal hopsworks.version \("4.8.0"\): restore with the exact Hopsworks version/],
        ["in-place below Hopsworks 4.8.0", withRestore({ ...IN_PLACE, backupHopsworksVersion: "4.7.1" }, (c) => (c.hopsworks.version = "4.7.1")), "restore.mode", /needs Hopsworks 4.8.0 or newer, but hopsworks.version is "4.7.1"/],
        ["in-place without forceDataClear", withRestore({ ...IN_PLACE, forceDataClear: undefined }), "restore.forceDataClear", / is missing: must be true for an in-place restore/],
        ["in-place with forceDataClear false", withRestore({ ...IN_PLACE, forceDataClear: false }), "restore.forceDataClear", /= false: must be true/],
        ["in-place without a confirmation", withRestore({ ...IN_PLACE, confirm: undefined }), "restore.confirm", / is missing: must be exactly "test\/254811200" to confirm that stack test's data is replaced by backup 254811200/],
        ["in-place confirming another backup", withRestore({ ...IN_PLACE, confirm: "test/254811140" }), "restore.confirm", /"test\/254811140": must be exactly "test\/254811200"/],
        ["in-place confirming another stack", withRestore({ ...IN_PLACE, confirm: "prod/254811200" }), "restore.confirm", /must be exactly "test\/254811200"/],
        ["forceDataClear on a new-cluster restore", withRestore({ ...BACKUP, mode: "new-cluster", forceDataClear: true }), "restore.forceDataClear", /applies only to restore.mode: in-place/],
        ["a restore attempt of 0", withRestore({ ...BACKUP, mode: "new-cluster", attempt: 0 }), "restore.attempt", /= 0: must be/],
        ["a restore attempt on an in-place restore", withRestore({ ...IN_PLACE, attempt: 2 }), "restore.attempt", /applies only to restore.mode: new-cluster/],
        ["accepting a partial restore of another backup", withRestore({ ...BACKUP, mode: "new-cluster", acceptPartial: "test/254811140" }), "restore.acceptPartial", /"test\/254811140": must be exactly "test\/254811200" to install Hopsworks on Velero restores of backup 254811200 that ended PartiallyFailed/],
        ["accepting a partial restore by yes", withRestore({ ...BACKUP, mode: "new-cluster", acceptPartial: "yes" }), "restore.acceptPartial", /must be exactly "test\/254811200"/],
        ["acceptPartial with no restore", withRestore({ mode: "none", acceptPartial: "test/254811200" }), "restore.acceptPartial", /applies only to restore.mode: new-cluster/],
        // A scheduleName restore takes the schedule's newest Completed backup, whatever backupId is.
        ["a new-cluster restore that names no Velero backups", withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: undefined }), "restore.veleroBackups", / is missing: must name the Velero backups of restore point 254811200: restore.veleroBackups.main \("k8s-backups-main-<time>"\) and restore.veleroBackups.users .*whatever restore.backupId is.*aws s3 ls s3:\/\/<bucket>\/k8s_backup\/backups\/.*set restore.latestVeleroBackups: true$/],
        ["an in-place restore that names no Velero backups", withRestore({ ...IN_PLACE, veleroBackups: undefined }), "restore.veleroBackups", / is missing: must name the Velero backups of restore point 254811200/],
        ["a restore that names only the main Velero backup", withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: { main: VELERO.main } }), "restore.veleroBackups.users", / is missing: must name the Velero backups of restore point 254811200/],
        ["a restore that names only the users Velero backup", withRestore({ ...IN_PLACE, veleroBackups: { users: VELERO.users } }), "restore.veleroBackups.main", / is missing: must name the Velero backups/],
        ["latestVeleroBackups next to named backups", withRestore({ ...BACKUP, mode: "new-cluster", latestVeleroBackups: true }), "restore.latestVeleroBackups", /= true: contradicts restore.veleroBackups.main and restore.veleroBackups.users, which name the Velero backups to restore/],
        ["latestVeleroBackups that is not a boolean", withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: undefined, latestVeleroBackups: "yes" }), "restore.latestVeleroBackups", /= "yes": must be true or false/],
        ["latestVeleroBackups with no restore", withRestore({ mode: "none", latestVeleroBackups: true }), "restore.latestVeleroBackups", /applies only to a restore/],
        ["a values file carrying restoreFromBackup", withRestore({ mode: "none" }, (c) => (c.hopsworks.valuesFiles = ["test/fixtures/values-restore-leftover.yaml"])), "hopsworks.valuesFiles[0]", /sets global._hopsworks.restoreFromBackup; restores are set with hopsworks-dr:restore/],
    ];
    for (const [title, config, key, says] of refusals) {
        it(`refuses ${title}, naming ${key}`, () => {
            const problems = key.startsWith("hopsworks.valuesFiles") ? planProblems(config) : problemsOf(config);
            const problem = problems.find((p) => p.key === key);
            assert.ok(problem, `no problem names ${key}: ${problems.map((p) => p.message).join(" | ")}`);
            assert.match(problem.message, says);
        });
    }

    it("marks each Velero restore with the attempt, and accepts a partial restore only when typed", () => {
        const first = planRestore(readStackConfig(source(withRestore({ ...BACKUP, mode: "new-cluster" }))))!;
        const again = planRestore(readStackConfig(source(withRestore({ ...BACKUP, mode: "new-cluster", attempt: 2, acceptPartial: "test/254811200" }))))!;
        assert.deepEqual(first.veleroRestores.map((r) => [r.manifest.metadata.annotations!["hopsworks-dr.io/restore-attempt"], r.acceptPartial]), [["1", false], ["1", false]]);
        assert.deepEqual(again.veleroRestores.map((r) => [r.manifest.metadata.annotations!["hopsworks-dr.io/restore-attempt"], r.acceptPartial]), [["2", true], ["2", true]]);
    });

    it("takes each schedule's newest Completed backup only with restore.latestVeleroBackups: true, typed", () => {
        const latest = readStackConfig(source(withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: undefined, latestVeleroBackups: "true" })));
        assert.equal(latest.restore.latestVeleroBackups, true);
        assert.deepEqual(latest.restore.veleroBackups, {});
        const named = readStackConfig(source(withRestore({ ...BACKUP, mode: "new-cluster", latestVeleroBackups: false })));
        assert.equal(named.restore.latestVeleroBackups, undefined);
        assert.deepEqual(named.restore.veleroBackups, VELERO);
    });

    it("takes a backup ID written as a YAML number", () => {
        const config = readStackConfig(source(withRestore({ mode: "new-cluster", backupId: 254811200, backupHopsworksVersion: "4.8.0", veleroBackups: VELERO })));
        assert.equal(config.restore.backupId, "254811200");
    });

    it("defaults to mode none with nothing to restore", () => {
        const plan = planStack(readStackConfig(source(minioConfig())));
        assert.equal(plan.mode, "none");
        assert.equal(plan.restore, undefined);
        assert.equal((plan.location.location.spec as any).accessMode, "ReadWrite");
        assert.equal(JSON.stringify(plan.hopsworks.values).includes("restoreFromBackup"), false);
    });
});

function planProblems(values: Record<string, any>) {
    try {
        planStack(readStackConfig(source(values)));
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems;
    }
    return assert.fail("the config was accepted");
}

describe("restore plan", () => {
    it("new-cluster: ReadOnly location waiting for a sync, main then users Restores, Hopsworks installed last", () => {
        const plan = planStack(readStackConfig(source(withRestore({ ...BACKUP, mode: "new-cluster" }))));
        assert.equal(plan.mode, "new-cluster");
        assert.equal((plan.location.location.spec as any).accessMode, "ReadOnly");
        assert.deepEqual(JSON.parse(plan.location.location.metadata.annotations!["pulumi.com/waitFor"]), [
            "jsonpath={.status.phase}=Available",
            "jsonpath={.status.lastSyncedTime}",
        ]);
        assert.deepEqual(plan.restore!.veleroRestores.map((r) => [r.manifest.metadata.name, r.manifest.spec, r.ignoreChanges]), [
            ["k8s-backups-main", { backupName: VELERO.main }, ["spec.itemOperationTimeout"]],
            ["k8s-backups-users-resources", { backupName: VELERO.users }, ["spec.itemOperationTimeout"]],
        ]);
        assert.equal(plan.restore!.backupTakenAt, "2025-11-24T12:00:00.000Z");
        assert.equal(plan.restore!.steps.length, 4);
        assert.match(plan.restore!.steps[1], /Velero restore k8s-backups-main of k8s-backups-main-20251124120012, until Completed/);
        assert.match(plan.restore!.steps[3], /Hopsworks release installed with restoreFromBackup.backupId 254811200/);
        assert.deepEqual(otherWarnings(plan.warnings), []);
    });

    it("restore.latestVeleroBackups: restores by schedule (its newest Completed backup), says so in the steps, and warns", () => {
        const plan = planStack(readStackConfig(source(withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: undefined, latestVeleroBackups: true }))));
        assert.deepEqual(plan.restore!.veleroRestores.map((r) => r.manifest.spec), [{ scheduleName: "k8s-backups-main" }, { scheduleName: "k8s-backups-users-resources" }]);
        assert.match(plan.restore!.steps[1], /of the newest Completed backup of schedule k8s-backups-main \(restore.latestVeleroBackups\)/);
        assert.equal(otherWarnings(plan.warnings).length, 1);
        assert.match(otherWarnings(plan.warnings)[0], /^restore.latestVeleroBackups: the Velero restores take each schedule's newest Completed backup .*whatever restore.backupId \(254811200\) is/);
    });

    it("a named Velero backup is not ignored in diffs: only the controller's own fields are", () => {
        const c = withRestore({ ...BACKUP, mode: "new-cluster", veleroBackups: { ...VELERO, main: "k8s-backups-main-20251124T121500Z" } });
        const [main] = planRestore(readStackConfig(source(c)))!.veleroRestores;
        assert.deepEqual(main.ignoreChanges, ["spec.itemOperationTimeout"]);
    });

    it("in-place: no Velero Restores of its own, the location stays ReadWrite, the release waits 3 hours (hopsworks.restoreTimeoutSeconds)", () => {
        const c = withRestore(IN_PLACE, (c) => (c.hopsworks.timeoutSeconds = 600));
        const plan = planStack(readStackConfig(source(c)));
        assert.deepEqual(plan.restore!.veleroRestores, []);
        assert.equal((plan.location.location.spec as any).accessMode, "ReadWrite");
        assert.equal(plan.hopsworks.timeoutSeconds, 10800);
        assert.match(plan.restore!.steps[0], /Helm waiting up to 10800 s \(hopsworks\.restoreTimeoutSeconds\); at that timeout `pulumi up` fails and the release is left failed/);
        assert.deepEqual((plan.hopsworks.values.global as any)._hopsworks.restoreFromBackup, { backupId: "254811200", inPlace: true, forceDataClear: true });
    });

    it("new-cluster: the atomic install waits hopsworks.restoreTimeoutSeconds (3 hours by default, or as set; timeoutSeconds if longer), not 1200 s", () => {
        const newCluster = { ...BACKUP, mode: "new-cluster" };
        const byDefault = planStack(readStackConfig(source(withRestore(newCluster))));
        assert.deepEqual([byDefault.hopsworks.timeoutSeconds, byDefault.hopsworks.atomic], [10800, true]);
        assert.match(byDefault.restore!.steps[3], /Helm waiting up to 10800 s \(hopsworks\.restoreTimeoutSeconds\) .*at that timeout the atomic install is uninstalled/);
        const set = planStack(readStackConfig(source(withRestore(newCluster, (c) => (c.hopsworks.restoreTimeoutSeconds = 21600)))));
        assert.equal(set.hopsworks.timeoutSeconds, 21600);
        const longer = planStack(readStackConfig(source(withRestore(newCluster, (c) => Object.assign(c.hopsworks, { timeoutSeconds: 14400, restoreTimeoutSeconds: 7200 })))));
        assert.equal(longer.hopsworks.timeoutSeconds, 14400);
        const normal = planStack(readStackConfig(source(withRestore({ mode: "none" }))));
        assert.equal(normal.hopsworks.timeoutSeconds, 1200, "outside a restore: hopsworks.timeoutSeconds");
    });

    it("skipped indices without a snapshot override restore the global backup's snapshot", () => {
        const c = withRestore({ ...BACKUP, mode: "new-cluster", opensearchSkipIndices: ["a", "b"] });
        const values = planStack(readStackConfig(source(c))).hopsworks.values as any;
        assert.deepEqual(values.olk.opensearch.restore.repositories.default.snapshots.default, { snapshot_name: "254811200", payload: { indices: "-a,-b" } });
    });
});
