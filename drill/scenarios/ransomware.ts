/**
 * Scenario `ransomware`: an attacker with exactly the credentials Velero has (read from the
 * cluster, as a leaked kubeconfig allows) deletes every backup object in the primary and writes
 * over velero-backup.json files, then tries to delete the vault's versions, which Object Lock
 * refuses. docs/runbooks/ransomware.md, line by line, brings the backups back; `backups list`
 * shows every restore point again, and a new-cluster restore from the recovered primary passes.
 *
 * moto checks no IAM or bucket policy here: the store policy that keeps Velero's key from deleting
 * versions (docs/security.md) is not what stops this attacker; the refusals in the vault are
 * Object Lock's own, which moto enforces.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { DRILL_BUCKET, DRILL_REGION, VELERO_NAMESPACE } from "../env";
import { check, Recorder } from "../report";
import { storeClient } from "../replication";
import { forDrill, readRunbook, RUNBOOK_EXAMPLES } from "../runbook";
import { Shell } from "../shell";
import { ensureVault, primaryClient, takeReplicatedRestorePoint, tryToDeleteVaultVersions, VAULT, vaultClient, versionsOf } from "../vault";
import { BACKUP_PREFIXES, CREDENTIALS_KEY, CREDENTIALS_SECRET, LOCATION_PREFIX } from "../../stacks/names";
import { DRILL_STACK, drillNames } from "./backup-mode";
import { loseClusterAndRestore, Step } from "./new-cluster";
import { ensureBackups } from "./prerequisites";

export const SCENARIO = "ransomware";
export const RUNBOOK = "ransomware.md";
/** The runbook's example time, for which the drill puts the attack's. */
export const EXAMPLE_SINCE = "2026-01-06T03:00:00Z";
const RANSOM_NOTE = "your backups are encrypted: pay 10 BTC";

export async function ransomware(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    await ensureBackups(rec, sh, SCENARIO);
    const taken = await takeReplicatedRestorePoint(step, sh, await ensureVault(rec, sh, SCENARIO));
    const before = await step("Record the restore points, the primary's backup objects and the vault's versions before the attack", () => recordBefore(sh));
    const since = await step("Note the time: the attack starts after it (the runbook's --since)", () => attackTime());
    const keys = await step("The attacker reads Velero's S3 credentials from the cluster (a leaked cluster credential)", () => veleroKeys(sh));
    const attacker = storeClient({ endpoint: sh.env.DRILL_S3_ENDPOINT!, region: DRILL_REGION }, keys);
    await step("With Velero's credentials, the attacker deletes every current object under the backup prefixes in the primary", () => deleteBackups(attacker, before.current));
    await step("The attacker writes a ransom note over the velero-backup.json of every restore point but the newest", () =>
        overwriteVeleroBackups(attacker, before.current, [taken.veleroBackups.main, taken.veleroBackups.users]),
    );
    await step("The attacker tries to delete every version in the vault: Object Lock refuses each one", async () => {
        const vaultAsAttacker = storeClient(VAULT, keys);
        const { tried, refused } = await tryToDeleteVaultVersions(vaultAsAttacker, VAULT.bucket);
        check(tried > 0 && refused.AccessDenied === tried, `the vault did not refuse every version delete: ${tried} tried, refused ${JSON.stringify(refused)}`);
        const after = await versionsOf(vaultClient(), VAULT.bucket);
        check(JSON.stringify(after) === JSON.stringify(before.vault), "the vault's versions changed under the attack");
        return `${tried} version deletes tried, all refused (AccessDenied); the vault's ${after.length} versions unchanged`;
    });
    await step("The damage shows: backups list --from-bucket finds the newest point's velero-backup.json gone and the others unreadable", () => damageInTheBucket(sh, taken.veleroBackups));
    await followRunbook(step, sh, { ...taken, since });
    await step("After the recovery: backups list shows every restore point, the backup objects are as they were", async () => {
        const points = await waitForPoints(sh, before.points);
        const current = await currentObjects(primaryClient(sh));
        check(JSON.stringify(current) === JSON.stringify(before.current), `the primary's backup objects differ from before the attack:\nbefore ${before.current.length}, after ${current.length}`);
        return `${points} restore points, ${current.length} backup objects with their sizes, and every velero-backup.json its content, as before`;
    });
    await loseClusterAndRestore(step, sh, taken);
}

/**
 * Current objects under the backup prefixes, as "key size", sorted, each velero-backup.json with
 * the SHA-256 of its content (a copy's ETag differs from a multipart upload's, so sizes and the
 * files the attacker wrote over are compared instead).
 */
async function currentObjects(client: S3Client): Promise<string[]> {
    const out: string[] = [];
    for (const prefix of Object.values(BACKUP_PREFIXES)) {
        let token: string | undefined;
        do {
            const page = await client.send(new ListObjectsV2Command({ Bucket: DRILL_BUCKET, Prefix: prefix, ContinuationToken: token }));
            for (const o of page.Contents ?? []) out.push(`${o.Key} ${o.Size}${o.Key!.endsWith("/velero-backup.json") ? ` sha256:${await contentHash(client, o.Key!)}` : ""}`);
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
    }
    return out.sort();
}

async function contentHash(client: S3Client, key: string): Promise<string> {
    const object = await client.send(new GetObjectCommand({ Bucket: DRILL_BUCKET, Key: key }));
    return createHash("sha256").update(await object.Body!.transformToByteArray()).digest("hex");
}

async function recordBefore(sh: Shell) {
    const points = restorePoints(sh);
    const current = await currentObjects(primaryClient(sh));
    const vault = await versionsOf(vaultClient(), VAULT.bucket);
    // Every object is in the vault with its size ("key@version size etag").
    const inVault = new Set(vault.map((v) => `${v.split("@")[0]} ${v.split(" ")[1]}`));
    const missing = current.filter((o) => !inVault.has(o.split(" ").slice(0, 2).join(" ")));
    check(missing.length === 0, `the vault lacks ${missing.length} of the primary's backup objects, e.g. ${missing.slice(0, 3).join(", ")}`);
    check(current.some((o) => o.startsWith(`${LOCATION_PREFIX}/backups/`)), "the primary holds no Velero backup to attack");
    return { points, current, vault, detail: `${points.length} restore points, ${current.length} backup objects, all in the vault (${vault.length} versions)` };
}

/** `backups list --json` as "id main users complete", newest first. */
function restorePoints(sh: Shell): string[] {
    const points = JSON.parse(sh.line(`node cli/bin.js backups list --stack ${DRILL_STACK} --json`).stdout) as any[];
    return points.map((p) => `${p.id} ${p.velero.main?.name ?? "-"} ${p.velero.users?.name ?? "-"} ${p.complete}`);
}

/** A whole second after now, then waited past: nothing legitimate is written between it and the attack. */
async function attackTime(): Promise<string> {
    const since = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    await new Promise((resolve) => setTimeout(resolve, since.getTime() - Date.now() + 1000));
    return since.toISOString().replace(/\.000Z$/, "Z");
}

/** Velero's keys, from the credentials file in its Secret (aws_access_key_id / aws_secret_access_key). */
function veleroKeys(sh: Shell): { accessKeyId: string; secretAccessKey: string } {
    const secret = sh.getJson(["secret", CREDENTIALS_SECRET, "-n", VELERO_NAMESPACE]);
    check(secret?.data?.[CREDENTIALS_KEY], `no ${CREDENTIALS_SECRET} Secret with key ${CREDENTIALS_KEY} in ${VELERO_NAMESPACE}`);
    const file = Buffer.from(secret.data[CREDENTIALS_KEY], "base64").toString();
    const value = (name: string) => /^\s*(\S+)\s*=\s*(\S+)\s*$/m.exec(file.split("\n").find((l) => l.trim().startsWith(name)) ?? "")?.[2];
    const accessKeyId = value("aws_access_key_id");
    const secretAccessKey = value("aws_secret_access_key");
    check(accessKeyId && secretAccessKey, `the ${CREDENTIALS_SECRET} Secret holds no AWS credentials file`);
    return { accessKeyId, secretAccessKey };
}

async function deleteBackups(attacker: S3Client, current: string[]): Promise<string> {
    for (const entry of current) await attacker.send(new DeleteObjectCommand({ Bucket: DRILL_BUCKET, Key: entry.split(" ")[0] }));
    const left = await currentObjects(attacker);
    check(left.length === 0, `${left.length} backup objects are still current after the deletes`);
    return `${current.length} objects deleted (a delete marker each); none left under ${Object.values(BACKUP_PREFIXES).join(", ")}`;
}

async function overwriteVeleroBackups(attacker: S3Client, current: string[], spared: string[]): Promise<string> {
    const targets = current
        .map((entry) => entry.split(" ")[0])
        .filter((key) => key.endsWith("/velero-backup.json") && !spared.some((name) => key.includes(`/${name}/`)));
    check(targets.length > 0, "no older restore point's velero-backup.json to write over");
    for (const key of targets) await attacker.send(new PutObjectCommand({ Bucket: DRILL_BUCKET, Key: key, Body: RANSOM_NOTE }));
    return `${targets.length} velero-backup.json files now hold a ransom note`;
}

/**
 * What an operator sees of the attack in the bucket. (Velero's own sync would drop the deleted
 * backups from the cluster on AWS S3; moto 5.2.1 still lists a folder whose objects are all delete
 * markers among ListObjectsV2's CommonPrefixes, measured, so Velero keeps them here.)
 */
function damageInTheBucket(sh: Shell, names: { main: string; users: string }): string {
    const r = sh.hopsworksDr(["backups", "list", "--stack", DRILL_STACK, "--from-bucket"], { allowFailure: true });
    for (const name of Object.values(names)) {
        check(r.stderr.includes(`${LOCATION_PREFIX}/backups/${name}/velero-backup.json: not in the bucket`), `backups list --from-bucket does not miss ${name}'s velero-backup.json:\n${r.stderr}`);
    }
    check(/warning: .*velero-backup\.json/.test(r.stderr.replace(new RegExp(`.*(${names.main}|${names.users}).*\n`, "g"), "")), `backups list --from-bucket does not warn of the overwritten velero-backup.json files:\n${r.stderr}`);
    return `exit ${r.status}; ${r.stderr.trim().split("\n").length} warnings and notes on stderr`;
}

async function waitForPoints(sh: Shell, expected: string[]): Promise<number> {
    const deadline = Date.now() + 180_000;
    let shown = restorePoints(sh);
    while (JSON.stringify(shown) !== JSON.stringify(expected) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5_000));
        shown = restorePoints(sh);
    }
    check(JSON.stringify(shown) === JSON.stringify(expected), `backups list differs from before the attack:\nbefore ${expected.join(", ")}\nafter  ${shown.join(", ")}`);
    return shown.length;
}

/** ransomware.md's Commands, then its Verify lines that need no next scheduled backup. */
async function followRunbook(step: Step, sh: Shell, taken: { backupId: string; veleroBackups: { main: string; users: string }; since: string }): Promise<void> {
    const names = drillNames(sh, taken, { [EXAMPLE_SINCE]: taken.since, [`${RUNBOOK_EXAMPLES.stack}/${RUNBOOK_EXAMPLES.bucket}`]: `${DRILL_STACK}/${DRILL_BUCKET}` });
    // `backups status` passes only after the next scheduled backup, as the runbook says; the alerts scenario covers it.
    const commands = readRunbook(RUNBOOK);
    const verify = readRunbook(RUNBOOK, "Verify").filter((line) => !/ backups status /.test(line));
    for (const [index, command] of [...commands, ...verify].entries()) {
        const line = forDrill(command, names);
        await step(`Runbook: ${line}`, () => {
            const r = sh.line(line);
            checkRecoverOutput(line, r.stdout, index >= commands.length);
            return r.stdout.trim().split("\n").slice(-3).join(" | ");
        });
    }
}

function checkRecoverOutput(line: string, stdout: string, verifying: boolean): void {
    if (!/ backups recover /.test(line) || /--include-hopsfs-data/.test(line)) return;
    if (verifying) check(/nothing to remove/.test(stdout), `after the recovery the dry run still finds something:\n${stdout}`);
    else if (/--yes/.test(line)) {
        check(/removed (\d+) of \1 delete marker\(s\)/.test(stdout) && /overwritten object\(s\) copied back/.test(stdout), `the recovery did not remove every marker and copy back the overwritten objects:\n${stdout}`);
    }
    else check(/delete marker/.test(stdout) && /overwritten after --since/.test(stdout), `the dry run does not list the attack's delete markers and overwrites:\n${stdout}`);
}
