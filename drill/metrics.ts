/**
 * What the backup alerts need from a metrics endpoint: the series each rule selects, read from the
 * rules themselves, against the series a real server exposes (Prometheus' text format). A metric
 * or label that Velero renames in an upgrade then fails the drill instead of silencing production's
 * alerts.
 */
import type { RuleGroup } from "../stacks/plan/alerts";

export interface Series {
    name: string;
    labels: Record<string, string>;
}

/** The series of a text-format scrape (comments and values dropped). */
export function parseExposition(text: string): Series[] {
    const series: Series[] = [];
    for (const line of text.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
        if (!match) continue;
        const labels: Record<string, string> = {};
        for (const m of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = JSON.parse(`"${m[2]}"`);
        series.push({ name: match[1], labels });
    }
    return series;
}

/** A label matcher of a selector: `=` a value, `=~` an RE2 regular expression (anchored, as PromQL anchors it). */
export interface Matcher {
    op: "=" | "=~";
    value: string;
}

/** One series a rule expects: a metric, the label matchers its selector names, and the labels it aggregates by. */
export interface ExpectedSeries {
    metric: string;
    labels: Record<string, Matcher>;
    /** Labels the rule groups by (`sum by (schedule) (...)`): a series without one would be summed silently under "". */
    byLabels: string[];
}

/**
 * Every series of `prefix` the rules select, one per alternative: `{schedule=~"a|b"}` expects a
 * series matching a and one matching b. Duplicates are dropped; the order is the rules'.
 */
export function seriesTheRulesSelect(groups: RuleGroup[], prefix: string): ExpectedSeries[] {
    const expected = new Map<string, ExpectedSeries>();
    for (const rule of groups.flatMap((g) => g.rules)) {
        // `<aggregation> by (a, b) (<metric>` or `(increase(<metric>`: the labels that metric must carry.
        const byLabels = new Map<string, string[]>();
        for (const m of rule.expr.matchAll(new RegExp(`\\bby\\s*\\(([^)]*)\\)\\s*\\((?:\\s*increase\\()?\\s*(${prefix}[a-zA-Z0-9_:]*)`, "g"))) {
            byLabels.set(m[2], [...new Set([...(byLabels.get(m[2]) ?? []), ...m[1].split(",").map((l) => l.trim()).filter(Boolean)])]);
        }
        for (const m of rule.expr.matchAll(new RegExp(`\\b(${prefix}[a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})?`, "g"))) {
            const alternatives: [string, Matcher[]][] = [];
            for (const matcher of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|=)\s*("(?:[^"\\]|\\.)*")/g)) {
                const value = JSON.parse(matcher[3]) as string;
                const op = matcher[2] as Matcher["op"];
                // An alternative without regex syntax is a plain value: {cronjob=~"a|b"} expects what {cronjob="a"} does.
                const alternative = (v: string): Matcher => (/^[A-Za-z0-9_-]*$/.test(v) ? { op: "=", value: v } : { op, value: v });
                alternatives.push([matcher[1], op === "=~" ? value.split("|").map(alternative) : [{ op, value }]]);
            }
            // Each combination of the alternatives (the rules name one label per selector, so this stays small).
            let combinations: Record<string, Matcher>[] = [{}];
            for (const [label, values] of alternatives) combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [label]: v })));
            for (const labels of combinations) {
                const key = `${m[1]}${JSON.stringify(labels)}`;
                const by = byLabels.get(m[1]) ?? [];
                const known = expected.get(key);
                expected.set(key, { metric: m[1], labels, byLabels: [...new Set([...(known?.byLabels ?? []), ...by])] });
            }
        }
    }
    return [...expected.values()];
}

/** The expected series no scraped series matches, written as selectors. */
export function missingSeries(expected: ExpectedSeries[], scraped: Series[]): string[] {
    return expected
        .filter(
            (e) =>
                !scraped.some(
                    (s) => s.name === e.metric && Object.entries(e.labels).every(([k, m]) => matches(m, s.labels[k])) && e.byLabels.every((l) => l in s.labels),
                ),
        )
        .map(selectorText);
}

function matches(matcher: Matcher, value: string | undefined): boolean {
    if (value === undefined) return false;
    return matcher.op === "=" ? value === matcher.value : new RegExp(`^(?:${matcher.value})$`).test(value);
}

export function selectorText(e: ExpectedSeries): string {
    const labels = [
        ...Object.entries(e.labels).map(([k, m]) => `${k}${m.op}${JSON.stringify(m.value)}`),
        ...e.byLabels.filter((l) => !(l in e.labels)).map((l) => `${l}=~".*"`),
    ];
    return labels.length > 0 ? `${e.metric}{${labels.join(", ")}}` : e.metric;
}
