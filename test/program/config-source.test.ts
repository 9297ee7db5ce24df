import assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../stacks/config/stack-config";
import { ConfigError } from "../../stacks/config/reader";
import { confirmSecretPaths, configSourceFromPulumi, stackConfigPath } from "../../program/config-source";

const STACK_FILE = `config:
  hopsworks-dr:storage:
    bucket: hopsworks-test
    manage: false
    region: us-east-1
    endpoint: https://minio.example.com:9000
    accessKeyId: AKIAPLAINTEXT
    secretAccessKey:
      secure: v1:c2VjcmV0
    credentialsHashKey:
      secure: v1:aGFzaGtleQ==
  hopsworks-dr:hopsworks:
    repo: https://charts.example.com/hopsworks
    repoUsername:
      secure: v1:dXNlcg==
    repoPassword:
      secure: v1:cGFzcw==
    chartVersion: 4.8.0
    version: 4.8.0
`;

/** What the Pulumi CLI hands the program for STACK_FILE: every value decrypted, only whole top-level keys listed as secret. */
const DECRYPTED: Record<string, string> = {
    "hopsworks-dr:storage": JSON.stringify({
        bucket: "hopsworks-test",
        manage: false,
        region: "us-east-1",
        endpoint: "https://minio.example.com:9000",
        accessKeyId: "AKIAPLAINTEXT",
        secretAccessKey: "decrypted-secret",
        credentialsHashKey: "decrypted-hash-key",
    }),
    "hopsworks-dr:hopsworks": JSON.stringify({
        repo: "https://charts.example.com/hopsworks",
        repoUsername: "user",
        repoPassword: "pass",
        chartVersion: "4.8.0",
        version: "4.8.0",
    }),
};
const CLI_SECRET_KEYS = ["hopsworks-dr:storage", "hopsworks-dr:hopsworks"];

function problemsOf(projectDir: string): string[] {
    try {
        readStackConfig(configSourceFromPulumi(projectDir));
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems.map((p) => p.message);
    }
    return [];
}

describe("config from the Pulumi runtime: which credentials are secrets", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-source-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: hopsworks-dr\nruntime: nodejs\n");
        pulumi.runtime.setMocks({ newResource: () => ({ id: undefined, state: {} }), call: (a) => a.inputs }, "hopsworks-dr", "prod", false);
        pulumi.runtime.setAllConfig(DECRYPTED, CLI_SECRET_KEYS);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("refuses a plain-text leaf beside a secure sibling, which the CLI reports only as its secret top-level key", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), STACK_FILE);
        const problems = problemsOf(dir);
        assert.deepEqual(problems, [
            `hopsworks-dr:storage.accessKeyId is stored in plain text (no secure: value at storage.accessKeyId in ${path.join(dir, "Pulumi.prod.yaml")}); ` +
                "it must be a Pulumi secret: pulumi config set --secret --path storage.accessKeyId -s prod, which prompts for the value (or reads it from a file: append < <file>)",
        ]);
        assert.ok(!problems.join().includes("AKIAPLAINTEXT"), "the plain-text value is never echoed");
    });

    it("accepts the config when every credential is a secure value in the stack file", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), STACK_FILE.replace("accessKeyId: AKIAPLAINTEXT", "accessKeyId:\n      secure: v1:a2V5"));
        const source = configSourceFromPulumi(dir);
        assert.deepEqual(source.secretPaths, ["hopsworks.repoPassword", "hopsworks.repoUsername", "storage.accessKeyId", "storage.credentialsHashKey", "storage.secretAccessKey"]);
        const config = readStackConfig(source);
        assert.equal(config.storage.credentials?.hashKey.reveal(), "decrypted-hash-key");
        assert.equal(config.storage.credentials?.secretAccessKey.reveal(), "decrypted-secret");
        assert.equal(config.hopsworks.repoPassword?.reveal(), "pass");
    });

    it("reads the stack file from the project's stackConfigDir, as the CLI does", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: hopsworks-dr\nruntime: nodejs\nstackConfigDir: stacks\n");
        fs.mkdirSync(path.join(dir, "stacks"));
        fs.writeFileSync(path.join(dir, "stacks", "Pulumi.prod.yaml"), STACK_FILE);
        // A stale copy beside Pulumi.yaml, all secure, must not be what is read.
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), STACK_FILE.replace("accessKeyId: AKIAPLAINTEXT", "accessKeyId:\n      secure: v1:a2V5"));
        assert.equal(stackConfigPath(dir, "prod"), path.join(dir, "stacks", "Pulumi.prod.yaml"));
        assert.match(problemsOf(dir).join("\n"), /storage\.accessKeyId is stored in plain text \(no secure: value at storage\.accessKeyId in .*stacks\/Pulumi\.prod\.yaml\)/);
    });

    it("refuses every credential it cannot confirm when the stack file is missing, saying where it looked", () => {
        const problems = problemsOf(dir);
        assert.equal(problems.length, 5, problems.join("\n"));
        for (const key of ["storage.accessKeyId", "storage.secretAccessKey", "hopsworks.repoUsername", "hopsworks.repoPassword"]) {
            assert.ok(
                problems.includes(
                    `hopsworks-dr:${key} cannot be confirmed to be a Pulumi secret: the stack file ${path.join(dir, "Pulumi.prod.yaml")} does not exist, ` +
                        `and the program reads the stack file's secure: markers to tell a secret leaf from a plain one; ` +
                        `set it with: pulumi config set --secret --path ${key} -s prod, which prompts for the value (or reads it from a file: append < <file>)`,
                ),
                problems.join("\n"),
            );
        }
        assert.ok(
            problems.includes(
                `hopsworks-dr:storage.credentialsHashKey cannot be confirmed to be a Pulumi secret: the stack file ${path.join(dir, "Pulumi.prod.yaml")} does not exist, ` +
                    `and the program reads the stack file's secure: markers to tell a secret leaf from a plain one; ` +
                    "set it with: `pulumi config set --secret --path storage.credentialsHashKey -s prod` (it prompts for the value), " +
                    "or a random one: `openssl rand -base64 32 | pulumi config set --secret --path storage.credentialsHashKey -s prod`",
            ),
            problems.join("\n"),
        );
    });

    it("takes exact secret paths as they are, with no stack file needed (the offline render lists leaves)", () => {
        pulumi.runtime.setAllConfig(DECRYPTED, ["hopsworks-dr:storage.secretAccessKey", "hopsworks-dr:storage.credentialsHashKey", "hopsworks-dr:hopsworks.repoUsername", "hopsworks-dr:hopsworks.repoPassword"]);
        assert.deepEqual(problemsOf(dir), [
            "hopsworks-dr:storage.accessKeyId is stored in plain text; it must be a Pulumi secret: pulumi config set --secret --path storage.accessKeyId -s prod, which prompts for the value (or reads it from a file: append < <file>)",
        ]);
    });
});

describe("confirmSecretPaths", () => {
    const markers = (securePaths: string[]) => () => ({ file: "/p/Pulumi.s.yaml", securePaths });

    it("keeps a listed top-level key's leaves only where the stack file marks them secure", () => {
        assert.deepEqual(confirmSecretPaths(["storage"], markers(["storage.secretAccessKey", "hopsworks.repoPassword"])), {
            secretPaths: ["storage.secretAccessKey"],
            stackFile: "/p/Pulumi.s.yaml",
        });
    });

    it("accepts a whole top-level key the file marks secure", () => {
        assert.deepEqual(confirmSecretPaths(["storage"], markers(["storage"])).secretPaths, ["storage"]);
    });

    it("does not read the stack file when every listed path is exact", () => {
        const unread = () => assert.fail("the stack file was read");
        assert.deepEqual(confirmSecretPaths(["storage.accessKeyId"], unread), { secretPaths: ["storage.accessKeyId"] });
    });

    it("confirms nothing inside a top-level key when the stack file cannot be read, and says why", () => {
        assert.deepEqual(confirmSecretPaths(["storage", "hopsworks.repoPassword"], () => ({ file: "/p/x.yaml", error: "gone" })), {
            secretPaths: ["hopsworks.repoPassword"],
            stackFile: "/p/x.yaml",
            unverifiable: "gone",
        });
    });
});
