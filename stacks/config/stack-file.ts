import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigProblem, ConfigSource, show } from "./reader";
import { REDACTED } from "./secret";
import { isPlainObject, yamlErrorText } from "./values-files";
import { setOwn } from "./own-keys";
import { CONFIG_NAMESPACE } from "../names";

/** A Pulumi.<stack>.yaml read without the Pulumi CLI: secure values stay encrypted, replaced by REDACTED. */
export interface StackFile {
    stack: string;
    /** Every config key as written (namespaced), secure values replaced by REDACTED. */
    config: Record<string, unknown>;
    /** Full keys with a secure value somewhere inside, as the CLI would report them. */
    secretKeys: string[];
    /** Exact paths (namespaced, dotted) of the secure values. */
    securePaths: string[];
}

/**
 * A stack name as Pulumi accepts it: 1 to 100 letters, digits, '-', '_' and '.' ("stack names are
 * limited to 100 characters and may only contain alphanumeric, hyphens, underscores, or periods",
 * pulumi/pulumi pkg/backend/diy). The CLI's --stack (cli/main.ts) repeats it.
 */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export const STACK_NAME_EXPECTED = "a stack name is 1 to 100 letters, digits, '-', '_' and '.', as Pulumi accepts it (pulumi stack init refuses any other)";

/** A name of dots alone: as a path segment it is the folder itself or its parent. */
export const ONLY_DOTS = /^\.+$/;

export const ONLY_DOTS_EXPECTED =
    "the render writes a stack into out/<stack>, and out/. is out/ itself, out/.. the project folder: give a name with a letter or digit";

/** Why a stack name is not one Pulumi accepts, or is made only of dots, or undefined. */
export function stackNameProblem(stack: string): string | undefined {
    if (!STACK_NAME.test(stack)) return `${show(stack)} is not a stack name Pulumi accepts: ${STACK_NAME_EXPECTED}`;
    if (ONLY_DOTS.test(stack)) return `${show(stack)} is made only of dots, which this project refuses as a stack name: ${ONLY_DOTS_EXPECTED}`;
    return undefined;
}

export function stackNameFromFile(file: string): string | undefined {
    return /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1];
}

/** The stack a Pulumi.<stack>.yaml belongs to; an error naming the file when its name is no stack's. */
function stackOfFile(file: string): string {
    const stack = stackNameFromFile(file);
    if (!stack) throw new Error(`${file}: a stack file must be named Pulumi.<stack>.yaml`);
    const problem = stackNameProblem(stack);
    if (problem) throw new Error(`${file}: ${problem}, so no stack reads this file`);
    return stack;
}

export function readStackFile(file: string): StackFile {
    stackOfFile(file);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new Error(`${file}: cannot be read`);
    }
    return parseStackFile(file, text);
}

/** A stack file's text, already read (by a caller that also edits it), as readStackFile reads it. */
export function parseStackFile(file: string, text: string): StackFile {
    const stack = stackOfFile(file);
    let doc: unknown;
    try {
        doc = parse(text) ?? {};
    } catch (error) {
        throw new Error(`${file}: not valid YAML: ${yamlErrorText(error)}`);
    }
    if (!isPlainObject(doc)) throw new Error(`${file}: must be a YAML mapping`);
    const raw = doc.config ?? {};
    if (!isPlainObject(raw)) throw new Error(`${file}: its config: must be a mapping of keys to values`);
    const securePaths: string[] = [];
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        // Defined, not assigned: a `__proto__` key must stay a key readStackConfig refuses, not become the prototype.
        setOwn(config, key, redactSecure(value, key, securePaths));
    }
    const secretKeys = [...new Set(securePaths.map((p) => p.split(".")[0]))];
    return { stack, config, secretKeys, securePaths };
}

function redactSecure(value: unknown, at: string, found: string[]): unknown {
    if (isPlainObject(value)) {
        if (Object.keys(value).length === 1 && typeof value.secure === "string") {
            found.push(at);
            return REDACTED;
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecure(v, `${at}.${k}`, found)]));
    }
    if (Array.isArray(value)) return value.map((v, i) => redactSecure(v, `${at}[${i}]`, found));
    return value;
}

/**
 * The config namespaces a stack file may use: the program's own, the providers it declares
 * resources with (@pulumi/aws, @pulumi/kubernetes) and Pulumi's own (pulumi:tags, ...).
 */
export const KNOWN_NAMESPACES = [CONFIG_NAMESPACE, "aws", "kubernetes", "pulumi"];

/** Letters and digits only, lowercase: hopsworks_dr, Hopsworks-DR and hopsworks.dr all read hopsworksdr. */
const folded = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Levenshtein distance, for the near misses of a namespace (hopswork-dr, hopsworks-rd). */
function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/**
 * What a stack file's keys outside the program's namespace mean: a namespace that is nearly
 * hopsworks-dr (a typo: the program would never read the key, and report only what is then
 * missing) is refused with the key it was meant to be; any other unknown namespace is warned about
 * (a provider this project does not use ignores it too). Keys are as written: "aws:region".
 */
export function namespaceFindings(keys: string[]): { problems: ConfigProblem[]; warnings: string[] } {
    const problems: ConfigProblem[] = [];
    const warnings: string[] = [];
    for (const key of keys) {
        const colon = key.indexOf(":");
        if (colon < 0) continue;
        const namespace = key.slice(0, colon);
        if (KNOWN_NAMESPACES.includes(namespace)) continue;
        const meant = `${CONFIG_NAMESPACE}:${key.slice(colon + 1)}`;
        if (folded(namespace) === folded(CONFIG_NAMESPACE) || editDistance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 2) {
            problems.push({ key, message: `${show(key)} is in namespace ${show(namespace)}, which this program does not read: did you mean ${show(meant)}?` });
        } else {
            warnings.push(`${show(key)}: namespace ${show(namespace)} is none this project reads (${KNOWN_NAMESPACES.join(", ")}), so the key is ignored`);
        }
    }
    return { problems, warnings };
}

/** Project-level defaults declared in Pulumi.yaml (`config: key: {default: ...}`), keyed by full name. */
export function projectConfigDefaults(projectDir: string): Record<string, unknown> {
    const doc = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
    const defaults: Record<string, unknown> = {};
    for (const [key, decl] of Object.entries(doc?.config ?? {})) {
        const full = key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
        if (isPlainObject(decl) && "default" in decl) setOwn(defaults, full, decl.default);
        else if (!isPlainObject(decl)) setOwn(defaults, full, decl);
    }
    return defaults;
}

/** The stack file's config over the project's defaults, as the Pulumi CLI would hand it to the program. */
export function configWithProjectDefaults(stackFile: StackFile, projectDir: string): Record<string, unknown> {
    const defaults = fs.existsSync(path.join(projectDir, "Pulumi.yaml")) ? projectConfigDefaults(projectDir) : {};
    return { ...defaults, ...stackFile.config };
}

/** The program's ConfigSource for a stack file read without the CLI: secure values stay REDACTED, marked secret. */
export function configSourceFromStackFile(stackFile: StackFile, projectDir: string): ConfigSource {
    const inNamespace = (key: string) => key.startsWith(`${CONFIG_NAMESPACE}:`);
    const strip = (key: string) => key.slice(CONFIG_NAMESPACE.length + 1);
    const values = Object.fromEntries(
        Object.entries(configWithProjectDefaults(stackFile, projectDir)).filter(([key]) => inNamespace(key)).map(([key, value]) => [strip(key), value]),
    );
    const otherKeys = Object.keys(stackFile.config).filter((key) => !inNamespace(key));
    return { stack: stackFile.stack, values, secretPaths: stackFile.securePaths.filter(inNamespace).map(strip), projectDir, otherKeys };
}
