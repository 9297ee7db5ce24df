import { CronExpressionParser } from "cron-parser";

/** The macros a Kubernetes CronJob accepts (the RonDB and OpenSearch backups run as CronJobs). */
export const SCHEDULE_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** Each macro as the 5-field expression it stands for (robfig/cron, which CronJobs and Velero use). */
const MACRO_CRON: Record<string, string> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

export const SCHEDULE_EXPECTED =
    `must be a 5-field cron expression ("minute hour day-of-month month day-of-week", e.g. "0 3 * * 0") ` +
    `or one of ${SCHEDULE_MACROS.join(", ")}`;

interface Field {
    name: string;
    min: number;
    max: number;
    names?: string[];
}

/**
 * The five fields as Kubernetes CronJobs read them (robfig/cron's standard parser): day-of-week
 * is 0-6 (Sunday 0; 7 is refused), `?` stands for `*` in the two day fields, and cron-parser's
 * extensions (L, W, #) are refused, since the cluster would refuse them.
 */
const FIELDS: Field[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day-of-month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
    { name: "day-of-week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

function fieldValue(field: Field, text: string): number | string {
    if (/^\d+$/.test(text)) {
        const value = Number(text);
        if (value < field.min || value > field.max) {
            const extra = field.name === "day-of-week" && value === 7 ? " (Sunday is 0: Kubernetes CronJobs refuse 7)" : "";
            return `${field.name} ${value} is outside ${field.min}-${field.max}${extra}`;
        }
        return value;
    }
    const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
    if (index !== -1) return index + field.min;
    const names = field.names ? ` or ${field.names[0].toUpperCase()}-${field.names.at(-1)!.toUpperCase()}` : "";
    return `${field.name} ${JSON.stringify(text)} is not a number${names}`;
}

/** Why one field of a 5-field expression is not valid, or undefined. */
function fieldProblem(field: Field, text: string): string | undefined {
    for (const item of text.split(",")) {
        const [range, step, ...more] = item.split("/");
        if (more.length > 0 || range === "") return `${field.name} ${JSON.stringify(text)} is not valid`;
        if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) {
            return `${field.name} step ${JSON.stringify(step)} must be a whole number of at least 1`;
        }
        if (range === "*" || (range === "?" && (field.name === "day-of-month" || field.name === "day-of-week"))) continue;
        const bounds = range.split("-");
        if (bounds.length > 2) return `${field.name} ${JSON.stringify(item)} is not valid`;
        const values = bounds.map((bound) => fieldValue(field, bound));
        const problem = values.find((v) => typeof v === "string");
        if (problem !== undefined) return problem as string;
        if (values.length === 2 && (values[0] as number) > (values[1] as number)) {
            return `${field.name} range ${item} runs backwards`;
        }
    }
    return undefined;
}

/** Why a backup schedule is not valid, or undefined when it is. The reason names the field at fault. */
export function scheduleProblem(schedule: string): string | undefined {
    const trimmed = schedule.trim();
    if (trimmed.startsWith("@")) {
        return SCHEDULE_MACROS.includes(trimmed) ? undefined : SCHEDULE_EXPECTED;
    }
    // cron-parser also takes a seconds field; CronJobs do not.
    const parts = trimmed === "" ? [] : trimmed.split(/\s+/);
    if (parts.length !== 5) return `${SCHEDULE_EXPECTED}, not ${parts.length} field${parts.length === 1 ? "" : "s"}`;
    const problems = parts.map((part, i) => fieldProblem(FIELDS[i], part)).filter((p): p is string => p !== undefined);
    if (problems.length > 0) return problems.join("; ");
    try {
        CronExpressionParser.parse(trimmed);
        return undefined;
    } catch (error) {
        // Syntactically fine field by field, yet never due (February 30th, say).
        return `never runs: ${(error as Error).message}`;
    }
}

/** The schedule as the 5-field expression cron-parser reads: a macro is expanded (cron-parser has no @midnight). */
export function scheduleCron(schedule: string): string {
    const trimmed = schedule.trim();
    return MACRO_CRON[trimmed] ?? trimmed;
}

/** The days scanned for the longest interval: from a leap year's first day, five years, every month, weekday and leap day pattern a backup schedule uses. */
const SCAN = { from: Date.UTC(2024, 0, 1), until: Date.UTC(2029, 0, 2) };
const DAY_MS = 86_400_000;
/** How far past SCAN.until the run after the last one is looked for (a February 29th schedule's next run is up to 8 years on). */
const NEXT_RUN_DAYS = 9 * 366;
const longestIntervals = new Map<string, number>();

/**
 * The longest time between two consecutive runs of a valid schedule (UTC), e.g. 7 days for
 * @weekly, 31 days for @monthly, 3 days for "0 3 * * 1-5" over a weekend, 4 years for
 * "0 0 29 2 *". Day by day from 2024-01-01 (a leap year) to 2029-01-02, and on to the run after
 * the last: the gaps within a day are the same on every day it runs, and between two days from
 * the last run of one to the first of the next. The day fields as CronJobs read them: when both
 * day-of-month and day-of-week are restricted (not `*` or `?`), a day matching either runs.
 */
export function scheduleLongestIntervalMs(schedule: string): number {
    const cron = scheduleCron(schedule);
    const known = longestIntervals.get(cron);
    if (known !== undefined) return known;
    const fields = cron.split(/\s+/);
    const [minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((field, i) => fieldValues(field, fields[i]));
    const times = hours.flatMap((h) => minutes.map((m) => (h * 60 + m) * 60_000));
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
    const bothDaysRestricted = !isStar(fields[2]) && !isStar(fields[4]);
    const runsOn = (day: Date) => {
        if (!months.includes(day.getUTCMonth() + 1)) return false;
        const dom = daysOfMonth.includes(day.getUTCDate());
        const dow = daysOfWeek.includes(day.getUTCDay());
        return bothDaysRestricted ? dom || dow : dom && dow;
    };
    let previousDay: number | undefined;
    for (let day = SCAN.from; day <= SCAN.until + NEXT_RUN_DAYS * DAY_MS; day += DAY_MS) {
        if (!runsOn(new Date(day))) continue;
        if (previousDay !== undefined) longest = Math.max(longest, day + times[0] - (previousDay + times[times.length - 1]));
        if (day > SCAN.until) break;
        previousDay = day;
    }
    longestIntervals.set(cron, longest);
    return longest;
}

/** `*` or `?`: the field does not restrict the day (the `*`/`?` of cron-parser and robfig/cron). */
function isStar(text: string): boolean {
    return text === "*" || text === "?";
}

/** The values a valid field allows, ascending: lists, ranges, steps (`a/s` runs from a to the maximum) and names. */
function fieldValues(field: Field, text: string): number[] {
    const values = new Set<number>();
    for (const item of text.split(",")) {
        const [range, step] = item.split("/");
        const [low, high] = range === "*" || range === "?" ? [field.min, field.max] : range.split("-").map((bound) => fieldValue(field, bound) as number);
        const end = high ?? (step === undefined ? low : field.max);
        for (let value = low; value <= end; value += Number(step ?? 1)) values.add(value);
    }
    return [...values].sort((a, b) => a - b);
}

/** "9d 2h", "3h 5m", "42m": ages and intervals as people read them. */
export function formatDuration(ms: number): string {
    const minutes = Math.floor(Math.max(0, ms) / 60_000);
    const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
    if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
    if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
    return `${m}m`;
}
