/**
 * Issue 20: Superset (Hopsworks 5.2) and Trino (5.1) in `restore plan` and `restore finish`,
 * against the stand-in API server with the seeded catalogue (fake-cluster.ts seedCatalogue: its
 * Superset dumps 20251229100005-1111 and 20260105100007-2222, a FAILED one, none before).
 */
import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { CONFIGMAPS, FakeCluster, JOBS, PROD_STACK_FILE, run, seedCatalogue, startFakeCluster } from "./fake-cluster";

const STACK_52 = PROD_STACK_FILE.replace("chartVersion: 4.8.0\n    version: 4.8.0", "chartVersion: 5.2.0\n    version: 5.2.0");
const CATALOGUE_WARNINGS =
    `warning: configmap opensearch-backups-metadata, entry 255111000: skipped, unknown state "EXPLODED" (known: SUCCESS, FAILED, RUNNING, IN_PROGRESS)\n` +
    "warning: configmap rondb-backups-metadata, entry 255111000: skipped, not valid JSON\n";
const TRINO_NOTE =
    "note: hopsworks.trinoBackupsSince is not set, so whether restore point 250111000's k8s-backups-main backup carries Trino's Secrets cannot be told " +
    "(backups taken before the move to Hopsworks 5.1 lack them; Hopsworks then rebuilds project users from RonDB, and the admin and monitoring " +
    "credentials are the chart's values again). Set it to the first backup after that move (docs/config.md)\n";

describe("Superset and Trino in restore plan and restore finish (Hopsworks 5.2)", () => {
    let cluster: FakeCluster;
    let stackPath: string;
    const write = (text: string) => fs.writeFileSync(stackPath, text);
    const read = () => fs.readFileSync(stackPath, "utf8");

    beforeEach(async () => {
        cluster = await startFakeCluster();
        seedCatalogue(cluster);
        stackPath = path.join(cluster.dir, "Pulumi.prod.yaml");
        write(STACK_52);
    });
    afterEach(() => cluster.close());

    describe("restore plan", () => {
        it("writes the restore point's Superset backup, the newest at or before it, shown with its time, and notes what it cannot tell of Trino", async () => {
            const r = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.strictEqual(r.stderr, CATALOGUE_WARNINGS + TRINO_NOTE);
            assert.ok(r.stdout.includes("\nSuperset backup 20251229100005-1111 (2025-12-29T10:00:05.000Z), the newest at or before restore point 250111000\n"), r.stdout);
            assert.ok(read().endsWith(
                "    veleroBackups:\n      main: k8s-backups-main-20251229100012\n      users: k8s-backups-users-resources-20251229100013\n" +
                    "    superset:\n      backupId: 20251229100005-1111\n",
            ), read());
            assert.ok(r.stdout.includes("After a successful restore, once the Superset restore has reached its end: hopsworks-dr restore finish --stack prod (it checks that end)\n"));
        });

        it("warns when the point predates hopsworks.trinoBackupsSince", async () => {
            write(STACK_52.replace("    version: 5.2.0\n", "    version: 5.2.0\n    trinoBackupsSince: \"2026-01-01\"\n"));
            const r = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--dry-run"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.ok(r.stderr.includes(
                "warning: restore point 250111000 (2025-12-29T10:00:00.000Z) predates Trino's backups (hopsworks.trinoBackupsSince 2026-01-01T00:00:00.000Z): " +
                    "its k8s-backups-main backup lacks Trino's Secrets (trino-password-file, trino-groups-file, trino-admin-credentials, trino-monitoring-credentials).",
            ), r.stderr);
            assert.ok(!r.stderr.includes("note: hopsworks.trinoBackupsSince"));
        });

        it("says Superset is not restored for a point older than every Superset backup", async () => {
            const r = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "in-place", "--backup", "255211000", "--dry-run"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.ok(r.stdout.includes(
                "\nSuperset: no backup at or before restore point 255211000 is known (a point taken before Superset backups existed has none), so Superset is not " +
                    "restored; name one with --superset-backup <id> (ConfigMap superset-backups-metadata, or superset_backup/<id>/ in the bucket)\n",
            ), r.stdout);
            assert.ok(!r.stdout.includes("+    superset:"));
        });

        it("takes --superset-backup when the catalogue has it as SUCCESS, none to leave Superset out, and refuses others", async () => {
            const named = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--superset-backup", "20260105100007-2222", "--dry-run"]);
            assert.strictEqual(named.code, 0, named.stderr);
            assert.ok(named.stdout.includes("\nSuperset backup 20260105100007-2222 (2026-01-05T10:00:07.000Z), as --superset-backup names it\n"));
            const failed = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--superset-backup", "20260101000000-3333"]);
            assert.deepStrictEqual([failed.code, failed.stderr.split("\n").at(-2)], [1, "error: Superset backup 20260101000000-3333 is FAILED in ConfigMap superset-backups-metadata, not SUCCESS: it cannot be restored"]);
            const unknown = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--superset-backup", "20260102000000-9"]);
            assert.match(unknown.stderr, /error: Superset backup 20260102000000-9 is not in ConfigMap superset-backups-metadata \(run: hopsworks-dr backups list\)\n$/);
            const none = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--superset-backup", "none", "--dry-run"]);
            assert.ok(none.stdout.includes("\nSuperset: not restored (--superset-backup none)\n"));
            const bad = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--superset-backup", "2026-01-05"]);
            assert.strictEqual(bad.code, 2);
            assert.match(bad.stderr, /^error: --superset-backup "2026-01-05": must be a Superset backup ID such as "20260722215632-2116913658"/);
            assert.strictEqual(read(), STACK_52);
        });

        it("on a new cluster with the Velero backups named and nothing read, says how to name the Superset backup", async () => {
            const r = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--backup", "250111000",
                "--velero-main", "k8s-backups-main-20251229100012", "--velero-users", "k8s-backups-users-resources-20251229100013", "--dry-run"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.ok(r.stdout.includes(
                "\nSuperset: not restored, as no catalogue or bucket was read to find restore point 250111000's Superset backup; name it with " +
                    "--superset-backup <id> (superset_backup/<id>/ in the bucket), or read it with --from-bucket\n",
            ), r.stdout);
            const named = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "5.2.0", "--mode", "new-cluster", "--backup", "250111000",
                "--velero-main", "k8s-backups-main-20251229100012", "--velero-users", "k8s-backups-users-resources-20251229100013", "--superset-backup", "20251229100005-1111", "--dry-run"]);
            assert.ok(named.stdout.includes("+    superset:\n+      backupId: 20251229100005-1111\n"), named.stdout);
        });

        it("refuses --superset-backup on a stack before Hopsworks 5.2", async () => {
            write(PROD_STACK_FILE);
            const r = await run(cluster, ["restore", "plan", "--stack", "prod", "--backup-version", "4.8.0", "--mode", "new-cluster", "--superset-backup", "20260105100007-2222"]);
            assert.strictEqual(r.code, 1);
            assert.match(r.stderr, /error: --superset-backup applies only to Hopsworks 5.2.0 or newer, and the stack's hopsworks.version is 4.8.0: leave it out\n$/);
        });

        it("--mode superset: the newest successful Superset backup, confirmed with --yes, and the platform's options refused", async () => {
            const r = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "superset", "--yes"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.ok(r.stdout.startsWith("Superset backup 20260105100007-2222 (2026-01-05T10:00:07.000Z), the newest successful one\n"), r.stdout);
            assert.strictEqual(read(), STACK_52 + "  hopsworks-dr:restore:\n    mode: superset\n    superset:\n      backupId: 20260105100007-2222\n    confirm: prod/20260105100007-2222\n");
            // Only Superset's metadata is read, not the platform's catalogue.
            assert.ok(!cluster.requests.some((q) => q.includes("service=rondb")));
            const usage = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "superset", "--backup-version", "5.2.0"]);
            assert.strictEqual(usage.code, 2);
            assert.match(usage.stderr, /^error: --backup-version does not apply to --mode superset, which restores Superset alone from --superset-backup \(latest by default\)/);
        });

        it("--mode superset without --yes writes the block and says how to confirm; the stack refuses it until then", async () => {
            const r = await run(cluster, ["restore", "plan", "--stack", "prod", "--mode", "superset", "--superset-backup", "20251229100005-1111"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.ok(r.stdout.includes("  pulumi config set --path restore.confirm prod/20251229100005-1111 -s prod\n"), r.stdout);
            assert.ok(read().endsWith("    mode: superset\n    superset:\n      backupId: 20251229100005-1111\n"));
        });
    });

    describe("restore finish, the \"state\" revision", () => {
        const block = "  hopsworks-dr:restore:\n    mode: superset\n    superset:\n      backupId: 20260105100007-2222\n    confirm: prod/20260105100007-2222\n";
        const state = (data: Record<string, string>) =>
            cluster.put(CONFIGMAPS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "superset-restore-state", namespace: "hopsworks" }, data });
        beforeEach(() => write(STACK_52 + block));

        it("refuses before the restore Job has started, naming what it waits for", async () => {
            const r = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(r.code, 1);
            assert.strictEqual(
                r.stderr,
                "error: Pulumi.prod.yaml left unchanged: the Superset restore of backup 20260105100007-2222 (hopsworks.supersetRestoreContract: state) has not reached " +
                    "its end, ConfigMap hopsworks/superset-restore-state key phase = migrated: ConfigMap superset-restore-state does not exist yet: the restore Job has not " +
                    "started (has `pulumi up` applied step one?). Clearing its flag now would start Superset on a half-reloaded database. Follow it (kubectl get configmap " +
                    "superset-restore-state -n hopsworks -o jsonpath='{.data.phase}') and run restore finish again once it has\n",
            );
            assert.strictEqual(read(), STACK_52 + block);
        });

        it("refuses while the phase is short of migrated, or still the previous restore's", async () => {
            state({ phase: "imported", restoreId: "20260105100007-2222" });
            assert.match((await run(cluster, ["restore", "finish", "--stack", "prod"])).stderr, /: superset-restore-state phase is imported, not migrated\. Clearing its flag now/);
            state({ phase: "migrated", restoreId: "20251229100005-1111" });
            assert.match(
                (await run(cluster, ["restore", "finish", "--stack", "prod"])).stderr,
                /: superset-restore-state still describes the restore of 20251229100005-1111 \(phase migrated\): the restore of 20260105100007-2222 has not started\./,
            );
            assert.strictEqual(read(), STACK_52 + block);
        });

        it("after a failed restore: names the failure, the audit trail, the fence, how to re-run and how to give up", async () => {
            state({ phase: "verified", restoreId: "20260105100007-2222", failed: "secret-key fingerprint mismatch" });
            const r = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(r.code, 1);
            assert.ok(r.stderr.startsWith(
                "error: Pulumi.prod.yaml left unchanged: the Superset restore of backup 20260105100007-2222 (hopsworks.supersetRestoreContract: state) failed: " +
                    "superset-restore-state records failed: secret-key fingerprint mismatch (phase verified). Its flag stays set (Superset stays at zero replicas). " +
                    "read the audit trail (kubectl get configmap superset-restore-audit -n hopsworks -o json | jq -r",
            ), r.stderr);
            assert.ok(r.stderr.includes("The fence holds: superset-restore-state phase is not migrated, so scheduled Superset backups refuse to run. Verify or recover Superset's database first"));
            assert.ok(r.stderr.includes("kubectl delete job superset-restore-20260105100007-2222 -n hopsworks --ignore-not-found=true"));
            // Without a change, pulumi up would not upgrade the release, and the deleted Job would not come back.
            assert.ok(r.stderr.includes('pulumi config set --path restore.superset.initiatedBy "<you>, attempt 2" -s prod, then pulumi up.'), r.stderr);
            assert.ok(r.stderr.endsWith("remove the restore block (pulumi config rm restore -s prod), then pulumi up\n"), r.stderr);
        });

        it("removes the block once the phase is migrated for this backup", async () => {
            state({ phase: "migrated", restoreId: "20260105100007-2222" });
            const r = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.ok(r.stdout.startsWith("Superset restore of backup 20260105100007-2222 reached its end: superset-restore-state phase is migrated\n"), r.stdout);
            assert.strictEqual(read(), STACK_52);
            assert.ok(cluster.requests.includes("GET /api/v1/namespaces/hopsworks/configmaps/superset-restore-state"));
        });
    });

    describe("restore finish, the \"job\" revision", () => {
        const block =
            "  hopsworks-dr:restore:\n    mode: new-cluster\n    backupId: \"250111000\"\n    backupHopsworksVersion: 5.2.0\n    superset:\n      backupId: 20251229100005-1111\n";
        const job = (conditions: Record<string, string>[]) =>
            cluster.put(JOBS, { apiVersion: "batch/v1", kind: "Job", metadata: { name: "superset-restore-20251229100005-1111", namespace: "hopsworks" }, status: { conditions } });
        beforeEach(() => write(STACK_52.replace("    version: 5.2.0\n", "    version: 5.2.0\n    supersetRestoreContract: job\n") + block));

        it("refuses while the Job is missing or running, and after it failed names the fence key inProgress", async () => {
            assert.match((await run(cluster, ["restore", "finish", "--stack", "prod"])).stderr, /has not reached its end, Job hopsworks\/superset-restore-20251229100005-1111 condition Complete: Job superset-restore-20251229100005-1111 does not exist yet/);
            job([]);
            assert.match((await run(cluster, ["restore", "finish", "--stack", "prod"])).stderr, /: Job superset-restore-20251229100005-1111 is still running \(not Complete\)\. .*kubectl logs -f job\/superset-restore-20251229100005-1111 -n hopsworks/);
            job([{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }]);
            const failed = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(failed.code, 1);
            assert.ok(failed.stderr.includes("failed: Job superset-restore-20251229100005-1111 Failed (BackoffLimitExceeded: Job has reached the specified backoff limit)."), failed.stderr);
            assert.ok(failed.stderr.includes(
                "The fence holds: superset-restore-audit key inProgress is set, so scheduled Superset backups skip their run. Verify or recover Superset's database first, then clear it: " +
                    "kubectl patch configmap superset-restore-audit -n hopsworks --type json -p '[{\"op\":\"remove\",\"path\":\"/data/inProgress\"}]'",
            ), failed.stderr);
            assert.ok(failed.stderr.endsWith("pulumi config rm --path restore.superset -s prod, then hopsworks-dr restore finish --stack prod\n"), failed.stderr);
            // A platform restore is not applied twice: Superset's runs again on its own.
            assert.ok(failed.stderr.includes(
                "run Superset's on its own once the platform's is finished: pulumi config rm --path restore.superset -s prod, hopsworks-dr restore finish --stack prod, " +
                    "pulumi up -s prod, then hopsworks-dr restore plan --stack prod --mode superset --superset-backup 20251229100005-1111 --yes and pulumi up -s prod.",
            ), failed.stderr);
        });

        it("removes the block once the Job is Complete", async () => {
            job([{ type: "Complete", status: "True" }]);
            const r = await run(cluster, ["restore", "finish", "--stack", "prod"]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.ok(r.stdout.startsWith("Superset restore of backup 20251229100005-1111 reached its end: Job superset-restore-20251229100005-1111 is Complete\n"));
            assert.ok(!read().includes("hopsworks-dr:restore"));
        });
    });

    describe("restore clean-markers --superset-backup", () => {
        it("lists and deletes the Superset restore Job beside the in-place restore's markers, and refuses an ID of another form", async () => {
            cluster.put(JOBS, { apiVersion: "batch/v1", kind: "Job", metadata: { name: "superset-restore-20251229100005-1111", namespace: "hopsworks" } });
            const listed = await run(cluster, ["restore", "clean-markers", "--backup", "250111000", "--superset-backup", "20251229100005-1111"]);
            assert.strictEqual(listed.code, 0, listed.stderr);
            assert.ok(listed.stdout.includes("  job hopsworks/superset-restore-20251229100005-1111: exists, would be deleted\n"), listed.stdout);
            const deleted = await run(cluster, ["restore", "clean-markers", "--backup", "250111000", "--superset-backup", "20251229100005-1111", "--yes"]);
            assert.strictEqual(deleted.code, 0, deleted.stderr);
            assert.ok(deleted.stdout.includes("  job hopsworks/superset-restore-20251229100005-1111: deleted\n"), deleted.stdout);
            assert.ok(!cluster.objects.get(JOBS)!.has("superset-restore-20251229100005-1111"));
            const bad = await run(cluster, ["restore", "clean-markers", "--backup", "250111000", "--superset-backup", "250111000"]);
            assert.strictEqual(bad.code, 2);
            assert.match(bad.stderr, /^error: --superset-backup "250111000": must be a Superset backup ID/);
        });
    });
});
