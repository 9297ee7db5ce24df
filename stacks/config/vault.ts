import { is, isUrl } from "./formats";
import { LIMITS, oneOf } from "./limits";
import { ConfigReader } from "./reader";
import { SecretValue, setSecretCommand } from "./secret";
import { BackupConfig } from "./backup";
import { isAwsS3, StorageConfig } from "./storage";

export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

/**
 * hopsworks-dr:vault, with every default applied: the off-site copy of the backup bucket, in
 * another region (optionally another account or store), with Object Lock, that the primary
 * replicates into without its delete markers. Unset: no vault. docs/config.md has the table.
 */
export interface VaultConfig {
    /** The vault bucket's name (S3 naming rules). Required. */
    bucket: string;
    /** Its region; never storage.region (the vault must outlive the primary's region). Required. */
    region: string;
    /** An S3-compatible store's URL for the vault; unset: AWS S3. */
    endpoint?: string;
    /** Path-style addressing. Default: true with vault.endpoint, else false. */
    forcePathStyle: boolean;
    /** The vault account's or store's keys (Pulumi secrets); required with vault.endpoint. Default: none (AWS: the default credential chain, or providerRoleArn). */
    credentials?: { accessKeyId: SecretValue; secretAccessKey: SecretValue };
    /** AWS: a role in the vault's account that the vault's provider assumes (another account). Default: none. */
    providerRoleArn?: string;
    /** false: the vault is managed elsewhere; the stack only checks its versioning, Object Lock and retention. Default: true. */
    manage: boolean;
    /** Object Lock's default retention: every new version is locked this long. */
    objectLock: { mode: ObjectLockMode; days: number };
    /** Replication from the primary: delete markers are never replicated. */
    replication: {
        deleteMarkerReplication: "Disabled";
        /** S3 Replication Time Control (99.99% within 15 minutes, charged per GB) and its 15-minute event threshold. Default: true. Replication metrics are on either way. */
        timeControl: boolean;
        roleName?: string;
        roleArn?: string;
    };
    /** AWS only: encrypt the vault with this KMS key instead of SSE-S3 (AES256). Default: none. */
    kmsKeyArn?: string;
}

export const VAULT_KEYS = ["bucket", "region", "endpoint", "forcePathStyle", "accessKeyId", "secretAccessKey", "providerRoleArn", "manage", "objectLock", "replication", "kmsKeyArn"] as const;
export const OBJECT_LOCK_KEYS = ["enabled", "mode", "days"] as const;
export const REPLICATION_KEYS = ["deleteMarkerReplication", "timeControl", "roleName", "roleArn"] as const;

const BUCKET = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;
const STORE_REGION = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/;
/** Object Lock's largest default retention in days (S3: 100 years). */
const MAX_RETENTION_DAYS = 36_500;

const given = (o: Record<string, unknown>, key: string) => o[key] !== undefined && o[key] !== null;

export function readVault(r: ConfigReader, storage: StorageConfig | undefined, backup: BackupConfig | undefined): VaultConfig | undefined {
    const v = r.section("vault", VAULT_KEYS);
    if (Object.keys(v).length === 0) return undefined;
    const onAws = isAwsS3(v);
    const endpoint = r.string(v, "vault.endpoint", {
        max: LIMITS.url,
        check: (s) => isUrl(s, ["http:", "https:"]),
        expected: "must be the http(s) URL of the vault's S3-compatible store, e.g. https://minio.dr.example.com:9000",
    });
    const bucket = r.string(v, "vault.bucket", {
        required: true,
        max: LIMITS.bucket,
        check: is(BUCKET),
        expected: "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
    });
    const region = r.string(v, "vault.region", {
        required: true,
        max: LIMITS.region,
        check: is(onAws ? AWS_REGION : STORE_REGION),
        expected: onAws ? `must be an AWS region other than storage.region, such as "eu-west-1"` : `must be the vault store's region name, other than storage.region`,
    });
    const access = readVaultAccess(r, v, onAws);
    const objectLock = readObjectLock(r, v.objectLock, backup);
    const replication = readReplication(r, v.replication);
    checkAgainstPrimary(r, { bucket, region, endpoint }, storage);
    if (!bucket || !region || !objectLock || !replication) return undefined;
    return {
        bucket,
        region,
        endpoint,
        forcePathStyle: r.boolean(v, "vault.forcePathStyle", !onAws),
        ...access,
        manage: r.boolean(v, "vault.manage", true),
        objectLock,
        replication,
    };
}

/** The vault's own keys (an S3-compatible store, or another AWS account) or a role its provider assumes. */
function readVaultAccess(r: ConfigReader, v: Record<string, unknown>, onAws: boolean): Pick<VaultConfig, "credentials" | "providerRoleArn" | "kmsKeyArn"> {
    const accessKeyId = r.secret(v, "vault.accessKeyId", LIMITS.credential);
    const secretAccessKey = r.secret(v, "vault.secretAccessKey", LIMITS.credential);
    const providerRoleArn = r.string(v, "vault.providerRoleArn", {
        max: LIMITS.arn,
        check: is(ROLE_ARN),
        expected: "must be the ARN of a role in the vault's account that the vault's provider assumes, e.g. arn:aws:iam::210987654321:role/hopsworks-vault",
    });
    const kmsKeyArn = r.string(v, "vault.kmsKeyArn", {
        max: LIMITS.arn,
        check: is(KMS_ARN),
        expected: "must be a KMS key or alias ARN in the vault's region",
    });
    if (given(v, "accessKeyId") !== given(v, "secretAccessKey")) {
        r.problem(given(v, "accessKeyId") ? "vault.secretAccessKey" : "vault.accessKeyId", "is required with the other key of the pair: give both vault.accessKeyId and vault.secretAccessKey, or neither");
    }
    if (!onAws) {
        for (const key of ["accessKeyId", "secretAccessKey"]) {
            if (!given(v, key)) r.problem(`vault.${key}`, `is required for a vault on an S3-compatible store (vault.endpoint): ${setSecretCommand(`vault.${key}`, r.source.stack)}`);
        }
        for (const key of ["providerRoleArn", "kmsKeyArn"]) {
            if (given(v, key)) r.problem(`vault.${key}`, "applies only to a vault on AWS S3; remove it, or remove vault.endpoint");
        }
    }
    return {
        ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
        ...(providerRoleArn ? { providerRoleArn } : {}),
        ...(kmsKeyArn ? { kmsKeyArn } : {}),
    };
}

/** Object Lock is what makes the vault immutable: it cannot be off, and it must hold a version at least as long as a backup lives. */
function readObjectLock(r: ConfigReader, value: unknown, backup: BackupConfig | undefined): VaultConfig["objectLock"] | undefined {
    const ttl = backup ? ` (backup.ttl ${JSON.stringify(backup.ttl)} is ${backup.ttlDays} days)` : "";
    if (value === undefined || value === null) {
        r.problem("vault.objectLock", `is required: {mode: GOVERNANCE or COMPLIANCE, days: at least the backup ttl in days${ttl}}`);
        return undefined;
    }
    const o = r.object(value as never, "vault.objectLock", OBJECT_LOCK_KEYS);
    if (!o) return undefined;
    const enabled = r.boolean(o, "vault.objectLock.enabled", true);
    if (!enabled) {
        r.invalid(
            "vault.objectLock.enabled",
            o.enabled,
            "must be true: without Object Lock anyone holding the vault's keys (or a leaked one) can delete every version in it, " +
                "and the vault protects nothing the primary does not; remove vault.objectLock.enabled, or remove vault",
        );
    }
    const mode = r.string(o, "vault.objectLock.mode", {
        required: true,
        max: oneOf(OBJECT_LOCK_MODES),
        check: (m) => (OBJECT_LOCK_MODES as readonly string[]).includes(m),
        expected: "must be GOVERNANCE (principals with s3:BypassGovernanceRetention can delete early) or COMPLIANCE (nobody, root included, until the date)",
    }) as ObjectLockMode | undefined;
    const days = r.integer(o, "vault.objectLock.days", {
        min: 1,
        max: { max: MAX_RETENTION_DAYS, why: "S3 Object Lock retains at most 100 years" },
        default: backup?.ttlDays,
    });
    if (days !== undefined && backup && days < backup.ttlDays) {
        r.invalid(
            "vault.objectLock.days",
            o.days,
            `must be at least the backup ttl in days (${backup.ttlDays}, backup.ttl ${JSON.stringify(backup.ttl)}): a backup still listed ` +
                `would lose its lock before it expires, and could then be deleted in the vault; set vault.objectLock.days to ${backup.ttlDays} or more`,
        );
        return undefined;
    }
    if (!enabled || mode === undefined || days === undefined) return undefined;
    return { mode, days };
}

/** A replication that carried delete markers would carry a ransomware's deletions into the vault: refused. */
function readReplication(r: ConfigReader, value: unknown): VaultConfig["replication"] | undefined {
    if (value === undefined || value === null) return { deleteMarkerReplication: "Disabled", timeControl: true };
    const o = r.object(value as never, "vault.replication", REPLICATION_KEYS);
    if (!o) return undefined;
    const mode = o.deleteMarkerReplication;
    if (mode !== undefined && mode !== null && mode !== "Disabled") {
        r.invalid(
            "vault.replication.deleteMarkerReplication",
            mode,
            'must be "Disabled" (the default): replicated delete markers would hide every backup in the vault as soon as they are deleted ' +
                "in the primary, by Velero, a person or an attacker; remove the key",
        );
        return undefined;
    }
    const roleName = r.string(o, "vault.replication.roleName", {
        max: LIMITS.iamRoleName,
        check: is(/^[\w+=,.@-]+$/),
        expected: "must be an IAM role name (letters, digits and +=,.@_-)",
    });
    const roleArn = r.string(o, "vault.replication.roleArn", {
        max: LIMITS.arn,
        check: is(ROLE_ARN),
        expected: "must be the ARN of an existing role S3 assumes to replicate, e.g. arn:aws:iam::123456789012:role/hopsworks-replication",
    });
    if (roleName !== undefined && roleArn !== undefined) {
        r.problem("vault.replication", "sets both roleName and roleArn: give roleArn for an existing replication role, or roleName (or neither) to let the stack create it");
    }
    const timeControl = r.boolean(o, "vault.replication.timeControl", true);
    return { deleteMarkerReplication: "Disabled", timeControl, ...(roleName ? { roleName } : {}), ...(roleArn ? { roleArn } : {}) };
}

/** The vault is worth nothing if it shares the primary's bucket or region. */
function checkAgainstPrimary(r: ConfigReader, vault: { bucket?: string; region?: string; endpoint?: string }, storage: StorageConfig | undefined): void {
    if (!storage) return;
    const sameStore = (vault.endpoint ?? "") === (storage.endpoint ?? "");
    if (vault.bucket !== undefined && sameStore && vault.bucket === storage.bucket) {
        r.invalid("vault.bucket", vault.bucket, "is storage.bucket, the primary bucket itself: the vault must be another bucket, in another region; name the vault's own bucket");
    }
    if (vault.region !== undefined && vault.region === storage.region) {
        r.invalid(
            "vault.region",
            vault.region,
            `is storage.region: a vault in the primary's region is lost with it; choose another region ` +
                `(${isAwsS3(storage) ? 'e.g. "eu-west-1" for a primary in "eu-north-1"' : "the region name of the vault's own site"})`,
        );
    }
}
