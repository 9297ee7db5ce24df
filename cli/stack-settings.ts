import * as fs from "fs";
import * as path from "path";
import { scheduleProblem } from "../stacks/catalogue/schedule";
import { parseStackFile, StackFile } from "../stacks/config/stack-file";
import { isPlainObject } from "../stacks/config/values-files";
import { CliError } from "./errors";
import { CONFIG_NAMESPACE } from "../stacks/names";
import { DEFAULTS } from "../stacks/config/defaults";

/** A Kubernetes namespace name (an RFC 1123 label), as stacks/config.ts requires of both namespaces. */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * What the commands take from Pulumi.<stack>.yaml, read once: the text (restore edits it), the
 * config as the program reads it, and the few settings the CLI needs. Read raw, without the
 * program's validation, and each setting checked only when asked for: `backups status` must work
 * while a restore block is half-written, and `restore finish` whatever else the file holds.
 */
export class StackSettings {
    constructor(
        readonly stack: string,
        readonly file: string,
        /** As shown to the operator: relative to the working directory. */
        readonly shown: string,
        readonly text: string,
        readonly stackFile: StackFile,
    ) {}

    private section(name: string): Record<string, unknown> {
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

    get hopsworksNamespace(): string {
        return this.namespaceOf("hopsworks", DEFAULTS.hopsworksNamespace);
    }

    get veleroNamespace(): string {
        return this.namespaceOf("velero", DEFAULTS.veleroNamespace);
    }
}

export function stackFilePath(stack: string, cwd: string): { file: string; shown: string } {
    const file = path.resolve(cwd, `Pulumi.${stack}.yaml`);
    return { file, shown: path.relative(cwd, file) };
}

/** Refuses a missing stack file the same way for every command. */
export function missingStackFile(shown: string): CliError {
    return new CliError(`${shown}: no such stack file (run from the project directory, or check --stack)`);
}

/** Reads and parses Pulumi.<stack>.yaml in `cwd`, once; a missing, unreadable or broken file is a CliError naming it. */
export function readStackSettings(stack: string, cwd: string): StackSettings {
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
        return new StackSettings(stack, file, shown, text, parseStackFile(file, text));
    } catch (error) {
        throw new CliError((error as Error).message.replace(file, shown));
    }
}

/** The namespaces a command reads: the flags, else the stack's, else the program's defaults. */
export function clusterNamespaces(
    flags: { namespace?: string; veleroNamespace?: string },
    settings: StackSettings | undefined,
): { namespace: string; veleroNamespace: string } {
    return {
        namespace: flags.namespace ?? settings?.hopsworksNamespace ?? DEFAULTS.hopsworksNamespace,
        veleroNamespace: flags.veleroNamespace ?? settings?.veleroNamespace ?? DEFAULTS.veleroNamespace,
    };
}
