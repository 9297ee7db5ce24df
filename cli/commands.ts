/**
 * The commands, their options and their help texts. Plain data with no imports, so `--help` and
 * usage errors load nothing else (client-node alone takes most of a second).
 */

export const PROGRAM = "hopsworks-dr";

export const OPTIONS = {
    context: { type: "string" },
    namespace: { type: "string" },
    "velero-namespace": { type: "string" },
    json: { type: "boolean" },
    schedule: { type: "string" },
    stack: { type: "string" },
    mode: { type: "string" },
    backup: { type: "string" },
    "backup-version": { type: "string" },
    "velero-main": { type: "string" },
    "velero-users": { type: "string" },
    "backup-id": { type: "string" },
    "dry-run": { type: "boolean" },
    yes: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

export type OptionName = keyof typeof OPTIONS;

/** How each option reads in a help text; a command may word one its own way. */
const OPTION_HELP: Record<OptionName, [string, string]> = {
    context: ["--context <name>", "kubeconfig context (default: the current one). The kubeconfig is KUBECONFIG's files, else ~/.kube/config, else a pod's service account"],
    namespace: ["--namespace <ns>", "Hopsworks namespace: metadata ConfigMaps, marker Jobs (default: the stack's hopsworks.namespace with --stack, else hopsworks)"],
    "velero-namespace": ["--velero-namespace <ns>", "Velero's namespace: Backups, Schedules, Restores, hopsworks-bsl (default: the stack's velero.namespace with --stack, else velero)"],
    json: ["--json", "print JSON for scripts"],
    schedule: ["--schedule <cron>", "the backup schedule, a 5-field cron expression or a macro such as @weekly"],
    stack: ["--stack <name>", "read Pulumi.<name>.yaml in the working directory for the namespaces"],
    mode: ["--mode <mode>", "new-cluster (after a total cluster loss) or in-place (Hopsworks 4.8.0 or newer)"],
    backup: ["--backup <id>", "latest (the default: the newest complete restore point) or a backup ID such as 254811200"],
    "backup-version": ["--backup-version <x.y.z>", "the Hopsworks version that took the backup, such as 4.8.0 (required: the backup metadata does not record it)"],
    "velero-main": [
        "--velero-main <name>",
        "the restore point's Velero backup of schedule k8s-backups-main, such as k8s-backups-main-20251124120012. Required with " +
            "--velero-users for a new-cluster restore of a given ID (no catalogue to match them); find them with " +
            "aws s3 ls s3://<bucket>/k8s_backup/backups/ (the pair taken minutes after the backup ID's time)",
    ],
    "velero-users": ["--velero-users <name>", "the same for schedule k8s-backups-users-resources, such as k8s-backups-users-resources-20251124120013"],
    "backup-id": ["--backup-id <id>", "the backup ID of the in-place restore to run again, such as 254811200"],
    "dry-run": ["--dry-run", "print the diff and write nothing"],
    yes: ["--yes", "do it (without it, only show what would happen)"],
    help: ["-h, --help", "this help"],
};

const CLUSTER_OPTIONS: OptionName[] = ["context", "namespace", "velero-namespace"];

export interface CommandSpec {
    /** Two words: "backups list". */
    name: string;
    /** The options after the command, as the usage line shows them. */
    synopsis: string;
    /** The help's first line, as velero's ("Create a restore"). */
    title: string;
    /** One line, for the command list. */
    summary: string;
    /** Paragraphs of the command's own help. */
    description: string;
    options: OptionName[];
    /** Option texts that differ from OPTION_HELP. */
    optionHelp?: Partial<Record<OptionName, string>>;
    /** Pairs of a comment and a command line. */
    examples: [string, string][];
    /** The exit statuses, when they say more than "0 success, 1 error, 2 usage". */
    exitStatus?: string;
}

export const COMMAND_SPECS: CommandSpec[] = [
    {
        name: "backups list",
        title: "List the restore points",
        synopsis: "[--stack <name>] [--json]",
        summary: "restore points, newest first",
        description:
            "Lists the restore points, one row per backup ID, newest first by time (the metadata's start_time, else decoded\n" +
            "from the ID; IDs are not monotonic around New Year). Reads every RonDB and OpenSearch metadata ConfigMap, rotated\n" +
            "ones included, and the Velero Backups of k8s-backups-main and k8s-backups-users-resources on hopsworks-bsl.\n" +
            "A point is complete when RonDB and OpenSearch are SUCCESS and both Velero backups are Completed.",
        options: ["stack", "json", ...CLUSTER_OPTIONS],
        examples: [
            ["List the restore points of the current cluster", "hopsworks-dr backups list"],
            ["The same for a stack whose Velero runs in its own namespace, as JSON", "hopsworks-dr backups list --stack prod --json"],
        ],
    },
    {
        name: "backups status",
        title: "Check that backups are healthy and on time",
        synopsis: "[--schedule <cron>] [--stack <name>] [--json]",
        summary: "exit 0 when backups are healthy, 1 otherwise",
        description:
            "Whether backups are healthy, for cron or CI: the location hopsworks-bsl is Available and has synced, and every\n" +
            "service (RonDB, OpenSearch, Velero main and users) has a successful backup that completed less than the schedule's\n" +
            "interval plus one hour of grace (at most the interval) ago, as has a complete restore point. Ages count from a\n" +
            "backup's completion; a backup still running is named, and the age counts from the previous completed one.\n\n" +
            "The schedule is --schedule, else the stack's hopsworks-dr:backup.schedule (--stack), else the cluster's Velero\n" +
            "Schedules k8s-backups-main and k8s-backups-users-resources (the longer interval when they differ). The output\n" +
            "says which schedule was used and where it came from.",
        options: ["schedule", "stack", "json", ...CLUSTER_OPTIONS],
        optionHelp: {
            schedule: "the backup schedule to judge against, a 5-field cron expression or a macro such as @weekly; overrides the stack's and the cluster's",
            stack: "read Pulumi.<name>.yaml in the working directory: its backup.schedule and namespaces",
        },
        examples: [
            ["In a cron job: the schedule comes from the cluster's Velero Schedules", "hopsworks-dr backups status"],
            ["Against the schedule and namespaces a stack declares, as JSON", "hopsworks-dr backups status --stack prod --json"],
            ["Against a given schedule", "hopsworks-dr backups status --schedule '0 3 * * 0'"],
        ],
        exitStatus: "0 healthy, 1 unhealthy or an error, 2 a usage error",
    },
    {
        name: "restore plan",
        title: "Write a restore into a stack file",
        synopsis:
            "--stack <name> --mode new-cluster|in-place --backup-version <x.y.z> [--backup latest|<id>] " +
            "[--velero-main <name> --velero-users <name>] [--dry-run] [--yes]",
        summary: "write the restore block into Pulumi.<name>.yaml",
        description:
            "Picks the newest complete restore point (latest) or checks the one given, then writes the hopsworks-dr:restore\n" +
            "block (mode, backupId, backupHopsworksVersion, veleroBackups) into Pulumi.<name>.yaml, after running the\n" +
            "program's own validation on the result. Only the block's lines change; comments and line endings are kept.\n" +
            "--backup-version is the Hopsworks version that took the backup, as you know it (the backup metadata does not\n" +
            "record it); the validation refuses it unless it equals the stack's hopsworks.version, as a restore needs.\n" +
            "For new-cluster with a given ID the cluster is not read: a new cluster has no catalogue before its restore, so\n" +
            "--velero-main and --velero-users are required there: the point's own Velero backups, from the bucket\n" +
            "(aws s3 ls s3://<bucket>/k8s_backup/backups/). Without them Velero would restore each schedule's newest backup,\n" +
            "whatever the backup ID; the stack refuses a restore that names no Velero backups unless\n" +
            "restore.latestVeleroBackups: true is set by hand. Given with a catalogue point, they must be that point's.\n" +
            "The file is locked (Pulumi.<name>.yaml.lock) while the command runs, and replaced in one rename.",
        options: ["stack", "mode", "backup-version", "backup", "velero-main", "velero-users", "dry-run", "yes", ...CLUSTER_OPTIONS],
        optionHelp: {
            stack: "the stack: Pulumi.<name>.yaml in the working directory gets the block, and gives the namespaces",
            yes: "for in-place, also write forceDataClear and confirm, which confirm the restore",
        },
        examples: [
            [
                "After a total cluster loss: see what would be written, then write it",
                "hopsworks-dr restore plan --stack prod --mode new-cluster --backup-version 4.8.0 --backup 254811200 " +
                    "--velero-main k8s-backups-main-20251124120012 --velero-users k8s-backups-users-resources-20251124120013 --dry-run",
            ],
            ["An in-place restore of the newest complete restore point, confirmed", "hopsworks-dr restore plan --stack prod --mode in-place --backup-version 4.8.0 --yes"],
        ],
    },
    {
        name: "restore finish",
        title: "Remove the restore from a stack file after a successful restore",
        synopsis: "--stack <name> [--dry-run]",
        summary: "remove the restore block after a successful restore",
        description:
            "After a successful restore, removes the whole hopsworks-dr:restore block from Pulumi.<name>.yaml, so the next\n" +
            "pulumi up drops restoreFromBackup from the release. Needs no cluster.",
        options: ["stack", "dry-run"],
        optionHelp: { stack: "the stack: the block is removed from Pulumi.<name>.yaml in the working directory" },
        examples: [["Once the restore succeeded", "hopsworks-dr restore finish --stack prod"]],
    },
    {
        name: "restore clean-markers",
        title: "Delete the markers that stop an in-place restore from running again",
        synopsis: "--backup-id <id> [--stack <name>] [--yes]",
        summary: "delete the markers that block re-running an in-place restore",
        description:
            "The marker objects that stop an in-place restore from running twice: the Jobs hopsfs-inplace-restore-<ID>,\n" +
            "restore-native-backup-<ID>, setup-mysqld-dont-remove-<ID>, opensearch-restore-default-default-<ID> and the\n" +
            "Velero Restores k8s-backups-main and k8s-backups-users-resources. Without --yes it lists which exist.",
        options: ["backup-id", "stack", "yes", ...CLUSTER_OPTIONS],
        optionHelp: { yes: "delete them (Jobs with their pods)" },
        examples: [
            ["See which markers exist", "hopsworks-dr restore clean-markers --backup-id 254811200"],
            ["Delete them", "hopsworks-dr restore clean-markers --backup-id 254811200 --yes"],
        ],
    },
];

/** Which options each command takes; anything else is a usage error rather than silently ignored. */
export const COMMANDS: Record<string, string[]> = Object.fromEntries(COMMAND_SPECS.map((c) => [c.name, [...c.options]]));

export function commandSpec(name: string): CommandSpec | undefined {
    return COMMAND_SPECS.find((c) => c.name === name);
}

/** The command groups (`backups`, `restore`) and their commands. */
export function groupCommands(group: string): CommandSpec[] {
    return COMMAND_SPECS.filter((c) => c.name.split(" ")[0] === group);
}

function commandList(specs: CommandSpec[]): string {
    return specs
        .map((c) => {
            const line = `  ${c.name} ${c.synopsis}`;
            return line.length <= 44 ? `${line.padEnd(46)}${c.summary}` : `${line}\n${" ".repeat(46)}${c.summary}`;
        })
        .join("\n");
}

export const USAGE = `usage: ${PROGRAM} <command> [options]

commands:
${commandList(COMMAND_SPECS)}

cluster options: --context <name> --namespace <hopsworks namespace, default hopsworks>
                 --velero-namespace <default velero>; the kubeconfig comes from KUBECONFIG or ~/.kube/config

Run '${PROGRAM} <command> --help' for a command's options and examples.`;

/** The usage line of one command. */
export function synopsis(spec: CommandSpec): string {
    const cluster = spec.options.includes("context") ? " [cluster options]" : "";
    return `${PROGRAM} ${spec.name} ${spec.synopsis}${cluster}`;
}

const HELP_WIDTH = 116;

/** Words into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line !== "" && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line === "" ? word : `${line} ${word}`;
        }
    }
    return [...lines, line];
}

/** A command's own help, in the shape of `velero restore create --help`. */
export function commandHelp(spec: CommandSpec): string {
    const options: [string, string][] = [...spec.options, "help" as const].map((name) => [OPTION_HELP[name][0], spec.optionHelp?.[name] ?? OPTION_HELP[name][1]]);
    const width = Math.max(...options.map(([flag]) => flag.length)) + 3;
    return [
        spec.title,
        "",
        "Usage:",
        `  ${synopsis(spec)}`,
        "",
        spec.description,
        "",
        "Examples:",
        spec.examples.map(([comment, line]) => `  # ${comment}.\n  ${line}`).join("\n\n"),
        "",
        "Options:",
        ...options.map(([flag, text]) => `  ${flag.padEnd(width)}${wrap(text, HELP_WIDTH - 2 - width).join(`\n${" ".repeat(2 + width)}`)}`),
        "",
        `Exit status: ${spec.exitStatus ?? "0 success, 1 an error, 2 a usage error"}.`,
    ].join("\n");
}

/** `hopsworks-dr backups --help`: the group's commands. */
export function groupHelp(group: string): string {
    return [
        `usage: ${PROGRAM} ${group} <command> [options]`,
        "",
        "commands:",
        commandList(groupCommands(group)),
        "",
        `Run '${PROGRAM} ${group} <command> --help' for a command's options and examples.`,
    ].join("\n");
}
