"use strict";
/**
 * The answers the CLI gives before it runs a command: --help (or -h) anywhere, no command, an
 * unknown command or option, a group without its command. Plain JavaScript over a table of the
 * help texts (HelpTable in early.d.ts), so that the bin answers them from the committed
 * cli/help.json without loading tsx, and cli/main.ts gives the same answers from the live specs.
 */
const { parseArgs } = require("util");
const { terminalSafe } = require("../stacks/config/terminal-text.js");

/** A usage error: the message, then the usage of the command or group it was meant for, else the whole usage. */
function usageError(table, message, command) {
    const after = command && table.commands[command] ? table.commands[command].usage : command && table.groups[command] ? table.groups[command].help : table.usage;
    return { code: 2, stdout: "", stderr: `error: ${terminalSafe(message, true)}\n${after}\n` };
}

/** The help `argv` asks for, or undefined; unknown options do not hide it. */
function helpFor(argv, table) {
    const { values, positionals } = parseArgs({ args: argv, options: table.options, allowPositionals: true, strict: false });
    if (values.help !== true) return undefined;
    const words = positionals.filter((w) => typeof w === "string");
    const command = table.commands[words.slice(0, 2).join(" ")];
    if (command) return command.help;
    if (words.length >= 1 && table.groups[words[0]]) return table.groups[words[0]].help;
    return table.usage;
}

/** What to print and the exit status for `argv`, or undefined when it names a command to run. */
function earlyAnswer(argv, table) {
    const help = helpFor(argv, table);
    if (help !== undefined) return { code: 0, stdout: `${help}\n`, stderr: "" };
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: table.options, allowPositionals: true, strict: true });
    } catch (error) {
        // Name the command when the words before the bad option form one.
        const words = argv.slice(0, 2).join(" ");
        return usageError(table, error.message, table.commands[words] ? words : undefined);
    }
    if (parsed.positionals.length === 0) return usageError(table, "no command given");
    const name = parsed.positionals.join(" ");
    if (table.commands[name]) return undefined;
    const group = parsed.positionals[0];
    if (parsed.positionals.length === 1 && table.groups[group]) {
        return usageError(table, `${group} needs a command: ${table.groups[group].commands.join(", ")}`, group);
    }
    return usageError(table, `unknown command: ${name}`);
}

module.exports = { earlyAnswer, usageError };
