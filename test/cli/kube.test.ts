import * as assert from "assert";
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIGMAPS, FakeCluster, PROD_STACK_FILE, run, SCHEDULES, seedCatalogue, startFakeCluster } from "./fake-cluster";

const BIN = path.resolve(__dirname, "../../cli/bin.js");

/** The real bin in a child process, killed after `limitMs` (code null then). */
function runBin(cluster: FakeCluster, argv: string[], limitMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...argv], { cwd: cluster.dir, env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, timeout: limitMs },
            (error, stdout, stderr) => resolve({ code: error ? (error.killed ? null : Number(error.code)) : 0, stdout, stderr }));
    });
}

/** A cluster that is there but sick: it never answers, answers nonsense, or cannot be authenticated against. */
describe("hopsworks-dr CLI on a sick cluster", () => {
    let cluster: FakeCluster;

    beforeEach(async () => {
        cluster = await startFakeCluster();
        seedCatalogue(cluster);
    });
    afterEach(() => cluster.close());

    describe("a server that accepts requests and never answers", () => {
        beforeEach(() => {
            cluster.mode = "hang";
        });

        it("stops each request at --request-timeout, naming it, and exits 1", async () => {
            const started = Date.now();
            const result = await run(cluster, ["backups", "status", "--schedule", "@weekly", "--request-timeout", "0.3"]);
            const took = Date.now() - started;
            assert.strictEqual(result.code, 1);
            // The requests go out together; the first to time out is named.
            assert.strictEqual(
                result.stderr,
                `error: get backupstoragelocation hopsworks-bsl in namespace velero: no answer from the cluster at ` +
                    `http://127.0.0.1:${cluster.port} within 0.3 s (--request-timeout, or HOPSWORKS_DR_REQUEST_TIMEOUT)\n`,
            );
            // Loose: a busy machine is slow to start the CLI; a hang would take forever.
            assert.ok(took < 10_000, `took ${took} ms`);
        });

        it("takes the request timeout from HOPSWORKS_DR_REQUEST_TIMEOUT; the flag overrides it", async () => {
            const env = { KUBECONFIG: cluster.kubeconfig, HOPSWORKS_DR_REQUEST_TIMEOUT: "0.2" };
            const fromEnv = await run(cluster, ["backups", "list"], undefined, env);
            assert.match(fromEnv.stderr, /within 0\.2 s \(--request-timeout, or HOPSWORKS_DR_REQUEST_TIMEOUT\)\n$/);
            const fromFlag = await run(cluster, ["backups", "list", "--request-timeout", "0.25"], undefined, env);
            assert.match(fromFlag.stderr, /within 0\.25 s /);
        });

        it("stops the whole command at --timeout, naming every request it still waits for, and exits 1", async () => {
            const started = Date.now();
            const result = await run(cluster, ["backups", "list", "--timeout", "0.4"]);
            const took = Date.now() - started;
            assert.deepStrictEqual([result.code, result.stdout], [1, ""]);
            assert.strictEqual(
                result.stderr,
                "error: backups list did not finish within 0.4 s (--timeout): still waiting for " +
                    "list configmaps -l app=backups-metadata,service=rondb in namespace hopsworks; " +
                    "list configmaps -l app=backups-metadata,service=opensearch in namespace hopsworks; " +
                    "list backups.velero.io in namespace velero; list configmaps -l app=backups-metadata,service=superset in namespace hopsworks\n",
            );
            // Loose: a busy machine is slow to start the CLI; a hang would take forever.
            assert.ok(took < 10_000, `took ${took} ms`);
        });

        it("refuses a malformed timeout, from a flag or the environment, as a usage error", async () => {
            const flag = await run(cluster, ["backups", "list", "--request-timeout", "soon"]);
            assert.deepStrictEqual([flag.code, flag.stderr.split("\n")[0]], [2, `error: --request-timeout "soon": must be a number of seconds above 0 and at most 3600`]);
            const zero = await run(cluster, ["backups", "list", "--timeout", "0"]);
            assert.deepStrictEqual([zero.code, zero.stderr.split("\n")[0]], [2, `error: --timeout "0": must be a number of seconds above 0 and at most 86400`]);
            const env = await run(cluster, ["backups", "list"], undefined, { KUBECONFIG: cluster.kubeconfig, HOPSWORKS_DR_TIMEOUT: "5m" });
            assert.deepStrictEqual([env.code, env.stderr.split("\n")[0]], [2, `error: HOPSWORKS_DR_TIMEOUT="5m": must be a number of seconds above 0 and at most 86400`]);
            const wait = await run(cluster, ["restore", "clean-markers", "--backup-id", "250111000", "--yes", "--wait", "120", "--timeout", "60"]);
            assert.deepStrictEqual([wait.code, wait.stderr.split("\n")[0]], [2, `error: --wait "120": must be shorter than the command's deadline, --timeout 60`]);
            assert.deepStrictEqual(cluster.requests, []);
        });
    });

    describe("a server that answers 200 with what is not the object asked for", () => {
        const server = () => `http://127.0.0.1:${cluster.port}`;

        it("names the request and what was wrong: items not a list, an item without a name, another object's name", async () => {
            cluster.answer = (_method, pathname) => (pathname === CONFIGMAPS ? { code: 200, body: { items: "notalist" } } : undefined);
            const notAList = await run(cluster, ["backups", "list"]);
            assert.deepStrictEqual([notAList.code, notAList.stdout, notAList.stderr], [1, "",
                `error: list configmaps -l app=backups-metadata,service=rondb in namespace hopsworks: invalid response body from ${server()}: items is "notalist", not a list\n`]);
            cluster.answer = (_method, pathname) => (pathname === CONFIGMAPS ? { code: 200, body: { items: [{ metadata: { name: "a" } }, { metadata: {} }] } } : undefined);
            const unnamed = await run(cluster, ["backups", "list"]);
            assert.strictEqual(unnamed.stderr,
                `error: list configmaps -l app=backups-metadata,service=rondb in namespace hopsworks: invalid response body from ${server()}: items[1].metadata.name is missing\n`);
            cluster.answer = (_method, pathname) => (pathname === CONFIGMAPS ? { code: 200, body: { items: [{ metadata: { name: "a" }, data: { "260211000": 7 } }] } } : undefined);
            const data = await run(cluster, ["backups", "list"]);
            assert.match(data.stderr, /: invalid response body from http:\/\/127\.0\.0\.1:\d+: items\[0\]\.data\.260211000 is 7, not a string\n$/);
            cluster.answer = (_method, pathname) =>
                pathname === `${SCHEDULES}/k8s-backups-main` ? { code: 200, body: { metadata: { name: "other" }, spec: { schedule: "@daily" } } } : undefined;
            const other = await run(cluster, ["backups", "status"]);
            assert.strictEqual(other.stderr,
                `error: get schedule.velero.io k8s-backups-main in namespace velero: invalid response body from ${server()}: metadata.name is "other", not "k8s-backups-main" as asked; ` +
                    "to judge backups without reading the Velero Schedules, pass --schedule <cron> or --stack <name>\n");
        });

        it("probes a bounded number of rotated metadata ConfigMaps when the server answers every name", async () => {
            cluster.answer = (_method, pathname) => {
                const name = pathname.startsWith(`${CONFIGMAPS}/`) ? pathname.slice(CONFIGMAPS.length + 1) : undefined;
                return name ? { code: 200, body: { kind: "ConfigMap", metadata: { name }, data: {} } } : undefined;
            };
            const result = await run(cluster, ["backups", "list"]);
            assert.deepStrictEqual([result.code, result.stderr], [1,
                "error: get configmap rondb-backups-metadata-<n> in namespace hopsworks: stopped after probing 100 rotated names (a real cluster has a few): " +
                    "the API server answers for names that do not exist, or a labelled ConfigMap's index is far past the others\n"]);
            assert.strictEqual(cluster.requests.filter((r) => r.startsWith(`GET ${CONFIGMAPS}/rondb-`)).length, 100);
        });

        it("names a body that is not JSON", async () => {
            cluster.mode = "invalid-json";
            const result = await run(cluster, ["backups", "status", "--schedule", "@weekly"]);
            assert.strictEqual(result.code, 1);
            assert.match(result.stderr, new RegExp(`^error: (get|list) [^:]+ in namespace (hopsworks|velero): invalid response body from ${server().replace(/\./g, "\\.")}: not JSON \\(.+\\)\n$`));
        });

        it("the bin exits 1 with the message, rather than hang, against a server answering every request with nonsense", async () => {
            cluster.mode = "nonsense";
            const result = await runBin(cluster, ["backups", "list"], 15_000);
            assert.strictEqual(result.code, 1, `exit ${result.code}: ${result.stderr}`);
            assert.match(result.stderr, /^error: (get|list) [^:]+: invalid response body from http:\/\/127\.0\.0\.1:\d+: (items is "notalist", not a list|metadata is missing)\n$/);
        });
    });

    describe("a kubeconfig whose exec credential plugin cannot give a token", () => {
        /** The fake cluster's kubeconfig with a context per exec user: `missing` (not installed), `failing` (exits 1), `garbled` (not JSON). */
        function execKubeconfig(): string {
            const file = path.join(cluster.dir, "kubeconfig-exec");
            const user = (name: string, command: string, args: string[]) =>
                `  - name: ${name}\n    user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: ${command}\n` +
                `        args: ${JSON.stringify(args)}\n`;
            const context = (name: string) => `  - name: ${name}\n    context: { cluster: fake, user: ${name} }\n`;
            const base = fs.readFileSync(cluster.kubeconfig, "utf8").replace(/current-context: fake\n/, "");
            fs.writeFileSync(file, base
                .replace("users:\n", `users:\n${user("missing", "aws-not-installed", ["eks", "get-token"])}` +
                    `${user("failing", "sh", ["-c", "echo 'error: the SSO session has expired' >&2; exit 1"])}${user("garbled", "echo", ["token?"])}`)
                .replace("contexts:\n", `contexts:\n${context("missing")}${context("failing")}${context("garbled")}`) + "current-context: missing\n");
            return file;
        }

        it("says the plugin was not found, failed, or gave what is not JSON, rather than that the cluster cannot be reached", async () => {
            const env = { KUBECONFIG: execKubeconfig(), PATH: process.env.PATH };
            // The requests go out together, and the first to fail is named: the cause is what matters here.
            const cause = (stderr: string) => stderr.replace(/^error: (list|get) [^:]+ in namespace (hopsworks|velero): /, "");
            const missing = await run(cluster, ["backups", "list"], undefined, env);
            assert.deepStrictEqual([missing.code, cause(missing.stderr)], [1,
                `the kubeconfig's exec credential plugin "aws-not-installed" (user missing) was not found: install it, or put it on PATH\n`]);
            const failing = await run(cluster, ["backups", "list", "--context", "failing"], undefined, env);
            assert.strictEqual(cause(failing.stderr), `the kubeconfig's exec credential plugin "sh" (user failing) failed: error: the SSO session has expired\n`);
            const garbled = await run(cluster, ["backups", "list", "--context", "garbled"], undefined, env);
            assert.match(cause(garbled.stderr), /^the kubeconfig's exec credential plugin "echo" \(user garbled\) failed: its output is not JSON \(.+\)\n$/);
            assert.deepStrictEqual(cluster.requests, []);
        });
    });

    describe("stopped by a signal while it waits", () => {
        /** `restore plan` in a child process, stopped by `signal` once it holds the stack file's lock and waits on the cluster. */
        async function stopPlan(signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; lockLeft: boolean; stackFile: string }> {
            cluster.mode = "hang";
            const stackPath = path.join(cluster.dir, "Pulumi.prod.yaml");
            fs.writeFileSync(stackPath, PROD_STACK_FILE);
            const child = spawn(process.execPath, [BIN, "restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup-version", "4.8.0"], {
                cwd: cluster.dir,
                env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
            });
            let stderr = "";
            child.stderr.on("data", (chunk) => (stderr += chunk));
            const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
            const waiting = Date.now() + 15_000;
            while (!(fs.existsSync(`${stackPath}.lock`) && cluster.requests.length > 0) && Date.now() < waiting) await new Promise((r) => setTimeout(r, 50));
            assert.ok(fs.existsSync(`${stackPath}.lock`), `the plan holds the lock while it waits; stderr: ${stderr}`);
            child.kill(signal);
            const code = await exited;
            return { code, stderr, lockLeft: fs.existsSync(`${stackPath}.lock`), stackFile: fs.readFileSync(stackPath, "utf8") };
        }

        it("SIGTERM releases the stack file's lock, says so and exits 143, the file unchanged", async () => {
            const stopped = await stopPlan("SIGTERM");
            assert.deepStrictEqual(stopped, { code: 143, stderr: "error: stopped by SIGTERM; released the lock Pulumi.prod.yaml.lock\n", lockLeft: false, stackFile: PROD_STACK_FILE });
        });

        it("SIGINT (Ctrl-C) releases it too and exits 130", async () => {
            const stopped = await stopPlan("SIGINT");
            assert.deepStrictEqual(stopped, { code: 130, stderr: "error: stopped by SIGINT; released the lock Pulumi.prod.yaml.lock\n", lockLeft: false, stackFile: PROD_STACK_FILE });
        });
    });
});
