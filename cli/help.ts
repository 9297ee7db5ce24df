/**
 * The help texts, in the shape of velero's: the command list (`hopsworks-dr --help`), a group's
 * (`hopsworks-dr restore --help`) and each command's own, built from the command's spec.
 */
import type { HelpTable } from "./early";
import { OPTION_HELP, OptionName, PROGRAM, REQUEST_TIMEOUT_DEFAULT_SECONDS, TIMEOUT_DEFAULT_SECONDS } from "./options";

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

function commandList(specs: CommandSpec[]): string {
    return specs
        .map((c) => {
            const line = `  ${c.name} ${c.synopsis}`;
            return line.length <= 44 ? `${line.padEnd(46)}${c.summary}` : `${line}\n${" ".repeat(46)}${c.summary}`;
        })
        .join("\n");
}

/** `hopsworks-dr --help`: every command. */
export function usage(specs: CommandSpec[]): string {
    return `usage: ${PROGRAM} <command> [options]

commands:
${commandList(specs)}

cluster options: --context <name> --namespace <hopsworks namespace, default hopsworks>
                 --velero-namespace <default velero>; the kubeconfig comes from KUBECONFIG or ~/.kube/config
                 --request-timeout <seconds per request, default ${REQUEST_TIMEOUT_DEFAULT_SECONDS}> --timeout <seconds in all, default ${TIMEOUT_DEFAULT_SECONDS}>

Run '${PROGRAM} <command> --help' for a command's options and examples.`;
}

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
export function groupHelp(group: string, specs: CommandSpec[]): string {
    return [
        `usage: ${PROGRAM} ${group} <command> [options]`,
        "",
        "commands:",
        commandList(specs),
        "",
        `Run '${PROGRAM} ${group} <command> --help' for a command's options and examples.`,
    ].join("\n");
}

/** The usage lines that follow a usage error of one command. */
export function usageAfterError(spec: CommandSpec): string {
    return `usage: ${synopsis(spec)}\nRun '${PROGRAM} ${spec.name} --help' for its options and examples.`;
}

/** Every help text and usage line, for the early answers (cli/early.js) and cli/help.json. */
export function helpTable(specs: CommandSpec[], options: HelpTable["options"]): HelpTable {
    const groups = [...new Set(specs.map((s) => s.name.split(" ")[0]))];
    const groupSpecs = (group: string) => specs.filter((s) => s.name.split(" ")[0] === group);
    return {
        options,
        usage: usage(specs),
        commands: Object.fromEntries(specs.map((s) => [s.name, { help: commandHelp(s), usage: usageAfterError(s) }])),
        groups: Object.fromEntries(groups.map((g) => [g, { help: groupHelp(g, groupSpecs(g)), commands: groupSpecs(g).map((s) => s.name.split(" ")[1]) }])),
    };
}
