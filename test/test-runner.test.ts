import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./support/stacks";
import { TYPECHECK_ARGS } from "./run";

describe("npm test (test/run.ts)", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts;

    it("type-checks with the same arguments as npm run typecheck, incrementally, its build info outside the sources", () => {
        assert.equal(scripts.typecheck, `tsc ${TYPECHECK_ARGS.join(" ")}`);
        assert.equal(scripts.test, "node --import tsx test/run.ts");
        const buildInfo = TYPECHECK_ARGS[TYPECHECK_ARGS.indexOf("--tsBuildInfoFile") + 1];
        assert.ok(buildInfo.startsWith("node_modules/.cache/"), buildInfo);
        assert.ok(TYPECHECK_ARGS.includes("--incremental"));
        // `pulumi up` only transpiles (noCheck in tsconfig.json): the type-check must turn checking back on.
        assert.equal(TYPECHECK_ARGS[TYPECHECK_ARGS.indexOf("--noCheck") + 1], "false");
    });
});
