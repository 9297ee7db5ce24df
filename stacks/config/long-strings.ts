/**
 * Replaces many long strings in a text in one pass. A config with 16,000 long unknown keys gets
 * 16,000 messages, and testing every long string against every message took 34 s (issue 18,
 * item 13). Here each message costs its length times WINDOW, plus, where a pattern's first WINDOW
 * characters occur, one lookup per distinct length of the patterns that share them.
 */

/** How many leading characters index a pattern; every pattern is at least this long. */
export const WINDOW = 32;

export class LongStrings {
    /** Patterns by their first WINDOW characters, then by length (longest first), then the pattern itself. */
    private readonly byPrefix = new Map<string, [length: number, replacements: Map<string, string>][]>();

    /** Pairs of pattern and replacement; where two patterns start at one place, the longer is replaced. */
    constructor(pairs: Iterable<[pattern: string, replacement: string]>) {
        for (const [pattern, replacement] of pairs) {
            if (pattern.length < WINDOW) throw new Error(`a pattern shorter than ${WINDOW} characters`);
            const prefix = pattern.slice(0, WINDOW);
            const byLength = this.byPrefix.get(prefix) ?? [];
            let entry = byLength.find(([length]) => length === pattern.length);
            if (!entry) byLength.push((entry = [pattern.length, new Map()]));
            if (!entry[1].has(pattern)) entry[1].set(pattern, replacement);
            this.byPrefix.set(prefix, byLength);
        }
        for (const byLength of this.byPrefix.values()) byLength.sort((a, b) => b[0] - a[0]);
    }

    replace(text: string): string {
        if (this.byPrefix.size === 0 || text.length < WINDOW) return text;
        let out = "";
        let from = 0;
        let i = 0;
        while (i + WINDOW <= text.length) {
            const hit = this.matchAt(text, i);
            if (hit === undefined) {
                i++;
                continue;
            }
            out += text.slice(from, i) + hit[1];
            i += hit[0];
            from = i;
        }
        return out + text.slice(from);
    }

    /** The longest pattern starting at `i`, as [its length, its replacement]. */
    private matchAt(text: string, i: number): [number, string] | undefined {
        const byLength = this.byPrefix.get(text.slice(i, i + WINDOW));
        for (const [length, replacements] of byLength ?? []) {
            const replacement = i + length <= text.length ? replacements.get(text.slice(i, i + length)) : undefined;
            if (replacement !== undefined) return [length, replacement];
        }
        return undefined;
    }
}
