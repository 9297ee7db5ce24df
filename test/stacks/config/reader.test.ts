import assert from "assert/strict";
import { ConfigError, ConfigSource } from "../../../stacks/config/reader";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { minioConfig, PROJECT_DIR } from "../../support/stacks";

/** The messages readStackConfig gives for `values` with `secretPaths` secret, as the Pulumi CLI decrypts them. */
function messages(values: Record<string, unknown>, secretPaths: string[]): string {
    const source: ConfigSource = { stack: "test", values, secretPaths, projectDir: PROJECT_DIR };
    try {
        readStackConfig(source);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.message;
    }
    assert.fail("the config was accepted");
}

const CREDENTIALS = ["storage.accessKeyId", "storage.secretAccessKey", "storage.credentialsHashKey", "storage.veleroAccessKeyId", "storage.veleroSecretAccessKey"];

describe("config messages never print a secret (issue 18, item 6)", () => {
    it("a whole section set as a secret of the wrong shape: its value is [secret]", () => {
        const c = minioConfig();
        c.storage = "decrypted-storage-secret";
        const text = messages(c, ["storage"]);
        assert.match(text, /hopsworks-dr:storage = \[secret\]: must be an object with keys /);
        assert.ok(!text.includes("decrypted-storage-secret"), text);
    });

    it("a secret leaf of the wrong type or form, and an object holding a secret", () => {
        const c = minioConfig();
        c.storage.endpoint = "not a url s3cret-endpoint-token";
        c.backup = ["a", "backup-secret-item"];
        const text = messages(c, [...CREDENTIALS, "storage.endpoint", "backup[1]"]);
        assert.match(text, /hopsworks-dr:storage\.endpoint = \[secret\]: /);
        assert.match(text, /hopsworks-dr:backup = \[secret\]: must be an object/);
        assert.ok(!text.includes("s3cret-endpoint-token") && !text.includes("backup-secret-item"), text);
    });

    it("a secret a check quotes another way (a chart source with a token in it) is replaced wherever it appears", () => {
        const c = minioConfig();
        c.hopsworks.repo = "ftp://charts.example.com/tok3n-in-the-path";
        const text = messages(c, [...CREDENTIALS, "hopsworks.repo"]);
        assert.match(text, /hopsworks-dr:hopsworks\.repo = \[secret\]: ftp:\/\/ is not a chart source/);
        assert.ok(!text.includes("tok3n"), text);
    });

    it("still shows a value that is not secret", () => {
        const c = minioConfig();
        c.storage.endpoint = "not a url";
        assert.match(messages(c, CREDENTIALS), /hopsworks-dr:storage\.endpoint = "not a url": /);
    });
});

describe("config messages for long error lists (issue 18, item 13)", () => {
    it("refuses 16,000 long unknown keys with one problem each, every key cut to 100 characters", () => {
        const c = minioConfig();
        for (let i = 0; i < 16000; i++) c.storage[`k${i}`.padEnd(150, "x")] = 1;
        const problems = (() => {
            try {
                readStackConfig({ stack: "test", values: c, secretPaths: CREDENTIALS, projectDir: PROJECT_DIR });
            } catch (error) {
                return (error as ConfigError).problems;
            }
            assert.fail("the config was accepted");
        })();
        assert.equal(problems.length, 16000);
        assert.equal(problems[15999].key, `storage.${"k15999".padEnd(150, "x")}`);
        assert.ok(
            problems[15999].message.startsWith(`hopsworks-dr:storage.${"k15999".padEnd(100, "x")}… (150 characters) is not a known key; valid keys of storage are `),
            problems[15999].message.slice(0, 300),
        );
    });
});
