import assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { renderStack } from "../../render/render";
import { readStackFile } from "../../stacks/stack-file";
import { REDACTED } from "../../stacks/secret";
import { awsConfig, minioConfig, PROJECT_DIR, stackFile } from "../support/stacks";

const FILES = ["hopsworks-values.yaml", "velero-values.yaml", "manifests.yaml", "bucket.json", "plan.txt"];

function renderCli(...args: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", "render/cli.ts", ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
}

describe("render", () => {
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-render-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("renders Pulumi.dev.yaml into the five files, the same bytes every time", async () => {
        const first = await renderStack(readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml")));
        const second = await renderStack(readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml")));
        assert.deepEqual(Object.keys(first.files), FILES);
        assert.deepEqual(first.files, second.files);
        const manifests = parseAllDocuments(first.files["manifests.yaml"]).map((d) => d.toJS());
        assert.deepEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`), ["Secret/hopsworks-bsl-credentials", "BackupStorageLocation/hopsworks-bsl"]);
        assert.deepEqual(manifests[0].stringData, { cloud: REDACTED });
        assert.equal(parse(first.files["hopsworks-values.yaml"]).global._hopsworks.backups.schedule, "@weekly");
        assert.match(first.files["plan.txt"], /^stack: dev\nmode: none \(normal backup operation\)\n/);
    });

    it("lists the resources in declaration order with their dependencies and options in plan.txt", async () => {
        const { files } = await renderStack(stackFile(minioConfig(), "plantest"));
        const plan = files["plan.txt"];
        const order = [...plan.matchAll(/^ +\d+\. (\S+) \(([^)]+)\)$/gm)].map((m) => `${m[1]} ${m[2]}`);
        assert.deepEqual(order, [
            "backup-bucket hopsworks-dr:index:BackupBucket",
            "backup-bucket-store pulumi:providers:aws",
            "backup-bucket aws:s3/bucket:Bucket",
            "backup-bucket-versioning aws:s3/bucketVersioning:BucketVersioning",
            "backup-bucket-lifecycle aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "velero hopsworks-dr:index:Velero",
            "velero kubernetes:helm.sh/v3:Release",
            "backup-location hopsworks-dr:index:BackupLocation",
            "backup-location-credentials kubernetes:core/v1:Secret",
            "backup-location kubernetes:velero.io/v1:BackupStorageLocation",
            "hopsworks hopsworks-dr:index:Hopsworks",
            "hopsworks kubernetes:helm.sh/v3:Release",
        ]);
        assert.match(plan, /backup-bucket \(aws:s3\/bucket:Bucket\)\n {7}parent: backup-bucket \(hopsworks-dr:index:BackupBucket\)\n {7}protected, retained on delete\n/);
        assert.match(plan, /backup-location \(kubernetes:velero.io\/v1:BackupStorageLocation\)\n {7}parent: [^\n]*\n {7}depends on: backup-location-credentials \(kubernetes:core\/v1:Secret\)\n/);
    });

    it("writes iam.json, the trust and permission policies of the role the stack creates, and only then", async () => {
        const c = awsConfig();
        delete c.storage.iamRoleArn;
        c.storage.irsa = {
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/ABC",
            oidcProviderUrl: "oidc.eks.eu-north-1.amazonaws.com/id/ABC",
        };
        const { files } = await renderStack(stackFile(c));
        assert.deepEqual(Object.keys(files), [...FILES, "iam.json"]);
        const iam = JSON.parse(files["iam.json"]);
        assert.deepEqual(Object.keys(iam), ["Role", "TrustPolicy", "Policy", "PermissionPolicy"]);
        assert.equal(iam.Role, "test-velero");
        assert.equal(iam.Policy, "test-velero-s3");
        assert.equal(iam.TrustPolicy.Statement[0].Condition.StringEquals["oidc.eks.eu-north-1.amazonaws.com/id/ABC:sub"], "system:serviceaccount:velero:velero-server");
        assert.deepEqual(iam.PermissionPolicy.Statement.map((s: any) => s.Resource), [["arn:aws:s3:::hopsworks-backups/k8s_backup/*"], ["arn:aws:s3:::hopsworks-backups"]]);
        // An existing role (iamRoleArn) or S3 keys: the stack creates no role, so there is nothing to show.
        assert.ok(!("iam.json" in (await renderStack(stackFile(awsConfig()))).files));
        assert.ok(!("iam.json" in (await renderStack(stackFile(minioConfig()))).files));
    });

    it("never writes a secret: credentials given to the program appear in no rendered file", async () => {
        const c = minioConfig();
        c.hopsworks.repoUsername = "licence-user";
        c.hopsworks.repoPassword = "licence-password";
        const { files } = await renderStack(stackFile(c));
        for (const [name, text] of Object.entries(files)) {
            for (const secret of ["AKIATESTKEY", "test-secret-key", "licence-user", "licence-password"]) {
                assert.ok(!text.includes(secret), `${name} contains ${secret}`);
            }
        }
        assert.match(files["plan.txt"], /secret inputs: repositoryOpts.password, repositoryOpts.username/);
    });

    it("writes the files with --config, taking the stack name from the file name, and never decrypts", () => {
        const file = path.join(tmp, "Pulumi.scratch.yaml");
        const dev = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(file, dev.replace("v1:PLACEHOLDER0secretAccessKey0replaceWithPulumiConfigSetSecret", "v1:Q2lwaGVydGV4dE5ldmVyU2hvd24="));
        const out = path.join(tmp, "out");
        const run = renderCli("--config", file, "--out", out);
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(fs.readdirSync(out).sort(), [...FILES].sort());
        assert.match(fs.readFileSync(path.join(out, "plan.txt"), "utf8"), /^stack: scratch\n/);
        for (const name of FILES) {
            assert.ok(!fs.readFileSync(path.join(out, name), "utf8").includes("Q2lwaGVydGV4dE5ldmVyU2hvd24"), `${name} holds the ciphertext`);
        }
    });

    it("refuses invalid config with a non-zero exit, the messages on stderr, and no files", () => {
        const file = path.join(tmp, "Pulumi.broken.yaml");
        fs.writeFileSync(file, "config:\n  hopsworks-dr:storage:\n    bucket: Bad_Bucket\n    region: us-east-1\n    endpoint: https://minio:9000\n    accessKeyId: plain\n    secretAccessKey:\n      secure: v1:abc\n");
        const out = path.join(tmp, "out");
        const run = renderCli("--config", file, "--out", out);
        assert.equal(run.status, 1);
        assert.match(run.stderr, /hopsworks-dr:storage\.bucket = "Bad_Bucket": must be an S3 bucket name/);
        assert.match(run.stderr, /hopsworks-dr:storage\.accessKeyId is stored in plain text/);
        assert.match(run.stderr, /hopsworks-dr:hopsworks is required/);
        assert.ok(!run.stderr.includes("    at "), "no stack trace");
        assert.ok(!fs.existsSync(out), "no files written");
    });

    it("explains its usage when given neither --stack nor --config", () => {
        const run = renderCli();
        assert.equal(run.status, 2);
        assert.match(run.stderr, /give exactly one of --stack and --config\nusage: npm run render/);
    });
});
