/**
 * The restore points read straight from the bucket over the S3 API (`--from-bucket`), for the worst
 * day: no cluster, no catalogue. A thin adapter: it lists the folders and reads the velero-backup.json
 * objects; stacks/catalogue/bucket-layout.ts turns them into restore points. Loaded only when used
 * (the AWS SDK takes a while to load).
 */
import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import {
    bucketRestorePoints,
    rondbEntriesFromFolders,
    RONDB_BACKUP_PREFIX,
    SUPERSET_BACKUP_PREFIX,
    supersetBackupsFromFolders,
    VELERO_BACKUP_FILE,
    VELERO_BACKUPS_PREFIX,
    veleroBackupFromJson,
    veleroBackupFromName,
    veleroBackupNames,
    VeleroReadScope,
    veleroNamesToRead,
} from "../stacks/catalogue/bucket-layout";
import type { RestorePoint, VeleroBackup } from "../stacks/catalogue/restore-points";
import { CliError, CliIo } from "./errors";
import { withSuperset } from "./catalogue";
import type { BucketSettings } from "./stack";

/** How many velero-backup.json objects are read at once: enough to hide the latency, few enough for a small store. */
export const BUCKET_READ_CONCURRENCY = 16;
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

export interface BucketCatalogue {
    points: RestorePoint[];
    /** The Velero backups whose velero-backup.json was not read (outside the scope): no phase known. */
    unread: Set<string>;
    /** s3://bucket, and the endpoint when not AWS S3, as messages name it. */
    where: string;
}

/**
 * A client for the stack's bucket. The keys come from the environment (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN), else the AWS SDK's default chain (AWS_PROFILE,
 * SSO, instance roles): the stack's own keys are Pulumi secrets, which the CLI does not decrypt.
 */
export function s3Client(
    settings: BucketSettings,
    env: NodeJS.ProcessEnv,
    {
        requestTimeoutMs = REQUEST_TIMEOUT_MS,
        connectTimeoutMs = CONNECT_TIMEOUT_MS,
        maxSockets = BUCKET_READ_CONCURRENCY,
    }: { requestTimeoutMs?: number; connectTimeoutMs?: number; maxSockets?: number } = {},
): S3Client {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const keys = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
        : undefined;
    const agent = { keepAlive: true, maxSockets };
    return new S3Client({
        region: settings.region,
        endpoint: settings.endpoint,
        forcePathStyle: settings.forcePathStyle,
        credentials: keys,
        followRegionRedirects: settings.endpoint === undefined,
        maxAttempts: 3,
        requestHandler: {
            connectionTimeout: connectTimeoutMs,
            requestTimeout: requestTimeoutMs,
            httpAgent: new http.Agent(agent),
            httpsAgent: new https.Agent({
                ...agent,
                ca: settings.caCert ? [...tls.rootCertificates, settings.caCert] : undefined,
                rejectUnauthorized: !settings.insecureSkipTLSVerify,
            }),
        },
    });
}

export function whereOf(settings: BucketSettings): string {
    return `s3://${settings.bucket}` + (settings.endpoint ? ` at ${settings.endpoint}` : ` in ${settings.region}`);
}

/**
 * Why the bucket could not be read, naming the request, the permission it needs and where to look:
 * access denied, no such bucket, no credentials, an unreachable store.
 */
export function bucketReadError(
    error: unknown,
    settings: BucketSettings,
    request: { action: string; permission: string; resource: string },
    /** The stack's section that names the bucket: storage, or vault. */
    section: "storage" | "vault" = "storage",
): CliError {
    const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const where = whereOf(settings);
    const name = e.name ?? "";
    const status = e.$metadata?.httpStatusCode;
    let why: string;
    if (name === "AccessDenied" || status === 403) {
        // A HEAD's 403 has no body: the SDK names it Unknown, so the status says more.
        why = `access denied (${name && name !== "Unknown" ? name : `HTTP ${status}`}): the credentials need ${request.permission} on ${request.resource}`;
    } else if (name === "NoSuchBucket") {
        const endpointKeys = section === "storage" ? ", storage.apiEndpoint and storage.endpoint" : " and vault.endpoint";
        why = `no such bucket: check ${section}.bucket` + (settings.endpoint ? endpointKeys : ` and ${section}.region`) + " in the stack file";
    } else if (name === "CredentialsProviderError" || /credential/i.test(e.message ?? "")) {
        why = `no credentials (${e.message}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to keys that may read the bucket`;
    } else if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH"].includes(e.code ?? "") || name === "TimeoutError") {
        why = `the store cannot be reached (${e.code ?? name}: ${e.message}): check the endpoint and the network`;
    } else {
        why = `${name || "error"}: ${e.message ?? String(error)}`;
    }
    return new CliError(`cannot read ${where}: ${request.action} failed: ${why}`);
}

/** Every folder (CommonPrefix) directly under `prefix`, page by page. */
async function listFolders(client: S3Client, settings: BucketSettings, prefix: string): Promise<string[]> {
    const folders: string[] = [];
    let token: string | undefined;
    do {
        const page = await client
            .send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: prefix, Delimiter: "/", ContinuationToken: token }))
            .catch((error) => {
                throw bucketReadError(error, settings, {
                    action: `ListObjectsV2 of ${prefix}`,
                    permission: "s3:ListBucket",
                    resource: `arn:aws:s3:::${settings.bucket}`,
                });
            });
        for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return folders;
}

/** Runs `work` on every item, at most `limit` at once. */
async function eachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) await work(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A backup's velero-backup.json, read and parsed; a missing one (a backup still being written) is known by its name. */
async function readVeleroBackup(client: S3Client, settings: BucketSettings, name: string, io: CliIo): Promise<VeleroBackup | undefined> {
    const key = `${VELERO_BACKUPS_PREFIX}${name}/${VELERO_BACKUP_FILE}`;
    let text: string;
    try {
        const object = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: key }));
        text = await object.Body!.transformToString();
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey") {
            io.stderr(`warning: ${key}: not in the bucket; its backup is shown by its name only\n`);
            return veleroBackupFromName(name);
        }
        throw bucketReadError(error, settings, { action: `GetObject of ${key}`, permission: "s3:GetObject", resource: `arn:aws:s3:::${settings.bucket}/${VELERO_BACKUPS_PREFIX}*` });
    }
    const { backup, warning } = veleroBackupFromJson(name, text);
    if (warning) io.stderr(`warning: ${warning}\n`);
    return backup ?? veleroBackupFromName(name);
}

/** Says why the bucket shows no restore point, and what it does hold. */
function emptyBucket(settings: BucketSettings, veleroCount: number): CliError {
    return new CliError(
        `no restore points under s3://${settings.bucket}/${RONDB_BACKUP_PREFIX}` + (settings.endpoint ? ` at ${settings.endpoint}` : ` in ${settings.region}`) +
            `: it holds no RonDB backup folder (${veleroCount} Velero backups under ${VELERO_BACKUPS_PREFIX}). ` +
            "Check storage.bucket in the stack file, and that backups ever ran there",
    );
}

/**
 * The bucket's restore points: the rondb_backup/ and k8s_backup/backups/ folders listed page by
 * page and paired by the names' times; then the velero-backup.json of the backups that may pair
 * with the points in `scope` read (at most BUCKET_READ_CONCURRENCY at once, only what the
 * catalogue keeps of each held) and paired again, as the cluster catalogue pairs them.
 */
export async function loadBucketCatalogue(settings: BucketSettings, io: CliIo, scope: VeleroReadScope): Promise<BucketCatalogue> {
    const client = s3Client(settings, io.env);
    try {
        const [rondbFolders, veleroFolders, supersetFolders] = await Promise.all([
            listFolders(client, settings, RONDB_BACKUP_PREFIX),
            listFolders(client, settings, VELERO_BACKUPS_PREFIX),
            listFolders(client, settings, SUPERSET_BACKUP_PREFIX),
        ]);
        const { entries, warnings } = rondbEntriesFromFolders(rondbFolders, io.now());
        const superset = supersetBackupsFromFolders(supersetFolders);
        for (const warning of [...warnings, ...superset.warnings]) io.stderr(`warning: ${warning}\n`);
        const names = veleroBackupNames(veleroFolders);
        if (entries.length === 0) throw emptyBucket(settings, names.length);
        // Only backups of the two Hopsworks schedules can pair; others are not read.
        const byName = names.map(veleroBackupFromName).filter((b): b is VeleroBackup => b !== undefined);
        const toRead = veleroNamesToRead(bucketRestorePoints(entries, byName), byName, scope);
        const read: VeleroBackup[] = [];
        await eachBounded([...toRead], BUCKET_READ_CONCURRENCY, async (name) => {
            const backup = await readVeleroBackup(client, settings, name, io);
            if (backup) read.push(backup);
        });
        const unread = byName.filter((b) => !toRead.has(b.name));
        return { points: withSuperset(bucketRestorePoints(entries, [...read, ...unread]), superset.backups), unread: new Set(unread.map((b) => b.name)), where: whereOf(settings) };
    } finally {
        client.destroy();
    }
}
