import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planStack } from "../../../stacks/plan/stack-plan";
import { valueAt } from "../../../stacks/config/values-files";
import { minioConfig, PROJECT_DIR, source } from "../../support/stacks";

/** The page's example: Superset backup 20260722215632-2116913658 and its initiator. */
const SUPERSET_ID = "20260722215632-2116913658";
const INITIATOR = "ops:HWORKS-2973 alice";
const NOW = new Date("2026-08-01T12:00:00Z");
/** Restore point 263011200 (2026-07-20 12:00 UTC), its Velero pair taken seconds later. */
const VELERO = { main: "k8s-backups-main-20260720120012", users: "k8s-backups-users-resources-20260720120013" };
const POINT = { backupId: "263011200", backupHopsworksVersion: "5.2.0", veleroBackups: VELERO };
const SUPERSET = { backupId: SUPERSET_ID, initiatedBy: INITIATOR };

function golden(file: string): any {
    return parse(fs.readFileSync(path.join(PROJECT_DIR, "test/golden/hopsworks-5.2", file), "utf8"));
}

function plan(restore: Record<string, unknown> | undefined, hopsworks: Record<string, unknown> = {}) {
    const c = minioConfig();
    c.hopsworks = { ...c.hopsworks, chartVersion: "5.2.0", version: "5.2.0", ...hopsworks };
    if (restore) c.restore = restore;
    return planStack(readStackConfig(source(c, { now: NOW })));
}

const releaseSuperset = (p: ReturnType<typeof plan>) => valueAt(p.hopsworks.values, "global._hopsworks.restoreFromBackup.superset");

describe("Superset restore plan, the page's \"state\" revision (the default)", () => {
    it("a new-cluster restore: the page's values, veleroRestoreName the stack's own main Velero Restore", () => {
        const p = plan({ mode: "new-cluster", ...POINT, superset: SUPERSET });
        const expected = golden("superset-restore-state-values.yaml");
        // The page's example names some Restore; the barrier here is the one this stack creates and awaits.
        expected.global._hopsworks.restoreFromBackup.superset.veleroRestoreName = p.restore!.veleroRestores[0].manifest.metadata.name;
        assert.equal(p.restore!.veleroRestores[0].manifest.metadata.name, "k8s-backups-main");
        assert.deepEqual(releaseSuperset(p), expected.global._hopsworks.restoreFromBackup.superset);
        // The platform's own restore values stay beside it.
        assert.equal(valueAt(p.hopsworks.values, "global._hopsworks.restoreFromBackup.backupId"), "263011200");
        assert.deepEqual(p.restore!.superset?.completion, { contract: "state", configMap: "superset-restore-state", key: "phase", value: "migrated" });
        assert.equal(
            p.restore!.steps.at(-1),
            "Superset: the Hopsworks release installed with global._hopsworks.restoreFromBackup.superset {enabled, backupId 20260722215632-2116913658 " +
                '(taken 2026-07-22T21:56:32.000Z), initiatedBy "ops:HWORKS-2973 alice"}; the restore Job waits for Velero Restore k8s-backups-main to reach ' +
                "Completed (it puts superset-secret-key back) before it imports the database. Step two, once ConfigMap hopsworks/superset-restore-state key phase = migrated: " +
                "`hopsworks-dr restore finish`, which checks that end, then `pulumi up` clears the flag and Superset starts again",
        );
        assert.match(p.restore!.overrides.at(-1)!, /^Superset reloads its own backup 20260722215632-2116913658 \(taken 2026-07-22T21:56:32.000Z, restore.superset.backupId\), not a snapshot coordinated with backup 263011200/);
    });

    it("an in-place restore: veleroRestoreName the chart's own Restore, named after the point's main backup", () => {
        const p = plan({ mode: "in-place", ...POINT, forceDataClear: true, confirm: "test/263011200", superset: { backupId: SUPERSET_ID } });
        assert.deepEqual(releaseSuperset(p), { enabled: true, backupId: SUPERSET_ID, initiatedBy: `test/${SUPERSET_ID}`, veleroRestoreName: VELERO.main });
        assert.equal(valueAt(p.hopsworks.values, "global._hopsworks.restoreFromBackup.inPlace"), true);
    });

    it("restore.mode superset: Superset alone, acknowledgeNoVeleroBarrier (the page allows it only with no Velero Restore), no platform restore", () => {
        const p = plan({ mode: "superset", confirm: `test/${SUPERSET_ID}`, superset: SUPERSET });
        assert.deepEqual(valueAt(p.hopsworks.values, "global._hopsworks.restoreFromBackup"), {
            superset: { enabled: true, backupId: SUPERSET_ID, initiatedBy: INITIATOR, acknowledgeNoVeleroBarrier: true },
        });
        assert.equal(p.mode, "superset");
        assert.deepEqual(p.restore!.veleroRestores, []);
        assert.equal(p.restore!.backupId, SUPERSET_ID);
        assert.equal((p.location.location.spec as { accessMode?: string }).accessMode, "ReadWrite");
        assert.equal(p.hopsworks.atomic, false);
        assert.equal(p.hopsworks.timeoutSeconds, 10_800);
    });
});

describe("Superset restore plan, the page's \"job\" revision", () => {
    const job = { supersetRestoreContract: "job", supersetRestoreOverlay: "test/fixtures/values.superset-restore.yaml" };

    it("the page's values with no barrier key, the chart's overlay over the values files, the Job's completion", () => {
        const p = plan({ mode: "new-cluster", ...POINT, superset: SUPERSET }, job);
        assert.deepEqual(releaseSuperset(p), golden("superset-restore-job-values.yaml").global._hopsworks.restoreFromBackup.superset);
        assert.deepEqual(valueAt(p.hopsworks.values, "superset"), { supersetNode: { replicaCount: 0 }, supersetWorker: { replicaCount: 0 } });
        assert.deepEqual(p.restore!.superset?.completion, { contract: "job", job: `superset-restore-${SUPERSET_ID}` });
        assert.match(p.restore!.steps.at(-1)!, /the chart's values.superset-restore.yaml \(test\/fixtures\/values.superset-restore.yaml\) holds every Superset workload at zero replicas. Step two, once Job hopsworks\/superset-restore-20260722215632-2116913658 condition Complete:/);
    });

    it("step two: with the restore finished (no restore block) neither the flag nor the overlay is in the release's values", () => {
        const p = plan(undefined, job);
        assert.equal(valueAt(p.hopsworks.values, "global._hopsworks.restoreFromBackup"), undefined);
        assert.equal(valueAt(p.hopsworks.values, "superset"), undefined);
        // The page's step two sets enabled: false; without the block the chart's default (false) applies.
        assert.equal(golden("superset-restore-step-two-values.yaml").global._hopsworks.restoreFromBackup.superset.enabled, false);
    });
});

describe("restore warnings about Superset and Trino", () => {
    it("warns when a 5.2 restore leaves Superset out, and not before 5.2", () => {
        const p = plan({ mode: "new-cluster", ...POINT });
        assert.ok(
            p.warnings.includes(
                "restore.superset is not set: this new-cluster restore on Hopsworks 5.2.0 does not restore Superset (dashboards, charts, saved queries, " +
                    "database connections, users and roles), which then starts empty. Set restore.superset.backupId to the restore point's Superset backup " +
                    "(hopsworks-dr restore plan picks it; ConfigMap superset-backups-metadata), unless the point predates Superset backups",
            ),
            p.warnings.join("\n"),
        );
        const older = minioConfig();
        older.restore = { mode: "new-cluster", ...POINT, backupHopsworksVersion: "4.8.0" };
        assert.ok(!planStack(readStackConfig(source(older, { now: NOW }))).warnings.some((w) => w.startsWith("restore.superset")));
    });

    it("warns when the restore point predates hopsworks.trinoBackupsSince, and not when it is later", () => {
        const before = plan({ mode: "new-cluster", ...POINT, superset: SUPERSET }, { trinoBackupsSince: "2026-07-21" });
        assert.ok(
            before.warnings.includes(
                "restore point 263011200 (2026-07-20T12:00:00.000Z) predates Trino's backups (hopsworks.trinoBackupsSince 2026-07-21T00:00:00.000Z): its " +
                    "k8s-backups-main backup lacks Trino's Secrets (trino-password-file, trino-groups-file, trino-admin-credentials, trino-monitoring-credentials). " +
                    "Hopsworks rebuilds the project users' and groups' Trino authentication from RonDB, but the admin and monitoring credentials are the chart's " +
                    "values again: an out-of-band rotation of them is lost, and Prometheus may need its Trino monitoring credentials re-aligned",
            ),
            before.warnings.join("\n"),
        );
        const after = plan({ mode: "new-cluster", ...POINT, superset: SUPERSET }, { trinoBackupsSince: "2026-07-20T11:00:00Z" });
        assert.ok(!after.warnings.some((w) => w.includes("predates Trino")));
    });
});
