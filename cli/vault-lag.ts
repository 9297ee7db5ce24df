/**
 * Reads the vault for `backups status`: whether the newest complete restore point's objects are
 * there (ListObjectsV2 for the RonDB folder, HeadObject for each velero-backup.json). Loaded only
 * when a stack declares a vault (the AWS SDK takes a while to load).
 */
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { judgeVault, VaultReport, vaultObjectsOf } from "../stacks/catalogue/vault-lag";
import type { RestorePoint } from "../stacks/catalogue/restore-points";
import { bucketReadError, s3Client } from "./bucket";
import { CliError, CliIo } from "./errors";
import type { BucketSettings } from "./stack";

const isMissing = (error: unknown) => {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404;
};

/** Which of the point's objects the vault lacks; a failed request throws a CliError naming the vault, the request and the permission. */
async function missingObjects(vault: BucketSettings, point: RestorePoint, io: CliIo): Promise<string[]> {
    const client = s3Client(vault, io.env);
    const { prefixes, keys } = vaultObjectsOf(point);
    const denied = (action: string, permission: string, resource: string) => (error: unknown) => {
        throw bucketReadError(error, vault, { action, permission, resource }, "vault");
    };
    try {
        const missing: string[] = [];
        // Sequential: a missing bucket is named by the listing, as a HEAD's 404 carries no error code.
        for (const prefix of prefixes) {
            const page = await client
                .send(new ListObjectsV2Command({ Bucket: vault.bucket, Prefix: prefix, MaxKeys: 1 }))
                .catch(denied(`ListObjectsV2 of ${prefix}`, "s3:ListBucket", `arn:aws:s3:::${vault.bucket}`));
            if ((page.KeyCount ?? page.Contents?.length ?? 0) === 0) missing.push(prefix);
        }
        for (const key of keys) {
            try {
                await client.send(new HeadObjectCommand({ Bucket: vault.bucket, Key: key }));
            } catch (error) {
                if (isMissing(error)) missing.push(key);
                else denied(`HeadObject of ${key}`, "s3:GetObject", `arn:aws:s3:::${vault.bucket}/*`)(error);
            }
        }
        return missing;
    } finally {
        client.destroy();
    }
}

/** The vault's copy of `point`, judged against `thresholdMs`; a vault that cannot be read is an unhealthy report, not an error. */
export async function checkVault(vault: BucketSettings, point: RestorePoint, thresholdMs: number, io: CliIo): Promise<VaultReport> {
    const now = io.now();
    try {
        return judgeVault({ point, now, thresholdMs, missing: await missingObjects(vault, point, io) });
    } catch (error) {
        if (!(error instanceof CliError)) throw error;
        return judgeVault({ point, now, thresholdMs, missing: [], readError: error.message });
    }
}
