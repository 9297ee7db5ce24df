/**
 * Keys that reach an object's prototype in JavaScript: `target[key] = value` with `__proto__`
 * replaces what the target inherits (a values file could hand the merged values a restore no
 * guard sees), and `constructor` or `prototype` lead to the functions every object shares.
 * No chart value and no config key is named so; they are refused wherever they appear.
 */
export const PROTOTYPE_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

/** The dotted path of every prototype key in a tree, maps and lists descended. */
export function prototypeKeyPaths(value: unknown, at = ""): string[] {
    if (Array.isArray(value)) return value.flatMap((item, i) => prototypeKeyPaths(item, `${at}[${i}]`));
    if (typeof value !== "object" || value === null) return [];
    return Object.keys(value).flatMap((key) => {
        const path = at ? `${at}.${key}` : key;
        return PROTOTYPE_KEYS.includes(key) ? [path] : prototypeKeyPaths((value as Record<string, unknown>)[key], path);
    });
}

/** Sets an own property, whatever the key: assignment would treat `__proto__` as the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** An own property's value, never an inherited one (`constructor` is every object's). */
export function ownValue(values: Record<string, unknown>, key: string): unknown {
    return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : undefined;
}
