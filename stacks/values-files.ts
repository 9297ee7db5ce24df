import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export type Values = Record<string, unknown>;

export interface ValuesFile {
    /** As written in config, relative to the project. */
    path: string;
    values: Values;
}

export interface ValuesFileProblem {
    index: number;
    path: string;
    message: string;
}

export function isPlainObject(value: unknown): value is Values {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Keys whose value is a credential (compared lowercased, without separators, by their ending):
 * password, bindPassword, secretKey, secretAccessKey, accessKey, token, apiKey, clientSecret.
 * A key that only names where a credential is (access_key_id, passwordSecretName, secretKeyRef)
 * does not end so.
 */
const SECRET_KEY_ENDINGS = ["password", "passwd", "secretkey", "secretaccesskey", "accesskey", "token", "apikey", "clientsecret"];
/** Values that are credentials whatever their key. */
const SECRET_VALUES: [RegExp, string][] = [
    [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, "an AWS access key ID"],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key"],
];

/**
 * Recognisable secrets in a values tree, as "path (why)": a non-empty string under a credential's
 * key name, or a value shaped like an AWS access key ID or a private key. The value itself is
 * never part of the result.
 */
export function plainSecretsIn(values: unknown, at = ""): string[] {
    if (Array.isArray(values)) return values.flatMap((v, i) => plainSecretsIn(v, `${at}[${i}]`));
    if (isPlainObject(values)) {
        return Object.entries(values).flatMap(([key, value]) => {
            const path = at ? `${at}.${key}` : key;
            if (typeof value === "string" && value.trim() !== "") {
                const name = key.toLowerCase().replace(/[^a-z0-9]/g, "");
                const ending = SECRET_KEY_ENDINGS.find((e) => name.endsWith(e));
                if (ending) return [`${path} (a key named ${key})`];
            }
            return plainSecretsIn(value, path);
        });
    }
    if (typeof values === "string") {
        const shape = SECRET_VALUES.find(([pattern]) => pattern.test(values));
        if (shape) return [`${at} (${shape[1]})`];
    }
    return [];
}

/** What to do instead of a credential in a values file. */
function secretAdvice(stack: string): string {
    return (
        "values files reach the Pulumi state and the pull-request comment unencrypted. Remove them from the file: put each in a " +
        "Kubernetes Secret the chart references, and give the credentials this stack's config takes (storage.accessKeyId, " +
        "storage.secretAccessKey, hopsworks.repoUsername, hopsworks.repoPassword) as secret config: " +
        `pulumi config set --secret --path <key> <value> -s ${stack}`
    );
}

/**
 * Reads and parses each values file; every unreadable or non-mapping file is a problem, and so is
 * a file holding a recognisable secret (plainSecretsIn): Helm values are stored in plain text.
 */
export function loadValuesFiles(paths: string[], projectDir: string, stack = "<stack>"): { files: ValuesFile[]; problems: ValuesFileProblem[] } {
    const files: ValuesFile[] = [];
    const problems: ValuesFileProblem[] = [];
    paths.forEach((file, index) => {
        const fullPath = path.resolve(projectDir, file);
        let text: string;
        try {
            text = fs.readFileSync(fullPath, "utf8");
        } catch {
            problems.push({ index, path: file, message: `cannot be read (looked for ${fullPath}); paths are relative to the project folder` });
            return;
        }
        try {
            const values = parse(text) ?? {};
            if (!isPlainObject(values)) {
                problems.push({ index, path: file, message: "must hold a YAML mapping of Helm values" });
                return;
            }
            const secrets = plainSecretsIn(values);
            if (secrets.length > 0) {
                const plural = secrets.length === 1 ? "a recognisable secret" : "recognisable secrets";
                problems.push({ index, path: file, message: `holds ${plural} in plain text at ${secrets.join(", ")}: ${secretAdvice(stack)}` });
                return;
            }
            files.push({ path: file, values });
        } catch (error) {
            problems.push({ index, path: file, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}` });
        }
    });
    return { files, problems };
}

/** Helm's merge of values files: maps merge key by key, anything else (lists too) is replaced. */
export function mergeValues(...layers: Values[]): Values {
    const result: Values = {};
    for (const layer of layers) {
        for (const [key, value] of Object.entries(layer)) {
            const current = result[key];
            result[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
        }
    }
    return result;
}

/** Every leaf of a values tree as [dotted path, value], maps descended, lists kept whole. */
export function leafPaths(values: Values, prefix = ""): [string, unknown][] {
    return Object.entries(values).flatMap(([key, value]) => {
        const at = prefix ? `${prefix}.${key}` : key;
        return isPlainObject(value) && Object.keys(value).length > 0 ? leafPaths(value, at) : [[at, value] as [string, unknown]];
    });
}

export function valueAt(values: Values, dottedPath: string): unknown {
    let node: unknown = values;
    for (const key of dottedPath.split(".")) {
        if (!isPlainObject(node)) return undefined;
        node = node[key];
    }
    return node;
}
