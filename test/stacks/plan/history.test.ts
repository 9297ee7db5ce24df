import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { adoptedInstallTime, checkAgainstPreviousState, needsHelmInstallRecord, PreviousState, recordedHistory } from "../../../stacks/plan/history";
import { planRestore, RestorePlan } from "../../../stacks/plan/restore";
import { minioConfig, source } from "../../support/stacks";

/** The restore point 254811200 (2025-11-24 12:00 UTC) and its Velero backups, taken minutes later. */
const VELERO = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
const BACKUP = { backupId: "254811200", backupHopsworksVersion: "4.8.0", veleroBackups: VELERO };
const IN_PLACE = { ...BACKUP, mode: "in-place", forceDataClear: true, confirm: "test/254811200" };

function withRestore(restore: Record<string, unknown>) {
    const c = minioConfig();
    c.restore = restore;
    return c;
}

const restorePlan = (restore: Record<string, unknown>): RestorePlan => planRestore(readStackConfig(source(withRestore(restore))))!;

describe("restore checks against the stack's previous deployment", () => {
    it("refuses a Superset-only restore (Hopsworks 5.2) on a stack with no Hopsworks release, and one already applied", () => {
        const id = "20260722215632-2116913658";
        const c = withRestore({ mode: "superset", confirm: `test/${id}`, superset: { backupId: id } });
        c.hopsworks = { ...c.hopsworks, chartVersion: "5.2.0", version: "5.2.0" };
        const config = readStackConfig(source(c, { now: new Date("2026-08-01T00:00:00Z") }));
        const restore = planRestore(config)!;
        assert.deepEqual(checkAgainstPreviousState(config, restore, { restoreHistory: [] }).map((p) => p.message), [
            'hopsworks-dr:restore.mode = "superset": stack test has no Hopsworks release yet; a Superset restore reloads the database of a running installation: ' +
                "deploy first, or restore Superset with the platform (restore.superset with restore.mode new-cluster)",
        ]);
        const installed: PreviousState = { hopsworksInstalledAt: "2026-07-01T00:00:00.000Z", restoreHistory: [] };
        assert.deepEqual(checkAgainstPreviousState(config, restore, installed), []);
        const applied = { ...installed, activeRestore: { mode: "superset" as const, backupId: id, appliedAt: "2026-07-31T00:00:00.000Z" } };
        assert.match(checkAgainstPreviousState(config, restore, applied)[0].message, /the superset restore of backup 20260722215632-2116913658 was already applied/);
    });

    it("runs a Superset-only restore again under a new initiatedBy (after a failed one), and records the one applied", () => {
        const id = "20260722215632-2116913658";
        const configWith = (initiatedBy?: string) => {
            const c = withRestore({ mode: "superset", confirm: `test/${id}`, superset: { backupId: id, ...(initiatedBy ? { initiatedBy } : {}) } });
            c.hopsworks = { ...c.hopsworks, chartVersion: "5.2.0", version: "5.2.0" };
            return readStackConfig(source(c, { now: new Date("2026-08-01T00:00:00Z") }));
        };
        const first = configWith();
        const installed: PreviousState = { hopsworksInstalledAt: "2026-07-01T00:00:00.000Z", restoreHistory: [] };
        const recorded = recordedHistory(installed, planRestore(first), 1, "2026-07-31T00:00:00.000Z");
        assert.deepEqual(recorded.activeRestore, { mode: "superset", backupId: id, appliedAt: "2026-07-31T00:00:00.000Z", initiatedBy: `test/${id}` });
        const applied: PreviousState = { ...installed, activeRestore: recorded.activeRestore!, restoreHistory: recorded.restoreHistory };
        const refusal = checkAgainstPreviousState(first, planRestore(first)!, applied).map((p) => p.message);
        assert.equal(refusal.length, 1);
        assert.match(refusal[0], /already applied at 2026-07-31T00:00:00.000Z; set restore.mode: none to finish it .*, or give restore.superset.initiatedBy a new value to run it again/);
        const again = configWith("ops:HWORKS-2973 alice, attempt 2");
        assert.deepEqual(checkAgainstPreviousState(again, planRestore(again)!, applied), []);
        // Outputs from before the key: refused as the same attempt, as before.
        const older: PreviousState = { ...applied, activeRestore: { mode: "superset", backupId: id, appliedAt: "2026-07-31T00:00:00.000Z" } };
        assert.equal(checkAgainstPreviousState(again, planRestore(again)!, older).length, 1);
    });

    const installed: PreviousState = { hopsworksInstalledAt: "2025-11-01T00:00:00.000Z", restoreHistory: [] };
    const check = (restore: Record<string, unknown>, previous: PreviousState) => {
        const config = readStackConfig(source(withRestore(restore)));
        return checkAgainstPreviousState(config, planRestore(config)!, previous);
    };

    it("refuses a new-cluster restore into a never-deployed stack only when it would create the bucket (manage and create true)", () => {
        const neverDeployed: PreviousState = { restoreHistory: [] };
        const problemsWith = (storage: Record<string, unknown>, previous: PreviousState) => {
            const c = withRestore({ ...BACKUP, mode: "new-cluster" });
            Object.assign(c.storage, storage);
            const config = readStackConfig(source(c));
            return checkAgainstPreviousState(config, planRestore(config)!, previous).map((p) => p.key);
        };
        assert.deepEqual(problemsWith({}, neverDeployed), ["storage.create"]);
        assert.deepEqual(problemsWith({ create: false, replaceLifecycleRules: true }, neverDeployed), []);
        assert.deepEqual(problemsWith({ manage: false }, neverDeployed), []);
        assert.deepEqual(problemsWith({}, installed), [], "a reused stack holds the bucket in its state");
        assert.deepEqual(problemsWith({}, { restoreHistory: [{ mode: "new-cluster", backupId: "254000000", appliedAt: "2025-10-01T00:00:00Z" }] }), []);
        assert.deepEqual(check(IN_PLACE, installed), [], "in place: not concerned");
    });

    it("lets an in-place restore of a backup taken after the install through", () => {
        assert.deepEqual(check(IN_PLACE, installed), []);
    });

    it("refuses an in-place restore on a stack with no Hopsworks release yet", () => {
        const [problem] = check(IN_PLACE, { restoreHistory: [] });
        assert.equal(problem.key, "restore.mode");
        assert.match(problem.message, /stack test has no Hopsworks release yet; in-place restore works only on a running installation/);
    });

    it("refuses an in-place restore of a backup taken before the last fresh install, naming both dates", () => {
        const [problem] = check(IN_PLACE, { hopsworksInstalledAt: "2025-12-01T08:00:00.000Z", installedFromBackup: "254811200", restoreHistory: [] });
        assert.equal(problem.key, "restore.backupId");
        assert.match(problem.message, /taken 2025-11-24T12:00:00.000Z, before this cluster's fresh install at 2025-12-01T08:00:00.000Z/);
        assert.match(problem.message, /restore.mode: new-cluster/);
    });

    it("refuses a restore the previous deployment already applied, telling to set mode none", () => {
        const [problem] = check(IN_PLACE, { ...installed, activeRestore: { mode: "in-place", backupId: "254811200", appliedAt: "2025-12-02T00:00:00.000Z" } });
        assert.equal(problem.key, "restore.mode");
        assert.match(problem.message, /already applied at 2025-12-02T00:00:00.000Z; set restore.mode: none/);
    });

    it("runs a new-cluster restore's Velero restores again only with a raised restore.attempt", () => {
        const applied = { ...installed, activeRestore: { mode: "new-cluster" as const, backupId: "254811200", appliedAt: "2025-12-02T00:00:00.000Z", attempt: 2 } };
        const [problem] = check({ ...BACKUP, mode: "new-cluster", attempt: 2 }, applied);
        assert.match(problem.message, /already applied at 2025-12-02T00:00:00.000Z; set restore.mode: none to finish it .*, or raise restore.attempt/);
        assert.deepEqual(check({ ...BACKUP, mode: "new-cluster", attempt: 3 }, applied), []);
        // Outputs written before restore.attempt existed count as attempt 1.
        const [older] = check({ ...BACKUP, mode: "new-cluster" }, { ...installed, activeRestore: { mode: "new-cluster", backupId: "254811200", appliedAt: "2025-12-02T00:00:00.000Z" } });
        assert.equal(older.key, "restore.mode");
    });

    it("allows the same restore again once a deployment with mode none finished the first", () => {
        const history = [{ mode: "in-place" as const, backupId: "254811200", appliedAt: "2025-12-02T00:00:00.000Z" }];
        assert.deepEqual(check(IN_PLACE, { ...installed, restoreHistory: history }), []);
    });

    it("lets a new-cluster restore through on a reused stack after a cluster loss", () => {
        assert.deepEqual(check({ ...BACKUP, mode: "new-cluster" }, installed), []);
    });
});

describe("what a deployment records for the next one", () => {
    const NOW = "2026-01-10T00:00:00.000Z";
    const installed: PreviousState = {
        hopsworksInstalledAt: "2025-11-01T00:00:00.000Z",
        installedFromBackup: "254811000",
        restoreHistory: [{ mode: "new-cluster", backupId: "254811000", appliedAt: "2025-11-01T00:00:00.000Z" }],
    };

    it("records the first deployment as the install, with no restore", () => {
        assert.deepEqual(recordedHistory(undefined, undefined, 1, NOW), {
            hopsworksInstalledAt: NOW,
            installedFromBackup: null,
            activeRestore: null,
            restoreHistory: [],
            // The release may have existed before (adopted): the next deployment compares with Helm's record.
            hopsworksInstallTimeChecked: false,
        });
    });

    it("carries the install over in normal operation, and ends the active restore", () => {
        const previous = { ...installed, activeRestore: installed.restoreHistory[0] };
        assert.deepEqual(recordedHistory(previous, undefined, 1, NOW), {
            hopsworksInstalledAt: "2025-11-01T00:00:00.000Z",
            installedFromBackup: "254811000",
            activeRestore: null,
            restoreHistory: installed.restoreHistory,
            hopsworksInstallTimeChecked: false,
        });
        assert.equal(recordedHistory({ ...previous, installTimeChecked: true }, undefined, 1, NOW).hopsworksInstallTimeChecked, true, "a compared install stays compared");
    });

    it("records a new-cluster restore as a fresh install from its backup, with its attempt, even on a reused stack", () => {
        const applied = { mode: "new-cluster" as const, backupId: "254811200", appliedAt: NOW, attempt: 2 };
        assert.deepEqual(recordedHistory(installed, restorePlan({ ...BACKUP, mode: "new-cluster", attempt: 2 }), 2, NOW), {
            hopsworksInstalledAt: NOW,
            installedFromBackup: "254811200",
            activeRestore: applied,
            restoreHistory: [...installed.restoreHistory, applied],
            // Installed afresh now: Helm's first deployment can only be later.
            hopsworksInstallTimeChecked: true,
        });
    });

    it("records an in-place restore without changing the install: the certificates stay", () => {
        const applied = { mode: "in-place" as const, backupId: "254811200", appliedAt: NOW };
        assert.deepEqual(recordedHistory(installed, restorePlan(IN_PLACE), 1, NOW), {
            hopsworksInstalledAt: "2025-11-01T00:00:00.000Z",
            installedFromBackup: "254811000",
            activeRestore: applied,
            restoreHistory: [...installed.restoreHistory, applied],
            hopsworksInstallTimeChecked: false,
        });
    });

    it("is what the next deployment's check refuses to apply twice", () => {
        const plan = restorePlan(IN_PLACE);
        const recorded = recordedHistory(installed, plan, 1, NOW);
        const next: PreviousState = { ...recorded, activeRestore: recorded.activeRestore ?? undefined, installedFromBackup: recorded.installedFromBackup ?? undefined };
        const [problem] = checkAgainstPreviousState(readStackConfig(source(withRestore(IN_PLACE))), plan, next);
        assert.equal(problem.key, "restore.mode");
    });
});

describe("an adopted release's install time", () => {
    const previous: PreviousState = { hopsworksInstalledAt: "2026-01-01T00:00:00.000Z", restoreHistory: [] };

    it("takes Helm's first deployment when it is earlier than the recorded install, and marks the time compared", () => {
        assert.deepEqual(adoptedInstallTime(previous, "2025-06-01T00:00:00.000Z"), { ...previous, hopsworksInstalledAt: "2025-06-01T00:00:00.000Z", installTimeChecked: true });
    });

    it("keeps the recorded install when Helm's is later (compared), or unknown (not compared)", () => {
        assert.deepEqual(adoptedInstallTime(previous, "2026-02-01T00:00:00.000Z"), { ...previous, installTimeChecked: true });
        assert.equal(adoptedInstallTime(previous, undefined), previous);
    });

    it("reads Helm's record until a deployment has compared it, never for a new-cluster restore or without a previous deployment", () => {
        assert.equal(needsHelmInstallRecord(previous, undefined), true);
        assert.equal(needsHelmInstallRecord(previous, restorePlan(IN_PLACE)), true);
        assert.equal(needsHelmInstallRecord({ ...previous, installTimeChecked: true }, undefined), false);
        assert.equal(needsHelmInstallRecord(previous, restorePlan({ ...BACKUP, mode: "new-cluster" })), false);
        assert.equal(needsHelmInstallRecord(undefined, undefined), false);
    });

    it("once compared, no later first deployment moves the install time: the recorded one is never later than Helm's", () => {
        const compared = adoptedInstallTime(previous, "2025-06-01T00:00:00.000Z");
        for (const later of ["2025-06-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]) {
            assert.equal(adoptedInstallTime(compared, later).hopsworksInstalledAt, compared.hopsworksInstalledAt);
        }
    });
});
