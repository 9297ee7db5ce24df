/**
 * npm run bench [-- --runs N] [-- --skip-tests]
 * Measures how long the dev render takes against the floor of loading the Pulumi SDKs, the
 * operator CLI's start-up, a cron job's `backups status`, a large listing and `backups recover` over
 * 100,000 object versions, and how long the
 * test suite takes. It reports figures and always exits 0 when every
 * command ran, even if a target is missed; it exits 1 only if a child command fails.
 */
import { spawn, spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { Worker } from "worker_threads";
import { drillBench } from "../drill/bench";
import { BENCH_BUCKET } from "./bucket-store";
import { backupIdAt } from "../stacks/catalogue/backup-id";
import { ConfigError } from "../stacks/config/reader";
import { readStackConfig } from "../stacks/config/stack-config";
import { RECOVER_BUCKET, RECOVER_SINCE } from "./recover-server";

const PROJECT_DIR = path.resolve(__dirname, "..");
const USAGE = "usage: npm run bench -- [--runs N] [--skip-tests]";
const RATIO_TARGET = 2.5;
/** `npm test` warm, the type-check apart (`npm run typecheck`), issue 21 item 2. */
const TEST_TARGET_S = 20;
const CLI_LIST_TARGET_MS = 1000;
const CLI_RSS_TARGET_MB = 250;
/** How much longer than a bare `node -e 0` `--help` and a usage error may take (issue 21, item 3). */
const CLI_BEYOND_NODE_TARGET_MS = 300;
const CLI_STATUS_TARGET_MS = 1500;
const CLI_BIN = path.join(PROJECT_DIR, "cli", "bin.js");
const CONFIG_REFUSAL_TARGET_MS = 5000;
const FROM_BUCKET_TARGET_MS = 5000;

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
function timeChild(command: string, args: string[], extra: SpawnSyncOptions = {}, expectedStatus = 0): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...extra });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.error) throw result.error;
    if (result.status !== expectedStatus) {
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
const NODE_START = "node start (bare node -e 0)";
const CLI_STARTUP = "cli --help (start-up)";
const CLI_USAGE_ERROR = "cli usage error (start-up)";
const NPX_STARTUP = "npx hopsworks-dr --help";
const CLI_STATUS = "cli backups status, small catalogue";
/** The three catalogue commands, each timed on a small catalogue and on LARGE_POINTS points with two Velero backups each. */
const CATALOGUE_COMMANDS: { label: string; args: string[] }[] = [
    { label: "backups list", args: ["backups", "list"] },
    { label: "backups list --json", args: ["backups", "list", "--json"] },
    { label: "backups status", args: ["backups", "status"] },
];
const LARGE_POINTS = 20_000;
const smallName = (label: string) => `cli ${label}, small catalogue`;
const largeName = (label: string) => `cli ${label}, 20,000 points, 40,000 Velero backups`;
/** Peak RSS of each timed large run, in MB, by measurement name. */
const peakMb = new Map<string, number[]>();
const RENDER = "render --stack dev";
const CONFIG_REFUSAL = "config refusal, 16,000 long unknown keys";
const RECOVER = "cli backups recover dry run, 100,000 versions";
/** At most this many timed runs of the recover measurement: each reads 100 pages of versions. */
const RECOVER_RUNS = 3;
const TESTS = "npm test";
const FROM_BUCKET = "cli backups list --from-bucket, 20,000 points, 40,000 Velero backups";

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
        name: NODE_START,
        enabled: () => true,
        run: (options) => repeat(NODE_START, options.runs, () => timeChild(process.execPath, ["-e", "0"])),
    },
    {
        name: CLI_STARTUP,
        enabled: () => true,
        run: (options) => withCatalogueServer((env) =>
            repeat(CLI_STARTUP, options.runs, () => timeChild(process.execPath, [CLI_BIN, "--help"], { env }))),
    },
    {
        name: CLI_USAGE_ERROR,
        enabled: () => true,
        run: (options) => repeat(CLI_USAGE_ERROR, options.runs, () => timeChild(process.execPath, [CLI_BIN, "backups", "lost"], {}, 2)),
    },
    {
        // What npm's own start-up adds to the bin (reported, no target: docs/cli.md documents `node cli/bin.js`).
        name: NPX_STARTUP,
        enabled: () => true,
        run: (options) => repeat(NPX_STARTUP, options.runs, () => timeChild("npx", ["--no-install", "hopsworks-dr", "--help"])),
    },
    {
        // End to end as a cron job runs it: no flag, the schedule read from the Velero Schedules.
        name: CLI_STATUS,
        enabled: () => true,
        run: (options) => withCatalogueServer((env) =>
            repeat(CLI_STATUS, options.runs, () => timeChild(process.execPath, [CLI_BIN, "backups", "status"], { env })), smallCatalogueResponses(new Date())),
    },
    ...CATALOGUE_COMMANDS.flatMap(({ label, args }): Measurement[] => [
        {
            // The baseline: the same command over a handful of points.
            name: smallName(label),
            enabled: () => true,
            run: (options) => withCatalogueServer((env) =>
                repeat(smallName(label), options.runs, () => timedCatalogueRun(smallName(label), args, env)), smallCatalogueResponses(new Date())),
        },
        {
            name: largeName(label),
            enabled: () => true,
            run: (options) => withCatalogueServer((env) => repeat(largeName(label), options.runs, () => timedCatalogueRun(largeName(label), args, env)), LARGE_CATALOGUE()),
        },
    ]),
    {
        // Against the stand-in S3 in a process of its own: 100 pages of 1000 versions, judged as they come.
        name: RECOVER,
        enabled: () => true,
        run: (options) => withRecoverServer((env, cwd) =>
            repeat(RECOVER, Math.min(options.runs, RECOVER_RUNS), () => timedCatalogueRun(RECOVER, ["backups", "recover", "--stack", "bench", "--since", RECOVER_SINCE], env, cwd))),
    },
    {
        // End to end against the stand-in S3: two paged listings, the newest points' velero-backup.json, the pairing, the table.
        name: FROM_BUCKET,
        enabled: () => true,
        run: (options) => withBucketStore(LARGE_POINTS, (env, cwd) =>
            repeat(FROM_BUCKET, options.runs, () => timedCatalogueRun(FROM_BUCKET, ["backups", "list", "--stack", "bench", "--from-bucket"], env, cwd))),
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
            const sample = samples.get(FROM_BUCKET);
            if (!sample) return undefined;
            const ms = median(sample.ms);
            const peak = Math.max(...(peakMb.get(FROM_BUCKET) ?? []).slice(1));
            const verdict = ms < FROM_BUCKET_TARGET_MS && peak < CLI_RSS_TARGET_MB ? "ok" : "OVER";
            return `cli backups list --from-bucket at 20,000 points and 40,000 Velero backups (the newest 100 points' velero-backup.json read): ` +
                `${ms.toFixed(0)} ms end to end (target < ${FROM_BUCKET_TARGET_MS} ms), peak RSS ${peak.toFixed(0)} MB (target < ${CLI_RSS_TARGET_MB} MB): ${verdict}`;
        },
    },
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
            const [node, startup, usageError] = [NODE_START, CLI_STARTUP, CLI_USAGE_ERROR].map((name) => samples.get(name));
            if (!node || !startup || !usageError) return undefined;
            const [help, usage] = [median(startup.ms) - median(node.ms), median(usageError.ms) - median(node.ms)];
            const verdict = help < CLI_BEYOND_NODE_TARGET_MS && usage < CLI_BEYOND_NODE_TARGET_MS ? "ok" : "OVER";
            const npx = samples.get(NPX_STARTUP);
            const npxText = npx ? `; npx hopsworks-dr --help ${(median(npx.ms) - median(startup.ms)).toFixed(0)} ms more than the bin (reported only)` : "";
            return `cli --help: ${help.toFixed(0)} ms beyond a bare node start, a usage error ${usage.toFixed(0)} ms (target < ${CLI_BEYOND_NODE_TARGET_MS} ms each): ${verdict}${npxText}`;
        },
    },
    {
        check: (samples) => {
            const status = samples.get(CLI_STATUS);
            if (!status) return undefined;
            const full = median(status.ms);
            return `cli backups status end to end: ${full.toFixed(0)} ms (target < ${CLI_STATUS_TARGET_MS} ms): ${full < CLI_STATUS_TARGET_MS ? "ok" : "OVER"}`;
        },
    },
    ...CATALOGUE_COMMANDS.map(({ label }): Target => ({
        check: (samples) => {
            // Beyond the same command on a small catalogue in the same run: both start the CLI and reach the server.
            const small = samples.get(smallName(label));
            const large = samples.get(largeName(label));
            if (!small || !large) return undefined;
            const beyond = median(large.ms) - median(small.ms);
            // The warm-up's figure is not counted, as its time is not.
            const peak = Math.max(...(peakMb.get(largeName(label)) ?? []).slice(1));
            const verdict = beyond < CLI_LIST_TARGET_MS && peak < CLI_RSS_TARGET_MB ? "ok" : "OVER";
            return `cli ${label} at 20,000 points and 40,000 Velero backups: ${beyond.toFixed(0)} ms beyond a small catalogue (target < ${CLI_LIST_TARGET_MS} ms), ` +
                `ratio ${(median(large.ms) / median(small.ms)).toFixed(2)}x, peak RSS ${peak.toFixed(0)} MB (target < ${CLI_RSS_TARGET_MB} MB): ${verdict}`;
        },
    })),
    {
        check: (samples) => {
            const recover = samples.get(RECOVER);
            if (!recover) return undefined;
            const peak = Math.max(...(peakMb.get(RECOVER) ?? []).slice(1));
            return `cli backups recover dry run over 100,000 versions: ${median(recover.ms).toFixed(0)} ms, ` +
                `peak RSS ${peak.toFixed(0)} MB (target < ${CLI_RSS_TARGET_MB} MB): ${peak < CLI_RSS_TARGET_MB ? "ok" : "OVER"}`;
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
    const storage: Record<string, unknown> = { bucket: "bench", region: "us-east-1", iamRoleArn: "arn:aws:iam::123456789012:role/velero", breakGlassPrincipals: ["arn:aws:iam::123456789012:role/break-glass"] };
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
 * A real cluster's catalogue at scale: LARGE_POINTS hourly restore points up to an hour before now,
 * each with its RonDB and OpenSearch entries (rotated at 5000 keys per ConfigMap, as Hopsworks
 * does) and its two Velero Backups, plus the Schedules and the location `backups status` reads.
 * Built once, on first use.
 */
const LARGE_CATALOGUE = (() => {
    let built: Record<string, string> | undefined;
    return () => (built ??= catalogueResponses(LARGE_POINTS, new Date()));
})();

function catalogueResponses(count: number, now: Date): Record<string, string> {
    const lastHour = Math.floor(now.getTime() / 3_600_000) * 3_600_000 - 3_600_000;
    // IDs are %y%V%u%H%M: around New Year two hours can share one; keep the first and go on.
    const points = new Map<string, number>();
    for (let hour = 0; points.size < count; hour++) {
        const time = lastHour - hour * 3_600_000;
        const id = backupIdAt(new Date(time));
        if (!points.has(id)) points.set(id, time);
    }
    const ids = [...points.keys()];
    const responses: Record<string, string> = {};
    for (const service of ["rondb", "opensearch"]) {
        const configMaps: object[] = [];
        for (let part = 0; part * 5000 < ids.length; part++) {
            const name = `${service}-backups-metadata${part === 0 ? "" : `-${part}`}`;
            const data: Record<string, string> = {};
            for (const id of ids.slice(part * 5000, (part + 1) * 5000)) {
                const start = new Date(points.get(id)!).toISOString();
                data[id] = JSON.stringify({ start_time: start, end_time: "", duration_ms: 61000, state: "SUCCESS", path: `s3://hopsworks-bench/${service}_backup/${id}` });
            }
            const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "hopsworks", labels: { app: "backups-metadata", service } }, data };
            configMaps.push(object);
            responses[`/api/v1/namespaces/hopsworks/configmaps/${name}`] = JSON.stringify(object);
        }
        responses[`/api/v1/namespaces/hopsworks/configmaps?labelSelector=app%3Dbackups-metadata%2Cservice%3D${service}`] =
            JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: {}, items: configMaps });
    }
    // Hopsworks 5.2: a Superset dump per point, seconds after it, indexed as the others are.
    Object.assign(responses, supersetMetadataResponses(ids.map((id) => points.get(id)! + 5_000)));
    const schedules = ["k8s-backups-main", "k8s-backups-users-resources"];
    const backups = ids.flatMap((id) => schedules.map((schedule, i) => {
        const started = new Date(points.get(id)! + 12_000 + i * 1000);
        return {
            apiVersion: "velero.io/v1", kind: "Backup",
            metadata: { name: `${schedule}-${started.toISOString().replace(/\D/g, "").slice(0, 14)}`, namespace: "velero", labels: { "velero.io/schedule-name": schedule }, creationTimestamp: started.toISOString() },
            spec: { storageLocation: "hopsworks-bsl" },
            status: { phase: "Completed", startTimestamp: started.toISOString(), completionTimestamp: new Date(started.getTime() + 40_000).toISOString() },
        };
    }));
    Object.assign(responses, listPages("/apis/velero.io/v1/namespaces/velero/backups", "BackupList", backups));
    Object.assign(responses, statusResponses("0 * * * *", now));
    return responses;
}

/** superset-backups-metadata (rotated every 5000 keys, as the others), one successful dump at each of `times`. */
function supersetMetadataResponses(times: number[]): Record<string, string> {
    const configMaps: object[] = [];
    for (let part = 0; part * 5000 < times.length; part++) {
        const data: Record<string, string> = {};
        for (const [i, time] of times.slice(part * 5000, (part + 1) * 5000).entries()) {
            const started = new Date(time);
            const id = `${started.toISOString().replace(/\D/g, "").slice(0, 14)}-${1_000_000_000 + part * 5000 + i}`;
            data[id] = JSON.stringify({ state: "SUCCESS", start_time: started.toISOString(), end_time: new Date(time + 30_000).toISOString() });
        }
        const name = `superset-backups-metadata${part === 0 ? "" : `-${part}`}`;
        configMaps.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "hopsworks", labels: { app: "backups-metadata", service: "superset" } }, data });
    }
    return {
        "/api/v1/namespaces/hopsworks/configmaps?labelSelector=app%3Dbackups-metadata%2Cservice%3Dsuperset":
            JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: {}, items: configMaps }),
    };
}

/**
 * A list as the API server serves it (bench/api-server.js): each item's JSON, paged by the
 * request's `limit` and `continue`, whole without them.
 */
function listPages(listPath: string, kind: string, items: object[]): Record<string, string> {
    return { [`${listPath}#items`]: JSON.stringify(items.map((item) => JSON.stringify(item))), [`${listPath}#kind`]: kind };
}

/** The Velero Schedules (both on `cron`) and an Available location, which `backups status` reads. */
function statusResponses(cron: string, now: Date): Record<string, string> {
    const responses: Record<string, string> = {};
    for (const name of ["k8s-backups-main", "k8s-backups-users-resources"]) {
        responses[`/apis/velero.io/v1/namespaces/velero/schedules/${name}`] =
            JSON.stringify({ apiVersion: "velero.io/v1", kind: "Schedule", metadata: { name, namespace: "velero" }, spec: { schedule: cron } });
    }
    responses["/apis/velero.io/v1/namespaces/velero/backupstoragelocations/hopsworks-bsl"] = JSON.stringify({
        apiVersion: "velero.io/v1", kind: "BackupStorageLocation", metadata: { name: "hopsworks-bsl", namespace: "velero" },
        status: { phase: "Available", lastSyncedTime: now.toISOString() },
    });
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
    Object.assign(responses, listPages("/apis/velero.io/v1/namespaces/velero/backups", "BackupList", backups));
    return { ...responses, ...supersetMetadataResponses(times.map((t) => t.getTime() + 5_000)), ...statusResponses("0 0 * * *", now) };
}

// Serves the prepared responses (bench/api-server.js) on a worker thread, so it keeps answering
// while the main thread blocks in spawnSync.
const SERVER_CODE = `
const http = require("http");
const { workerData } = require("worker_threads");
const { catalogueHandler } = require(${JSON.stringify(path.join(__dirname, "api-server.js"))});
const { responses, ready } = workerData;
const server = http.createServer(catalogueHandler(responses));
server.listen(0, "127.0.0.1", () => {
    const flag = new Int32Array(ready);
    Atomics.store(flag, 0, server.address().port);
    Atomics.notify(flag, 0);
});
`;

/** Starts the API server on a worker thread with a kubeconfig pointing at it, runs `body`, stops both. */
function withCatalogueServer<T>(body: (env: NodeJS.ProcessEnv) => T, responses: Record<string, string> = smallCatalogueResponses(new Date())): T {
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

/**
 * Serves a bucket of `count` restore points from the stand-in S3 on a worker thread (the timed
 * child runs while this thread blocks), with a stack file naming it in a directory of its own.
 */
function withBucketStore<T>(count: number, body: (env: NodeJS.ProcessEnv, cwd: string) => T): T {
    const ready = new SharedArrayBuffer(4);
    const code = `require("tsx/cjs"); require(${JSON.stringify(path.join(__dirname, "bucket-store.ts"))}).serveFromWorker();`;
    const worker = new Worker(code, { eval: true, workerData: { count, ready } });
    const flag = new Int32Array(ready);
    if (Atomics.wait(flag, 0, 0, 60_000) === "timed-out") throw new Error("the bench's S3 store did not start");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-bench-s3-"));
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), [
        "config:", "  hopsworks-dr:storage:", `    bucket: ${BENCH_BUCKET}`, "    region: us-east-1",
        `    endpoint: http://127.0.0.1:${Atomics.load(flag, 0)}`, "",
    ].join("\n"));
    try {
        return body({ ...process.env, AWS_ACCESS_KEY_ID: "bench", AWS_SECRET_ACCESS_KEY: "bench" }, dir);
    } finally {
        void worker.terminate();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * One run of a catalogue command; records its peak RSS under `name` (GNU time if present, else the
 * child's own maxRSS). `backups status` exits 1 on unhealthy backups: any exit but a crash counts.
 */
function timedCatalogueRun(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = PROJECT_DIR): number {
    const peaks = peakMb.get(name) ?? [];
    peakMb.set(name, peaks);
    const useTime = fs.existsSync("/usr/bin/time");
    const file = path.join(os.tmpdir(), `hopsworks-dr-bench-rss-${process.pid}`);
    // With -e, argv has no script path: the placeholder takes its place for the bin's argv.slice(2).
    const code = `process.on("exit", () => require("fs").writeSync(2, "maxRSS=" + process.resourceUsage().maxRSS + "\\n")); require(${JSON.stringify(CLI_BIN)});`;
    const [command, argv] = useTime
        ? ["/usr/bin/time", ["-f", "%M", "-o", file, process.execPath, CLI_BIN, ...args]]
        : [process.execPath, ["-e", code, "--", "hopsworks-dr", ...args]];
    const start = process.hrtime.bigint();
    const result = spawnSync(command, argv, { cwd, encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && result.status !== 1) throw new ChildFailure([CLI_BIN, ...args].join(" "), result.status, result.stdout, result.stderr);
    if (result.status === 1 && !args.includes("status")) throw new ChildFailure([CLI_BIN, ...args].join(" "), result.status, result.stdout, result.stderr);
    if (useTime) {
        peaks.push(Number(fs.readFileSync(file, "utf8").trim().split("\n").pop()) / 1024);
        fs.rmSync(file, { force: true });
    } else {
        peaks.push(Number(/maxRSS=(\d+)/.exec(result.stderr)?.[1] ?? NaN) / 1024);
    }
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

/**
 * The stand-in S3 of bench/recover-server.ts in a child process, and a stack file naming its bucket;
 * `body` gets the environment (the stand-in's keys) and the directory to run the CLI in.
 */
function withRecoverServer<T>(body: (env: NodeJS.ProcessEnv, cwd: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-bench-s3-"));
    const urlFile = path.join(dir, "url");
    const server = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "recover-server.ts"), urlFile], { cwd: PROJECT_DIR, stdio: "inherit" });
    try {
        const sleep = new Int32Array(new SharedArrayBuffer(4));
        for (let waited = 0; !fs.existsSync(urlFile); waited += 100) {
            if (waited > 60_000) throw new Error("the bench's stand-in S3 did not start");
            Atomics.wait(sleep, 0, 0, 100);
        }
        const url = fs.readFileSync(urlFile, "utf8");
        fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), `config:\n  hopsworks-dr:storage:\n    bucket: ${RECOVER_BUCKET}\n    region: us-east-1\n    endpoint: ${url}\n`);
        return body({ ...process.env, AWS_ACCESS_KEY_ID: "bench", AWS_SECRET_ACCESS_KEY: "bench" }, dir);
    } finally {
        server.kill();
        fs.rmSync(dir, { recursive: true, force: true });
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

/** The catalogue at scale, for profiling a command against it by hand (bench/serve-catalogue.ts). */
export { catalogueResponses };

if (require.main === module) {
    const code = main();
    if (code !== 0) process.exit(code);
    drillPart().then(
        (c) => process.exit(c),
        (error) => {
            console.error(`drill figures failed: ${(error as Error).message}`);
            process.exit(1);
        },
    );
}
