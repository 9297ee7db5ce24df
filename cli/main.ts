/**
 * hopsworks-dr: the operator CLI against the live cluster (backup catalogue, health, restore
 * planning, re-run clean-up). See docs/cli.md. One file per command in cli/commands/, each with
 * its help, its options validated up front and its run. Loads no Pulumi SDK, and loads what a
 * command needs only when it runs: the bin answers `--help` and the usage errors of cli/early.js
 * from cli/help.json without this file (or tsx), and cli/kube.ts loads only to reach the cluster.
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
import { earlyAnswer, usageError } from "./early";
import { CliError, CliIo, UsageError } from "./errors";
import { exitOnSignals } from "./interrupt";
import { helpTable } from "./help";
import type { Cluster } from "./kube";
import { checkCommonValues, repeatedOption, ClusterFlags, OptionValues, OPTIONS, REQUEST_TIMEOUT_DEFAULT_SECONDS, TIMEOUT_DEFAULT_SECONDS, Timeouts, timeouts } from "./options";
import type { Stack } from "./stack";
import { terminalSafe } from "../stacks/config/reader";

/** Every command, in the order the usage lists them. */
const COMMAND_LIST: Command<any>[] = [backupsList, backupsStatus, backupsRecover, restorePlan, restoreFinish, restoreCleanMarkers];

/** Which options each command takes; anything else is a usage error rather than silently ignored. */
export const COMMANDS: Record<string, string[]> = Object.fromEntries(COMMAND_LIST.map((c) => [c.spec.name, [...c.spec.options]]));

/** Every help text and usage line; cli/help.json is this table, which the bin answers --help and usage errors from without tsx. */
export const HELP_TABLE = helpTable(COMMAND_LIST.map((c) => c.spec), OPTIONS);

export const USAGE = HELP_TABLE.usage;

function commandNamed(name: string): Command<unknown> | undefined {
    return COMMAND_LIST.find((c) => c.spec.name === name);
}

/** Modules loaded on first use; `require` keeps them out of `--help` (tsx compiles this file to CommonJS). */
const load = {
    kube: () => require("./kube") as typeof import("./kube"),
    stack: () => require("./stack") as typeof import("./stack"),
};

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

/** Runs the command `argv` names; earlyAnswer has already answered anything else (help, an unknown command or option). */
async function dispatch(argv: string[], io: CliIo): Promise<number> {
    const parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    const values = parsed.values as OptionValues;
    const name = parsed.positionals.join(" ");
    const command = commandNamed(name)!;
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

/** Runs one command; returns the exit status. Never throws: errors are printed as one line. */
export async function main(argv: string[], io: CliIo): Promise<number> {
    try {
        // The bin gives the same answers from cli/help.json before loading tsx (cli/bin.js).
        const early = earlyAnswer(argv, HELP_TABLE);
        if (early !== undefined) {
            if (early.stdout) io.stdout(early.stdout);
            if (early.stderr) io.stderr(early.stderr);
            return early.code;
        }
        return await dispatch(argv, io);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr(usageError(HELP_TABLE, error.message, error.command).stderr);
            return 2;
        }
        if (error instanceof CliError) {
            io.stderr(`error: ${terminalSafe(error.message, true)}\n`);
            return error.exitCode;
        }
        // A bug, not an operator error: still one line, with the stack only on request.
        io.stderr(`error: ${terminalSafe((error as Error)?.message ?? String(error), true)}\n`);
        if (io.env.HOPSWORKS_DR_DEBUG) io.stderr(`${(error as Error)?.stack}\n`);
        return 1;
    }
}

export function processIo(): CliIo {
    return {
        stdout: (text) => process.stdout.write(text),
        stdoutDrained: () => stdoutDrained(process.stdout),
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

/** Resolves when `stream` can take more: at once unless its buffer is full, else at its drain (or its end, an EPIPE say). */
function stdoutDrained(stream: NodeJS.WriteStream): Promise<void> {
    if (!stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
        const done = () => {
            for (const event of ["drain", "error", "close"]) stream.off(event, done);
            resolve();
        };
        for (const event of ["drain", "error", "close"]) stream.once(event, done);
    });
}
