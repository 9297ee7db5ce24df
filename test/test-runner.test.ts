import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./support/stacks";
import { mochaArgs, mochaJobs, TYPECHECK_ARGS } from "./run";

describe("npm test (test/run.ts)", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts;

    it("npm run typecheck type-checks incrementally, its build info outside the sources", () => {
        assert.equal(scripts.typecheck, `tsc ${TYPECHECK_ARGS.join(" ")}`);
        assert.equal(scripts.test, "node --import tsx test/run.ts");
        const buildInfo = TYPECHECK_ARGS[TYPECHECK_ARGS.indexOf("--tsBuildInfoFile") + 1];
        assert.ok(buildInfo.startsWith("node_modules/.cache/"), buildInfo);
        assert.ok(TYPECHECK_ARGS.includes("--incremental"));
        // `pulumi up` only transpiles (noCheck in tsconfig.json): the type-check must turn checking back on.
        assert.equal(TYPECHECK_ARGS[TYPECHECK_ARGS.indexOf("--noCheck") + 1], "false");
    });

    it("CI (.ci/run) installs from the lockfile, type-checks, tests, then runs the drill when its tools are built", () => {
        const commands = fs
            .readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8")
            .split("\n")
            .map((line) => line.trim())
            .filter((line) => line !== "" && !line.startsWith("#"));
        const at = (command: string) => commands.findIndex((line) => line === command || line.startsWith(`${command} `));
        const order = ["npm ci", "npm run typecheck", "npm test", "if npm run --silent drill:tools -- --check; then", "npm run --silent drill"].map(at);
        assert.ok(order.every((index) => index !== -1), `${order.join(", ")} in:\n${commands.join("\n")}`);
        assert.deepEqual([...order].sort((a, b) => a - b), order);
        assert.equal(commands[0], "set -euo pipefail");
    });

    it("spreads the files over one worker per core, at least 2, or MOCHA_JOBS", () => {
        assert.equal(mochaJobs({}, 2), 2);
        assert.equal(mochaJobs({}, 1), 2);
        assert.equal(mochaJobs({}, 8), 8);
        assert.equal(mochaJobs({ MOCHA_JOBS: "3" }, 2), 3);
        assert.equal(mochaJobs({ MOCHA_JOBS: "" }, 4), 4);
        for (const bad of ["0", "-1", "1.5", "two"]) {
            assert.throws(() => mochaJobs({ MOCHA_JOBS: bad }, 2), { message: `MOCHA_JOBS=${bad}: expected a whole number of at least 1` });
        }
    });

    it("has no test file that imports another: a worker would run the imported file's tests a second time", () => {
        const testDir = path.join(PROJECT_DIR, "test");
        const importers = fs
            .readdirSync(testDir, { recursive: true, encoding: "utf8" })
            .filter((file) => file.endsWith(".ts"))
            .filter((file) => /from\s+["'][^"']*\.test["']/.test(fs.readFileSync(path.join(testDir, file), "utf8")));
        assert.deepEqual(importers, []);
    });

    it("runs mocha in parallel, and one job in one process, the caller's arguments last", () => {
        assert.deepEqual(mochaArgs(2, ["--grep", "restore"]), ["--parallel", "--jobs", "2", "--grep", "restore"]);
        assert.deepEqual(mochaArgs(1, ["--grep", "restore"]), ["--grep", "restore"]);
    });
});
