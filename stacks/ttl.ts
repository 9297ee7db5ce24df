/** The pattern the RonDB chart schema enforces for backups.ttl. */
export const TTL_PATTERN = /^(\d+)([dh])$/;

export const TTL_EXPECTED = `must be a whole number of days or hours such as "60d" or "720h" (the chart's pattern ^\\d+[dh]$)`;

/** Whole days a ttl covers, rounded up so that retention derived from it is never shorter. */
export function ttlDays(ttl: string): number | undefined {
    const match = TTL_PATTERN.exec(ttl);
    if (!match) return undefined;
    const amount = Number(match[1]);
    if (amount === 0) return undefined;
    return match[2] === "d" ? amount : Math.ceil(amount / 24);
}
