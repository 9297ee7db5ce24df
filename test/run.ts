/**
 * `npm test`: every mocha test, the test files spread over MOCHA_JOBS worker processes
 * (`mocha --parallel`). On this project's 2-core machine two workers take about half the wall
 * time of one: much of it is spent waiting (child processes, servers, the CLI's timeouts), and
 * the rest is spread over many files.
 *
 * The type-check is `npm run typecheck`, a step of its own in `.ci/run` and the workflows (before
 * the tests): it took a core for 20 to 40 s, as long as the tests themselves.
 *
 * Arguments go to mocha: `npm test -- --grep restore`.
 * `MOCHA_JOBS=1 npm test` runs the files one after the other in one process.
 */
import { spawn } from "child_process";
import * as os from "os";
import * as path from "path";

const PROJECT_DIR = path.resolve(__dirname, "..");

/** `npm run typecheck`'s arguments (package.json): `.ci/run` and the workflows run it beside `npm test`. */
export const TYPECHECK_ARGS = [
    "-p",
    "tsconfig.json",
    "--noCheck",
    "false",
    "--incremental",
    "--tsBuildInfoFile",
    "node_modules/.cache/hopsworks-dr/typecheck.tsbuildinfo",
];

/** Workers: MOCHA_JOBS, else one per core, at least 2 (mocha's own default, cores - 1, is 1 here). */
export function mochaJobs(env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): number {
    const asked = env.MOCHA_JOBS;
    if (asked !== undefined && asked !== "") {
        const jobs = Number(asked);
        if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`MOCHA_JOBS=${asked}: expected a whole number of at least 1`);
        return jobs;
    }
    return Math.max(2, cores);
}

/** mocha's arguments: parallel unless one job is asked for. */
export function mochaArgs(jobs: number, extra: string[]): string[] {
    return jobs > 1 ? ["--parallel", "--jobs", String(jobs), ...extra] : extra;
}

function main(): void {
    let jobs: number;
    try {
        jobs = mochaJobs();
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(2);
    }
    const child = spawn(process.execPath, [require.resolve("mocha/bin/mocha.js"), ...mochaArgs(jobs, process.argv.slice(2))], {
        cwd: PROJECT_DIR,
        stdio: "inherit",
    });
    child.on("error", (error) => {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
    });
    child.on("close", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (require.main === module) main();
