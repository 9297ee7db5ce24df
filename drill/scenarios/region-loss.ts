/**
 * Scenario `region-loss`: the primary region is gone, its S3 endpoint stopped for good and the
 * cluster with it. docs/runbooks/region-loss.md, line by line, restores Hopsworks from the vault
 * on a fresh control plane, then makes the vault the primary with a new vault on a third endpoint.
 * Every object comes back, the vault's versions stay as they were, and Velero's next backup goes
 * into the old vault, under its Object Lock. Runs last: the primary's store does not come back.
 */
import { PutBucketReplicationCommand } from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { LOCATION_NAME, LOCATION_PREFIX, VELERO_SCHEDULES } from "../../stacks/names";
import { DRILL_BUCKET, freshCluster, loseCluster, startS3Store, VELERO_NAMESPACE } from "../env";
import { helmRelease, snapshotObjects, takeScheduledBackup } from "../cluster-state";
import { stopProcess } from "../processes";
import { check, Recorder, StepContext } from "../report";
import { DrillNames, forDrill, readRunbook } from "../runbook";
import { Shell } from "../shell";
import { createVaultFromRender, ensureVault, NEW_VAULT, takeReplicatedRestorePoint, VAULT, vaultClient, versionsOf } from "../vault";
import { DRILL_STACK, HOPSWORKS_NAMESPACE, render } from "./backup-mode";
import { supersetRestoreBeforeFinish } from "../superset";
import { ensureBackups } from "./prerequisites";
import { listingRows, Step } from "./new-cluster";

export const SCENARIO = "region-loss";
export const RUNBOOK = "region-loss.md";

/** region-loss.md's examples and the drill's stores for them. */
export function regionLossExamples(): Record<string, string> {
    return {
        "hopsworks-prod-vault-2": NEW_VAULT.bucket,
        "hopsworks-prod-vault": VAULT.bucket,
        "https://s3.eu-west-1.store.example.com": VAULT.endpoint,
        "https://s3.eu-central-1.store.example.com": NEW_VAULT.endpoint,
        "eu-west-1": VAULT.region,
        "eu-central-1": NEW_VAULT.region,
    };
}

interface Before {
    objects: Record<string, unknown>;
    vault: string[];
}

export async function regionLoss(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    await ensureBackups(rec, sh, SCENARIO);
    const { backupId, veleroBackups } = await takeReplicatedRestorePoint(step, sh, await ensureVault(rec, sh, SCENARIO));

    const before: Before = await step("Record what the cluster holds and the vault's versions before the loss", async () => {
        const objects = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
        const vault = await versionsOf(vaultClient(), VAULT.bucket);
        for (const name of Object.values(veleroBackups)) {
            check(vault.some((v) => v.startsWith(`${LOCATION_PREFIX}/backups/${name}/velero-backup.json@`)), `the vault has no copy of Velero backup ${name}`);
        }
        return { objects, vault, detail: `${Object.keys(objects).length} objects; the vault holds ${vault.length} versions, the point's Velero backups among them` };
    });

    await step("Lose the region: the primary's S3 endpoint stops for good, the cluster with it", async () => {
        check(stopProcess(sh.drill.run, "moto"), "the primary's store was not running");
        const answered = await fetch(sh.env.DRILL_S3_ENDPOINT!).then(() => true, () => false);
        check(!answered, "the primary's endpoint still answers");
        loseCluster(sh.drill.run);
        await freshCluster(sh.env, sh.drill.run);
        return `primary ${DRILL_BUCKET} at ${sh.env.DRILL_S3_ENDPOINT} gone; fresh control plane up`;
    });

    const names: DrillNames = { stack: DRILL_STACK, backupId, bucket: DRILL_BUCKET, s3Endpoint: VAULT.endpoint, veleroBackups, more: regionLossExamples() };
    await followRunbook(step, sh, names, before);

    await step("Velero writes the next backup into the new primary, the old vault; its old versions are unchanged", async () => {
        const name = takeScheduledBackup(sh, VELERO_SCHEDULES.main);
        const after = await versionsOf(vaultClient(), VAULT.bucket);
        const lost = before.vault.filter((v) => !after.includes(v));
        check(lost.length === 0, `the old vault lost ${lost.length} versions, e.g. ${lost.slice(0, 3).join(", ")}`);
        check(after.some((v) => v.startsWith(`${LOCATION_PREFIX}/backups/${name}/velero-backup.json@`)), `backup ${name} is not in ${VAULT.bucket}`);
        return `${name} Completed in ${VAULT.bucket} (Object Lock); its ${before.vault.length} earlier versions unchanged`;
    });

    await step("pulumi preview --expect-no-changes after the move", () => {
        const r = sh.pulumi(["preview", "--expect-no-changes"], { stack: DRILL_STACK, allowFailure: true });
        check(r.status === 0, `the preview found changes:\n${r.stdout.slice(-3000)}`);
        return "no changes";
    });
}

/** region-loss.md's Commands, with a check after the lines that change what the drill can see. */
async function followRunbook(step: Step, sh: Shell, names: DrillNames, before: Before): Promise<void> {
    let ups = 0;
    let renders = 0;
    for (const command of readRunbook(RUNBOOK)) {
        const line = forDrill(command, names);
        await step(`Runbook: ${line}`, async (ctx) => {
            if (/ restore finish\b/.test(line)) {
                const superset = await supersetRestoreBeforeFinish(sh, HOPSWORKS_NAMESPACE, DRILL_STACK, { client: vaultClient(), bucket: VAULT.bucket });
                check(superset, "the restore from the vault restores no Superset backup");
                ctx.detail(superset);
            }
            const started = Date.now();
            const r = sh.line(line);
            if (/ backups list .*--vault/.test(line)) checkVaultListing(r.stdout, names);
            if (/ restore plan .*--vault/.test(line)) check(/\bsource: vault\b/.test(stackFile(sh)), "restore plan --vault did not write restore.source: vault");
            if (/^npm run render\b/.test(line)) renders++;
            if (/^pulumi up\b/.test(line)) {
                ups++;
                ctx.figure("pulumiUpSeconds", (Date.now() - started) / 1000);
                if (ups === 1) await checkRestoredFromVault(sh, ctx, names, before);
                if (ups === 2) checkVaultIsPrimary(sh);
            }
            return r.stdout.trim().split("\n").slice(-3).join(" | ");
        });
        if (renders === 2 && /^npm run render\b/.test(line)) {
            renders++;
            await step("The owners at work: the new vault made from the render's vault.json on a third S3 endpoint, its replication rule put on the new primary", async () => {
                await startS3Store(sh.drill.run, sh.env, NEW_VAULT.process, NEW_VAULT.port);
                const file = await createVaultFromRender(render(sh).vault!, NEW_VAULT);
                check(file.Replication.SourceBucket === VAULT.bucket, `vault.json replicates from ${file.Replication.SourceBucket}, not the new primary ${VAULT.bucket}`);
                await vaultClient().send(new PutBucketReplicationCommand({ Bucket: VAULT.bucket, ReplicationConfiguration: file.Replication.ReplicationConfiguration }));
                return `${NEW_VAULT.bucket} at ${NEW_VAULT.endpoint}: Object Lock and versioning on; ${VAULT.bucket} replicates into it`;
            });
        }
    }
}

function stackFile(sh: Shell): string {
    return readFileSync(path.join(sh.project, `Pulumi.${DRILL_STACK}.yaml`), "utf8");
}

function checkVaultListing(stdout: string, names: DrillNames): void {
    const row = listingRows(stdout).find((r) => r["BACKUP ID"] === names.backupId);
    check(row !== undefined, `backups list --vault does not show ${names.backupId}:\n${stdout}`);
    const pair = [row["VELERO MAIN"], row["VELERO USERS"], row.COMPLETE];
    check(JSON.stringify(pair) === JSON.stringify([names.veleroBackups.main, names.veleroBackups.users, "yes"]), `backups list --vault shows ${JSON.stringify(row)}`);
}

async function checkRestoredFromVault(sh: Shell, ctx: StepContext, names: DrillNames, before: Before): Promise<void> {
    const [main, users] = Object.values(VELERO_SCHEDULES).map((name) => sh.getJson(["restores.velero.io", name, "-n", VELERO_NAMESPACE]));
    for (const r of [main, users]) check(r?.status?.phase === "Completed", `restore ${r?.metadata?.name} is ${r?.status?.phase}`);
    check(main.spec.backupName === names.veleroBackups.main && users.spec.backupName === names.veleroBackups.users, `restored ${main.spec.backupName} and ${users.spec.backupName}`);
    const bsl = sh.getJson(["backupstoragelocation", LOCATION_NAME, "-n", VELERO_NAMESPACE]);
    check(bsl.spec.objectStorage.bucket === VAULT.bucket && bsl.spec.config?.s3Url === VAULT.endpoint, `hopsworks-bsl reads ${bsl.spec.objectStorage.bucket} at ${bsl.spec.config?.s3Url}, not the vault`);
    check(bsl.spec.accessMode === "ReadOnly", `hopsworks-bsl is ${bsl.spec.accessMode} during the restore`);
    const after = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
    check(JSON.stringify(after) === JSON.stringify(before.objects), `restored objects differ:\nbefore ${JSON.stringify(before.objects)}\nafter  ${JSON.stringify(after)}`);
    const values = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE).config?.global?._hopsworks;
    check(values?.restoreFromBackup?.backupId === names.backupId, `the release's restoreFromBackup is ${JSON.stringify(values?.restoreFromBackup)}`);
    const s3 = values?.managedObjectStorage?.s3;
    check(s3?.bucket?.name === VAULT.bucket && s3?.region === VAULT.region, `the release's object storage is ${JSON.stringify(s3)}, not the vault`);
    checkVaultKept(before.vault, await versionsOf(vaultClient(), VAULT.bucket));
    const seconds = (r: any) => (Date.parse(r.status.completionTimestamp) - Date.parse(r.status.startTimestamp)) / 1000;
    ctx.figure("mainRestoreSeconds", seconds(main));
    ctx.figure("usersRestoreSeconds", seconds(users));
}

/**
 * Every version the vault held is still there, unchanged; what was added is Velero's record of the
 * restores (k8s_backup/restores/: a ReadOnly location still takes a restore's logs and results).
 */
function checkVaultKept(before: string[], after: string[]): void {
    const lost = before.filter((v) => !after.includes(v));
    check(lost.length === 0, `the vault lost or changed ${lost.length} versions, e.g. ${lost.slice(0, 3).join(", ")}`);
    const added = after.filter((v) => !before.includes(v) && !v.startsWith(`${LOCATION_PREFIX}/restores/`));
    check(added.length === 0, `the restore wrote into the vault outside ${LOCATION_PREFIX}/restores/: ${added.slice(0, 5).join(", ")}`);
}

function checkVaultIsPrimary(sh: Shell): void {
    const bsl = sh.getJson(["backupstoragelocation", LOCATION_NAME, "-n", VELERO_NAMESPACE]);
    check(bsl.spec.accessMode === "ReadWrite" && bsl.spec.objectStorage.bucket === VAULT.bucket, `hopsworks-bsl is ${bsl.spec.accessMode} on ${bsl.spec.objectStorage.bucket}`);
    const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
    check(release.info.status === "deployed" && release.version >= 2, `the Hopsworks upgrade is ${release.info.status} (revision ${release.version})`);
    const values = release.config?.global?._hopsworks ?? {};
    check(values.restoreFromBackup === undefined && values.managedObjectStorage === undefined, `restore or vault values remain: ${JSON.stringify(values)}`);
}
