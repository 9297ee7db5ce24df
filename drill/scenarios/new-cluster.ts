/**
 * Scenario `new-cluster`: total cluster loss, then the runbook docs/runbooks/total-cluster-loss.md
 * followed line by line (its commands are the drill's commands, test/drill/runbook.test.ts keeps
 * them in step) on a fresh control plane, against the same bucket.
 */
import { freshCluster, loseCluster, VELERO_NAMESPACE } from "../env";
import { check, Recorder, StepContext } from "../report";
import { forDrill, readRunbook } from "../runbook";
import { Shell } from "../shell";
import { helmRelease, snapshotObjects } from "../cluster-state";
import { checkedSupersetRestore, recordSupersetBefore } from "../superset";
import { DRILL_STACK, drillNames, HOPSWORKS_NAMESPACE, TakenBackups } from "./backup-mode";
import { ensureBackups } from "./prerequisites";
import { LOCATION_NAME, LOCATION_PREFIX, VELERO_SCHEDULES } from "../../stacks/names";

export const SCENARIO = "new-cluster";
export const RUNBOOK = "total-cluster-loss.md";

export type Step = ReturnType<Recorder["scenario"]>;

export async function newCluster(rec: Recorder, sh: Shell): Promise<void> {
    const taken = await ensureBackups(rec, sh, SCENARIO);
    await loseClusterAndRestore(rec.scenario(SCENARIO), sh, taken);
}

/**
 * The total loss and total-cluster-loss.md, line by line, restoring `backupId`: what `new-cluster`
 * rehearses, and what `ransomware` runs once the backups are recovered.
 */
export async function loseClusterAndRestore(step: Step, sh: Shell, { backupId, veleroBackups, supersetBackup }: TakenBackups): Promise<void> {
    const before = await step("Record what the cluster holds and the bucket's backups before the loss", () => {
        const objects = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
        check(Object.values(objects).every((o) => o !== null), `objects worth restoring are missing before the loss: ${JSON.stringify(objects)}`);
        const versions = sh.objectVersions(`${LOCATION_PREFIX}/backups/`);
        // The restore points the cluster shows, which `backups list --from-bucket` must show after the loss.
        const points = (JSON.parse(sh.line(`node cli/bin.js backups list --stack ${DRILL_STACK} --json`).stdout) as CataloguePoint[]).map(pointPair);
        const superset = { ...recordSupersetBefore(sh, HOPSWORKS_NAMESPACE), backupId: supersetBackup };
        return { objects, versions, points, superset, detail: `${Object.keys(objects).length} objects, ${versions.length} backup object versions, ${points.length} restore points, Superset's secret key` };
    });

    await step("Lose the cluster: stop the control plane and delete etcd's data (the bucket survives)", async () => {
        loseCluster(sh.drill.run);
        await freshCluster(sh.env, sh.drill.run);
        const namespaces = sh.getJson(["namespaces"]).items.map((n: any) => n.metadata.name);
        check(!namespaces.includes(HOPSWORKS_NAMESPACE) && !namespaces.includes(VELERO_NAMESPACE), `the new cluster is not empty: ${namespaces.join(", ")}`);
        return `fresh control plane up; namespaces: ${namespaces.join(", ")}`;
    });

    const names = drillNames(sh, { backupId, veleroBackups });
    let ups = 0;
    let upStarted = 0;
    for (const command of readRunbook(RUNBOOK)) {
        const line = forDrill(command, names);
        await step(`Runbook: ${line}`, async (ctx) => {
            if (/ restore finish\b/.test(line)) ctx.detail(await checkedSupersetRestore(sh, HOPSWORKS_NAMESPACE, DRILL_STACK, before.superset));
            const isUp = /^pulumi up\b/.test(line);
            if (isUp) upStarted = Date.now();
            const r = sh.line(line);
            if (/^node cli\/bin\.js backups list .*--from-bucket/.test(line)) checkBucketListing(r.stdout, before.points, backupId);
            if (/^node cli\/bin\.js restore plan .*--from-bucket/.test(line)) {
                for (const name of Object.values(veleroBackups)) check(r.stdout.includes(name), `restore plan --from-bucket did not choose Velero backup ${name}:\n${r.stdout}`);
            }
            if (/^pulumi preview --diff\b/.test(line) && ups === 0) checkRestorePreview(r.stdout);
            if (isUp) {
                ups++;
                ctx.figure("pulumiUpSeconds", (Date.now() - upStarted) / 1000);
                if (ups === 1) await checkRestored(sh, ctx, { backupId, veleroBackups, before, upStarted });
                if (ups === 2) checkFinished(sh);
            }
            return r.stdout.trim().split("\n").slice(-3).join(" | ");
        });
    }

    await step("pulumi preview --expect-no-changes after the restore is finished", () => {
        const r = sh.pulumi(["preview", "--expect-no-changes"], { stack: DRILL_STACK, allowFailure: true });
        check(r.status === 0, `the preview found changes:\n${r.stdout.slice(-3000)}`);
        return "no changes";
    });
}

interface CataloguePoint {
    id: string;
    velero: { main: { name: string } | null; users: { name: string } | null };
}

/** A restore point as both listings show it: ID and its two Velero backups. */
function pointPair(p: CataloguePoint): string {
    return `${p.id} ${p.velero.main?.name ?? "-"} ${p.velero.users?.name ?? "-"}`;
}

/**
 * `backups list --from-bucket` after the loss shows every restore point the cluster showed before
 * it, in the same order, with the same Velero pairs (the bucket records no RonDB or OpenSearch
 * state), and the drill's point complete. The bucket may hold more: folders of points whose
 * metadata an earlier scenario's cluster took with it.
 */
function checkBucketListing(stdout: string, before: string[], backupId: string): void {
    const rows = listingRows(stdout);
    const name = (cell: string) => cell.replace(/ \(.*\)$/, "");
    const after = rows.map((row) => `${row["BACKUP ID"]} ${name(row["VELERO MAIN"])} ${name(row["VELERO USERS"])}`);
    const shown = after.filter((point) => before.includes(point));
    check(JSON.stringify(shown) === JSON.stringify(before), `backups list --from-bucket does not show the restore points the cluster did:\nbefore ${before.join(", ")}\nafter  ${after.join(", ")}`);
    check(rows.some((row) => row["BACKUP ID"] === backupId && row.COMPLETE === "yes"), `backups list --from-bucket does not show backup ${backupId} complete:\n${stdout}`);
}

/** `backups list`'s table as rows keyed by its header's column names (columns are two or more spaces apart). */
export function listingRows(stdout: string): Record<string, string>[] {
    const [header, ...lines] = stdout.trim().split("\n").map((line) => line.split(/\s{2,}/));
    return lines.map((cells) => Object.fromEntries(header.map((column, i) => [column, cells[i] ?? ""])));
}

/** The preview of the restore shows the ReadOnly location and the two Velero Restores. */
function checkRestorePreview(stdout: string): void {
    check(/accessMode\s*:\s*"ReadOnly"/.test(stdout), `the preview does not show hopsworks-bsl ReadOnly:\n${stdout.slice(-3000)}`);
    for (const name of Object.values(VELERO_SCHEDULES)) {
        check(new RegExp(`\\+ kubernetes:velero.io/v1:Restore: \\(create\\)[\\s\\S]*?name\\s*:\\s*"${name}"`).test(stdout), `the preview does not create Restore ${name}`);
    }
}

async function checkRestored(
    sh: Shell,
    ctx: StepContext,
    expected: { backupId: string; veleroBackups: { main: string; users: string }; before: { objects: Record<string, unknown>; versions: string[]; points: string[] }; upStarted: number },
): Promise<void> {
    const restores = Object.values(VELERO_SCHEDULES).map((name) => sh.getJson(["restores.velero.io", name, "-n", VELERO_NAMESPACE]));
    const [main, users] = restores;
    for (const r of restores) check(r?.status?.phase === "Completed", `restore ${r?.metadata?.name} is ${r?.status?.phase}`);
    check(Date.parse(users.status.startTimestamp) >= Date.parse(main.status.completionTimestamp), "the users restore started before the main restore completed");
    check(main.spec.backupName === expected.veleroBackups.main, `k8s-backups-main restored ${main.spec.backupName}, not ${expected.veleroBackups.main}`);
    check(users.spec.backupName === expected.veleroBackups.users, `k8s-backups-users-resources restored ${users.spec.backupName}, not ${expected.veleroBackups.users}`);
    // The backups came from the bucket: synced into the new cluster before the restores began.
    for (const name of Object.values(expected.veleroBackups)) {
        const backup = sh.getJson(["backups.velero.io", name, "-n", VELERO_NAMESPACE]);
        check(backup && Date.parse(backup.metadata.creationTimestamp) <= Date.parse(main.status.startTimestamp), `backup ${name} was not synced before the restore`);
    }
    const bsl = sh.getJson(["backupstoragelocation", LOCATION_NAME, "-n", VELERO_NAMESPACE]);
    check(bsl.spec.accessMode === "ReadOnly", `hopsworks-bsl is ${bsl.spec.accessMode} during the restore`);
    const after = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
    check(JSON.stringify(after) === JSON.stringify(expected.before.objects), `restored objects differ:\nbefore ${JSON.stringify(expected.before.objects)}\nafter  ${JSON.stringify(after)}`);
    const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
    check(release.info.status === "deployed", `the Hopsworks release is ${release.info.status}`);
    check(release.config?.global?._hopsworks?.restoreFromBackup?.backupId === expected.backupId, `the release's restoreFromBackup is ${JSON.stringify(release.config?.global?._hopsworks?.restoreFromBackup)}`);
    const versions = sh.objectVersions(`${LOCATION_PREFIX}/backups/`);
    check(JSON.stringify(versions) === JSON.stringify(expected.before.versions), `the bucket's backups changed while the location was ReadOnly:\nbefore ${expected.before.versions.length}, after ${versions.length}`);
    // Recovery time: what Velero and Helm spent, and what the program added on top.
    const seconds = (r: any) => (Date.parse(r.status.completionTimestamp) - Date.parse(r.status.startTimestamp)) / 1000;
    const up = (Date.now() - expected.upStarted) / 1000;
    ctx.figure("mainRestoreSeconds", seconds(main));
    ctx.figure("usersRestoreSeconds", seconds(users));
    ctx.figure("locationSyncedSecondsAfterUpStart", (Date.parse(bsl.status.lastSyncedTime) - expected.upStarted) / 1000);
    ctx.figure("restoreUpSeconds", up);
}

function checkFinished(sh: Shell): void {
    const bsl = sh.getJson(["backupstoragelocation", LOCATION_NAME, "-n", VELERO_NAMESPACE]);
    check(bsl.spec.accessMode === "ReadWrite", `hopsworks-bsl is ${bsl.spec.accessMode} after restore finish`);
    const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
    check(release.info.status === "deployed" && release.version >= 2, `the Hopsworks upgrade is ${release.info.status} (revision ${release.version})`);
    check(release.config?.global?._hopsworks?.restoreFromBackup === undefined, `restore values remain: ${JSON.stringify(release.config?.global?._hopsworks)}`);
}
