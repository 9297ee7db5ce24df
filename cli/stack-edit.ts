import { Document, isMap, isPair, isScalar, isSeq, Node, Pair, parseDocument, YAMLMap } from "yaml";
import { isPlainObject } from "../stacks/config/values-files";

/**
 * Edits one top-level config key of a Pulumi.<stack>.yaml and leaves every other byte alone.
 * The yaml library's document API keeps comments, but re-printing the whole document also
 * normalises spacing elsewhere (`"x"   # note` becomes `"x" # note`); so the key is set in the
 * document, printed, and only its own lines are spliced into the original text, line by line.
 * An existing block is updated in place, so the comments inside it stay; the file's line ending
 * (LF or CRLF) is kept.
 */

/** The top-level `config.<key>` pair, if present. */
function configPair(doc: Document, key: string): Pair | undefined {
    const config = doc.get("config", true);
    if (!isMap(config)) return undefined;
    return config.items.find((p) => isScalar(p.key) && p.key.value === key);
}

/** Where a node's own content ends: its last item's, for a block collection (whose range also covers trailing comments). */
function contentEnd(node: unknown, fallback: number): number {
    if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
        const last = node.items.at(-1);
        if (isPair(last)) return contentEnd(last.value, (last.key as Node | null)?.range?.[1] ?? fallback);
        return contentEnd(last, fallback);
    }
    return (node as Node | null)?.range?.[1] ?? fallback;
}

/** Line index of a character offset. */
function lineOf(starts: number[], offset: number): number {
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
    return line;
}

function lineStarts(text: string): number[] {
    const starts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
}

/**
 * The lines of a pair, as line indices: [its key's line, past its content's last line, past the
 * comment lines after it indented deeper than its key (they belong to it; the library counts every
 * comment up to the next key as the block's trailing comment)].
 */
function pairLines(text: string, pair: Pair): [number, number, number] | undefined {
    if (!isScalar(pair.key) || !pair.key.range) return undefined;
    const starts = lineStarts(text);
    const first = lineOf(starts, pair.key.range[0]);
    const indent = pair.key.range[0] - starts[first];
    const end = contentEnd(pair.value, pair.key.range[1]);
    // An end at a line's start closes the line before.
    const content = lineOf(starts, end > 0 && text[end - 1] === "\n" ? end - 1 : end) + 1;
    const lines = text.split("\n");
    let past = content;
    while (past < lines.length) {
        const match = /^([ \t]*)#/.exec(lines[past]);
        if (!match || match[1].length <= indent) break;
        past++;
    }
    return [first, content, past];
}

/** Sets `node` (a block mapping) to `value` in place: kept keys keep their comments, a changed scalar too. */
function assignMap(doc: Document, node: YAMLMap, value: Record<string, unknown>): void {
    for (const pair of [...node.items]) {
        if (isScalar(pair.key) && !(String(pair.key.value) in value)) node.delete(pair.key);
    }
    for (const [key, next] of Object.entries(value)) {
        const current = node.get(key, true) as Node | undefined;
        if (isMap(current) && !current.flow && isPlainObject(next)) {
            assignMap(doc, current, next);
        } else if (isScalar(current) && !isPlainObject(next) && !Array.isArray(next)) {
            if (current.value === next) continue;
            const replacement = doc.createNode(next) as Node;
            replacement.comment = current.comment;
            replacement.commentBefore = current.commentBefore;
            node.set(key, replacement);
        } else {
            node.set(key, doc.createNode(next));
        }
    }
}

/**
 * Drops the trailing comments of a block and of its last items, all the way down: those comment
 * lines stay where they are in the text (after the block), so printing them would repeat them.
 */
function dropTrailingComments(node: unknown): void {
    if (!isMap(node) && !isSeq(node)) return;
    node.comment = undefined;
    const last = node.items.at(-1);
    dropTrailingComments(isPair(last) ? last.value : last);
}

/** The text as lines, each with its own line ending ("\n", "\r\n" or none for the last). */
function splitLines(text: string): string[] {
    return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** A stack file whose `config` is a flow mapping (`config: {a: 1, b: 2}`): it has no block of lines to replace. */
export class FlowStyleConfigError extends Error {}

/** The stack file's text with `config.<key>` set to `value` (undefined: removed). */
export function setConfigKey(text: string, key: string, value: unknown): string {
    // Offsets are taken on LF text; lines are spliced into the original, so CRLF lines stay CRLF.
    const lf = text.replace(/\r\n/g, "\n");
    const original = splitLines(text);
    const eol = original[0]?.endsWith("\r\n") ? "\r\n" : "\n";
    const doc = parseDocument(lf);
    const config = doc.get("config", true);
    // Re-printing the whole file would change every line of it, not only the restore block.
    if (isMap(config) && config.flow) throw new FlowStyleConfigError("its config is a flow-style mapping ({...}), which has no lines of its own for one key");
    const existing = configPair(doc, key);
    const before = existing ? pairLines(lf, existing) : undefined;
    if (value === undefined) {
        // The block and the comment lines inside it.
        return before ? [...original.slice(0, before[0]), ...original.slice(before[2])].join("") : text;
    }
    // Nothing to change: the text as it is, rather than the block re-printed.
    if (existing && JSON.stringify((doc.toJS() as { config: Record<string, unknown> }).config[key]) === JSON.stringify(value)) return text;

    const node = existing?.value;
    if (isMap(node) && !node.flow && isPlainObject(value)) {
        // Before the new keys are appended, while the last item is still the one they hang on.
        dropTrailingComments(node);
        assignMap(doc, node, value);
    } else {
        doc.setIn(["config", key], doc.createNode(value));
    }
    const printed = doc.toString();
    const printedPair = configPair(parseDocument(printed), key);
    const after = printedPair ? pairLines(printed, printedPair) : undefined;
    let at: [number, number] | undefined;
    if (before) {
        // Up to its content's last line: the comment lines after it stay, after the new block.
        at = [before[0], before[1]];
    } else {
        // A new last key of `config`: after the last key's lines, the comments inside it included.
        const config = parseDocument(lf).get("config", true);
        const last = isMap(config) && !config.flow ? (config.items.at(-1) as Pair | undefined) : undefined;
        const lines = last ? pairLines(lf, last) : undefined;
        if (lines) at = [lines[2], lines[2]];
    }
    // An unusual layout (no config mapping yet, flow style): the library's own printing is the best we have.
    if (!after || !at) return printed.replace(/\n/g, eol);
    const block = printed.split("\n").slice(after[0], after[1]).map((line) => `${line}${eol}`);
    const head = original.slice(0, at[0]);
    // A last line without a line ending gets one before the block.
    if (head.length > 0 && !head[head.length - 1].endsWith("\n")) head[head.length - 1] += eol;
    return [...head, ...block, ...original.slice(at[1])].join("");
}

/** Whether `config.<key>` is set. */
export function hasConfigKey(text: string, key: string): boolean {
    return parseDocument(text).hasIn(["config", key]);
}
