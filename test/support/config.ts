import assert from "assert/strict";
import { ConfigError, ConfigProblem } from "../../stacks/config/reader";
import { readStackConfig } from "../../stacks/config/stack-config";
import { source } from "./stacks";

/** The problems readStackConfig reports for `values`; fails when it accepts them. */
export function problemsOf(values: Record<string, any>, opts?: Parameters<typeof source>[1]): ConfigProblem[] {
    try {
        readStackConfig(source(values, opts));
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        return error.problems;
    }
    assert.fail("the config was accepted");
}

/** A config the stack refuses: its title, the valid config it starts from, the change, the key named and what the message says. */
export type Case = [title: string, base: () => Record<string, any>, change: (c: Record<string, any>) => void, key: string, says: RegExp];

/** The cases whose credential the stack file holds in plain text, not as a Pulumi secret. */
const PLAINTEXT: Record<string, string[]> = {
    "an S3 key in plain text": ["storage.secretAccessKey"],
    "a credentials hash key in plain text": ["storage.credentialsHashKey"],
};

/** One test per case: the change is refused with a message that starts with the key it names. */
export function refusals(cases: Case[]): void {
    for (const [title, base, change, key, says] of cases) {
        it(`refuses ${title}, naming ${key}`, () => {
            const config = base();
            change(config);
            const plaintext = PLAINTEXT[title] ?? [];
            const problems = problemsOf(config, { plaintext });
            const problem = problems.find((p) => p.key === key);
            assert.ok(problem, `no problem names ${key}; got: ${problems.map((p) => p.message).join(" | ")}`);
            assert.match(problem.message, new RegExp(`^hopsworks-dr:${key.replace(/[[\].]/g, "\\$&")} `));
            assert.match(problem.message, says);
        });
    }
}
