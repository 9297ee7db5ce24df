import { strict as assert } from "assert";
import { mkdtempSync, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { check, Recorder, ScenarioStopped } from "../../drill/report";

describe("drill report", () => {
    const quiet = () => {
        const write = process.stderr.write;
        process.stderr.write = (() => true) as typeof process.stderr.write;
        return () => (process.stderr.write = write);
    };

    it("records each step's name, outcome, time, detail and figures in drill-report.json", async () => {
        const file = path.join(mkdtempSync(path.join(os.tmpdir(), "drill-report-")), "drill-report.json");
        const rec = new Recorder(file, [{ component: "velero", version: "1.17.1", from: "cache" }]);
        const restore = quiet();
        try {
            await rec.step("backup-mode", "pulumi up", (ctx) => {
                ctx.figure("pulumiUpSeconds", 12.5);
                return "hopsworks-bsl Available";
            });
            await assert.rejects(
                rec.step("backup-mode", "take a backup", () => check(false, "backup ended PartiallyFailed")),
                (e: unknown) => e instanceof ScenarioStopped && e.stepName === "take a backup",
            );
            rec.finish();
        } finally {
            restore();
        }
        const report = JSON.parse(readFileSync(file, "utf8"));
        assert.equal(report.passed, false);
        assert.deepEqual(
            report.steps.map((s: any) => [s.scenario, s.name, s.passed, s.detail, s.figures]),
            [
                ["backup-mode", "pulumi up", true, "hopsworks-bsl Available", { pulumiUpSeconds: 12.5 }],
                ["backup-mode", "take a backup", false, "backup ended PartiallyFailed", undefined],
            ],
        );
        assert.ok(report.steps.every((s: any) => typeof s.seconds === "number"));
        assert.match(rec.summary(), /\ndrill: 1 passed, 1 failed$/);
    });

    it("fails a run in which no step ran", () => {
        const file = path.join(mkdtempSync(path.join(os.tmpdir(), "drill-report-")), "r.json");
        const rec = new Recorder(file, []);
        rec.finish();
        assert.equal(JSON.parse(readFileSync(file, "utf8")).passed, false);
    });
});
