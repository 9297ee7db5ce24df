import assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { renderCli } from "../../render/cli";
import { HELM_DEFAULT_TIMEOUT_SECONDS } from "../../render/files";
import { renderStack, RenderError } from "../../render/render";
import { readStackFile } from "../../stacks/config/stack-file";
import { REDACTED } from "../../stacks/config/secret";
import { awsConfig, irsaConfig, minioConfig, PROJECT_DIR, stackFile, STORE_MANAGE_WARNING } from "../support/stacks";

const FILES = ["hopsworks-values.yaml", "velero-values.yaml", "manifests.yaml", "bucket.json", "plan.txt", "releases.json"];

/** `npm run render -- <args>` as a process: what a user runs. */
function renderProcess(...args: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", "render/cli.ts", ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
}

/** The same CLI in this process (its logic, without a process start): status, stdout and stderr. */
async function renderInProcess(...args: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const status = await renderCli(args, { stdout: (l) => stdout.push(`${l}\n`), stderr: (l) => stderr.push(`${l}\n`), cwd: PROJECT_DIR });
    return { status, stdout: stdout.join(""), stderr: stderr.join("") };
}

describe("render", () => {
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-render-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("renders Pulumi.dev.yaml into the six files, the same bytes every time", async () => {
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

    it("Pulumi.dev.yaml, the MinIO example, converges: the bucket is managed outside the stack (no AWS lifecycle resource) and nothing warns", async () => {
        const dev = await renderStack(readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml")));
        assert.deepEqual(dev.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type), []);
        assert.equal(JSON.parse(dev.files["bucket.json"]).ManagedOutsideTheStack, true);
        assert.equal(JSON.parse(dev.files["bucket.json"]).LifecycleConfiguration.Rules[0].AbortIncompleteMultipartUpload, undefined, "MinIO refuses it");
        assert.deepEqual(dev.warnings, []);
        assert.doesNotMatch(dev.files["plan.txt"], /\nwarnings/);
    });

    it("warns in plan.txt (and with pulumi.log.warn) when a stack manages a bucket on an S3-compatible store, naming storage.manage: false", async () => {
        const { files, warnings } = await renderStack(stackFile(minioConfig(), "managed-minio"));
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], STORE_MANAGE_WARNING);
        assert.ok(files["plan.txt"].includes(`\nwarnings (\`pulumi preview\` and \`pulumi up\` show them too):\n  - ${warnings[0]}\n`), files["plan.txt"]);
        assert.match(warnings[0], /may never converge on MinIO or Ceph .*Set storage\.manage: false/);
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
            "backup-bucket-policy aws:s3/bucketPolicy:BucketPolicy",
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
        const c = irsaConfig();
        const { files } = await renderStack(stackFile(c));
        assert.deepEqual(Object.keys(files), [...FILES, "iam.json"]);
        const iam = JSON.parse(files["iam.json"]);
        assert.deepEqual(Object.keys(iam), ["Role", "TrustPolicy", "Policy", "PermissionPolicy"]);
        assert.equal(iam.Role, "hopsworks-dr-test-eu-north-1-velero");
        assert.equal(iam.Policy, "hopsworks-dr-test-eu-north-1-velero-s3");
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
            for (const secret of ["AKIATESTKEY", "test-secret-key", "test-credentials-hash-key", "licence-user", "licence-password"]) {
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
        const run = renderProcess("--config", file, "--out", out);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, `rendered stack scratch into ${path.relative(PROJECT_DIR, out)}: ${FILES.join(", ")}\n`);
        assert.deepEqual(fs.readdirSync(out).sort(), [...FILES].sort());
        assert.match(fs.readFileSync(path.join(out, "plan.txt"), "utf8"), /^stack: scratch\n/);
        for (const name of FILES) {
            assert.ok(!fs.readFileSync(path.join(out, name), "utf8").includes("Q2lwaGVydGV4dE5ldmVyU2hvd24"), `${name} holds the ciphertext`);
        }
    });

    it("refuses a restore of a backup ID in the future, naming its date (the program judges it at the time it runs)", async () => {
        const config = minioConfig();
        config.restore = {
            mode: "new-cluster", backupId: "304011200", backupHopsworksVersion: "4.8.0",
            veleroBackups: { main: "k8s-backups-main-20300930120012", users: "k8s-backups-users-resources-20300930120013" },
        };
        await assert.rejects(renderStack(stackFile(config)), (e: Error) =>
            /hopsworks-dr:restore\.backupId = "304011200": decodes to 2030-09-30T12:00:00\.000Z, later than now \(20\d\d-.*\) by more than the 1 hour allowed for clock skew/.test(e.message));
    });

    it("refuses a restore whose Velero pair is outside the window of the backup ID's time, before any resource", async () => {
        const config = minioConfig();
        config.restore = {
            mode: "new-cluster", backupId: "254811200", backupHopsworksVersion: "4.8.0",
            veleroBackups: { main: "k8s-backups-main-20200101000000", users: "k8s-backups-users-resources-20251124120013" },
        };
        await assert.rejects(renderStack(stackFile(config)), (e: RenderError) =>
            e.resources.length === 0 &&
            /hopsworks-dr:restore\.veleroBackups\.main = "k8s-backups-main-20200101000000": was taken at 2020-01-01T00:00:00\.000Z by its name, outside the window of restore point 254811200 \(2025-11-24T12:00:00\.000Z\): from 30 minutes before to 6 hours after/.test(e.message));
    });

    it("names a stack file key in a mistyped namespace (refused) and one in an unknown namespace (a warning)", async () => {
        const typo = stackFile(minioConfig());
        typo.config["hopsworks_dr:storage"] = typo.config["hopsworks-dr:storage"];
        delete typo.config["hopsworks-dr:storage"];
        await assert.rejects(renderStack(typo), (e: RenderError) =>
            e.resources.length === 0 &&
            e.message.includes(`  - "hopsworks_dr:storage" is in namespace "hopsworks_dr", which this program does not read: did you mean "hopsworks-dr:storage"?\n  - hopsworks-dr:storage is required`));
        const other = stackFile(minioConfig());
        other.config["random:seed"] = "1";
        const { warnings } = await renderStack(other);
        assert.ok(warnings.includes(`"random:seed": namespace "random" is none this project reads (hopsworks-dr, aws, kubernetes, pulumi), so the key is ignored`), warnings.join("\n"));
    });

    describe("its folder", () => {
        const dev = () => fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
        const MONITORING = "  hopsworks-dr:monitoring:\n    enabled: true\n    runbookBaseUrl: https://example.com/runbooks\n    opensearchBackupCronJob: opensearch-backup\n";
        const withMonitoring = (text: string) => text.replace(/^config:\n/m, `config:\n${MONITORING}`);

        it("holds exactly the last render: alerts.yaml goes when monitoring is turned off", async () => {
            const file = path.join(tmp, "Pulumi.scratch.yaml");
            const out = path.join(tmp, "out");
            fs.writeFileSync(file, withMonitoring(dev()));
            assert.equal((await renderInProcess("--config", file, "--out", out)).status, 0);
            assert.ok(fs.existsSync(path.join(out, "alerts.yaml")), "monitoring on: alerts.yaml");
            fs.writeFileSync(file, dev());
            assert.equal((await renderInProcess("--config", file, "--out", out)).status, 0);
            assert.deepEqual(fs.readdirSync(out).sort(), [...FILES].sort());
            assert.deepEqual(fs.readdirSync(tmp).sort(), ["Pulumi.scratch.yaml", "out"], "no working folder left beside it");
        });

        it("keeps the previous render whole when the next is refused", async () => {
            const file = path.join(tmp, "Pulumi.scratch.yaml");
            const out = path.join(tmp, "out");
            fs.writeFileSync(file, dev());
            assert.equal((await renderInProcess("--config", file, "--out", out)).status, 0);
            const before = Object.fromEntries(FILES.map((name) => [name, fs.readFileSync(path.join(out, name), "utf8")]));
            fs.writeFileSync(file, dev().replace(/bucket: \S+/, "bucket: Bad_Bucket"));
            const refused = await renderInProcess("--config", file, "--out", out);
            assert.equal(refused.status, 1);
            assert.match(refused.stderr, /storage\.bucket = "Bad_Bucket"/);
            assert.deepEqual(Object.fromEntries(FILES.map((name) => [name, fs.readFileSync(path.join(out, name), "utf8")])), before);
            assert.deepEqual(fs.readdirSync(out).sort(), [...FILES].sort());
        });

        it("is never a folder holding anything else: --out . on a project is refused and nothing is touched", async () => {
            const file = path.join(tmp, "Pulumi.scratch.yaml");
            fs.writeFileSync(file, dev());
            fs.writeFileSync(path.join(tmp, "index.ts"), "// a project's own file\n");
            const refused = await renderInProcess("--config", file, "--out", tmp);
            assert.equal(refused.status, 1);
            assert.equal(
                refused.stderr,
                `--out ${tmp}: holds "Pulumi.scratch.yaml", "index.ts", which the render does not write; the render replaces its folder whole, so give a new folder or one only the render wrote\n`,
            );
            assert.deepEqual(fs.readdirSync(tmp).sort(), ["Pulumi.scratch.yaml", "index.ts"]);
        });
    });

    it("refuses invalid config with a non-zero exit, the messages on stderr, and no files", async () => {
        const file = path.join(tmp, "Pulumi.broken.yaml");
        fs.writeFileSync(file, "config:\n  hopsworks-dr:storage:\n    bucket: Bad_Bucket\n    region: us-east-1\n    endpoint: https://minio:9000\n    accessKeyId: plain\n    secretAccessKey:\n      secure: v1:abc\n");
        const out = path.join(tmp, "out");
        const run = await renderInProcess("--config", file, "--out", out);
        assert.equal(run.status, 1);
        assert.match(run.stderr, /hopsworks-dr:storage\.bucket = "Bad_Bucket": must be an S3 bucket name/);
        assert.match(run.stderr, /hopsworks-dr:storage\.accessKeyId is stored in plain text/);
        assert.match(run.stderr, /hopsworks-dr:hopsworks is required/);
        assert.ok(!run.stderr.includes("    at "), "no stack trace");
        assert.ok(!fs.existsSync(out), "no files written");
    });

    it("refuses a values file whose __proto__ smuggles an in-place restore, naming the file and the path (issue 18, item 1)", async () => {
        const config = minioConfig();
        config.hopsworks.valuesFiles = ["test/fixtures/values-proto-restore.yaml"];
        await assert.rejects(renderStack(stackFile(config, "smuggle")), (error: Error) => {
            assert.match(error.message, /hopsworks-dr:hopsworks\.valuesFiles\[0\] = "test\/fixtures\/values-proto-restore\.yaml": has a key JavaScript reserves at __proto__: /);
            return true;
        });
    });

    it("refuses __proto__ at the top of the stack config instead of dropping it (issue 18, item 1)", async () => {
        const file = path.join(tmp, "Pulumi.proto.yaml");
        const dev = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(file, dev.replace(/^config:\n/m, "config:\n  hopsworks-dr:__proto__:\n    restore: {mode: in-place}\n"));
        const run = await renderInProcess("--config", file, "--out", path.join(tmp, "out"));
        assert.equal(run.status, 1);
        assert.match(run.stderr, /hopsworks-dr:__proto__ in Pulumi\.proto\.yaml is a key JavaScript reserves \(__proto__, constructor, prototype\): .*remove it/);
        assert.ok(!fs.existsSync(path.join(tmp, "out")), "no files written");
    });

    it("writes velero.valuesFiles' values into velero-values.yaml, under the stack's own (issue 17, item 6)", async () => {
        const config = minioConfig();
        config.velero = { valuesFiles: ["test/fixtures/velero-values.yaml"] };
        const values = parse((await renderStack(stackFile(config, "velero-values"))).files["velero-values.yaml"]);
        assert.deepEqual(values.tolerations, [{ key: "dedicated", operator: "Equal", value: "backup", effect: "NoSchedule" }]);
        assert.deepEqual(values.configuration, { logLevel: "debug", backupStorageLocation: [] });
        assert.equal(values.initContainers[0].name, "velero-plugin-for-aws");
    });

    it("explains its usage when given neither --stack nor --config", async () => {
        const run = await renderInProcess();
        assert.equal(run.status, 2);
        assert.match(run.stderr, /give exactly one of --stack and --config\nusage: npm run render/);
        const unknown = await renderInProcess("--stack", "dev", "--bogus");
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /Unknown option '--bogus'.*\nusage: npm run render/);
        const twice = await renderInProcess("--stack", "prod", "--stack", "dev");
        assert.deepEqual([twice.status, twice.stderr.split("\n")[0]], [2, `--stack is given twice ("prod" and "dev"): give it once`]);
    });

    it("refuses a stack name Pulumi would refuse, from --stack (a usage error) and from a stack file's name", async () => {
        const run = await renderInProcess("--stack", "a b$x");
        assert.equal(run.status, 2);
        assert.equal(
            run.stderr,
            `--stack "a b$x" is not a stack name Pulumi accepts: a stack name is 1 to 100 letters, digits, '-', '_' and '.', as Pulumi accepts it ` +
                "(pulumi stack init refuses any other)\nusage: npm run render -- (--stack <name> | --config <path/to/Pulumi.<stack>.yaml>) [--out <dir>]\n",
        );
        assert.equal((await renderInProcess("--stack", "s".repeat(101))).status, 2, "longer than 100 characters");
        const file = path.join(tmp, "Pulumi.a b$x.yaml");
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), file);
        const out = path.join(tmp, "out");
        const fromFile = await renderInProcess("--config", file, "--out", out);
        assert.equal(fromFile.status, 1);
        assert.equal(fromFile.stderr, `${file}: "a b$x" is not a stack name Pulumi accepts: a stack name is 1 to 100 letters, digits, '-', '_' and '.', as Pulumi accepts it (pulumi stack init refuses any other), so no stack reads this file\n`);
        assert.ok(!fs.existsSync(out), "no files written");
        // The longest name Pulumi takes is rendered.
        const longest = path.join(tmp, `Pulumi.${"s".repeat(100)}.yaml`);
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), longest);
        assert.equal((await renderInProcess("--config", longest, "--out", out)).status, 0);
    });

    it("refuses stack names made only of dots, from --stack and from a stack file's name, writing nothing (issue 18, item 8)", async () => {
        for (const stack of [".", "..", "..."]) {
            const run = await renderInProcess("--stack", stack);
            assert.equal(run.status, 2, stack);
            assert.ok(
                run.stderr.startsWith(
                    `--stack ${JSON.stringify(stack)} is made only of dots, which this project refuses as a stack name: the render writes a stack ` +
                        "into out/<stack>, and out/. is out/ itself, out/.. the project folder: give a name with a letter or digit\nusage: ",
                ),
                run.stderr,
            );
        }
        const cwd = path.join(tmp, "project");
        fs.mkdirSync(cwd);
        for (const stack of [".", ".."]) {
            const file = path.join(cwd, `Pulumi.${stack}.yaml`);
            fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), file);
            const stderr: string[] = [];
            const status = await renderCli(["--config", file], { stdout: () => undefined, stderr: (l) => stderr.push(l), cwd });
            assert.equal(status, 1);
            assert.match(stderr.join(""), new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: "${stack.replace(/\./g, "\\.")}" is made only of dots`));
        }
        assert.deepEqual(fs.readdirSync(cwd).sort(), ["Pulumi....yaml", "Pulumi...yaml"], "nothing written into the project folder or out/");
    });

    it("writes each release's chart, version, source and Helm timeout into plan.txt and releases.json", async () => {
        const dev = await renderStack(readStackFile(path.join(PROJECT_DIR, "Pulumi.dev.yaml")));
        const plan = dev.files["plan.txt"];
        assert.ok(
            plan.includes(
                [
                    "",
                    "releases:",
                    "  velero (namespace velero): chart velero 11.2.0 from repository https://vmware-tanzu.github.io/helm-charts, timeout 300 s (Helm's default: the release sets none)",
                    "  hopsworks (namespace hopsworks): chart hopsworks 4.8.0 from repository https://charts.example.com/hopsworks (with a login, secret), timeout 1200 s",
                    "",
                    "resources, in declaration order:",
                ].join("\n"),
            ),
            plan,
        );
        assert.deepEqual(JSON.parse(dev.files["releases.json"]), [
            {
                release: "velero",
                namespace: "velero",
                chart: "velero",
                version: "11.2.0",
                source: "repository",
                repository: "https://vmware-tanzu.github.io/helm-charts",
                login: false,
                timeoutSeconds: HELM_DEFAULT_TIMEOUT_SECONDS,
                timeoutIsHelmDefault: true,
            },
            {
                release: "hopsworks",
                namespace: "hopsworks",
                chart: "hopsworks",
                version: "4.8.0",
                source: "repository",
                repository: "https://charts.example.com/hopsworks",
                login: true,
                timeoutSeconds: 1200,
                timeoutIsHelmDefault: false,
            },
        ]);
        assert.equal(HELM_DEFAULT_TIMEOUT_SECONDS, 300);

        // An OCI registry and a local chart, and the timeout the stack sets.
        const c = minioConfig();
        c.velero = { repo: "oci://registry.example.com/vmware-tanzu", namespace: "backups" };
        c.hopsworks.repo = "test/fixtures/charts/hopsworks";
        c.hopsworks.timeoutSeconds = 3600;
        const { files } = await renderStack(stackFile(c));
        const local = path.join(PROJECT_DIR, "test/fixtures/charts/hopsworks");
        assert.match(files["plan.txt"], /\n  velero \(namespace backups\): chart oci:\/\/registry\.example\.com\/vmware-tanzu\/velero 11\.2\.0 from an OCI registry, timeout 300 s \(Helm's default: the release sets none\)\n/);
        assert.ok(files["plan.txt"].includes(`\n  hopsworks (namespace hopsworks): local chart ${local} 4.8.0, timeout 3600 s\n`), files["plan.txt"]);
        assert.deepEqual(
            JSON.parse(files["releases.json"]).map((r: any) => [r.chart, r.source, r.repository, r.login, r.timeoutSeconds, r.timeoutIsHelmDefault]),
            [
                ["oci://registry.example.com/vmware-tanzu/velero", "oci", null, false, 300, true],
                [local, "local", null, false, 3600, false],
            ],
        );
    });
});
