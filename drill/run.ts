/**
 * `npm run drill`: brings the environment up, runs the scenarios against it, writes
 * <run>/drill-report.json, prints a summary and brings everything down. Exits 0 only when every
 * step passed.
 *
 *   npm run drill                              every scenario
 *   npm run drill -- --scenario backup-mode    one scenario (repeatable)
 *   npm run drill -- --keep                    leave the run's state (logs, report) in place
 */
import { copyFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { down, layout, RUN_DIR, up } from "./env";
import { Recorder, ScenarioStopped } from "./report";
import { alerts } from "./scenarios/alerts";
import { backupMode } from "./scenarios/backup-mode";
import { failedRestore } from "./scenarios/failed-restore";
import { inPlace } from "./scenarios/in-place";
import { interrupted } from "./scenarios/interrupted";
import { newCluster } from "./scenarios/new-cluster";
import { ransomware } from "./scenarios/ransomware";
import { regionLoss } from "./scenarios/region-loss";
import { superset } from "./scenarios/superset";
import { Shell } from "./shell";
import { versionRows } from "./versions";
import { DRILL_CACHE, findAll } from "./tools";

/** Scenarios in the order `npm run drill` runs them; later ones build on the state earlier ones leave. */
export const SCENARIOS: Record<string, (rec: Recorder, sh: Shell) => Promise<void>> = {
    "backup-mode": backupMode,
    "new-cluster": newCluster,
    "failed-restore": failedRestore,
    "in-place": inPlace,
    superset,
    interrupted,
    alerts,
    ransomware,
    // Last: the primary's store is stopped for good, and the stack's primary is the old vault after it.
    "region-loss": regionLoss,
};

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { scenario: { type: "string", multiple: true }, keep: { type: "boolean" } } });
    const chosen = values.scenario ?? Object.keys(SCENARIOS);
    const unknown = chosen.filter((s) => !SCENARIOS[s]);
    if (unknown.length > 0) {
        console.error(`unknown scenario ${unknown.join(", ")}; known: ${Object.keys(SCENARIOS).join(", ")}`);
        return 2;
    }
    const { found, missing } = findAll();
    if (missing.length > 0) {
        console.error(`drill tools missing: ${missing.join(", ")}\nbuild them with: npm run drill:tools`);
        return 1;
    }
    const l = layout(RUN_DIR);
    const reportFile = path.join(DRILL_CACHE, "drill-report.json");
    mkdirSync(DRILL_CACHE, { recursive: true });
    const rec = new Recorder(
        reportFile,
        found.map((f) => ({ component: f.tool.component, version: f.tool.version, from: f.from!, ...(f.tool.skew ? { skew: f.tool.skew } : {}) })),
        versionRows(),
    );

    // Ctrl-C or a kill: stop every process by its PID before leaving.
    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.error(`drill: ${signal}: stopping the environment`);
        down(RUN_DIR, true);
        process.exit(130);
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));

    try {
        const drill = await rec.step("environment", "Bring up the drill environment (npm run drill:up)", async (ctx) => {
            const t0 = Date.now();
            const env = await up(RUN_DIR);
            ctx.figure("upSeconds", (Date.now() - t0) / 1000);
            return env;
        });
        const sh = new Shell(drill);
        for (const name of chosen) {
            try {
                await SCENARIOS[name](rec, sh);
            } catch (error) {
                if (!(error instanceof ScenarioStopped)) throw error;
            }
        }
    } catch (error) {
        if (!(error instanceof ScenarioStopped)) {
            rec.skip("environment", "the drill itself", (error as Error).stack ?? String(error));
        }
    } finally {
        rec.finish();
        // The report also stays beside the run's logs when they are kept.
        if (values.keep) copyFileSync(reportFile, l.report);
        const stopped = down(RUN_DIR, values.keep === true);
        console.error(`drill: stopped ${stopped.join(", ")}${values.keep ? `; state, logs and report kept in ${RUN_DIR}` : ""}`);
    }
    console.log(rec.summary());
    console.log(`report: ${reportFile}`);
    return rec.report.passed ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(`drill: ${(error as Error).stack}`);
        process.exit(1);
    },
);
