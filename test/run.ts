/**
 * `npm test`: the type-check and every mocha test, side by side. tsc and mocha each keep one core
 * busy, so on a 2-core machine the type-check costs no wall time beyond mocha's; run one after the
 * other, it added 7 to 11 s. Both always run to the end; `npm test` passes only when both do.
 *
 * The type-check is incremental (TYPECHECK_ARGS): its build info lives in node_modules/.cache, outside
 * the sources, so a warm run parses the declarations again but checks only what changed.
 *
 * Arguments go to mocha: `npm test -- --grep restore`.
 */
import { spawn } from "child_process";
import * as path from "path";

const PROJECT_DIR = path.resolve(__dirname, "..");

/** `npm run typecheck`'s arguments (package.json): keep the two in step. */
export const TYPECHECK_ARGS = [
    "-p",
    "tsconfig.json",
    "--noCheck",
    "false",
    "--incremental",
    "--tsBuildInfoFile",
    "node_modules/.cache/hopsworks-dr/typecheck.tsbuildinfo",
];

interface Finished {
    code: number;
    output: string;
    seconds: number;
}

function run(script: string, args: string[], capture: boolean): Promise<Finished> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [require.resolve(script), ...args], {
            cwd: PROJECT_DIR,
            stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
        });
        let output = "";
        child.stdout?.on("data", (chunk) => (output += chunk));
        child.stderr?.on("data", (chunk) => (output += chunk));
        child.on("error", (error) => resolve({ code: 1, output: `${error.message}\n`, seconds: (Date.now() - started) / 1000 }));
        child.on("close", (code, signal) =>
            resolve({ code: code ?? 1, output: signal ? `${output}killed by ${signal}\n` : output, seconds: (Date.now() - started) / 1000 }),
        );
    });
}

async function main(): Promise<number> {
    // tsc's report is held back and printed after mocha's, so the two never interleave.
    const typecheck = run("typescript/bin/tsc", TYPECHECK_ARGS, true);
    const mocha = await run("mocha/bin/mocha.js", process.argv.slice(2), false);
    const tsc = await typecheck;
    if (tsc.code === 0) {
        process.stdout.write(`typecheck (tsc): no errors, ${tsc.seconds.toFixed(1)} s\n`);
    } else {
        process.stdout.write(`typecheck (tsc) failed, exit status ${tsc.code}:\n${tsc.output}`);
    }
    return mocha.code !== 0 ? mocha.code : tsc.code;
}

if (require.main === module) main().then((code) => process.exit(code));
