/**
 * npm run render -- --stack <name> | --config <path/to/Pulumi.<stack>.yaml> [--out <dir>]
 * Writes what the stack would deploy, with no Pulumi CLI, cloud or cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { repeatedOption } from "../cli/options";
import { terminalSafe } from "../stacks/config/reader";
import { readStackFile, stackNameProblem } from "../stacks/config/stack-file";
import { RENDER_FILE_NAMES } from "./files";
import { PROJECT_DIR, renderStack, RenderError } from "./render";

const USAGE = "usage: npm run render -- (--stack <name> | --config <path/to/Pulumi.<stack>.yaml>) [--out <dir>]";

/** Where the render CLI writes its lines and resolves relative paths: the process's own, or a test's. */
export interface RenderIo {
    stdout: (line: string) => void;
    stderr: (line: string) => void;
    cwd: string;
}

const processIo: RenderIo = { stdout: (line) => console.log(line), stderr: (line) => console.error(line), cwd: process.cwd() };

/**
 * Writes the files into a fresh folder beside `out` and then puts it in `out`'s place, so `out`
 * holds exactly this render (no alerts.yaml left from when monitoring was on) and a refused or
 * failed render leaves the previous one whole. A folder holding anything the render does not write
 * is refused, never replaced: `--out .` must not delete a project.
 */
export function replaceRenderFolder(out: string, files: Record<string, string>): void {
    const existing = fs.existsSync(out) ? fs.statSync(out) : undefined;
    if (existing && !existing.isDirectory()) throw new Error(`--out ${out}: is a file, not a folder`);
    const foreign = existing ? fs.readdirSync(out).filter((name) => !RENDER_FILE_NAMES.includes(name)) : [];
    if (foreign.length > 0) {
        throw new Error(
            `--out ${out}: holds ${foreign.slice(0, 5).map((n) => JSON.stringify(n)).join(", ")}${foreign.length > 5 ? ", ..." : ""}, which the render does not write; ` +
                "the render replaces its folder whole, so give a new folder or one only the render wrote",
        );
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const fresh = fs.mkdtempSync(path.join(path.dirname(out), `.${path.basename(out)}.rendering-`));
    try {
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(fresh, name), text);
        if (!existing) return fs.renameSync(fresh, out);
        const previous = `${fresh}.previous`;
        fs.renameSync(out, previous);
        fs.renameSync(fresh, out);
        fs.rmSync(previous, { recursive: true, force: true });
    } finally {
        fs.rmSync(fresh, { recursive: true, force: true });
    }
}

/** The render CLI on argv (without node and the script); the exit code: 0 written, 1 refused, 2 a usage error. */
export async function renderCli(argv: string[], io: RenderIo = processIo): Promise<number> {
    let args;
    try {
        const parsed = parseArgs({ args: argv, options: { stack: { type: "string" }, config: { type: "string" }, out: { type: "string" } }, tokens: true });
        const repeated = repeatedOption(parsed.tokens);
        if (repeated) throw new Error(repeated);
        args = parsed.values;
    } catch (error) {
        io.stderr(`${terminalSafe((error as Error).message, true)}\n${USAGE}`);
        return 2;
    }
    if ((args.stack === undefined) === (args.config === undefined)) {
        io.stderr(`give exactly one of --stack and --config\n${USAGE}`);
        return 2;
    }
    const stackProblem = args.stack === undefined ? undefined : stackNameProblem(args.stack);
    if (stackProblem) {
        io.stderr(`--stack ${stackProblem}\n${USAGE}`);
        return 2;
    }
    const file = args.config ? path.resolve(io.cwd, args.config) : path.join(PROJECT_DIR, `Pulumi.${args.stack}.yaml`);
    try {
        const stackFile = readStackFile(file);
        const { files } = await renderStack(stackFile);
        const out = path.resolve(io.cwd, args.out ?? path.join("out", stackFile.stack));
        replaceRenderFolder(out, files);
        io.stdout(`rendered stack ${stackFile.stack} into ${path.relative(io.cwd, out) || "."}: ${Object.keys(files).join(", ")}`);
        return 0;
    } catch (error) {
        // Whatever the message quotes (a file name, a value) reaches the terminal as text, never as control sequences.
        io.stderr(terminalSafe(error instanceof RenderError ? error.message : (error as Error).message, true));
        return 1;
    }
}

if (require.main === module) renderCli(process.argv.slice(2)).then((code) => process.exit(code));
