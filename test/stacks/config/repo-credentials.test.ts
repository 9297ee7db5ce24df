/**
 * Issue 11, item 13: credentials inside hopsworks.repo's URL. stacks/chart-source.ts already refused
 * them; this pins it down through the whole config for every form a login can take in a URL.
 */
import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { minioConfig, source } from "../../support/stacks";

describe("hopsworks.repo with credentials in the URL", () => {
    const cases: [string, string][] = [
        ["https://licence-user:licence-pass@charts.example.com/hopsworks", "https://***:***@charts.example.com/hopsworks"],
        ["https://ghp_licenceToken0123456789@charts.example.com/hopsworks", "https://***@charts.example.com/hopsworks"],
        ["http://licence-user:licence-pass@charts.internal:8080/hopsworks", "http://***:***@charts.internal:8080/hopsworks"],
        ["oci://licence-user:licence-pass@registry.example.com/charts", "oci://***:***@registry.example.com/charts"],
        ["https://:licence-pass@charts.example.com/hopsworks", "https://:***@charts.example.com/hopsworks"],
    ];
    for (const [repo, masked] of cases) {
        it(`refuses ${masked}, never echoing the login, and says where it goes`, () => {
            const c = minioConfig();
            c.hopsworks.repo = repo;
            let error: unknown;
            try {
                readStackConfig(source(c));
            } catch (e) {
                error = e;
            }
            assert.ok(error instanceof ConfigError, "the config was accepted");
            for (const secret of ["licence-user", "licence-pass", "ghp_licenceToken0123456789"]) {
                assert.ok(!error.message.includes(secret), error.message);
            }
            const problem = error.problems.find((p) => p.key === "hopsworks.repo");
            assert.ok(problem, error.message);
            assert.equal(
                problem.message,
                `hopsworks-dr:hopsworks.repo = ${JSON.stringify(masked)}: must not carry credentials (they would be stored and shown in plain text); ` +
                    "give the repository login as the secrets hopsworks.repoUsername and hopsworks.repoPassword (pulumi config set --secret --path ...)",
            );
        });
    }
});
