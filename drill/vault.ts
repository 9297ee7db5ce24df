/**
 * The drill's vault: a second S3 endpoint (a moto server of its own) standing for another region,
 * the drill stack's hopsworks-dr:vault on it, managed by "the storage team" (vault.manage: false,
 * as the primary is), made from the render's vault.json as its owner would: Object Lock, versioning,
 * retention and lifecycle on the vault, the replication rule on the primary. Copies into it come
 * from the stand-in copier (drill/replication.ts): moto does not replicate.
 */
import {
    CreateBucketCommand,
    DeleteObjectCommand,
    GetBucketVersioningCommand,
    GetObjectLockConfigurationCommand,
    ListObjectVersionsCommand,
    PutBucketLifecycleConfigurationCommand,
    PutBucketReplicationCommand,
    PutBucketVersioningCommand,
    PutObjectLockConfigurationCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DRILL_BUCKET, DRILL_REGION, DRILL_S3_KEYS, PORTS, startS3Store, VELERO_NAMESPACE } from "./env";
import { running } from "./processes";
import { check, Recorder, StepContext } from "./report";
import { StandInReplication, storeClient } from "./replication";
import { Shell } from "./shell";
import { backupIdAt } from "../stacks/catalogue/backup-id";
import { DRILL_STACK, HOPSWORKS_NAMESPACE, render, TakenBackups, takeBackups } from "./scenarios/backup-mode";

export interface VaultStore {
    /** The recorded process name of its moto server. */
    process: string;
    port: number;
    endpoint: string;
    bucket: string;
    region: string;
}

const store = (process: string, port: number, bucket: string, region: string): VaultStore => ({ process, port, endpoint: `http://127.0.0.1:${port}`, bucket, region });

/** The vault, in its own "region" (another endpoint). */
export const VAULT = store("moto-vault", PORTS.motoVault, "hopsworks-drill-vault", "us-west-2");
/** The new vault that region-loss.md gives the vault once it is the primary: a third endpoint. */
export const NEW_VAULT = store("moto-new-vault", PORTS.motoNewVault, "hopsworks-drill-vault-2", "ap-south-1");
/** The vault account's keys, Pulumi secrets of the drill stack (moto accepts any keys). */
export const VAULT_KEYS = { accessKeyId: "drill-vault-access-key", secretAccessKey: "drill-vault-secret-key" };
/** At least backup.ttl (the default, 60 days): the stack refuses a shorter lock. */
export const VAULT_LOCK = { mode: "COMPLIANCE", days: "60" };

export function vaultClient(vault: VaultStore = VAULT): S3Client {
    return storeClient(vault, VAULT_KEYS);
}

export function primaryClient(sh: Shell): S3Client {
    return storeClient({ endpoint: sh.env.DRILL_S3_ENDPOINT!, region: DRILL_REGION }, DRILL_S3_KEYS);
}

/** One copier per drill run: what it copied is known across the scenarios that use it. */
let copier: StandInReplication | undefined;

/** The vault's config, set with `pulumi config set` as docs/config.md shows it. */
function configureVault(sh: Shell): void {
    const set = (key: string, value: string) => sh.pulumi(["config", "set", "--path", key, value], { stack: DRILL_STACK });
    const secret = (key: string, value: string) => sh.pulumi(["config", "set", "--secret", "--path", key], { stack: DRILL_STACK, input: value });
    set("vault.bucket", VAULT.bucket);
    set("vault.region", VAULT.region);
    set("vault.endpoint", VAULT.endpoint);
    secret("vault.accessKeyId", VAULT_KEYS.accessKeyId);
    secret("vault.secretAccessKey", VAULT_KEYS.secretAccessKey);
    set("vault.manage", "false");
    set("vault.objectLock.mode", VAULT_LOCK.mode);
    set("vault.objectLock.days", VAULT_LOCK.days);
}

/** The vault's owner at work: the vault bucket as the render's vault.json declares it, on the vault's store. */
export async function createVaultFromRender(vaultJson: string, vault: VaultStore): Promise<any> {
    const file = JSON.parse(vaultJson);
    check(file.Bucket === vault.bucket && file.Region === vault.region, `vault.json names ${file.Bucket} in ${file.Region}, not ${vault.bucket} in ${vault.region}`);
    check(file.CreateBucket?.ObjectLockEnabledForBucket === true, "vault.json does not create the vault with Object Lock");
    const client = vaultClient(vault);
    const Bucket = file.Bucket;
    await client.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true, CreateBucketConfiguration: { LocationConstraint: file.Region } }));
    await client.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: file.Versioning }));
    await client.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: file.ObjectLockConfiguration }));
    await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: file.LifecycleConfiguration }));
    const versioning = await client.send(new GetBucketVersioningCommand({ Bucket }));
    const lock = await client.send(new GetObjectLockConfigurationCommand({ Bucket }));
    check(versioning.Status === "Enabled", `the vault's store reports versioning ${versioning.Status}`);
    const retention = lock.ObjectLockConfiguration?.Rule?.DefaultRetention;
    check(retention?.Mode === VAULT_LOCK.mode && String(retention?.Days) === VAULT_LOCK.days, `the vault's store reports retention ${JSON.stringify(retention)}`);
    return file;
}

/** The vault in place (made once per run), replicated from the primary up to now. */
export async function ensureVault(rec: Recorder, sh: Shell, scenario: string): Promise<StandInReplication> {
    return rec.step(scenario, "Prerequisite: a vault on another S3 endpoint (another region), replicated from the primary", async (ctx) => {
        if (!running(sh.drill.run, VAULT.process)) await startS3Store(sh.drill.run, sh.env, VAULT.process, VAULT.port);
        const stackFile = readFileSync(path.join(sh.project, `Pulumi.${DRILL_STACK}.yaml`), "utf8");
        if (!stackFile.includes("hopsworks-dr:vault:")) {
            configureVault(sh);
            const file = await createVaultFromRender(render(sh).vault!, VAULT);
            // The primary's owner applies the rule: the stack does not manage the primary (storage.manage: false).
            await primaryClient(sh).send(new PutBucketReplicationCommand({ Bucket: DRILL_BUCKET, ReplicationConfiguration: file.Replication.ReplicationConfiguration }));
            // The vault check (vault.manage: false) runs before the deployment, against the vault's store.
            sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
            ctx.detail(`vault ${VAULT.bucket} at ${VAULT.endpoint} from vault.json; replication rule on ${DRILL_BUCKET}; pulumi up checked the vault`);
        }
        copier ??= new StandInReplication({ client: primaryClient(sh), bucket: DRILL_BUCKET }, { client: vaultClient(), bucket: VAULT.bucket });
        const pass = await copier.pass();
        ctx.detail(`stand-in replication: ${pass.copied} versions copied, ${pass.deleteMarkersSkipped} delete markers not replicated`);
        return copier;
    });
}

/**
 * A fresh restore point, then the stand-in copier's pass that takes it into the vault: the point a
 * scenario recovers or restores, its Velero pair the one `restore plan` reads from the bucket.
 */
export async function takeReplicatedRestorePoint(step: <T>(name: string, body: (ctx: StepContext) => Promise<T> | T) => Promise<T>, sh: Shell, replication: StandInReplication): Promise<TakenBackups> {
    const taken = await step("Take a restore point: objects worth restoring, both Velero schedules, RonDB and OpenSearch", async () => {
        // Backup IDs have minutes: a point taken in the same minute as the newest would share its ID, and
        // Velero backups of the minutes just before (the alerts scenario's every-minute schedule) could be
        // nearer the ID's minute than the point's own for the bucket's pairing, which knows only that
        // minute: start in the second minute after the newest Velero backup, so they are a minute away.
        const ids = Object.keys(sh.getJson(["configmap", "rondb-backups-metadata", "-n", HOPSWORKS_NAMESPACE])?.data ?? {});
        const backups = (sh.getJson(["backups.velero.io", "-n", VELERO_NAMESPACE])?.items ?? []) as any[];
        const newestBackupMinute = Math.max(0, ...backups.map((b) => Math.floor(Date.parse(b.metadata.creationTimestamp) / 60_000)));
        while (ids.includes(backupIdAt(new Date())) || Math.floor(Date.now() / 60_000) <= newestBackupMinute + 1) {
            await new Promise((resolve) => setTimeout(resolve, 5_000));
        }
        return await takeBackups(sh);
    });
    await step("Replication (the stand-in copier) copies the new versions into the vault; delete markers stay behind", async () => {
        const pass = await replication.pass();
        check(pass.copied > 0, "the copier found no new version to copy after a backup");
        return `${pass.copied} versions copied, ${pass.deleteMarkersSkipped} delete markers not replicated`;
    });
    return taken;
}

/** Every version in a bucket of a store, as "key@versionId size etag", sorted: what must not change. */
export async function versionsOf(client: S3Client, bucket: string, prefix = ""): Promise<string[]> {
    const out: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
        const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        for (const v of page.Versions ?? []) out.push(`${v.Key}@${v.VersionId} ${v.Size} ${v.ETag}`);
        for (const m of page.DeleteMarkers ?? []) out.push(`${m.Key}@${m.VersionId} (delete marker)`);
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    return out.sort();
}

/** Tries to delete every version in the vault (as an attacker would); returns the refusals' error names by count. */
export async function tryToDeleteVaultVersions(client: S3Client, bucket: string): Promise<{ tried: number; refused: Record<string, number> }> {
    const versions = (await versionsOf(client, bucket)).filter((v) => !v.endsWith("(delete marker)"));
    const refused: Record<string, number> = {};
    for (const entry of versions) {
        const [keyAndVersion] = entry.split(" ");
        const at = keyAndVersion.lastIndexOf("@");
        const request = { Bucket: bucket, Key: keyAndVersion.slice(0, at), VersionId: keyAndVersion.slice(at + 1), BypassGovernanceRetention: true };
        try {
            await client.send(new DeleteObjectCommand(request));
        } catch (error) {
            const name = (error as { name?: string }).name ?? "Error";
            refused[name] = (refused[name] ?? 0) + 1;
        }
    }
    return { tried: versions.length, refused };
}
