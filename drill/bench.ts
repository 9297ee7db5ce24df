/**
 * The drill's figures for `npm run bench` (when every drill tool is built): the drill stack's
 * `pulumi preview` against a one-resource program's on the same engine, cluster and backend; the
 * time from `pulumi up` to the location Available; and the recovery figures of the last drill's
 * new-cluster restore (drill-report.json).
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { down, PROJECT_ROOT, RUN_DIR, up } from "./env";
import { configureDrillStack, createBucketFromRender, DRILL_STACK } from "./scenarios/backup-mode";
import { Shell } from "./shell";
import { DRILL_CACHE, findAll } from "./tools";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timed(body: () => void): number {
    const t0 = Date.now();
    body();
    return (Date.now() - t0) / 1000;
}

/** A project with one Kubernetes ConfigMap: the engine's own cost of a preview, for comparison. */
function oneResourceProject(dir: string): string {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: one-resource\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "one-resource", main: "index.ts" }));
    writeFileSync(path.join(dir, "tsconfig.json"), readFileSync(path.join(PROJECT_ROOT, "tsconfig.json"), "utf8").replace(/"include":.*\]/, '"include": ["index.ts"]'));
    writeFileSync(
        path.join(dir, "index.ts"),
        'import * as k8s from "@pulumi/kubernetes";\nexport const name = new k8s.core.v1.ConfigMap("one", { metadata: { namespace: "default" }, data: { a: "b" } }).metadata.name;\n',
    );
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

export function lastRecoveryFigures(): string[] {
    const file = path.join(DRILL_CACHE, "drill-report.json");
    if (!existsSync(file)) return ["recovery: no drill-report.json yet (npm run drill)"];
    const report = JSON.parse(readFileSync(file, "utf8"));
    const up = report.steps.find((s: any) => s.scenario === "new-cluster" && s.figures?.restoreUpSeconds !== undefined);
    if (!up) return ["recovery: the last drill ran no new-cluster restore"];
    const f = up.figures;
    const velero = f.mainRestoreSeconds + f.usersRestoreSeconds;
    return [
        `new-cluster restore (drill of ${report.startedAt}): pulumi up ${f.restoreUpSeconds.toFixed(1)} s;`,
        `  Velero's first sync of the location ${f.locationSyncedSecondsAfterUpStart.toFixed(1)} s after the start (Velero syncs once a minute),`,
        `  Velero restores ${velero.toFixed(1)} s (main ${f.mainRestoreSeconds} s, users ${f.usersRestoreSeconds} s),`,
        `  everything else (Pulumi, the program, the Helm installs) ${(f.restoreUpSeconds - f.locationSyncedSecondsAfterUpStart - velero).toFixed(1)} s (target: under 30 s)`,
    ];
}

/** Brings the drill environment up, measures, and brings it down; undefined when tools are missing. */
export async function drillBench(runs: number): Promise<string[] | undefined> {
    const { missing } = findAll();
    if (missing.length > 0) return undefined;
    const drill = await up(RUN_DIR);
    try {
        const sh = new Shell(drill);
        configureDrillStack(sh);
        createBucketFromRender(sh);
        const upSeconds = timed(() => sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK }));
        const bsl = sh.getJson(["backupstoragelocation", "hopsworks-bsl", "-n", "velero"]);
        const stack = sh.getJson(["ns", "velero"]);
        const available = (Date.parse(bsl.status.lastValidationTime) - Date.parse(stack.metadata.creationTimestamp)) / 1000;
        // Right after the first install, the next deployment still compares the install time with
        // Helm's record (a cluster read); from the second deployment on, every preview is without it.
        const firstPreviews = Array.from({ length: runs }, () => timed(() => sh.pulumi(["preview"], { stack: DRILL_STACK })));
        sh.pulumi(["up", "--yes", "--skip-preview"], { stack: DRILL_STACK });
        const previews = Array.from({ length: runs }, () => timed(() => sh.pulumi(["preview"], { stack: DRILL_STACK })));
        const one = new Shell(drill, oneResourceProject(path.join(drill.run, "one-resource")));
        one.pulumi(["stack", "init", "bench"]);
        one.pulumi(["up", "--yes", "--skip-preview"], { stack: "bench" });
        const onePreviews = Array.from({ length: runs }, () => timed(() => one.pulumi(["preview"], { stack: "bench" })));
        const ratio = median(previews) / median(onePreviews);
        return [
            `pulumi up of the drill stack: ${upSeconds.toFixed(1)} s; Velero's namespace to hopsworks-bsl Available: ${available.toFixed(1)} s`,
            `pulumi preview: drill stack ${median(previews).toFixed(2)} s, one-resource program ${median(onePreviews).toFixed(2)} s (median of ${runs}): ` +
                `${ratio.toFixed(2)}x (target: within 1.5x) ${ratio <= 1.5 ? "ok" : "MISSED"}`,
            `  (between the first and the second deployment, with the install time still to compare with Helm's record: ` +
                `${median(firstPreviews).toFixed(2)} s, ${(median(firstPreviews) / median(onePreviews)).toFixed(2)}x)`,
            ...lastRecoveryFigures(),
        ];
    } finally {
        down(RUN_DIR);
    }
}
