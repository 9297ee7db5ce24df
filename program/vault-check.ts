/**
 * vault.manage: false: reads the vault's versioning, Object Lock and lifecycle over the S3 API
 * before anything is declared and hands them to the pure judgement in stacks/plan/vault-check.ts.
 * Like program/bucket-check.ts, the only code that talks to the vault; it declares nothing.
 */
import { GetBucketLifecycleConfigurationCommand, GetBucketVersioningCommand, GetObjectLockConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { OFFLINE_RENDER_ENV } from "../stacks/names";
import { LifecycleResponse, VersioningResponse } from "../stacks/plan/bucket-check";
import { StackPlan } from "../stacks/plan/stack-plan";
import { VaultPlan } from "../stacks/plan/vault";
import { judgeVault, ObjectLockResponse, unreadableVault, VaultCheckResult } from "../stacks/plan/vault-check";
import { body, s3ClientFor } from "./bucket-check";
import { refuseProblems } from "./refusal";

/** Checks a vault managed elsewhere; null when nothing was read (no such vault, or the offline render). */
export async function checkVaultOfPlan(plan: StackPlan): Promise<string | null> {
    if (!plan.vault || plan.vault.manage || process.env[OFFLINE_RENDER_ENV] === "1") return null;
    const result = await checkExternalVault(plan.vault);
    refuseProblems(result.problems);
    result.warnings.forEach((warning) => pulumi.log.warn(warning));
    return result.found;
}

const notFound = (names: string[]) => (error: unknown) => names.includes((error as { name?: string })?.name ?? "");

/**
 * Reads the vault and judges it; a vault that cannot be read is refused with the reason.
 *
 * Internal. Exported for testing.
 */
export async function checkExternalVault(plan: VaultPlan, client?: S3Client): Promise<VaultCheckResult> {
    const credentials = plan.credentials && { accessKeyId: plan.credentials.accessKeyId.reveal(), secretAccessKey: plan.credentials.secretAccessKey.reveal() };
    const s3 = client ?? s3ClientFor({ region: plan.region, endpoint: plan.endpoint, forcePathStyle: plan.forcePathStyle, insecureSkipTLSVerify: false }, credentials);
    const read = async <T>(what: string, send: () => Promise<T>, absent: (e: unknown) => boolean = () => false): Promise<T | null | { unreadable: VaultCheckResult }> => {
        try {
            return await send();
        } catch (error) {
            if (absent(error)) return null;
            return { unreadable: { problems: [unreadableVault(plan, what, error as Error)], warnings: [], found: "unreadable" } };
        }
    };
    const isUnreadable = (x: unknown): x is { unreadable: VaultCheckResult } => typeof x === "object" && x !== null && "unreadable" in x;
    try {
        const versioning = await read("versioning", async () => body(await s3.send(new GetBucketVersioningCommand({ Bucket: plan.bucket }))) as VersioningResponse);
        if (isUnreadable(versioning)) return versioning.unreadable;
        const lock = await read(
            "Object Lock configuration",
            async () => (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: plan.bucket }))).ObjectLockConfiguration as ObjectLockResponse,
            notFound(["ObjectLockConfigurationNotFoundError", "ObjectLockConfigurationNotFound"]),
        );
        if (isUnreadable(lock)) return lock.unreadable;
        const lifecycle = await read(
            "lifecycle configuration",
            async () => body(await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: plan.bucket }))) as LifecycleResponse,
            notFound(["NoSuchLifecycleConfiguration"]),
        );
        if (isUnreadable(lifecycle)) return lifecycle.unreadable;
        return judgeVault(plan, versioning ?? {}, lock, lifecycle);
    } finally {
        s3.destroy();
    }
}
