import assert from "assert/strict";
import { renderStack, RenderError } from "../render/render";
import { RecorderOptions } from "../render/recorder";
import * as fs from "fs";
import * as path from "path";
import { caBundleFileName } from "../stacks/plan/ca-bundle";
import { FakeS3, manualRuleXml, startFakeS3 } from "./support/fake-s3";
import { awsConfig, irsaConfig, minioConfig, PROJECT_DIR, stackFile } from "./support/stacks";

/** The whole program (index.ts), as `pulumi up` would run it. */
async function program(values: Record<string, any>, options: RecorderOptions = {}) {
    const { resources, outputs } = await renderStack(stackFile(values), options);
    const nameOf = (urn: string) => resources.find((r) => r.urn === urn)?.name ?? urn;
    const find = (type: string) => {
        const r = resources.find((x) => x.type === type);
        assert.ok(r, `no ${type} declared`);
        return r;
    };
    return { resources, outputs, nameOf, find };
}

describe("the program (index.ts)", () => {
    it("declares bucket, Velero, location and Hopsworks in the manual's order, each waiting for the one before", async () => {
        const { resources, nameOf, find } = await program(minioConfig());
        assert.deepEqual(
            resources.filter((r) => !r.custom).map((r) => r.type),
            [
                "hopsworks-dr:index:BackupBucket",
                "hopsworks-dr:index:Velero",
                "hopsworks-dr:index:BackupLocation",
                "hopsworks-dr:index:Hopsworks",
            ],
        );
        const location = find("kubernetes:velero.io/v1:BackupStorageLocation");
        const secret = find("kubernetes:core/v1:Secret");
        const hopsworks = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks")!;
        // The location's Secret waits for Velero (its CRD) and the bucket; the location for the Secret.
        assert.ok(secret.dependencies.map(nameOf).includes("velero"), "Secret waits for the Velero release");
        assert.ok(secret.dependencies.map(nameOf).includes("backup-bucket-versioning"), "Secret waits for the bucket's versioning");
        assert.deepEqual(location.dependencies.map(nameOf), ["backup-location-credentials"]);
        assert.ok(hopsworks.dependencies.map(nameOf).includes("backup-location"), "Hopsworks waits for the location");
    });

    it("feeds the role it creates for irsa into Velero's service account", async () => {
        const c = irsaConfig();
        const { resources, nameOf, outputs } = await program(c);
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "velero")!;
        assert.equal(
            release.inputs.values.serviceAccount.server.annotations["eks.amazonaws.com/role-arn"],
            "<ARN of IAM role hopsworks-dr-test-eu-north-1-velero: known after deployment>",
        );
        assert.ok(release.dependencies.map(nameOf).includes("velero-iam-role"));
        assert.equal(outputs.veleroRoleArn, "<ARN of IAM role hopsworks-dr-test-eu-north-1-velero: known after deployment>");
    });

    it("takes Velero's chart from an OCI registry and Hopsworks' from a local chart directory, as configured", async () => {
        const c = minioConfig();
        c.velero = { repo: "oci://registry.example.com/vmware-tanzu" };
        c.hopsworks.repo = "test/fixtures/charts/hopsworks";
        const { resources } = await program(c);
        const release = (name: string) => resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === name)!;
        assert.equal(release("velero").inputs.chart, "oci://registry.example.com/vmware-tanzu/velero");
        assert.equal(release("velero").inputs.repositoryOpts, undefined);
        assert.equal(release("hopsworks").inputs.chart, path.join(PROJECT_DIR, "test/fixtures/charts/hopsworks"));
        assert.equal(release("hopsworks").inputs.repositoryOpts, undefined);
    });

    it("reaches the store at storage.apiEndpoint from Pulumi, while Velero's location keeps storage.endpoint", async () => {
        const c = minioConfig();
        c.storage.endpoint = "http://minio.minio.svc.cluster.local:9000";
        c.storage.apiEndpoint = "https://minio.ci.example.com";
        const { find } = await program(c);
        assert.equal(find("pulumi:providers:aws").inputs.endpoints, JSON.stringify([{ s3: "https://minio.ci.example.com" }]));
        assert.equal(find("kubernetes:velero.io/v1:BackupStorageLocation").inputs.spec.config.s3Url, "http://minio.minio.svc.cluster.local:9000");
    });

    it("hands storage.caCert to the bucket's provider as a customCaBundle file, and to Velero's location base64-encoded", async () => {
        const pem = "-----BEGIN CERTIFICATE-----\nMIIBprogramTEST\n-----END CERTIFICATE-----";
        const c = minioConfig();
        c.storage.caCert = pem;
        const file = path.join(PROJECT_DIR, ".pulumi-ca", caBundleFileName(pem));
        try {
            const { find } = await program(c);
            assert.equal(find("pulumi:providers:aws").inputs.customCaBundle, file);
            assert.equal(fs.readFileSync(file, "utf8"), `${pem}\n`);
            assert.equal(find("kubernetes:velero.io/v1:BackupStorageLocation").inputs.spec.objectStorage.caCert, Buffer.from(`${pem}\n`).toString("base64"));
        } finally {
            fs.rmSync(file, { force: true });
        }
        const { find } = await program(minioConfig());
        assert.equal(find("pulumi:providers:aws").inputs.customCaBundle, undefined, "no bundle without caCert");
    });

    describe("storage.manage: false (the bucket managed outside the stack)", () => {
        let store: FakeS3;
        before(async () => {
            store = await startFakeS3({
                "hopsworks-test": { versioning: "Enabled", lifecycleRules: [manualRuleXml(60)] },
                "short-lived": { versioning: "Enabled", lifecycleRules: [manualRuleXml(14)] },
            });
        });
        after(() => store.close());
        beforeEach(() => (store.requests.length = 0));
        const external = (bucket = "hopsworks-test") => {
            const c = minioConfig();
            Object.assign(c.storage, { bucket, manage: false, endpoint: "http://minio.minio.svc.cluster.local:9000", apiEndpoint: store.url });
            delete c.storage.breakGlassPrincipals;
            return c;
        };
        const isAws = (r: { type: string }) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws";

        it("offline: declares no AWS resource, reads nothing, and lists the bucket check as not evaluated", async () => {
            const { resources, outputs, files } = await renderStack(stackFile(external()));
            assert.deepEqual(resources.filter(isAws).map((r) => r.type), []);
            assert.ok(!resources.some((r) => r.type === "hopsworks-dr:index:BackupBucket"), "no BackupBucket component");
            assert.equal(store.requests.length, 0, "the offline render does not call S3");
            assert.equal(outputs.bucketName, "hopsworks-test");
            assert.deepEqual(outputs.externalBucket, {
                requirement:
                    "bucket hopsworks-test (managed outside the stack) has versioning Enabled, and no enabled lifecycle rule for the whole bucket " +
                    "deletes noncurrent versions younger than 60 days (backup.ttl 60d) or expires current objects (without a rule that expires " +
                    "noncurrent versions they are kept forever, which only warns of the cost)",
                settings: {
                    Versioning: { Status: "Enabled" },
                    LifecycleConfiguration: {
                        Rules: [
                            {
                                ID: "HopsFSBlocksRetentionPolicy",
                                Status: "Enabled",
                                Filter: {},
                                Expiration: { ExpiredObjectDeleteMarker: true },
                                NoncurrentVersionExpiration: { NoncurrentDays: 60 },
                            },
                        ],
                    },
                },
                evaluated: false,
                found: null,
            });
            assert.match(
                files["plan.txt"],
                /^stack: test\nmode: none \(normal backup operation\)\nbucket: hopsworks-test, managed outside the stack \(storage\.manage: false\): the stack declares no AWS resource\n/,
            );
            assert.match(files["plan.txt"], /not evaluated offline \(it reads the bucket over the S3 API; `pulumi preview` and `pulumi up` evaluate it\):\n {2}- bucket hopsworks-test \(managed outside the stack\) has versioning Enabled/);
            assert.deepEqual(JSON.parse(files["bucket.json"]), {
                Bucket: "hopsworks-test",
                ManagedOutsideTheStack: true,
                Requirement: (outputs.externalBucket as any).requirement,
                ...(outputs.externalBucket as any).settings,
                Found: null,
            });
        });

        it("deploying: reads the bucket at storage.apiEndpoint with the stack's keys, then declares Velero, the location and Hopsworks", async () => {
            const { resources, outputs, nameOf, find } = await program(external(), { previousOutputs: {} });
            assert.deepEqual(resources.filter(isAws).map((r) => r.type), []);
            assert.deepEqual([...new Set(store.requests.map((r) => r.accessKeyId))], ["AKIATESTKEY"]);
            // Versioning, lifecycle and Object Lock.
            assert.equal(store.requests.length, 3);
            assert.deepEqual(outputs.externalBucket, {
                requirement: (outputs.externalBucket as any).requirement,
                settings: (outputs.externalBucket as any).settings,
                evaluated: true,
                found: 'versioning Enabled; lifecycle rule "HopsFSBlocksRetentionPolicy" for the whole bucket keeps noncurrent versions 60 days',
            });
            const secret = find("kubernetes:core/v1:Secret");
            assert.deepEqual(secret.dependencies.map(nameOf), ["velero"], "the location waits for Velero only");
            assert.equal(find("kubernetes:velero.io/v1:BackupStorageLocation").inputs.spec.config.s3Url, "http://minio.minio.svc.cluster.local:9000");
        });

        it("deploying: refuses a bucket that keeps noncurrent versions shorter than the ttl, before declaring anything", async () => {
            await assert.rejects(renderStack(stackFile(external("short-lived")), { previousOutputs: {} }), (error: RenderError) => {
                assert.equal(
                    error.message.split("\n")[0],
                    "Invalid stack config (1 problem):",
                );
                assert.match(error.message, /hopsworks-dr:storage\.bucket = "short-lived" \(storage\.manage: false\): its lifecycle rule "HopsFSBlocksRetentionPolicy" applies to the whole bucket and keeps noncurrent versions 14 days/);
                assert.deepEqual(error.resources, [], "nothing declared");
                return true;
            });
        });

        it("on AWS with an existing role: no AWS provider, bucket, IAM or anything else of AWS", async () => {
            const c = awsConfig();
            c.storage.manage = false;
            const { resources, outputs } = await program(c);
            assert.deepEqual(resources.filter(isAws).map((r) => r.type), []);
            assert.equal(outputs.veleroRoleArn, "arn:aws:iam::123456789012:role/velero");
            assert.equal(outputs.bucketName, "hopsworks-backups");
        });
    });

    it("protects the bucket and its public access block, and retains every bucket setting on delete", async () => {
        const { resources } = await program(awsConfig());
        assert.deepEqual(
            resources.filter((r) => r.type.startsWith("aws:s3")).map((r) => [r.name, r.protect, r.retainOnDelete]),
            [
                ["backup-bucket", true, true],
                ["backup-bucket-versioning", false, true],
                ["backup-bucket-lifecycle", false, true],
                ["backup-bucket-encryption", false, true],
                ["backup-bucket-public-access", true, true],
                // Not protected: a bucket policy that must change (a new break-glass principal) is replaced by its owner.
                ["backup-bucket-policy", false, true],
            ],
        );
    });

    it("exports the mode, bucket, location and release", async () => {
        const { outputs } = await program(awsConfig());
        assert.equal(outputs.externalBucket, null, "the stack manages the bucket");
        assert.equal(outputs.mode, "none");
        assert.equal(outputs.restore, null);
        assert.equal(outputs.backupLocationAccessMode, "ReadWrite");
        assert.equal(outputs.bucketName, "hopsworks-backups");
        assert.equal(outputs.backupLocation, "hopsworks-bsl");
        assert.equal(outputs.veleroNamespace, "velero");
        assert.equal(outputs.veleroRoleArn, "arn:aws:iam::123456789012:role/velero");
    });

    it("refuses invalid config before declaring anything, with every problem and no stack trace", async () => {
        const c = minioConfig();
        c.storage.bucket = "Bad_Bucket";
        c.backup = { ttl: "2w" };
        await assert.rejects(renderStack(stackFile(c)), (error: Error) => {
            assert.equal(
                error.message,
                "Invalid stack config (2 problems):\n" +
                    '  - hopsworks-dr:storage.bucket = "Bad_Bucket": must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit\n' +
                    '  - hopsworks-dr:backup.ttl = "2w": must be a whole number of days or hours such as "60d" or "720h" (the chart\'s pattern ^\\d+[dh]$)',
            );
            return true;
        });
    });

    describe("restores", () => {
        const VELERO = { main: "k8s-backups-main-20251124120012", users: "k8s-backups-users-resources-20251124120013" };
        const BACKUP = { backupId: "254811200", backupHopsworksVersion: "4.8.0", veleroBackups: VELERO };
        const IN_PLACE = { ...BACKUP, mode: "in-place", forceDataClear: true, confirm: "test/254811200" };
        const withRestore = (restore: Record<string, unknown>) => ({ ...minioConfig(), restore });
        /** A restore into a stack never deployed: the bucket exists, so the stack adopts it (storage.create: false). */
        const intoNewStack = (restore: Record<string, unknown>) => {
            const c: Record<string, any> = withRestore(restore);
            Object.assign(c.storage, { create: false, replaceLifecycleRules: true });
            return c;
        };
        const installed = { hopsworksInstalledAt: "2025-11-01T00:00:00.000Z", installedFromBackup: null, activeRestore: null, restoreHistory: [] };

        it("new-cluster: location (ReadOnly) -> main restore -> users restore -> Hopsworks, each waiting for the one before", async () => {
            const { resources, nameOf, find } = await program(intoNewStack({ ...BACKUP, mode: "new-cluster" }), { previousOutputs: {} });
            const location = find("kubernetes:velero.io/v1:BackupStorageLocation");
            const [main, users] = resources.filter((r) => r.type === "kubernetes:velero.io/v1:Restore");
            const hopsworks = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks")!;
            assert.equal(location.inputs.spec.accessMode, "ReadOnly");
            assert.deepEqual([main.name, users.name], ["k8s-backups-main", "k8s-backups-users-resources"]);
            assert.ok(main.dependencies.map(nameOf).includes("backup-location"), "main waits for the location");
            assert.ok(users.dependencies.map(nameOf).includes("k8s-backups-main"), "users waits for main");
            assert.ok(hopsworks.dependencies.map(nameOf).includes("k8s-backups-users-resources"), "Hopsworks waits for users");
            assert.deepEqual(hopsworks.inputs.values.global._hopsworks.restoreFromBackup, { backupId: "254811200" });
            // The restores gate the install through the description, so a preview still shows the values.
            assert.deepEqual(hopsworks.propertyDependencies.values ?? [], []);
            assert.deepEqual(hopsworks.propertyDependencies.description.map(nameOf), ["k8s-backups-main", "k8s-backups-users-resources"]);
            assert.equal(hopsworks.inputs.description, "hopsworks-dr: new-cluster restore of backup 254811200");
            // The restore point's own Velero backups, not each schedule's newest.
            assert.deepEqual([main.inputs.spec, users.inputs.spec], [{ backupName: VELERO.main }, { backupName: VELERO.users }]);
        });

        it("installs Hopsworks atomically during a new-cluster restore only: a failed install is uninstalled, not left to be upgraded", async () => {
            const release = async (values: Record<string, any>, previousOutputs: Record<string, unknown>) =>
                (await program(values, { previousOutputs })).resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks")!;
            const newCluster = await release(intoNewStack({ ...BACKUP, mode: "new-cluster" }), {});
            assert.deepEqual([newCluster.inputs.atomic, newCluster.inputs.cleanupOnFail], [true, true]);
            // In place, a rollback would come after the data was cleared; in normal operation, nothing changes.
            for (const other of [await release(withRestore(IN_PLACE), installed), await release(minioConfig(), installed)]) {
                assert.deepEqual([other.inputs.atomic, other.inputs.cleanupOnFail], [undefined, undefined]);
            }
        });

        it("new-cluster: records the install from backup and the applied restore in the outputs", async () => {
            const { outputs } = await program(intoNewStack({ ...BACKUP, mode: "new-cluster" }), { previousOutputs: {} });
            assert.equal(outputs.installedFromBackup, "254811200");
            assert.match(String(outputs.hopsworksInstalledAt), /^\d{4}-\d\d-\d\dT/);
            const active = outputs.activeRestore as any;
            assert.deepEqual({ mode: active.mode, backupId: active.backupId }, { mode: "new-cluster", backupId: "254811200" });
            assert.deepEqual(outputs.restoreHistory, [active]);
            assert.equal(outputs.backupLocationAccessMode, "ReadOnly");
        });

        it("a restore that does not complete stops the deployment before Hopsworks is declared", async () => {
            await assert.rejects(
                renderStack(stackFile(intoNewStack({ ...BACKUP, mode: "new-cluster" })), { previousOutputs: {}, restorePhase: "Failed" }),
                (error: RenderError) => {
                    assert.match(error.message, /Velero restore velero\/k8s-backups-main ended Failed, not Completed; Hopsworks was not installed/);
                    assert.ok(!error.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks"), "no Hopsworks release");
                    // The users restore waits for the main one's outcome, not only for it to exist.
                    assert.deepEqual(
                        error.resources.filter((r) => r.type === "kubernetes:velero.io/v1:Restore").map((r) => r.name),
                        ["k8s-backups-main"],
                    );
                    return true;
                },
            );
        });

        it("the users restore starts once the main one completed, and records that it did", async () => {
            const { resources } = await program(intoNewStack({ ...BACKUP, mode: "new-cluster" }), { previousOutputs: {} });
            const [main, users] = resources.filter((r) => r.type === "kubernetes:velero.io/v1:Restore");
            assert.equal(main.inputs.metadata.annotations["hopsworks-dr.io/after-restore"], undefined);
            assert.equal(users.inputs.metadata.annotations["hopsworks-dr.io/after-restore"], "Completed");
        });

        it("refuses a new-cluster restore into a stack never deployed that would create the bucket it restores from, with the way forward", async () => {
            await assert.rejects(renderStack(stackFile(withRestore({ ...BACKUP, mode: "new-cluster" })), { previousOutputs: {} }), (error: RenderError) => {
                assert.match(
                    error.message,
                    /hopsworks-dr:storage\.create = true \(the default\): stack test has never been deployed, so this new-cluster restore is a restore into a new stack, and it would create bucket hopsworks-test, .*pulumi config set --path storage\.manage false -s test .*storage\.create false and storage\.replaceLifecycleRules true/,
                );
                assert.deepEqual(error.resources, [], "refused before any resource");
                return true;
            });
            // A reused stack holds the bucket in its state: create: true is a no-op there.
            const reused = await program(withRestore({ ...BACKUP, mode: "new-cluster" }), { previousOutputs: installed });
            assert.ok(reused.resources.some((r) => r.type === "aws:s3/bucket:Bucket"));
        });

        it("new-cluster on a reused stack records a fresh install, so older backups cannot be restored in place", async () => {
            const { outputs } = await program(withRestore({ ...BACKUP, mode: "new-cluster" }), { previousOutputs: installed });
            assert.notEqual(outputs.hopsworksInstalledAt, installed.hopsworksInstalledAt);
            assert.equal(outputs.installedFromBackup, "254811200");
        });

        it("in-place: upgrades the running release with the restore values and no Velero Restores of its own", async () => {
            const { resources, outputs } = await program(withRestore(IN_PLACE), { previousOutputs: installed });
            assert.ok(!resources.some((r) => r.type === "kubernetes:velero.io/v1:Restore"));
            const hopsworks = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks")!;
            assert.deepEqual(hopsworks.inputs.values.global._hopsworks.restoreFromBackup, { backupId: "254811200", inPlace: true, forceDataClear: true });
            assert.equal(hopsworks.inputs.timeout, 10800);
            assert.equal(outputs.hopsworksInstalledAt, "2025-11-01T00:00:00.000Z", "the install time is carried forward");
            assert.equal(outputs.backupLocationAccessMode, "ReadWrite");
        });

        it("refuses, before declaring anything, a restore the previous deployment already applied", async () => {
            const previous = { ...installed, activeRestore: { mode: "in-place", backupId: "254811200", appliedAt: "2025-12-02T00:00:00.000Z" } };
            await assert.rejects(renderStack(stackFile(withRestore(IN_PLACE)), { previousOutputs: previous }), (error: RenderError) => {
                assert.match(error.message, /hopsworks-dr:restore.mode = "in-place": the in-place restore of backup 254811200 was already applied at 2025-12-02T00:00:00.000Z; set restore.mode: none/);
                assert.deepEqual(error.resources, [], "nothing declared");
                return true;
            });
        });

        it("refuses an in-place restore on a stack that has never installed Hopsworks", async () => {
            await assert.rejects(renderStack(stackFile(withRestore(IN_PLACE)), { previousOutputs: {} }), /has no Hopsworks release yet/);
        });

        it("mode none after a restore: the location back to ReadWrite, no restore values, the history kept", async () => {
            const applied = { mode: "new-cluster", backupId: "254811200", appliedAt: "2025-12-02T00:00:00.000Z" };
            const previous = { ...installed, installedFromBackup: "254811200", activeRestore: applied, restoreHistory: [applied] };
            const { resources, outputs, find } = await program(minioConfig(), { previousOutputs: previous });
            assert.equal(find("kubernetes:velero.io/v1:BackupStorageLocation").inputs.spec.accessMode, "ReadWrite");
            const hopsworks = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "hopsworks")!;
            assert.ok(!JSON.stringify(hopsworks.inputs.values).includes("restoreFromBackup"));
            assert.equal(outputs.activeRestore, null);
            assert.deepEqual(outputs.restoreHistory, [applied]);
            assert.equal(outputs.installedFromBackup, "254811200");
            assert.equal(outputs.hopsworksInstalledAt, "2025-11-01T00:00:00.000Z");
        });

        it("a first deployment records when Hopsworks was installed; offline, a visible placeholder stands in", async () => {
            const first = await program(minioConfig(), { previousOutputs: {} });
            assert.match(String(first.outputs.hopsworksInstalledAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
            assert.equal(first.outputs.installedFromBackup, null);
            assert.deepEqual(first.outputs.restoreHistory, []);
            const offline = await program(minioConfig());
            assert.equal(offline.outputs.hopsworksInstalledAt, "<time of the deployment>");
        });

        it("offline, evaluates every other rule and lists the checks that need the previous deployment", async () => {
            const { files } = await renderStack(stackFile(withRestore(IN_PLACE)));
            const plan = files["plan.txt"];
            assert.match(plan, /^stack: test\nmode: in-place restore\nbackup: 254811200, taken 2025-11-24T12:00:00.000Z \(decoded from the ID, UTC\)\nsteps, in order:\n {2}1\. the Hopsworks release upgraded/);
            assert.match(plan, /not evaluated offline[^\n]*:\n {2}- the stack has a running Hopsworks release[^\n]*\n {2}- the backup was taken after the cluster's last fresh install[^\n]*\n {2}- this restore was not already applied/);
        });

        it("plan.txt and the restore output show every override of the restore block, or that there is none", async () => {
            const plain = await renderStack(stackFile(withRestore(IN_PLACE)));
            assert.match(plain.files["plan.txt"], /\noverrides: none \(every service restores backup 254811200\)\nnot evaluated offline/);
            const overridden = withRestore({ ...IN_PLACE, rondbBackupId: "254811140", opensearchSnapshot: "254811141", opensearchSkipIndices: ["logs-2025", "audit"] });
            const { files, outputs } = await renderStack(stackFile(overridden));
            const expected = [
                "RonDB restores its backup 254811140 (restore.rondbBackupId), not 254811200",
                "OpenSearch restores snapshot 254811141 (restore.opensearchSnapshot), not 254811200",
                "OpenSearch leaves out indices logs-2025, audit (restore.opensearchSkipIndices)",
            ];
            assert.deepEqual((outputs.restore as any).overrides, expected);
            assert.ok(files["plan.txt"].includes(`\noverrides:\n${expected.map((o) => `  - ${o}\n`).join("")}not evaluated offline`), files["plan.txt"]);
        });
    });
});
