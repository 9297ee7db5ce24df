/** The pattern the RonDB chart schema enforces for backups.ttl. */
export const TTL_PATTERN = /^(\d+)([dh])$/;

export const TTL_EXPECTED = `must be a whole number of days or hours such as "60d" or "720h" (the chart's pattern ^\\d+[dh]$)`;

/**
 * The longest ttl accepted: 10 years. Velero keeps its backups for a Go time.Duration (at most
 * about 292 years, 106,751 days), the bucket's lifecycle keeps noncurrent versions for an S3
 * integer number of days (at most 2,147,483,647); 10 years stays far below both and still
 * catches a typo such as "60000d" or an hour count meant as days.
 */
export const MAX_TTL_DAYS = 3650;

/** S3's NoncurrentDays is a 32-bit integer. */
export const MAX_NONCURRENT_DAYS = 2_147_483_647;

/** Whole hours a ttl covers, or undefined when it is not a ttl (or zero). */
export function ttlHours(ttl: string): number | undefined {
    const match = TTL_PATTERN.exec(ttl);
    if (!match) return undefined;
    const amount = Number(match[1]);
    if (amount === 0) return undefined;
    return match[2] === "d" ? amount * 24 : amount;
}

/** Whole days a ttl covers, rounded up so that retention derived from it is never shorter. */
export function ttlDays(ttl: string): number | undefined {
    const hours = ttlHours(ttl);
    return hours === undefined ? undefined : Math.ceil(hours / 24);
}

/**
 * The ttl as Velero writes a Go time.Duration ("60d" -> "1440h0m0s"): the chart's
 * hopsworks.velero.backup.ttl takes that form, not days.
 */
export function veleroDuration(ttl: string): string | undefined {
    const hours = ttlHours(ttl);
    return hours === undefined ? undefined : `${hours}h0m0s`;
}
