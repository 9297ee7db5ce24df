/**
 * npm run bench [-- --runs N] [-- --skip-tests]
 * Measures how long the dev render takes against the floor of loading the Pulumi SDKs,
 * and how long the test suite takes. It reports figures and always exits 0 when every
 * command ran, even if a target is missed; it exits 1 only if a child command fails.
 */
import { spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const PROJECT_DIR = path.resolve(__dirname, "..");
const USAGE = "usage: npm run bench -- [--runs N] [--skip-tests]";
const RATIO_TARGET = 2.5;
const TEST_TARGET_S = 30;

interface Options {
    runs: number;
    skipTests: boolean;
    outDir: string;
}

/** Wall times of one measurement, in milliseconds, in the order they were taken. */
interface Sample {
    name: string;
    ms: number[];
}

/** A named measurement; more (e.g. a large listing with peak RSS) go in MEASUREMENTS. */
interface Measurement {
    name: string;
    enabled: (options: Options) => boolean;
    run: (options: Options) => Sample;
}

/** A target checked once every measurement has run; missing samples mean it was skipped. */
interface Target {
    check: (samples: Map<string, Sample>) => string | undefined;
}

class ChildFailure extends Error {
    constructor(readonly command: string, readonly status: number | null, readonly stdout: string, readonly stderr: string) {
        super(`${command} failed with ${status === null ? "a signal" : `exit status ${status}`}`);
    }
}

// Touching each class matters: the SDKs load their resource modules lazily on first access,
// so requiring the packages alone would measure far less than the program really loads.
const FLOOR_CODE = `
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const aws = require("@pulumi/aws");
const used = [
    pulumi.ComponentResource,
    k8s.helm.v3.Release, k8s.apiextensions.CustomResource, k8s.core.v1.Secret,
    aws.s3.Bucket, aws.s3.BucketVersioning, aws.s3.BucketLifecycleConfiguration,
    aws.s3.BucketServerSideEncryptionConfiguration, aws.s3.BucketPublicAccessBlock,
    aws.iam.Role, aws.iam.Policy, aws.iam.RolePolicyAttachment, aws.Provider,
];
if (used.some((c) => typeof c !== "function")) throw new Error("an SDK class did not load");
`;

/** Runs a command from the project directory; returns its wall time in ms, throws if it fails. */
function timeChild(command: string, args: string[], extra: SpawnSyncOptions = {}): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...extra });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.error) throw result.error;
    if (result.status !== 0) {
        throw new ChildFailure([command, ...args].join(" "), result.status, String(result.stdout ?? ""), String(result.stderr ?? ""));
    }
    return ms;
}

/** One untimed warm-up first, so tsx's transform cache and the OS file cache are hot for every timed run. */
function repeat(name: string, runs: number, once: () => number): Sample {
    once();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) ms.push(once());
    return { name, ms };
}

const FLOOR = "floor: node loads SDKs";
const RENDER = "render --stack dev";
const TESTS = "npm test";

const MEASUREMENTS: Measurement[] = [
    {
        name: FLOOR,
        enabled: () => true,
        run: (options) => repeat(FLOOR, options.runs, () => timeChild(process.execPath, ["-e", FLOOR_CODE])),
    },
    {
        name: RENDER,
        enabled: () => true,
        run: (options) => repeat(RENDER, options.runs, () =>
            timeChild(process.execPath, ["--import", "tsx", "render/cli.ts", "--stack", "dev", "--out", options.outDir])),
    },
    {
        // Once only: it takes tens of seconds and type-checks too, so repeats would blow the time budget.
        name: TESTS,
        enabled: (options) => !options.skipTests,
        run: () => ({ name: TESTS, ms: [timeChild("npm", ["test"], { env: { ...process.env, CI: "true" } })] }),
    },
];

const TARGETS: Target[] = [
    {
        check: (samples) => {
            const floor = samples.get(FLOOR);
            const render = samples.get(RENDER);
            if (!floor || !render) return undefined;
            const ratio = median(render.ms) / median(floor.ms);
            return `render/floor: ${ratio.toFixed(2)}x (target <= ${RATIO_TARGET}x): ${ratio <= RATIO_TARGET ? "ok" : "OVER"}`;
        },
    },
    {
        check: (samples) => {
            const tests = samples.get(TESTS);
            if (!tests) return "npm test: skipped (--skip-tests)";
            const seconds = tests.ms[0] / 1000;
            return `npm test: ${seconds.toFixed(1)} s (target < ${TEST_TARGET_S} s): ${seconds < TEST_TARGET_S ? "ok" : "OVER"}, exit status 0`;
        },
    },
];

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(samples: Sample[]): string {
    const header = ["measurement", "runs", "median ms", "min ms", "max ms", "spread ms"];
    const rows = samples.map((sample) => {
        const min = Math.min(...sample.ms);
        const max = Math.max(...sample.ms);
        return [sample.name, String(sample.ms.length), ...[median(sample.ms), min, max, max - min].map((v) => v.toFixed(0))];
    });
    const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
    // Name column left-aligned, figures right-aligned so digits line up.
    const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
    return [line(header), ...rows.map(line)].join("\n");
}

function parseOptions(): Options | undefined {
    try {
        const { values } = parseArgs({ options: { runs: { type: "string", default: "7" }, "skip-tests": { type: "boolean", default: false } } });
        const runs = Number(values.runs);
        if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
        return { runs, skipTests: values["skip-tests"] === true, outDir: "" };
    } catch (error) {
        console.error(`${(error as Error).message}\n${USAGE}`);
        return undefined;
    }
}

function main(): number {
    const parsed = parseOptions();
    if (!parsed) return 2;
    // A fresh directory so the bench never overwrites the user's out/dev.
    const options = { ...parsed, outDir: fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-bench-")) };
    const samples = new Map<string, Sample>();
    try {
        for (const measurement of MEASUREMENTS.filter((m) => m.enabled(options))) {
            samples.set(measurement.name, measurement.run(options));
        }
    } catch (error) {
        if (!(error instanceof ChildFailure)) throw error;
        console.error(`${error.message}\n${error.stdout}${error.stderr}`);
        return 1;
    } finally {
        fs.rmSync(options.outDir, { recursive: true, force: true });
    }
    console.log(`node ${process.version}, ${os.cpus().length} cores, ${options.runs} timed runs after one warm-up\n`);
    console.log(table([...samples.values()]));
    console.log("");
    for (const target of TARGETS) {
        const verdict = target.check(samples);
        if (verdict !== undefined) console.log(verdict);
    }
    return 0;
}

process.exit(main());
