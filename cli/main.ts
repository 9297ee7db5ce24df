/**
 * hopsworks-dr: the operator CLI against the live cluster (backup catalogue, health, restore
 * planning, re-run clean-up). See the README, section "Operator CLI". Loads no Pulumi SDK, and
 * loads each command's modules only when it runs: `--help` and usage errors load no more than
 * this file and cli/commands.ts, and client-node (most of a second) loads only to reach the cluster.
 */
import { parseArgs } from "util";
import { commandHelp, commandSpec, groupCommands, groupHelp, OptionName, OPTIONS, PROGRAM, synopsis, USAGE } from "./commands";
import { CliError, CliIo, UsageError } from "./errors";
import type { Cluster } from "./kube";
import type { StackSettings } from "./stack-settings";

export { COMMANDS, USAGE } from "./commands";

type Values = { [K in OptionName]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean };

/** Modules loaded on first use; `require` keeps them out of `--help` (tsx compiles this file to CommonJS). */
const load = {
    backups: () => require("./backups") as typeof import("./backups"),
    restore: () => require("./restore") as typeof import("./restore"),
    kube: () => require("./kube") as typeof import("./kube"),
    settings: () => require("./stack-settings") as typeof import("./stack-settings"),
    schedule: () => require("../stacks/catalogue/schedule") as typeof import("../stacks/catalogue/schedule"),
    backupId: () => require("../stacks/catalogue/backup-id") as typeof import("../stacks/catalogue/backup-id"),
    names: () => require("../stacks/names") as typeof import("../stacks/names"),
};

/**
 * A stack name as Pulumi.<name>.yaml names it and Pulumi accepts it: 1 to 100 letters, digits, -, _
 * and . (no path, no organization); stacks/stack-file.ts's STACK_NAME, repeated so a usage error loads nothing.
 */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** A Hopsworks version, as stacks/config.ts reads hopsworks.version and restore.backupHopsworksVersion. */
const HOPSWORKS_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** An RFC 1123 label, as cli/stack-settings.ts's NAMESPACE_NAME (repeated so a usage error loads nothing). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Every option value of the wrong form is a usage error (exit 2), found before anything is read
 * or contacted. Values that are well formed but name something missing (a stack file, a context,
 * a backup not in the catalogue) are operational errors (exit 1), found when they are used.
 */
function checkValues(values: Values, command: string): void {
    const bad = (name: OptionName, why: string) => new UsageError(`--${name} ${JSON.stringify(values[name])}: ${why}`, command);
    for (const [name, value] of Object.entries(values) as [OptionName, unknown][]) {
        if (value === "") throw new UsageError(`--${name} needs a value`, command);
    }
    if (values.stack !== undefined && !STACK_NAME.test(values.stack)) {
        throw bad("stack", "must be a stack name (1 to 100 letters, digits, -, _ and ., as Pulumi accepts it), as in Pulumi.<name>.yaml in the working directory");
    }
    for (const name of ["namespace", "velero-namespace"] as const) {
        if (values[name] !== undefined && !NAMESPACE_NAME.test(values[name]!)) {
            throw bad(name, "must be a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)");
        }
    }
    if (values.mode !== undefined && values.mode !== "new-cluster" && values.mode !== "in-place") {
        throw bad("mode", "must be new-cluster or in-place");
    }
    if (values.schedule !== undefined) {
        const problem = load.schedule().scheduleProblem(values.schedule);
        if (problem) throw bad("schedule", problem);
    }
    if (values.backup !== undefined && values.backup !== "latest") {
        const { backupIdTime, BACKUP_ID_EXPECTED } = load.backupId();
        if (backupIdTime(values.backup) === undefined) throw bad("backup", `${BACKUP_ID_EXPECTED}, or latest`);
    }
    if (values["backup-version"] !== undefined && !HOPSWORKS_VERSION.test(values["backup-version"])) {
        throw bad("backup-version", "must be a Hopsworks version such as 4.8.0");
    }
    for (const [name, key] of [["velero-main", "main"], ["velero-users", "users"]] as const) {
        const schedule = load.names().VELERO_SCHEDULES[key];
        if (values[name] !== undefined && !load.names().isScheduleBackup(schedule, values[name]!)) {
            throw bad(name, `must be a Velero backup of schedule ${schedule}, such as ${schedule}-20251124120012`);
        }
    }
    if ((values["velero-main"] === undefined) !== (values["velero-users"] === undefined)) {
        const missing = values["velero-main"] === undefined ? "velero-main" : "velero-users";
        throw new UsageError(`--${missing} is required with --${missing === "velero-main" ? "velero-users" : "velero-main"}: a restore point has one Velero backup of each schedule`, command);
    }
    if (values["backup-id"] !== undefined) {
        const { backupIdTime, BACKUP_ID_EXPECTED } = load.backupId();
        if (backupIdTime(values["backup-id"]) === undefined) throw bad("backup-id", BACKUP_ID_EXPECTED);
    }
}

/** Why a required option is needed, where its name alone does not say. */
const REQUIRED_BECAUSE: Partial<Record<OptionName, string>> = {
    "backup-version":
        "the Hopsworks version that took the backup, such as 4.8.0 (the backup metadata does not record it, and a restore needs the exact same version)",
};

function required(values: Values, name: "stack" | "mode" | "backup-id" | "backup-version", command: string): string {
    const value = values[name];
    if (value === undefined) throw new UsageError(`--${name} is required${REQUIRED_BECAUSE[name] ? `: ${REQUIRED_BECAUSE[name]}` : ""}`, command);
    return value as string;
}

/** The help `argv` asks for (`--help` or `-h` anywhere), or undefined; unknown options do not hide it. */
function helpFor(argv: string[]): string | undefined {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false });
    if (values.help !== true) return undefined;
    const words = positionals.filter((w): w is string => typeof w === "string");
    const spec = commandSpec(words.slice(0, 2).join(" "));
    if (spec) return commandHelp(spec);
    if (words.length >= 1 && groupCommands(words[0]).length > 0) return groupHelp(words[0]);
    return USAGE;
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
    const help = helpFor(argv);
    if (help !== undefined) {
        io.stdout(`${help}\n`);
        return 0;
    }
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        // Name the command when the words before the bad option form one.
        const words = argv.slice(0, 2).join(" ");
        throw new UsageError((error as Error).message, commandSpec(words) ? words : undefined);
    }
    const values = parsed.values as Values;
    if (parsed.positionals.length === 0) throw new UsageError("no command given");
    const command = parsed.positionals.join(" ");
    const spec = commandSpec(command);
    if (!spec) {
        const group = parsed.positionals[0];
        if (parsed.positionals.length === 1 && groupCommands(group).length > 0) {
            throw new UsageError(`${group} needs a command: ${groupCommands(group).map((c) => c.name.split(" ")[1]).join(", ")}`, group);
        }
        throw new UsageError(`unknown command: ${command}`);
    }
    for (const name of Object.keys(values)) {
        if (!(spec.options as string[]).includes(name)) throw new UsageError(`--${name} does not apply to ${command}`, command);
    }
    checkValues(values, command);

    const flags = { namespace: values.namespace, veleroNamespace: values["velero-namespace"] };
    // Built on first use: finish needs no cluster, and plan reads its stack file before connecting.
    let cluster: Promise<Cluster> | undefined;
    const connect = (settings?: StackSettings) =>
        (cluster ??= load.kube().Cluster.connect({ env: io.env, context: values.context, ...load.settings().clusterNamespaces(flags, settings) }));
    const stackSettings = () => (values.stack === undefined ? undefined : load.settings().readStackSettings(values.stack, io.cwd));
    switch (command) {
        case "backups list":
            return load.backups().backupsList(await connect(stackSettings()), io, values.json === true);
        case "backups status": {
            // --schedule, else the stack's, else (undefined) the cluster's Velero Schedules.
            const settings = stackSettings();
            const choice = values.schedule !== undefined
                ? { schedule: values.schedule, from: "--schedule", notes: [] }
                : settings
                  ? { ...settings.schedule(), notes: [] }
                  : undefined;
            return load.backups().backupsStatus(await connect(settings), io, choice, values.json === true);
        }
        case "restore plan": {
            const stack = required(values, "stack", command);
            const mode = required(values, "mode", command) as "new-cluster" | "in-place";
            const backupVersion = required(values, "backup-version", command);
            const backup = values.backup ?? "latest";
            // A new cluster has no catalogue to match a given ID's Velero backups: they are named, or
            // Velero would restore each schedule's newest backup whatever the ID.
            if (mode === "new-cluster" && backup !== "latest" && values["velero-main"] === undefined) {
                throw new UsageError(
                    "--velero-main and --velero-users are required for a new-cluster restore of a given backup ID: a new cluster has " +
                        "no catalogue to match its Velero backups, and without them Velero restores each schedule's newest backup whatever " +
                        "the ID. Find them with aws s3 ls s3://<bucket>/k8s_backup/backups/: the k8s-backups-main-<time> and " +
                        "k8s-backups-users-resources-<time> taken minutes after the backup ID's time",
                    command,
                );
            }
            return load.restore().restorePlan(connect, io, {
                stack,
                mode,
                backupVersion,
                backup,
                velero: values["velero-main"] === undefined ? undefined : { main: values["velero-main"], users: values["velero-users"]! },
                dryRun: values["dry-run"] === true,
                yes: values.yes === true,
            });
        }
        case "restore finish":
            return load.restore().restoreFinish(io, required(values, "stack", command), values["dry-run"] === true);
        case "restore clean-markers": {
            const backupId = required(values, "backup-id", command);
            return load.restore().cleanMarkers(await connect(stackSettings()), io, backupId, values.yes === true);
        }
    }
    throw new UsageError(`unknown command: ${command}`);
}

/** What follows a usage error: the command's usage line, else the whole usage. */
function usageAfterError(error: UsageError): string {
    const spec = error.command ? commandSpec(error.command) : undefined;
    if (spec) return `usage: ${synopsis(spec)}\nRun '${PROGRAM} ${spec.name} --help' for its options and examples.`;
    if (error.command && groupCommands(error.command).length > 0) return groupHelp(error.command);
    return USAGE;
}

/** Runs one command; returns the exit status. Never throws: errors are printed as one line. */
export async function main(argv: string[], io: CliIo): Promise<number> {
    try {
        return await dispatch(argv, io);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr(`error: ${error.message}\n${usageAfterError(error)}\n`);
            return 2;
        }
        if (error instanceof CliError) {
            io.stderr(`error: ${error.message}\n`);
            return error.exitCode;
        }
        // A bug, not an operator error: still one line, with the stack only on request.
        io.stderr(`error: ${(error as Error)?.message ?? String(error)}\n`);
        if (io.env.HOPSWORKS_DR_DEBUG) io.stderr(`${(error as Error)?.stack}\n`);
        return 1;
    }
}

export function processIo(): CliIo {
    return {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        env: process.env,
        cwd: process.cwd(),
        now: () => new Date(),
    };
}

if (require.main === module) {
    main(process.argv.slice(2), processIo()).then((code) => {
        process.exitCode = code;
    });
}
