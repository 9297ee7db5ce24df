/**
 * `backups recover` against moto's S3 server (a real implementation of versioning and delete
 * markers, as the drill uses), beside the stand-in of backups-recover.test.ts: the listing order,
 * the paging markers and DeleteObjects with version IDs as a server other than ours serves them.
 * Skipped, saying why, where moto is not installed.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { sharedMoto } from "../../support/moto";
import { run } from "../fake-cluster";

const BUCKET = "hopsworks-moto-backups";
const ENV = { AWS_ACCESS_KEY_ID: "moto-key", AWS_SECRET_ACCESS_KEY: "moto-secret" };
// The test's own client, like the CLI's, runs on Node 20 on purpose: no notice about the SDK's future floor.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

describe("backups recover against moto's S3 server", function () {
    this.timeout(60_000);
    let url: string;
    let client: S3Client;
    let dir: string;

    before(async function () {
        url = (await sharedMoto(this)).url;
        client = new S3Client({ region: "us-east-1", endpoint: url, forcePathStyle: true, credentials: { accessKeyId: ENV.AWS_ACCESS_KEY_ID, secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY } });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-recover-moto-"));
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), `config:\n  hopsworks-dr:storage:\n    bucket: ${BUCKET}\n    region: us-east-1\n    endpoint: ${url}\n`);
    });
    after(() => {
        client?.destroy();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const put = (key: string, body: string) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const remove = (key: string) => client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    const body = (key: string) => client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })).then((r) => r.Body!.transformToString(), (e: Error) => e.name);

    it("removes the markers made since --since, leaves older ones and HopsFS data, copies an overwritten object back, and the old versions are current again", async () => {
        await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
        await client.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }));
        await put("k8s_backup/backups/k8s-backups-main-1/velero-backup.json", "main backup");
        await put("rondb_backup/260211000/BACKUP-1.ctl", "rondb");
        await put("k8s_backup/backups/k8s-backups-main-0/velero-backup.json", "expired backup");
        await remove("k8s_backup/backups/k8s-backups-main-0/velero-backup.json");
        await put("hopsfs/blocks/blk_1", "block");
        await put("superset_backup/20260105100000-1/manifest.json", "manifest");
        // moto's LastModified has whole seconds: --since is the start of a second after every write above.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const since = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
        await remove("k8s_backup/backups/k8s-backups-main-1/velero-backup.json");
        await remove("rondb_backup/260211000/BACKUP-1.ctl");
        await remove("hopsfs/blocks/blk_1");
        await put("superset_backup/20260105100000-1/manifest.json", "ransom note");
        const now = new Date(Date.now() + 60_000).toISOString();

        const recover = (...argv: string[]) => run({ kubeconfig: "", dir }, ["backups", "recover", "--stack", "prod", "--since", since, ...argv], now, ENV);
        const dry = await recover();
        assert.strictEqual(dry.code, 0, dry.stderr);
        assert.ok(dry.stdout.includes("  k8s_backup/: 1 delete marker(s) on 1 object(s)\n    k8s_backup/backups/k8s-backups-main-1/velero-backup.json\n"), dry.stdout);
        assert.ok(dry.stdout.includes("  rondb_backup/: 1 delete marker(s) on 1 object(s)\n"), dry.stdout);
        assert.strictEqual(await body("k8s_backup/backups/k8s-backups-main-1/velero-backup.json"), "NoSuchKey");

        assert.match(dry.stdout, /\noverwritten after --since: superset_backup\/20260105100000-1\/manifest\.json, restore version \S+ by copying it\n/);

        const yes = await recover("--yes", "--restore-overwritten");
        assert.deepStrictEqual([yes.code, yes.stderr], [0, ""]);
        assert.ok(yes.stdout.endsWith("removed 2 of 2 delete marker(s): the versions current before --since are current again; 1 overwritten object(s) copied back from their version before --since\n"), yes.stdout);
        assert.strictEqual(await body("superset_backup/20260105100000-1/manifest.json"), "manifest");
        // Copied back: the same ETag as the version before --since, so not reported again.
        const again = await recover();
        assert.ok(again.stdout.endsWith("dry run: nothing to remove\n"), again.stdout);
        assert.strictEqual(await body("k8s_backup/backups/k8s-backups-main-1/velero-backup.json"), "main backup");
        assert.strictEqual(await body("rondb_backup/260211000/BACKUP-1.ctl"), "rondb");
        assert.strictEqual(await body("k8s_backup/backups/k8s-backups-main-0/velero-backup.json"), "NoSuchKey");
        assert.strictEqual(await body("hopsfs/blocks/blk_1"), "NoSuchKey");
    });
});
