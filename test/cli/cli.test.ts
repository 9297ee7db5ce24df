import * as assert from "assert";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { COMMANDS, USAGE } from "../../cli/main";
import { SCHEDULE_MACROS } from "../../stacks/catalogue/schedule";
import { BACKUPS, CONFIGMAPS, FakeCluster, JOBS, PROD_STACK_FILE as STACK_FILE, RESTORES, run, SCHEDULES, seedCatalogue, startFakeCluster, veleroBackup, veleroSchedule } from "./fake-cluster";

const PROJECT_DIR = path.resolve(__dirname, "../..");

const WARNINGS =
    `warning: configmap opensearch-backups-metadata, entry 255111000: skipped, unknown state "EXPLODED" (known: SUCCESS, FAILED, RUNNING, IN_PROGRESS)\n` +
    "warning: configmap rondb-backups-metadata, entry 255111000: skipped, not valid JSON\n";


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
                "BACKUP ID  TIME (UTC)        RONDB    OPENSEARCH  VELERO MAIN                      VELERO USERS                                SUPERSET                                COMPLETE",
                "260211000  2026-01-05 10:00  SUCCESS  FAILED      k8s-backups-main-20260105100012  k8s-backups-users-resources-20260105100013  20260105100007-2222 (2026-01-05 10:00)  no",
                "250111000  2025-12-29 10:00  SUCCESS  SUCCESS     k8s-backups-main-20251229100012  k8s-backups-users-resources-20251229100013  20251229100005-1111 (2025-12-29 10:00)  yes",
                "255211000  2025-12-22 10:00  SUCCESS  SUCCESS     k8s-backups-main-20251222100012  k8s-backups-users-resources-20251222100013  none                                    yes",
                "",
            ].join("\n"));
            assert.strictEqual(result.stderr, WARNINGS);
            assert.strictEqual(result.code, 0);
            // The unlabelled -2 was found by name, and probing stopped at the first missing name.
            assert.ok(cluster.requests.includes("GET /api/v1/namespaces/hopsworks/configmaps/rondb-backups-metadata-2"));
            assert.ok(cluster.requests.includes("GET /api/v1/namespaces/hopsworks/configmaps/rondb-backups-metadata-3"));
            assert.ok(!cluster.requests.includes("GET /api/v1/namespaces/hopsworks/configmaps/rondb-backups-metadata-4"));
        });

        it("reads Velero's Backups in pages of 1000, following the continue token, and pairs the ones on later pages", async () => {
            // 2,400 more backups on another location first, so the point's own land on the third page.
            const backups = cluster.objects.get(BACKUPS)!;
            const own = [...backups.values()];
            backups.clear();
            for (let i = 0; i < 2400; i++) cluster.put(BACKUPS, veleroBackup(`k8s-backups-main-2024010100${String(i).padStart(4, "0")}`, "k8s-backups-main", "Completed", "2024-01-01T00:00:00Z", "other-location"));
            for (const backup of own) cluster.put(BACKUPS, backup);
            const result = await run(cluster, ["backups", "list", "--json"]);
            assert.strictEqual(result.code, 0, result.stderr);
            const points = JSON.parse(result.stdout);
            assert.deepStrictEqual(points.map((p: any) => [p.id, p.complete]), [["260211000", false], ["250111000", true], ["255211000", true]]);
            const pages = cluster.requests.filter((r) => r.startsWith("GET /apis/velero.io/v1/namespaces/velero/backups?"));
            assert.strictEqual(pages.length, 3, pages.join("\n"));
            assert.ok(pages.every((r) => r.includes("limit=1000")), pages.join("\n"));
            assert.ok(pages[1].includes("continue=1000") && pages[2].includes("continue=2000"), pages.join("\n"));
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
        const statusOf = (schedule: string, from: string) => [
            "location hopsworks-bsl: Available, last synced 2026-01-06 11:59 UTC",
            `schedule ${schedule} (from ${from}): every 7d`,
        ];
        const OVERDUE = [
            "a backup is overdue once it completed more than 7d 1h ago (the interval plus 1h grace)",
            "",
            "SERVICE       NEWEST SUCCESSFUL                           COMPLETED (UTC)   AGE    ON TIME",
            "rondb         260211000                                   2026-01-05 10:01  1d 1h  yes",
            "opensearch    250111000                                   2025-12-29 10:01  8d 1h  NO",
            "velero main   k8s-backups-main-20260105100012             2026-01-05 10:00  1d 1h  yes",
            "velero users  k8s-backups-users-resources-20260105100013  2026-01-05 10:00  1d 1h  yes",
            "",
            "newest complete restore point: 250111000 (2025-12-29 10:00 UTC)",
            "unhealthy (1 problem):",
            "  - opensearch: newest successful backup 250111000 completed 8d 1h ago, more than the schedule's interval 7d (0 10 * * 1) plus 1h grace",
            "",
        ];
        /** Without --stack, a cluster with Superset backup metadata (Hopsworks 5.2) has its Superset backups judged too. */
        const OVERDUE_WITH_SUPERSET = OVERDUE.flatMap((line) =>
            line.startsWith("velero main") ? ["superset      20260105100007-2222                         2026-01-05 10:00  1d 1h  yes", line] : [line],
        );

        it("exits 1 with one line per reason when a service is overdue, naming the stack's schedule", async () => {
            const result = await run(cluster, ["backups", "status", "--stack", "prod"]);
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stdout, [...statusOf("0 10 * * 1", "hopsworks-dr:backup.schedule in Pulumi.prod.yaml"), ...OVERDUE].join("\n"));
        });

        it("exits 0 when every service is on time, and 1 when the location is unavailable", async () => {
            const opensearch = cluster.objects.get(CONFIGMAPS)!.get("opensearch-backups-metadata")! as any;
            opensearch.data["260211000"] = JSON.stringify({ state: "SUCCESS" });
            const healthy = await run(cluster, ["backups", "status", "--schedule", "0 10 * * 1", "--json"]);
            assert.strictEqual(healthy.code, 0);
            const report = JSON.parse(healthy.stdout);
            assert.deepStrictEqual([report.healthy, report.newestComplete.id, report.problems], [true, "260211000", []]);
            assert.deepStrictEqual([report.schedule, report.scheduleFrom, report.ageFrom], ["0 10 * * 1", "--schedule", "completion"]);
            const location = [...cluster.objects.get("/apis/velero.io/v1/namespaces/velero/backupstoragelocations")!.values()][0] as any;
            location.status = { phase: "Unavailable" };
            const unhealthy = await run(cluster, ["backups", "status", "--schedule", "0 10 * * 1"]);
            assert.strictEqual(unhealthy.code, 1);
            assert.ok(unhealthy.stdout.endsWith(
                "unhealthy (2 problems):\n  - location hopsworks-bsl: phase is Unavailable, not Available\n" +
                    "  - location hopsworks-bsl: has never synced backups from the bucket\n",
            ));
        });

        it("with neither --schedule nor --stack, reads the schedule from the cluster's Velero Schedules and says so", async () => {
            const result = await run(cluster, ["backups", "status"]);
            assert.deepStrictEqual([result.code, result.stderr], [1, WARNINGS]);
            assert.strictEqual(result.stdout, [
                ...statusOf("0 10 * * 1", "Velero Schedules k8s-backups-main and k8s-backups-users-resources in namespace velero"),
                ...OVERDUE_WITH_SUPERSET,
            ].join("\n"));
            assert.ok(cluster.requests.includes("GET /apis/velero.io/v1/namespaces/velero/schedules/k8s-backups-main"));
            const json = JSON.parse((await run(cluster, ["backups", "status", "--json"])).stdout);
            assert.deepStrictEqual([json.schedule, json.scheduleFrom, json.scheduleNotes],
                ["0 10 * * 1", "Velero Schedules k8s-backups-main and k8s-backups-users-resources in namespace velero", []]);
        });

        it("uses the longer interval when the live Velero Schedules differ, and says so; --schedule still overrides", async () => {
            cluster.put(SCHEDULES, veleroSchedule("k8s-backups-users-resources", "@daily"));
            const result = await run(cluster, ["backups", "status"]);
            assert.strictEqual(result.stdout.split("\n").slice(1, 4).join("\n"), [
                "schedule 0 10 * * 1 (from Velero Schedule k8s-backups-main in namespace velero, the longer interval): every 7d",
                `  note: the Velero Schedules differ: k8s-backups-main "0 10 * * 1" (every 7d), k8s-backups-users-resources "@daily" (every 1d); the longer interval is used`,
                "a backup is overdue once it completed more than 7d 1h ago (the interval plus 1h grace)",
            ].join("\n"));
            const overridden = await run(cluster, ["backups", "status", "--schedule", "@daily"]);
            assert.ok(overridden.stdout.includes("\nschedule @daily (from --schedule): every 1d\n"), overridden.stdout);
        });

        it("without a flag and without Velero Schedules, fails saying to pass --schedule or --stack", async () => {
            cluster.objects.get(SCHEDULES)!.clear();
            const result = await run(cluster, ["backups", "status"]);
            assert.deepStrictEqual([result.code, result.stdout, result.stderr], [1, "",
                "error: no Velero Schedule k8s-backups-main or k8s-backups-users-resources in namespace velero to take the backup schedule from: " +
                    "pass --schedule <cron> or --stack <name> (or --velero-namespace, if Velero runs in another namespace)\n"]);
            cluster.put(SCHEDULES, veleroSchedule("k8s-backups-main", "@every 24h"));
            const unusable = await run(cluster, ["backups", "status"]);
            assert.ok(unusable.stderr.startsWith(
                `error: Velero Schedule k8s-backups-main in namespace velero: spec.schedule "@every 24h": must be a 5-field cron expression`), unusable.stderr);
            assert.ok(unusable.stderr.endsWith("; pass --schedule <cron> or --stack <name>\n"));
            const missing = await run(cluster, ["backups", "status", "--stack", "staging"]);
            assert.deepStrictEqual([missing.code, missing.stderr],
                [1, "error: Pulumi.staging.yaml: no such stack file (run from the project directory, or check --stack)\n"]);
        });

        it("judges against every macro the config accepts, @midnight included, from --stack and --schedule", async () => {
            const intervals: Record<string, string> = {
                "@yearly": "365d", "@annually": "365d", "@monthly": "31d", "@weekly": "7d", "@daily": "1d", "@midnight": "1d", "@hourly": "1h",
            };
            assert.deepStrictEqual(Object.keys(intervals), SCHEDULE_MACROS);
            for (const macro of SCHEDULE_MACROS) {
                fs.writeFileSync(stackPath, STACK_FILE.replace(`schedule: "0 10 * * 1"`, `schedule: "${macro}"`));
                for (const argv of [["--stack", "prod"], ["--schedule", macro]]) {
                    const result = await run(cluster, ["backups", "status", ...argv]);
                    assert.ok([0, 1].includes(result.code), `${macro} ${argv[0]}: ${result.stderr}`);
                    assert.match(result.stdout, new RegExp(`^schedule ${macro} \\(from [^)]+\\): every ${intervals[macro]}$`, "m"), `${macro} ${argv[0]}`);
                }
            }
        });

        it("counts ages from completion: a backup running past the grace is not overdue, and the running one is named", async () => {
            // Each of the 2026-01-05 backups took 3 hours; the next week's are running at 11:30, when
            // the ages from the previous start would be 7d 1h 30m, past the 7d 1h limit.
            const now = "2026-01-12T11:30:00Z";
            const opensearch = cluster.objects.get(CONFIGMAPS)!.get("opensearch-backups-metadata")! as any;
            opensearch.data["260211000"] = JSON.stringify({ start_time: "2026-01-05T10:00:06Z", end_time: "2026-01-05T13:00:00Z", state: "SUCCESS" });
            const rondb = cluster.objects.get(CONFIGMAPS)!.get("rondb-backups-metadata")! as any;
            rondb.data["260211000"] = JSON.stringify({ start_time: "2026-01-05T10:00:05Z", end_time: "2026-01-05T13:00:00Z", state: "SUCCESS" });
            rondb.data["260311000"] = JSON.stringify({ start_time: "2026-01-12T10:00:05Z", state: "RUNNING" });
            for (const object of cluster.objects.get(BACKUPS)!.values() as Iterable<any>) {
                if (object.status.startTimestamp.startsWith("2026-01-05")) object.status.completionTimestamp = "2026-01-05T12:59:00Z";
            }
            cluster.put(BACKUPS, veleroBackup("k8s-backups-main-20260112100012", "k8s-backups-main", "InProgress", "2026-01-12T10:00:12Z"));
            const result = await run(cluster, ["backups", "status", "--stack", "prod"], now);
            assert.strictEqual(result.code, 0, result.stdout);
            assert.ok(result.stdout.includes([
                "SERVICE       NEWEST SUCCESSFUL                           COMPLETED (UTC)   AGE     ON TIME",
                "rondb         260211000                                   2026-01-05 13:00  6d 22h  yes",
            ].join("\n")), result.stdout);
            assert.ok(result.stdout.includes([
                "",
                "rondb: 260311000 is running, started 2026-01-12 10:00 UTC; the age counts from the previous completed backup",
                "velero main: k8s-backups-main-20260112100012 is running, started 2026-01-12 10:00 UTC; the age counts from the previous completed backup",
                "",
            ].join("\n")), result.stdout);
            assert.ok(result.stdout.endsWith("healthy\n"));
        });

        it("reads the Velero and Hopsworks namespaces from the stack file; explicit flags override", async () => {
            // velero is the file's last section: its namespace goes at the end.
            fs.writeFileSync(stackPath, `${STACK_FILE}    namespace: velero-system\n`.replace(
                "  hopsworks-dr:hopsworks:\n", "  hopsworks-dr:hopsworks:\n    namespace: hops\n"));
            for (const [collection, objects] of [...cluster.objects]) {
                cluster.objects.set(collection.replace("/namespaces/velero/", "/namespaces/velero-system/").replace("/namespaces/hopsworks/", "/namespaces/hops/"), objects);
            }
            const result = await run(cluster, ["backups", "status", "--stack", "prod"]);
            assert.strictEqual(result.code, 1, result.stderr);
            assert.ok(result.stdout.startsWith("location hopsworks-bsl: Available"), result.stdout);
            assert.ok(cluster.requests.includes("GET /apis/velero.io/v1/namespaces/velero-system/backupstoragelocations/hopsworks-bsl"));
            assert.ok(cluster.requests.some((r) => r.startsWith("GET /api/v1/namespaces/hops/configmaps?")));
            assert.ok(!cluster.requests.some((r) => /\/namespaces\/(velero|hopsworks)\//.test(r)), cluster.requests.join("\n"));
            // The other commands read the stack the same way; flags win over the stack.
            const list = await run(cluster, ["backups", "list", "--stack", "prod"]);
            assert.strictEqual(list.code, 0, list.stderr);
            const overridden = await run(cluster, ["backups", "status", "--stack", "prod", "--velero-namespace", "velero"]);
            assert.strictEqual(overridden.code, 1);
            assert.ok(cluster.requests.includes("GET /apis/velero.io/v1/namespaces/velero/backupstoragelocations/hopsworks-bsl"));
        });

        it("refuses a setting under a mistyped namespace rather than falling back to the default, saying which key was meant", async () => {
            fs.writeFileSync(stackPath, `${STACK_FILE}    namespace: velero-system\n`.replace("  hopsworks-dr:velero:\n", "  hopsworks_dr:velero:\n"));
            const result = await run(cluster, ["backups", "status", "--stack", "prod"]);
            assert.deepStrictEqual([result.code, result.stderr], [
                1,
                `error: Pulumi.prod.yaml: "hopsworks_dr:velero" is in namespace "hopsworks_dr", which this program does not read: did you mean "hopsworks-dr:velero"?\n`,
            ]);
            assert.deepStrictEqual(cluster.requests, [], "nothing was contacted");
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
                // The manual: Velero restores named "with the exact backup name or schedule name".
                "  restore.velero.io velero/k8s-backups-main-20251229100012: not present",
                "  restore.velero.io velero/k8s-backups-users-resources-20251229100013: not present",
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
                "  restore.velero.io velero/k8s-backups-main-20251229100012: already gone",
                "  restore.velero.io velero/k8s-backups-users-resources-20251229100013: already gone",
                "the in-place restore can run again with the same backup ID",
                "",
            ].join("\n"));
            assert.strictEqual(cluster.objects.get(JOBS)!.size, 0);
            assert.strictEqual(cluster.objects.get(RESTORES)!.size, 0);
            assert.ok(cluster.requests.includes("DELETE /apis/batch/v1/namespaces/hopsworks/jobs/hopsfs-inplace-restore-250111000?propagationPolicy=Background"));
        });

        it("touches no Velero Restore named after a catalogued backup whose name is not its schedule's at the point's time (a schedule label is not a name)", async () => {
            const backups = cluster.objects.get(BACKUPS)!;
            for (const [key, object] of backups as Map<string, any>) if (object.metadata.name === "k8s-backups-main-20251229100012") backups.delete(key);
            cluster.put(BACKUPS, veleroBackup("payments-db-restore", "k8s-backups-main", "Completed", "2025-12-29T10:00:12Z"));
            cluster.put(RESTORES, { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "payments-db-restore", namespace: "velero" } });
            const result = await run(cluster, ["restore", "clean-markers", "--backup-id", "250111000", "--yes"]);
            assert.strictEqual(result.code, 0, result.stderr);
            assert.strictEqual(
                result.stderr,
                'warning: the catalogue pairs Velero backup "payments-db-restore" with restore point 250111000, but it is not a backup of schedule ' +
                    "k8s-backups-main taken at the point's time (k8s-backups-main-<YYYYMMDDhhmmss>): no Velero Restore of that name is touched\n",
            );
            assert.ok(!result.stdout.includes("payments-db-restore"), result.stdout);
            assert.ok(!cluster.requests.some((r) => r.startsWith("DELETE") && r.includes("payments-db-restore")));
            assert.ok([...cluster.objects.get(RESTORES)!.values()].some((r: any) => r.metadata.name === "payments-db-restore"));
            assert.ok(result.stdout.includes("  restore.velero.io velero/k8s-backups-users-resources-20251229100013: already gone"), result.stdout);
        });

        it("with --yes waits for a Restore its finalizer holds until Velero removes the finalizer, then reports it deleted", async () => {
            const held = { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "k8s-backups-main", namespace: "velero", finalizers: ["restores.velero.io/external-resources-finalizer"] } };
            cluster.put(RESTORES, held);
            // Velero's finalizer controller: it lets go a little after the delete was asked (timed from
            // the DELETE, not the start, so a slow start on a loaded machine changes nothing).
            const deletion = "DELETE /apis/velero.io/v1/namespaces/velero/restores/k8s-backups-main";
            const velero = setInterval(() => {
                if (!cluster.requests.some((r) => r.startsWith(deletion))) return;
                clearInterval(velero);
                setTimeout(() => cluster.objects.get(RESTORES)!.delete("k8s-backups-main"), 300);
            }, 50);
            const result = await run(cluster, ["restore", "clean-markers", "--backup", "250111000", "--yes", "--wait", "30"]);
            clearInterval(velero);
            assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
            assert.ok(result.stdout.includes("  restore.velero.io velero/k8s-backups-main: deleted\n"), result.stdout);
            assert.ok(result.stdout.endsWith("the in-place restore can run again with the same backup ID\n"), result.stdout);
            const gets = cluster.requests.filter((r) => r === "GET /apis/velero.io/v1/namespaces/velero/restores/k8s-backups-main");
            assert.ok(gets.length >= 2, `polled ${gets.length} time(s)`);
        });

        it("with --yes reports a Restore still held at the end of --wait, naming its finalizer, goes on with the rest, and exits 1", async () => {
            const held = { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "k8s-backups-main", namespace: "velero", finalizers: ["restores.velero.io/external-resources-finalizer"] } };
            cluster.put(RESTORES, held);
            const result = await run(cluster, ["restore", "clean-markers", "--backup", "250111000", "--yes", "--wait", "1"]);
            assert.strictEqual(result.code, 1);
            assert.ok(
                result.stdout.includes(
                    "  restore.velero.io velero/k8s-backups-main: deletion requested, still present after 1 s, held by finalizers restores.velero.io/external-resources-finalizer\n" +
                        "  restore.velero.io velero/k8s-backups-users-resources: already gone\n",
                ),
                result.stdout,
            );
            assert.ok(!result.stdout.includes("can run again"), result.stdout);
            assert.ok(
                result.stderr.startsWith(
                    "error: 1 deleted marker(s) still present after 1 s: restore.velero.io velero/k8s-backups-main (finalizers restores.velero.io/external-resources-finalizer). " +
                        "Velero removes its restore finalizer once it has deleted the restore's files in the bucket",
                ),
                result.stderr,
            );
            assert.ok(typeof (cluster.objects.get(RESTORES)!.get("k8s-backups-main")!.metadata as any).deletionTimestamp === "string");
        });

        it("takes the backup as --backup, as restore plan does, with --backup-id as another name for it, never both", async () => {
            const named = await run(cluster, ["restore", "clean-markers", "--backup", "250111000"]);
            const aliased = await run(cluster, ["restore", "clean-markers", "--backup-id", "250111000"]);
            assert.deepStrictEqual([named.code, aliased.code], [0, 0]);
            assert.strictEqual(aliased.stdout, named.stdout);
            const both = await run(cluster, ["restore", "clean-markers", "--backup", "250111000", "--backup-id", "250111000"]);
            assert.strictEqual(both.code, 2);
            assert.ok(both.stderr.startsWith("error: --backup-id is another name for --backup: give one of them\nusage: hopsworks-dr restore clean-markers --backup <id>"), both.stderr);
            const elsewhere = await run(cluster, ["backups", "list", "--backup-id", "250111000"]);
            assert.ok(elsewhere.stderr.startsWith("error: --backup-id does not apply to backups list"), elsewhere.stderr);
        });

        it("--help names every marker, the Restores named after the point's own Velero backups included", async () => {
            const help = await run(cluster, ["restore", "clean-markers", "--help"]);
            assert.match(help.stdout, /Velero Restores named after the\nrestore point's own Velero backups \(k8s-backups-main-<time>, k8s-backups-users-resources-<time>/);
            assert.match(help.stdout, /--backup <id> +the backup ID of the in-place restore to run again/);
        });

        it("refuses --wait that is not a whole number of seconds up to an hour, and --wait without --yes", async () => {
            for (const [argv, message] of [
                [["--yes", "--wait", "1.5"], `--wait "1.5": must be a whole number of seconds from 0 to 3600`],
                [["--yes", "--wait", "3601"], `--wait "3601": must be a whole number of seconds from 0 to 3600`],
                [["--wait", "10"], `--wait "10": applies only with --yes (nothing is deleted without it)`],
            ]) {
                const result = await run(cluster, ["restore", "clean-markers", "--backup", "250111000", ...argv]);
                assert.strictEqual(result.code, 2, result.stderr);
                assert.ok(result.stderr.startsWith(`error: ${message}\n`), result.stderr);
            }
            assert.ok(!cluster.requests.some((r) => r.startsWith("DELETE")));
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
        it("refuses a stack file whose config is in flow style, naming it, and leaves it byte for byte", async () => {
            const flow = JSON.stringify(parseYaml(fs.readFileSync(stackPath, "utf8"))) + "\n";
            fs.writeFileSync(stackPath, flow);
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster"]);
            assert.strictEqual(plan.code, 1);
            assert.ok(
                plan.stderr.endsWith(
                    "error: Pulumi.prod.yaml: its config is a flow-style mapping ({...}), which has no lines of its own for one key; this command changes only " +
                        "the lines of hopsworks-dr:restore, so it left the file unchanged. Write config in block style (one key per line, as `pulumi config set` writes it) and run it again\n",
                ),
                plan.stderr,
            );
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), flow);
        });

        it("refuses --yes with new-cluster, which has no confirmation to write, rather than ignoring it", async () => {
            const before = fs.readFileSync(stackPath, "utf8");
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--yes"]);
            assert.strictEqual(plan.code, 2);
            assert.ok(plan.stderr.startsWith("error: --yes applies only to --mode in-place, whose data-wiping restore it confirms; a new-cluster restore has no confirmation to write\n"), plan.stderr);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), before);
        });

        it("on a new, empty cluster says where the restore point comes from instead, and writes nothing", async () => {
            cluster.objects.clear();
            const before = fs.readFileSync(stackPath, "utf8");
            const latest = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster"]);
            assert.strictEqual(latest.code, 1);
            assert.strictEqual(
                latest.stderr,
                "error: --backup latest (the default) reads the backup metadata in the cluster, and there is none: configmap rondb-backups-metadata not found " +
                    "in namespace hopsworks (nor any with labels app=backups-metadata,service=rondb). On a new cluster they exist only after the Velero restore: " +
                    "read the restore point from the bucket with --from-bucket, or give it yourself, --backup <id> with --velero-main <name> and --velero-users <name>, read from the bucket " +
                    "(aws s3 ls s3://<bucket>/rondb_backup/ and s3://<bucket>/k8s_backup/backups/; docs/runbooks/total-cluster-loss.md)\n",
            );
            const inPlace = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "in-place", "--backup", "250111000"]);
            assert.strictEqual(inPlace.code, 1);
            assert.match(inPlace.stderr, /^error: --backup 250111000 is checked against the backup metadata in the cluster, and there is none: .*An in-place restore needs the running install's backups/);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), before);
        });

        it("writes only the restore block, keeping comments and spacing, and finish removes exactly it", async () => {
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster"]);
            assert.deepStrictEqual([plan.code, plan.stderr], [0, WARNINGS]);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE + RESTORE_BLOCK);
            assert.strictEqual(plan.stdout, [
                "restore point 250111000 (2025-12-29T10:00:04.000Z), Velero k8s-backups-main: k8s-backups-main-20251229100012, " +
                    "k8s-backups-users-resources: k8s-backups-users-resources-20251229100013",
                "--- Pulumi.prod.yaml",
                "+++ Pulumi.prod.yaml",
                "@@ -21,3 +21,10 @@",
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
            const middle = [...lines.slice(0, 11), RESTORE_BLOCK.trimEnd(), ...lines.slice(11)].join("\n");
            fs.writeFileSync(stackPath, middle);
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "in-place", "--backup", "255211000"]);
            assert.strictEqual(plan.code, 0);
            const expectedBlock = RESTORE_BLOCK.replace("new-cluster", "in-place").replace("250111000", "255211000").replace(/20251229/g, "20251222");
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), [...lines.slice(0, 11), expectedBlock.trimEnd(), ...lines.slice(11)].join("\n"));
            assert.ok(plan.stdout.includes([
                "The stack refuses this in-place restore until it is confirmed: it replaces all data in prod with backup 255211000.",
                "To confirm, run (or re-run this command with --yes):",
                "  pulumi config set --path restore.forceDataClear true -s prod",
                "  pulumi config set --path restore.confirm prod/255211000 -s prod",
            ].join("\n")));
            const confirmed = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "in-place", "--backup", "255211000", "--yes"]);
            assert.strictEqual(confirmed.code, 0);
            assert.ok(fs.readFileSync(stackPath, "utf8").includes(
                "      users: k8s-backups-users-resources-20251222100013\n    forceDataClear: true\n    confirm: prod/255211000\n  hopsworks-dr:hopsworks:\n",
            ));
        });

        it("new-cluster with a given ID: written unverified, since a new cluster has no catalogue before its restore", async () => {
            const before = cluster.requests.length;
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--backup", "254811200", "--velero-main", "k8s-backups-main-20251124120012", "--velero-users", "k8s-backups-users-resources-20251124120013"]);
            assert.strictEqual(plan.code, 0, plan.stderr);
            assert.ok(plan.stderr.includes("note: backup 254811200 is not checked against the catalogue (a new cluster has none before its restore)"));
            assert.ok(fs.readFileSync(stackPath, "utf8").endsWith(
                '  hopsworks-dr:restore:\n    mode: new-cluster\n    backupId: "254811200"\n    backupHopsworksVersion: 4.8.0\n' +
                    "    veleroBackups:\n      main: k8s-backups-main-20251124120012\n      users: k8s-backups-users-resources-20251124120013\n",
            ));
            assert.strictEqual(cluster.requests.slice(before).length, 0, "the cluster was not read");
        });

        it("new-cluster with a given ID needs the point's Velero backups named, both, of the right schedules: else a usage error, nothing read", async () => {
            const plan = ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--backup", "254811200"];
            const none = await run(cluster, plan);
            assert.strictEqual(none.code, 2);
            assert.ok(none.stderr.startsWith(
                "error: --velero-main and --velero-users (or --from-bucket) are required for a new-cluster restore of a given backup ID: a new cluster has no catalogue " +
                    "to match its Velero backups, and without them Velero restores each schedule's newest backup whatever the ID. --from-bucket reads them " +
                    "from the stack's bucket; by hand, aws s3 ls s3://<bucket>/k8s_backup/backups/ lists them",
            ), none.stderr);
            const one = await run(cluster, [...plan, "--velero-main", "k8s-backups-main-20251124120012"]);
            assert.strictEqual(one.code, 2);
            assert.ok(one.stderr.startsWith("error: --velero-users is required with --velero-main: a restore point has one Velero backup of each schedule\n"), one.stderr);
            const swapped = await run(cluster, [...plan, "--velero-main", "k8s-backups-users-resources-20251124120013", "--velero-users", "k8s-backups-main-20251124120012"]);
            assert.strictEqual(swapped.code, 2);
            assert.ok(swapped.stderr.startsWith(
                `error: --velero-main "k8s-backups-users-resources-20251124120013": must be a Velero backup of schedule k8s-backups-main, such as k8s-backups-main-20251124120012\n`,
            ), swapped.stderr);
            assert.deepStrictEqual(cluster.requests, [], "nothing was contacted");
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE, "nothing written");
        });

        it("refuses named Velero backups that are not the catalogue point's own", async () => {
            // Within the window of the point's time (2025-12-29 10:00), yet not the backups the catalogue pairs with it.
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "in-place", "--backup", "250111000", "--velero-main", "k8s-backups-main-20251229101500", "--velero-users", "k8s-backups-users-resources-20251229101501"]);
            assert.strictEqual(plan.code, 1);
            assert.ok(plan.stderr.endsWith(
                "error: --velero-main k8s-backups-main-20251229101500 --velero-users k8s-backups-users-resources-20251229101501 are not the Velero backups " +
                    "of restore point 250111000: the catalogue matches k8s-backups-main-20251229100012 and k8s-backups-users-resources-20251229100013 " +
                    "(hopsworks-dr backups list); give those, or leave both options out\n",
            ), plan.stderr);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE, "nothing written");
        });

        it("refuses a Velero pair whose names' times are outside the window of the backup ID's time, unless --velero-outside-window", async () => {
            const plan = ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--backup", "254811200"];
            const far = [...plan, "--velero-main", "k8s-backups-main-20200101000000", "--velero-users", "k8s-backups-users-resources-20291231000000"];
            const refused = await run(cluster, far);
            assert.strictEqual(refused.code, 2);
            assert.ok(refused.stderr.startsWith(
                `error: --velero-main "k8s-backups-main-20200101000000": was taken at 2020-01-01T00:00:00.000Z by its name, outside the window of restore point ` +
                    "254811200 (2025-11-24T12:00:00.000Z): from 30 minutes before to 6 hours after the backup ID's time, as the catalogue pairs them. " +
                    "It would restore Kubernetes objects of another date than the point's RonDB, OpenSearch and HopsFS data; name the point's own " +
                    "(hopsworks-dr backups list, or aws s3 ls s3://<bucket>/k8s_backup/backups/). To restore it anyway, add --velero-outside-window\n",
            ), refused.stderr);
            const users = await run(cluster, [...plan, "--velero-main", "k8s-backups-main-20251124120012", "--velero-users", "k8s-backups-users-resources-20251124180100"]);
            assert.ok(users.stderr.startsWith(`error: --velero-users "k8s-backups-users-resources-20251124180100": was taken at 2025-11-24T18:01:00.000Z by its name, outside the window`), users.stderr);
            const untimed = await run(cluster, [...plan, "--velero-main", "k8s-backups-main-manual", "--velero-users", "k8s-backups-users-resources-20251124120013"]);
            assert.ok(untimed.stderr.startsWith(`error: --velero-main "k8s-backups-main-manual": carries no time in its name (k8s-backups-main-<YYYYMMDDhhmmss>`), untimed.stderr);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE, "nothing written");
            // The edges of the window: 30 minutes before, 6 hours after.
            const edges = await run(cluster, [...plan, "--velero-main", "k8s-backups-main-20251124113000", "--velero-users", "k8s-backups-users-resources-20251124180000", "--dry-run"]);
            assert.strictEqual(edges.code, 0, edges.stderr);
            const lone = await run(cluster, [...plan, "--velero-outside-window"]);
            assert.ok(lone.stderr.startsWith("error: --velero-outside-window applies only with --velero-main and --velero-users"), lone.stderr);
            const anyway = await run(cluster, [...far, "--velero-outside-window"]);
            assert.strictEqual(anyway.code, 0, anyway.stderr);
            assert.ok(fs.readFileSync(stackPath, "utf8").endsWith(
                "    veleroBackups:\n      main: k8s-backups-main-20200101000000\n      users: k8s-backups-users-resources-20291231000000\n" +
                    '    veleroBackupsOutsideWindow: "254811200"\n',
            ), fs.readFileSync(stackPath, "utf8"));
        });

        it("new-cluster with an ID minted on 2023-12-31: decoded against now, not taken for 2023-01-01", async () => {
            const velero = ["--velero-main", "k8s-backups-main-20231231000012", "--velero-users", "k8s-backups-users-resources-20231231000013"];
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--backup", "235270000", ...velero, "--dry-run"]);
            assert.strictEqual(plan.code, 0, plan.stderr);
            assert.ok(plan.stdout.startsWith("restore point 235270000 (2023-12-31T00:00:00.000Z),"), plan.stdout);
            const earlyVelero = ["--velero-main", "k8s-backups-main-20230101000012", "--velero-users", "k8s-backups-users-resources-20230101000013"];
            const early = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--backup", "235270000", ...earlyVelero, "--dry-run"], "2023-06-01T00:00:00Z");
            assert.ok(early.stdout.startsWith("restore point 235270000 (2023-01-01T00:00:00.000Z),"), early.stdout);
        });

        it("writes the backup's Hopsworks version as the operator states it, and refuses one other than the stack's", async () => {
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "new-cluster", "--backup", "254811200", "--backup-version", "4.8.0", "--velero-main", "k8s-backups-main-20251124120012", "--velero-users", "k8s-backups-users-resources-20251124120013"]);
            assert.strictEqual(plan.code, 0, plan.stderr);
            assert.ok(fs.readFileSync(stackPath, "utf8").includes("    backupHopsworksVersion: 4.8.0\n"));
            fs.writeFileSync(stackPath, STACK_FILE);
            const other = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "new-cluster", "--backup", "254811200", "--backup-version", "4.7.1", "--velero-main", "k8s-backups-main-20251124120012", "--velero-users", "k8s-backups-users-resources-20251124120013"]);
            assert.strictEqual(other.code, 1);
            assert.ok(other.stderr.endsWith(
                "error: Invalid stack config (1 problem):\n" +
                    `  - hopsworks-dr:restore.backupHopsworksVersion = "4.7.1": must equal hopsworks.version ("4.8.0"): restore with the exact Hopsworks version that took the backup, ` +
                    "so set hopsworks.version and hopsworks.chartVersion to that version's for the restore\n",
            ), other.stderr);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE, "nothing written");
        });

        it("requires --backup-version, since the backup metadata does not record the version, and checks its form", async () => {
            const missing = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "in-place"]);
            assert.strictEqual(missing.code, 2);
            assert.ok(missing.stderr.startsWith(
                "error: --backup-version is required: the Hopsworks version that took the backup, such as 4.8.0 (the backup metadata does not record it, " +
                    "and a restore needs the exact same version)\nusage: hopsworks-dr restore plan --stack <name>",
            ), missing.stderr);
            const malformed = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup-version", "4.8"]);
            assert.strictEqual(malformed.code, 2);
            assert.ok(malformed.stderr.startsWith(`error: --backup-version "4.8": must be a Hopsworks version such as 4.8.0\n`), malformed.stderr);
            assert.deepStrictEqual(cluster.requests, [], "nothing was contacted");
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE);
        });

        it("--dry-run prints the diff and writes nothing", async () => {
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--dry-run"]);
            assert.strictEqual(plan.code, 0);
            assert.ok(plan.stdout.includes(`+    backupId: "250111000"\n`));
            assert.ok(plan.stdout.includes("dry run: Pulumi.prod.yaml not written\n"));
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE);
        });

        it("refuses an incomplete point, and prints the program's own validation messages, writing nothing", async () => {
            const partial = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "in-place", "--backup", "260211000"]);
            assert.deepStrictEqual([partial.code, partial.stderr.split("\n").at(-2)], [1, "error: backup 260211000 is not a complete restore point: opensearch FAILED"]);
            fs.writeFileSync(stackPath, STACK_FILE.replace(/version: 4\.8\.0/g, "version: 4.7.0"));
            const old = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.7.0", "--mode", "in-place"]);
            assert.strictEqual(old.code, 1);
            assert.ok(old.stderr.endsWith(
                "error: Invalid stack config (1 problem):\n" +
                    `  - hopsworks-dr:restore.mode = "in-place": needs Hopsworks 4.8.0 or newer, but hopsworks.version is "4.7.0"; ` +
                    "upgrade first, or restore into a new cluster (restore.mode: new-cluster)\n",
            ));
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE.replace(/version: 4\.8\.0/g, "version: 4.7.0"));
        });

        it("reports a missing or broken stack file without contacting the cluster", async () => {
            const missing = await run(cluster, ["restore", "plan", "--stack", "staging", "--backup-version", "4.8.0", "--mode", "new-cluster"]);
            assert.deepStrictEqual([missing.code, missing.stderr], [1, "error: Pulumi.staging.yaml: no such stack file (run from the project directory, or check --stack)\n"]);
            fs.writeFileSync(stackPath, "config:\n  hopsworks-dr:storage: [unclosed\n");
            const broken = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(broken.code, 1);
            // The reason and the position, with no dangling "column 5:" (issue 21, item 12).
            assert.strictEqual(broken.stderr, "error: Pulumi.prod.yaml: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1\n");
            assert.deepStrictEqual(cluster.requests, []);
        });
    });

    describe("restore plan and finish: writing the stack file", () => {
        const PLAN = ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster"];
        const lockPath = () => `${stackPath}.lock`;
        const leftovers = () => fs.readdirSync(cluster.dir).filter((f) => f.includes(".tmp") || f.endsWith(".lock") || f.includes(".stale-"));

        it("two runs at once: one holds the lock, the other is refused naming the lock file and its pid, and no write is lost", async () => {
            const [first, second] = await Promise.all([
                run(cluster, PLAN),
                run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "in-place", "--backup", "255211000", "--yes"]),
            ]);
            assert.deepStrictEqual([first.code, second.code], [0, 1]);
            assert.strictEqual(second.stdout, "", "the refused run shows no diff");
            assert.match(second.stderr, new RegExp(
                `^error: Pulumi\\.prod\\.yaml is locked by another hopsworks-dr \\(pid ${process.pid} on ${os.hostname().replace(/\./g, "\\.")}, since [^)]+\\): ` +
                    "lock file Pulumi\\.prod\\.yaml\\.lock\\. Run again once it has finished; if no such process runs, remove Pulumi\\.prod\\.yaml\\.lock\\. " +
                    "Pulumi\\.prod\\.yaml was left unchanged\\n$"));
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE + RESTORE_BLOCK);
            assert.deepStrictEqual(leftovers(), [], "the lock is released");
        });

        it("takes over a stale lock whose process no longer runs, and refuses one held on another host", async () => {
            const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
            fs.writeFileSync(lockPath(), JSON.stringify({ pid: dead, host: os.hostname(), since: "2026-01-06T11:00:00.000Z" }));
            const plan = await run(cluster, PLAN);
            assert.strictEqual(plan.code, 0, plan.stderr);
            assert.ok(plan.stderr.includes(`note: took over the stale lock Pulumi.prod.yaml.lock of pid ${dead}, which no longer runs\n`), plan.stderr);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE + RESTORE_BLOCK);
            assert.deepStrictEqual(leftovers(), []);
            fs.writeFileSync(lockPath(), JSON.stringify({ pid: dead, host: "bastion-2", since: "2026-01-06T11:00:00.000Z" }));
            const elsewhere = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(elsewhere.code, 1);
            assert.ok(elsewhere.stderr.startsWith(`error: Pulumi.prod.yaml is locked by another hopsworks-dr (pid ${dead} on bastion-2, since 2026-01-06T11:00:00.000Z)`));
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE + RESTORE_BLOCK);
            // A dry run writes nothing, so it takes no lock.
            assert.strictEqual((await run(cluster, ["restore", "finish", "--stack", "prod", "--dry-run"])).code, 0);
        });

        it("replaces the file by renaming a temporary file into place, keeping its mode, and a symlinked file's link", async () => {
            fs.chmodSync(stackPath, 0o640);
            const before = fs.statSync(stackPath).ino;
            assert.strictEqual((await run(cluster, PLAN)).code, 0);
            assert.notStrictEqual(fs.statSync(stackPath).ino, before, "a new file took the name");
            assert.strictEqual(fs.statSync(stackPath).mode & 0o777, 0o640);
            assert.deepStrictEqual(leftovers(), []);
            fs.mkdirSync(path.join(cluster.dir, "stacks"));
            const target = path.join(cluster.dir, "stacks", "Pulumi.prod.yaml");
            fs.renameSync(stackPath, target);
            fs.symlinkSync(target, stackPath);
            assert.strictEqual((await run(cluster, ["restore", "finish", "--stack", "prod"])).code, 0);
            assert.ok(fs.lstatSync(stackPath).isSymbolicLink());
            assert.strictEqual(fs.readFileSync(target, "utf8"), STACK_FILE);
        });

        it("refuses a read-only stack file before showing anything, saying it was left unchanged", async () => {
            fs.chmodSync(stackPath, 0o444);
            const plan = await run(cluster, PLAN);
            assert.deepStrictEqual([plan.code, plan.stdout], [1, ""]);
            assert.match(plan.stderr, /\nerror: cannot write Pulumi\.prod\.yaml: it is (read-only \(mode 0444\)|not writable \(EACCES\)); it was left unchanged\n$/);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE);
            assert.deepStrictEqual(leftovers(), []);
        });

        it("refuses an immutable stack file (chattr +i) before showing anything", async function () {
            fs.writeFileSync(stackPath, STACK_FILE + RESTORE_BLOCK);
            if (spawnSync("chattr", ["+i", stackPath]).status !== 0) this.skip();
            try {
                const finish = await run(cluster, ["restore", "finish", "--stack", "prod"]);
                assert.deepStrictEqual([finish.code, finish.stdout], [1, ""]);
                assert.strictEqual(finish.stderr, "error: cannot write Pulumi.prod.yaml: it is not writable (EPERM); it was left unchanged\n");
            } finally {
                spawnSync("chattr", ["-i", stackPath]);
            }
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE + RESTORE_BLOCK);
        });

        it("keeps CRLF line endings, and the plan and finish round trip is byte-identical", async () => {
            const crlf = STACK_FILE.replace(/\n/g, "\r\n");
            fs.writeFileSync(stackPath, crlf);
            const plan = await run(cluster, PLAN);
            assert.strictEqual(plan.code, 0, plan.stderr);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), (STACK_FILE + RESTORE_BLOCK).replace(/\n/g, "\r\n"));
            assert.ok(!plan.stdout.includes("\r"), "the diff shows lines, not carriage returns");
            assert.strictEqual((await run(cluster, ["restore", "finish", "--stack", "prod"])).code, 0);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), crlf);
        });

        it("keeps the comments inside an existing restore block, and the lines after it", async () => {
            const block = [
                "  hopsworks-dr:restore:",
                "    # Chosen in the incident call, 2026-01-06.",
                "    mode: new-cluster",
                `    backupId: "250111000"   # the last good one`,
                "    backupHopsworksVersion: 4.8.0",
                "    veleroBackups:",
                "      # from hopsworks-dr backups list",
                "      main: k8s-backups-main-20251229100012",
                "      users: k8s-backups-users-resources-20251229100013",
                "",
            ].join("\n");
            // Before the file's "# Velero settings stay last in this file." and its key.
            const at = STACK_FILE.indexOf("  # Velero settings");
            const commented = STACK_FILE.slice(0, at) + block + STACK_FILE.slice(at);
            fs.writeFileSync(stackPath, commented);
            const plan = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "in-place", "--backup", "255211000"]);
            assert.strictEqual(plan.code, 0, plan.stderr);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), commented
                .replace("mode: new-cluster", "mode: in-place")
                .replace(`backupId: "250111000"   # the last good one`, `backupId: "255211000" # the last good one`)
                .replace(/20251229/g, "20251222"));
            // Planning the same point again changes nothing, spacing included.
            fs.writeFileSync(stackPath, commented);
            const again = await run(cluster, PLAN);
            assert.ok(again.stdout.includes("Pulumi.prod.yaml: no change\n"), again.stdout);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), commented);
            // The comment line after the block and the next key stay.
            const finish = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(finish.code, 0);
            assert.strictEqual(fs.readFileSync(stackPath, "utf8"), STACK_FILE);
        });
    });

    describe("errors and exit statuses", () => {
        it("says that no usable kubeconfig was found, and where it looked", async () => {
            const home = path.join(cluster.dir, "home");
            fs.mkdirSync(home);
            const none = await run(cluster, ["backups", "list"], undefined, { HOME: home });
            assert.deepStrictEqual([none.code, none.stdout], [1, ""]);
            assert.strictEqual(none.stderr,
                `error: no usable kubeconfig found: KUBECONFIG is not set, and ~/.kube/config (${home}/.kube/config) is missing. ` +
                    "Set KUBECONFIG to a kubeconfig file or create ~/.kube/config (in a pod, the service account is used instead)\n");
            const empty = path.join(cluster.dir, "empty-kubeconfig");
            fs.writeFileSync(empty, "# nothing yet\n");
            const emptyRun = await run(cluster, ["backups", "status"], undefined, { KUBECONFIG: `${empty}:${path.join(cluster.dir, "gone")}` });
            assert.strictEqual(emptyRun.stderr,
                `error: no usable kubeconfig found: KUBECONFIG names ${empty} (empty), ${path.join(cluster.dir, "gone")} (missing). ` +
                    "Set KUBECONFIG to a kubeconfig file or create ~/.kube/config (in a pod, the service account is used instead)\n");
            fs.writeFileSync(empty, "~\n");
            const scalar = await run(cluster, ["backups", "list"], undefined, { KUBECONFIG: empty });
            assert.strictEqual(scalar.stderr, `error: cannot load kubeconfig ${empty}: not a kubeconfig (a YAML mapping with clusters, contexts and users)\n`);
            // A well-formed context the kubeconfig lacks is an error (1), not a usage error.
            const context = await run(cluster, ["backups", "list", "--context", "nowhere"]);
            assert.deepStrictEqual([context.code, context.stderr], [1, `error: context nowhere is not in the kubeconfig (${cluster.kubeconfig})\n`]);
            // A missing file beside a usable one is skipped, as kubectl does.
            const mixed = await run(cluster, ["backups", "list"], undefined, { KUBECONFIG: `${path.join(cluster.dir, "gone")}:${cluster.kubeconfig}` });
            assert.strictEqual(mixed.code, 0, mixed.stderr);
        });

        it("makes every malformed option value a usage error (exit 2), naming the command's usage", async () => {
            const cases: [string[], string, string][] = [
                [["restore", "clean-markers", "--backup", "abc"], `--backup "abc": must be a backup ID of 9 digits`, "restore clean-markers --backup <id>"],
                [["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup", "yesterday"], `--backup "yesterday": must be a backup ID`, "restore plan --stack <name>"],
                [["restore", "plan", "--stack", "prod", "--mode", "sideways"], `--mode "sideways": must be new-cluster, in-place or superset`, "restore plan --stack <name>"],
                [["backups", "status", "--schedule", "61 25 * * *"], `--schedule "61 25 * * *": minute 61 is outside 0-59; hour 25 is outside 0-23`, "backups status [--schedule <cron>]"],
                [["restore", "finish", "--stack", "../prod"], `--stack "../prod": must be a stack name`, "restore finish --stack <name>"],
                [["restore", "finish", "--stack", "a b$x"], `--stack "a b$x": must be a stack name (1 to 100 letters, digits, -, _ and ., as Pulumi accepts it)`, "restore finish --stack <name>"],
                [["restore", "finish", "--stack", "s".repeat(101)], `--stack "${"s".repeat(101)}": must be a stack name (1 to 100`, "restore finish --stack <name>"],
                [["restore", "finish", "--stack", ".."], `--stack "..": is made only of dots, which this project refuses as a stack name`, "restore finish --stack <name>"],
                [["restore", "plan", "--stack", ".", "--mode", "in-place"], `--stack ".": is made only of dots`, "restore plan --stack <name>"],
                [["backups", "list", "--namespace", "Hops_Works"], `--namespace "Hops_Works": must be a Kubernetes namespace name`, "backups list [--stack <name>]"],
                [["backups", "list", "--velero-namespace", ""], "--velero-namespace needs a value", "backups list"],
                [["restore", "finish"], "--stack is required", "restore finish --stack <name>"],
                [["backups", "list", "--yes"], "--yes does not apply to backups list", "backups list"],
                [["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup", "304011200"], `--backup "304011200": decodes to 2030-09-30T12:00:00.000Z, later than now (2026-01-06T12:00:00.000Z) by more than the 1 hour allowed for clock skew: a restore point cannot be in the future`, "restore plan --stack <name>"],
                [["restore", "clean-markers", "--backup", "260221400"], `--backup "260221400": decodes to 2026-01-06T14:00:00.000Z, later than now (2026-01-06T12:00:00.000Z) by more than the 1 hour allowed for clock skew`, "restore clean-markers --backup <id>"],
                // Issue 21, item 12: a 9-digit value that is no ID says which of its fields is wrong.
                [["restore", "clean-markers", "--backup", "256011200"], `--backup "256011200": must be a backup ID of 9 digits, \`date +%y%V%u%H%M\` (year, ISO week, weekday, hour, minute), such as "254811200"; in this one, week 60 is not an ISO week (01 to 53)\n`, "restore clean-markers --backup <id>"],
                [["restore", "clean-markers", "--backup-id", "255082400"], `--backup "255082400": must be a backup ID of 9 digits, \`date +%y%V%u%H%M\` (year, ISO week, weekday, hour, minute), such as "254811200"; in this one, weekday 8 is not an ISO weekday (1 Monday to 7 Sunday)\n`, "restore clean-markers --backup <id>"],
                [["restore", "plan", "--stack", "prod", "--mode", "in-place", "--backup", "250112460"], `--backup "250112460": must be a backup ID of 9 digits, \`date +%y%V%u%H%M\` (year, ISO week, weekday, hour, minute), such as "254811200", or latest; in this one, hour 24 is not an hour (00 to 23)\n`, "restore plan --stack <name>"],
                // Control and bidirectional characters are escaped, never echoed raw to the terminal.
                [["restore", "finish", "--stack", "prod\u202e\u0007\u009b"], `--stack "prod\\u202e\\u0007\\u009b": must be a stack name`, "restore finish --stack <name>"],
                [["restore", "finish", "--stack", "prod", "--stack", "dev"], `--stack is given twice ("prod" and "dev"): give it once`, "restore finish --stack <name>"],
                [["restore", "plan", "--stack=prod", "--mode", "in-place", "--backup-version", "4.8.0", "--dry-run", "--dry-run"], "--dry-run is given twice: give it once", "restore plan --stack <name>"],
            ];
            for (const [argv, message, usage] of cases) {
                const result = await run(cluster, argv);
                assert.strictEqual(result.code, 2, argv.join(" "));
                assert.ok(result.stderr.startsWith(`error: ${message}`), `${argv.join(" ")}: ${result.stderr}`);
                assert.ok(result.stderr.includes(`\nusage: hopsworks-dr ${usage}`), result.stderr);
                assert.ok(result.stderr.endsWith(`Run 'hopsworks-dr ${argv.slice(0, 2).join(" ")} --help' for its options and examples.\n`), result.stderr);
            }
            assert.deepStrictEqual(cluster.requests, [], "nothing was contacted");
            const noCommand = await run(cluster, []);
            assert.deepStrictEqual([noCommand.code, noCommand.stderr.split("\n")[0]], [2, "error: no command given"]);
            const group = await run(cluster, ["restore"]);
            assert.ok(group.stderr.startsWith("error: restore needs a command: plan, finish, clean-markers\nusage: hopsworks-dr restore <command>"), group.stderr);
        });

        it("keeps the cron parser's reason for a five-field schedule it refuses, from a stack file too", async () => {
            fs.writeFileSync(stackPath, STACK_FILE.replace(`schedule: "0 10 * * 1"`, `schedule: "61 25 * * *"`));
            const result = await run(cluster, ["backups", "status", "--stack", "prod"]);
            assert.deepStrictEqual([result.code, result.stderr], [1,
                `error: Pulumi.prod.yaml: hopsworks-dr:backup.schedule = "61 25 * * *": minute 61 is outside 0-59; hour 25 is outside 0-23\n`]);
        });
    });

    describe("help", () => {
        it("gives each command its own help, with its options and an example, in the shape of velero's", async () => {
            const list = await run(cluster, ["backups", "list", "--help"]);
            assert.deepStrictEqual([list.code, list.stderr], [0, ""]);
            assert.ok(list.stdout.startsWith([
                "List the restore points",
                "",
                "Usage:",
                "  hopsworks-dr backups list [--stack <name>] [--json] [--from-bucket [--vault] [--read-all]] [cluster options]",
                "",
            ].join("\n")), list.stdout);
            assert.ok(list.stdout.includes("\nExamples:\n  # List the restore points of the current cluster.\n  hopsworks-dr backups list\n"));
            assert.match(list.stdout, /\n {2}--velero-namespace <ns> +Velero's namespace/);
            for (const command of Object.keys(COMMANDS)) {
                const help = await run(cluster, [...command.split(" "), "-h"]);
                assert.strictEqual(help.code, 0, command);
                assert.ok(help.stdout.includes(`\nUsage:\n  hopsworks-dr ${command} `), command);
                assert.ok(help.stdout.includes(`\nExamples:\n  # `) && help.stdout.includes(`\n  hopsworks-dr ${command}`), command);
                for (const option of COMMANDS[command]) assert.ok(help.stdout.includes(`--${option}`), `${command} --${option}`);
            }
            // --help wins over the rest of the line, an unknown option included.
            assert.strictEqual((await run(cluster, ["restore", "plan", "--bogus", "--help"])).code, 0);
            const group = await run(cluster, ["backups", "--help"]);
            assert.ok(group.stdout.startsWith("usage: hopsworks-dr backups <command> [options]\n\ncommands:\n  backups list"), group.stdout);
            const global = await run(cluster, ["--help"]);
            assert.strictEqual(global.stdout, `${USAGE}\n`);
            assert.deepStrictEqual(cluster.requests, []);
        });

        it("loads no client-node (nor cli/kube.ts, nor the AWS SDK) for --help or a usage error", async () => {
            const script = `
                require("tsx/cjs");
                const { main } = require("./cli/main.ts");
                const io = { stdout: () => {}, stderr: () => {}, env: {}, cwd: process.cwd(), now: () => new Date() };
                (async () => {
                    const codes = [];
                    for (const argv of JSON.parse(process.argv[1])) codes.push(await main(argv, io));
                    const loaded = Object.keys(require.cache).filter((f) => ["cli/kube", "@kubernetes", "node_modules/yaml/", "@aws-sdk", "cli/s3-recover"].some((m) => f.includes(m)));
                    process.stdout.write(JSON.stringify({ codes, loaded }));
                })();`;
            const argvs = [["--help"], ["backups", "status", "--help"], ["restore", "clean-markers", "--backup-id", "abc"], ["backups", "lost"], ["backups", "recover", "--help"], ["backups", "recover", "--stack", "prod", "--since", "now"]];
            const child = spawnSync(process.execPath, ["-e", script, JSON.stringify(argvs)], { cwd: PROJECT_DIR, encoding: "utf8" });
            assert.strictEqual(child.status, 0, child.stderr);
            assert.deepStrictEqual(JSON.parse(child.stdout), { codes: [0, 0, 2, 2, 0, 2], loaded: [] });
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

describe("restore clean-markers: Velero restores named after a backup of the point", () => {
    it("takes a schedule's backup by its name's time, within the catalogue's window of the backup ID", async () => {
        const { backupOfPoint } = await import("../../cli/commands/restore-clean-markers");
        // 264831645 = 2026-11-25 16:45 UTC
        assert.equal(backupOfPoint("k8s-backups-main-20261125164501", "264831645"), true);
        assert.equal(backupOfPoint("k8s-backups-users-resources-20261125164502", "264831645"), true);
        assert.equal(backupOfPoint("k8s-backups-main-20261124164501", "264831645"), false, "a day earlier");
        assert.equal(backupOfPoint("other-schedule-20261125164501", "264831645"), false, "not a Hopsworks schedule");
        assert.equal(backupOfPoint("k8s-backups-main", "264831645"), false, "named after the schedule itself");
    });
});
