import { Document, isMap, isScalar, Node, parseDocument } from "yaml";

/**
 * Edits one top-level config key of a Pulumi.<stack>.yaml and leaves every other byte alone.
 * The yaml library's document API keeps comments, but re-printing the whole document also
 * normalises spacing elsewhere (`"x"   # note` becomes `"x" # note`); so the key is set with
 * `doc.setIn`, printed, and only its own lines are spliced into the original text.
 */

/** [start, end) of the whole lines holding `config.<key>` (key, value and trailing comment), if present. */
function keyLines(text: string, doc: Document, key: string): [number, number] | undefined {
    const config = doc.get("config", true);
    if (!isMap(config)) return undefined;
    const pair = config.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (!pair || !isScalar(pair.key) || !pair.key.range) return undefined;
    const value = pair.value as Node | null;
    const end = value?.range ? value.range[2] : pair.key.range[2];
    return [lineStart(text, pair.key.range[0]), lineEnd(text, end)];
}

function lineStart(text: string, offset: number): number {
    return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
    // A node's end may already sit at the start of the next line.
    if (offset > 0 && text[offset - 1] === "\n") return offset;
    const newline = text.indexOf("\n", offset);
    return newline === -1 ? text.length : newline + 1;
}

/** Where a new last key of `config` goes: after the mapping's last line. */
function configEnd(text: string, doc: Document): number | undefined {
    const config = doc.get("config", true);
    if (!isMap(config) || config.flow || !config.range || config.items.length === 0) return undefined;
    return lineEnd(text, config.range[1]);
}

/** The stack file's text with `config.<key>` set to `value` (undefined: removed). */
export function setConfigKey(text: string, key: string, value: unknown): string {
    const original = parseDocument(text);
    const edited = parseDocument(text);
    if (value === undefined) edited.deleteIn(["config", key]);
    else edited.setIn(["config", key], edited.createNode(value));
    const printed = edited.toString();
    const before = keyLines(text, original, key);
    if (value === undefined) {
        return before ? text.slice(0, before[0]) + text.slice(before[1]) : text;
    }
    const after = keyLines(printed, parseDocument(printed), key);
    const at = before ?? (() => {
        const end = configEnd(text, original);
        return end === undefined ? undefined : ([end, end] as [number, number]);
    })();
    // An unusual layout (no config mapping yet, flow style): the library's own printing is the best we have.
    if (!after || !at) return printed;
    const block = printed.slice(after[0], after[1]);
    const head = text.slice(0, at[0]);
    return (head === "" || head.endsWith("\n") ? head : `${head}\n`) + block + text.slice(at[1]);
}

/** Whether `config.<key>` is set. */
export function hasConfigKey(text: string, key: string): boolean {
    return parseDocument(text).hasIn(["config", key]);
}
