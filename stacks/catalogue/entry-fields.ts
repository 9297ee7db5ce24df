/**
 * The fields of a metadata ConfigMap entry's value (RonDB's, OpenSearch's and Superset's backup
 * metadata all hold a JSON object as text); undefined when the text is not JSON, and none when it
 * is JSON but not an object.
 */
export function entryFields(text: string): Record<string, unknown> | undefined {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return undefined;
    }
    return (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
}
