/**
 * hopsworks-dr: the operator CLI against the live cluster (backup catalogue, health, restore
 * planning, re-run clean-up). See docs/cli.md. One file per command in cli/commands/, each with
 * its help, its options validated up front and its run. Loads no Pulumi SDK, and loads what a
 * command needs only when it runs: `--help` and usage errors load the command files and no more,
 * and client-node (most of a second) loads only to reach the cluster.
 */
import { parseArgs } from "util";
import type { Command, CommandContext } from "./command";
import { backupsList } from "./commands/backups-list";
import { backupsRecover } from "./commands/backups-recover";
import { backupsStatus } from "./commands/backups-status";
import { restoreCleanMarkers } from "./commands/restore-clean-markers";
import { restoreFinish } from "./commands/restore-finish";
import { restorePlan } from "./commands/restore-plan";
import { Deadline } from "./deadline";
import { CliError, CliIo, UsageError } from "./errors";
import { exitOnSignals } from "./interrupt";
import { CommandSpec, commandHelp, groupHelp, synopsis, usage } from "./help";
import type { Cluster } from "./kube";
import { checkCommonValues, repeatedOption, ClusterFlags, OptionValues, OPTIONS, PROGRAM, REQUEST_TIMEOUT_DEFAULT_SECONDS, TIMEOUT_DEFAULT_SECONDS, Timeouts, timeouts } from "./options";
import type { Stack } from "./stack";

/** Every command, in the order the usage lists them. */
const COMMAND_LIST: Command<any>[] = [backupsList, backupsStatus, backupsRecover, restorePlan, restoreFinish, restoreCleanMarkers];

/** Which options each command takes; anything else is a usage error rather than silently ignored. */
export const COMMANDS: Record<string, string[]> = Object.fromEntries(COMMAND_LIST.map((c) => [c.spec.name, [...c.spec.options]]));

export const USAGE = usage(COMMAND_LIST.map((c) => c.spec));

function commandNamed(name: string): Command<unknown> | undefined {
    return COMMAND_LIST.find((c) => c.spec.name === name);
}

/** The command groups (`backups`, `restore`) and their commands. */
function groupCommands(group: string): CommandSpec[] {
    return COMMAND_LIST.map((c) => c.spec).filter((spec) => spec.name.split(" ")[0] === group);
}

/** Modules loaded on first use; `require` keeps them out of `--help` (tsx compiles this file to CommonJS). */
const load = {
    kube: () => require("./kube") as typeof import("./kube"),
    stack: () => require("./stack") as typeof import("./stack"),
};

/** The help `argv` asks for (`--help` or `-h` anywhere), or undefined; unknown options do not hide it. */
function helpFor(argv: string[]): string | undefined {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false });
    if (values.help !== true) return undefined;
    const words = positionals.filter((w): w is string => typeof w === "string");
    const command = commandNamed(words.slice(0, 2).join(" "));
    if (command) return commandHelp(command.spec);
    if (words.length >= 1 && groupCommands(words[0]).length > 0) return groupHelp(words[0], groupCommands(words[0]));
    return USAGE;
}

/** What a command runs with: the stack read once, the cluster connected once, each loaded only when used. */
function context(io: CliIo, requestSeconds: number, deadline: Deadline): CommandContext {
    let cluster: Promise<Cluster> | undefined;
    return {
        io,
        requestSeconds,
        deadline,
        readStack: (name) => load.stack().readStack(name, io.cwd),
        withStack: (name, lock, use) => load.stack().withStack(name, io, lock, use),
        connect: (flags: ClusterFlags, stack?: Stack) =>
            (cluster ??= load.kube().Cluster.connect({
                env: io.env,
                context: flags.context,
                ...load.stack().clusterNamespaces(flags, stack),
                requestSeconds,
                deadline,
            })),
    };
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
    const help = helpFor(argv);
    if (help !== undefined) {
        io.stdout(`${help}\n`);
        return 0;
    }
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    } catch (error) {
        // Name the command when the words before the bad option form one.
        const words = argv.slice(0, 2).join(" ");
        throw new UsageError((error as Error).message, commandNamed(words) ? words : undefined);
    }
    const values = parsed.values as OptionValues;
    if (parsed.positionals.length === 0) throw new UsageError("no command given");
    const name = parsed.positionals.join(" ");
    const command = commandNamed(name);
    if (!command) {
        const group = parsed.positionals[0];
        if (parsed.positionals.length === 1 && groupCommands(group).length > 0) {
            throw new UsageError(`${group} needs a command: ${groupCommands(group).map((c) => c.name.split(" ")[1]).join(", ")}`, group);
        }
        throw new UsageError(`unknown command: ${name}`);
    }
    // One name everywhere, --backup; --backup-id, which clean-markers once took, stays its alias.
    if (values["backup-id"] !== undefined && (command.spec.options as string[]).includes("backup")) {
        if (values.backup !== undefined) throw new UsageError("--backup-id is another name for --backup: give one of them", name);
        values.backup = values["backup-id"];
        delete values["backup-id"];
    }
    const repeated = repeatedOption(parsed.tokens);
    if (repeated) throw new UsageError(repeated, name);
    for (const option of Object.keys(values)) {
        if (!(command.spec.options as string[]).includes(option)) throw new UsageError(`--${option} does not apply to ${name}`, name);
    }
    // Every value of the wrong form is a usage error (exit 2), found before anything is read or contacted.
    checkCommonValues(values, name);
    const options = command.options(values, io.now());
    // A command that reads no cluster takes neither option, and ignores their environment variables.
    const limits: Timeouts = (command.spec.options as string[]).includes("timeout")
        ? timeouts(values, io.env, name)
        : { requestSeconds: REQUEST_TIMEOUT_DEFAULT_SECONDS, commandSeconds: TIMEOUT_DEFAULT_SECONDS };
    const deadline = new Deadline(name, limits.commandSeconds);
    return deadline.race(command.run(options, context(io, limits.requestSeconds, deadline)));
}

/** What follows a usage error: the command's usage line, else the whole usage. */
function usageAfterError(error: UsageError): string {
    const command = error.command ? commandNamed(error.command) : undefined;
    if (command) return `usage: ${synopsis(command.spec)}\nRun '${PROGRAM} ${command.spec.name} --help' for its options and examples.`;
    if (error.command && groupCommands(error.command).length > 0) return groupHelp(error.command, groupCommands(error.command));
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

/**
 * Exits with `code` once stdout and stderr are flushed: a request, timer or socket left behind by a
 * failed command must not keep the process running.
 */
export function exitWith(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

/** The bin's run: signals release what the command holds, and the process exits with the command's code. */
export function runAsProcess(): void {
    const io = processIo();
    exitOnSignals(io.stderr);
    main(process.argv.slice(2), io).then(exitWith);
}

if (require.main === module) runAsProcess();
