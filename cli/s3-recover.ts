/**
 * The S3 side of `backups recover`: the client, ListObjectVersions page by page, DeleteObjects in
 * batches, and what an S3 error means to the operator. Loaded only when the command runs (the AWS
 * SDK takes a while to load), so `--help` stays light.
 */
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectVersionsCommand, ListObjectVersionsCommandOutput, S3Client } from "@aws-sdk/client-s3";
import { s3Client } from "./bucket";
import { CliError } from "./errors";
import type { VersionEntry } from "./recover-scan";
import type { BucketSettings } from "./stack";

/** Where the bucket is, from the stack file's storage settings (Stack.storage()). */
export type BucketLocation = BucketSettings;

/** At most this many keys per DeleteObjects request (the S3 API's limit). */
export const DELETE_BATCH = 1000;

/**
 * A client with the credentials of the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
 * AWS_PROFILE, SSO, an instance role: the SDK's default chain), never the stack's encrypted keys,
 * which only Pulumi can decrypt.
 */
export function recoverClient(location: BucketLocation, requestSeconds: number, env: NodeJS.ProcessEnv): S3Client {
    // No socket cap: deletes in batches go out while the listing goes on.
    return s3Client(location, env, { requestTimeoutMs: requestSeconds * 1000, connectTimeoutMs: 10_000, maxSockets: Infinity });
}

/** The permission each action needs, for the message when it is denied. */
const PERMISSIONS = { ListObjectVersions: "s3:ListBucketVersions", DeleteObjects: "s3:DeleteObjectVersion", CopyObject: "s3:GetObjectVersion and s3:PutObject" } as const;
export type RecoverAction = keyof typeof PERMISSIONS;

/** The message for a denied action: the action, the bucket, the permission needed and on what. */
export function deniedMessage(action: RecoverAction, bucket: string, prefix?: string): string {
    const resource = action === "ListObjectVersions" ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${prefix ?? ""}*`;
    return (
        `${action} on bucket ${bucket} was denied (AccessDenied): the credentials this command runs with (the environment's, ` +
        `through the AWS SDK's default chain) need ${PERMISSIONS[action]} on ${resource}`
    );
}

/**
 * Copies a key's older version over its current one (CopyObject from `<bucket>/<key>?versionId=<id>`):
 * a new version with the old content, the attacker's staying as a noncurrent one.
 */
export async function copyVersionBack(client: S3Client, bucket: string, key: string, versionId: string, signal: AbortSignal): Promise<void> {
    try {
        await client.send(
            new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURIComponent(key)}?versionId=${encodeURIComponent(versionId)}` }),
            { abortSignal: signal },
        );
    } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (isDenied(error as { name?: string })) throw new CliError(deniedMessage("CopyObject", bucket, key).replace(/\*$/, ""));
        throw s3Failure("CopyObject", bucket, error);
    }
}

/** Whether an S3 error (thrown, or an entry of DeleteObjects' Errors) is a denial. */
export function isDenied(error: { name?: string; Code?: string } | undefined): boolean {
    return error?.name === "AccessDenied" || error?.Code === "AccessDenied";
}

/** Any other failure of a request, in one line; missing credentials say where they are looked for. */
export function s3Failure(action: RecoverAction, bucket: string, error: unknown): CliError {
    const e = error as { name?: string; message?: string };
    if (isDenied(e)) return new CliError(deniedMessage(action, bucket));
    if (e?.name === "CredentialsProviderError") {
        return new CliError(
            `${action} on bucket ${bucket}: no S3 credentials found (${e.message}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ` +
                "(or AWS_PROFILE) for an account that may read and delete object versions: this command does not use the stack's encrypted storage keys",
        );
    }
    return new CliError(`${action} on bucket ${bucket}: ${e?.name && e.name !== "Error" ? `${e.name}: ` : ""}${e?.message ?? String(error)}`);
}

function entries(list: { Key?: string; VersionId?: string; LastModified?: Date; IsLatest?: boolean; ETag?: string }[] | undefined, deleteMarker: boolean): VersionEntry[] {
    return (list ?? []).map((v) => ({
        key: v.Key ?? "",
        versionId: v.VersionId ?? "null",
        lastModified: v.LastModified ?? new Date(0),
        isLatest: v.IsLatest === true,
        deleteMarker,
        etag: v.ETag,
    }));
}

/**
 * Lists every version and delete marker under `prefix` (the whole bucket when undefined), one page
 * at a time: `page` runs (and may delete) before the next page is asked for.
 */
export async function listVersionPages(
    client: S3Client,
    bucket: string,
    prefix: string | undefined,
    signal: AbortSignal,
    page: (versions: VersionEntry[], markers: VersionEntry[]) => Promise<void>,
): Promise<void> {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
        let response: ListObjectVersionsCommandOutput;
        try {
            response = await client.send(
                new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
                { abortSignal: signal },
            );
        } catch (error) {
            if (signal.aborted) throw signal.reason;
            throw s3Failure("ListObjectVersions", bucket, error);
        }
        await page(entries(response.Versions, false), entries(response.DeleteMarkers, true));
        if (!response.IsTruncated) return;
        keyMarker = response.NextKeyMarker;
        versionIdMarker = response.NextVersionIdMarker;
    }
}

/** One failed removal, as DeleteObjects reports it. */
export interface DeleteFailure {
    key: string;
    versionId: string;
    code: string;
    message: string;
}

/** Removes up to DELETE_BATCH versions in one request; returns those S3 could not remove. */
export async function deleteVersions(client: S3Client, bucket: string, objects: { key: string; versionId: string }[], signal: AbortSignal): Promise<DeleteFailure[]> {
    try {
        const response = await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.map((o) => ({ Key: o.key, VersionId: o.versionId })), Quiet: true } }),
            { abortSignal: signal },
        );
        return (response.Errors ?? []).map((e) => ({ key: e.Key ?? "", versionId: e.VersionId ?? "", code: e.Code ?? "", message: e.Message ?? "" }));
    } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw s3Failure("DeleteObjects", bucket, error);
    }
}
