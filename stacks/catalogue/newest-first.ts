/** Lists sorted newest first by `time`: restore points, Superset backups. */

/** The index of the first item (newest first) whose time is at or before `limit`, by binary search. */
export function firstAtOrBefore(newestFirst: readonly { time: Date }[], limit: number): number {
    let low = 0;
    let high = newestFirst.length;
    while (low < high) {
        const mid = (low + high) >>> 1;
        if (newestFirst[mid].time.getTime() > limit) low = mid + 1;
        else high = mid;
    }
    return low;
}
