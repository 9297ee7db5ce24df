import assert from "assert/strict";
import { caBundleContent, caBundleFileName } from "../../../stacks/plan/ca-bundle";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTEST\n-----END CERTIFICATE-----";

describe("CA bundle file for the AWS provider", () => {
    it("names the file after its content only, so every run and machine writes the same one", () => {
        assert.match(caBundleFileName(PEM), /^ca-[0-9a-f]{16}\.pem$/);
        assert.equal(caBundleFileName(PEM), caBundleFileName(`\n  ${PEM}\n\n`));
        assert.notEqual(caBundleFileName(PEM), caBundleFileName(PEM.replace("TEST", "OTHER")));
    });

    it("writes the PEM trimmed, with one final newline", () => {
        assert.equal(caBundleContent(`\n${PEM}\n\n`), `${PEM}\n`);
    });
});
