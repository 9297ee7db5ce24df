/**
 * Superset in the drill (Hopsworks 5.2): what the stand-in chart's `create-superset-backup`
 * CronJob and `superset-restore-<ID>` Job do, played by the drill because kwok runs no containers
 * (drill/charts/hopsworks/README.md). Superset's own MySQL is stood in for by a ConfigMap the
 * Velero backups skip (label velero.io/exclude-from-backup), so only the Superset restore can
 * bring its content back, as only the dump can for the real database.
 */
import { createHash, randomInt } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { BACKUP_PREFIXES, SUPERSET, supersetRestoreJob } from "../stacks/names";
import { DRILL_BUCKET, DRILL_REGION, DRILL_S3_KEYS, VELERO_NAMESPACE } from "./env";
import { storeClient } from "./replication";
import { waitFor } from "./processes";
import { check } from "./report";
import { Shell } from "./shell";

/** The stand-in for Superset's database: dashboards, charts, connections as keys of a ConfigMap. */
export const SUPERSET_DATABASE = "superset-database-stand-in";
const SECRET_KEY = "superset-secret-key";

export interface SupersetStore {
    client: S3Client;
    bucket: string;
}

/** The application at work: Superset's content, `marker` telling one version of it from another. */
export function writeSupersetContent(sh: Shell, namespace: string, marker: string): Record<string, string> {
    const data = {
        "dashboards.json": JSON.stringify([{ id: 1, title: `Feature freshness ${marker}` }]),
        "connections.json": JSON.stringify([{ name: "trino-project-1", password_encrypted: sha256(`trino-${marker}`) }]),
    };
    replaceSupersetDatabase(sh, namespace, data);
    return data;
}

/** Superset's database, replaced whole (a reload drops tables the dump does not have); never in a Velero backup. */
function replaceSupersetDatabase(sh: Shell, namespace: string, data: Record<string, string>): void {
    const configMap = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: SUPERSET_DATABASE, namespace, labels: { "app.kubernetes.io/part-of": "hopsworks-drill", "velero.io/exclude-from-backup": "true" } },
        data,
    };
    sh.kubectl(["delete", "configmap", SUPERSET_DATABASE, "-n", namespace, "--ignore-not-found=true"]);
    sh.kubectl(["apply", "-f", "-"], { input: JSON.stringify(configMap) });
}

export function supersetContent(sh: Shell, namespace: string): Record<string, string> | undefined {
    return sh.getJson(["configmap", SUPERSET_DATABASE, "-n", namespace])?.data;
}

/** The decoded secret key the chart keeps in superset-secret-key, or undefined before the chart made it. */
export function supersetSecretKey(sh: Shell, namespace: string): string | undefined {
    const value = sh.getJson(["secret", SECRET_KEY, "-n", namespace])?.data?.value;
    return value === undefined ? undefined : Buffer.from(String(value), "base64").toString();
}

/**
 * One run of create-superset-backup: the dump and its manifest under superset_backup/<id>/, and
 * the entry in superset-backups-metadata, as the page describes them. Returns the backup ID.
 */
export async function takeSupersetBackup(sh: Shell, namespace: string, store: SupersetStore): Promise<string> {
    const started = new Date();
    const secretKey = supersetSecretKey(sh, namespace);
    check(secretKey, `no Secret ${namespace}/${SECRET_KEY}: the Hopsworks release is not 5.2`);
    const content = supersetContent(sh, namespace) ?? writeSupersetContent(sh, namespace, "first");
    const id = `${started.toISOString().replace(/\D/g, "").slice(0, 14)}-${randomInt(1_000_000_000, 9_999_999_999)}`;
    const dump = gzipSync(JSON.stringify(content));
    const manifest = { checksum: `sha256:${sha256(dump)}`, supersetImage: "stand-in", schemaVersion: "stand-in-1", secretKeyFingerprint: `sha256:${sha256(secretKey)}` };
    const prefix = `${BACKUP_PREFIXES.superset}${id}/`;
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: `${prefix}superset.sql.gz`, Body: dump }));
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: `${prefix}manifest.json`, Body: JSON.stringify(manifest) }));
    const entry = { state: "SUCCESS", start_time: started.toISOString(), end_time: new Date().toISOString(), path: `s3://${store.bucket}/${prefix}` };
    const existing = sh.getJson(["configmap", SUPERSET.metadataConfigMap, "-n", namespace]);
    const metadata = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: SUPERSET.metadataConfigMap, namespace, labels: { app: "backups-metadata", service: "superset" } },
        data: { ...(existing?.data ?? {}), [id]: JSON.stringify(entry) },
    };
    sh.kubectl(["apply", "--server-side", "--field-manager=drill-backup-job", "--force-conflicts", "-f", "-"], { input: JSON.stringify(metadata) });
    return id;
}

/** A Superset dump as the bucket holds it: the content and the manifest. */
export async function readSupersetBackup(store: SupersetStore, id: string): Promise<{ content: Record<string, string>; manifest: any; checksum: string }> {
    const read = async (name: string) => {
        const object = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: `${BACKUP_PREFIXES.superset}${id}/${name}` }));
        return Buffer.from(await object.Body!.transformToByteArray());
    };
    const dump = await read("superset.sql.gz");
    return { content: JSON.parse(gunzipSync(dump).toString()), manifest: JSON.parse((await read("manifest.json")).toString()), checksum: `sha256:${sha256(dump)}` };
}

/**
 * What step one asked the chart for, read from the restore Job the chart made (its annotations: what
 * the real Job takes from the values); undefined when there is none, no Superset restore being on.
 * Not from the stand-in status ConfigMap: an in-place Velero Restore puts the backed-up copy of it back.
 */
export function supersetRestoreRequested(sh: Shell, namespace: string): { backupId: string; initiatedBy: string; veleroRestoreName: string } | undefined {
    const jobs = (sh.getJson(["jobs", "-n", namespace, "-l", "app.kubernetes.io/component=superset-restore"])?.items ?? []) as any[];
    check(jobs.length <= 1, `more than one Superset restore Job: ${jobs.map((j) => j.metadata.name).join(", ")}`);
    if (jobs.length === 0) return undefined;
    const annotations = jobs[0].metadata.annotations ?? {};
    return {
        backupId: annotations["hopsworks.ai/superset-backup-id"],
        initiatedBy: annotations["hopsworks.ai/initiated-by"],
        veleroRestoreName: annotations["hopsworks.ai/velero-restore-name"] ?? "",
    };
}

/**
 * What the chart's superset-restore-<ID> Job does (the page's "state" revision): waits for the
 * named Velero Restore, checks the restored secret key against the dump's manifest, reloads the
 * database and records its phases in superset-restore-state and its steps in superset-restore-audit.
 * A mismatch records `failed` and leaves the database alone. `whileRunning` runs once the Job has
 * recorded its first phase, before it reloads anything: where `restore finish` must refuse.
 * Returns what it did.
 */
export async function playSupersetRestoreJob(sh: Shell, namespace: string, store: SupersetStore, whileRunning?: () => void): Promise<string> {
    const requested = supersetRestoreRequested(sh, namespace);
    check(requested, "no Superset restore is on: the chart made no restore Job");
    const { backupId, veleroRestoreName, initiatedBy: initiator } = requested;
    check(sh.getJson(["job", supersetRestoreJob(backupId), "-n", namespace]), `the chart's Superset restore Job is not named ${supersetRestoreJob(backupId)}`);
    const record = (phase: string, failed = "") => {
        recordState(sh, namespace, { phase, restoreId: backupId, failed, attempts: "1", initiator });
        appendAudit(sh, namespace, `${phase}${failed ? ` failed: ${failed}` : ""} backup=${backupId} initiatedBy=${initiator}`);
    };
    record("waiting-for-velero");
    whileRunning?.();
    if (veleroRestoreName) {
        const phase = await waitFor(
            `Velero Restore ${veleroRestoreName} to end`,
            () => {
                const p = sh.getJson(["restores.velero.io", veleroRestoreName, "-n", VELERO_NAMESPACE])?.status?.phase as string | undefined;
                return p && !["New", "InProgress", "WaitingForPluginOperations", "Finalizing"].includes(p) ? p : undefined;
            },
            180_000,
            2_000,
        );
        if (phase !== "Completed") {
            record("waiting-for-velero", `Velero Restore ${veleroRestoreName} ended ${phase}`);
            return `failed: Velero Restore ${veleroRestoreName} ${phase}`;
        }
    }
    const { content, manifest, checksum } = await readSupersetBackup(store, backupId);
    const key = supersetSecretKey(sh, namespace);
    if (checksum !== manifest.checksum) {
        record("verifying", `superset.sql.gz is ${checksum}, the manifest says ${manifest.checksum}`);
        return "failed: the dump's checksum";
    }
    if (key === undefined || `sha256:${sha256(key)}` !== manifest.secretKeyFingerprint) {
        record("verifying", `${SECRET_KEY} does not match the backup's fingerprint: its connections would not decrypt`);
        return "failed: the secret key's fingerprint";
    }
    record("importing");
    replaceSupersetDatabase(sh, namespace, content);
    record("imported");
    record(SUPERSET.migratedPhase);
    return `${veleroRestoreName ? `Velero Restore ${veleroRestoreName} Completed` : "no Velero Restore to wait for (acknowledgeNoVeleroBarrier)"}; fingerprint ${manifest.secretKeyFingerprint.slice(0, 19)}... matches; ${Object.keys(content).length} tables reloaded; phase ${SUPERSET.migratedPhase}`;
}

function recordState(sh: Shell, namespace: string, data: Record<string, string>): void {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: SUPERSET.stateConfigMap, namespace }, data };
    sh.kubectl(["apply", "--server-side", "--field-manager=superset-restore-job", "--force-conflicts", "-f", "-"], { input: JSON.stringify(configMap) });
}

function appendAudit(sh: Shell, namespace: string, entry: string): void {
    const existing = sh.getJson(["configmap", SUPERSET.auditConfigMap, "-n", namespace])?.data ?? {};
    const key = `h-${new Date().toISOString().replace(/\D/g, "")}-${Object.keys(existing).length}`;
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: SUPERSET.auditConfigMap, namespace }, data: { ...existing, [key]: entry } };
    sh.kubectl(["apply", "--server-side", "--field-manager=superset-restore-job", "--force-conflicts", "-f", "-"], { input: JSON.stringify(configMap) });
}

function sha256(data: string | Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

/** The drill's primary bucket, where the chart's Superset backups go with the others. */
export function primarySupersetStore(sh: Shell): SupersetStore {
    return { client: storeClient({ endpoint: sh.env.DRILL_S3_ENDPOINT!, region: DRILL_REGION }, DRILL_S3_KEYS), bucket: DRILL_BUCKET };
}

/**
 * Between step one's `pulumi up` and `restore finish`, as the runbooks have it: the chart's Superset
 * restore Job runs (played); while it runs, `restore finish` refuses, leaving the stack file as it
 * was and naming what it waits for; after it, Superset's content is the dump's. Undefined when the
 * stack restores no Superset.
 */
export async function supersetRestoreBeforeFinish(sh: Shell, namespace: string, stack: string, store: SupersetStore): Promise<string | undefined> {
    const requested = supersetRestoreRequested(sh, namespace);
    if (!requested) return undefined;
    const stackFile = path.join(sh.project, `Pulumi.${stack}.yaml`);
    let refusal = "";
    const played = await playSupersetRestoreJob(sh, namespace, store, () => {
        const before = readFileSync(stackFile, "utf8");
        const r = sh.hopsworksDr(["restore", "finish", "--stack", stack], { allowFailure: true });
        check(r.status !== 0 && r.stderr.includes(SUPERSET.stateConfigMap), `restore finish did not refuse while the Superset restore ran (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
        check(readFileSync(stackFile, "utf8") === before, "restore finish changed the stack file while the Superset restore ran");
        refusal = r.stderr.trim().split("\n")[0].slice(0, 400);
    });
    check(!played.startsWith("failed"), `the Superset restore Job ${played}`);
    const { content } = await readSupersetBackup(store, requested.backupId);
    check(isDeepStrictEqual(supersetContent(sh, namespace), content), `Superset's content is not the dump's:\n${JSON.stringify(supersetContent(sh, namespace))}\n${JSON.stringify(content)}`);
    return `Superset backup ${requested.backupId}: ${played}. restore finish refused while it ran: ${refusal}`;
}

/** What a platform restore must bring Superset back to: the secret key recorded before the disaster. */
export interface SupersetBefore {
    secretKey: string;
    /** The Superset backup the restore must pick (the point's own), when the drill took the point. */
    backupId?: string;
}

export function recordSupersetBefore(sh: Shell, namespace: string): SupersetBefore {
    const secretKey = supersetSecretKey(sh, namespace);
    check(secretKey, `no Secret ${namespace}/${SECRET_KEY} before the disaster: the release is not Hopsworks 5.2`);
    return { secretKey };
}

/**
 * supersetRestoreBeforeFinish in a platform restore on 5.2: it must restore Superset, and the
 * secret key must be the one the cluster had (the Velero backup carried it; a new one would leave
 * every stored connection undecryptable).
 */
export async function checkedSupersetRestore(sh: Shell, namespace: string, stack: string, before: SupersetBefore, store = primarySupersetStore(sh)): Promise<string> {
    const requested = supersetRestoreRequested(sh, namespace);
    check(requested, "the restore restores no Superset backup on Hopsworks 5.2 (restore plan wrote no restore.superset)");
    check(!before.backupId || requested.backupId === before.backupId, `the restore takes Superset backup ${requested.backupId}, not the point's own ${before.backupId}`);
    const done = (await supersetRestoreBeforeFinish(sh, namespace, stack, store))!;
    check(supersetSecretKey(sh, namespace) === before.secretKey, `${SECRET_KEY} is not the key the cluster had before`);
    return `${done}; ${SECRET_KEY} is the key of before`;
}
