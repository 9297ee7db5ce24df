/** "2025-12-29 10:00": times in tables, UTC like the backup IDs. */
export function utcMinute(time: Date): string {
    const iso = time.toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Left-aligned columns two spaces apart, no trailing spaces. */
export function table(header: string[], rows: string[][]): string {
    // Loops, not Math.max(...column): a listing can have tens of thousands of rows.
    const widths = header.map((cell) => cell.length);
    for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i], cell.length)));
    const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ");
    return [line(header), ...rows.map(line)].join("\n");
}

/**
 * The changed lines of `after` against `before`, with two lines of context, in unified-diff
 * form. Enough for the single block `restore` edits; not a general diff.
 */
export function blockDiff(file: string, before: string, after: string): string {
    // CRLF files diff as their lines, without a stray carriage return on each.
    const a = before.split(/\r?\n/);
    const b = after.split(/\r?\n/);
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
        endA--;
        endB--;
    }
    if (start === a.length && start === b.length) return "";
    const from = Math.max(0, start - 2);
    const toA = Math.min(a.length, endA + 2);
    const toB = Math.min(b.length, endB + 2);
    const out = [`--- ${file}`, `+++ ${file}`, `@@ -${from + 1},${toA - from} +${from + 1},${toB - from} @@`];
    for (let i = from; i < start; i++) out.push(` ${a[i]}`);
    for (let i = start; i < endA; i++) out.push(`-${a[i]}`);
    for (let i = start; i < endB; i++) out.push(`+${b[i]}`);
    for (let i = endA; i < toA; i++) out.push(` ${a[i]}`);
    return out.join("\n");
}
