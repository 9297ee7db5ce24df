/**
 * Scenario `interrupted`: a new-cluster restore whose `pulumi up` dies (SIGKILL, as a CI runner that
 * is lost) while Velero restores, then docs/runbooks/interrupted-deployment.md followed line by line
 * (its commands are the drill's commands, test/drill/runbook.test.ts keeps them in step): the stack
 * converges, no restore runs twice, Hopsworks still waits for a Completed restore, and the bucket
 * keeps every backup.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { LOCATION_NAME, LOCATION_PREFIX, VELERO_SCHEDULES } from "../../stacks/names";
import { DRILL_HOPSWORKS_VERSION, freshCluster, loseCluster, VELERO_NAMESPACE } from "../env";
import { alive, killProcess, logFile, startProcess, waitFor } from "../processes";
import { check, Recorder } from "../report";
import { forDrill, readRunbook } from "../runbook";
import { Shell } from "../shell";
import { helmRelease, helmReleaseSecret, snapshotObjects } from "../cluster-state";
import { DRILL_STACK, drillNames, HOPSWORKS_NAMESPACE, takeBackups } from "./backup-mode";
import { primarySupersetStore, supersetRestoreBeforeFinish } from "../superset";
import { ensureBackups } from "./prerequisites";

export const SCENARIO = "interrupted";
export const RUNBOOK = "interrupted-deployment.md";
/** The runbook's section for an install that was interrupted, and the drill's fake node (drill/env.ts). */
export const HELM_SECTION = "When the Hopsworks install was interrupted";
const FAKE_NODE = "drill-node";

/**
 * Application objects added for this scenario's restore point, in the main backup: enough that
 * Velero's restore of them stays InProgress for seconds (the other scenarios' restores take less
 * than one), so `pulumi up` can be killed in the middle of it.
 */
const BULK_OBJECTS = 1500;
const BULK_LABEL = "hopsworks-dr.io/drill-bulk";

function bulkObjects(namespace: string): object {
    const items = Array.from({ length: BULK_OBJECTS }, (_, i) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `drill-bulk-${String(i).padStart(4, "0")}`, namespace, labels: { [BULK_LABEL]: "true" } },
        data: { index: String(i) },
    }));
    return { apiVersion: "v1", kind: "List", items };
}

function countBulkObjects(sh: Shell): number {
    const r = sh.kubectl(["get", "configmaps", "-n", HOPSWORKS_NAMESPACE, "-l", BULK_LABEL, "-o", "name"], { allowFailure: true });
    return r.stdout.split("\n").filter(Boolean).length;
}

/** The DIY backend's lock files of the drill stack: a killed `pulumi up` leaves its own behind. */
function stackLocks(sh: Shell): string[] {
    const dir = path.join(new URL(sh.env.PULUMI_BACKEND_URL!).pathname, ".pulumi", "locks", "organization", "hopsworks-dr", DRILL_STACK);
    // The file store keeps each blob's attributes beside it (<lock>.json.attrs): count the locks only.
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
}

function pendingOperations(sh: Shell): { type: string; urn: string }[] {
    const state = JSON.parse(sh.pulumi(["stack", "export"], { stack: DRILL_STACK }).stdout);
    return (state.deployment.pending_operations ?? []).map((op: any) => ({ type: op.type, urn: op.resource.urn }));
}

export async function interrupted(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);
    const earlier = await ensureBackups(rec, sh, SCENARIO);

    const point = await step(`Take a restore point whose main backup holds ${BULK_OBJECTS} more objects`, async (ctx) => {
        sh.kubectl(["apply", "--server-side", "-f", "-"], { input: JSON.stringify(bulkObjects(HOPSWORKS_NAMESPACE)) });
        check(countBulkObjects(sh) === BULK_OBJECTS, "the bulk objects were not all created");
        const taken = await takeBackups(sh);
        ctx.detail(taken.detail);
        return taken;
    });

    const before = await step("Record what the cluster holds and the bucket's backups, then lose the cluster", async (ctx) => {
        const objects = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
        const versions = sh.objectVersions(`${LOCATION_PREFIX}/backups/`);
        loseCluster(sh.drill.run);
        await freshCluster(sh.env, sh.drill.run);
        sh.pulumi(["refresh", "--yes"], { stack: DRILL_STACK });
        ctx.detail(`${Object.keys(objects).length} objects and ${BULK_OBJECTS} bulk ConfigMaps; ${versions.length} backup object versions; fresh cluster, state refreshed`);
        return { objects, versions };
    });

    const killed = await step("pulumi up of the new-cluster restore, killed (SIGKILL) while k8s-backups-main is InProgress", async (ctx) => {
        sh.hopsworksDr([
            "restore", "plan", "--stack", DRILL_STACK, "--mode", "new-cluster", "--backup", point.backupId, "--backup-version", DRILL_HOPSWORKS_VERSION,
            "--velero-main", point.veleroBackups.main, "--velero-users", point.veleroBackups.users,
            // No catalogue is read after the loss: the point's Superset backup is named, so the resumed install restores it too.
            "--superset-backup", point.supersetBackup!,
        ]);
        const t0 = Date.now();
        const inProgress = await upUntil(sh, "k8s-backups-main to be InProgress", () => {
            const restore = sh.getJson(["restores.velero.io", VELERO_SCHEDULES.main, "-n", VELERO_NAMESPACE]);
            return restore?.status?.phase === "InProgress" ? restore : undefined;
        });
        ctx.figure("killedAfterSeconds", (Date.now() - t0) / 1000);
        const restore = sh.getJson(["restores.velero.io", VELERO_SCHEDULES.main, "-n", VELERO_NAMESPACE]);
        check(sh.getJson(["restores.velero.io", VELERO_SCHEDULES.users, "-n", VELERO_NAMESPACE]) === undefined, "the users restore started before the main one completed");
        check(helmReleaseStatus(sh) === undefined, "Hopsworks was installed during the main restore");
        ctx.detail(
            `killed after ${((Date.now() - t0) / 1000).toFixed(1)} s; k8s-backups-main ${restore?.status?.phase} (${restore?.status?.progress?.itemsRestored ?? 0}/${restore?.status?.progress?.totalItems ?? "?"} items)`,
        );
        return { uid: inProgress.metadata.uid as string, startTimestamp: inProgress.status.startTimestamp as string };
    });

    await step("What the operator finds: pulumi up refuses the locked stack, and the state holds a pending create", () => {
        const locks = stackLocks(sh);
        check(locks.length === 1, `expected the killed run's lock, found ${locks.length}: ${locks.join(", ")}`);
        const r = sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK, allowFailure: true });
        const out = `${r.stdout}\n${r.stderr}`;
        check(r.status !== 0 && /locked/.test(out), `pulumi up did not refuse the locked stack:\n${out.slice(-2000)}`);
        const pending = pendingOperations(sh);
        check(pending.some((op) => op.type === "creating" && /velero\.io\/v1:Restore::/.test(op.urn)), `no pending create of the Restore: ${JSON.stringify(pending)}`);
        return `${out.split("\n").find((l) => /locked/.test(l))?.trim()}; pending: ${pending.map((op) => `${op.type} ${op.urn.split("::").pop()}`).join(", ")}`;
    });

    const names = drillNames(sh, point);
    for (const command of readRunbook(RUNBOOK)) {
        const line = forDrill(command, names);
        await step(`Runbook: ${line}`, (ctx) => {
            const r = sh.line(line);
            if (/^pulumi cancel\b/.test(line)) check(stackLocks(sh).length === 0, "the lock is still there");
            if (/^jq -r\b/.test(line)) check(/^creating urn:pulumi:\S+Restore::k8s-backups-main$/m.test(r.stdout), `jq does not name the pending create of ${VELERO_SCHEDULES.main}:\n${r.stdout}`);
            if (/^kubectl wait\b/.test(line)) checkWaitedForMain(sh, killed.uid);
            if (/^pulumi refresh\b/.test(line)) check(pendingOperations(sh).length === 0, `pending operations remain: ${JSON.stringify(pendingOperations(sh))}`);
            if (/^pulumi import\b/.test(line)) checkImported(sh, killed.uid);
            if (/^pulumi stack import\b/.test(line)) checkDeclaredInputs(sh, point.veleroBackups.main);
            if (/^pulumi preview\b/.test(line)) return checkResumePreview(r.stdout);
            if (/^pulumi up\b/.test(line)) {
                const main = checkConverged(sh, { killed, before, veleroBackups: point.veleroBackups, backupId: point.backupId });
                ctx.figure("mainRestoreSeconds", (Date.parse(main.status.completionTimestamp) - Date.parse(main.status.startTimestamp)) / 1000);
            }
            return r.stdout.trim().split("\n").slice(-3).join(" | ");
        });
    }

    await step("restore finish, pulumi up, then pulumi preview --expect-no-changes", () => finishRestore(sh));

    // The same, killed while Hopsworks installs: its pod cannot be scheduled, so Helm waits.
    const second = await step(`Lose the cluster again and plan a restore of point ${earlier.backupId}`, async (ctx) => {
        const objects = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
        const versions = sh.objectVersions(`${LOCATION_PREFIX}/backups/`);
        loseCluster(sh.drill.run);
        await freshCluster(sh.env, sh.drill.run);
        sh.pulumi(["refresh", "--yes"], { stack: DRILL_STACK });
        sh.hopsworksDr([
            "restore", "plan", "--stack", DRILL_STACK, "--mode", "new-cluster", "--backup", earlier.backupId, "--backup-version", DRILL_HOPSWORKS_VERSION,
            "--velero-main", earlier.veleroBackups.main, "--velero-users", earlier.veleroBackups.users,
        ]);
        ctx.detail(`fresh cluster, state refreshed; restore block for ${earlier.backupId} written`);
        return { objects, versions };
    });

    const restoresAtKill = await step("pulumi up, the node cordoned once Velero is installed so Hopsworks's pod waits; killed (SIGKILL) while the release is pending-install", async (ctx) => {
        let cordoned = false;
        await upUntil(sh, "the Hopsworks release to be pending-install", () => {
            // Not before: the Velero release's own hook Job needs the node.
            if (!cordoned && sh.getJson(["backupstoragelocation", LOCATION_NAME, "-n", VELERO_NAMESPACE])) {
                sh.kubectl(["cordon", FAKE_NODE]);
                cordoned = true;
            }
            return helmReleaseStatus(sh) === "pending-install" ? true : undefined;
        });
        // The cause of the slow install is gone; the dead run's Helm record stays pending-install.
        sh.kubectl(["uncordon", FAKE_NODE]);
        const restores = Object.values(VELERO_SCHEDULES).map((name) => sh.getJson(["restores.velero.io", name, "-n", VELERO_NAMESPACE]));
        check(restores.every((r) => r?.status?.phase === "Completed"), `the restores are ${restores.map((r) => r?.status?.phase).join(", ")}`);
        const pending = pendingOperations(sh);
        check(pending.some((op) => op.type === "creating" && /helm\.sh\/v3:Release::hopsworks$/.test(op.urn)), `no pending create of the Hopsworks release: ${JSON.stringify(pending)}`);
        check(helmReleaseStatus(sh) === "pending-install", `the release is ${helmReleaseStatus(sh)}`);
        ctx.detail(`killed with both restores Completed and Helm's record of hopsworks pending-install; ${FAKE_NODE} uncordoned`);
        return restores.map((r) => ({ name: r.metadata.name as string, uid: r.metadata.uid as string, startTimestamp: r.status.startTimestamp as string }));
    });

    for (const command of readRunbook(RUNBOOK, HELM_SECTION)) {
        const line = forDrill(command, names);
        await step(`Runbook (Hopsworks install interrupted): ${line}`, () => {
            const r = sh.line(line);
            if (/^helm status\b/.test(line)) check(/STATUS: pending-install/.test(r.stdout), `helm status does not show pending-install:\n${r.stdout}`);
            if (/^helm uninstall\b/.test(line)) check(helmReleaseStatus(sh) === undefined, "Helm's record of the release is still there");
            if (/^pulumi refresh\b/.test(line)) check(pendingOperations(sh).length === 0, `pending operations remain: ${JSON.stringify(pendingOperations(sh))}`);
            if (/^pulumi up\b/.test(line)) {
                for (const before of restoresAtKill) {
                    const now = sh.getJson(["restores.velero.io", before.name, "-n", VELERO_NAMESPACE]);
                    check(now?.metadata?.uid === before.uid && now?.status?.startTimestamp === before.startTimestamp, `${before.name} was recreated or ran again`);
                }
                const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
                check(release.info.status === "deployed", `the Hopsworks release is ${release.info.status}`);
                check(release.config?.global?._hopsworks?.restoreFromBackup?.backupId === earlier.backupId, "the release does not restore the backup");
                const objects = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
                check(JSON.stringify(objects) === JSON.stringify(second.objects), `restored objects differ:\nbefore ${JSON.stringify(second.objects)}\nafter  ${JSON.stringify(objects)}`);
                const versions = sh.objectVersions(`${LOCATION_PREFIX}/backups/`);
                check(JSON.stringify(versions) === JSON.stringify(second.versions), "the bucket's backups changed");
            }
            return r.stdout.trim().split("\n").slice(-3).join(" | ");
        });
    }

    await step("restore finish, pulumi up, then pulumi preview --expect-no-changes (after the second interruption)", () => finishRestore(sh));
}

/** Back to backup operation after a resumed restore (its Superset restore run first): no drift, and no pending operation left in the state. */
async function finishRestore(sh: Shell): Promise<string> {
    const superset = await supersetRestoreBeforeFinish(sh, HOPSWORKS_NAMESPACE, DRILL_STACK, primarySupersetStore(sh));
    sh.hopsworksDr(["restore", "finish", "--stack", DRILL_STACK]);
    sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
    const r = sh.pulumi(["preview", "--expect-no-changes"], { stack: DRILL_STACK, allowFailure: true });
    check(r.status === 0, `the preview found changes:\n${r.stdout.slice(-3000)}`);
    check(pendingOperations(sh).length === 0, "pending operations reappeared");
    return `backup operation again; no changes${superset ? `; ${superset}` : ""}`;
}

/** Runs `pulumi up` of the drill stack in the background until `until` holds, then kills it and everything it started. */
async function upUntil<T>(sh: Shell, what: string, until: () => T | undefined): Promise<T> {
    const pid = startProcess(sh.drill.run, "interrupted-pulumi-up", "pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", DRILL_STACK], {
        env: sh.env,
        cwd: sh.project,
    });
    try {
        return await waitFor(
            what,
            () => {
                check(alive(pid), `pulumi up ended before ${what}:\n${readFileSync(logFile(sh.drill.run, "interrupted-pulumi-up"), "utf8").slice(-3000)}`);
                return until();
            },
            600_000,
            200,
        );
    } finally {
        killProcess(sh.drill.run, "interrupted-pulumi-up");
    }
}

/** The status Helm's newest record of the Hopsworks release carries (a label of its Secret), or undefined without one. */
function helmReleaseStatus(sh: Shell): string | undefined {
    return helmReleaseSecret(sh, "hopsworks", HOPSWORKS_NAMESPACE)?.metadata?.labels?.status;
}

/** Each resource block of `pulumi preview --diff`: its operation, type and the first `name` inside it. */
export function previewSteps(stdout: string): { op: string; type: string; name?: string }[] {
    const header = /^\s*[-+~]*\s*([\w.:/-]+): \(([\w-]+)\)\s*$/;
    const steps: { op: string; type: string; name?: string }[] = [];
    for (const line of stdout.split("\n")) {
        const h = header.exec(line);
        if (h) steps.push({ type: h[1], op: h[2] });
        else if (steps.length && steps[steps.length - 1].name === undefined) {
            const n = /^\s*[-+~]?\s*name\s*:\s*"([^"]+)"/.exec(line);
            if (n) steps[steps.length - 1].name = n[1];
        }
    }
    return steps;
}

/**
 * After the import, the resumed deployment leaves k8s-backups-main alone (no create, update or
 * replace: it is in the state as the killed run made it), creates the users Restore and Hopsworks,
 * and replaces or deletes nothing.
 */
function checkResumePreview(stdout: string): string {
    const steps = previewSteps(stdout).filter((s) => s.op !== "same");
    const main = steps.filter((s) => s.name === VELERO_SCHEDULES.main);
    check(main.length === 0, `the preview touches the imported ${VELERO_SCHEDULES.main}: ${JSON.stringify(main)}\n${stdout.slice(-3000)}`);
    const creates = (type: string, name?: string) => steps.some((s) => s.op === "create" && s.type === type && (name === undefined || s.name === name));
    check(creates("kubernetes:velero.io/v1:Restore", VELERO_SCHEDULES.users), `the preview does not create Restore ${VELERO_SCHEDULES.users}:\n${stdout.slice(-3000)}`);
    check(creates("kubernetes:helm.sh/v3:Release"), "the preview does not install Hopsworks");
    const destructive = steps.filter((s) => /replace|delete/.test(s.op));
    check(destructive.length === 0, `the preview replaces or deletes: ${JSON.stringify(destructive)}\n${stdout.slice(-3000)}`);
    return steps.map((s) => `${s.op} ${s.type.split(":").pop()}${s.name ? ` ${s.name}` : ""}`).join(", ");
}

/** The wait ended with the killed run's Restore finished, and the resumed run has not started the next one. */
function checkWaitedForMain(sh: Shell, uid: string): void {
    const main = sh.getJson(["restores.velero.io", VELERO_SCHEDULES.main, "-n", VELERO_NAMESPACE]);
    check(main?.metadata?.uid === uid, `${VELERO_SCHEDULES.main} is not the killed run's Restore`);
    check(main.status?.phase === "Completed" && !!main.status?.completionTimestamp, `${VELERO_SCHEDULES.main} is ${main.status?.phase}`);
    check(sh.getJson(["restores.velero.io", VELERO_SCHEDULES.users, "-n", VELERO_NAMESPACE]) === undefined, `${VELERO_SCHEDULES.users} exists before the resumed run`);
}

/** The import put the killed run's Restore (same uid) into the state, and left no pending operation. */
function checkImported(sh: Shell, uid: string): void {
    check(pendingOperations(sh).length === 0, `pending operations remain: ${JSON.stringify(pendingOperations(sh))}`);
    const state = JSON.parse(sh.pulumi(["stack", "export"], { stack: DRILL_STACK }).stdout);
    const restore = (state.deployment.resources ?? []).find((r: any) => r.type === "kubernetes:velero.io/v1:Restore" && r.outputs?.metadata?.name === VELERO_SCHEDULES.main);
    const restores = (state.deployment.resources ?? []).filter((r: any) => /Restore/.test(r.type)).map((r: any) => ({ urn: r.urn, id: r.id, outputs: r.outputs, inputs: r.inputs }));
    check(restore?.id === `${VELERO_NAMESPACE}/${VELERO_SCHEDULES.main}`, `the state holds no ${VELERO_SCHEDULES.main}: ${JSON.stringify(restores).slice(0, 3000)}`);
    check(restore.outputs.metadata.uid === uid, `the state's ${VELERO_SCHEDULES.main} is another object`);
}

/** The imported Restore carries the inputs the killed run declared, so the resumed run sees no change. */
function checkDeclaredInputs(sh: Shell, backupName: string): void {
    const state = JSON.parse(sh.pulumi(["stack", "export"], { stack: DRILL_STACK }).stdout);
    const restore = (state.deployment.resources ?? []).find((r: any) => r.type === "kubernetes:velero.io/v1:Restore" && r.outputs?.metadata?.name === VELERO_SCHEDULES.main);
    check(restore?.inputs?.spec?.backupName === backupName, `the imported ${VELERO_SCHEDULES.main} declares ${JSON.stringify(restore?.inputs?.spec)}`);
    check(restore.inputs.metadata?.annotations?.["pulumi.com/waitFor"] !== undefined, `the imported ${VELERO_SCHEDULES.main} lacks the declared annotations`);
}

function checkConverged(
    sh: Shell,
    expected: {
        killed: { uid: string; startTimestamp: string };
        before: { objects: Record<string, unknown>; versions: string[] };
        veleroBackups: { main: string; users: string };
        backupId: string;
    },
): any {
    const restores = (sh.getJson(["restores.velero.io", "-n", VELERO_NAMESPACE])?.items ?? []) as any[];
    check(restores.length === 2, `expected two Velero restores, found ${restores.map((r) => r.metadata.name).join(", ")}`);
    const main = restores.find((r) => r.metadata.name === VELERO_SCHEDULES.main);
    const users = restores.find((r) => r.metadata.name === VELERO_SCHEDULES.users);
    check(main?.status?.phase === "Completed" && users?.status?.phase === "Completed", `restores ended ${main?.status?.phase} and ${users?.status?.phase}`);
    // No restore ran twice: the main Restore is the one the killed run created, started once.
    check(main.metadata.uid === expected.killed.uid, "k8s-backups-main was recreated, so it ran again");
    check(main.status.startTimestamp === expected.killed.startTimestamp, `k8s-backups-main started again at ${main.status.startTimestamp}`);
    check(main.spec.backupName === expected.veleroBackups.main && users.spec.backupName === expected.veleroBackups.users, "the restores name other backups");
    check(Date.parse(users.status.startTimestamp) >= Date.parse(main.status.completionTimestamp), "the users restore started before the main restore completed");
    check(countBulkObjects(sh) === BULK_OBJECTS, `${countBulkObjects(sh)} of ${BULK_OBJECTS} bulk objects are back`);
    const after = snapshotObjects(sh, HOPSWORKS_NAMESPACE);
    check(JSON.stringify(after) === JSON.stringify(expected.before.objects), `restored objects differ:\nbefore ${JSON.stringify(expected.before.objects)}\nafter  ${JSON.stringify(after)}`);
    // Hopsworks waited for the users restore to complete.
    const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
    check(release.info.status === "deployed", `the Hopsworks release is ${release.info.status}`);
    check(Date.parse(release.info.first_deployed) >= Date.parse(users.status.completionTimestamp), "Hopsworks was installed before the users restore completed");
    check(release.config?.global?._hopsworks?.restoreFromBackup?.backupId === expected.backupId, "the release does not restore the backup");
    const versions = sh.objectVersions(`${LOCATION_PREFIX}/backups/`);
    check(JSON.stringify(versions) === JSON.stringify(expected.before.versions), `the bucket's backups changed: before ${expected.before.versions.length}, after ${versions.length}`);
    return main;
}
