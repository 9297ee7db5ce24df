/**
 * Scenario `superset`: Hopsworks 5.2's Superset restored alone on a running cluster, without a
 * platform restore, by docs/runbooks/superset-restore.md line by line: a Superset backup, then a
 * change to Superset's content, then step one (`restore plan --mode superset`, `pulumi up`),
 * the chart's restore Job (played: kwok runs no containers) while `restore finish` refuses, and
 * step two (`restore finish`, `pulumi up`), after which the content is the backup's again. Then
 * the same backup after the secret key was rotated: the Job refuses it, and the way `restore
 * finish` then gives to run it again works.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { DRILL_BUCKET } from "../env";
import { check, Recorder, StepContext } from "../report";
import { forDrill, readRunbook } from "../runbook";
import { Shell } from "../shell";
import { helmRelease } from "../cluster-state";
import {
    playSupersetRestoreJob,
    primarySupersetStore,
    recordSupersetBefore,
    SupersetBefore,
    supersetContent,
    supersetRestoreBeforeFinish,
    supersetRestoreRequested,
    supersetSecretKey,
    takeSupersetBackup,
    writeSupersetContent,
} from "../superset";
import { DRILL_STACK, drillNames, HOPSWORKS_NAMESPACE } from "./backup-mode";
import { ensureBackups } from "./prerequisites";
import { SUPERSET, supersetRestoreJob } from "../../stacks/names";

export const SCENARIO = "superset";
export const RUNBOOK = "superset-restore.md";
/** The runbook's example Superset backup. */
const EXAMPLE_BACKUP = "20260722215632-2116913658";

export async function superset(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    const taken = await ensureBackups(rec, sh, SCENARIO);
    const store = primarySupersetStore(sh);

    const { backupId, before } = await step("Take a Superset backup (create-superset-backup), then change Superset's content after it", async (ctx) => {
        const id = await takeSupersetBackup(sh, HOPSWORKS_NAMESPACE, store);
        const changed = writeSupersetContent(sh, HOPSWORKS_NAMESPACE, `after ${id}`);
        ctx.detail(`Superset backup ${id} in s3://${DRILL_BUCKET}/superset_backup/${id}/; then ${Object.keys(changed).join(", ")} changed`);
        return { backupId: id, before: recordSupersetBefore(sh, HOPSWORKS_NAMESPACE) };
    });

    const names = drillNames(sh, taken, { [EXAMPLE_BACKUP]: backupId, [`prod/${EXAMPLE_BACKUP}`]: `${DRILL_STACK}/${backupId}` });
    const revision = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE).version as number;
    let ups = 0;
    for (const command of readRunbook(RUNBOOK)) {
        const line = forDrill(command, names);
        await step(`Runbook: ${line}`, async (ctx) => {
            if (/ restore finish\b/.test(line)) ctx.detail(await restoreJobRuns(sh, store, before));
            const r = sh.line(line);
            if (/ restore plan .*--dry-run/.test(line)) check(r.stdout.includes(backupId), `restore plan --mode superset does not take the newest Superset backup ${backupId}:\n${r.stdout}`);
            if (/^pulumi preview --diff\b/.test(line)) check(/acknowledgeNoVeleroBarrier\s*:\s*true/.test(r.stdout) && r.stdout.includes(backupId), `the preview does not show step one:\n${r.stdout.slice(-3000)}`);
            if (/^pulumi up\b/.test(line)) {
                ups++;
                if (ups === 1) checkStepOne(sh, backupId, revision + 1);
                else checkStepTwo(sh, backupId, revision + 2);
            }
            return r.stdout.trim().split("\n").slice(-2).join(" | ");
        });
    }

    await step("pulumi preview --expect-no-changes after the Superset restore is finished", (ctx: StepContext) => {
        const r = sh.pulumi(["preview", "--expect-no-changes"], { stack: DRILL_STACK, allowFailure: true });
        check(r.status === 0, `the preview found changes:\n${r.stdout.slice(-3000)}`);
        ctx.detail("no changes");
    });

    const advice = await step("The secret key rotated since the backup: the restore Job refuses the backup and leaves the database alone; restore finish says it failed, keeps the flag and says what to do", async (ctx) => {
        setSecretKey(sh, `rotated-${before.secretKey}`);
        sh.hopsworksDr(["restore", "plan", "--stack", DRILL_STACK, "--mode", "superset", "--superset-backup", backupId, "--yes"]);
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        const content = supersetContent(sh, HOPSWORKS_NAMESPACE);
        const played = await playSupersetRestoreJob(sh, HOPSWORKS_NAMESPACE, store);
        check(played === "failed: the secret key's fingerprint", `the restore Job did not refuse the backup: ${played}`);
        check(isDeepStrictEqual(supersetContent(sh, HOPSWORKS_NAMESPACE), content), "the refused restore changed Superset's database");
        const r = sh.hopsworksDr(["restore", "finish", "--stack", DRILL_STACK], { allowFailure: true });
        check(r.status === 1 && r.stderr.includes(`${SUPERSET.stateConfigMap} records failed`), `restore finish did not say the restore failed (exit ${r.status}):\n${r.stderr}`);
        check(/hopsworks-dr:restore:/.test(readFileSync(path.join(sh.project, `Pulumi.${DRILL_STACK}.yaml`), "utf8")), "restore finish removed the restore block of a failed restore");
        ctx.detail(r.stderr.trim().slice(0, 600));
        return r.stderr;
    });

    await step("Run it again as restore finish says: the key put back, its kubectl lines, a new initiatedBy and pulumi up make the Job again; it ends, restore finish and pulumi up finish", async (ctx) => {
        setSecretKey(sh, before.secretKey);
        const lines = [
            /kubectl delete job \S+ -n \S+ --ignore-not-found=true/,
            /kubectl patch configmap superset-restore-state -n \S+ --type merge -p '[^']*'/,
            /pulumi config set --path restore\.superset\.initiatedBy "<you>, attempt 2" -s [\w.-]+/,
        ].map((pattern) => pattern.exec(advice)?.[0]);
        check(lines.every((l) => l !== undefined), `restore finish does not name the lines to run it again:\n${advice}`);
        for (const line of lines) sh.line(line!.replace("<you>", "drill"));
        const up = sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK, allowFailure: true });
        check(up.status === 0, `pulumi up failed:\n${`${up.stdout}\n${up.stderr}`.split("\n").filter((l) => /error|fail|warning/i.test(l)).join("\n").slice(0, 4000)}`);
        const again = supersetRestoreRequested(sh, HOPSWORKS_NAMESPACE);
        check(again?.initiatedBy === "drill, attempt 2", `the chart made no new restore Job: ${JSON.stringify(again)}`);
        const done = await supersetRestoreBeforeFinish(sh, HOPSWORKS_NAMESPACE, DRILL_STACK, store);
        sh.hopsworksDr(["restore", "finish", "--stack", DRILL_STACK]);
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        const r = sh.pulumi(["preview", "--expect-no-changes"], { stack: DRILL_STACK, allowFailure: true });
        check(r.status === 0, `the preview found changes:\n${r.stdout.slice(-3000)}`);
        ctx.detail(`${lines.join("; ")}; ${done}`);
    });
}

/** An operator's rotation of Superset's secret key (the chart keeps whatever the live Secret holds). */
function setSecretKey(sh: Shell, key: string): void {
    const patch = JSON.stringify({ data: { value: Buffer.from(key).toString("base64") } });
    sh.kubectl(["patch", "secret", "superset-secret-key", "-n", HOPSWORKS_NAMESPACE, "--type", "merge", "-p", patch]);
}

/** The Job runs (played) between the two steps; the secret key is untouched, as a Superset-only restore needs it. */
async function restoreJobRuns(sh: Shell, store: ReturnType<typeof primarySupersetStore>, before: SupersetBefore): Promise<string> {
    const done = await supersetRestoreBeforeFinish(sh, HOPSWORKS_NAMESPACE, DRILL_STACK, store);
    check(done, "no Superset restore is on after step one");
    check(supersetSecretKey(sh, HOPSWORKS_NAMESPACE) === before.secretKey, "superset-secret-key changed during a Superset-only restore");
    return done;
}

/** Step one: the chart holds Superset at zero replicas and runs the restore Job, with the page's acknowledgement in place of a Velero Restore. */
function checkStepOne(sh: Shell, backupId: string, revision: number): void {
    const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
    check(release.info.status === "deployed" && release.version === revision, `release revision ${release.version} is ${release.info.status}`);
    const restore = release.config?.global?._hopsworks?.restoreFromBackup;
    check(restore?.backupId === undefined && restore?.inPlace === undefined, `a Superset-only restore carries platform restore values: ${JSON.stringify(restore)}`);
    const superset = restore?.superset;
    check(superset?.enabled === true && superset.backupId === backupId && superset.acknowledgeNoVeleroBarrier === true && !superset.veleroRestoreName, `step one's values are ${JSON.stringify(superset)}`);
    check(sh.getJson(["deployment", "superset", "-n", HOPSWORKS_NAMESPACE])?.spec?.replicas === 0, "Superset is not held at zero replicas during its restore");
    check(sh.getJson(["job", supersetRestoreJob(backupId), "-n", HOPSWORKS_NAMESPACE]), `no Job ${supersetRestoreJob(backupId)}`);
}

/** Step two: no restore values, Superset back at one replica, the Job gone with the flag. */
function checkStepTwo(sh: Shell, backupId: string, revision: number): void {
    const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
    check(release.info.status === "deployed" && release.version === revision, `release revision ${release.version} is ${release.info.status}`);
    check(release.config?.global?._hopsworks?.restoreFromBackup === undefined, `restore values remain: ${JSON.stringify(release.config?.global?._hopsworks)}`);
    check(sh.getJson(["deployment", "superset", "-n", HOPSWORKS_NAMESPACE])?.spec?.replicas === 1, "Superset is not running again after step two");
    check(!sh.getJson(["job", supersetRestoreJob(backupId), "-n", HOPSWORKS_NAMESPACE]), `Job ${supersetRestoreJob(backupId)} remains after step two`);
}
