import { gunzipSync } from "zlib";
import { Values } from "../config/values-files";

/** What each of the stack's two Helm releases (Velero, Hopsworks) is declared from. */
export interface ReleasePlan {
    releaseName: string;
    namespace: string;
    /** The chart's name (unused for a local chart, whose path is `repo`). */
    chart: string;
    /** Where it comes from: a repository URL, an oci:// registry path or an absolute local path (releaseChart decides the rest). */
    repo: string;
    /** The chart version. */
    version: string;
    /** What the release gets. */
    values: Values;
}

/**
 * Helm 3 keeps each revision of a release in a Secret `sh.helm.release.v1.<name>.v<revision>`
 * in the release's namespace, labelled owner=helm, name=<release>, version=<revision>. Its
 * `release` key holds the release record: JSON, gzipped, base64-encoded by Helm (and again by
 * the API, like all Secret data). The record's info.first_deployed is when the release was
 * installed, carried unchanged into every later revision, so any surviving revision tells it.
 * The Pulumi Release resource's status has no such field (name, namespace, chart, version,
 * appVersion, revision, status), hence this reading of Helm's own record.
 */
export const HELM_RELEASE_LABELS = (release: string) => `owner=helm,name=${release}`;

/** One release Secret as the API returns it: its labels and its data's `release` (base64). */
export interface HelmReleaseSecret {
    labels?: Record<string, string>;
    release?: string;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** The release record in a Secret's `release` data, or undefined if it is not one. */
export function helmReleaseRecord(data: string): Record<string, any> | undefined {
    try {
        const helmEncoded = Buffer.from(data, "base64").toString("utf8");
        let bytes = Buffer.from(helmEncoded, "base64");
        if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) bytes = gunzipSync(bytes);
        const record = JSON.parse(bytes.toString("utf8"));
        return typeof record === "object" && record !== null ? record : undefined;
    } catch {
        return undefined;
    }
}

/** When the release was first deployed (ISO, UTC), from the newest readable revision; undefined without one. */
export function firstDeployedOf(secrets: HelmReleaseSecret[]): string | undefined {
    const newestFirst = [...secrets].sort((a, b) => Number(b.labels?.version ?? 0) - Number(a.labels?.version ?? 0));
    for (const secret of newestFirst) {
        const first = secret.release === undefined ? undefined : helmReleaseRecord(secret.release)?.info?.first_deployed;
        // Go writes RFC 3339 with nanoseconds; Date keeps milliseconds.
        const ms = typeof first === "string" ? Date.parse(first.replace(/(\.\d{3})\d+/, "$1")) : Number.NaN;
        if (!Number.isNaN(ms)) return new Date(ms).toISOString();
    }
    return undefined;
}
