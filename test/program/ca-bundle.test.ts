import assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeCaBundle } from "../../program/ca-bundle";
import { caBundleFileName } from "../../stacks/plan/ca-bundle";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTEST\n-----END CERTIFICATE-----";

describe("writeCaBundle (ca-bundle.ts)", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-ca-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes the PEM under .pulumi-ca/ in the project and returns its absolute path", () => {
        const file = writeCaBundle(PEM, dir);
        assert.equal(file, path.join(dir, ".pulumi-ca", caBundleFileName(PEM)));
        assert.equal(fs.readFileSync(file, "utf8"), `${PEM}\n`);
        assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], "no partial file left behind");
    });

    it("leaves an identical file alone and repairs one that was changed", () => {
        const file = writeCaBundle(PEM, dir);
        const written = fs.statSync(file).mtimeMs;
        assert.equal(writeCaBundle(PEM, dir), file);
        assert.equal(fs.statSync(file).mtimeMs, written);
        fs.writeFileSync(file, "truncated");
        writeCaBundle(PEM, dir);
        assert.equal(fs.readFileSync(file, "utf8"), `${PEM}\n`);
    });
});
