import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { backupIdAt } from "../../stacks/catalogue/backup-id";
import { bucketReadError } from "../../cli/bucket";
import { closedPort, run } from "./fake-cluster";
import { FakeS3, startFakeS3 } from "../support/fake-s3";
import { veleroBackupJson } from "../support/catalogue";
import { BENCH_BUCKET, benchBucketObjects } from "../../bench/bucket-store";

/** A stack on an S3-compatible store: the CLI reads storage.apiEndpoint, never the secret keys. */
export function storeStackFile(apiEndpoint: string, bucket = "hopsworks-prod-backups"): string {
    return `config:
  hopsworks-dr:storage:
    bucket: ${bucket}
    # MinIO's owner manages the bucket, as in Pulumi.dev.yaml (a managed one needs Velero's own keys and a bucket policy).
    manage: false
    region: us-east-1
    endpoint: http://minio.minio.svc:9000
    apiEndpoint: ${apiEndpoint}
    accessKeyId:
      secure: v1:AAAAencryptedKey
    secretAccessKey:
      secure: v1:AAAAencryptedSecret
    credentialsHashKey:
      secure: v1:AAAAencryptedHashKey
  hopsworks-dr:hopsworks:
    repo: https://charts.example.com/hopsworks
    chartVersion: 4.8.0
    version: 4.8.0
`;
}

export const STORE_KEYS = { AWS_ACCESS_KEY_ID: "operator-key", AWS_SECRET_ACCESS_KEY: "operator-secret" };

/**
 * The seeded catalogue's three weekly points as the bucket holds them (rondb_backup/<id>/ folders,
 * Velero's backup folders with their velero-backup.json), and another location's backup.
 */
export function bucketObjects(): Map<string, string> {
    const objects = new Map<string, string>();
    const days = [["20251222", "2025-12-22", "255211000"], ["20251229", "2025-12-29", "250111000"], ["20260105", "2026-01-05", "260211000"]];
    for (const [compact, iso, id] of days) {
        objects.set(`rondb_backup/${id}/BACKUP-${id}.1.ctl`, "ctl");
        for (const [schedule, second] of [["k8s-backups-main", "12"], ["k8s-backups-users-resources", "13"]]) {
            const name = `${schedule}-${compact}1000${second}`;
            objects.set(`k8s_backup/backups/${name}/velero-backup.json`, veleroBackupJson(name, schedule, `${iso}T10:00:${second}Z`));
            objects.set(`k8s_backup/backups/${name}/${name}.tar.gz`, "data");
        }
    }
    // The cluster's Superset dumps (test/cli/fake-cluster.ts seedCatalogue): none before 255211000's week.
    for (const id of ["20251229100005-1111", "20260101000000-3333", "20260105100007-2222"]) {
        objects.set(`superset_backup/${id}/superset.sql.gz`, "dump");
        objects.set(`superset_backup/${id}/manifest.json`, "{}");
    }
    objects.set("k8s_backup/backups/manual-1/velero-backup.json", veleroBackupJson("manual-1", "", "2025-12-29T10:05:00Z", "Completed", "default"));
    objects.set("hopsfs/blocks/1", "block");
    return objects;
}

describe("backups list --from-bucket", () => {
    let store: FakeS3;
    let dir: string;
    let objects: Map<string, string>;
    const cli = (argv: string[], env: NodeJS.ProcessEnv = STORE_KEYS) => run({ kubeconfig: "", dir }, argv, "2026-01-06T12:00:00Z", env);

    before(async () => {
        objects = bucketObjects();
        store = await startFakeS3({
            "hopsworks-prod-backups": { lifecycleRules: null, objects },
            empty: { lifecycleRules: null, objects: new Map([["k8s_backup/backups/k8s-backups-main-20251222100012/velero-backup.json", "{}"]]) },
            locked: { lifecycleRules: null, denied: true },
        });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "from-bucket-"));
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), storeStackFile(store.url));
        fs.writeFileSync(path.join(dir, "Pulumi.empty.yaml"), storeStackFile(store.url, "empty"));
        fs.writeFileSync(path.join(dir, "Pulumi.locked.yaml"), storeStackFile(store.url, "locked"));
        fs.writeFileSync(path.join(dir, "Pulumi.gone.yaml"), storeStackFile(store.url, "no-such-bucket"));
        fs.writeFileSync(path.join(dir, "Pulumi.closed.yaml"), storeStackFile(`http://127.0.0.1:${await closedPort()}`));
    });
    after(async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("lists the bucket's restore points newest first, paired as the catalogue pairs them, with the environment's keys", async () => {
        const r = await cli(["backups", "list", "--stack", "prod", "--from-bucket"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(
            r.stdout,
            [
                "BACKUP ID  TIME (UTC)        RONDB      OPENSEARCH  VELERO MAIN                      VELERO USERS                                SUPERSET                                COMPLETE",
                "260211000  2026-01-05 10:00  IN_BUCKET  -           k8s-backups-main-20260105100012  k8s-backups-users-resources-20260105100013  20260105100007-2222 (2026-01-05 10:00)  yes",
                "250111000  2025-12-29 10:00  IN_BUCKET  -           k8s-backups-main-20251229100012  k8s-backups-users-resources-20251229100013  20251229100005-1111 (2025-12-29 10:00)  yes",
                "255211000  2025-12-22 10:00  IN_BUCKET  -           k8s-backups-main-20251222100012  k8s-backups-users-resources-20251222100013  none                                    yes",
                "",
            ].join("\n"),
        );
        assert.match(r.stderr, /^note: restore points read from s3:\/\/hopsworks-prod-backups at http:\/\/127\.0\.0\.1:\d+\. RONDB IN_BUCKET: /);
        // Signed with the environment's keys; the manual backup of another location is not read.
        assert.ok(store.requests.every((q) => q.accessKeyId === "operator-key"));
        assert.ok(!store.requests.some((q) => q.url.includes("manual-1")));
        assert.ok(store.requests.some((q) => q.url.includes("list-type=2") && q.url.includes("delimiter=%2F")));
    });

    it("prints the same JSON as backups list", async () => {
        const r = await cli(["backups", "list", "--stack", "prod", "--from-bucket", "--json"]);
        assert.strictEqual(r.code, 0, r.stderr);
        const [newest] = JSON.parse(r.stdout);
        assert.deepStrictEqual(newest, {
            id: "260211000",
            time: "2026-01-05T10:00:00.000Z",
            rondb: "IN_BUCKET",
            opensearch: null,
            velero: {
                main: { name: "k8s-backups-main-20260105100012", phase: "Completed", started: "2026-01-05T10:00:12.000Z", completed: "2026-01-05T10:00:57.000Z" },
                users: { name: "k8s-backups-users-resources-20260105100013", phase: "Completed", started: "2026-01-05T10:00:13.000Z", completed: "2026-01-05T10:00:58.000Z" },
            },
            // The folder's dump; whether it succeeded is in the lost cluster's metadata only. The 2026-01-01 folder (FAILED there)
            // is no point's: it is more than 30 minutes after 250111000 and before this point.
            superset: { id: "20260105100007-2222", time: "2026-01-05T10:00:07.000Z", state: "IN_BUCKET" },
            complete: true,
        });
    });

    it("pages through more than a thousand folders", async () => {
        const many = new Map(objects);
        const start = Date.parse("2025-06-01T00:00:00Z");
        for (let i = 0; i < 1500; i++) many.set(`rondb_backup/${backupIdAt(new Date(start + i * 3_600_000))}/x`, "x");
        const big = await startFakeS3({ "hopsworks-prod-backups": { lifecycleRules: null, objects: many } });
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.big.yaml"), storeStackFile(big.url));
            const r = await cli(["backups", "list", "--stack", "big", "--from-bucket", "--json"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.strictEqual(JSON.parse(r.stdout).length, 1503);
            assert.strictEqual(big.requests.filter((q) => q.url.includes("prefix=rondb_backup")).length, 2);
        } finally {
            await big.close();
        }
    });

    it("shows a backup whose velero-backup.json is missing by its name, with a warning", async () => {
        const partial = new Map(objects);
        partial.delete("k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json");
        const other = await startFakeS3({ "hopsworks-prod-backups": { lifecycleRules: null, objects: partial } });
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.partial.yaml"), storeStackFile(other.url));
            const r = await cli(["backups", "list", "--stack", "partial", "--from-bucket"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout.split("\n")[1], /^260211000 .* k8s-backups-users-resources-20260105100013 \(no phase\)\s+20260105100007-2222 \(2026-01-05 10:00\)\s+no$/);
            assert.ok(r.stderr.includes("warning: k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json: not in the bucket; its backup is shown by its name only\n"), r.stderr);
        } finally {
            await other.close();
        }
    });

    it("reads the phases of the newest 100 points' Velero backups only, unless --read-all", async () => {
        const big = await startFakeS3({ [BENCH_BUCKET]: { lifecycleRules: null, objects: benchBucketObjects(103, new Date("2026-01-06T12:00:00Z")) } });
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.phases.yaml"), storeStackFile(big.url, BENCH_BUCKET));
            const r = await cli(["backups", "list", "--stack", "phases", "--from-bucket"]);
            assert.strictEqual(r.code, 0, r.stderr);
            const rows = r.stdout.trim().split("\n").slice(1);
            assert.strictEqual(rows.length, 103);
            assert.match(rows[99], /k8s-backups-users-resources-\d{14}\s+none\s+yes$/);
            assert.match(rows[100], /^\d{9} .* k8s-backups-main-\d{14} \(phase not read\)\s+k8s-backups-users-resources-\d{14} \(phase not read\)\s+none\s+\?$/);
            assert.ok(r.stderr.includes("note: velero-backup.json read for the newest 100 restore points' Velero backups only; the other 6 are known by their names"), r.stderr);
            assert.strictEqual(big.requests.filter((q) => q.url.includes("velero-backup.json")).length, 200);
            const json = JSON.parse((await cli(["backups", "list", "--stack", "phases", "--from-bucket", "--json"])).stdout);
            assert.deepStrictEqual([json[99].complete, json[100].complete, json[100].velero.main.phase], [true, null, null]);
            const all = await cli(["backups", "list", "--stack", "phases", "--from-bucket", "--read-all", "--json"]);
            assert.ok(JSON.parse(all.stdout).every((p: { complete: boolean }) => p.complete === true));
            const usage = await cli(["backups", "list", "--stack", "phases", "--read-all"]);
            assert.ok(usage.stderr.startsWith("error: --read-all applies only with --from-bucket\n"), usage.stderr);
        } finally {
            await big.close();
        }
    });

    it("explains an empty bucket, and one it cannot read: access denied, no such bucket, an unreachable store", async () => {
        const empty = await cli(["backups", "list", "--stack", "empty", "--from-bucket"]);
        assert.strictEqual(empty.code, 1);
        assert.match(empty.stderr, /^error: no restore points under s3:\/\/empty\/rondb_backup\/ at http:\/\/127\.0\.0\.1:\d+: it holds no RonDB backup folder \(1 Velero backups under k8s_backup\/backups\/\)\. Check storage\.bucket/);
        const denied = await cli(["backups", "list", "--stack", "locked", "--from-bucket"]);
        assert.strictEqual(denied.code, 1);
        assert.match(denied.stderr, /^error: cannot read s3:\/\/locked at http:\/\/127\.0\.0\.1:\d+: ListObjectsV2 of (rondb_backup|k8s_backup\/backups)\/ failed: access denied \(AccessDenied\): the credentials need s3:ListBucket on arn:aws:s3:::locked\n$/);
        const gone = await cli(["backups", "list", "--stack", "gone", "--from-bucket"]);
        assert.match(gone.stderr, /failed: no such bucket: check storage\.bucket, storage\.apiEndpoint and storage\.endpoint in the stack file\n$/);
        const closed = await cli(["backups", "list", "--stack", "closed", "--from-bucket"]);
        assert.match(closed.stderr, /failed: the store cannot be reached \(ECONNREFUSED: /);
        assert.strictEqual(closed.code, 1);
    });

    it("needs --stack and takes no cluster option", async () => {
        const bare = await cli(["backups", "list", "--from-bucket"]);
        assert.strictEqual(bare.code, 2);
        assert.ok(bare.stderr.startsWith("error: --from-bucket needs --stack: the stack file names the bucket, its region and endpoint\n"), bare.stderr);
        const context = await cli(["backups", "list", "--stack", "prod", "--from-bucket", "--context", "x"]);
        assert.ok(context.stderr.startsWith("error: --context does not apply with --from-bucket"), context.stderr);
    });
});

describe("restore plan --from-bucket", () => {
    let store: FakeS3;
    let dir: string;
    const cli = (argv: string[]) => run({ kubeconfig: "", dir }, argv, "2026-01-06T12:00:00Z", STORE_KEYS);
    const plan = (...more: string[]) => ["restore", "plan", "--stack", "prod", "--mode", "new-cluster", "--backup-version", "4.8.0", "--from-bucket", ...more];

    before(async () => {
        const objects = bucketObjects();
        // The newest point's users backup failed.
        objects.set(
            "k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json",
            veleroBackupJson("k8s-backups-users-resources-20260105100013", "k8s-backups-users-resources", "2026-01-05T10:00:13Z", "Failed"),
        );
        store = await startFakeS3({ "hopsworks-prod-backups": { lifecycleRules: null, objects } });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-from-bucket-"));
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), storeStackFile(store.url));
    });
    after(async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("fills in a given backup ID's Velero backups from the bucket, reading only that point's velero-backup.json", async () => {
        const before = store.requests.length;
        const r = await cli(plan("--backup", "250111000", "--dry-run"));
        assert.strictEqual(r.code, 0, r.stderr);
        assert.ok(r.stdout.startsWith("restore point 250111000 (2025-12-29T10:00:00.000Z), Velero k8s-backups-main: k8s-backups-main-20251229100012, k8s-backups-users-resources: k8s-backups-users-resources-20251229100013\n"), r.stdout);
        assert.ok(r.stdout.includes("+      main: k8s-backups-main-20251229100012\n"), r.stdout);
        assert.match(r.stderr, /note: restore point 250111000 read from s3:\/\/hopsworks-prod-backups at http:\/\/127\.0\.0\.1:\d+: its RonDB folder and its Velero backups' velero-backup\.json/);
        const reads = store.requests.slice(before).filter((q) => q.url.includes("velero-backup.json")).map((q) => q.url.split("/")[4]);
        assert.deepStrictEqual(reads.sort(), ["k8s-backups-main-20251229100012", "k8s-backups-users-resources-20251229100013"]);
    });

    it("on Hopsworks 5.2, also writes the point's Superset backup from the superset_backup/ folders, shown with its time", async () => {
        fs.writeFileSync(path.join(dir, "Pulumi.prod52.yaml"), storeStackFile(store.url).replace("chartVersion: 4.8.0\n    version: 4.8.0", "chartVersion: 5.2.0\n    version: 5.2.0"));
        const r = await cli(["restore", "plan", "--stack", "prod52", "--mode", "new-cluster", "--backup-version", "5.2.0", "--from-bucket", "--backup", "250111000", "--dry-run"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes("\nSuperset backup 20251229100005-1111 (2025-12-29T10:00:05.000Z), the newest at or before restore point 250111000\n"), r.stdout);
        assert.ok(r.stdout.includes("+    superset:\n+      backupId: 20251229100005-1111\n"), r.stdout);
    });

    it("takes latest as the newest complete point in the bucket, and refuses an incomplete or unknown one, naming why", async () => {
        const latest = await cli(plan("--dry-run"));
        assert.strictEqual(latest.code, 0, latest.stderr);
        assert.ok(latest.stdout.startsWith("restore point 250111000 "), latest.stdout);
        const failed = await cli(plan("--backup", "260211000", "--dry-run"));
        assert.deepStrictEqual([failed.code, failed.stderr], [1, "error: backup 260211000 is not a complete restore point: Velero users backup k8s-backups-users-resources-20260105100013 Failed\n"]);
        const unknown = await cli(plan("--backup", "255111000", "--dry-run"));
        assert.strictEqual(unknown.code, 1);
        assert.match(unknown.stderr, /^error: backup 255111000 has no folder under s3:\/\/hopsworks-prod-backups\/rondb_backup\/ at http:\/\/127\.0\.0\.1:\d+ \(run: hopsworks-dr backups list --stack prod --from-bucket\)\n$/);
    });

    it("refuses names that are not the point's own, and --from-bucket for an in-place restore", async () => {
        const other = await cli(plan("--backup", "250111000", "--velero-main", "k8s-backups-main-20251229100500", "--velero-users", "k8s-backups-users-resources-20251229100013", "--dry-run"));
        assert.strictEqual(other.code, 1);
        assert.ok(other.stderr.includes("are not the Velero backups of restore point 250111000: the catalogue matches k8s-backups-main-20251229100012"), other.stderr);
        const inPlace = await cli(["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup-version", "4.8.0", "--from-bucket"]);
        assert.strictEqual(inPlace.code, 2);
        assert.ok(inPlace.stderr.startsWith("error: --from-bucket applies only to --mode new-cluster"), inPlace.stderr);
    });
});

describe("--from-bucket --vault", () => {
    let store: FakeS3;
    let dir: string;
    const cli = (argv: string[]) => run({ kubeconfig: "", dir }, argv, "2026-01-06T12:00:00Z", STORE_KEYS);
    const vaultSection = (url: string) => `  hopsworks-dr:vault:
    bucket: hopsworks-prod-vault
    region: eu-west-1
    endpoint: ${url}
    accessKeyId:
      secure: v1:AAAAencryptedVaultKey
    secretAccessKey:
      secure: v1:AAAAencryptedVaultSecret
    manage: false
    objectLock:
      mode: COMPLIANCE
      days: 60
`;

    before(async () => {
        // The primary is gone (no such bucket); the vault holds the points.
        store = await startFakeS3({ "hopsworks-prod-vault": { lifecycleRules: null, objects: bucketObjects() } });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "from-vault-"));
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), storeStackFile(store.url, "hopsworks-prod-lost") + vaultSection(store.url));
        fs.writeFileSync(path.join(dir, "Pulumi.novault.yaml"), storeStackFile(store.url));
    });
    after(async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("backups list reads the vault's restore points", async () => {
        const r = await cli(["backups", "list", "--stack", "prod", "--from-bucket", "--vault"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(r.stdout.split("\n").slice(1, 4).map((row) => row.split(/\s+/)[0]), ["260211000", "250111000", "255211000"]);
        assert.match(r.stderr, /^note: restore points read from s3:\/\/hopsworks-prod-vault at http:\/\/127\.0\.0\.1:\d+\. /);
        assert.ok(!store.requests.some((q) => q.url.includes("hopsworks-prod-lost")));
    });

    it("restore plan fills in the point from the vault and writes restore.source: vault", async () => {
        const r = await cli(["restore", "plan", "--stack", "prod", "--mode", "new-cluster", "--backup-version", "4.8.0", "--backup", "250111000", "--from-bucket", "--vault", "--dry-run"]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.ok(r.stdout.includes("+      main: k8s-backups-main-20251229100012\n"), r.stdout);
        assert.ok(r.stdout.includes("+    source: vault\n"), r.stdout);
        assert.match(r.stderr, /note: restore point 250111000 read from s3:\/\/hopsworks-prod-vault at /);
    });

    it("refuses --vault without --from-bucket, and on a stack without a vault", async () => {
        const bare = await cli(["backups", "list", "--stack", "prod", "--vault"]);
        assert.deepStrictEqual([bare.code, bare.stderr.split("\n")[0]], [2, "error: --vault applies only with --from-bucket: it reads the vault instead of the stack's bucket"]);
        const none = await cli(["backups", "list", "--stack", "novault", "--from-bucket", "--vault"]);
        assert.strictEqual(none.code, 1);
        assert.strictEqual(none.stderr, "error: Pulumi.novault.yaml: --vault: the stack declares no hopsworks-dr:vault to read; leave out --vault to read storage.bucket\n");
    });
});

describe("bucket read errors", () => {
    const aws = { bucket: "b", region: "eu-north-1", forcePathStyle: false, insecureSkipTLSVerify: false };
    const get = { action: "GetObject of k8s_backup/backups/x/velero-backup.json", permission: "s3:GetObject", resource: "arn:aws:s3:::b/k8s_backup/backups/*" };

    it("names the request, the permission it needs, and what to do", () => {
        const denied = Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
        assert.strictEqual(
            bucketReadError(denied, aws, get).message,
            "cannot read s3://b in eu-north-1: GetObject of k8s_backup/backups/x/velero-backup.json failed: access denied (AccessDenied): the credentials need s3:GetObject on arn:aws:s3:::b/k8s_backup/backups/*",
        );
        const keys = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
        assert.strictEqual(
            bucketReadError(keys, aws, get).message,
            "cannot read s3://b in eu-north-1: GetObject of k8s_backup/backups/x/velero-backup.json failed: no credentials (Could not load credentials from any providers): " +
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to keys that may read the bucket",
        );
        const missing = Object.assign(new Error("The specified bucket does not exist"), { name: "NoSuchBucket" });
        assert.match(bucketReadError(missing, aws, get).message, /failed: no such bucket: check storage\.bucket and storage\.region in the stack file$/);
        const other = Object.assign(new Error("slow down"), { name: "SlowDown" });
        assert.match(bucketReadError(other, aws, get).message, /failed: SlowDown: slow down$/);
    });
});
