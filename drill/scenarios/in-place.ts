/**
 * Scenario `in-place`: restore a running installation from one of its own backups, following
 * docs/runbooks/in-place-restore.md, with the refusals that guard it (no typed confirmation, a
 * backup older than the last fresh install) and the re-run clean-up (`restore clean-markers`).
 */
import { isDeepStrictEqual } from "node:util";
import { backupIdAt, backupIdTime } from "../../stacks/catalogue/backup-id";
import { DRILL_HOPSWORKS_VERSION } from "../env";
import { check, Recorder } from "../report";
import { forDrill, readRunbook } from "../runbook";
import { Shell } from "../shell";
import { helmRelease } from "../cluster-state";
import { DRILL_STACK, drillNames, HOPSWORKS_NAMESPACE, takeBackups } from "./backup-mode";
import { checkedSupersetRestore, recordSupersetBefore, writeSupersetContent } from "../superset";
import { ensureBackups } from "./prerequisites";

export const SCENARIO = "in-place";
export const RUNBOOK = "in-place-restore.md";

function installedAt(sh: Shell): string {
    return JSON.parse(sh.pulumi(["stack", "output", "hopsworksInstalledAt", "--json"], { stack: DRILL_STACK }).stdout);
}

export async function inPlace(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    await ensureBackups(rec, sh, SCENARIO);
    const set = (key: string, value: string) => sh.pulumi(["config", "set", "--path", key, value], { stack: DRILL_STACK });
    const clear = () => sh.pulumi(["config", "rm", "restore"], { stack: DRILL_STACK, allowFailure: true });

    const { backupId, veleroBackups, supersetBackup } = await step("Take a restore point after the last fresh install", async () => {
        const installed = Date.parse(installedAt(sh));
        const taken = Object.keys(sh.getJson(["configmap", "rondb-backups-metadata", "-n", HOPSWORKS_NAMESPACE])?.data ?? {});
        // IDs have minute precision: wait for a minute that starts after the install and that no
        // earlier restore point of the drill has (production's backups are hours apart).
        const ready = () => backupIdTime(backupIdAt(new Date()))!.getTime() > installed && !taken.includes(backupIdAt(new Date()));
        while (!ready()) await new Promise((r) => setTimeout(r, 2_000));
        return await takeBackups(sh);
    });

    await step("pulumi preview refuses a backup taken before the last fresh install (read through the stack's reference to itself)", () => {
        const older = backupIdAt(new Date(Date.parse(installedAt(sh)) - 2 * 86_400_000));
        set("restore.mode", "in-place");
        set("restore.backupId", older);
        set("restore.backupHopsworksVersion", DRILL_HOPSWORKS_VERSION);
        set("restore.forceDataClear", "true");
        set("restore.confirm", `${DRILL_STACK}/${older}`);
        set("restore.veleroBackups.main", veleroBackups.main);
        set("restore.veleroBackups.users", veleroBackups.users);
        // This pair is the newer point's, outside the older ID's window: acknowledged, so the install-date check is what refuses.
        set("restore.veleroBackupsOutsideWindow", older);
        const r = sh.pulumi(["preview"], { stack: DRILL_STACK, allowFailure: true });
        clear();
        const out = `${r.stdout}\n${r.stderr}`;
        check(r.status !== 0, "an in-place restore of a backup older than the install was accepted");
        check(new RegExp(`restore\\.backupId = "${older}": the backup was taken .* before this cluster's fresh install`).test(out), `the refusal does not say why:\n${out.slice(-2000)}`);
        return out.split("\n").find((l) => /before this cluster's fresh install/.test(l))!.trim().slice(0, 300);
    });

    await step("pulumi preview refuses the in-place restore until it is confirmed by typing <stack>/<backupId>", () => {
        sh.hopsworksDr(["restore", "plan", "--stack", DRILL_STACK, "--mode", "in-place", "--backup", backupId, "--backup-version", DRILL_HOPSWORKS_VERSION]);
        const r = sh.pulumi(["preview"], { stack: DRILL_STACK, allowFailure: true });
        clear();
        const out = `${r.stdout}\n${r.stderr}`;
        check(r.status !== 0 && /hopsworks-dr:restore\.confirm is missing: must be exactly/.test(out), `the preview did not refuse the unconfirmed restore:\n${out.slice(-2000)}`);
        check(!/hopsworks-dr:index:|kubernetes:/.test(out), "resources were declared before the refusal");
        return "refused before any resource, naming restore.confirm";
    });

    const supersetBefore = await step("Superset changes after the restore point (a dashboard renamed): the restore must roll it back", (ctx) => {
        const changed = writeSupersetContent(sh, HOPSWORKS_NAMESPACE, `after ${backupId}`);
        ctx.detail(`${Object.keys(changed).join(", ")} changed after Superset backup ${supersetBackup}`);
        return { ...recordSupersetBefore(sh, HOPSWORKS_NAMESPACE), backupId: supersetBackup };
    });

    const before = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE).version as number;
    const names = drillNames(sh, { backupId, veleroBackups });
    let ups = 0;
    for (const command of readRunbook(RUNBOOK)) {
        const line = forDrill(command, names);
        await step(`Runbook: ${line}`, async (ctx) => {
            if (/ restore finish\b/.test(line)) ctx.detail(await checkedSupersetRestore(sh, HOPSWORKS_NAMESPACE, DRILL_STACK, supersetBefore));
            const t0 = Date.now();
            const r = sh.line(line);
            if (/^pulumi up\b/.test(line)) {
                ups++;
                ctx.figure("pulumiUpSeconds", (Date.now() - t0) / 1000);
                const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
                check(release.info.status === "deployed" && release.version === before + ups, `release revision ${release.version} is ${release.info.status}`);
                const restore = release.config?.global?._hopsworks?.restoreFromBackup;
                if (ups === 1) {
                    const { superset, ...platform } = restore ?? {};
                    check(isDeepStrictEqual(platform, { backupId, inPlace: true, forceDataClear: true }), `the upgrade's restore values are ${JSON.stringify(restore)}`);
                    // Hopsworks 5.2: Superset's step one, its Job waiting for the chart's in-place Restore of the main backup.
                    const { initiatedBy, ...stepOne } = superset ?? {};
                    check(
                        isDeepStrictEqual(stepOne, { enabled: true, backupId: supersetBackup, veleroRestoreName: veleroBackups.main }) && typeof initiatedBy === "string",
                        `the upgrade's Superset restore values are ${JSON.stringify(superset)}`,
                    );
                    check(release.config.hopsworks?.velero?.restore?.mainScheduleBackupId !== undefined, "the upgrade does not name the Velero backups of the restore point");
                } else {
                    check(restore === undefined, `restore values remain after restore finish: ${JSON.stringify(restore)}`);
                }
            }
            return r.stdout.trim().split("\n").slice(-2).join(" | ");
        });
    }

    await step("restore clean-markers lists the manual's markers, then deletes them with --yes", () => {
        const jobs = () =>
            (sh.getJson(["jobs", "-n", HOPSWORKS_NAMESPACE])?.items ?? []).map((j: any) => j.metadata.name as string).filter((n: string) => n.includes(backupId));
        const restores = () => ((sh.getJson(["restores.velero.io", "-n", "velero"])?.items ?? []) as any[]).map((r) => r.metadata.name as string);
        const left = [...jobs(), ...restores()];
        check(jobs().length > 0 && restores().length > 0, `the in-place restore left no markers to clean: ${left.join(", ")}`);
        const list = sh.hopsworksDr(["restore", "clean-markers", "--backup", backupId]);
        for (const marker of left) check(list.stdout.includes(`${marker}: exists`), `clean-markers does not list ${marker}:\n${list.stdout}`);
        sh.hopsworksDr(["restore", "clean-markers", "--backup", backupId, "--yes"]);
        check(jobs().length === 0 && restores().length === 0, `markers remain: ${[...jobs(), ...restores()].join(", ")}`);
        return `listed and deleted ${left.join(", ")}`;
    });

    await step("pulumi preview --expect-no-changes after the in-place restore is finished", () => {
        const r = sh.pulumi(["preview", "--expect-no-changes"], { stack: DRILL_STACK, allowFailure: true });
        check(r.status === 0, `the preview found changes:\n${r.stdout.slice(-3000)}`);
        return "no changes";
    });
}
