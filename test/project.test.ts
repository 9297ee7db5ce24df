/**
 * Pulumi.yaml as the Pulumi CLI reads it, before the program runs (pulumi/pulumi 3.248
 * sdk/go/common/workspace: project.go Validate and ValidateConfigValue, config.go mergeConfig and
 * validateStackConfigValue). Mocks never see these rules: a stack the CLI refuses never reaches
 * the program, so they are checked here against every shipped stack file.
 */
import assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { TOP_LEVEL_KEYS } from "../stacks/config/stack-config";
import { isPlainObject } from "../stacks/config/values-files";
import { PROJECT_DIR, shippedStacks } from "./support/stacks";

type Declaration = { type?: string; default?: unknown; value?: unknown; items?: { type: string } };

/** ValidateConfigValue: what a value of a declared type may be, as the CLI parsed it from YAML. */
function hasType(type: string, value: unknown, items?: { type: string }): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value) || (typeof value === "string" && /^[-+]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return isPlainObject(value);
        case "array":
            return Array.isArray(value) && items !== undefined && value.every((v) => hasType(items.type, v));
        default:
            return false;
    }
}

/**
 * What the CLI would say, for one stack file, before running the program: the project's own
 * validation, then the stack's config merged with the project's (missing keys are errors, in one
 * message), then each present value checked against its declared type.
 */
export function cliConfigProblems(projectYaml: string, stackYaml: string, stack: string): string[] {
    const project = parse(projectYaml) as { name: string; config?: Record<string, Declaration> };
    const config = ((parse(stackYaml) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
    const problems: string[] = [];
    const missing: string[] = [];
    for (const key of Object.keys(project.config ?? {}).sort()) {
        const declaration = project.config![key];
        const namespaced = !key.includes(":") || key.startsWith(`${project.name}:`);
        if (!namespaced) continue;
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        const hasDefault = declaration.default !== undefined && declaration.default !== null;
        if (declaration.type !== undefined && hasDefault && !hasType(declaration.type, declaration.default, declaration.items)) {
            problems.push(`The default value specified for configuration key '${key}' is not of the expected type '${declaration.type}'`);
        }
        const onStack = Object.prototype.hasOwnProperty.call(config, full) || Object.prototype.hasOwnProperty.call(config, key);
        if (!onStack && !hasDefault && declaration.value === undefined) {
            missing.push(key);
            continue;
        }
        const value = config[full] ?? config[key];
        if (onStack && declaration.type !== undefined && !hasType(declaration.type, value, declaration.items)) {
            problems.push(`Stack '${stack}' with configuration key '${key}' must be of type '${declaration.type}'`);
        }
    }
    if (missing.length > 0) {
        problems.unshift(`Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${missing.map((k) => `'${k}'`).join(", ")}`);
    }
    return problems;
}

/** A stack file without its restore block, as `hopsworks-dr restore finish` leaves it. */
function withoutRestore(stackYaml: string): string {
    const doc = parse(stackYaml);
    delete doc.config["hopsworks-dr:restore"];
    return JSON.stringify(doc);
}

const PROJECT = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");
/** The tracked stack files only: an untracked, half-written Pulumi.bad.yaml is not the project's. */
const STACK_FILES = shippedStacks().map((stack) => `Pulumi.${stack}.yaml`);

describe("Pulumi.yaml as the Pulumi CLI reads it", () => {
    it("ships at least one stack file to check", () => {
        assert.ok(STACK_FILES.includes("Pulumi.dev.yaml"), STACK_FILES.join(", "));
    });

    it("checks the tracked stack files only: an untracked, half-written Pulumi.<stack>.yaml in the project is left alone", function () {
        if (spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: PROJECT_DIR }).status !== 0) {
            console.log("    skipped: the project is not a git clone, so the fixed list of stacks applies");
            return this.skip();
        }
        const bad = path.join(PROJECT_DIR, "Pulumi.untracked-by-test.yaml");
        fs.writeFileSync(bad, "config:\n  hopsworks-dr:storage: [unclosed\n");
        try {
            assert.deepEqual(shippedStacks(), STACK_FILES.map((f) => f.split(".")[1]));
            assert.ok(!shippedStacks().includes("untracked-by-test"));
        } finally {
            fs.rmSync(bad, { force: true });
        }
    });

    for (const file of STACK_FILES) {
        const stack = file.split(".")[1];
        it(`lets the CLI run the program for ${file}, and for it after \`restore finish\``, () => {
            const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
            assert.deepEqual(cliConfigProblems(PROJECT, text, stack), []);
            assert.deepEqual(cliConfigProblems(PROJECT, withoutRestore(text), stack), []);
        });
    }

    it("lets the CLI run the program for a stack file that sets nothing (the program then says what is required)", () => {
        assert.deepEqual(cliConfigProblems(PROJECT, "config: {}\n", "empty"), []);
    });

    it("declares every top-level key the program reads, and no other, each an object defaulting to {}", () => {
        const declared = parse(PROJECT).config as Record<string, Declaration>;
        assert.deepEqual(Object.keys(declared).sort(), [...TOP_LEVEL_KEYS].sort());
        for (const [key, declaration] of Object.entries(declared)) {
            assert.equal(declaration.type, "object", key);
            assert.deepEqual(declaration.default, {}, key);
        }
    });

    describe("the check itself fails where the CLI fails", () => {
        const typedWithoutDefault = "name: hopsworks-dr\nconfig:\n  storage:\n    type: object\n  restore:\n    type: object\n";
        const stack = "config:\n  hopsworks-dr:storage:\n    bucket: b\n";

        it("a typed key without a default that a stack file lacks (pulumi/pulumi#21797)", () => {
            assert.deepEqual(cliConfigProblems(typedWithoutDefault, stack, "dev"), ["Stack 'dev' is missing configuration value 'restore'"]);
            assert.deepEqual(cliConfigProblems(typedWithoutDefault, "config: {}\n", "dev"), [
                "Stack 'dev' is missing configuration values 'restore', 'storage'",
            ]);
        });

        it("an object key given a value that is not a mapping, and a default of the wrong type", () => {
            const project = "name: hopsworks-dr\nconfig:\n  storage:\n    type: object\n    default: []\n";
            assert.deepEqual(cliConfigProblems(project, "config:\n  hopsworks-dr:storage: a-bucket\n", "dev"), [
                "The default value specified for configuration key 'storage' is not of the expected type 'object'",
                "Stack 'dev' with configuration key 'storage' must be of type 'object'",
            ]);
        });
    });
});
