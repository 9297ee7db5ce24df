import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CONFIGMAPS, FakeCluster, PROD_STACK_FILE, run, seedCatalogue, startFakeCluster } from "./fake-cluster";
import { FakeS3, startFakeS3 } from "../support/fake-s3";

const STORE_KEYS = { AWS_ACCESS_KEY_ID: "operator-key", AWS_SECRET_ACCESS_KEY: "operator-secret" };

/** The newest complete restore point (260211000, once its OpenSearch backup succeeded) as the vault holds it once replicated. */
function replicatedObjects(): Map<string, string> {
    return new Map([
        ["rondb_backup/260211000/BACKUP-260211000.1.ctl", "ctl"],
        ["k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json", "{}"],
        ["k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json", "{}"],
    ]);
}

function vaultStackFile(endpoint: string, bucket: string): string {
    return `${PROD_STACK_FILE}  hopsworks-dr:vault:
    bucket: ${bucket}
    region: us-west-2
    endpoint: ${endpoint}
`;
}

describe("backups status --stack with a vault", () => {
    let cluster: FakeCluster;
    let store: FakeS3;
    const vaults = {
        replicated: { lifecycleRules: null, objects: replicatedObjects() },
        behind: { lifecycleRules: null, objects: new Map([["rondb_backup/250111000/BACKUP-250111000.1.ctl", "ctl"]]) },
        locked: { lifecycleRules: null, denied: true },
        "list-only": { lifecycleRules: null, objects: replicatedObjects(), denyGet: true },
    };
    const status = (vault: string, ...flags: string[]) => {
        fs.writeFileSync(path.join(cluster.dir, "Pulumi.prod.yaml"), vaultStackFile(store.url, vault));
        return run(cluster, ["backups", "status", "--stack", "prod", ...flags], "2026-01-06T12:00:00Z", { KUBECONFIG: cluster.kubeconfig, ...STORE_KEYS });
    };

    before(async () => {
        store = await startFakeS3(vaults);
    });
    after(() => store.close());
    beforeEach(async () => {
        cluster = await startFakeCluster();
        seedCatalogue(cluster);
        const opensearch = cluster.objects.get(CONFIGMAPS)!.get("opensearch-backups-metadata")! as any;
        opensearch.data["260211000"] = JSON.stringify({ state: "SUCCESS" });
    });
    afterEach(() => cluster.close());

    it("is healthy when the newest complete restore point's objects are in the vault, checked with the environment's keys", async () => {
        store.requests.length = 0;
        const r = await status("replicated");
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.ok(r.stdout.endsWith("newest complete restore point: 260211000 (2026-01-05 10:00 UTC)\nvault: restore point 260211000 (2026-01-05 10:00 UTC) replicated\nhealthy\n"), r.stdout);
        assert.deepStrictEqual(store.requests.map((q) => `${q.method} ${q.url.replace(/[?&]x-id=\w+/, "")}`), [
            "GET /replicated/?list-type=2&max-keys=1&prefix=rondb_backup%2F260211000%2F",
            "HEAD /replicated/k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json",
            "HEAD /replicated/k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json",
        ]);
        assert.ok(store.requests.every((q) => q.accessKeyId === "operator-key"));
        const json = JSON.parse((await status("replicated", "--json")).stdout);
        assert.deepStrictEqual(json.vault, {
            state: "replicated",
            id: "260211000",
            // The OpenSearch backup records no completion: the age counts from the point's time.
            time: "2026-01-05T10:00:05.000Z",
            completed: null,
            ageSeconds: 93595,
            lagThresholdSeconds: 1200,
            missing: [],
            message: "vault: restore point 260211000 (2026-01-05 10:00 UTC) replicated",
        });
    });

    it("is healthy while missing objects are younger than --vault-lag: still replicating", async () => {
        const r = await status("behind", "--vault-lag", "1600");
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.ok(r.stdout.endsWith(
            "vault: restore point 260211000 (2026-01-05 10:00 UTC) replicating: taken 1d 1h ago, under the 1d 2h lag threshold " +
                "(missing: rondb_backup/260211000/, k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json, " +
                "k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json)\nhealthy\n"), r.stdout);
    });

    it("exits 1 when missing objects are older than the threshold (default 20 minutes): replication lags", async () => {
        const r = await status("behind");
        assert.strictEqual(r.code, 1);
        assert.ok(r.stdout.endsWith(
            "unhealthy (1 problem):\n  - vault: restore point 260211000 (2026-01-05 10:00 UTC) taken 1d 1h ago is not in the vault " +
                "(missing: rondb_backup/260211000/, k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json, " +
                "k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json); replication lag over 20m\n"), r.stdout);
        const json = JSON.parse((await status("behind", "--json")).stdout);
        assert.deepStrictEqual([json.healthy, json.vault.state, json.vault.missing.length], [false, "lagging", 3]);
    });

    it("exits 1 naming the vault bucket and the permission when the vault denies access", async () => {
        const r = await status("locked");
        assert.strictEqual(r.code, 1);
        assert.ok(r.stdout.endsWith(
            "unhealthy (1 problem):\n  - vault: cannot check restore point 260211000 (2026-01-05 10:00 UTC): cannot read s3://locked at " +
                `${store.url}: ListObjectsV2 of rondb_backup/260211000/ failed: access denied (AccessDenied): the credentials need s3:ListBucket on arn:aws:s3:::locked\n`), r.stdout);
    });

    it("names s3:GetObject when the vault may be listed but its objects not read", async () => {
        const r = await status("list-only");
        assert.strictEqual(r.code, 1);
        assert.ok(r.stdout.endsWith(
            "unhealthy (1 problem):\n  - vault: cannot check restore point 260211000 (2026-01-05 10:00 UTC): cannot read s3://list-only at " +
                `${store.url}: HeadObject of k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json failed: ` +
                "access denied (HTTP 403): the credentials need s3:GetObject on arn:aws:s3:::list-only/*\n"), r.stdout);
    });

    it("reads no vault when the stack declares none: vault is null in --json", async () => {
        store.requests.length = 0;
        fs.writeFileSync(path.join(cluster.dir, "Pulumi.prod.yaml"), PROD_STACK_FILE);
        const r = await run(cluster, ["backups", "status", "--stack", "prod", "--json"], "2026-01-06T12:00:00Z", { KUBECONFIG: cluster.kubeconfig, ...STORE_KEYS });
        assert.deepStrictEqual([r.code, JSON.parse(r.stdout).vault, store.requests.length], [0, null, 0]);
    });

    it("refuses a --vault-lag that is not whole minutes, or without --stack", async () => {
        const bad = await run(cluster, ["backups", "status", "--stack", "prod", "--vault-lag", "0"]);
        assert.strictEqual(bad.code, 2);
        assert.ok(bad.stderr.startsWith(`error: --vault-lag "0": must be a whole number of minutes from 1 to 10080`), bad.stderr);
        const alone = await run(cluster, ["backups", "status", "--vault-lag", "30"]);
        assert.strictEqual(alone.code, 2);
        assert.ok(alone.stderr.startsWith("error: --vault-lag applies only with --stack, whose hopsworks-dr:vault names the vault"), alone.stderr);
    });
});
