"use strict";
/**
 * Plain JavaScript, not TypeScript: the CLI's bin answers --help and usage errors with it before
 * (and without) loading tsx. Its types are in terminal-text.d.ts.
 *
 * Characters a terminal would act on rather than show: C0 controls (newline and tab too, unless
 * `keepLines`), DEL and C1 controls, the line and paragraph separators, and the bidirectional
 * marks, embeddings, overrides and isolates that reorder what follows them (a value could make a
 * message read otherwise).
 */
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every character of TERMINAL_UNSAFE written as \uXXXX; newlines and tabs kept with `keepLines` (a whole message). */
function terminalSafe(text, keepLines = false) {
    return text.replace(TERMINAL_UNSAFE, (c) => (keepLines && (c === "\n" || c === "\t") ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

module.exports = { terminalSafe };
