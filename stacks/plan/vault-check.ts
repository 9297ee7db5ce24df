import { ConfigProblem } from "../config/reader";
import { CONFIG_NAMESPACE } from "../names";
import { LifecycleResponse, ruleScope, VersioningResponse } from "./bucket-check";
import { VaultPlan } from "./vault";

/**
 * vault.manage: false: the vault is someone else's, and the stack reads its versioning, Object
 * Lock and lifecycle over the S3 API before each deployment (program/vault-check.ts), as it does
 * the primary with storage.manage: false. This module judges the responses: pure.
 */

/** GetObjectLockConfiguration's ObjectLockConfiguration; null when the store answered that the bucket has none. */
export interface ObjectLockResponse {
    ObjectLockEnabled?: string;
    Rule?: { DefaultRetention?: { Mode?: string; Days?: number; Years?: number } };
}

export interface VaultCheckResult {
    problems: ConfigProblem[];
    warnings: string[];
    found: string;
}

/** What must hold, in words: plan.txt lists it. */
export function vaultRequirement(plan: VaultPlan): string {
    const { Mode, Days } = plan.settings.ObjectLockConfiguration.Rule.DefaultRetention;
    return (
        `vault ${plan.bucket} (managed elsewhere) has versioning Enabled, Object Lock Enabled with a default retention of at least ${Days} days ` +
        `in mode ${Mode}${Mode === "GOVERNANCE" ? " or COMPLIANCE" : ""}, and no enabled lifecycle rule for the whole bucket that expires current objects`
    );
}

function problem(plan: VaultPlan, message: string): ConfigProblem {
    return { key: "vault.bucket", message: `${CONFIG_NAMESPACE}:vault.bucket = ${JSON.stringify(plan.bucket)} (vault.manage: false): ${message}` };
}

/** The refusal when a setting could not be read at all: the deployment must not go on without knowing the vault holds. */
export function unreadableVault(plan: VaultPlan, what: string, error: { name?: string; message?: string }): ConfigProblem {
    const reason = [error.name, error.message].filter((s) => s !== undefined && s !== "").join(": ") || "unknown error";
    const where = plan.endpoint ? `at ${plan.endpoint} with vault.accessKeyId and vault.secretAccessKey` : `on AWS S3 in ${plan.region} with the default credential chain`;
    return problem(
        plan,
        `the check could not read the vault's ${what} ${where}: ${reason.split("\n")[0].replace(/\.+$/, "")}. It needs s3:GetBucketVersioning, ` +
            "s3:GetBucketObjectLockConfiguration and s3:GetLifecycleConfiguration on the vault",
    );
}

function retentionDays(retention: { Days?: number; Years?: number } | undefined): number | undefined {
    if (retention?.Days !== undefined) return retention.Days;
    return retention?.Years !== undefined ? retention.Years * 365 : undefined;
}

export function judgeVault(plan: VaultPlan, versioning: VersioningResponse, objectLock: ObjectLockResponse | null, lifecycle: LifecycleResponse | null): VaultCheckResult {
    const problems: ConfigProblem[] = [];
    const warnings: string[] = [];
    const want = plan.settings.ObjectLockConfiguration.Rule.DefaultRetention;
    if (versioning.Status !== "Enabled") {
        problems.push(problem(plan, `its versioning is ${JSON.stringify(versioning.Status ?? "never enabled")}; a vault needs "Enabled" (Object Lock turns it on for good)`));
    }
    const retention = objectLock?.Rule?.DefaultRetention;
    const days = retentionDays(retention);
    if (objectLock?.ObjectLockEnabled !== "Enabled") {
        problems.push(
            problem(
                plan,
                "Object Lock is off: anyone with its keys can delete every version in it. A bucket gets Object Lock at creation " +
                    `(aws s3api create-bucket --object-lock-enabled-for-bucket) or on a versioned bucket with put-object-lock-configuration; apply vault.json's ObjectLockConfiguration`,
            ),
        );
    } else if (days === undefined || days < want.Days) {
        problems.push(
            problem(
                plan,
                `its default retention is ${days === undefined ? "not set (new versions are not locked)" : `${days} days`}, less than vault.objectLock.days ${want.Days}: ` +
                    "apply vault.json's ObjectLockConfiguration (put-object-lock-configuration)",
            ),
        );
    } else if (want.Mode === "COMPLIANCE" && retention?.Mode !== "COMPLIANCE") {
        problems.push(problem(plan, `its default retention mode is ${JSON.stringify(retention?.Mode)}, weaker than vault.objectLock.mode COMPLIANCE (GOVERNANCE can be bypassed)`));
    }
    (lifecycle?.Rules ?? []).forEach((rule, index) => {
        const expiration = rule.Expiration ?? {};
        if (rule.Status !== "Enabled" || ruleScope(rule) !== undefined) return;
        if (expiration.Days !== undefined || expiration.Date !== undefined) {
            problems.push(problem(plan, `its lifecycle rule ${JSON.stringify(rule.ID ?? `#${index + 1}`)} expires current objects for the whole bucket: live HopsFS blocks and backups would leave the vault; remove Expiration.Days and Expiration.Date`));
        }
        const noncurrent = rule.NoncurrentVersionExpiration?.NoncurrentDays;
        if (noncurrent !== undefined && noncurrent < want.Days) {
            warnings.push(`vault ${plan.bucket}: lifecycle rule ${JSON.stringify(rule.ID ?? `#${index + 1}`)} expires noncurrent versions after ${noncurrent} days, before their ${want.Days}-day retention ends: S3 keeps them until then; set NoncurrentDays to ${want.Days} or more`);
        }
    });
    const found = [
        `versioning ${versioning.Status ?? "never enabled"}`,
        `Object Lock ${objectLock?.ObjectLockEnabled ?? "off"}${days !== undefined ? `, default retention ${retention?.Mode} ${days} days` : ""}`,
        `${lifecycle?.Rules?.length ?? 0} lifecycle rule(s)`,
    ];
    return { problems, warnings, found: found.join("; ") };
}
