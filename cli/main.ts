/**
 * hopsworks-dr: the operator CLI against the live cluster (backup catalogue, health, restore
 * planning, re-run clean-up). See the README, section "Operator CLI". Loads no Pulumi SDK, so it starts fast.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { parse } from "yaml";
import { NAMESPACE } from "../stacks/config-reader";
import { DEFAULTS } from "../stacks/config";
import { scheduleProblem } from "../stacks/schedule";
import { isPlainObject } from "../stacks/values-files";
import { backupsList, backupsStatus } from "./backups";
import { CliError, CliIo } from "./errors";
import { Cluster } from "./kube";
import { cleanMarkers, restoreFinish, restorePlan } from "./restore";

export const USAGE = `usage: hopsworks-dr <command> [options]

commands:
  backups list [--json]                       restore points, newest first
  backups status (--schedule <cron> | --stack <name>) [--json]
                                              exit 0 when backups are healthy, 1 otherwise
  restore plan --stack <name> --mode new-cluster|in-place [--backup latest|<id>] [--dry-run] [--yes]
                                              write the restore block into Pulumi.<name>.yaml
  restore finish --stack <name> [--dry-run]   remove the restore block after a successful restore
  restore clean-markers --backup-id <id> [--yes]
                                              delete the markers that block re-running an in-place restore

cluster options: --context <name> --namespace <hopsworks namespace, default hopsworks>
                 --velero-namespace <default velero>; the kubeconfig comes from KUBECONFIG or ~/.kube/config`;

const OPTIONS = {
    context: { type: "string" },
    namespace: { type: "string" },
    "velero-namespace": { type: "string" },
    json: { type: "boolean" },
    schedule: { type: "string" },
    stack: { type: "string" },
    mode: { type: "string" },
    backup: { type: "string" },
    "backup-id": { type: "string" },
    "dry-run": { type: "boolean" },
    yes: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean };

const CLUSTER_OPTIONS = ["context", "namespace", "velero-namespace"];

/** Which options each command takes; anything else is a usage error rather than silently ignored. */
export const COMMANDS: Record<string, string[]> = {
    "backups list": [...CLUSTER_OPTIONS, "json"],
    "backups status": [...CLUSTER_OPTIONS, "json", "schedule", "stack"],
    "restore plan": [...CLUSTER_OPTIONS, "stack", "mode", "backup", "dry-run", "yes"],
    "restore finish": ["stack", "dry-run"],
    "restore clean-markers": [...CLUSTER_OPTIONS, "backup-id", "yes"],
};

class UsageError extends CliError {
    constructor(message: string) {
        super(message, 2);
    }
}

function required(values: Values, name: "stack" | "mode" | "backup-id"): string {
    const value = values[name];
    if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
    return value;
}

/** The stack's backup.schedule, read raw: status must work even while a restore block is half-written. */
function stackSchedule(stack: string, io: CliIo): string {
    const file = path.resolve(io.cwd, `Pulumi.${stack}.yaml`);
    const shown = path.relative(io.cwd, file);
    let doc: unknown;
    try {
        doc = parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        const cause = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such stack file" : `not valid YAML: ${(error as Error).message.split("\n")[0]}`;
        throw new CliError(`${shown}: ${cause}`);
    }
    const backup = isPlainObject(doc) && isPlainObject(doc.config) ? doc.config[`${NAMESPACE}:backup`] : undefined;
    const schedule = isPlainObject(backup) && backup.schedule !== undefined ? String(backup.schedule) : DEFAULTS.backupSchedule;
    const problem = scheduleProblem(schedule);
    if (problem) throw new CliError(`${shown}: ${NAMESPACE}:backup.schedule = ${JSON.stringify(schedule)}: ${problem}`);
    return schedule;
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const values = parsed.values as Values;
    if (values.help || parsed.positionals.length === 0) {
        io.stdout(`${USAGE}\n`);
        return values.help ? 0 : 2;
    }
    const command = parsed.positionals.join(" ");
    const allowed = COMMANDS[command];
    if (!allowed) throw new UsageError(`unknown command: ${command}`);
    for (const name of Object.keys(values)) {
        if (!allowed.includes(name)) throw new UsageError(`--${name} does not apply to ${command}`);
    }
    // Built on first use: finish needs no cluster, and plan reads its stack file before connecting.
    let cluster: Cluster | undefined;
    const connect = () =>
        (cluster ??= new Cluster({
            kubeconfig: io.env.KUBECONFIG,
            context: values.context,
            namespace: values.namespace ?? DEFAULTS.hopsworksNamespace,
            veleroNamespace: values["velero-namespace"] ?? DEFAULTS.veleroNamespace,
        }));
    switch (command) {
        case "backups list":
            return backupsList(connect(), io, values.json === true);
        case "backups status": {
            if ((values.schedule === undefined) === (values.stack === undefined)) {
                throw new UsageError("give exactly one of --schedule <cron> and --stack <name>: the schedule sets the recovery point objective");
            }
            let schedule = values.schedule;
            if (schedule !== undefined) {
                const problem = scheduleProblem(schedule);
                if (problem) throw new UsageError(`--schedule ${JSON.stringify(schedule)}: ${problem}`);
            } else {
                schedule = stackSchedule(values.stack!, io);
            }
            return backupsStatus(connect(), io, schedule, values.json === true);
        }
        case "restore plan": {
            const mode = required(values, "mode");
            if (mode !== "new-cluster" && mode !== "in-place") throw new UsageError(`--mode must be new-cluster or in-place, not ${JSON.stringify(mode)}`);
            return restorePlan(connect, io, {
                stack: required(values, "stack"),
                mode,
                backup: values.backup ?? "latest",
                dryRun: values["dry-run"] === true,
                yes: values.yes === true,
            });
        }
        case "restore finish":
            return restoreFinish(io, required(values, "stack"), values["dry-run"] === true);
        case "restore clean-markers":
            return cleanMarkers(connect, io, required(values, "backup-id"), values.yes === true);
    }
    throw new UsageError(`unknown command: ${command}`);
}

/** Runs one command; returns the exit status. Never throws: errors are printed as one line. */
export async function main(argv: string[], io: CliIo): Promise<number> {
    try {
        return await dispatch(argv, io);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr(`error: ${error.message}\n${USAGE}\n`);
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
