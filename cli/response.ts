/**
 * The shape of what the Kubernetes API answers, checked before the CLI reads it: a sick or
 * impostor server answering 200 with nonsense gets an error naming the request and what was
 * wrong, never a JavaScript TypeError from deep inside a command.
 */

/** An API object as the CLI reads it: metadata.name always, labels and finalizers when there. */
export interface ApiObject {
    metadata: { name: string; labels?: Record<string, string>; finalizers?: string[]; creationTimestamp?: unknown; [key: string]: unknown };
    [key: string]: unknown;
}

/** What a request must answer: a list, the object of that name, or any JSON object (a delete's Status or object). */
export type Expected = { list: true } | { named: string } | { anyObject: true };

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as a message shows it: short, on one line. */
function shown(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function stringMapProblem(value: unknown, at: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) return `${at} is ${shown(value)}, not a mapping`;
    // A loop, not Object.entries: a real catalogue's ConfigMaps hold 60,000 keys.
    for (const key in value) {
        if (typeof value[key] !== "string") return `${at}.${key} is ${shown(value[key])}, not a string`;
    }
    return undefined;
}

/** Why `value` (at `at` in the body) is not an API object the CLI can read, or undefined. */
function objectProblem(value: unknown, at: string): string | undefined {
    const prefix = at === "" ? "" : `${at}.`;
    if (!isRecord(value)) return `${at === "" ? "the body" : at} is ${shown(value)}, not an object`;
    const metadata = value.metadata;
    if (!isRecord(metadata)) return `${prefix}metadata is ${metadata === undefined ? "missing" : `${shown(metadata)}, not a mapping`}`;
    if (typeof metadata.name !== "string" || metadata.name === "") {
        return `${prefix}metadata.name is ${metadata.name === undefined ? "missing" : `${shown(metadata.name)}, not a name`}`;
    }
    const finalizers = metadata.finalizers;
    if (finalizers !== undefined && finalizers !== null && !(Array.isArray(finalizers) && finalizers.every((f) => typeof f === "string"))) {
        return `${prefix}metadata.finalizers is ${shown(finalizers)}, not a list of strings`;
    }
    // A ConfigMap's data holds the backup metadata, one JSON text per key.
    return stringMapProblem(metadata.labels, `${prefix}metadata.labels`) ?? stringMapProblem(value.data, `${prefix}data`);
}

/** Why `body` is not what the request expects, or undefined. */
export function responseProblem(body: unknown, expected: Expected): string | undefined {
    if ("anyObject" in expected) return isRecord(body) ? undefined : `the body is ${shown(body)}, not an object`;
    if ("named" in expected) {
        const problem = objectProblem(body, "");
        if (problem) return problem;
        const name = (body as ApiObject).metadata.name;
        return name === expected.named ? undefined : `metadata.name is ${shown(name)}, not ${shown(expected.named)} as asked`;
    }
    if (!isRecord(body)) return `the body is ${shown(body)}, not an object`;
    // An empty list may come as null (a nil Go slice).
    if (body.items === null) return undefined;
    if (!Array.isArray(body.items)) return `items is ${body.items === undefined ? "missing" : `${shown(body.items)}, not a list`}`;
    for (const [i, item] of body.items.entries()) {
        const problem = objectProblem(item, `items[${i}]`);
        if (problem) return problem;
    }
    return undefined;
}
