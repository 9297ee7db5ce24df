/**
 * The drill's report: every step with its name, whether it passed, how long it took and what it
 * saw, written to <run>/drill-report.json and summarised on the terminal.
 */
import { writeFileSync } from "node:fs";
import type { VersionRow } from "./versions";

export interface StepResult {
    scenario: string;
    name: string;
    passed: boolean;
    seconds: number;
    detail: string;
    /** Figures a step measured (seconds, counts), for the README's table and `npm run bench`. */
    figures?: Record<string, number | string>;
}

export interface DrillReport {
    startedAt: string;
    finishedAt?: string;
    passed: boolean;
    tools: { component: string; version: string; from: string; skew?: string }[];
    /** What the drill ran against what users get (drill/versions.ts). */
    versions: VersionRow[];
    steps: StepResult[];
}

/** A failed check inside a step: its message is the step's detail. */
export class DrillFailure extends Error {}

export function check(condition: unknown, message: string): asserts condition {
    if (!condition) throw new DrillFailure(message);
}

export interface StepContext {
    /** Records a figure in the step's result. */
    figure(name: string, value: number | string): void;
    /** Sets the step's detail when the step returns something other than its detail. */
    detail(text: string): void;
}

export class Recorder {
    readonly report: DrillReport;

    constructor(
        private readonly file: string,
        tools: DrillReport["tools"],
        versions: VersionRow[] = [],
    ) {
        this.report = { startedAt: new Date().toISOString(), passed: true, tools, versions, steps: [] };
    }

    /**
     * Runs one step. A step that throws fails, and the scenario's later steps are skipped (they
     * build on it); the returned value is the step's own, undefined after a failure.
     */
    async step<T>(scenario: string, name: string, body: (ctx: StepContext) => Promise<T> | T): Promise<T> {
        const t0 = Date.now();
        const figures: Record<string, number | string> = {};
        let noted: string | undefined;
        process.stderr.write(`drill: [${scenario}] ${name} ...\n`);
        try {
            const value = await body({ figure: (k, v) => (figures[k] = v), detail: (text) => (noted = text) });
            const detail = noted ?? (typeof value === "string" ? value : "");
            this.add({ scenario, name, passed: true, seconds: secondsSince(t0), detail, ...(Object.keys(figures).length ? { figures } : {}) });
            return value;
        } catch (error) {
            const detail = error instanceof Error ? error.message : String(error);
            this.add({ scenario, name, passed: false, seconds: secondsSince(t0), detail, ...(Object.keys(figures).length ? { figures } : {}) });
            throw new ScenarioStopped(scenario, name);
        }
    }

    /** The step function of one scenario, so its steps name only themselves. */
    scenario(scenario: string): <T>(name: string, body: (ctx: StepContext) => Promise<T> | T) => Promise<T> {
        return (name, body) => this.step(scenario, name, body);
    }

    skip(scenario: string, name: string, why: string): void {
        this.add({ scenario, name, passed: false, seconds: 0, detail: `not run: ${why}` });
    }

    private add(result: StepResult): void {
        this.report.steps.push(result);
        if (!result.passed) this.report.passed = false;
        const mark = result.passed ? "ok  " : "FAIL";
        process.stderr.write(`drill: [${result.scenario}] ${mark} ${result.name} (${result.seconds} s)${result.passed ? "" : `\n${indent(result.detail)}`}\n`);
        this.save();
    }

    save(): void {
        writeFileSync(this.file, JSON.stringify(this.report, null, 2) + "\n");
    }

    finish(): void {
        this.report.finishedAt = new Date().toISOString();
        if (this.report.steps.length === 0) this.report.passed = false;
        this.save();
    }

    summary(): string {
        const lines = this.report.steps.map((s) => `  ${s.passed ? "ok  " : "FAIL"} ${`[${s.scenario}] ${s.name}`.padEnd(78)} ${s.seconds.toFixed(1).padStart(6)} s`);
        const failed = this.report.steps.filter((s) => !s.passed).length;
        const passed = this.report.steps.length - failed;
        // The plain closing line CI reads: "N passed, N failed".
        return [...lines, `drill: ${passed} passed, ${failed} failed`].join("\n");
    }
}

/** Thrown by a failed step so its scenario stops; the runner goes on with the next scenario. */
export class ScenarioStopped extends Error {
    constructor(
        readonly scenario: string,
        readonly stepName: string,
    ) {
        super(`${scenario}: stopped at "${stepName}"`);
    }
}

function secondsSince(t0: number): number {
    return Math.round((Date.now() - t0) / 100) / 10;
}

function indent(text: string): string {
    return text
        .split("\n")
        .slice(0, 40)
        .map((l) => `        ${l}`)
        .join("\n");
}
