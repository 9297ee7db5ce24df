/**
 * Scenario `backup-mode`: the program in normal backup operation under the real engine, on a
 * stack a user could have written (an S3-compatible store, its keys as Pulumi secrets, the
 * bucket managed outside the stack). The steps follow the README's "Deploying" section.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { backupIdAt } from "../../stacks/catalogue/backup-id";
import { copyProject, DRILL_BUCKET, DRILL_CREDENTIALS_HASH_KEY, DRILL_HOPSWORKS_VERSION, DRILL_REGION, DRILL_S3_KEYS, VELERO_NAMESPACE } from "../env";
import { waitFor } from "../processes";
import type { DrillNames } from "../runbook";
import { check, Recorder } from "../report";
import { Shell } from "../shell";
import { addBackupMetadata, createObjectsWorthRestoring, helmRelease, takeScheduledBackup } from "../cluster-state";
import { primarySupersetStore, takeSupersetBackup } from "../superset";
import { LOCATION_NAME, LOCATION_PREFIX, VELERO_SCHEDULES } from "../../stacks/names";

export const SCENARIO = "backup-mode";
export const DRILL_STACK = "drill";
export const HOPSWORKS_NAMESPACE = "hopsworks";

/** The drill stack's config, set the way the README tells a user to: `pulumi config set`, keys as secrets. */
export function configureDrillStack(sh: Shell, stack = DRILL_STACK): void {
    const set = (key: string, value: string, secret = false) =>
        sh.pulumi(["config", "set", ...(secret ? ["--secret"] : []), "--path", key, value], { stack });
    sh.pulumi(["stack", "init", stack]);
    set("storage.bucket", DRILL_BUCKET);
    // The drill's bucket belongs to "the storage team" (the drill itself): the stack only checks it.
    set("storage.manage", "false");
    set("storage.region", DRILL_REGION);
    set("storage.endpoint", sh.env.DRILL_S3_ENDPOINT!);
    set("storage.accessKeyId", DRILL_S3_KEYS.accessKeyId, true);
    set("storage.secretAccessKey", DRILL_S3_KEYS.secretAccessKey, true);
    // As docs/config.md shows it: piped in (pulumi config set reads the value from stdin when stdin is not a terminal), not on the command line.
    sh.pulumi(["config", "set", "--secret", "--path", "storage.credentialsHashKey"], { stack, input: DRILL_CREDENTIALS_HASH_KEY });
    set("backup.schedule", "@daily");
    set("velero.repo", sh.env.DRILL_CHART_REPO!);
    // velero.kubectlImage*: the stack's default (bitnamilegacy/kubectl:1.33, with the shell chart 11.x's CRD-upgrade job needs).
    set("hopsworks.repo", sh.env.DRILL_CHART_REPO!);
    set("hopsworks.chartVersion", DRILL_HOPSWORKS_VERSION);
    set("hopsworks.version", DRILL_HOPSWORKS_VERSION);
    set("hopsworks.timeoutSeconds", "300");
}

/** A runbook's example names as the drill's, on the primary store: the stack, the restore point, the bucket; `more` for the runbook's own examples. */
export function drillNames(sh: Shell, point: { backupId: string; veleroBackups: { main: string; users: string } }, more?: Record<string, string>): DrillNames {
    return { stack: DRILL_STACK, backupId: point.backupId, bucket: DRILL_BUCKET, s3Endpoint: sh.env.DRILL_S3_ENDPOINT!, veleroBackups: point.veleroBackups, ...(more ? { more } : {}) };
}

/** `npm run render` in the drill project: what the stack would deploy, offline. */
export function render(sh: Shell, stack = DRILL_STACK): { bucket: string; hopsworksValues: string; plan: string; alerts?: string; vault?: string } {
    const out = mkdtempSync(path.join(os.tmpdir(), "drill-render-"));
    sh.exec("node", ["--import", "tsx", "render/cli.ts", "--stack", stack, "--out", out]);
    const read = (name: string) => readFileSync(path.join(out, name), "utf8");
    const optional = (name: string, key: "alerts" | "vault") => (existsSync(path.join(out, name)) ? { [key]: read(name) } : {});
    return { bucket: read("bucket.json"), hopsworksValues: read("hopsworks-values.yaml"), plan: read("plan.txt"), ...optional("alerts.yaml", "alerts"), ...optional("vault.json", "vault") };
}

interface PreviewStep {
    op: string;
    urn: string;
}

export function previewSteps(stdout: string): PreviewStep[] {
    const json = JSON.parse(stdout);
    return (json.steps ?? []) as PreviewStep[];
}

const typeOf = (urn: string) => urn.split("::")[2]?.split("$").pop() ?? "";
const nameOf = (urn: string) => urn.split("::")[3] ?? "";

/** The bucket's owner at work: the bucket, versioning and lifecycle rule from the render's bucket.json. */
export function createBucketFromRender(sh: Shell): string {
    const bucket = JSON.parse(render(sh).bucket);
    check(bucket.Bucket === DRILL_BUCKET, `bucket.json names bucket ${bucket.Bucket}, not ${DRILL_BUCKET}`);
    check(bucket.Versioning?.Status === "Enabled", `bucket.json has no versioning: ${JSON.stringify(bucket.Versioning)}`);
    check(bucket.LifecycleConfiguration?.Rules?.length > 0, "bucket.json has no lifecycle rule");
    sh.s3api(["create-bucket", "--bucket", DRILL_BUCKET]);
    sh.s3api(["put-bucket-versioning", "--bucket", DRILL_BUCKET, "--versioning-configuration", JSON.stringify(bucket.Versioning)]);
    sh.s3api(["put-bucket-lifecycle-configuration", "--bucket", DRILL_BUCKET, "--lifecycle-configuration", JSON.stringify(bucket.LifecycleConfiguration)]);
    const versioning = sh.s3api(["get-bucket-versioning", "--bucket", DRILL_BUCKET]);
    const lifecycle = sh.s3api(["get-bucket-lifecycle-configuration", "--bucket", DRILL_BUCKET]);
    check(versioning.Status === "Enabled", `the store reports versioning ${JSON.stringify(versioning)}`);
    const days = lifecycle.Rules?.[0]?.NoncurrentVersionExpiration?.NoncurrentDays;
    check(days === bucket.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration.NoncurrentDays, `the store keeps noncurrent versions ${days} days`);
    return `bucket ${DRILL_BUCKET}: versioning Enabled, rule ${lifecycle.Rules[0].ID} keeps noncurrent versions ${days} days`;
}

export interface TakenBackups {
    /** The global backup ID the RonDB and OpenSearch entries carry. */
    backupId: string;
    veleroBackups: { main: string; users: string };
    /** The create-superset-backup run of the point, when the drill took it (not when an earlier scenario's point is reused). */
    supersetBackup?: string;
    detail: string;
}

/**
 * One restore point, as the cluster's backup jobs make it: objects worth restoring exist, Velero
 * backs up both schedules, Superset is dumped (5.2), and RonDB and OpenSearch record their backups
 * under one ID.
 */
export async function takeBackups(sh: Shell): Promise<TakenBackups> {
    createObjectsWorthRestoring(sh, HOPSWORKS_NAMESPACE);
    const veleroBackups = { main: takeScheduledBackup(sh, VELERO_SCHEDULES.main), users: takeScheduledBackup(sh, VELERO_SCHEDULES.users) };
    const supersetBackup = await takeSupersetBackup(sh, HOPSWORKS_NAMESPACE, primarySupersetStore(sh));
    const backupId = backupIdAt(new Date());
    addBackupMetadata(sh, HOPSWORKS_NAMESPACE, backupId, DRILL_BUCKET);
    const lines: string[] = [];
    for (const name of Object.values(veleroBackups)) {
        const keys = sh.objectVersions(`${LOCATION_PREFIX}/backups/${name}/`).map((k) => k.split("@")[0].split("/").pop()!);
        for (const file of ["velero-backup.json", `${name}.tar.gz`, `${name}-logs.gz`]) {
            check(keys.includes(file), `backup ${name}: no ${file} in s3://${DRILL_BUCKET}/${LOCATION_PREFIX}/backups/${name}/ (found ${keys.join(", ")})`);
        }
        lines.push(`${name}: Completed, ${keys.length} objects in the bucket`);
    }
    return { backupId, veleroBackups, supersetBackup, detail: `backup ID ${backupId}; ${lines.join("; ")}; Superset backup ${supersetBackup}` };
}

export async function backupMode(rec: Recorder, sh: Shell): Promise<void> {
    const step = rec.scenario(SCENARIO);

    await step("Write the drill stack's config with pulumi config set (keys as secrets)", () => {
        configureDrillStack(sh);
        const file = readFileSync(path.join(sh.project, `Pulumi.${DRILL_STACK}.yaml`), "utf8");
        check(!file.includes(DRILL_S3_KEYS.secretAccessKey), "the secret key is in the stack file in plain text");
        check(/secretAccessKey:\s*\n\s*secure:/.test(file), "storage.secretAccessKey is not stored as a secure value");
        check(!file.includes(DRILL_CREDENTIALS_HASH_KEY), "the credentials hash key is in the stack file in plain text");
        check(/credentialsHashKey:\s*\n\s*secure:/.test(file), "storage.credentialsHashKey is not stored as a secure value");
        return `Pulumi.${DRILL_STACK}.yaml written; S3 keys and the credentials hash key stored as secure values`;
    });

    await step("Create the bucket, its versioning and lifecycle rule from the render's bucket.json", () => createBucketFromRender(sh));

    await step("pulumi preview --diff shows the Velero release, the location, its Secret and the Hopsworks release", () => {
        sh.pulumi(["preview", "--diff"], { stack: DRILL_STACK });
        const steps = previewSteps(sh.pulumi(["preview", "--json"], { stack: DRILL_STACK }).stdout);
        const created = steps.filter((s) => s.op === "create").map((s) => `${typeOf(s.urn)} ${nameOf(s.urn)}`);
        const expected = [
            "kubernetes:helm.sh/v3:Release velero",
            "kubernetes:velero.io/v1:BackupStorageLocation backup-location",
            "kubernetes:core/v1:Secret backup-location-credentials",
            "kubernetes:helm.sh/v3:Release hopsworks",
        ];
        for (const e of expected) check(created.includes(e), `the preview does not create ${e}; it creates: ${created.join(", ")}`);
        const aws = steps.filter((s) => typeOf(s.urn).startsWith("aws:") || typeOf(s.urn).startsWith("pulumi:providers:aws"));
        check(aws.length === 0, `storage.manage false, yet the preview declares AWS resources: ${aws.map((s) => s.urn).join(", ")}`);
        return `creates ${created.length} resources, none of them AWS: ${expected.join("; ")}`;
    });

    await step("pulumi up --yes: Velero turns hopsworks-bsl Available and the Hopsworks release is deployed", (ctx) => {
        const t0 = Date.now();
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        ctx.figure("pulumiUpSeconds", (Date.now() - t0) / 1000);
        const bsl = sh.getJson(["backupstoragelocation", LOCATION_NAME, "-n", VELERO_NAMESPACE]);
        check(bsl?.status?.phase === "Available", `hopsworks-bsl is ${bsl?.status?.phase ?? "absent"}`);
        // What the provider saw when its wait ended is in the state: proof that `pulumi up` waited.
        const state = JSON.parse(sh.pulumi(["stack", "export"], { stack: DRILL_STACK }).stdout);
        const saved = state.deployment.resources.find((r: any) => r.type === "kubernetes:velero.io/v1:BackupStorageLocation");
        check(saved?.outputs?.status?.phase === "Available", `the state's location status is ${JSON.stringify(saved?.outputs?.status)}: pulumi up did not wait`);
        const validated = Date.parse(bsl.status.lastValidationTime);
        ctx.figure("upToLocationAvailableSeconds", Math.max(0, (validated - t0) / 1000));
        const release = helmRelease(sh, "hopsworks", HOPSWORKS_NAMESPACE);
        check(release.info.status === "deployed", `the Hopsworks release is ${release.info.status}`);
        const expected = parse(render(sh).hopsworksValues);
        check(JSON.stringify(release.config) === JSON.stringify(expected), `the release's values differ from the render's hopsworks-values.yaml:\n${JSON.stringify(release.config)}`);
        const schedules = sh.getJson(["schedules.velero.io", "-n", VELERO_NAMESPACE]).items.map((s: any) => `${s.metadata.name} ${s.spec.schedule}`);
        for (const name of Object.values(VELERO_SCHEDULES)) check(schedules.includes(`${name} @daily`), `no schedule ${name} @daily: ${schedules.join(", ")}`);
        return `hopsworks-bsl Available (state shows it); release hopsworks deployed with the generated values; schedules ${schedules.join(", ")}`;
    });

    const backups = await step<string[]>("Take a backup of each schedule with the real Velero, and Superset's; their files are in the bucket", async (ctx) => {
        const taken = await takeBackups(sh);
        ctx.detail(taken.detail);
        return Object.values(taken.veleroBackups);
    });

    await step("pulumi preview --expect-no-changes: no drift in any resource", () => {
        const r = sh.pulumi(["preview", "--expect-no-changes", "--diff"], { stack: DRILL_STACK, allowFailure: true });
        check(r.status === 0, `the preview found changes:\n${r.stdout.split("\n").slice(-40).join("\n")}`);
        return "no changes";
    });

    await step("pulumi preview --policy-pack policy passes; a program change that breaks a policy is refused by name", () => {
        const r = sh.pulumi(["preview", "--policy-pack", "policy"], { stack: DRILL_STACK, allowFailure: true });
        check(r.status === 0, `the policy pack refused the drill stack:\n${r.stdout}${r.stderr}`);
        check(/Policies:\s*\n\s*✅ hopsworks-dr@v/.test(r.stdout), `the preview does not report the policy pack as run:\n${r.stdout}`);
        // A pull request that turns Velero's volume snapshots back on (the chart's unsafe default).
        const variant = path.join(sh.drill.run, "project-variant");
        copyProject(variant);
        const velero = path.join(variant, "stacks", "plan", "velero.ts");
        const source = readFileSync(velero, "utf8");
        check(source.includes("snapshotsEnabled: false"), "stacks/plan/velero.ts no longer sets snapshotsEnabled: false; update the drill's variant");
        writeFileSync(velero, source.replace("snapshotsEnabled: false", "snapshotsEnabled: true"));
        copyFileSync(path.join(sh.project, `Pulumi.${DRILL_STACK}.yaml`), path.join(variant, `Pulumi.${DRILL_STACK}.yaml`));
        const v = new Shell(sh.drill, variant).pulumi(["preview", "--policy-pack", "policy"], { stack: DRILL_STACK, allowFailure: true });
        const out = `${v.stdout}\n${v.stderr}`;
        check(v.status !== 0, "the policy pack let a Velero release with snapshots on through");
        check(/mandatory/.test(out) && /velero-release-owns-no-location-or-secret/.test(out), `the refusal does not name the policy:\n${out}`);
        return `passes on ${DRILL_STACK}; the variant is refused by velero-release-owns-no-location-or-secret (mandatory)`;
    });

    await step("hopsworks-dr backups list and status read the real catalogue and judge it healthy", async (ctx) => {
        // Velero syncs a location once a minute (a fixed period in 1.17), the first time after it turned
        // Available; status rightly calls a location that never synced unhealthy, so give it that minute.
        const synced = await waitFor("hopsworks-bsl's first sync", () => sh.getJson(["backupstoragelocation", LOCATION_NAME, "-n", VELERO_NAMESPACE])?.status?.lastSyncedTime, 120_000, 2_000);
        ctx.figure("locationFirstSyncedAt", synced);
        const list = JSON.parse(sh.hopsworksDr(["backups", "list", "--json"]).stdout);
        const text = JSON.stringify(list);
        for (const name of backups) check(text.includes(name), `backups list does not show ${name}: ${text.slice(0, 2000)}`);
        const status = sh.hopsworksDr(["backups", "status", "--stack", DRILL_STACK], { allowFailure: true });
        check(status.status === 0, `backups status exited ${status.status}:\n${status.stdout}${status.stderr}`);
        return `list: ${text.length} bytes with both Velero backups and the metadata entries; status: ${status.stdout.trim().split("\n")[0]}`;
    });

    await step("A second pulumi up reads the previous outputs through the stack's reference to itself", () => {
        const before = sh.pulumi(["stack", "output", "hopsworksInstalledAt"], { stack: DRILL_STACK }).stdout.trim();
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        const after = sh.pulumi(["stack", "output", "hopsworksInstalledAt"], { stack: DRILL_STACK }).stdout.trim();
        check(before !== "" && before === after, `hopsworksInstalledAt changed from ${before} to ${after}`);
        // The first up installed the release; this one compared the install time with Helm's record, so later ones skip it.
        const checked = sh.pulumi(["stack", "output", "hopsworksInstallTimeChecked"], { stack: DRILL_STACK }).stdout.trim();
        check(checked === "true", `hopsworksInstallTimeChecked is ${checked} after the second up`);
        return `hopsworksInstalledAt stays ${after}; hopsworksInstallTimeChecked true`;
    });

    await step("A broken stack (in-place restore without its confirmation) is refused by pulumi preview before any resource", () => {
        const broken = `${DRILL_STACK}-broken`;
        sh.pulumi(["stack", "init", broken, "--copy-config-from", DRILL_STACK]);
        try {
            const set = (key: string, value: string) => sh.pulumi(["config", "set", "--path", key, value], { stack: broken });
            set("restore.mode", "in-place");
            set("restore.backupId", backupIdAt(new Date()));
            set("restore.backupHopsworksVersion", DRILL_HOPSWORKS_VERSION);
            set("restore.forceDataClear", "true");
            const r = sh.pulumi(["preview"], { stack: broken, allowFailure: true });
            const out = `${r.stdout}\n${r.stderr}`;
            check(r.status !== 0, "pulumi preview accepted an in-place restore without restore.confirm");
            check(/Invalid stack config/.test(out) && /hopsworks-dr:restore\.confirm/.test(out), `the refusal does not name restore.confirm:\n${out}`);
            check(!/\n\s+at .+:\d+:\d+\)?\n/.test(out), `the refusal carries a stack trace:\n${out}`);
            // Only the stack itself is ever registered: no component and no Kubernetes object.
            check(!/hopsworks-dr:index:|kubernetes:/.test(out), `resources were declared before the refusal:\n${out}`);
            return out.split("\n").filter((l) => /restore\.confirm/.test(l))[0]?.trim() ?? "";
        } finally {
            sh.pulumi(["stack", "rm", broken, "--yes", "--force"], { allowFailure: true });
        }
    });
}
