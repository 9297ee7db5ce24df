/**
 * npm run render -- --stack <name> | --config <path/to/Pulumi.<stack>.yaml> [--out <dir>]
 * Writes what the stack would deploy, with no Pulumi CLI, cloud or cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { readStackFile } from "../stacks/stack-file";
import { PROJECT_DIR, renderStack, RenderError } from "./render";

const USAGE = "usage: npm run render -- (--stack <name> | --config <path/to/Pulumi.<stack>.yaml>) [--out <dir>]";

async function main(): Promise<number> {
    let args;
    try {
        args = parseArgs({ options: { stack: { type: "string" }, config: { type: "string" }, out: { type: "string" } } }).values;
    } catch (error) {
        console.error(`${(error as Error).message}\n${USAGE}`);
        return 2;
    }
    if ((args.stack === undefined) === (args.config === undefined)) {
        console.error(`give exactly one of --stack and --config\n${USAGE}`);
        return 2;
    }
    const file = args.config ? path.resolve(args.config) : path.join(PROJECT_DIR, `Pulumi.${args.stack}.yaml`);
    try {
        const stackFile = readStackFile(file);
        const { files } = await renderStack(stackFile);
        const out = path.resolve(args.out ?? path.join("out", stackFile.stack));
        fs.mkdirSync(out, { recursive: true });
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(out, name), text);
        console.log(`rendered stack ${stackFile.stack} into ${path.relative(process.cwd(), out) || "."}: ${Object.keys(files).join(", ")}`);
        return 0;
    } catch (error) {
        console.error(error instanceof RenderError ? error.message : (error as Error).message);
        return 1;
    }
}

main().then((code) => process.exit(code));
