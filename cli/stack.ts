/**
 * A stack file as the CLI reads it: once, through readStack, and what the commands learn from it
 * (namespaces, backup schedule, the restore block) handed on as a Stack. The only CLI file that
 * reaches into the program's config reading and planning (stacks/config, stacks/plan).
 */
import * as fs from "fs";
import * as path from "path";
import { DEFAULTS } from "../stacks/config/defaults";
import { ConfigError, ConfigSource } from "../stacks/config/reader";
import { readStackConfig, StackConfig } from "../stacks/config/stack-config";
import { configSourceFromStackFile, namespaceFindings, parseStackFile, StackFile } from "../stacks/config/stack-file";
import { isPlainObject } from "../stacks/config/values-files";
import { scheduleProblem } from "../stacks/catalogue/schedule";
import { CONFIG_NAMESPACE, RESTORE_CONFIG_KEY } from "../stacks/names";
import { planStack } from "../stacks/plan/stack-plan";
import type { BucketCheckPlan } from "../stacks/plan/bucket-check";
import { CliError, CliIo } from "./errors";
import { blockDiff } from "./format";
import { NAMESPACE_NAME } from "./options";
import { FlowStyleConfigError, hasConfigKey, setConfigKey } from "./stack-edit";
import { lockStackFile, prepareWrite } from "./stack-write";

/** The stack's bucket as the CLI reaches it (storage.*), without its keys: the fields the deployment's bucket check reaches it by. */
export type BucketSettings = Pick<BucketCheckPlan, "bucket" | "region" | "endpoint" | "forcePathStyle" | "insecureSkipTLSVerify" | "caCert">;

/** An edit of the stack file, ready to show and apply. */
export interface StackEdit {
    show(io: CliIo): void;
    apply(): void;
}

/**
 * What the commands take from Pulumi.<stack>.yaml, read once: the text (restore edits it), the
 * config as the program reads it, and the few settings the CLI needs. Read raw, without the
 * program's validation, and each setting checked only when asked for: `backups status` must work
 * while a restore block is half-written, and `restore finish` whatever else the file holds.
 */
export class Stack {
    constructor(
        readonly name: string,
        readonly file: string,
        /** As shown to the operator: relative to the working directory. */
        readonly shown: string,
        readonly text: string,
        readonly stackFile: StackFile,
    ) {}

    private section(name: string): Record<string, unknown> {
        // A setting under a mistyped namespace (hopsworks_dr:velero) would silently fall back to the default.
        const typo = namespaceFindings(Object.keys(this.stackFile.config)).problems.find((p) => p.key.endsWith(`:${name}`));
        if (typo) throw new CliError(`${this.shown}: ${typo.message}`);
        const value = this.stackFile.config[`${CONFIG_NAMESPACE}:${name}`];
        return isPlainObject(value) ? value : {};
    }

    private setting(name: string, key: string): string | undefined {
        const value = this.section(name)[key];
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "string" && typeof value !== "number") {
            throw new CliError(`${this.shown}: ${CONFIG_NAMESPACE}:${name}.${key} must be a string, not ${JSON.stringify(value)}`);
        }
        return String(value);
    }

    private namespaceOf(name: string, fallback: string): string {
        const value = this.setting(name, "namespace");
        if (value !== undefined && !NAMESPACE_NAME.test(value)) {
            throw new CliError(
                `${this.shown}: ${CONFIG_NAMESPACE}:${name}.namespace = ${JSON.stringify(value)}: ` +
                    "must be a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)",
            );
        }
        return value ?? fallback;
    }

    /** hopsworks-dr:backup.schedule, else the program's default, and where it came from (for the output). */
    schedule(): { schedule: string; from: string } {
        const given = this.setting("backup", "schedule");
        const schedule = given ?? DEFAULTS.backupSchedule;
        const problem = scheduleProblem(schedule);
        if (problem) throw new CliError(`${this.shown}: ${CONFIG_NAMESPACE}:backup.schedule = ${JSON.stringify(schedule)}: ${problem}`);
        const from = given !== undefined
            ? `${CONFIG_NAMESPACE}:backup.schedule in ${this.shown}`
            : `the default, as ${this.shown} sets no ${CONFIG_NAMESPACE}:backup.schedule`;
        return { schedule, from };
    }

    /**
     * Where the CLI reads the bucket: storage.bucket and storage.region, and for an S3-compatible
     * store storage.apiEndpoint (else storage.endpoint) with its path style and TLS settings. Only
     * plain settings: the store's keys are Pulumi secrets, which the CLI never decrypts.
     */
    storage(): BucketSettings {
        const required = (key: string) => {
            const value = this.setting("storage", key);
            if (value === undefined) throw new CliError(`${this.shown}: ${CONFIG_NAMESPACE}:storage.${key} is not set: the bucket cannot be read without it`);
            return value;
        };
        const flag = (key: string, fallback: boolean) => {
            const value = this.section("storage")[key];
            return value === undefined || value === null ? fallback : value === true || value === "true";
        };
        const endpoint = this.setting("storage", "apiEndpoint") ?? this.setting("storage", "endpoint");
        const caCert = this.section("storage").caCert;
        return {
            bucket: required("bucket"),
            region: required("region"),
            ...(endpoint !== undefined ? { endpoint } : {}),
            forcePathStyle: flag("forcePathStyle", endpoint !== undefined),
            insecureSkipTLSVerify: flag("insecureSkipTLSVerify", false),
            ...(typeof caCert === "string" ? { caCert } : {}),
        };
    }

    /**
     * The vault as the CLI reads it (hopsworks-dr:vault: bucket, region, endpoint, forcePathStyle), or
     * undefined when the stack declares none. Its keys are Pulumi secrets, never decrypted here.
     */
    vault(): BucketSettings | undefined {
        if (Object.keys(this.section("vault")).length === 0) return undefined;
        const required = (key: string) => {
            const value = this.setting("vault", key);
            if (value === undefined) throw new CliError(`${this.shown}: ${CONFIG_NAMESPACE}:vault.${key} is not set: the vault cannot be read without it`);
            return value;
        };
        const endpoint = this.setting("vault", "endpoint");
        const pathStyle = this.section("vault").forcePathStyle;
        return {
            bucket: required("bucket"),
            region: required("region"),
            ...(endpoint !== undefined ? { endpoint } : {}),
            forcePathStyle: pathStyle === undefined || pathStyle === null ? endpoint !== undefined : pathStyle === true || pathStyle === "true",
            insecureSkipTLSVerify: false,
        };
    }

    /** hopsworks.version as the stack file gives it (checked by the program's validation, not here), or undefined. */
    hopsworksVersion(): string | undefined {
        return this.setting("hopsworks", "version");
    }

    /** The bucket --from-bucket reads: storage.bucket, or with --vault the vault, which the stack must declare. */
    bucketToRead(which: "storage" | "vault"): BucketSettings {
        if (which === "storage") return this.storage();
        const vault = this.vault();
        if (vault === undefined) throw new CliError(`${this.shown}: --vault: the stack declares no ${CONFIG_NAMESPACE}:vault to read; leave out --vault to read storage.bucket`);
        return vault;
    }

    get hopsworksNamespace(): string {
        return this.namespaceOf("hopsworks", DEFAULTS.hopsworksNamespace);
    }

    get veleroNamespace(): string {
        return this.namespaceOf("velero", DEFAULTS.veleroNamespace);
    }

    /**
     * The Superset restore the restore block holds (restore.superset.backupId, Hopsworks 5.2), and
     * the revision of the page the chart follows (hopsworks.supersetRestoreContract, default state);
     * read raw, as `restore finish` must work whatever else the file holds. Undefined when none.
     */
    supersetRestore(): { backupId: string; contract: "state" | "job" } | undefined {
        const superset = this.section("restore").superset;
        if (!isPlainObject(superset) || superset.backupId === undefined || superset.backupId === null) return undefined;
        if (typeof superset.backupId !== "string") {
            throw new CliError(`${this.shown}: ${CONFIG_NAMESPACE}:restore.superset.backupId must be a string, not ${JSON.stringify(superset.backupId)}`);
        }
        const contract = this.setting("hopsworks", "supersetRestoreContract") ?? "state";
        if (contract !== "state" && contract !== "job") {
            throw new CliError(`${this.shown}: ${CONFIG_NAMESPACE}:hopsworks.supersetRestoreContract = ${JSON.stringify(contract)}: must be state or job`);
        }
        return { backupId: superset.backupId, contract };
    }

    /** restore.mode as the stack file gives it, unchecked, or undefined. */
    restoreMode(): string | undefined {
        return this.setting("restore", "mode");
    }

    hasRestoreBlock(): boolean {
        return hasConfigKey(this.text, RESTORE_CONFIG_KEY);
    }

    /**
     * Runs the program's own validation and planning on the stack with `restore` as its restore
     * block (none when undefined), judged at `now` (the CLI's clock); its messages are the operator's, unchanged.
     */
    validateWithRestore(restore: Record<string, unknown> | undefined, now: Date): StackConfig {
        try {
            const config = readStackConfig({ ...this.configSource(restore), now });
            planStack(config);
            return config;
        } catch (error) {
            if (error instanceof ConfigError) throw new CliError(error.message);
            throw error;
        }
    }

    /**
     * The edit that sets the restore block to `restore` (removes it when undefined). The new file is
     * written beside the old one before anything is shown (unless a dry run), so a file that cannot be
     * written fails first, saying it was left unchanged, rather than after a diff that reads as applied.
     */
    private withRestoreKey(restore: Record<string, unknown> | undefined): string {
        try {
            return setConfigKey(this.text, RESTORE_CONFIG_KEY, restore);
        } catch (error) {
            if (!(error instanceof FlowStyleConfigError)) throw error;
            throw new CliError(
                `${this.shown}: ${error.message}; this command changes only the lines of ${RESTORE_CONFIG_KEY}, so it left the file unchanged. ` +
                    "Write config in block style (one key per line, as `pulumi config set` writes it) and run it again",
            );
        }
    }

    editRestore(restore: Record<string, unknown> | undefined, dryRun: boolean): StackEdit {
        const after = this.withRestoreKey(restore);
        const diff = blockDiff(this.shown, this.text, after);
        const prepared = diff && !dryRun ? prepareWrite(this.file, this.shown, this.text, after) : undefined;
        return {
            show: (io) => {
                io.stdout(diff ? `${diff}\n` : `${this.shown}: no change\n`);
                if (dryRun) io.stdout(`dry run: ${this.shown} not written\n`);
            },
            apply: () => prepared?.commit(),
        };
    }

    /** The program's ConfigSource for the stack file, with `restore` replaced. */
    private configSource(restore: Record<string, unknown> | undefined): ConfigSource {
        const source = configSourceFromStackFile(this.stackFile, path.dirname(this.file));
        const values = { ...source.values };
        if (restore) values.restore = restore;
        else delete values.restore;
        return { ...source, values };
    }
}

function stackFilePath(stack: string, cwd: string): { file: string; shown: string } {
    const file = path.resolve(cwd, `Pulumi.${stack}.yaml`);
    return { file, shown: path.relative(cwd, file) };
}

/** Refuses a missing stack file the same way for every command. */
function missingStackFile(shown: string): CliError {
    return new CliError(`${shown}: no such stack file (run from the project directory, or check --stack)`);
}

/** Reads and parses Pulumi.<stack>.yaml in `cwd`, once; a missing, unreadable or broken file is a CliError naming it. */
export function readStack(stack: string, cwd: string): Stack {
    const { file, shown } = stackFilePath(stack, cwd);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw missingStackFile(shown);
        throw new CliError(`${shown}: cannot be read (${code ?? (error as Error).message})`);
    }
    try {
        return new Stack(stack, file, shown, text, parseStackFile(file, text));
    } catch (error) {
        throw new CliError((error as Error).message.replace(file, shown));
    }
}

/**
 * Runs `use` on the stack, read once under the stack file's lock (none when `lock` is false: a
 * dry run writes nothing), so two runs at once cannot both read the old file and lose a write.
 */
export async function withStack<T>(stack: string, io: CliIo, lock: boolean, use: (stack: Stack) => Promise<T>): Promise<T> {
    const { file, shown } = stackFilePath(stack, io.cwd);
    // A missing file is reported as such, without leaving a lock file beside it.
    if (!fs.existsSync(file)) throw missingStackFile(shown);
    const held = lock ? lockStackFile(file, shown, io) : undefined;
    try {
        return await use(readStack(stack, io.cwd));
    } finally {
        held?.release();
    }
}

/** The namespaces a command reads: the flags, else the stack's, else the program's defaults. */
export function clusterNamespaces(
    flags: { namespace?: string; veleroNamespace?: string },
    stack: Stack | undefined,
): { namespace: string; veleroNamespace: string } {
    return {
        namespace: flags.namespace ?? stack?.hopsworksNamespace ?? DEFAULTS.hopsworksNamespace,
        veleroNamespace: flags.veleroNamespace ?? stack?.veleroNamespace ?? DEFAULTS.veleroNamespace,
    };
}
