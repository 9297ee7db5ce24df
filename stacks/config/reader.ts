import { CONFIG_NAMESPACE } from "../names";
import { REDACTED, SecretValue, setSecretCommand } from "./secret";
import { LongStrings } from "./long-strings";
import { PROTOTYPE_KEYS } from "./own-keys";
import { terminalSafe } from "./terminal-text";

export { terminalSafe };

/** Stack config as the Pulumi runtime (or the render, from a stack file) hands it over. */
export interface ConfigSource {
    stack: string;
    /** The Pulumi project's name (Pulumi.yaml). Default: "hopsworks-dr". */
    project?: string;
    /** Top-level keys without the `hopsworks-dr:` namespace, values already parsed from JSON. */
    values: Record<string, unknown>;
    /**
     * Dotted paths known to hold Pulumi secrets. The Pulumi CLI only says which top-level keys
     * hold a secret somewhere ("storage"); a stack file read by the render says exactly
     * ("storage.secretAccessKey"). A path is secret when it or an ancestor is listed.
     */
    secretPaths: string[];
    /** Folder that relative file paths in config (values files) are resolved against. */
    projectDir: string;
    /** The stack file whose `secure:` markers confirmed secretPaths, when they were read from one. */
    secretsReadFrom?: string;
    /** Why no secret inside a top-level key could be confirmed (the stack file is missing, say). */
    secretsUnverifiable?: string;
    /** The stack's config keys outside the hopsworks-dr namespace, as written ("aws:region"): checked for near misses of it. */
    otherKeys?: string[];
    /** The time the config is judged at (a backup ID later than it is refused). Default: the current time; tests fix it. */
    now?: Date;
}

export interface ConfigProblem {
    key: string;
    message: string;
}

/** Every problem found in a stack's config; thrown before any resource is declared. */
export class ConfigError extends Error {
    constructor(readonly problems: ConfigProblem[]) {
        super(
            `Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

type Json = unknown;

/** How many characters of a config value a message echoes; a longer value is cut, its length given. */
export const ECHO_LIMIT = 100;

/** The longest value a config string may have, and why: stated in the message that refuses a longer one. */
export interface Limit {
    max: number;
    why: string;
}

/** A string quoted for a message: JSON, with the characters JSON leaves raw (C1, bidirectional) escaped too. */
export function quote(text: string): string {
    return terminalSafe(JSON.stringify(text));
}

/**
 * A config value as a message shows it: JSON (quote), a secret as REDACTED, and anything longer than
 * ECHO_LIMIT cut there with its length, so a 2 MB bucket name costs a line, not 2 MB of stderr:
 * `"aaaa…" (2097152 characters)`.
 */
export function show(value: Json): string {
    if (value instanceof SecretValue) return REDACTED;
    if (typeof value === "string") {
        return value.length > ECHO_LIMIT ? `${quote(value.slice(0, ECHO_LIMIT)).slice(0, -1)}…" (${value.length} characters)` : quote(value);
    }
    const text = terminalSafe(JSON.stringify(value) ?? String(value));
    return text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}… (${text.length} characters)` : text;
}

/** A string cut at ECHO_LIMIT as show cuts it, without quotes: for values a message names unquoted (a path). */
export function cut(text: string): string {
    return terminalSafe(text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}… (${text.length} characters)` : text);
}

/** Every string in a config tree longer than ECHO_LIMIT, keys included; secrets (`skip`) left out, they are never echoed. */
function longStrings(value: Json, at: string, skip: (path: string) => boolean, found: Set<string>): Set<string> {
    if (skip(at)) return found;
    if (typeof value === "string") {
        if (value.length > ECHO_LIMIT) found.add(value);
    } else if (Array.isArray(value)) {
        value.forEach((item, i) => longStrings(item, `${at}[${i}]`, skip, found));
    } else if (typeof value === "object" && value !== null && !(value instanceof SecretValue)) {
        for (const [key, item] of Object.entries(value)) {
            if (key.length > ECHO_LIMIT) found.add(key);
            longStrings(item, at ? `${at}.${key}` : key, skip, found);
        }
    }
    return found;
}

/** The shortest secret withoutSecrets replaces inside a message. */
const MIN_REDACTED = 4;

/** Every string and number at or below a secret path (`secret`), as text. */
function secretStrings(value: Json, at: string, secret: (path: string) => boolean, found: Set<string>, inside = false): Set<string> {
    const isSecret = inside || (at !== "" && secret(at));
    if (value instanceof SecretValue) found.add(value.reveal());
    else if (isSecret && (typeof value === "string" || typeof value === "number")) found.add(String(value));
    else if (Array.isArray(value)) value.forEach((item, i) => secretStrings(item, `${at}[${i}]`, secret, found, isSecret));
    else if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) secretStrings(item, at ? `${at}.${key}` : key, secret, found, isSecret);
    }
    return found;
}

/**
 * Reads typed fields out of raw config objects, collecting one problem per bad field
 * instead of stopping at the first, so an operator fixes everything in one go.
 */
export class ConfigReader {
    readonly problems: ConfigProblem[] = [];
    /** The config's long strings, in their forms in a message (quoted or not), each with its cut form (built once). */
    private long?: LongStrings;
    /** The config's secret strings, longest first (computed once). */
    private secretStrings?: string[];

    /** When the config is read: source.now, else the current time. */
    readonly now: Date;

    constructor(readonly source: ConfigSource) {
        this.now = source.now ?? new Date();
    }

    /**
     * Every message goes through here. Whatever config value longer than ECHO_LIMIT a message
     * repeats (a key, a value quoted or not, a path built from one) is cut as show cuts it.
     */
    problem(path: string, message: string): void {
        const text = this.withoutSecrets(`${CONFIG_NAMESPACE}:${path} ${message}`);
        this.long ??= new LongStrings(
            [...longStrings(this.source.values, "", (p) => p !== "" && this.isSecret(p), new Set())].flatMap((raw): [string, string][] => [
                [JSON.stringify(raw), show(raw)],
                [raw, cut(raw)],
            ]),
        );
        // Escaped last: the long strings are matched as the config holds them.
        this.problems.push({ key: path, message: terminalSafe(this.long.replace(text), true) });
    }

    /** A value at a secret path, or one with a secret inside, is shown as REDACTED: a decrypted secret is never printed; a missing one is said to be. */
    invalid(path: string, value: Json, expected: string): void {
        // A key left empty (`key:` in YAML is null) is missing, not a value to show.
        if (value === undefined || value === null) this.problem(path, `is missing: ${expected}`);
        else this.problem(path, `= ${this.holdsSecret(path) ? REDACTED : show(value)}: ${expected}`);
    }

    /** Whether the value at `path` is a secret or holds one (`storage` when `storage.secretAccessKey` is secret). */
    holdsSecret(path: string): boolean {
        return this.isSecret(path) || this.source.secretPaths.some((p) => p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
    }

    /**
     * The last guard for messages that quote a value another way (a chart source's check, a
     * schedule named in a ttl's message): every secret string of MIN_REDACTED characters or more
     * is replaced by REDACTED wherever it appears. Shorter ones would mangle key names they match.
     */
    private withoutSecrets(text: string): string {
        this.secretStrings ??= [...secretStrings(this.source.values, "", (p) => this.isSecret(p), new Set())]
            .filter((v) => v.length >= MIN_REDACTED && v !== REDACTED)
            .sort((a, b) => b.length - a.length);
        for (const secret of this.secretStrings) {
            if (!text.includes(secret)) continue;
            text = text.split(JSON.stringify(secret)).join(REDACTED).split(secret).join(REDACTED);
        }
        return text;
    }

    isSecret(path: string): boolean {
        return this.source.secretPaths.some((p) => path === p || path.startsWith(`${p}.`));
    }

    /**
     * A top-level key that must be an object; unknown keys inside it are refused. An empty object
     * is an absent section: Pulumi.yaml declares every section with `default: {}`, so the CLI
     * hands `{}` to the program for each one a stack file leaves out.
     */
    section(name: string, allowedKeys: readonly string[], required = false): Record<string, Json> {
        const value = this.source.values[name];
        if (value === undefined || value === null || isEmptyObject(value)) {
            if (required) this.problem(name, `is required: set it in Pulumi.${this.source.stack}.yaml`);
            return {};
        }
        return this.object(value, name, allowedKeys) ?? {};
    }

    object(value: Json, path: string, allowedKeys: readonly string[]): Record<string, Json> | undefined {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            this.invalid(path, value, `must be an object with keys ${allowedKeys.join(", ")}`);
            return undefined;
        }
        for (const key of Object.keys(value)) {
            // A prototype key is refused on its own (readStackConfig), at any depth.
            if (!allowedKeys.includes(key) && !PROTOTYPE_KEYS.includes(key)) {
                this.problem(`${path}.${key}`, `is not a known key; valid keys of ${path} are ${allowedKeys.join(", ")}`);
            }
        }
        return value as Record<string, Json>;
    }

    /**
     * A string key. Every one states its longest value (`max`): a longer one is refused before any
     * other check runs, with the bound and its reason, so that no check, file or manifest is
     * handed a megabyte that a regular expression happened to accept.
     */
    string(
        obj: Record<string, Json>,
        path: string,
        rule: { max: Limit; required?: boolean; default?: string; check?: (v: string) => boolean; expected?: string },
    ): string | undefined {
        const value = obj[leaf(path)];
        if (value === undefined || value === null) {
            if (rule.required) this.problem(path, `is required${rule.expected ? `: ${rule.expected}` : ""}`);
            return rule.default;
        }
        if (typeof value !== "string") {
            this.invalid(path, value, `must be a string${rule.expected ? ` (${rule.expected})` : ""}`);
            return rule.default;
        }
        if (!this.withinLimit(path, value, rule.max, rule.expected)) return rule.default;
        if (rule.check && !rule.check(value)) {
            this.invalid(path, value, rule.expected ?? "is not valid");
            return rule.default;
        }
        return value;
    }

    boolean(obj: Record<string, Json>, path: string, fallback: boolean): boolean {
        const value = obj[leaf(path)];
        if (value === undefined || value === null) return fallback;
        // `pulumi config set --path` stores strings unless told --type bool.
        if (value === true || value === "true") return true;
        if (value === false || value === "false") return false;
        this.invalid(path, value, "must be true or false");
        return fallback;
    }

    /** `max` bounds the value as a string's bounds its length: the largest accepted, and why. */
    integer(obj: Record<string, Json>, path: string, rule: { min: number; max: Limit; default?: number }): number | undefined {
        const value = obj[leaf(path)];
        if (value === undefined || value === null) return rule.default;
        const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof n === "number" && n > rule.max.max) {
            this.invalid(path, value, `must be at most ${rule.max.max}: ${rule.max.why}`);
            return rule.default;
        }
        if (typeof n !== "number" || !Number.isInteger(n) || n < rule.min) {
            this.invalid(path, value, `must be a whole number of at least ${rule.min} and at most ${rule.max.max}`);
            return rule.default;
        }
        return n;
    }

    /** Whether a string is within its bound; refuses it (naming the bound, its reason and what is valid) when not. */
    withinLimit(path: string, value: string, limit: Limit, expected?: string): boolean {
        if (value.length <= limit.max) return true;
        const bound = `at most ${limit.max} characters (it has ${value.length}): ${limit.why}`;
        this.invalid(path, value, expected ? `${expected}; ${bound}` : `must be ${bound}`);
        return false;
    }

    /** A list of strings, each at most `max` long. */
    stringList(obj: Record<string, Json>, path: string, max: Limit, check?: (v: string) => string | undefined): string[] {
        const value = obj[leaf(path)];
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
            this.invalid(path, value, "must be a list of strings");
            return [];
        }
        const good: string[] = [];
        value.forEach((v: string, i) => {
            if (!this.withinLimit(`${path}[${i}]`, v, max)) return;
            const error = check?.(v);
            if (error) this.invalid(`${path}[${i}]`, v, error);
            else good.push(v);
        });
        return good;
    }

    /** A backup ID: digits, given as a string or (unquoted in YAML) as a number. `expected` may say what is wrong with the value in particular. */
    digits(obj: Record<string, Json>, path: string, max: Limit, check: (v: string) => boolean, expected: string | ((v: string) => string)): string | undefined {
        const value = obj[leaf(path)];
        if (value === undefined || value === null) return undefined;
        const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
        const expectedOf = (v: unknown) => (typeof expected === "string" ? expected : expected(String(v)));
        if (typeof text === "string" && !this.withinLimit(path, text, max, expectedOf(text))) return undefined;
        if (typeof text !== "string" || !check(text)) {
            this.invalid(path, value, expectedOf(text));
            return undefined;
        }
        return text;
    }

    /**
     * A value that must arrive as a Pulumi secret (`pulumi config set --secret --path ...`), at most
     * `max` long. `fix`: how to set it, in a refusal (default: the prompt form, never a value on the command line).
     */
    secret(obj: Record<string, Json>, path: string, max: Limit, fix = setSecretCommand(path, this.source.stack)): SecretValue | undefined {
        const value = obj[leaf(path)];
        if (value === undefined || value === null) return undefined;
        if (!this.isSecret(path)) {
            // Never echo the value: it is a credential stored in plain text.
            const { secretsReadFrom: file, secretsUnverifiable: why } = this.source;
            this.problem(
                path,
                why
                    ? `cannot be confirmed to be a Pulumi secret: ${why}, and the program reads the stack file's secure: markers ` +
                          `to tell a secret leaf from a plain one; set it with: ${fix}`
                    : `is stored in plain text${file ? ` (no secure: value at ${path} in ${file})` : ""}; it must be a Pulumi secret: ${fix}`,
            );
            return undefined;
        }
        if (typeof value !== "string" || value === "") {
            this.problem(path, `= ${REDACTED}: must be a non-empty string`);
            return undefined;
        }
        if (value.length > max.max) {
            // Its length only: the value is a credential.
            this.problem(path, `= ${REDACTED}: must be at most ${max.max} characters (it has ${value.length}): ${max.why}`);
            return undefined;
        }
        return new SecretValue(value);
    }
}

function isEmptyObject(value: Json): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

function leaf(path: string): string {
    return path.slice(path.lastIndexOf(".") + 1);
}
