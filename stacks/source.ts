import * as pulumi from "@pulumi/pulumi";
import { ConfigSource, NAMESPACE } from "./config-reader";
import { isPlainObject, leafPaths } from "./values-files";

type RuntimeWithSecrets = { isConfigSecret?: (key: string) => boolean };

/**
 * The stack's `hopsworks-dr:` config as the Pulumi runtime holds it (decrypted by the CLI in a
 * real run; redacted by the render). Reads config only: declares nothing.
 */
export function configSourceFromPulumi(projectDir: string): ConfigSource {
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        values[key.slice(NAMESPACE.length + 1)] = parseConfigValue(raw);
    }
    return { stack: pulumi.getStack(), values, secretPaths: secretPathsIn(values), projectDir };
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

/**
 * Which config paths the runtime marks secret. The CLI marks whole top-level keys; the render
 * marks exact paths. Asking about every path and its ancestors covers both.
 */
function secretPathsIn(values: Record<string, unknown>): string[] {
    const isSecret = (pulumi.runtime as unknown as RuntimeWithSecrets).isConfigSecret ?? envSecretKeys();
    const candidates = new Set<string>();
    for (const [key, value] of Object.entries(values)) {
        candidates.add(key);
        if (!isPlainObject(value)) continue;
        for (const [path] of leafPaths(value, key)) {
            const parts = path.split(".");
            for (let i = 2; i <= parts.length; i++) candidates.add(parts.slice(0, i).join("."));
        }
    }
    return [...candidates].filter((path) => isSecret(`${NAMESPACE}:${path}`)).sort();
}

function envSecretKeys(): (key: string) => boolean {
    const keys: string[] = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return (key) => keys.includes(key);
}
