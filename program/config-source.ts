import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { ConfigSource } from "../stacks/config/reader";
import { readStackFile } from "../stacks/config/stack-file";
import { isPlainObject, leafPaths } from "../stacks/config/values-files";
import { setOwn } from "../stacks/config/own-keys";
import { CONFIG_NAMESPACE } from "../stacks/names";

type RuntimeWithSecrets = { isConfigSecret?: (key: string) => boolean };

/**
 * The stack's `hopsworks-dr:` config as the Pulumi runtime holds it (decrypted by the CLI in a
 * real run; redacted by the render). Reads config, and the stack file for its `secure:` markers;
 * declares nothing.
 */
export function configSourceFromPulumi(projectDir: string): ConfigSource {
    const values: Record<string, unknown> = {};
    const otherKeys: string[] = [];
    for (const [key, raw] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) {
            otherKeys.push(key);
            continue;
        }
        // Defined, not assigned: `hopsworks-dr:__proto__` must reach readStackConfig as a key it refuses, not become the prototype.
        setOwn(values, key.slice(CONFIG_NAMESPACE.length + 1), parseConfigValue(raw));
    }
    const stack = pulumi.getStack();
    const isSecret = (pulumi.runtime as unknown as RuntimeWithSecrets).isConfigSecret ?? envSecretKeys();
    const listed = candidatePaths(values).filter((p) => isSecret(`${CONFIG_NAMESPACE}:${p}`));
    const { secretPaths, stackFile, unverifiable } = confirmSecretPaths(listed, () => secureMarkers(projectDir, stack));
    return { stack, project: pulumi.getProject(), values, secretPaths, projectDir, secretsReadFrom: stackFile, secretsUnverifiable: unverifiable, otherKeys, now: new Date() };
}

/** Object config arrives as JSON text; plain strings stay strings. */
function parseConfigValue(raw: string): unknown {
    if (/^\s*[\[{]/.test(raw)) {
        try {
            return JSON.parse(raw);
        } catch {
            return raw;
        }
    }
    return raw;
}

/** Every top-level key, every leaf and every object between them, as dotted paths. */
function candidatePaths(values: Record<string, unknown>): string[] {
    const candidates = new Set<string>();
    for (const [key, value] of Object.entries(values)) {
        candidates.add(key);
        if (!isPlainObject(value)) continue;
        for (const [leaf] of leafPaths(value, key)) {
            const parts = leaf.split(".");
            for (let i = 2; i <= parts.length; i++) candidates.add(parts.slice(0, i).join("."));
        }
    }
    return [...candidates].sort();
}

const covers = (paths: string[], path: string) => paths.some((p) => path === p || path.startsWith(`${p}.`));

/** The stack file's secure paths (without the namespace), or why they cannot be read. */
export type SecureMarkers = { file: string; securePaths: string[] } | { file: string; error: string };

/**
 * Which of the paths the runtime lists as secret really are. The runtime's list means "this key
 * holds a secret somewhere": the Pulumi CLI lists only whole top-level keys (@pulumi/pulumi
 * runtime/config.js isConfigSecret), so `storage` is listed as soon as one leaf in it is secure,
 * and a plain-text leaf beside it would pass. A top-level listing is therefore confirmed leaf by
 * leaf against the `secure:` markers of the stack file the CLI read. A dotted listing (the
 * offline render, which reads the stack file itself) is already exact.
 *
 * Internal. Exported for testing.
 */
export function confirmSecretPaths(
    listed: string[],
    markers: () => SecureMarkers,
): { secretPaths: string[]; stackFile?: string; unverifiable?: string } {
    const exact = listed.filter((p) => p.includes("."));
    const topLevel = listed.filter((p) => !p.includes("."));
    if (topLevel.length === 0) return { secretPaths: exact };
    const found = markers();
    if ("error" in found) return { secretPaths: exact, stackFile: found.file, unverifiable: found.error };
    const confirmed = found.securePaths.filter((p) => covers(topLevel, p));
    return { secretPaths: [...new Set([...exact, ...confirmed])].sort(), stackFile: found.file };
}

/**
 * Where the Pulumi CLI reads the stack's config: Pulumi.<stack>.yaml beside Pulumi.yaml, or in
 * the project's stackConfigDir (pulumi/pulumi sdk/go/common/workspace/paths.go DetectProjectStackPath).
 *
 * Internal. Exported for testing.
 */
export function stackConfigPath(projectDir: string, stack: string): string {
    const projectFile = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(projectDir, f)).find((f) => fs.existsSync(f));
    const ext = projectFile ? path.extname(projectFile) : ".yaml";
    let dir = projectDir;
    if (projectFile) {
        const project = parse(fs.readFileSync(projectFile, "utf8"));
        if (typeof project?.stackConfigDir === "string" && project.stackConfigDir !== "") dir = path.join(projectDir, project.stackConfigDir);
    }
    return path.join(dir, `Pulumi.${stack.replace(/\//g, "-")}${ext}`);
}

function secureMarkers(projectDir: string, stack: string): SecureMarkers {
    const file = stackConfigPath(projectDir, stack);
    if (!fs.existsSync(file)) return { file, error: `the stack file ${file} does not exist` };
    try {
        const prefix = `${CONFIG_NAMESPACE}:`;
        const securePaths = readStackFile(file).securePaths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
        return { file, securePaths };
    } catch (error) {
        return { file, error: (error as Error).message };
    }
}

function envSecretKeys(): (key: string) => boolean {
    const keys: string[] = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return (key) => keys.includes(key);
}
