/**
 * The drill's environment, all on 127.0.0.1: etcd, kube-apiserver (token authentication, RBAC),
 * kube-controller-manager, kube-scheduler, kwok with one fake node, moto's S3 server, a loopback
 * Helm repository with the stand-in charts, a Pulumi file backend, and the real Velero server
 * (started once the Velero release has made its namespace and CRDs).
 *
 *   npm run drill:up      start it; prints `export NAME=value` lines (also in <run>/env.sh)
 *   npm run drill:down    stop every process it started, by PID, and remove the run's state
 *                         (`-- --keep` keeps it)
 */
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as Charts from "./charts";
import { recordStart, run, startProcess, stopAll, stopProcess, waitFor } from "./processes";
import { DRILL_CACHE, findAll, findMoto, toolPath } from "./tools";

export const RUN_DIR = process.env.DRILL_RUN_DIR ?? path.join(DRILL_CACHE, "run");
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Loopback ports, away from the usual ones so a developer's own servers do not collide. */
export const PORTS = {
    etcdClient: 23379,
    etcdPeer: 23380,
    apiserver: 26443,
    controllerManager: 20257,
    scheduler: 20259,
    kwok: 20247,
    moto: 25000,
    /** The vault's store and, after a region loss, the new vault's: two more S3 endpoints, two more "regions". */
    motoVault: 25001,
    motoNewVault: 25002,
    charts: 28879,
    veleroMetrics: 28085,
    veleroProfiler: 26060,
    prometheus: 29090,
    kubeStateMetrics: 28080,
    kubeStateMetricsTelemetry: 28081,
} as const;

/**
 * The Hopsworks version the drill stack runs (hopsworks.version and chartVersion): the newest the
 * stand-in chart is served at (drill/charts.ts), with Superset. The runbooks' examples say 4.8.0.
 */
export const DRILL_HOPSWORKS_VERSION = "5.2.0";
export const DRILL_BUCKET = "hopsworks-drill";
export const DRILL_REGION = "us-east-1";
/** moto accepts any keys; the drill stack still keeps them as Pulumi secrets, as a user would. */
export const DRILL_S3_KEYS = { accessKeyId: "drill-access-key", secretAccessKey: "drill-secret-key" };
/** The key of the location's HMAC of the S3 keys (storage.credentialsHashKey), a Pulumi secret of the drill stack. */
export const DRILL_CREDENTIALS_HASH_KEY = "drill-credentials-hash-key-0123456789abcdef";
export const VELERO_NAMESPACE = "velero";

export interface DrillEnv {
    run: string;
    /** What a shell needs to use the environment (`export NAME=value`). */
    vars: Record<string, string>;
    /** The project copy the drill stack lives in (a user's checkout). */
    project: string;
}

/** Where the run keeps each piece of state. */
export function layout(runDir = RUN_DIR) {
    return {
        run: runDir,
        pki: path.join(runDir, "pki"),
        etcd: path.join(runDir, "etcd"),
        kubeconfig: path.join(runDir, "kubeconfig"),
        pulumiHome: path.join(runDir, "pulumi-home"),
        state: path.join(runDir, "state"),
        charts: path.join(runDir, "charts"),
        plugins: path.join(runDir, "velero-plugins"),
        veleroTmp: path.join(runDir, "velero-tmp"),
        project: path.join(runDir, "project"),
        envFile: path.join(runDir, "env.sh"),
        report: path.join(runDir, "drill-report.json"),
    };
}

const quote = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;

function log(message: string): void {
    process.stderr.write(`drill: ${message}\n`);
}

async function httpOk(url: string, headers: Record<string, string> = {}): Promise<true | undefined> {
    const response = await fetch(url, { headers });
    return response.ok ? true : undefined;
}

/** Starts the whole environment; on any failure stops what it started and rethrows. */
export async function up(runDir = RUN_DIR): Promise<DrillEnv> {
    const { found, missing } = findAll();
    if (missing.length > 0) throw new Error(`drill tools missing: ${missing.join(", ")}; build them with: npm run drill:tools`);
    if (existsSync(path.join(runDir, "pids")) && readdirSync(path.join(runDir, "pids")).some((f) => f.endsWith(".pid"))) {
        throw new Error(`a drill environment is already up in ${runDir}: npm run drill:down first`);
    }
    rmSync(runDir, { recursive: true, force: true });
    const l = layout(runDir);
    for (const dir of [l.pki, l.etcd, l.pulumiHome, l.state, l.charts, l.plugins, l.veleroTmp]) mkdirSync(dir, { recursive: true });

    const token = randomBytes(16).toString("hex");
    const vars: Record<string, string> = {
        KUBECONFIG: l.kubeconfig,
        PULUMI_BACKEND_URL: `file://${l.state}`,
        PULUMI_CONFIG_PASSPHRASE: "drill-passphrase",
        PULUMI_HOME: l.pulumiHome,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        // The AWS provider cannot be built here and the drill stack declares no AWS resource: never download it.
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // Plugins come from where the drill put them (the plugin cache, the language host beside pulumi), not from PATH.
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        PATH: toolPath(found),
        DRILL_S3_ENDPOINT: `http://127.0.0.1:${PORTS.moto}`,
        AWS_ACCESS_KEY_ID: DRILL_S3_KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DRILL_S3_KEYS.secretAccessKey,
        AWS_DEFAULT_REGION: DRILL_REGION,
        AWS_EC2_METADATA_DISABLED: "true",
        DRILL_CHART_REPO: `http://127.0.0.1:${PORTS.charts}`,
        DRILL_RUN_DIR: runDir,
    };
    const env = { ...process.env, ...vars };
    try {
        await startStore(runDir, env);
        await startControlPlane(runDir, env, token);
        await startKwok(runDir, env);
        await startChartRepository(runDir, env);
        startVeleroWhenInstalled(runDir, env);
        linkPulumiBinaries(runDir, env);
        vars.PATH = env.PATH!;
        preparePulumi(runDir, env);
        copyProject(l.project);
        writeFileSync(l.envFile, Object.entries(vars).map(([k, v]) => `export ${k}=${quote(v)}`).join("\n") + "\n");
        return { run: runDir, vars, project: l.project };
    } catch (error) {
        log(`start-up failed, stopping what was started: ${(error as Error).message.split("\n")[0]}`);
        stopAll(runDir);
        throw error;
    }
}

async function startStore(runDir: string, env: NodeJS.ProcessEnv): Promise<void> {
    await startS3Store(runDir, env, "moto", PORTS.moto);
}

/** One moto S3 server, a store of its own (each stands for a region), recorded as `name`. */
export async function startS3Store(runDir: string, env: NodeJS.ProcessEnv, name: string, port: number): Promise<void> {
    startProcess(runDir, name, findMoto()!, ["-H", "127.0.0.1", "-p", String(port)], { env });
    recordStart(runDir, name);
    await waitFor(`${name}'s S3 API`, () => httpOk(`http://127.0.0.1:${port}/moto-api/`), 30_000);
}

/** A fresh control plane: new etcd data, new certificates, new service-account keys. */
export async function startControlPlane(runDir: string, env: NodeJS.ProcessEnv, token?: string): Promise<void> {
    const l = layout(runDir);
    rmSync(l.etcd, { recursive: true, force: true });
    rmSync(l.pki, { recursive: true, force: true });
    mkdirSync(l.pki, { recursive: true });
    const saKey = path.join(l.pki, "sa.key");
    run("openssl", ["genrsa", "-out", saKey, "2048"]);
    run("openssl", ["rsa", "-in", saKey, "-pubout", "-out", path.join(l.pki, "sa.pub")]);
    const adminToken = token ?? randomBytes(16).toString("hex");
    writeFileSync(path.join(l.pki, "tokens.csv"), `${adminToken},drill-admin,drill-admin,system:masters\n`, { mode: 0o600 });

    startProcess(runDir, "etcd", "etcd", [
        "--name=drill", `--data-dir=${l.etcd}`, "--unsafe-no-fsync",
        `--listen-client-urls=http://127.0.0.1:${PORTS.etcdClient}`, `--advertise-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
        `--initial-cluster=drill=http://127.0.0.1:${PORTS.etcdPeer}`, "--listen-metrics-urls=", "--log-level=warn",
    ], { env });
    recordStart(runDir, "etcd");
    await waitFor("etcd", () => httpOk(`http://127.0.0.1:${PORTS.etcdClient}/health`), 30_000);

    startProcess(runDir, "kube-apiserver", "kube-apiserver", [
        `--etcd-servers=http://127.0.0.1:${PORTS.etcdClient}`, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
        `--secure-port=${PORTS.apiserver}`, `--cert-dir=${l.pki}`, `--token-auth-file=${path.join(l.pki, "tokens.csv")}`,
        "--authorization-mode=RBAC", "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${path.join(l.pki, "sa.pub")}`, `--service-account-signing-key-file=${saKey}`,
        "--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true", "--enable-priority-and-fairness=false",
        "--endpoint-reconciler-type=none", "--v=1",
    ], { env });
    recordStart(runDir, "kube-apiserver");
    const headers = { Authorization: `Bearer ${adminToken}` };
    await waitFor("kube-apiserver /readyz", () => readyz(headers), 90_000);

    // The API server's self-signed serving certificate is the kubeconfig's CA: no insecure TLS.
    const ca = readFileSync(path.join(l.pki, "apiserver.crt"));
    writeFileSync(
        l.kubeconfig,
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: drill",
            "  cluster:",
            `    server: https://127.0.0.1:${PORTS.apiserver}`,
            `    certificate-authority-data: ${Buffer.from(ca).toString("base64")}`,
            "users:",
            "- name: drill-admin",
            "  user:",
            `    token: ${adminToken}`,
            "contexts:",
            "- name: drill",
            "  context: {cluster: drill, user: drill-admin}",
            "current-context: drill",
            "",
        ].join("\n"),
        { mode: 0o600 },
    );

    startProcess(runDir, "kube-controller-manager", "kube-controller-manager", [
        `--kubeconfig=${l.kubeconfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", `--secure-port=${PORTS.controllerManager}`,
        `--service-account-private-key-file=${saKey}`, "--use-service-account-credentials=false",
        `--root-ca-file=${path.join(l.pki, "apiserver.crt")}`, "--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle", "--v=1",
    ], { env });
    recordStart(runDir, "kube-controller-manager");
    startProcess(runDir, "kube-scheduler", "kube-scheduler", [
        `--kubeconfig=${l.kubeconfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", `--secure-port=${PORTS.scheduler}`, "--v=1",
    ], { env });
    recordStart(runDir, "kube-scheduler");
    await waitFor("the default service account", () => {
        const r = run("kubectl", ["get", "serviceaccount", "default", "-n", "default", "-o", "name"], { env, allowFailure: true });
        return r.status === 0 ? true : undefined;
    }, 60_000);
}

async function readyz(headers: Record<string, string>): Promise<true | undefined> {
    // Node's fetch cannot take a CA per request; curl can, and is everywhere.
    const r = run("curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", "-H", `Authorization: ${headers.Authorization}`, `https://127.0.0.1:${PORTS.apiserver}/readyz`], { allowFailure: true, timeoutMs: 5_000 });
    return r.stdout.trim() === "200" ? true : undefined;
}

const FAKE_NODE = `apiVersion: v1
kind: Node
metadata:
  name: drill-node
  annotations:
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/hostname: drill-node
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
`;

/** kwok makes the fake node Ready, its pods Running and Ready, and hook Jobs' pods Succeeded. */
export async function startKwok(runDir: string, env: NodeJS.ProcessEnv): Promise<void> {
    const l = layout(runDir);
    startProcess(runDir, "kwok", "kwok", [
        `--kubeconfig=${l.kubeconfig}`, "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--cidr=10.0.0.0/24", "--node-ip=10.0.0.1", `--server-address=127.0.0.1:${PORTS.kwok}`,
        `--config=${path.join(toolDir(env, "kwok"), "kwok-stages.yaml")}`,
    ], { env });
    recordStart(runDir, "kwok");
    run("kubectl", ["apply", "-f", "-"], { env, input: FAKE_NODE });
    await waitFor("the fake node to be Ready", () => {
        const r = run("kubectl", ["get", "node", "drill-node", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"], { env, allowFailure: true });
        return r.stdout.trim() === "True" ? true : undefined;
    }, 60_000);
    // The API server taints a new node not-ready; the node-lifecycle controller, which would lift it,
    // is off (a fake node has no kubelet heartbeat to watch). Lift it once kwok reports the node Ready.
    run("kubectl", ["taint", "nodes", "drill-node", "node.kubernetes.io/not-ready:NoSchedule-"], { env, allowFailure: true });
}

async function startChartRepository(runDir: string, env: NodeJS.ProcessEnv): Promise<void> {
    const l = layout(runDir);
    // The Velero stand-in carries the real CRDs, generated by the real binary.
    const crds = run("velero", ["install", "--crds-only", "--dry-run", "-o", "yaml"], { env }).stdout;
    // Loaded here: drill:down and the control-plane restart need none of the chart packaging.
    const { buildChartRepository } = require("./charts") as typeof Charts;
    buildChartRepository({ outDir: l.charts, crdsYaml: crds, baseUrl: env.DRILL_CHART_REPO! });
    startProcess(runDir, "chart-repository", "python3", ["-m", "http.server", String(PORTS.charts), "--bind", "127.0.0.1", "--directory", l.charts], { env });
    recordStart(runDir, "chart-repository");
    await waitFor("the chart repository", () => httpOk(`${env.DRILL_CHART_REPO}/index.yaml`), 30_000);
}

/**
 * Velero runs out of cluster as a local process (its documented "run locally" mode). Its server
 * refuses to start before its namespace and CRDs exist, and those come from the Velero release
 * that `pulumi up` installs: a small launcher waits for both, then becomes `velero server`, long
 * before the location's wait (600 s) runs out.
 */
export function startVeleroWhenInstalled(runDir: string, env: NodeJS.ProcessEnv): void {
    const l = layout(runDir);
    for (const f of readdirSync(l.plugins)) rmSync(path.join(l.plugins, f));
    copyFileSync(path.join(toolDir(env, "velero-plugin-for-aws"), "velero-plugin-for-aws"), path.join(l.plugins, "velero-plugin-for-aws"));
    chmodSync(path.join(l.plugins, "velero-plugin-for-aws"), 0o755);
    const launcher = path.join(__dirname, "start-velero.sh");
    // Velero writes location credentials under TMPDIR: keep them inside the run.
    startProcess(runDir, "velero", "bash", [launcher], {
        env: {
            ...env,
            TMPDIR: l.veleroTmp,
            VELERO_NAMESPACE,
            VELERO_PLUGIN_DIR: l.plugins,
            VELERO_METRICS_ADDRESS: `127.0.0.1:${PORTS.veleroMetrics}`,
            VELERO_PROFILER_ADDRESS: `127.0.0.1:${PORTS.veleroProfiler}`,
        },
    });
    recordStart(runDir, "velero");
}

function toolDir(env: NodeJS.ProcessEnv, binary: string): string {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) if (existsSync(path.join(dir, binary))) return dir;
    throw new Error(`${binary} not found on the drill's PATH`);
}

/**
 * Pulumi looks for its language host next to its own binary before PATH: link both into the run's
 * bin folder, first on PATH, so the CLI uses the drill's host as a bundled one.
 */
function linkPulumiBinaries(runDir: string, env: NodeJS.ProcessEnv): void {
    const bin = path.join(runDir, "bin");
    mkdirSync(bin, { recursive: true });
    for (const binary of ["pulumi", "pulumi-language-nodejs", "pulumi-language-nodejs-upstream"]) {
        const source = path.join(toolDir(env, binary), binary);
        try {
            linkSync(source, path.join(bin, binary));
        } catch {
            copyFileSync(source, path.join(bin, binary));
            chmodSync(path.join(bin, binary), 0o755);
        }
    }
    env.PATH = `${bin}${path.delimiter}${env.PATH}`;
}

/** Pulumi on a file backend, with the Kubernetes provider installed from the cache (no downloads). */
function preparePulumi(runDir: string, env: NodeJS.ProcessEnv): void {
    const provider = path.join(toolDir(env, "pulumi-resource-kubernetes"), "pulumi-resource-kubernetes");
    const version = require("./versions.json")["pulumi-resource-kubernetes"];
    run("pulumi", ["plugin", "install", "resource", "kubernetes", `v${version}`, "--file", provider], { env, cwd: runDir });
}

/** The drill stack lives in a copy of the project, as in a user's checkout; the work tree stays untouched. */
export function copyProject(target: string): void {
    const skip = new Set(["node_modules", ".git", "out", "test", "drill", "bench", ".github"]);
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(PROJECT_ROOT)) {
        if (skip.has(entry) || /^Pulumi\..+\.yaml$/.test(entry)) continue;
        cpSync(path.join(PROJECT_ROOT, entry), path.join(target, entry), { recursive: true });
    }
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(target, "node_modules"));
}

/** The control plane's processes, newest first: what a total cluster loss takes away (the bucket stays). */
const CLUSTER_PROCESSES = ["velero", "kwok", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"];

/** A total cluster loss: every cluster process stopped by its PID and etcd's data deleted. */
export function loseCluster(runDir = RUN_DIR): void {
    for (const name of CLUSTER_PROCESSES) stopProcess(runDir, name);
    rmSync(layout(runDir).etcd, { recursive: true, force: true });
}

/** A new, empty cluster in the lost one's place (new etcd, certificates and token), Velero waiting for its release. */
export async function freshCluster(env: NodeJS.ProcessEnv, runDir = RUN_DIR): Promise<void> {
    await startControlPlane(runDir, env);
    await startKwok(runDir, env);
    startVeleroWhenInstalled(runDir, env);
}

/** Stops every process of the run by PID; removes the run's state unless `keep`. */
export function down(runDir = RUN_DIR, keep = false): string[] {
    const stopped = stopAll(runDir);
    if (!keep) rmSync(runDir, { recursive: true, force: true });
    return stopped;
}

async function main(): Promise<void> {
    const command = process.argv[2];
    if (command === "up") {
        const drill = await up();
        for (const [k, v] of Object.entries(drill.vars)) console.log(`export ${k}=${quote(v)}`);
        log(`up; the same lines are in ${layout().envFile}; the drill stack's project is ${drill.project}`);
    } else if (command === "down") {
        const keep = process.argv.includes("--keep");
        const stopped = down(RUN_DIR, keep);
        log(`stopped ${stopped.length ? stopped.join(", ") : "nothing (no drill environment was up)"}${keep ? `; state kept in ${RUN_DIR}` : ""}`);
    } else {
        console.error("usage: tsx drill/env.ts up|down [--keep]");
        process.exitCode = 2;
    }
}

if (require.main === module) {
    main().catch((error) => {
        console.error(`drill: ${(error as Error).message}`);
        process.exitCode = 1;
    });
}
