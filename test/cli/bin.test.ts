import assert from "assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { HELP_JSON, helpJson } from "../../cli/write-help";
import { PROJECT_DIR } from "../support/stacks";

const BIN = path.join(PROJECT_DIR, "cli", "bin.js");

/** Runs the bin as a child in `cwd`, with a preload that records every module it loaded. */
async function runBin(argv: string[], cwd: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-bin-"));
    try {
        const loadedFile = path.join(dir, "loaded.json");
        const preload = path.join(dir, "record-modules.js");
        fs.writeFileSync(preload, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(Object.keys(require.cache))));\n`);
        const child = spawn(process.execPath, ["--require", preload, BIN, ...argv], { cwd, env: { ...process.env, KUBECONFIG: path.join(dir, "none") } });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (t: string) => void (stdout += t));
        child.stderr.setEncoding("utf8").on("data", (t: string) => void (stderr += t));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        const loaded = JSON.parse(fs.readFileSync(loadedFile, "utf8")) as string[];
        return { code, stdout, stderr, loaded };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The same argv through main(), in process, as the TypeScript CLI answers it. */
async function runMain(argv: string[], cwd: string) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd, now: () => new Date() });
    return { code, stdout, stderr };
}

const usesTsx = (loaded: string[]) => loaded.some((f) => f.includes(`${path.sep}node_modules${path.sep}tsx${path.sep}`) || f.endsWith(".ts"));

describe("the bin's start-up (issue 21, item 3)", () => {
    it("cli/help.json is what npm run cli:help writes from the commands' specs (run it after changing a spec or an option)", () => {
        assert.equal(fs.readFileSync(HELP_JSON, "utf8"), helpJson());
    });

    const early: [what: string, argv: string[]][] = [
        ["the command list", ["--help"]],
        ["a command's help, -h", ["backups", "list", "-h"]],
        ["a command's help after other options, an unknown one too", ["restore", "plan", "--stack", "prod", "--bogus", "--help"]],
        ["a group's help", ["restore", "--help"]],
        ["no command", []],
        ["an unknown command", ["backups", "lost"]],
        ["an unknown command with control characters, escaped", ["back\u202eups\u0007"]],
        ["a group without its command", ["restore"]],
        ["an unknown option of a command", ["restore", "finish", "--stak", "prod"]],
        ["a string option without its value", ["backups", "list", "--stack"]],
    ];
    // The children run side by side, started once for all the cases.
    let runs: Promise<Awaited<ReturnType<typeof runBin>>[]>;
    before(() => void (runs = Promise.all(early.map(([, argv]) => runBin(argv, PROJECT_DIR)))));
    early.forEach(([what, argv], i) => {
        it(`answers ${what} without loading tsx, as the TypeScript CLI does`, async () => {
            const bin = (await runs)[i];
            assert.deepEqual({ code: bin.code, stdout: bin.stdout, stderr: bin.stderr }, await runMain(argv, PROJECT_DIR));
            assert.ok(bin.stdout !== "" || bin.stderr !== "", "it printed something");
            assert.equal(usesTsx(bin.loaded), false, bin.loaded.join("\n"));
        });
    });

    it("runs a command through tsx, usage errors of its options included", async () => {
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-cwd-"));
        try {
            for (const [argv, code, stderr] of [
                [["restore", "finish", "--stack", "nosuch"], 1, "error: Pulumi.nosuch.yaml: no such stack file (run from the project directory, or check --stack)\n"],
                [["backups", "list", "--yes"], 2, "error: --yes does not apply to backups list\n"],
            ] as [string[], number, string][]) {
                const bin = await runBin(argv, cwd);
                assert.equal(bin.code, code, bin.stderr);
                assert.ok(bin.stderr.startsWith(stderr), bin.stderr);
                assert.equal(bin.stderr, (await runMain(argv, cwd)).stderr);
                assert.equal(usesTsx(bin.loaded), true, "the command ran through tsx");
            }
        } finally {
            fs.rmSync(cwd, { recursive: true, force: true });
        }
    });
});
