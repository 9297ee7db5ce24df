/**
 * Reads an externally managed bucket's versioning and lifecycle configuration over the S3 API
 * (storage.manage: false) and hands the responses to the pure judgement in stacks/plan/bucket-check.ts.
 * A thin adapter for index.ts: the only code that talks to S3. It declares nothing.
 */
import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { GetBucketLifecycleConfigurationCommand, GetBucketVersioningCommand, GetObjectLockConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { OFFLINE_RENDER_ENV } from "../stacks/names";
import { StackPlan } from "../stacks/plan/stack-plan";
import { refuseProblems } from "./refusal";
import {
    BucketCheckPlan,
    BucketCheckResult,
    judgeBucket,
    judgeObjectLock,
    LifecycleResponse,
    ObjectLockResponse,
    unreadableBucket,
    VersioningResponse,
} from "../stacks/plan/bucket-check";

export interface StoreCredentials {
    accessKeyId: string;
    secretAccessKey: string;
}

/**
 * With storage.manage: false, reads the bucket before anything is declared and refuses the
 * deployment unless it keeps backups as the manual requires; returns what it found, null when
 * nothing was read. The offline render reads nothing: it lists the check as not evaluated.
 */
export async function checkBucketOfPlan(plan: StackPlan): Promise<string | null> {
    if (!plan.bucketCheck || process.env[OFFLINE_RENDER_ENV] === "1") return null;
    const credentials = plan.storeCredentials && {
        accessKeyId: plan.storeCredentials.accessKeyId.reveal(),
        secretAccessKey: plan.storeCredentials.secretAccessKey.reveal(),
    };
    const result = await checkExternalBucket(plan.bucketCheck, credentials);
    refuseProblems(result.problems);
    result.warnings.forEach((warning) => pulumi.log.warn(warning));
    return result.found;
}

/** How long one request may take; the check runs in every preview, so it must not hang. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 20_000;

/**
 * An S3 client as the stack would reach the bucket: an S3-compatible store at storage.apiEndpoint
 * with the stack's own keys, path style, CA bundle and TLS setting; AWS S3 in storage.region with
 * the default credential chain of the machine running pulumi.
 */
export function s3ClientFor(
    plan: Pick<BucketCheckPlan, "region" | "endpoint" | "forcePathStyle" | "insecureSkipTLSVerify" | "caCert">,
    credentials?: StoreCredentials,
): S3Client {
    // The project runs on Node 20 on purpose (@pulumi/pulumi 3.248 is the last release for it): keep the
    // SDK's notice about its future Node 22 floor out of every preview, unless the user asked for it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const agentOptions = { keepAlive: false };
    return new S3Client({
        region: plan.region,
        endpoint: plan.endpoint,
        forcePathStyle: plan.forcePathStyle,
        credentials: plan.endpoint ? credentials : undefined,
        followRegionRedirects: plan.endpoint === undefined,
        maxAttempts: 2,
        requestHandler: {
            connectionTimeout: CONNECT_TIMEOUT_MS,
            requestTimeout: REQUEST_TIMEOUT_MS,
            httpAgent: new http.Agent(agentOptions),
            // storage.caCert is trusted in addition to the system's CAs (Node's `ca` alone would replace them).
            httpsAgent: new https.Agent({
                ...agentOptions,
                ca: plan.caCert ? [...tls.rootCertificates, plan.caCert] : undefined,
                rejectUnauthorized: !plan.insecureSkipTLSVerify,
            }),
        },
    });
}

/** The response without the SDK's $metadata: the S3 API's JSON as the judgement takes it. */
export function body<T>(response: T & { $metadata?: unknown }): T {
    const { $metadata, ...rest } = response;
    return rest as T;
}

const isNoLifecycle = (error: unknown) => (error as { name?: string })?.name === "NoSuchLifecycleConfiguration";

/** The bucket's Object Lock configuration; null when it has none, or the store does not answer for it (no Object Lock). */
async function readObjectLock(client: S3Client, bucket: string): Promise<ObjectLockResponse | null> {
    try {
        return body(await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))) as ObjectLockResponse;
    } catch {
        return null;
    }
}

/**
 * Reads the bucket and judges it. A bucket that cannot be read (no credentials, access denied,
 * no such bucket, unreachable store) is refused too, with the reason: the deployment must not
 * go on without knowing that backups are kept.
 *
 * Internal. Exported for testing.
 */
export async function checkExternalBucket(plan: BucketCheckPlan, credentials?: StoreCredentials, client = s3ClientFor(plan, credentials)): Promise<BucketCheckResult> {
    try {
        let versioning: VersioningResponse;
        try {
            versioning = body(await client.send(new GetBucketVersioningCommand({ Bucket: plan.bucket })));
        } catch (error) {
            return { problems: [unreadableBucket(plan, "versioning", error as Error)], warnings: [], found: "unreadable" };
        }
        let lifecycle: LifecycleResponse | null;
        try {
            lifecycle = body(await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: plan.bucket }))) as LifecycleResponse;
        } catch (error) {
            if (!isNoLifecycle(error)) {
                return { problems: [unreadableBucket(plan, "lifecycle configuration", error as Error)], warnings: [], found: "unreadable" };
            }
            lifecycle = null;
        }
        const result = judgeBucket(plan, versioning, lifecycle);
        const locked = judgeObjectLock(plan, await readObjectLock(client, plan.bucket));
        return locked ? { ...result, problems: [...result.problems, locked] } : result;
    } finally {
        client.destroy();
    }
}
