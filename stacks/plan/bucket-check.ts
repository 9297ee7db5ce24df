import { ConfigProblem } from "../config/reader";
import { StackConfig } from "../config/stack-config";
import { CONFIG_NAMESPACE } from "../names";
import { restoresFromVault } from "./location";

/**
 * With storage.manage: false the bucket (e.g. HopsFS's own, made by a storage team or the
 * Hopsworks installer) is managed outside the stack, which then declares no AWS resource. Backups
 * still depend on its settings, so `pulumi preview` and `pulumi up` read them over the S3 API
 * (program/bucket-check.ts) and this module judges them: pure, given the API's responses.
 */
export interface BucketCheckPlan {
    bucket: string;
    region: string;
    /** storage.apiEndpoint for an S3-compatible store (the stack's own keys); unset: AWS S3 with the default credential chain. */
    endpoint?: string;
    forcePathStyle: boolean;
    insecureSkipTLSVerify: boolean;
    caCert?: string;
    ttl: string;
    ttlDays: number;
    /** The location's upload checksum (storage.checksumAlgorithm): "" turns it off, which a bucket with Object Lock refuses. */
    checksumAlgorithm?: string;
    /** What must hold, in words: the plan lists it, the offline render as not evaluated. */
    requirement: string;
}

/** GetBucketVersioning's response, in the S3 API's JSON shape. */
export interface VersioningResponse {
    Status?: string;
    MFADelete?: string;
}

/** GetObjectLockConfiguration's answer, as judgeObjectLock reads it. */
export interface ObjectLockResponse {
    ObjectLockConfiguration?: { ObjectLockEnabled?: string };
}

/** One rule of GetBucketLifecycleConfiguration's response, in the S3 API's JSON shape (only what is judged). */
export interface LifecycleRuleResponse {
    ID?: string;
    Status?: string;
    /** The deprecated rule-level prefix, still returned by some stores. */
    Prefix?: string;
    Filter?: {
        Prefix?: string;
        Tag?: { Key?: string; Value?: string };
        ObjectSizeGreaterThan?: number;
        ObjectSizeLessThan?: number;
        And?: { Prefix?: string; Tags?: unknown[]; ObjectSizeGreaterThan?: number; ObjectSizeLessThan?: number };
    };
    Expiration?: { Days?: number; Date?: string | Date; ExpiredObjectDeleteMarker?: boolean };
    NoncurrentVersionExpiration?: { NoncurrentDays?: number; NewerNoncurrentVersions?: number };
}

/** GetBucketLifecycleConfiguration's response; null when the store answered NoSuchLifecycleConfiguration. */
export interface LifecycleResponse {
    Rules?: LifecycleRuleResponse[];
}

export interface BucketCheckResult {
    problems: ConfigProblem[];
    warnings: string[];
    /** What was read, in words, for the stack's outputs. */
    found: string;
}

export function planBucketCheck(config: StackConfig): BucketCheckPlan | undefined {
    const { storage, backup } = config;
    // A restore from the vault reads nothing from the primary, whose region may be gone: the vault is checked instead.
    if (storage.manage || restoresFromVault(config)) return undefined;
    return {
        bucket: storage.bucket,
        region: storage.region,
        endpoint: storage.apiEndpoint,
        forcePathStyle: storage.forcePathStyle,
        insecureSkipTLSVerify: storage.insecureSkipTLSVerify,
        caCert: storage.caCert,
        ttl: backup.ttl,
        ttlDays: backup.ttlDays,
        ...(storage.checksumAlgorithm !== undefined ? { checksumAlgorithm: storage.checksumAlgorithm } : {}),
        requirement:
            `bucket ${storage.bucket} (managed outside the stack) has versioning Enabled, and no enabled lifecycle rule for the whole bucket ` +
            `deletes noncurrent versions younger than ${backup.ttlDays} days (backup.ttl ${backup.ttl}) or expires current objects ` +
            "(without a rule that expires noncurrent versions they are kept forever, which only warns of the cost)",
    };
}

/** The prefix of a problem: the key that made the stack read the bucket, and the bucket. */
function problem(plan: BucketCheckPlan, message: string): ConfigProblem {
    return {
        key: "storage.bucket",
        message: `${CONFIG_NAMESPACE}:storage.bucket = ${JSON.stringify(plan.bucket)} (storage.manage: false): ${message}`,
    };
}

/** Where the bucket was read, for messages. */
export function bucketWhere(plan: BucketCheckPlan): string {
    return plan.endpoint ? `at ${plan.endpoint}` : `on AWS S3 in ${plan.region}`;
}

/** The refusal when the bucket's settings could not be read at all. */
export function unreadableBucket(plan: BucketCheckPlan, what: "versioning" | "lifecycle configuration", error: { name?: string; message?: string }): ConfigProblem {
    const credentials = plan.endpoint
        ? "the stack's storage.accessKeyId and storage.secretAccessKey"
        : "the AWS credentials of the machine running pulumi (the default credential chain: AWS_ACCESS_KEY_ID, AWS_PROFILE, SSO, web identity, instance role)";
    const reason = [error.name, error.message].filter((s) => s !== undefined && s !== "").join(": ") || "unknown error";
    return problem(
        plan,
        `the check could not read the bucket's ${what} ${bucketWhere(plan)}: ${reason.split("\n")[0].replace(/\.+$/, "")}. ` +
            `It reads it with ${credentials}, which need s3:GetBucketVersioning and s3:GetLifecycleConfiguration on the bucket`,
    );
}

function ruleName(rule: LifecycleRuleResponse, index: number): string {
    return rule.ID ? `lifecycle rule ${JSON.stringify(rule.ID)}` : `lifecycle rule #${index + 1} (no ID)`;
}

/** undefined when the rule applies to every object; else what it is limited to. */
export function ruleScope(rule: LifecycleRuleResponse): string | undefined {
    const limits: string[] = [];
    const filter = rule.Filter ?? {};
    const and = filter.And ?? {};
    for (const prefix of [rule.Prefix, filter.Prefix, and.Prefix]) {
        if (prefix !== undefined && prefix !== "") limits.push(`prefix ${JSON.stringify(prefix)}`);
    }
    if (filter.Tag !== undefined) limits.push(`tag ${filter.Tag.Key}=${filter.Tag.Value}`);
    if (Array.isArray(and.Tags) && and.Tags.length > 0) limits.push(`${and.Tags.length} tag(s)`);
    for (const size of [filter.ObjectSizeGreaterThan, and.ObjectSizeGreaterThan]) if (size !== undefined) limits.push(`objects larger than ${size} bytes`);
    for (const size of [filter.ObjectSizeLessThan, and.ObjectSizeLessThan]) if (size !== undefined) limits.push(`objects smaller than ${size} bytes`);
    return limits.length > 0 ? limits.join(", ") : undefined;
}

/** How long a rule keeps noncurrent versions: a number of days, "forever", or "by count" (NewerNoncurrentVersions alone). */
function noncurrentRetention(rule: LifecycleRuleResponse): number | "forever" | "by count" {
    const expiration = rule.NoncurrentVersionExpiration;
    if (expiration === undefined) return "forever";
    if (expiration.NoncurrentDays !== undefined) return expiration.NoncurrentDays;
    return expiration.NewerNoncurrentVersions !== undefined ? "by count" : "forever";
}

function describeRetention(retention: number | "forever" | "by count", rule: LifecycleRuleResponse): string {
    if (retention === "forever") return "keeps noncurrent versions (no NoncurrentVersionExpiration)";
    if (retention === "by count") {
        return `deletes noncurrent versions by count (NewerNoncurrentVersions ${rule.NoncurrentVersionExpiration?.NewerNoncurrentVersions}), whatever their age`;
    }
    return `keeps noncurrent versions ${retention} days`;
}

/**
 * A bucket with Object Lock (a vault that became the primary after a region loss, say) refuses a PUT
 * without Content-MD5 or a checksum header (FACTS), so Velero's uploads fail when the location's
 * checksum is off (storage.checksumAlgorithm "", the default on S3-compatible stores).
 */
export function judgeObjectLock(plan: BucketCheckPlan, lock: ObjectLockResponse | null): ConfigProblem | undefined {
    if (lock?.ObjectLockConfiguration?.ObjectLockEnabled !== "Enabled" || plan.checksumAlgorithm !== "") return undefined;
    return {
        key: "storage.checksumAlgorithm",
        message:
            `${CONFIG_NAMESPACE}:storage.checksumAlgorithm = "": bucket ${plan.bucket} has Object Lock, which refuses an upload without a checksum, ` +
            'so every Velero backup would fail; set storage.checksumAlgorithm to "CRC32" (or CRC32C, SHA1, SHA256)',
    };
}

/**
 * The bucket is fit for backups when versioning is Enabled, and an enabled lifecycle rule for
 * the whole bucket keeps noncurrent versions at least as long as the backup ttl: a HopsFS block
 * overwritten right after a backup lives on only as a noncurrent version, for NoncurrentDays.
 * No NoncurrentVersionExpiration keeps them forever (fine); NewerNoncurrentVersions alone deletes
 * by count, whatever the age (refused). The manual calls its Cleanup rule optional: a bucket with
 * no lifecycle configuration (NoSuchLifecycleConfiguration), or no enabled rule for the whole
 * bucket, keeps every noncurrent version forever, which only warns of the cost. An enabled rule for the whole bucket
 * that deletes noncurrent versions sooner, or expires current objects, is refused even beside a
 * good one (S3 applies the earliest expiration); such a rule limited to a prefix, tag or size
 * only warns.
 */
export function judgeBucket(plan: BucketCheckPlan, versioning: VersioningResponse, lifecycle: LifecycleResponse | null): BucketCheckResult {
    const problems: ConfigProblem[] = [];
    const warnings: string[] = [];
    const need = `at least ${plan.ttlDays} days (backup.ttl ${plan.ttl})`;
    const status = versioning.Status;
    if (status !== "Enabled") {
        problems.push(
            problem(
                plan,
                `its versioning is ${status ? JSON.stringify(status) : "not enabled (never turned on)"}, but HopsFS backups are the noncurrent ` +
                    `versions of its blocks, so it must be "Enabled" (aws s3api put-bucket-versioning --bucket ${plan.bucket} ` +
                    `--versioning-configuration Status=Enabled), or set storage.manage: true to let the stack manage it`,
            ),
        );
    }
    const found = [`versioning ${status ?? "never enabled"}`];
    const manualRule =
        `e.g. the manual's rule HopsFSBlocksRetentionPolicy: Filter {}, Status Enabled, NoncurrentVersionExpiration.NoncurrentDays ${plan.ttlDays}`;
    const keptForever = (what: string) =>
        `bucket ${plan.bucket} (storage.manage: false) ${what}: every noncurrent version (each HopsFS block overwritten or deleted, ` +
        "the objects of each expired backup) and every delete marker is kept forever, so the bucket's storage, and its bill, grow " +
        `without bound. The manual calls the rule optional; to bound the cost add one for the whole bucket that keeps noncurrent versions ${need}, ${manualRule}`;
    if (lifecycle === null) {
        found.push("no lifecycle configuration");
        warnings.push(keptForever("has no lifecycle configuration (NoSuchLifecycleConfiguration)"));
        return { problems, warnings, found: found.join("; ") };
    }
    const rules = lifecycle.Rules ?? [];
    let keeping = 0;
    let shortening = 0;
    rules.forEach((rule, index) => {
        const name = ruleName(rule, index);
        const scope = ruleScope(rule);
        const retention = noncurrentRetention(rule);
        found.push(`${name}${rule.Status === "Enabled" ? "" : ` (${rule.Status ?? "no status"})`}${scope ? ` for ${scope}` : " for the whole bucket"} ${describeRetention(retention, rule)}`);
        if (rule.Status !== "Enabled") return;
        const short = retention === "by count" || (typeof retention === "number" && retention < plan.ttlDays);
        const expiration = rule.Expiration ?? {};
        const expiresCurrent = expiration.Days !== undefined || expiration.Date !== undefined;
        const currentText = `expires current objects (Expiration.${expiration.Days !== undefined ? `Days ${expiration.Days}` : `Date ${String(expiration.Date)}`})`;
        if (scope !== undefined) {
            if (short) warnings.push(`bucket ${plan.bucket}: ${name} for ${scope} ${describeRetention(retention, rule)}, less than ${need}: make sure no HopsFS or backup data is stored there`);
            if (expiresCurrent) warnings.push(`bucket ${plan.bucket}: ${name} for ${scope} ${currentText}: make sure no HopsFS or backup data is stored there`);
            return;
        }
        if (short) {
            shortening++;
            problems.push(
                problem(
                    plan,
                    `its ${name} applies to the whole bucket and ${describeRetention(retention, rule)}: HopsFS blocks that backups still need ` +
                        `would be deleted first. Noncurrent versions must be kept ${need}: set NoncurrentVersionExpiration.NoncurrentDays to ` +
                        `${plan.ttlDays} or more${retention === "by count" ? " (NewerNoncurrentVersions alone is not enough)" : ""}, or shorten backup.ttl`,
                ),
            );
        } else {
            keeping++;
        }
        if (expiresCurrent) {
            problems.push(problem(plan, `its ${name} applies to the whole bucket and ${currentText}: live HopsFS blocks would be deleted; remove Expiration.Days and Expiration.Date`));
        }
    });
    if (keeping === 0 && shortening === 0) {
        warnings.push(keptForever(`has no enabled lifecycle rule for the whole bucket (found: ${rules.length > 0 ? found.slice(1).join("; ") : "no rules"})`));
    }
    return { problems, warnings, found: found.join("; ") };
}
