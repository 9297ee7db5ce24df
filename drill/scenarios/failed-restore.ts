/**
 * Scenario `failed-restore`: new-cluster restores that do not complete, for real. A Velero backup
 * that does not exist (FailedValidation, which has no completionTimestamp in Velero 1.17), then a
 * users restore that cannot create one object (PartiallyFailed), and the two ways forward the
 * runbook documents: a typed acceptance (restore.acceptPartial) and a new attempt once the cause is
 * fixed (restore.attempt).
 */
import { DRILL_BUCKET, DRILL_HOPSWORKS_VERSION, freshCluster, loseCluster, VELERO_NAMESPACE } from "../env";
import { waitFor } from "../processes";
import { check, Recorder } from "../report";
import { Shell } from "../shell";
import { helmRelease, helmReleaseSecret, snapshotObjects } from "../cluster-state";
import { DRILL_STACK, HOPSWORKS_NAMESPACE } from "./backup-mode";
import { ensureBackups } from "./prerequisites";
import { VELERO_SCHEDULES } from "../../stacks/names";
import { backupIdTime } from "../../stacks/catalogue/backup-id";
import { VELERO_MATCH_WINDOW, veleroBackupNameAt } from "../../stacks/catalogue/restore-points";

export const SCENARIO = "failed-restore";

/**
 * A Velero backup name of the main schedule that no backup has, yet within the window the stack
 * accepts for the restore point (its last minute, nearly 6 hours after the point's time).
 */
function missingBackup(backupId: string): string {
    return veleroBackupNameAt(VELERO_SCHEDULES.main, new Date(backupIdTime(backupId)!.getTime() + VELERO_MATCH_WINDOW.afterMs - 60_000));
}
/** The users backup's object that the cluster refuses while the policy below is in place. */
const REFUSED_OBJECT = "drill-user-notebook";

/** An admission policy refusing one ConfigMap: the users restore then fails on that object alone. */
const REFUSE_ONE_OBJECT = {
    apiVersion: "v1",
    kind: "List",
    items: [
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name: "drill-refuse-notebook" },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }] },
                validations: [{ expression: `object.metadata.name != '${REFUSED_OBJECT}'`, message: "refused by the drill, to make the users restore partially fail" }],
            },
        },
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name: "drill-refuse-notebook" },
            spec: { policyName: "drill-refuse-notebook", validationActions: ["Deny"] },
        },
    ],
};

function hopsworksInstalled(sh: Shell): boolean {
    return helmReleaseSecret(sh, "hopsworks", HOPSWORKS_NAMESPACE) !== undefined;
}

function up(sh: Shell) {
    const t0 = Date.now();
    const r = sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK, allowFailure: true });
    return { ...r, seconds: (Date.now() - t0) / 1000, out: `${r.stdout}\n${r.stderr}` };
}

export async function failedRestore(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    const { backupId, veleroBackups } = await ensureBackups(rec, sh, SCENARIO);
    const set = (key: string, value: string) => sh.pulumi(["config", "set", "--path", key, value], { stack: DRILL_STACK });
    const unset = (key: string) => sh.pulumi(["config", "rm", "--path", key], { stack: DRILL_STACK, allowFailure: true });

    await step("Lose the cluster, start a new one and let the stack forget the lost objects (pulumi refresh)", async () => {
        loseCluster(sh.drill.run);
        await freshCluster(sh.env, sh.drill.run);
        sh.pulumi(["refresh", "--yes"], { stack: DRILL_STACK });
        unset("restore");
        return "fresh control plane; state refreshed";
    });

    await step("A restore of a Velero backup that does not exist ends FailedValidation: pulumi up fails within 2 minutes, naming it", (ctx) => {
        set("restore.mode", "new-cluster");
        set("restore.backupId", backupId);
        set("restore.backupHopsworksVersion", DRILL_HOPSWORKS_VERSION);
        set("restore.veleroBackups.main", missingBackup(backupId));
        set("restore.veleroBackups.users", veleroBackups.users);
        const r = up(sh);
        ctx.figure("failedUpSeconds", r.seconds);
        check(r.status !== 0, "pulumi up succeeded on a restore of a backup that does not exist");
        check(r.seconds < 120, `pulumi up took ${r.seconds} s to fail`);
        check(/k8s-backups-main ended FailedValidation, not Completed \(validation errors: [^)]*\)/.test(r.out), `the failure does not name the restore, its phase and Velero's errors:\n${r.out.slice(-3000)}`);
        check(!hopsworksInstalled(sh), "Hopsworks was installed");
        check(sh.getJson(["restores.velero.io", VELERO_SCHEDULES.users, "-n", VELERO_NAMESPACE]) === undefined, "the users restore ran after the main restore failed");
        return r.out.split("\n").find((l) => /FailedValidation, not Completed/.test(l))!.trim();
    });

    await step("A users restore that cannot create one object ends PartiallyFailed: the deployment stops before Hopsworks", async (ctx) => {
        sh.kubectl(["apply", "-f", "-"], { input: JSON.stringify(REFUSE_ONE_OBJECT) });
        // The policy applies once the API server has loaded it: try the refused object until it is refused.
        await waitFor("the admission policy to refuse the object", () => {
            const probe = sh.kubectl(["create", "configmap", REFUSED_OBJECT, "-n", "default", "--dry-run=server"], { allowFailure: true });
            return probe.status !== 0 ? true : undefined;
        }, 30_000);
        // The cause of the first failure fixed: the main restore names the restore point's own backup.
        set("restore.veleroBackups.main", veleroBackups.main);
        set("restore.attempt", "2");
        const r = up(sh);
        ctx.figure("partialUpSeconds", r.seconds);
        check(r.status !== 0, "pulumi up accepted a PartiallyFailed restore");
        check(/k8s-backups-users-resources ended PartiallyFailed, not Completed \(1 error\)/.test(r.out), `the failure does not name the users restore:\n${r.out.slice(-3000)}`);
        check(/velero restore describe k8s-backups-users-resources -n velero --details/.test(r.out), "the failure does not say how to inspect the restore");
        check(!hopsworksInstalled(sh), "Hopsworks was installed on a partial restore");
        return r.out.split("\n").find((l) => /PartiallyFailed, not Completed/.test(l))!.trim();
    });

    await step("pulumi up again without a change fails the same way at once and names both ways forward", (ctx) => {
        const r = up(sh);
        ctx.figure("repeatUpSeconds", r.seconds);
        check(r.status !== 0 && /ended PartiallyFailed/.test(r.out), "a repeated pulumi up did not report the partial restore");
        check(/raise restore\.attempt/.test(r.out) && /restore\.acceptPartial/.test(r.out), `the failure does not name the ways forward:\n${r.out.slice(-2000)}`);
        check(r.seconds < 60, `a repeated pulumi up took ${r.seconds} s`);
        return `failed again in ${r.seconds.toFixed(1)} s, naming restore.attempt and restore.acceptPartial`;
    });

    await step("Accept the partial restore by typing restore.acceptPartial: Hopsworks is installed on it", () => {
        set("restore.acceptPartial", `${DRILL_STACK}/${backupId}`);
        const r = up(sh);
        check(r.status === 0, `pulumi up failed:\n${r.out.slice(-3000)}`);
        check(/ended PartiallyFailed \(1 error\); accepted by restore\.acceptPartial/.test(r.out), "no warning names the accepted partial restore");
        check(helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE).info.status === "deployed", "Hopsworks is not deployed");
        const objects = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
        check(objects[`ConfigMap/${REFUSED_OBJECT}`] === null, "the refused object exists after all");
        return "Hopsworks deployed; the refused ConfigMap is missing, as accepted";
    });

    await step("Fix the cause and raise restore.attempt: both restores run again and complete", () => {
        sh.kubectl(["delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", "drill-refuse-notebook"]);
        unset("restore.acceptPartial");
        set("restore.attempt", "3");
        const r = up(sh);
        check(r.status === 0, `pulumi up failed:\n${r.out.slice(-3000)}`);
        for (const name of Object.values(VELERO_SCHEDULES)) {
            const restore = sh.getJson(["restores.velero.io", name, "-n", VELERO_NAMESPACE]);
            check(restore?.status?.phase === "Completed", `${name} is ${restore?.status?.phase}`);
            check(restore.metadata.annotations["hopsworks-dr.io/restore-attempt"] === "3", `${name} is not the third attempt`);
        }
        check(snapshotObjects(sh, HOPSWORKS_NAMESPACE)[`ConfigMap/${REFUSED_OBJECT}`] !== null, "the refused object was not restored on the new attempt");
        return "attempt 3: both restores Completed; the missing ConfigMap is back";
    });

    // The restore block is set by hand here, without restore.superset: no Superset restore to wait for.
    await step("restore finish and pulumi up: back to backup operation", () => {
        sh.hopsworksDr(["restore", "finish", "--stack", DRILL_STACK]);
        const r = up(sh);
        check(r.status === 0, `pulumi up failed:\n${r.out.slice(-3000)}`);
        check(sh.getJson(["backupstoragelocation", "hopsworks-bsl", "-n", VELERO_NAMESPACE]).spec.accessMode === "ReadWrite", "the location is not ReadWrite");
        return `bucket ${DRILL_BUCKET} back to ReadWrite; no restore in the stack`;
    });
}
