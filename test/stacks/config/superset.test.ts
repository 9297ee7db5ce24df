import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { minioConfig, source } from "../../support/stacks";
import { problemsOf } from "../../support/config";

/** A Superset backup ID as the page shows it: 2026-07-22 21:56:32 UTC. */
const SUPERSET_ID = "20260722215632-2116913658";
const NOW = new Date("2026-08-01T12:00:00Z");
/** Restore point 263011200: 2026-07-20 (Monday of ISO week 30) 12:00 UTC, and its Velero pair. */
const POINT = {
    backupId: "263011200",
    backupHopsworksVersion: "5.2.0",
    veleroBackups: { main: "k8s-backups-main-20260720120012", users: "k8s-backups-users-resources-20260720120013" },
};

function config(version: string, restore?: Record<string, unknown>, hopsworks: Record<string, unknown> = {}) {
    const c = minioConfig();
    c.hopsworks = { ...c.hopsworks, chartVersion: version, version, ...hopsworks };
    if (restore) c.restore = restore;
    return c;
}

/** The messages of the problems naming `key`. */
function refused(values: Record<string, any>, key: string): string[] {
    return problemsOf(values, { now: NOW }).filter((p) => p.key === key).map((p) => p.message);
}

describe("Superset restore config (Hopsworks 5.2)", () => {
    it("reads restore.superset with initiatedBy defaulting to <stack>/<backupId>, and the contract defaulting to state", () => {
        const c = readStackConfig(source(config("5.2.0", { mode: "new-cluster", ...POINT, superset: { backupId: SUPERSET_ID } }), { now: NOW }));
        assert.deepEqual(c.restore.superset, { backupId: SUPERSET_ID, takenAt: new Date("2026-07-22T21:56:32Z"), initiatedBy: `test/${SUPERSET_ID}` });
        assert.equal(c.hopsworks.supersetRestoreContract, "state");
        const given = readStackConfig(source(config("5.2.0", { mode: "superset", confirm: `test/${SUPERSET_ID}`, superset: { backupId: SUPERSET_ID, initiatedBy: "ops:HWORKS-2973 alice" } }), { now: NOW }));
        assert.equal(given.restore.superset?.initiatedBy, "ops:HWORKS-2973 alice");
        assert.equal(given.restore.mode, "superset");
    });

    it("refuses the Superset keys on Hopsworks before 5.2, naming the version and what is valid", () => {
        assert.deepEqual(refused(config("5.1.0", { mode: "new-cluster", ...POINT, backupHopsworksVersion: "5.1.0", superset: { backupId: SUPERSET_ID } }), "restore.superset"), [
            'hopsworks-dr:restore.superset applies only to Hopsworks 5.2.0 or newer (Superset\'s backup and restore), but hopsworks.version is "5.1.0": ' +
                "remove it; the restore there brings back RonDB, OpenSearch, HopsFS and the Kubernetes objects",
        ]);
        assert.deepEqual(refused(config("4.8.0", { mode: "superset", confirm: `test/${SUPERSET_ID}`, superset: { backupId: SUPERSET_ID } }), "restore.mode"), [
            'hopsworks-dr:restore.mode = "superset": Superset is backed up and restored from Hopsworks 5.2.0 on, but hopsworks.version is "4.8.0"; valid modes there: none, new-cluster, in-place',
        ]);
        assert.deepEqual(refused(config("4.8.0", undefined, { supersetRestoreContract: "job" }), "hopsworks.supersetRestoreContract"), [
            'hopsworks-dr:hopsworks.supersetRestoreContract applies only to Hopsworks 5.2.0 or newer (Superset\'s backup and restore), but hopsworks.version is "4.8.0": ' +
                "remove it, or set hopsworks.version and hopsworks.chartVersion to 5.2.0 or newer",
        ]);
        assert.deepEqual(refused(config("5.0.0", undefined, { trinoBackupsSince: "2026-03-02" }), "hopsworks.trinoBackupsSince"), [
            'hopsworks-dr:hopsworks.trinoBackupsSince applies only to Hopsworks 5.1.0 or newer (Trino\'s Secrets in the main Velero backup), but hopsworks.version is "5.0.0": ' +
                "remove it, or set hopsworks.version and hopsworks.chartVersion to 5.1.0 or newer",
        ]);
    });

    const superset = (s: Record<string, unknown>) => config("5.2.0", { mode: "new-cluster", ...POINT, superset: s });
    const cases: [title: string, values: Record<string, any>, key: string, says: RegExp][] = [
        ["a Superset backup ID without its digits", superset({ backupId: "20260722215632" }), "restore.superset.backupId", /= "20260722215632": must be a Superset backup ID such as "20260722215632-2116913658": the UTC time of the dump \(YYYYMMDDhhmmss\), a dash and digits \(the keys of ConfigMap superset-backups-metadata\)$/],
        ["a Superset backup ID of no real date", superset({ backupId: "20261322215632-1" }), "restore.superset.backupId", /= "20261322215632-1": must be a Superset backup ID/],
        ["a RonDB backup ID given as Superset's", superset({ backupId: "263011200" }), "restore.superset.backupId", /= "263011200": must be a Superset backup ID/],
        ["a Superset backup in the future", superset({ backupId: "20300101000000-1" }), "restore.superset.backupId", /= "20300101000000-1": was taken at 2030-01-01T00:00:00.000Z by its ID, later than now \(2026-08-01T12:00:00.000Z\) by more than the 1 hour allowed for clock skew/],
        ["restore.superset without its backup ID", superset({ initiatedBy: "alice" }), "restore.superset.backupId", /is required: must be a Superset backup ID/],
        ["an initiatedBy with a line break", superset({ backupId: SUPERSET_ID, initiatedBy: "alice\nbob" }), "restore.superset.initiatedBy", /must be printable ASCII without leading or trailing spaces/],
        ["an unknown key in restore.superset", superset({ backupId: SUPERSET_ID, veleroRestoreName: "x" }), "restore.superset.veleroRestoreName", /is not a known key; valid keys of restore.superset are backupId, initiatedBy/],
        ["restore.superset without a restore", config("5.2.0", { superset: { backupId: SUPERSET_ID } }), "restore.superset", /applies only to a restore \(restore.mode new-cluster, in-place or superset\): remove it, or set restore.mode/],
        ["mode superset without a Superset backup", config("5.2.0", { mode: "superset", confirm: "test/x" }), "restore.superset.backupId", /is missing: is required when restore.mode is superset: the Superset backup to reload/],
        ["mode superset without the confirmation", config("5.2.0", { mode: "superset", superset: { backupId: SUPERSET_ID } }), "restore.confirm", new RegExp(`is missing: must be exactly "test/${SUPERSET_ID}" to confirm that stack test's Superset database \\(dashboards, charts, saved queries, connections, users\\) is replaced by Superset backup ${SUPERSET_ID}; anything saved in Superset after it was taken is lost`)],
        ["mode superset confirmed with the platform's form", config("5.2.0", { mode: "superset", confirm: "test/263011200", superset: { backupId: SUPERSET_ID } }), "restore.confirm", /= "test\/263011200": must be exactly "test\/20260722215632-2116913658"/],
        ["mode superset with forceDataClear", config("5.2.0", { mode: "superset", forceDataClear: true, confirm: `test/${SUPERSET_ID}`, superset: { backupId: SUPERSET_ID } }), "restore.forceDataClear", /applies only to restore.mode: in-place; a Superset restore is confirmed with restore.confirm alone/],
        ["mode superset with a platform backup ID", config("5.2.0", { mode: "superset", backupId: "263011200", confirm: `test/${SUPERSET_ID}`, superset: { backupId: SUPERSET_ID } }), "restore.backupId", /applies only to a platform restore \(restore.mode new-cluster or in-place\); restore.mode superset restores Superset alone/],
        ["mode superset from the vault", config("5.2.0", { mode: "superset", source: "vault", confirm: `test/${SUPERSET_ID}`, superset: { backupId: SUPERSET_ID } }), "restore.source", /applies only to restore.mode: new-cluster/],
        ["an unknown contract", config("5.2.0", undefined, { supersetRestoreContract: "overlay" }), "hopsworks.supersetRestoreContract", /= "overlay": must be "state" \(the chart takes veleroRestoreName or acknowledgeNoVeleroBarrier/],
        ["an overlay with the state contract", config("5.2.0", undefined, { supersetRestoreOverlay: "test/fixtures/values.superset-restore.yaml" }), "hopsworks.supersetRestoreOverlay", /applies only to hopsworks.supersetRestoreContract: job \(it is "state"\): remove it/],
        ["an overlay that cannot be read", config("5.2.0", undefined, { supersetRestoreContract: "job", supersetRestoreOverlay: "values/none.yaml" }), "hopsworks.supersetRestoreOverlay", /= "values\/none.yaml": the chart's values.superset-restore.yaml, copied into the project folder: cannot be read/],
        ["a job-contract Superset restore without the overlay", config("5.2.0", { mode: "new-cluster", ...POINT, superset: { backupId: SUPERSET_ID } }, { supersetRestoreContract: "job" }), "hopsworks.supersetRestoreOverlay", /is required for a Superset restore with hopsworks.supersetRestoreContract: job: the chart's values.superset-restore.yaml/],
        ["a Trino date that is not one", config("5.2.0", undefined, { trinoBackupsSince: "March 2026" }), "hopsworks.trinoBackupsSince", /= "March 2026": must be a UTC date or time such as "2026-03-02"/],
        ["a Trino date in the future", config("5.2.0", undefined, { trinoBackupsSince: "2027-01-01" }), "hopsworks.trinoBackupsSince", /= "2027-01-01": is later than now/],
    ];
    for (const [title, values, key, says] of cases) {
        it(`refuses ${title}, naming ${key}`, () => {
            const messages = refused(values, key);
            assert.ok(messages.length > 0, `no problem names ${key}; got: ${problemsOf(values, { now: NOW }).map((p) => p.message).join(" | ")}`);
            assert.match(messages[0], new RegExp(`^hopsworks-dr:${key.replace(/[.]/g, "\\.")} `));
            assert.match(messages[0], says);
        });
    }
});
