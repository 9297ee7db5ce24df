/**
 * npm run bench [-- --runs N] [-- --skip-tests]
 * Measures how long the dev render takes against the floor of loading the Pulumi SDKs, the
 * operator CLI's start-up, a cron job's `backups status` and a large listing, and how long the
 * test suite takes. It reports figures and always exits 0 when every
 * command ran, even if a target is missed; it exits 1 only if a child command fails.
 */
import { spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { Worker } from "worker_threads";
import { drillBench } from "../drill/bench";
import { backupIdAt } from "../stacks/catalogue/backup-id";
import { ConfigError } from "../stacks/config/reader";
import { readStackConfig } from "../stacks/config/stack-config";

const PROJECT_DIR = path.resolve(__dirname, "..");
const USAGE = "usage: npm run bench -- [--runs N] [--skip-tests]";
const RATIO_TARGET = 2.5;
const TEST_TARGET_S = 30;
const CLI_LIST_TARGET_MS = 1000;
const CLI_RSS_TARGET_MB = 250;
const CLI_HELP_TARGET_MS = 500;
const CLI_STATUS_TARGET_MS = 1500;
const CLI_BIN = path.join(PROJECT_DIR, "cli", "bin.js");
const CONFIG_REFUSAL_TARGET_MS = 5000;

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
const CLI_STARTUP = "cli --help (start-up)";
const CLI_STATUS = "cli backups status, small catalogue";
const CLI_LIST_SMALL = "cli backups list --json, small catalogue";
const CLI_LIST = "cli backups list --json, 20,000 entries";
/** Peak RSS of each timed `backups list` run, in MB. */
const cliListPeakMb: number[] = [];
const RENDER = "render --stack dev";
const CONFIG_REFUSAL = "config refusal, 16,000 long unknown keys";
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
        name: CLI_STARTUP,
        enabled: () => true,
        run: (options) => withCatalogueServer((env) =>
            repeat(CLI_STARTUP, options.runs, () => timeChild(process.execPath, [CLI_BIN, "--help"], { env }))),
    },
    {
        // End to end as a cron job runs it: no flag, the schedule read from the Velero Schedules.
        name: CLI_STATUS,
        enabled: () => true,
        run: (options) => withCatalogueServer((env) =>
            repeat(CLI_STATUS, options.runs, () => timeChild(process.execPath, [CLI_BIN, "backups", "status"], { env })), smallCatalogueResponses(new Date())),
    },
    {
        // The baseline of the large listing: the same command, client-node loaded, a handful of entries.
        name: CLI_LIST_SMALL,
        enabled: () => true,
        run: (options) => withCatalogueServer((env) =>
            repeat(CLI_LIST_SMALL, options.runs, () => timeChild(process.execPath, [CLI_BIN, "backups", "list", "--json"], { env })), smallCatalogueResponses(new Date())),
    },
    {
        name: CLI_LIST,
        enabled: () => true,
        run: (options) => withCatalogueServer((env) => {
            const sample = repeat(CLI_LIST, options.runs, () => timedListing(env));
            // The warm-up's figure is dropped, as its time is.
            cliListPeakMb.splice(0, 1);
            return sample;
        }),
    },
    {
        // In process: the refusal's messages alone, which once tested every long key against every message (34 s).
        name: CONFIG_REFUSAL,
        enabled: () => true,
        run: (options) => repeat(CONFIG_REFUSAL, options.runs, timedConfigRefusal),
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
            const refusal = samples.get(CONFIG_REFUSAL);
            if (!refusal) return undefined;
            const ms = median(refusal.ms);
            return `config refusal of 16,000 long unknown keys: ${ms.toFixed(0)} ms (target < ${CONFIG_REFUSAL_TARGET_MS} ms): ${ms < CONFIG_REFUSAL_TARGET_MS ? "ok" : "OVER"}`;
        },
    },
    {
        check: (samples) => {
            const startup = samples.get(CLI_STARTUP);
            const status = samples.get(CLI_STATUS);
            if (!startup || !status) return undefined;
            const [help, full] = [median(startup.ms), median(status.ms)];
            const verdict = help < CLI_HELP_TARGET_MS && full < CLI_STATUS_TARGET_MS ? "ok" : "OVER";
            return `cli --help: ${help.toFixed(0)} ms (target < ${CLI_HELP_TARGET_MS} ms), ` +
                `backups status end to end: ${full.toFixed(0)} ms (target < ${CLI_STATUS_TARGET_MS} ms): ${verdict}`;
        },
    },
    {
        check: (samples) => {
            // Beyond the same listing of a small catalogue: --help no longer loads client-node, so
            // the cost of 20,000 entries is measured against a run that does.
            const small = samples.get(CLI_LIST_SMALL);
            const list = samples.get(CLI_LIST);
            if (!small || !list) return undefined;
            const beyond = median(list.ms) - median(small.ms);
            const peak = Math.max(...cliListPeakMb);
            const verdict = beyond < CLI_LIST_TARGET_MS && peak < CLI_RSS_TARGET_MB ? "ok" : "OVER";
            return `cli backups list: ${beyond.toFixed(0)} ms beyond a small catalogue's listing (target < ${CLI_LIST_TARGET_MS} ms), ` +
                `peak RSS ${peak.toFixed(0)} MB (target < ${CLI_RSS_TARGET_MB} MB): ${verdict}`;
        },
    },
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

/** readStackConfig over a storage section with 16,000 unknown keys of 150 characters; its wall time in ms. */
function timedConfigRefusal(): number {
    const storage: Record<string, unknown> = { bucket: "bench", region: "us-east-1", iamRoleArn: "arn:aws:iam::123456789012:role/velero" };
    for (let i = 0; i < 16000; i++) storage[`k${i}`.padEnd(150, "x")] = 1;
    const values = { storage, hopsworks: { repo: "https://charts.example.com/hopsworks", chartVersion: "4.8.0", version: "4.8.0" } };
    const start = process.hrtime.bigint();
    try {
        readStackConfig({ stack: "bench", values, secretPaths: [], projectDir: PROJECT_DIR });
    } catch (error) {
        if (!(error instanceof ConfigError) || error.problems.length !== 16000) throw error;
        return Number(process.hrtime.bigint() - start) / 1e6;
    }
    throw new Error("the config with 16,000 unknown keys was accepted");
}

/**
 * 20,000 metadata entries: 10,000 hourly RonDB and OpenSearch backups each, rotated at 5000
 * keys into two ConfigMaps per service as Hopsworks does, plus both Velero schedules' backups.
 */
function catalogueResponses(): Record<string, string> {
    const start = Date.UTC(2025, 0, 1);
    const ids = Array.from({ length: 10_000 }, (_, i) => backupIdAt(new Date(start + i * 3_600_000)));
    const configMaps: Record<string, object[]> = { rondb: [], opensearch: [] };
    const responses: Record<string, string> = {};
    for (const service of ["rondb", "opensearch"]) {
        for (let part = 0; part < 2; part++) {
            const name = `${service}-backups-metadata${part === 0 ? "" : `-${part}`}`;
            const data: Record<string, string> = {};
            for (const id of ids.slice(part * 5000, (part + 1) * 5000)) {
                data[id] = JSON.stringify({ start_time: "", end_time: "", duration_ms: 61000, state: "SUCCESS", path: `s3://hopsworks-bench/${service}_backup/${id}` });
            }
            const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "hopsworks", labels: { app: "backups-metadata", service } }, data };
            configMaps[service].push(object);
            responses[`/api/v1/namespaces/hopsworks/configmaps/${name}`] = JSON.stringify(object);
        }
        responses[`/api/v1/namespaces/hopsworks/configmaps?labelSelector=app%3Dbackups-metadata%2Cservice%3D${service}`] =
            JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: {}, items: configMaps[service] });
    }
    const backups = ids.slice(-2000).flatMap((id, i) => {
        const started = new Date(start + (8000 + i) * 3_600_000 + 15_000).toISOString();
        return ["k8s-backups-main", "k8s-backups-users-resources"].map((schedule) => ({
            apiVersion: "velero.io/v1", kind: "Backup",
            metadata: { name: `${schedule}-${id}`, namespace: "velero", labels: { "velero.io/schedule-name": schedule }, creationTimestamp: started },
            spec: { storageLocation: "hopsworks-bsl" },
            status: { phase: "Completed", startTimestamp: started, completionTimestamp: started },
        }));
    });
    responses["/apis/velero.io/v1/namespaces/velero/backups"] = JSON.stringify({ apiVersion: "velero.io/v1", kind: "BackupList", metadata: {}, items: backups });
    return responses;
}

/**
 * The catalogue a `backups status` cron job sees on a healthy cluster: three daily backups at the
 * last three midnights (UTC) before `now`, each service's and both Velero schedules', the
 * location Available, and the Velero Schedules on the same daily cron.
 */
function smallCatalogueResponses(now: Date): Record<string, string> {
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const times = [0, 1, 2].map((days) => new Date(midnight - days * 86_400_000));
    const responses: Record<string, string> = {};
    for (const service of ["rondb", "opensearch"]) {
        const data = Object.fromEntries(times.map((t) => [backupIdAt(t), JSON.stringify({
            start_time: t.toISOString(), end_time: new Date(t.getTime() + 60_000).toISOString(), duration_ms: 60000, state: "SUCCESS",
        })]));
        const name = `${service}-backups-metadata`;
        const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "hopsworks", labels: { app: "backups-metadata", service } }, data };
        responses[`/api/v1/namespaces/hopsworks/configmaps/${name}`] = JSON.stringify(object);
        responses[`/api/v1/namespaces/hopsworks/configmaps?labelSelector=app%3Dbackups-metadata%2Cservice%3D${service}`] =
            JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: {}, items: [object] });
    }
    const schedules = ["k8s-backups-main", "k8s-backups-users-resources"];
    const backups = times.flatMap((t) => schedules.map((schedule) => ({
        apiVersion: "velero.io/v1", kind: "Backup",
        metadata: { name: `${schedule}-${t.toISOString().replace(/\D/g, "").slice(0, 14)}`, namespace: "velero", labels: { "velero.io/schedule-name": schedule } },
        spec: { storageLocation: "hopsworks-bsl" },
        status: { phase: "Completed", startTimestamp: new Date(t.getTime() + 10_000).toISOString(), completionTimestamp: new Date(t.getTime() + 50_000).toISOString() },
    })));
    responses["/apis/velero.io/v1/namespaces/velero/backups"] = JSON.stringify({ apiVersion: "velero.io/v1", kind: "BackupList", metadata: {}, items: backups });
    for (const name of schedules) {
        responses[`/apis/velero.io/v1/namespaces/velero/schedules/${name}`] =
            JSON.stringify({ apiVersion: "velero.io/v1", kind: "Schedule", metadata: { name, namespace: "velero" }, spec: { schedule: "0 0 * * *" } });
    }
    responses["/apis/velero.io/v1/namespaces/velero/backupstoragelocations/hopsworks-bsl"] = JSON.stringify({
        apiVersion: "velero.io/v1", kind: "BackupStorageLocation", metadata: { name: "hopsworks-bsl", namespace: "velero" },
        status: { phase: "Available", lastSyncedTime: now.toISOString() },
    });
    return responses;
}

// Serves the prepared responses by path (the query string only matters for the label lists).
// It runs on a worker thread so it keeps answering while the main thread blocks in spawnSync.
const SERVER_CODE = `
const http = require("http");
const { workerData } = require("worker_threads");
const { responses, ready } = workerData;
const server = http.createServer((req, res) => {
    const body = responses[req.url] ?? responses[req.url.split("?")[0]];
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(body ?? JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" }));
});
server.listen(0, "127.0.0.1", () => {
    const flag = new Int32Array(ready);
    Atomics.store(flag, 0, server.address().port);
    Atomics.notify(flag, 0);
});
`;

/** Starts the API server on a worker thread with a kubeconfig pointing at it, runs `body`, stops both. */
function withCatalogueServer<T>(body: (env: NodeJS.ProcessEnv) => T, responses: Record<string, string> = catalogueResponses()): T {
    const ready = new SharedArrayBuffer(4);
    const worker = new Worker(SERVER_CODE, { eval: true, workerData: { responses, ready } });
    const flag = new Int32Array(ready);
    if (Atomics.wait(flag, 0, 0, 30_000) === "timed-out") throw new Error("the bench's API server did not start");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-bench-kube-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, [
        "apiVersion: v1", "kind: Config",
        `clusters: [{name: bench, cluster: {server: "http://127.0.0.1:${Atomics.load(flag, 0)}", insecure-skip-tls-verify: true}}]`,
        "users: [{name: bench, user: {token: bench}}]",
        "contexts: [{name: bench, context: {cluster: bench, user: bench}}]",
        "current-context: bench", "",
    ].join("\n"));
    try {
        return body({ ...process.env, KUBECONFIG: kubeconfig });
    } finally {
        void worker.terminate();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** One `backups list --json` run; records its peak RSS (GNU time if present, else the child's own maxRSS). */
function timedListing(env: NodeJS.ProcessEnv): number {
    const args = [CLI_BIN, "backups", "list", "--json"];
    if (fs.existsSync("/usr/bin/time")) {
        const file = path.join(os.tmpdir(), `hopsworks-dr-bench-rss-${process.pid}`);
        const ms = timeChild("/usr/bin/time", ["-f", "%M", "-o", file, process.execPath, ...args], { env });
        cliListPeakMb.push(Number(fs.readFileSync(file, "utf8").trim().split("\n").pop()) / 1024);
        fs.rmSync(file, { force: true });
        return ms;
    }
    // With -e, argv has no script path: the placeholder takes its place for the bin's argv.slice(2).
    const code = `process.on("exit", () => require("fs").writeSync(2, "maxRSS=" + process.resourceUsage().maxRSS + "\\n")); require(${JSON.stringify(CLI_BIN)});`;
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["-e", code, "--", "hopsworks-dr", "backups", "list", "--json"], { cwd: PROJECT_DIR, encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new ChildFailure(args.join(" "), result.status, result.stdout, result.stderr);
    cliListPeakMb.push(Number(/maxRSS=(\d+)/.exec(result.stderr)?.[1] ?? NaN) / 1024);
    return ms;
}

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
        const { values } = parseArgs({ options: { runs: { type: "string", default: "7" }, "skip-tests": { type: "boolean", default: false }, "no-drill": { type: "boolean", default: false } } });
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

/** The drill's figures, when every drill tool is built (`npm run drill:tools`); `--no-drill` skips them. */
async function drillPart(): Promise<number> {
    if (process.argv.includes("--no-drill")) return 0;
    const lines = await drillBench(3);
    console.log("");
    if (lines === undefined) {
        console.log("drill figures skipped: some drill tools are not built (npm run drill:tools)");
        return 0;
    }
    for (const line of lines) console.log(line);
    return 0;
}

const code = main();
if (code !== 0) process.exit(code);
drillPart().then(
    (c) => process.exit(c),
    (error) => {
        console.error(`drill figures failed: ${(error as Error).message}`);
        process.exit(1);
    },
);
