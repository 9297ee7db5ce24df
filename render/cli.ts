/**
 * npm run render -- --stack <name> | --config <path/to/Pulumi.<stack>.yaml> [--out <dir>]
 * Writes what the stack would deploy, with no Pulumi CLI, cloud or cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { repeatedOption } from "../cli/options";
import { readStackFile, stackNameProblem } from "../stacks/config/stack-file";
import { PROJECT_DIR, renderStack, RenderError } from "./render";

const USAGE = "usage: npm run render -- (--stack <name> | --config <path/to/Pulumi.<stack>.yaml>) [--out <dir>]";

/** Where the render CLI writes its lines and resolves relative paths: the process's own, or a test's. */
export interface RenderIo {
    stdout: (line: string) => void;
    stderr: (line: string) => void;
    cwd: string;
}

const processIo: RenderIo = { stdout: (line) => console.log(line), stderr: (line) => console.error(line), cwd: process.cwd() };

/** The render CLI on argv (without node and the script); the exit code: 0 written, 1 refused, 2 a usage error. */
export async function renderCli(argv: string[], io: RenderIo = processIo): Promise<number> {
    let args;
    try {
        const parsed = parseArgs({ args: argv, options: { stack: { type: "string" }, config: { type: "string" }, out: { type: "string" } }, tokens: true });
        const repeated = repeatedOption(parsed.tokens);
        if (repeated) throw new Error(repeated);
        args = parsed.values;
    } catch (error) {
        io.stderr(`${(error as Error).message}\n${USAGE}`);
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
        fs.mkdirSync(out, { recursive: true });
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(out, name), text);
        io.stdout(`rendered stack ${stackFile.stack} into ${path.relative(io.cwd, out) || "."}: ${Object.keys(files).join(", ")}`);
        return 0;
    } catch (error) {
        io.stderr(error instanceof RenderError ? error.message : (error as Error).message);
        return 1;
    }
}

if (require.main === module) renderCli(process.argv.slice(2)).then((code) => process.exit(code));
