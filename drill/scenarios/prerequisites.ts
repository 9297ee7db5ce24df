/**
 * What the restore scenarios start from: the drill stack deployed in backup mode with a restore
 * point. After `backup-mode` it is there and is only read back; a scenario run on its own
 * (`--scenario new-cluster`) sets it up first, in steps of its own.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { VELERO_NAMESPACE } from "../env";
import { check, Recorder } from "../report";
import { Shell } from "../shell";
import { configureDrillStack, createBucketFromRender, DRILL_STACK, HOPSWORKS_NAMESPACE, TakenBackups, takeBackups } from "./backup-mode";
import { playSupersetRestoreJob, primarySupersetStore, supersetRestoreRequested } from "../superset";
import { VELERO_SCHEDULES } from "../../stacks/names";

function stackExists(sh: Shell): boolean {
    const r = sh.pulumi(["stack", "ls", "--json"], { allowFailure: true });
    return r.status === 0 && (JSON.parse(r.stdout) as { name: string }[]).some((s) => s.name === DRILL_STACK);
}

/** The newest restore point in the cluster: the newest RonDB entry and each schedule's newest Completed backup. */
function newestRestorePoint(sh: Shell): TakenBackups | undefined {
    const metadata = sh.getJson(["configmap", "rondb-backups-metadata", "-n", HOPSWORKS_NAMESPACE]);
    const ids = Object.entries(metadata?.data ?? {})
        .map(([id, text]) => ({ id, started: Date.parse(JSON.parse(String(text)).start_time) }))
        .sort((a, b) => b.started - a.started);
    if (ids.length === 0) return undefined;
    const backups = (sh.getJson(["backups.velero.io", "-n", VELERO_NAMESPACE])?.items ?? []) as any[];
    const newest = (schedule: string) =>
        backups
            .filter((b) => b.metadata.labels?.["velero.io/schedule-name"] === schedule && b.status?.phase === "Completed")
            .sort((a, b) => Date.parse(b.status.startTimestamp) - Date.parse(a.status.startTimestamp))[0]?.metadata.name;
    const main = newest(VELERO_SCHEDULES.main);
    const users = newest(VELERO_SCHEDULES.users);
    if (!main || !users) return undefined;
    return { backupId: ids[0].id, veleroBackups: { main, users }, detail: `restore point ${ids[0].id}: ${main}, ${users}` };
}

export async function ensureBackups(rec: Recorder, sh: Shell, scenario: string): Promise<TakenBackups> {
    return rec.step(scenario, "Prerequisite: the drill stack in backup mode with a restore point", async (ctx) => {
        if (!stackExists(sh)) {
            configureDrillStack(sh);
            createBucketFromRender(sh);
        } else if (/hopsworks-dr:restore:/.test(readFileSync(path.join(sh.project, `Pulumi.${DRILL_STACK}.yaml`), "utf8"))) {
            // A scenario before this one stopped mid-restore: finish it, as an operator would.
            if (supersetRestoreRequested(sh, HOPSWORKS_NAMESPACE)) await playSupersetRestoreJob(sh, HOPSWORKS_NAMESPACE, primarySupersetStore(sh));
            sh.hopsworksDr(["restore", "finish", "--stack", DRILL_STACK]);
            sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        }
        const point = newestRestorePoint(sh);
        if (point) {
            ctx.detail(`found ${point.detail}`);
            return point;
        }
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        const taken = await takeBackups(sh);
        check(newestRestorePoint(sh)?.backupId === taken.backupId, "the restore point just taken is not the newest");
        ctx.detail(`deployed and took ${taken.detail}`);
        return taken;
    });
}
