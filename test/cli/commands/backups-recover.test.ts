import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KeyScanner, KeyVerdict, pageEntries, VersionEntry } from "../../../cli/recover-scan";
import { FakeBucket, FakeS3, FakeVersions, startFakeS3 } from "../../support/fake-s3";
import { run } from "../fake-cluster";

const BUCKET = "hopsworks-prod-backups";
const SINCE = "2026-01-06T03:00:00Z";
const ENV = { AWS_ACCESS_KEY_ID: "AKIARECOVER", AWS_SECRET_ACCESS_KEY: "recover-secret" };
const at = (time: string) => new Date(`2026-01-${time}Z`);

function stackFile(endpoint: string): string {
    return `config:
  hopsworks-dr:storage:
    bucket: ${BUCKET}
    region: eu-north-1
    endpoint: ${endpoint}
    accessKeyId:
      secure: v1:AAAAencryptedKey
    secretAccessKey:
      secure: v1:AAAAencryptedSecret
`;
}

/**
 * The bucket before and after an attack at 04:00 on 2026-01-06: backups written on the 5th, the
 * attacker's delete markers on two of them and an overwrite of a third, a marker Velero's expiry
 * made on the 4th (before --since) that must stay, and HopsFS blocks, one of them deleted too.
 */
function attacked(): { versions: FakeVersions; ids: Record<string, string> } {
    const versions = new FakeVersions();
    const ids: Record<string, string> = {};
    ids.main = versions.put("k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json", "main backup", at("05T10:00:12"));
    versions.mark("k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json", at("06T04:00:00"));
    versions.put("k8s_backup/backups/k8s-backups-main-20251229100012/velero-backup.json", "old backup", at("01T10:00:12"));
    ids.expired = versions.mark("k8s_backup/backups/k8s-backups-main-20251229100012/velero-backup.json", at("04T10:00:00"));
    ids.users = versions.put("k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json", "users v1", at("05T10:00:13"));
    versions.put("k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json", "users v2", at("05T10:01:00"));
    versions.mark("k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json", at("06T04:00:01"));
    // Deleted twice: both markers go.
    versions.mark("k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json", at("06T04:00:02"));
    ids.rondb = versions.put("rondb_backup/260211000/BACKUP-1.ctl", "rondb", at("05T10:00:03"));
    ids.overwritten = versions.put("superset_backup/20260105100000-1/manifest.json", "manifest", at("05T10:00:00"));
    versions.put("superset_backup/20260105100000-1/manifest.json", "ransom note", at("06T04:00:05"));
    versions.mark("rondb_backup/260211000/BACKUP-1.ctl", at("06T04:00:03"));
    ids.block = versions.put("hopsfs/blocks/blk_1", "block", at("05T09:00:00"));
    versions.mark("hopsfs/blocks/blk_1", at("06T04:00:04"));
    return { versions, ids };
}

describe("backups recover against the stand-in S3", () => {
    let s3: FakeS3;
    let bucket: FakeBucket;
    let ids: Record<string, string>;
    let dir: string;
    const recover = (...argv: string[]) => run({ kubeconfig: "", dir }, ["backups", "recover", "--stack", "prod", "--since", SINCE, ...argv], undefined, ENV);
    const body = async (key: string) => {
        const response = await fetch(`${s3.url}/${BUCKET}/${key}`);
        return response.status === 200 ? response.text() : response.status;
    };

    beforeEach(async () => {
        const seeded = attacked();
        ids = seeded.ids;
        bucket = { versioning: "Enabled", lifecycleRules: null, versions: seeded.versions, pageSize: 3 };
        s3 = await startFakeS3({ [BUCKET]: bucket });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-recover-"));
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), stackFile(s3.url));
    });
    afterEach(async () => {
        await s3.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("lists the attacker's delete markers per prefix in a dry run, and deletes nothing", async () => {
        const before = bucket.versions!.size;
        const result = await recover();
        assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
        assert.strictEqual(result.stdout, [
            `bucket ${BUCKET} (eu-north-1, ${s3.url}), dry run:`,
            `overwritten after --since: superset_backup/20260105100000-1/manifest.json, restore version ${ids.overwritten} by copying it`,
            "delete markers made at or after 2026-01-06T03:00:00.000Z that are the latest version:",
            "  k8s_backup/: 3 delete marker(s) on 2 object(s)",
            "    k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json",
            "    k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json",
            "  rondb_backup/: 1 delete marker(s) on 1 object(s)",
            "    rondb_backup/260211000/BACKUP-1.ctl",
            "  opensearch_backup/: none",
            "  superset_backup/: none",
            "  HopsFS data (the rest of the bucket): not read (--include-hopsfs-data)",
            "dry run: nothing removed; run again with --yes to remove these 4 delete marker(s); 1 overwritten object(s) listed above are not copied back",
            "",
        ].join("\n"));
        assert.strictEqual(bucket.versions!.size, before);
        assert.ok(!s3.requests.some((r) => r.method !== "GET"), "only reads");
        // Paged: three entries a page, each page asked for with the previous page's markers.
        assert.ok(s3.requests.some((r) => /key-marker=k8s_backup/.test(r.url) && /version-id-marker=v/.test(r.url)), JSON.stringify(s3.requests));
        assert.ok(s3.requests.every((r) => r.accessKeyId === ENV.AWS_ACCESS_KEY_ID), "the environment's credentials");
    });

    it("with --yes removes them, so the versions current before --since are current again; older markers stay", async () => {
        assert.strictEqual(await body("k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json"), 404);
        const result = await recover("--yes");
        assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
        assert.ok(result.stdout.includes("  k8s_backup/: 3 delete marker(s) on 2 object(s), 3 removed\n"), result.stdout);
        assert.ok(result.stdout.endsWith("removed 4 of 4 delete marker(s): the versions current before --since are current again; 1 overwritten object(s) listed above are not copied back\n"), result.stdout);
        assert.strictEqual(await body("k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json"), "main backup");
        assert.strictEqual(await body("k8s_backup/backups/k8s-backups-users-resources-20260105100013/velero-backup.json"), "users v2");
        assert.strictEqual(await body("rondb_backup/260211000/BACKUP-1.ctl"), "rondb");
        // Velero's expiry on the 4th, before --since, is left alone; so is HopsFS data.
        assert.strictEqual(await body("k8s_backup/backups/k8s-backups-main-20251229100012/velero-backup.json"), 404);
        assert.ok(bucket.versions!.listing().some((v) => v.versionId === ids.expired && v.deleteMarker));
        assert.strictEqual(await body("hopsfs/blocks/blk_1"), 404);
        const deletes = s3.requests.filter((r) => r.method === "POST");
        assert.strictEqual(deletes.length, 1, "the 4 markers in one DeleteObjects");
        // Run again: nothing left to remove.
        const again = await recover();
        assert.ok(again.stdout.includes("dry run: nothing to remove; 1 overwritten"), again.stdout);
    });

    it("removes in batches of at most 1000 as it lists, never the key the listing stands on", async () => {
        const versions = new FakeVersions();
        for (let i = 0; i < 2500; i++) {
            const key = `rondb_backup/260211000/part-${String(i).padStart(5, "0")}`;
            versions.put(key, `part ${i}`, at("05T10:00:00"));
            versions.mark(key, at("06T04:00:00"));
        }
        bucket.versions = versions;
        bucket.pageSize = 1000;
        const result = await recover("--yes");
        assert.strictEqual(result.code, 0, result.stderr);
        assert.ok(result.stdout.includes("  rondb_backup/: 2500 delete marker(s) on 2500 object(s), 2500 removed\n    rondb_backup/260211000/part-00000\n"), result.stdout);
        assert.ok(result.stdout.includes("    ...and 2495 more\n"), result.stdout);
        const calls = s3.requests.map((r) => (r.method === "POST" ? "delete" : /prefix=rondb_backup/.test(r.url) ? "list" : "other")).filter((c) => c !== "other");
        // 500 keys a page: 999 markers after two pages (the last key waits for the next), 1499 after three.
        assert.deepStrictEqual(calls, ["list", "list", "list", "delete", "list", "list", "delete", "delete"]);
        assert.strictEqual(versions.size, 2500);
        assert.strictEqual(await body("rondb_backup/260211000/part-02499"), "part 2499");
    });

    it("with --yes --restore-overwritten copies back the version an object had before --since", async () => {
        const key = "superset_backup/20260105100000-1/manifest.json";
        assert.strictEqual(await body(key), "ransom note");
        const result = await recover("--yes", "--restore-overwritten");
        assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
        assert.ok(result.stdout.includes(`overwritten after --since: ${key}, restore version ${ids.overwritten} by copying it\n  copied: version ${ids.overwritten} is current again\n`), result.stdout);
        assert.ok(result.stdout.endsWith("; 1 overwritten object(s) copied back from their version before --since\n"), result.stdout);
        assert.strictEqual(await body(key), "manifest");
        // The attacker's version stays, noncurrent: nothing is lost.
        assert.ok(bucket.versions!.listing().some((v) => v.key === key && v.body === "ransom note"));
        const again = await recover();
        assert.ok(again.stdout.endsWith("dry run: nothing to remove\n"), again.stdout);
        const usage = await recover("--restore-overwritten");
        assert.deepStrictEqual([usage.code, usage.stderr.split("\n")[0]], [2, "error: --restore-overwritten applies only with --yes (without it nothing changes)"]);
    });

    it("names CopyObject and its permissions when copying back is denied", async () => {
        bucket.denyCopy = true;
        const result = await recover("--yes", "--restore-overwritten");
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr,
            `error: CopyObject on bucket ${BUCKET} was denied (AccessDenied): the credentials this command runs with (the environment's, through the AWS SDK's default chain) ` +
                `need s3:GetObjectVersion and s3:PutObject on arn:aws:s3:::${BUCKET}/superset_backup/20260105100000-1/manifest.json\n`);
    });

    it("refuses HopsFS data with --yes without the typed confirmation, and removes its markers with it", async () => {
        const dry = await recover("--include-hopsfs-data");
        assert.strictEqual(dry.code, 0, dry.stderr);
        assert.ok(dry.stdout.includes("  HopsFS data (the rest of the bucket): 1 delete marker(s) on 1 object(s)\n    hopsfs/blocks/blk_1\n"), dry.stdout);
        const missing = await recover("--include-hopsfs-data", "--yes");
        assert.strictEqual(missing.code, 2);
        assert.ok(missing.stderr.startsWith("error: --include-hopsfs-data --yes needs --confirm-hopsfs prod/<bucket>: HopsFS data is the live file system"), missing.stderr);
        const wrong = await recover("--include-hopsfs-data", "--yes", "--confirm-hopsfs", "prod/other-bucket");
        assert.strictEqual(wrong.code, 2);
        assert.ok(wrong.stderr.startsWith(`error: --confirm-hopsfs "prod/other-bucket": must be prod/${BUCKET} (the stack and its bucket)`), wrong.stderr);
        assert.ok(!s3.requests.some((r) => r.method === "POST"), "nothing deleted");
        const confirmed = await recover("--include-hopsfs-data", "--yes", "--confirm-hopsfs", `prod/${BUCKET}`);
        assert.strictEqual(confirmed.code, 0, confirmed.stderr);
        assert.strictEqual(await body("hopsfs/blocks/blk_1"), "block");
        assert.strictEqual(await body("rondb_backup/260211000/BACKUP-1.ctl"), "rondb");
        // One listing of the whole bucket, not one per prefix.
        assert.ok(s3.requests.filter((r) => r.url.includes("versions")).every((r) => !r.url.includes("prefix=k8s_backup")));
    });

    it("names the action, the bucket and the permission when the caller is denied", async () => {
        bucket.denied = true;
        const list = await recover();
        assert.deepStrictEqual([list.code, list.stderr], [1,
            `error: ListObjectVersions on bucket ${BUCKET} was denied (AccessDenied): the credentials this command runs with (the environment's, ` +
                `through the AWS SDK's default chain) need s3:ListBucketVersions on arn:aws:s3:::${BUCKET}\n`]);
        bucket.denied = false;
        bucket.denyDelete = "request";
        const request = await recover("--yes");
        assert.strictEqual(request.code, 1);
        assert.ok(request.stderr.endsWith(`error: DeleteObjects on bucket ${BUCKET} was denied (AccessDenied): the credentials this command runs with (the environment's, ` +
            `through the AWS SDK's default chain) need s3:DeleteObjectVersion on arn:aws:s3:::${BUCKET}/*\n`), request.stderr);
        assert.ok(request.stdout.includes("stopped: 0 delete marker(s) removed before the error\n"), request.stdout);
        bucket.denyDelete = "objects";
        const objects = await recover("--yes");
        assert.strictEqual(objects.code, 1);
        assert.ok(objects.stdout.includes("  k8s_backup/: 3 delete marker(s) on 2 object(s), 0 removed, 3 failed\n"), objects.stdout);
        assert.ok(objects.stderr.includes("error: k8s_backup/backups/k8s-backups-main-20260105100012/velero-backup.json (version v00000001): AccessDenied: Access Denied\n"), objects.stderr);
        assert.ok(objects.stderr.endsWith("error: 4 delete marker(s) could not be removed: DeleteObjects on bucket hopsworks-prod-backups was denied (AccessDenied): " +
            "the credentials this command runs with (the environment's, through the AWS SDK's default chain) need s3:DeleteObjectVersion on arn:aws:s3:::hopsworks-prod-backups/k8s_backup/*\n"), objects.stderr);
    });

    it("stops at --timeout on a store that does not answer, naming the listing", async () => {
        bucket.hang = true;
        const result = await recover("--timeout", "1");
        assert.deepStrictEqual([result.code, result.stderr], [1,
            `error: backups recover did not finish within 1 s (--timeout): still waiting for ListObjectVersions on bucket ${BUCKET} under k8s_backup/\n`]);
    });

    it("refuses malformed options before reading anything", async () => {
        const cases: [string[], string][] = [
            [["--since", "yesterday"], `--since "yesterday": must be an ISO 8601 time with its zone`],
            [["--since", "2026-01-06T03:00:00"], `--since "2026-01-06T03:00:00": must be an ISO 8601 time with its zone`],
            [["--since", "2026-02-01T00:00:00Z"], `--since "2026-02-01T00:00:00Z": is later than now (2026-01-06T12:00:00.000Z)`],
            [["--since", SINCE, "--confirm-hopsfs", "prod/x"], `--confirm-hopsfs "prod/x": applies only with --include-hopsfs-data --yes`],
            [["--since", SINCE, "--opensearch-prefix", "/abs"], `--opensearch-prefix "/abs": must be a key prefix in the bucket`],
        ];
        for (const [argv, message] of cases) {
            const result = await run({ kubeconfig: "", dir }, ["backups", "recover", "--stack", "prod", ...argv], undefined, ENV);
            assert.strictEqual(result.code, 2, argv.join(" "));
            assert.ok(result.stderr.startsWith(`error: ${message}`), result.stderr);
        }
        const noSince = await run({ kubeconfig: "", dir }, ["backups", "recover", "--stack", "prod"], undefined, ENV);
        assert.ok(noSince.stderr.startsWith("error: --since is required: the time the attack began"), noSince.stderr);
        assert.deepStrictEqual(s3.requests, []);
    });
});

describe("backups recover: the scan of one key's versions", () => {
    const since = new Date("2026-01-06T03:00:00Z");
    const entry = (key: string, versionId: string, time: string, deleteMarker = false, isLatest = false): VersionEntry => ({ key, versionId, lastModified: at(time), deleteMarker, isLatest });
    const scan = (entries: VersionEntry[]) => {
        const verdicts: KeyVerdict[] = [];
        const scanner = new KeyScanner(since, (v) => verdicts.push(v));
        entries.forEach((e) => scanner.add(e));
        scanner.end();
        return verdicts;
    };

    it("carries a key across pages, and reports an overwrite under the markers", () => {
        assert.deepStrictEqual(scan([
            entry("a", "m2", "06T05:00:00", true, true), entry("a", "m1", "06T04:00:00", true),
            entry("a", "x", "06T03:30:00"), entry("a", "v1", "05T10:00:00"), entry("a", "v0", "04T10:00:00"),
            entry("b", "v", "05T10:00:00", false, true),
            entry("c", "m", "06T04:00:00", true, true),
        ]), [
            { key: "a", markers: ["m2", "m1"], overwrittenRestore: "v1" },
            { key: "c", markers: ["m"] },
        ]);
    });

    it("takes a version with the content of the one before --since (copied back already) for no overwrite", () => {
        const copied = { ...entry("a", "copy", "06T06:00:00", false, true), etag: '"1"' };
        const attacker = { ...entry("a", "x", "06T04:00:00"), etag: '"2"' };
        const original = { ...entry("a", "v", "05T10:00:00"), etag: '"1"' };
        assert.deepStrictEqual(scan([copied, attacker, original]), []);
        assert.deepStrictEqual(scan([attacker, original]), [{ key: "a", markers: [], overwrittenRestore: "v" }]);
    });

    it("leaves a key deleted before --since, and a new object made after it, alone", () => {
        assert.deepStrictEqual(scan([
            entry("a", "m", "04T10:00:00", true, true), entry("a", "v", "01T10:00:00"),
            entry("b", "v2", "06T04:00:00", false, true), entry("b", "m", "05T10:00:00", true), entry("b", "v1", "01T10:00:00"),
        ]), []);
    });

    it("rebuilds the listing order of a page from its two arrays", () => {
        const page = pageEntries([entry("b", "v", "05T10:00:00"), entry("a", "v", "05T10:00:00")], [entry("a", "m", "06T04:00:00", true, true)]);
        assert.deepStrictEqual(page.map((e) => `${e.key}/${e.versionId}`), ["a/m", "a/v", "b/v"]);
        // S3's byte order of UTF-8, not JavaScript's UTF-16 order: U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80).
        const keys = pageEntries([entry("\u{1F600}", "v", "05T10:00:00"), entry("\uFFFD", "v", "05T10:00:00")], []).map((e) => e.key);
        assert.deepStrictEqual(keys, ["\uFFFD", "\u{1F600}"]);
    });
});
