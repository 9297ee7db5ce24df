import { LIMITS } from "./limits";

/** Checks of value formats that more than one config section uses. */

export const is = (pattern: RegExp) => (v: string) => pattern.test(v);

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const NAMESPACE_RULE = {
    max: LIMITS.namespace,
    check: (v: string) => DNS_LABEL.test(v),
    expected: "must be a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)",
};
export const SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export function isUrl(value: string, schemes: string[]): boolean {
    try {
        const url = new URL(value);
        return schemes.includes(url.protocol) && url.hostname !== "";
    } catch {
        return false;
    }
}

/** Compares dotted release versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
    const parts = (v: string) => v.split(/[-+]/)[0].split(".").map(Number);
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
    }
    return 0;
}
