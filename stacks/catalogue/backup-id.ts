/**
 * Hopsworks backup IDs are `date +%y%V%u%H%M`: 2-digit calendar year, ISO week, ISO weekday
 * (1 = Monday), hour, minute. 254811200 = 2025, week 48, Monday, 12:00. The year is the
 * calendar year but the week is ISO, so 2025-12-29 (ISO week 1 of 2026) is 250110000: IDs are
 * not monotonic around New Year, and decoding must try the neighbouring ISO years. Some IDs are
 * even ambiguous (see backupIdTimes): decoding then needs a reference time.
 */
export const BACKUP_ID_PATTERN = /^(\d{2})(\d{2})([1-7])(\d{2})(\d{2})$/;

export const BACKUP_ID_EXPECTED =
    'must be a backup ID of 9 digits, `date +%y%V%u%H%M` (year, ISO week, weekday, hour, minute), such as "254811200"';

/**
 * Which part of a would-be backup ID is wrong ("week 60 is not an ISO week (01 to 53)"), or
 * undefined for an ID: a 9-digit value that is no ID would otherwise be refused without saying why.
 */
export function backupIdFieldProblem(id: string): string | undefined {
    if (!/^\d{9}$/.test(id)) return "it is not 9 digits";
    const [year, week, weekday, hour, minute] = [id.slice(0, 2), id.slice(2, 4), id.slice(4, 5), id.slice(5, 7), id.slice(7, 9)];
    if (Number(week) < 1 || Number(week) > 53) return `week ${week} is not an ISO week (01 to 53)`;
    if (Number(weekday) < 1 || Number(weekday) > 7) return `weekday ${weekday} is not an ISO weekday (1 Monday to 7 Sunday)`;
    if (Number(hour) > 23) return `hour ${hour} is not an hour (00 to 23)`;
    if (Number(minute) > 59) return `minute ${minute} is not a minute (00 to 59)`;
    if (backupIdTimes(id).length === 0) return `week ${week}, weekday ${weekday} is no day of 20${year}`;
    return undefined;
}

/** BACKUP_ID_EXPECTED (and `alternatives`, ", or latest"), followed by what is wrong with `id` in particular. */
export function backupIdExpected(id: string, alternatives = ""): string {
    const problem = backupIdFieldProblem(id);
    return `${BACKUP_ID_EXPECTED}${alternatives}${problem === undefined ? "" : `; in this one, ${problem}`}`;
}

/** Computed once per year: a catalogue of 20,000 points decodes 40,000 IDs, each over three years. */
const weekOneMondays = new Map<number, number>();

/** Monday of ISO week 1 of an ISO week-numbering year, in UTC. */
function isoWeekOneMonday(isoYear: number): number {
    let monday = weekOneMondays.get(isoYear);
    if (monday === undefined) {
        const jan4 = Date.UTC(isoYear, 0, 4);
        const weekday = new Date(jan4).getUTCDay() || 7;
        monday = jan4 - (weekday - 1) * 86_400_000;
        weekOneMondays.set(isoYear, monday);
    }
    return monday;
}

function isoWeeksIn(isoYear: number): number {
    return (isoWeekOneMonday(isoYear + 1) - isoWeekOneMonday(isoYear)) / (7 * 86_400_000);
}

/**
 * Every time an ID can stand for (UTC, the clock the backup CronJobs run on), oldest first: none
 * if it is not an ID, two in the last days of December when the same weekday of the same ISO
 * week number falls twice into one calendar year (235270000: 2023-01-01 and 2023-12-31, both
 * year 23, ISO week 52, Sunday), else one.
 */
export function backupIdTimes(id: string): readonly Date[] {
    let times = decodedIds.get(id);
    if (times === undefined) {
        if (decodedIds.size >= DECODED_IDS_MAX) decodedIds.clear();
        times = decodeBackupId(id);
        decodedIds.set(id, times);
    }
    return times;
}

/**
 * Decoded IDs: a catalogue decodes each ID several times (RonDB's entry, OpenSearch's, the pairing
 * by its minute, the Superset choice), 20,000 of them at scale. Bounded, for a long-lived process.
 */
const decodedIds = new Map<string, readonly Date[]>();
const DECODED_IDS_MAX = 100_000;

const NOT_AN_ID: readonly Date[] = [];

function decodeBackupId(id: string): readonly Date[] {
    const match = BACKUP_ID_PATTERN.exec(id);
    if (!match) return NOT_AN_ID;
    const year = Number(match[1]), week = Number(match[2]), weekday = Number(match[3]), hour = Number(match[4]), minute = Number(match[5]);
    if (week < 1 || week > 53 || hour > 23 || minute > 59) return NOT_AN_ID;
    const calendarYear = 2000 + year;
    const [yearStart, nextYearStart] = [Date.UTC(calendarYear, 0, 1), Date.UTC(calendarYear + 1, 0, 1)];
    const offset = ((week - 1) * 7 + (weekday - 1)) * 86_400_000 + (hour * 60 + minute) * 60_000;
    // A Date only for a time in the ID's calendar year: 20,000 IDs are decoded at scale.
    const times: Date[] = [];
    for (let isoYear = calendarYear - 1; isoYear <= calendarYear + 1; isoYear++) {
        const time = isoWeekOneMonday(isoYear) + offset;
        if (week <= isoWeeksIn(isoYear) && time >= yearStart && time < nextYearStart) times.push(new Date(time));
    }
    return times;
}

/**
 * When the backup was taken, or undefined if the ID is not one. Of an ambiguous ID's times, the
 * one nearest to, and not after, `reference`: the time the backup's metadata records (its
 * end time), else now. Only when every candidate is after it (a clock behind the backup's),
 * the earliest.
 */
export function backupIdTime(id: string, reference: Date = new Date()): Date | undefined {
    const times = backupIdTimes(id);
    const notAfter = times.filter((t) => t.getTime() <= reference.getTime());
    return notAfter.length > 0 ? notAfter[notAfter.length - 1] : times[0];
}

/**
 * The minute a restore point's backup ID names (`date +%y%V%u%H%M` at the backup's start), decoded
 * near the point's time (an ID decodes to up to three years). The catalogue pairs by this minute,
 * not by RonDB's start time to the second: the bucket knows only the minute, and both must pair alike.
 */
export function idMinute(point: { id: string; time: Date }): Date {
    // A loop without a closure: this runs for every point of a catalogue, 20,000 of them at scale.
    const candidates = backupIdTimes(point.id);
    const at = point.time.getTime();
    let best = candidates[0] ?? point.time;
    for (const t of candidates) if (Math.abs(t.getTime() - at) < Math.abs(best.getTime() - at)) best = t;
    return best;
}

/** The ID a backup taken at `time` (UTC) gets: the inverse of backupIdTime. */
export function backupIdAt(time: Date): string {
    const weekday = time.getUTCDay() || 7;
    // The ISO week is the week of this week's Thursday.
    const thursday = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate() + 4 - weekday));
    const week = Math.floor((thursday.getTime() - isoWeekOneMonday(thursday.getUTCFullYear())) / (7 * 86_400_000)) + 1;
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${pad(time.getUTCFullYear() % 100)}${pad(week)}${weekday}${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}`;
}

/**
 * How far after now a backup ID may decode: the clock that minted it (the backup CronJobs') may run
 * ahead of the one reading it. Anything later is no restore point yet, most likely a mistyped ID.
 */
export const CLOCK_SKEW_MS = 3_600_000;
export const CLOCK_SKEW_TEXT = "1 hour";

/** Why a backup ID cannot be a restore point because it decodes to later than `now` (beyond CLOCK_SKEW_MS), or undefined. */
export function futureBackupIdProblem(id: string, now: Date): string | undefined {
    const time = backupIdTime(id, now);
    if (time === undefined || time.getTime() <= now.getTime() + CLOCK_SKEW_MS) return undefined;
    return (
        `decodes to ${time.toISOString()}, later than now (${now.toISOString()}) by more than the ${CLOCK_SKEW_TEXT} allowed for clock skew: ` +
        "a restore point cannot be in the future; check the ID (date +%y%V%u%H%M: year, ISO week, weekday, hour, minute)"
    );
}
