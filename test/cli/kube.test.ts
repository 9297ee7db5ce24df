import * as assert from "assert";
import { FakeCluster, run, seedCatalogue, startFakeCluster } from "./fake-cluster";

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
            // Loose: loading client-node the first time takes seconds on a busy machine; a hang would take forever.
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
                    "list backups.velero.io in namespace velero\n",
            );
            // Loose: loading client-node the first time takes seconds on a busy machine; a hang would take forever.
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
});
