/**
 * The S3 API names its JSON fields in PascalCase (the manual's lifecycle example); Pulumi's
 * AWS provider takes the same fields in camelCase. These two functions convert between them,
 * so the plan can be written, and the render read back, in the manual's shape.
 */
const ACRONYMS: Record<string, string> = {
    ID: "id",
    SSEAlgorithm: "sseAlgorithm",
    KMSMasterKeyID: "kmsMasterKeyId",
};
const BACK = Object.fromEntries(Object.entries(ACRONYMS).map(([pascal, camel]) => [camel, pascal]));

type Shape = unknown;

function mapKeys(value: Shape, rename: (key: string) => string): Shape {
    if (Array.isArray(value)) return value.map((v) => mapKeys(v, rename));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), mapKeys(v, rename)]));
    }
    return value;
}

export function toPulumiShape<T = any>(s3Json: Shape): T {
    return mapKeys(s3Json, (k) => ACRONYMS[k] ?? k.charAt(0).toLowerCase() + k.slice(1)) as T;
}

export function toS3Shape<T = any>(pulumiInputs: Shape): T {
    return mapKeys(pulumiInputs, (k) => BACK[k] ?? k.charAt(0).toUpperCase() + k.slice(1)) as T;
}
