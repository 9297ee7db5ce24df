import assert from "assert/strict";
import { parse } from "yaml";
import { renderStack } from "../../render/render";
import { minioConfig, stackFile } from "../support/stacks";

/** The offline render of Hopsworks 5.2 restores with Superset: what a reviewer reads in plan.txt and the values. */
describe("render: Superset restores (Hopsworks 5.2)", () => {
    const id = "20260722215632-2116913658";
    const config = (restore: Record<string, unknown>) => {
        const c = minioConfig();
        c.hopsworks = { ...c.hopsworks, chartVersion: "5.2.0", version: "5.2.0" };
        c.restore = restore;
        return stackFile(c);
    };

    it("restore.mode superset: plan.txt names the Superset backup and step two; the values carry the page's keys", async () => {
        const { files } = await renderStack(config({ mode: "superset", confirm: `test/${id}`, superset: { backupId: id } }));
        assert.match(files["plan.txt"], /\nmode: superset restore\nbackup: 20260722215632-2116913658, taken 2026-07-22T21:56:32.000Z/);
        assert.match(files["plan.txt"], /\n {2}1\. Superset: the Hopsworks release upgraded with global\._hopsworks\.restoreFromBackup\.superset \{enabled, backupId 20260722215632-2116913658/);
        assert.match(files["plan.txt"], /the stack has a running Hopsworks release \(a Superset restore upgrades it\)/);
        assert.deepEqual(parse(files["hopsworks-values.yaml"]).global._hopsworks.restoreFromBackup, {
            superset: { enabled: true, backupId: id, initiatedBy: `test/${id}`, acknowledgeNoVeleroBarrier: true },
        });
    });

    it("a new-cluster restore with Superset: the Superset step after the install, veleroRestoreName the main Restore", async () => {
        const { files } = await renderStack(
            config({
                mode: "new-cluster",
                backupId: "263011200",
                backupHopsworksVersion: "5.2.0",
                veleroBackups: { main: "k8s-backups-main-20260720120012", users: "k8s-backups-users-resources-20260720120013" },
                superset: { backupId: id },
            }),
        );
        assert.match(files["plan.txt"], /\n {2}5\. Superset: the Hopsworks release installed with global\._hopsworks\.restoreFromBackup\.superset \{.*\}; the restore Job waits for Velero Restore k8s-backups-main to reach Completed/);
        assert.equal(parse(files["hopsworks-values.yaml"]).global._hopsworks.restoreFromBackup.superset.veleroRestoreName, "k8s-backups-main");
    });
});
