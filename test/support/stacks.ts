import { spawnSync } from "child_process";
import * as path from "path";
import { ConfigSource } from "../../stacks/config/reader";
import { StackFile } from "../../stacks/config/stack-file";
import { REDACTED } from "../../stacks/config/secret";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** The stacks the project ships, for when git cannot say (no git, or not a clone): keep it in step with the tracked files. */
export const SHIPPED_STACKS = ["dev"];

/**
 * The stacks the project ships: those whose Pulumi.<stack>.yaml git tracks in `dir`. A user's own
 * stack file (`pulumi stack init prod` writes Pulumi.prod.yaml), or a half-written one, is no
 * business of the project's tests until it is committed. Without git, or outside a clone, the fixed list.
 */
export function shippedStacks(dir = PROJECT_DIR, git = "git"): string[] {
    const listed = spawnSync(git, ["ls-files", "-z", "--", "Pulumi.*.yaml"], { cwd: dir, encoding: "utf8" });
    if (listed.error || listed.status !== 0) return [...SHIPPED_STACKS];
    return listed.stdout
        .split("\0")
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}
export const SHARED_DIR = path.resolve(PROJECT_DIR, "../shared");

/** The break-glass principal of the test stacks that get the stack's bucket policy. */
export const BREAK_GLASS = "arn:aws:iam::123456789012:role/break-glass";

/** A minimal valid S3-compatible (MinIO) stack config, namespaced as in a stack file. */
export function minioConfig(): Record<string, any> {
    return {
        storage: {
            bucket: "hopsworks-test",
            region: "us-east-1",
            endpoint: "https://minio.example.com:9000",
            accessKeyId: "AKIATESTKEY",
            secretAccessKey: "test-secret-key",
            credentialsHashKey: "test-credentials-hash-key",
            breakGlassPrincipals: [BREAK_GLASS],
            // Velero's own store user: the stack manages the bucket, so the provider's keys are not Velero's.
            veleroAccessKeyId: "AKIAVELEROKEY",
            veleroSecretAccessKey: "velero-secret-key",
        },
        hopsworks: { repo: "https://charts.example.com/hopsworks", chartVersion: "4.8.0", version: "4.8.0" },
    };
}

/** A minimal valid AWS stack config using an existing IAM role for Velero. */
export function awsConfig(): Record<string, any> {
    return {
        storage: { bucket: "hopsworks-backups", region: "eu-north-1", iamRoleArn: "arn:aws:iam::123456789012:role/velero", breakGlassPrincipals: [BREAK_GLASS] },
        hopsworks: { repo: "https://charts.example.com/hopsworks", chartVersion: "4.8.0", version: "4.8.0" },
    };
}

/** awsConfig (primary in eu-north-1, ttl 60d) with a vault in eu-west-1. */
export function vaultConfig(): Record<string, any> {
    const c = awsConfig();
    c.vault = { bucket: "hopsworks-vault", region: "eu-west-1", objectLock: { mode: "COMPLIANCE", days: 60 } };
    return c;
}

/** awsConfig with the role created by the stack for IRSA instead of an existing one. */
export function irsaConfig(): Record<string, any> {
    const c = awsConfig();
    delete c.storage.iamRoleArn;
    c.storage.irsa = {
        oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
        oidcProviderUrl: "oidc.eks.eu-north-1.amazonaws.com/id/ABC",
    };
    return c;
}

const CREDENTIAL_PATHS = ["storage.accessKeyId", "storage.secretAccessKey", "storage.credentialsHashKey", "hopsworks.repoUsername", "hopsworks.repoPassword", "vault.accessKeyId", "vault.secretAccessKey", "storage.veleroAccessKeyId", "storage.veleroSecretAccessKey"];

/** Credentials present in `values` are treated as Pulumi secrets unless listed in `plaintext`. */
export function source(values: Record<string, any>, opts: { stack?: string; plaintext?: string[]; now?: Date } = {}): ConfigSource {
    const secretPaths = CREDENTIAL_PATHS.filter((p) => {
        const [section, key] = p.split(".");
        return values[section]?.[key] !== undefined && !(opts.plaintext ?? []).includes(p);
    });
    return { stack: opts.stack ?? "test", values, secretPaths, projectDir: PROJECT_DIR, ...(opts.now ? { now: opts.now } : {}) };
}

/**
 * A stack file as the render would read it. Credentials are given their real (test) values and
 * marked secret: the program sees them as a deployment would, so a leak would show in the files.
 */
export function stackFile(values: Record<string, any>, stack = "test"): StackFile {
    const src = source(values, { stack });
    return {
        stack,
        config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`hopsworks-dr:${k}`, v])),
        secretKeys: [...new Set(src.secretPaths.map((p) => `hopsworks-dr:${p.split(".")[0]}`))],
        securePaths: src.secretPaths.map((p) => `hopsworks-dr:${p}`),
    };
}

export { REDACTED };

/** minioConfig manages its bucket on an S3-compatible store, which always warns (stacks/plan/bucket.ts bucketWarnings). */
export const STORE_MANAGE_WARNING = /^storage\.manage is true with the S3-compatible store at storage\.endpoint /;
/** The warnings besides that one, for tests about others. */
export function otherWarnings(warnings: string[]): string[] {
    return warnings.filter((w) => !STORE_MANAGE_WARNING.test(w));
}
