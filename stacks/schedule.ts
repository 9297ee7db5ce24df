import { CronExpressionParser } from "cron-parser";

/** The macros a Kubernetes CronJob accepts (the RonDB and OpenSearch backups run as CronJobs). */
export const SCHEDULE_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

export const SCHEDULE_EXPECTED =
    `must be a 5-field cron expression ("minute hour day-of-month month day-of-week", e.g. "0 3 * * 0") ` +
    `or one of ${SCHEDULE_MACROS.join(", ")}`;

/** Why a backup schedule is not valid, or undefined when it is. */
export function scheduleProblem(schedule: string): string | undefined {
    const trimmed = schedule.trim();
    if (trimmed.startsWith("@")) {
        return SCHEDULE_MACROS.includes(trimmed) ? undefined : SCHEDULE_EXPECTED;
    }
    // cron-parser also takes a seconds field; CronJobs do not.
    if (trimmed.split(/\s+/).length !== 5) return SCHEDULE_EXPECTED;
    try {
        CronExpressionParser.parse(trimmed);
        return undefined;
    } catch (error) {
        return `${SCHEDULE_EXPECTED} (${(error as Error).message})`;
    }
}
