import * as fs from "fs";
import * as path from "path";
import { isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { cut, terminalSafe } from "./reader";
import { ownValue, prototypeKeyPaths, setOwn } from "./own-keys";
import { setSecretCommand } from "./secret";
import { plainSecretsIn } from "./secret-shapes";

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
 * The yaml library's error as one line: its reason and position ("Missing closing "quote at line 2,
 * column 1"). Its message goes on, after a colon, with the lines around the error, which are left
 * out: they may hold a credential that the file's checks would have refused.
 */
export function yamlErrorText(error: unknown): string {
    const first = String((error as Error)?.message ?? error).split("\n")[0];
    return terminalSafe(first.replace(/:\s*$/, ""));
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
 * a file outside the project, a file with a prototype key, and a file holding a recognisable
 * secret (plainSecretsIn): Helm values are stored in plain text.
 */
export function loadValuesFiles(paths: string[], projectDir: string, stack = "<stack>"): { files: ValuesFile[]; problems: ValuesFileProblem[] } {
    const files: ValuesFile[] = [];
    const problems: ValuesFileProblem[] = [];
    paths.forEach((file, index) => {
        const read = readValuesFile(file, projectDir, stack);
        if ("problem" in read) problems.push({ index, path: file, message: read.problem });
        else files.push({ path: file, values: read.values });
    });
    return { files, problems };
}

type Read = { values: Values } | { problem: string };

function readValuesFile(file: string, projectDir: string, stack: string): Read {
    const confined = confinedPath(file, projectDir);
    if ("problem" in confined) return confined;
    let text: string;
    try {
        text = fs.readFileSync(confined.real, "utf8");
    } catch {
        return { problem: `cannot be read (looked for ${confined.real}); paths are relative to the project folder` };
    }
    try {
        return checkValues(parseDocument(text), stack);
    } catch (error) {
        return { problem: `is not valid YAML: ${yamlErrorText(error)}` };
    }
}

/**
 * The file's real path when it is inside the project folder, links resolved on both sides: a
 * stack file (a pull request's, say) must not read a file of the machine that runs Pulumi, such
 * as a kubeconfig or a key, into the Helm values, the Pulumi state and the pull-request comment.
 */
function confinedPath(file: string, projectDir: string): { real: string } | { problem: string } {
    const fullPath = path.resolve(projectDir, file);
    let real: string;
    let root: string;
    try {
        real = fs.realpathSync(fullPath);
        root = fs.realpathSync(projectDir);
    } catch {
        return { problem: `cannot be read (looked for ${fullPath}); paths are relative to the project folder` };
    }
    const relative = path.relative(root, real);
    if (relative !== "" && relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)) return { real };
    const resolved = real === fullPath ? "" : ` (it resolves to ${real})`;
    return {
        problem:
            `is outside the project folder ${root}${resolved}: a values file must be inside the project, links resolved, so that ` +
            "no stack file reads a file of the machine that runs Pulumi (a kubeconfig, a key) into the Helm values, the Pulumi state " +
            "and the pull-request comment; copy the values the chart needs into a file in the project",
    };
}

/** A parsed values document's values, or why it is refused (checked in this order, the first problem only). */
function checkValues(doc: ReturnType<typeof parseDocument>, stack: string): Read {
    if (doc.errors.length > 0) throw doc.errors[0];
    const tagged = nonCoreNodes(doc.contents);
    if (tagged.length > 0) {
        return {
            problem:
                `uses YAML that Helm values cannot carry as written, at ${tagged.join(", ")}: values reach the chart as JSON data ` +
                "(strings, numbers, booleans, null, maps and lists), so a !!binary value would become keys \"0\", \"1\", ... and a " +
                "local tag would be dropped. Use only the core tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) or none: " +
                "write binary data as a base64 string, a timestamp as a quoted string, a set or ordered map as a map or list",
        };
    }
    const values = doc.toJS() ?? {};
    if (!isPlainObject(values)) return { problem: "must hold a YAML mapping of Helm values" };
    const reserved = prototypeKeyPaths(values).map(cut);
    if (reserved.length > 0) {
        return {
            problem:
                `has a key JavaScript reserves at ${reserved.join(", ")}: __proto__, constructor and prototype reach the prototype ` +
                "of the merged values (a __proto__ map would be inherited by them unseen, past every check of restore values), " +
                "and no chart value is named so: remove it from the file",
        };
    }
    const secrets = plainSecretsIn(values);
    if (secrets.length > 0) {
        const plural = secrets.length === 1 ? "a recognisable secret" : "recognisable secrets";
        return { problem: `holds ${plural} in plain text at ${secrets.join(", ")}: ${secretAdvice(stack)}` };
    }
    return { values };
}

/** Helm's merge of values files: maps merge key by key, anything else (lists too) is replaced. */
export function mergeValues(...layers: Values[]): Values {
    const result: Values = {};
    for (const layer of layers) {
        for (const [key, value] of Object.entries(layer)) {
            const current = ownValue(result, key);
            setOwn(result, key, isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value);
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
        node = ownValue(node, key);
    }
    return node;
}

/** The value a values tree sets at `path`, or at an ancestor that is not a map (it replaces the whole subtree). */
export function valueAtOrAbove(values: Values, path: string): { path: string; value: unknown } | undefined {
    const keys = path.split(".");
    for (let depth = 1; depth <= keys.length; depth++) {
        const at = keys.slice(0, depth).join(".");
        const value = valueAt(values, at);
        if (value === undefined) return undefined;
        if (depth === keys.length || !isPlainObject(value)) return { path: at, value };
    }
    return undefined;
}
