import * as fs from "fs";
import * as path from "path";
import { isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { cut } from "./reader";
import { setSecretCommand } from "./secret";

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
        setSecretCommand("<key>", stack)
    );
}

/** YAML 1.2's core schema: the only tags whose values Helm (and JSON, in which Pulumi hands values over) carries as written. */
const CORE_TAGS = ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`);

const shortTag = (tag: string) => tag.replace(/^tag:yaml\.org,2002:/, "!!");

/** What a scalar that is no JSON value resolved to (a YAML 1.1 timestamp, binary data). */
function describeValue(value: unknown): string {
    if (value instanceof Date) return "a timestamp";
    if (value instanceof Uint8Array) return "binary data";
    return `a ${typeof value}`;
}

/**
 * Where a values document uses a tag outside the core schema (`!!binary`, `!!set`, `!!omap`,
 * `!!timestamp`, a local `!tag`), a key that is a map or a list, or a scalar that resolves to no
 * JSON value (a timestamp under `%YAML 1.1`): each as "path (why)". Such values do not reach the
 * chart as written (`!!binary` becomes keys "0", "1", ...; a local tag is dropped).
 */
export function nonCoreNodes(node: unknown, at = ""): string[] {
    const here = cut(at || "the top level");
    if (node === null || node === undefined || isAlias(node)) return [];
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !CORE_TAGS.includes(tag)) return [`${here} (tag ${shortTag(tag)})`];
    if (isMap(node)) {
        return node.items.flatMap((pair) => {
            const key = pair.key;
            if (key !== null && !isScalar(key)) return [`${here} (a key that is a ${isSeq(key) ? "list" : "map"})`];
            const keyTag = key?.tag;
            // A tagged key is named as written (a !!binary key's value is bytes).
            const name = key === null ? "" : keyTag !== undefined && key.source !== undefined ? key.source : String(key.value);
            const path = at ? `${at}.${name}` : name;
            if (keyTag !== undefined && !CORE_TAGS.includes(keyTag)) return [`${cut(path)} (its key has the tag ${shortTag(keyTag)})`];
            return nonCoreNodes(pair.value, path);
        });
    }
    if (isSeq(node)) return node.items.flatMap((item, i) => nonCoreNodes(item, `${at}[${i}]`));
    if (isScalar(node)) {
        const value = node.value;
        if (value === null || ["string", "number", "boolean"].includes(typeof value)) return [];
        return [`${here} (${describeValue(value)})`];
    }
    return [];
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
            const doc = parseDocument(text);
            if (doc.errors.length > 0) throw doc.errors[0];
            const tagged = nonCoreNodes(doc.contents);
            if (tagged.length > 0) {
                problems.push({
                    index,
                    path: file,
                    message:
                        `uses YAML that Helm values cannot carry as written, at ${tagged.join(", ")}: values reach the chart as JSON data ` +
                        "(strings, numbers, booleans, null, maps and lists), so a !!binary value would become keys \"0\", \"1\", ... and a " +
                        "local tag would be dropped. Use only the core tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) or none: " +
                        "write binary data as a base64 string, a timestamp as a quoted string, a set or ordered map as a map or list",
                });
                return;
            }
            const values = doc.toJS() ?? {};
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
