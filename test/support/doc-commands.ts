/**
 * The commands the README and docs/ show, and what is wrong with them: shared by test/runbooks.test.ts,
 * test/docs.test.ts and test/docs/secret-commands.test.ts. Kept out of the test files so that
 * importing it registers no tests (mocha --parallel loads each test file in a worker of its own,
 * where an import of another test file would run that file's tests a second time).
 */
import * as fs from "fs";
import * as path from "path";
import { COMMANDS } from "../../cli/main";
import { CONFIG_KEYS, TOP_LEVEL_KEYS } from "../../stacks/config/stack-config";
import { PROJECT_DIR } from "./stacks";

/** README.md and every page under docs/, as paths from the project root. */
export function documentationPages(): string[] {
    const docs = fs
        .readdirSync(path.join(PROJECT_DIR, "docs"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".md"))
        .map((f) => path.join("docs", f));
    return ["README.md", ...docs.sort()];
}

const SCRIPTS = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts);

/** Every shell command a page shows: fenced blocks (continuations joined) and inline code spans. */
export function commandsOf(markdown: string): string[] {
    const fenced = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) =>
        m[1]
            .replace(/\s*\\\n\s*/g, " ")
            .split("\n")
            .map((line) => line.replace(/\s+#.*$/, "").trim()),
    );
    const prose = markdown.replace(/```[a-z]*\n[\s\S]*?```/g, "");
    const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1].trim());
    // A line may chain commands with && or ;.
    return [...fenced, ...inline].flatMap((line) => line.split(/\s*(?:&&|;)\s*/)).filter((c) => c !== "");
}

function configKeyProblem(quoted: string): string | undefined {
    // As the shell hands it over (quotes gone), and with list indices dropped: `'hopsworks.valuesFiles[0]'`.
    const key = quoted.replace(/^(['"])(.*)\1$/, "$2").replace(/\[\d+\]/g, "");
    const [section, field, sub, ...rest] = key.split(".");
    if (!TOP_LEVEL_KEYS.includes(section)) return `unknown config section ${section}`;
    if (field === undefined) return undefined;
    const fields = CONFIG_KEYS[section as keyof typeof CONFIG_KEYS] as readonly string[];
    if (!fields.includes(field)) return `unknown config key ${section}.${field}`;
    if (sub !== undefined) {
        const nested = CONFIG_KEYS[field as keyof typeof CONFIG_KEYS] as readonly string[] | undefined;
        if (nested === undefined || !nested.includes(sub) || rest.length > 0) return `unknown config key ${key}`;
    }
    return undefined;
}

/** What is wrong with the project commands in a page; empty when every one exists. */
export function commandProblems(markdown: string, commands = COMMANDS): string[] {
    const problems: string[] = [];
    for (const command of commandsOf(markdown)) {
        // `node cli/bin.js`, the documented fast form, is the CLI as much as `npx hopsworks-dr` is.
        const words = command.replace(/^node cli\/bin\.js(?=\s|$)/, "hopsworks-dr").split(/\s+/);
        const npmRun = /^npm run ([\w:-]+)/.exec(command);
        if (npmRun && !SCRIPTS.includes(npmRun[1])) problems.push(`${command}: no script "${npmRun[1]}" in package.json`);

        const cliAt = words.indexOf("hopsworks-dr");
        const after = words.slice(cliAt + 1);
        // `hopsworks-dr --help`, `hopsworks-dr backups --help` and `hopsworks-dr <command>` name the help or a placeholder.
        const isHelp = (word?: string) => word === "--help" || word === "-h";
        const groups = new Set(Object.keys(commands).map((c) => c.split(" ")[0]));
        const helpOrPlaceholder = isHelp(after[0]) || after[0]?.startsWith("<") || (groups.has(after[0]) && isHelp(after[1]));
        if (cliAt !== -1 && (cliAt === 0 || words[cliAt - 1] === "npx") && words.length > cliAt + 1 && !helpOrPlaceholder) {
            const subcommand = words.slice(cliAt + 1, cliAt + 3).join(" ");
            const allowed = commands[subcommand];
            if (allowed === undefined) {
                problems.push(`${command}: "hopsworks-dr ${subcommand}" is not a CLI command`);
            } else {
                for (const option of words.slice(cliAt + 3).filter((w) => w.startsWith("--"))) {
                    const name = option.slice(2).split("=")[0];
                    if (!allowed.includes(name)) problems.push(`${command}: "hopsworks-dr ${subcommand}" takes no --${name}`);
                }
            }
        }

        if (/^pulumi config set\b/.test(command)) {
            const pathAt = words.indexOf("--path");
            // Prose may name the command alone (`pulumi config set --path`): only a key given is checked.
            if (pathAt !== -1 && words[pathAt + 1] !== undefined) {
                const problem = configKeyProblem(words[pathAt + 1] ?? "");
                if (problem) problems.push(`${command}: ${problem}`);
            }
            for (const match of command.matchAll(/hopsworks-dr:([\w.]+)/g)) {
                const problem = configKeyProblem(match[1]);
                if (problem) problems.push(`${command}: ${problem}`);
            }
        }
    }
    return problems;
}
