/**
 * No page and no hint tells anyone to put a secret on the command line (issue 18, item 11):
 * `pulumi config set --secret <key> <value>` leaves the value in the shell history and, while it
 * runs, in every user's process list. The prompt form (no value) or standard input is shown instead.
 */
import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { setSecretCommand } from "../../stacks/config/secret";
import { commandsOf, documentationPages } from "../support/doc-commands";
import { PROJECT_DIR } from "../support/stacks";

/** Options of `pulumi config set` that take the next word as their value. */
const OPTIONS_WITH_VALUE = new Set(["-s", "--stack", "--config-file", "-C", "--cwd", "--type"]);
/** Where the command's own words end: a redirect, a pipe, the next command or a comment. */
const END_OF_COMMAND = /^(<|>|\||&&|;|#)/;

/** Whether a `pulumi config set` command gives a secret's value as an argument. */
export function secretValueOnCommandLine(command: string): boolean {
    const match = /\bpulumi config set\b(.*)$/.exec(command);
    if (!match) return false;
    // A placeholder (`<new secret key>`) is one word, not a redirect.
    const words = match[1].replace(/<[^<>\s][^<>]*>/g, "PLACEHOLDER").trim().split(/\s+/).filter((w) => w !== "");
    // A word ending in "," or "." ends the command: prose follows.
    const end = words.findIndex((w) => END_OF_COMMAND.test(w) || /[,.]$/.test(w));
    const own = end === -1 ? words : [...words.slice(0, end), ...(/[,.]$/.test(words[end]) ? [words[end].slice(0, -1)] : [])];
    if (!own.some((w) => w === "--secret" || w === "--secret=true")) return false;
    const positional: string[] = [];
    for (let at = 0; at < own.length; at++) {
        if (OPTIONS_WITH_VALUE.has(own[at])) at++;
        else if (!own[at].startsWith("-")) positional.push(own[at]);
    }
    return positional.length >= 2;
}

/** Every `pulumi config set` in a source file's text, up to the end of its string or line. */
function sourceCommands(text: string): string[] {
    return [...text.matchAll(/pulumi config set\b[^`"'\n)]*/g)].map((m) => m[0]);
}

/** The TypeScript files whose strings reach users: hints, refusals, help. */
function sourceFiles(): string[] {
    const dirs = ["cli", "components", "policy", "program", "render", "stacks"];
    const files = dirs.flatMap((dir) =>
        fs
            .readdirSync(path.join(PROJECT_DIR, dir), { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".ts") && !f.includes("node_modules"))
            .map((f) => path.join(dir, f)),
    );
    return ["index.ts", ...files];
}

describe("secrets on the command line (docs and hints)", () => {
    it("finds a secret's value given as an argument, in any order of options", () => {
        const onCommandLine = [
            "pulumi config set --secret --path storage.accessKeyId AKIAEXAMPLE -s prod",
            "pulumi config set --secret --path storage.secretAccessKey <new secret key> -s prod",
            "pulumi config set --path hopsworks.repoPassword hunter2 --secret",
            "pulumi config set -s prod --secret hopsworks-dr:storage '$(cat key)'",
            "pulumi config set --secret --path storage.secretAccessKey $(cat secret-key.txt)",
            "pulumi config set --secret --path storage.accessKeyId AKIAEXAMPLE, then run pulumi up",
            "pulumi config set --secret --path storage.accessKeyId ${key} -s ${stack}",
        ];
        for (const command of onCommandLine) assert.equal(secretValueOnCommandLine(command), true, command);
        const safe = [
            "pulumi config set --secret --path storage.accessKeyId -s prod",
            "pulumi config set --secret --path storage.secretAccessKey -s prod < secret-key.txt",
            "cat secret-key.txt | pulumi config set --secret --path storage.secretAccessKey -s prod",
            "pulumi config set --secret --path <key> -s prod",
            "pulumi config set --secret",
            "pulumi config set --path storage.region eu-north-1 -s prod",
        ];
        for (const command of safe) assert.equal(secretValueOnCommandLine(command), false, command);
    });

    it("no page of the README or docs/ shows one", () => {
        const found = documentationPages().flatMap((page) =>
            commandsOf(fs.readFileSync(path.join(PROJECT_DIR, page), "utf8"))
                .filter(secretValueOnCommandLine)
                .map((command) => `${page}: ${command}`),
        );
        assert.deepEqual(found, []);
    });

    it("no hint in the program, the CLI, the render or the policy pack shows one", () => {
        const files = sourceFiles();
        assert.ok(files.includes(path.join("stacks", "config", "reader.ts")), files.join(", "));
        const found = files.flatMap((file) =>
            sourceCommands(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"))
                .filter(secretValueOnCommandLine)
                .map((command) => `${file}: ${command}`),
        );
        assert.deepEqual(found, []);
    });

    it("the hints give the prompt form, and reading from a file", () => {
        const hint = setSecretCommand("storage.secretAccessKey", "prod");
        assert.equal(hint, "pulumi config set --secret --path storage.secretAccessKey -s prod, which prompts for the value (or reads it from a file: append < <file>)");
        assert.equal(secretValueOnCommandLine(hint), false);
    });
});
