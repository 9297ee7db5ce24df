import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIGMAPS, FakeCluster, JOBS, RESTORES, run, seedCatalogue, startFakeCluster } from "./fake-cluster";

const PROJECT_DIR = path.resolve(__dirname, "../..");

const WARNINGS =
    `warning: configmap opensearch-backups-metadata, entry 255111000: skipped, unknown state "EXPLODED" (known: SUCCESS, FAILED, RUNNING, IN_PROGRESS)\n` +
    "warning: configmap rondb-backups-metadata, entry 255111000: skipped, not valid JSON\n";

const STACK_FILE = `# prod: Hopsworks on EKS, backups to S3.
config:
  hopsworks-dr:storage:
    bucket: hopsworks-prod-backups
    region: eu-north-1
    # Velero assumes this role through IRSA.
    iamRoleArn: arn:aws:iam::123456789012:role/velero
  hopsworks-dr:backup:
    schedule: "0 10 * * 1"   # Mondays 10:00 UTC
    ttl: 60d
  hopsworks-dr:hopsworks:
    repo: https://charts.example.com/hopsworks
    repoUsername:
      secure: v1:AAAAencryptedUser
    repoPassword:
      secure: v1:AAAAencryptedPassword
    chartVersion: 4.8.0
    version: 4.8.0
  # Velero settings stay last in this file.
  hopsworks-dr:velero:
    kubectlImageTag: "1.33"
`;

const RESTORE_BLOCK = `  hopsworks-dr:restore:
    mode: new-cluster
    backupId: "250111000"
    backupHopsworksVersion: 4.8.0
    veleroBackups:
      main: k8s-backups-main-20251229100012
      users: k8s-backups-users-resources-20251229100013
`;

/**
 * The real bin in a child process, started when this file loads so that its start-up (tsx,
 * client-node) overlaps mocha loading the other test files; the last test awaits it.
 */
const binRun = (async () => {
    const binCluster = await startFakeCluster();
    seedCatalogue(binCluster);
    const bin = path.join(PROJECT_DIR, "cli", "bin.js");
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, "backups", "list", "--json"], { cwd: binCluster.dir, env: { ...process.env, KUBECONFIG: binCluster.kubeconfig } },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
    });
    await binCluster.close();
    return result;
})();

describe("hopsworks-dr CLI against an in-process API server", () => {
    let cluster: FakeCluster;
    let stackPath: string;

    beforeEach(async () => {
        cluster = await startFakeCluster();
        seedCatalogue(cluster);
        stackPath = path.join(cluster.dir, "Pulumi.prod.yaml");
        fs.writeFileSync(stackPath, STACK_FILE);
    });
    afterEach(() => cluster.close());

    describe("backups list", () => {
        it("lists restore points newest first by time, rotated ConfigMaps included, warning about bad entries", async () => {
            const result = await run(cluster, ["backups", "list"]);
            assert.strictEqual(result.stdout, [
                "BACKUP ID  TIME (UTC)        RONDB    OPENSEARCH  VELERO MAIN                      VELERO USERS                                COMPLETE",
                "260211000  2026-01-05 10:00  SUCCESS  FAILED      k8s-backups-main-20260105100012  k8s-backups-users-resources-20260105100013  no",
                "250111000  2025-12-29 10:00  SUCCESS  SUCCESS     k8s-backups-main-20251229100012  k8s-backups-users-resources-20251229100013  yes",
                "255211000  2025-12-22 10:00  SUCCESS  SUCCESS     k8s-backups-main-20251222100012  k8s-backups-users-resources-20251222100013  yes",
                "",
            ].join("\n"));
            assert.strictEqual(result.stderr, WARNINGS);
            assert.strictEqual(result.code, 0);
            // The unlabelled -2 was found by name, and probing stopped at the first missing name.
            assert.ok(cluster.requests.includes("GET /api/v1/namespaces/hopsworks/configmaps/rondb-backups-metadata-2"));
            assert.ok(cluster.requests.includes("GET /api/v1/namespaces/hopsworks/configmaps/rondb-backups-metadata-3"));
            assert.ok(!cluster.requests.includes("GET /api/v1/namespaces/hopsworks/configmaps/rondb-backups-metadata-4"));
        });

        it("prints JSON for scripts", async () => {
            const result = await run(cluster, ["backups", "list", "--json"]);
            const points = JSON.parse(result.stdout);
            assert.deepStrictEqual(points.map((p: any) => [p.id, p.time, p.complete]), [
                ["260211000", "2026-01-05T10:00:05.000Z", false],
                ["250111000", "2025-12-29T10:00:04.000Z", true],
                ["255211000", "2025-12-22T10:00:03.000Z", true],
            ]);
            assert.deepStrictEqual(points[1].velero.users, {
                name: "k8s-backups-users-resources-20251229100013",
                phase: "Completed",
                started: "2025-12-29T10:00:13.000Z",
                completed: "2025-12-29T10:00:53.000Z",
            });
        });

        it("fails on a missing metadata ConfigMap, naming it", async () => {
            for (const name of ["opensearch-backups-metadata"]) cluster.objects.get(CONFIGMAPS)!.delete(name);
            const result = await run(cluster, ["backups", "list"]);
            assert.deepStrictEqual([result.code, result.stdout, result.stderr], [
                1,
                "",
                "error: configmap opensearch-backups-metadata not found in namespace hopsworks (nor any with labels app=backups-metadata,service=opensearch)\n",
            ]);
        });

        it("reports 403 and an unreachable cluster in one line each", async () => {
            cluster.forbid = (_method, pathname) => pathname.endsWith("/configmaps");
            const forbidden = await run(cluster, ["backups", "list"]);
            assert.deepStrictEqual([forbidden.code, forbidden.stdout], [1, ""]);
            assert.strictEqual(
                forbidden.stderr,
                "error: list configmaps -l app=backups-metadata,service=rondb in namespace hopsworks: forbidden (403): " +
                    `configmaps is forbidden: User "system:serviceaccount:ops:reader" cannot list resource "configmaps" in the namespace "hopsworks"\n`,
            );
            const closed = await run(cluster, ["backups", "list", "--context", "closed"]);
            assert.strictEqual(closed.code, 1);
            assert.match(closed.stderr, /^error: list configmaps -l app=backups-metadata,service=rondb in namespace hopsworks: cannot reach the cluster at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
        });
    });

    describe("backups status", () => {
        it("exits 1 with one line per reason when a service is overdue", async () => {
            const result = await run(cluster, ["backups", "status", "--stack", "prod"]);
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stdout, [
                "location hopsworks-bsl: Available, last synced 2026-01-06 11:59 UTC",
                "schedule 0 10 * * 1: every 7d; a backup is overdue after 7d 1h",
                "",
                "SERVICE       NEWEST SUCCESSFUL                           TIME (UTC)        AGE    ON TIME",
                "rondb         260211000                                   2026-01-05 10:00  1d 1h  yes",
                "opensearch    250111000                                   2025-12-29 10:00  8d 2h  NO",
                "velero main   k8s-backups-main-20260105100012             2026-01-05 10:00  1d 1h  yes",
                "velero users  k8s-backups-users-resources-20260105100013  2026-01-05 10:00  1d 1h  yes",
                "",
                "newest complete restore point: 250111000 (2025-12-29 10:00 UTC)",
                "unhealthy (1 problem):",
                "  - opensearch: newest successful backup 250111000 is 8d 2h old, more than the schedule's interval 7d (0 10 * * 1) plus 1h grace",
                "",
            ].join("\n"));
        });

        it("exits 0 when every service is on time, and 1 when the location is unavailable", async () => {
            const opensearch = cluster.objects.get(CONFIGMAPS)!.get("opensearch-backups-metadata")! as any;
            opensearch.data["260211000"] = JSON.stringify({ state: "SUCCESS" });
            const healthy = await run(cluster, ["backups", "status", "--schedule", "0 10 * * 1", "--json"]);
            assert.strictEqual(healthy.code, 0);
            const report = JSON.parse(healthy.stdout);
            assert.deepStrictEqual([report.healthy, report.newestComplete.id, report.problems], [true, "260211000", []]);
            const location = [...cluster.objects.get("/apis/velero.io/v1/namespaces/velero/backupstoragelocations")!.values()][0] as any;
            location.status = { phase: "Unavailable" };
            const unhealthy = await run(cluster, ["backups", "status", "--schedule", "0 10 * * 1"]);
            assert.strictEqual(unhealthy.code, 1);
            assert.ok(unhealthy.stdout.endsWith(
                "unhealthy (2 problems):\n  - location hopsworks-bsl: phase is Unavailable, not Available\n" +
                    "  - location hopsworks-bsl: has never synced backups from the bucket\n",
            ));
        });

        it("refuses a run without a schedule (usage, exit 2) and a stack file that does not exist", async () => {
            const usage = await run(cluster, ["backups", "status"]);
            assert.strictEqual(usage.code, 2);
            assert.ok(usage.stderr.startsWith("error: give exactly one of --schedule <cron> and --stack <name>"));
            const missing = await run(cluster, ["backups", "status", "--stack", "staging"]);
            assert.deepStrictEqual([missing.code, missing.stderr], [1, "error: Pulumi.staging.yaml: no such stack file\n"]);
        });
    });

    describe("restore clean-markers", () => {
        beforeEach(() => {
            cluster.put(JOBS, { apiVersion: "batch/v1", kind: "Job", metadata: { name: "hopsfs-inplace-restore-250111000", namespace: "hopsworks" } });
            cluster.put(JOBS, { apiVersion: "batch/v1", kind: "Job", metadata: { name: "restore-native-backup-250111000", namespace: "hopsworks" } });
            cluster.put(RESTORES, { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "k8s-backups-main", namespace: "velero" } });
        });

        it("without --yes lists what exists and deletes nothing", async () => {
            const result = await run(cluster, ["restore", "clean-markers", "--backup-id", "250111000"]);
            assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
            assert.strictEqual(result.stdout, [
                "markers of an in-place restore of backup 250111000:",
                "  job hopsworks/hopsfs-inplace-restore-250111000: exists, would be deleted",
                "  job hopsworks/restore-native-backup-250111000: exists, would be deleted",
                "  job hopsworks/setup-mysqld-dont-remove-250111000: not present",
                "  job hopsworks/opensearch-restore-default-default-250111000: not present",
                "  restore.velero.io velero/k8s-backups-main: exists, would be deleted",
                "  restore.velero.io velero/k8s-backups-users-resources: not present",
                "3 to delete; run again with --yes to delete them",
                "",
            ].join("\n"));
            assert.ok(!cluster.requests.some((r) => r.startsWith("DELETE")));
        });

        it("with --yes deletes them, Jobs in the background, and reports those already gone", async () => {
            const result = await run(cluster, ["restore", "clean-markers", "--backup-id", "250111000", "--yes"]);
            assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
            assert.strictEqual(result.stdout, [
                "markers of an in-place restore of backup 250111000:",
                "  job hopsworks/hopsfs-inplace-restore-250111000: deleted",
                "  job hopsworks/restore-native-backup-250111000: deleted",
                "  job hopsworks/setup-mysqld-dont-remove-250111000: already gone",
                "  job hopsworks/opensearch-restore-default-default-250111000: already gone",
                "  restore.velero.io velero/k8s-backups-main: deleted",
                "  restore.velero.io velero/k8s-backups-users-resources: already gone",
                "the in-place restore can run again with the same backup ID",
                "",
            ].join("\n"));
            assert.strictEqual(cluster.objects.get(JOBS)!.size, 0);
            assert.strictEqual(cluster.objects.get(RESTORES)!.size, 0);
            assert.ok(cluster.requests.includes("DELETE /apis/batch/v1/namespaces/hopsworks/jobs/hopsfs-inplace-restore-250111000?propagationPolicy=Background"));
        });

        it("stops at a 403 on delete, naming the object", async () => {
            cluster.forbid = (method) => method === "DELETE";
            const result = await run(cluster, ["restore", "clean-markers", "--backup-id", "250111000", "--yes"]);
            assert.strictEqual(result.code, 1);
            assert.strictEqual(
                result.stderr,
                "error: delete job hopsfs-inplace-restore-250111000 in namespace hopsworks: forbidden (403): " +
                    `jobs is forbidden: User "system:serviceaccount:ops:reader" cannot delete resource "jobs" in the namespace "hopsworks"\n`,
            );
        });
    });

    describe("restore plan and finish", () => {
        it("writes only the restore block, keeping comments and spacing, and finish removes exactly it", async () => {
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "new-cluster"]);
            assert.deepStrictEqual([plan.code, plan.stderr], [0, WARNINGS]);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE + RESTORE_BLOCK);
            assert.strictEqual(plan.stdout, [
                "restore point 250111000 (2025-12-29T10:00:04.000Z), Velero k8s-backups-main: k8s-backups-main-20251229100012, " +
                    "k8s-backups-users-resources: k8s-backups-users-resources-20251229100013",
                "--- Pulumi.prod.yaml",
                "+++ Pulumi.prod.yaml",
                "@@ -20,3 +20,10 @@",
                "   hopsworks-dr:velero:",
                `     kubectlImageTag: "1.33"`,
                ...RESTORE_BLOCK.trimEnd().split("\n").map((l) => `+${l}`),
                " ",
                "",
                "Next:",
                "  pulumi preview --diff -s prod",
                "  pulumi up -s prod",
                "After a successful restore: hopsworks-dr restore finish --stack prod",
                "",
            ].join("\n"));
            const finish = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(finish.code, 0);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE);
        });

        it("replaces a block in the middle of the file in place; in-place without --yes leaves the confirmation out", async () => {
            const lines = STACK_FILE.split("\n");
            const middle = [...lines.slice(0, 10), RESTORE_BLOCK.trimEnd(), ...lines.slice(10)].join("\n");
            fs.writeFileSync(stackPath, middle);
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup", "255211000"]);
            assert.strictEqual(plan.code, 0);
            const expectedBlock = RESTORE_BLOCK.replace("new-cluster", "in-place").replace("250111000", "255211000").replace(/20251229/g, "20251222");
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), [...lines.slice(0, 10), expectedBlock.trimEnd(), ...lines.slice(10)].join("\n"));
            assert.ok(plan.stdout.includes([
                "The stack refuses this in-place restore until it is confirmed: it replaces all data in prod with backup 255211000.",
                "To confirm, run (or re-run this command with --yes):",
                "  pulumi config set --path restore.forceDataClear true -s prod",
                "  pulumi config set --path restore.confirm prod/255211000 -s prod",
            ].join("\n")));
            const confirmed = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup", "255211000", "--yes"]);
            assert.strictEqual(confirmed.code, 0);
            assert.ok(fs.readFileSync(stackPath, "utf8").includes(
                "      users: k8s-backups-users-resources-20251222100013\n    forceDataClear: true\n    confirm: prod/255211000\n  hopsworks-dr:hopsworks:\n",
            ));
        });

        it("new-cluster with a given ID: written unverified, since a new cluster has no catalogue before its restore", async () => {
            const before = cluster.requests.length;
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "new-cluster", "--backup", "254811200"]);
            assert.strictEqual(plan.code, 0, plan.stderr);
            assert.ok(plan.stderr.includes("note: backup 254811200 is not checked against the catalogue (a new cluster has none before its restore)"));
            assert.ok(fs.readFileSync(stackPath, "utf8").endsWith(
                '  hopsworks-dr:restore:\n    mode: new-cluster\n    backupId: "254811200"\n    backupHopsworksVersion: 4.8.0\n',
            ));
            assert.strictEqual(cluster.requests.slice(before).length, 0, "the cluster was not read");
        });

        it("--dry-run prints the diff and writes nothing", async () => {
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "new-cluster", "--dry-run"]);
            assert.strictEqual(plan.code, 0);
            assert.ok(plan.stdout.includes(`+    backupId: "250111000"\n`));
            assert.ok(plan.stdout.includes("dry run: Pulumi.prod.yaml not written\n"));
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE);
        });

        it("refuses an incomplete point, and prints the program's own validation messages, writing nothing", async () => {
            const partial = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup", "260211000"]);
            assert.deepStrictEqual([partial.code, partial.stderr.split("\n").at(-2)], [1, "error: backup 260211000 is not a complete restore point: opensearch FAILED"]);
            fs.writeFileSync(stackPath, STACK_FILE.replace(/version: 4\.8\.0/g, "version: 4.7.0"));
            const old = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "in-place"]);
            assert.strictEqual(old.code, 1);
            assert.ok(old.stderr.endsWith(
                "error: Invalid stack config (1 problem):\n" +
                    `  - hopsworks-dr:restore.mode = "in-place": needs Hopsworks 4.8.0 or newer, but hopsworks.version is "4.7.0"; ` +
                    "upgrade first, or restore into a new cluster (restore.mode: new-cluster)\n",
            ));
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE.replace(/version: 4\.8\.0/g, "version: 4.7.0"));
        });

        it("reports a missing or broken stack file without contacting the cluster", async () => {
            const missing = await run(cluster, ["restore", "plan", "--stack", "staging", "--mode", "new-cluster"]);
            assert.deepStrictEqual([missing.code, missing.stderr], [1, "error: Pulumi.staging.yaml: no such stack file (run from the project directory, or check --stack)\n"]);
            fs.writeFileSync(stackPath, "config:\n  hopsworks-dr:storage: [unclosed\n");
            const broken = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(broken.code, 1);
            assert.match(broken.stderr, /^error: Pulumi\.prod\.yaml: not valid YAML: .+\n$/);
            assert.deepStrictEqual(cluster.requests, []);
        });
    });

    // A suite of its own: mocha runs nested suites after the parent's tests, so this one comes last.
    describe("the package's bin", () => {
        it("runs as a child process, KUBECONFIG from the environment", async () => {
            const result = await binRun;
            assert.deepStrictEqual([result.code, result.stderr], [0, WARNINGS]);
            assert.deepStrictEqual(JSON.parse(result.stdout).map((p: { id: string }) => p.id), ["260211000", "250111000", "255211000"]);
        });
    });
});
