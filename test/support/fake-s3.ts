import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";

/** What the fake store holds for one bucket, in the S3 API's terms. */
export interface FakeBucket {
    /** GetBucketVersioning's Status; unset: versioning never enabled. */
    versioning?: "Enabled" | "Suspended";
    /** The <Rule> elements of GetBucketLifecycleConfiguration; null: NoSuchLifecycleConfiguration. */
    lifecycleRules: string[] | null;
    /** Answer every request with 403 AccessDenied. */
    denied?: boolean;
    /** Objects by key, for ListObjectsV2 and GetObject; a function is called for the body on each read. */
    objects?: Map<string, string | (() => string)>;
}

/** The keys of a bucket's objects, sorted once per bucket (S3 lists in UTF-8 binary order). */
const sortedKeys = new WeakMap<Map<string, unknown>, string[]>();

function keysOf(objects: Map<string, unknown>): string[] {
    let keys = sortedKeys.get(objects);
    if (!keys || keys.length !== objects.size) {
        keys = [...objects.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        sortedKeys.set(objects, keys);
    }
    return keys;
}

/** The first index whose key is greater than `after` (or at least `prefix` when `after` is empty). */
function firstIndex(keys: string[], bound: string, inclusive: boolean): number {
    let low = 0;
    let high = keys.length;
    while (low < high) {
        const mid = (low + high) >>> 1;
        if (keys[mid] < bound || (!inclusive && keys[mid] === bound)) low = mid + 1;
        else high = mid;
    }
    return low;
}

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * ListObjectsV2 as S3 answers it: keys under Prefix, those holding Delimiter after it rolled up into
 * CommonPrefixes, at most max-keys (1000) entries a page, the continuation token the last entry.
 */
function listObjectsV2(objects: Map<string, unknown>, params: URLSearchParams): string {
    const prefix = params.get("prefix") ?? "";
    const delimiter = params.get("delimiter") ?? "";
    const max = Math.min(Number(params.get("max-keys") ?? 1000), 1000);
    const token = params.get("continuation-token");
    const keys = keysOf(objects);
    // A token that is a common prefix skips every key under it.
    let i = token ? firstIndex(keys, token.endsWith(delimiter) && delimiter ? `${token}\uffff` : token, false) : firstIndex(keys, prefix, true);
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = "";
    let truncated = false;
    while (i < keys.length && keys[i].startsWith(prefix)) {
        if (contents.length + prefixes.length === max) {
            truncated = true;
            break;
        }
        const rest = keys[i].slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        if (cut >= 0) {
            last = prefix + rest.slice(0, cut + delimiter.length);
            prefixes.push(`<CommonPrefixes><Prefix>${escapeXml(last)}</Prefix></CommonPrefixes>`);
            i = firstIndex(keys, `${last}\uffff`, false);
        } else {
            last = keys[i];
            contents.push(`<Contents><Key>${escapeXml(last)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>`);
            i++;
        }
    }
    const next = truncated ? `<NextContinuationToken>${escapeXml(last)}</NextContinuationToken>` : "";
    return (
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${XMLNS}"><Name>bucket</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
        `<KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${max}</MaxKeys><Delimiter>${escapeXml(delimiter)}</Delimiter>` +
        `<IsTruncated>${truncated}</IsTruncated>${contents.join("")}${prefixes.join("")}${next}</ListBucketResult>`
    );
}

export interface FakeS3 {
    url: string;
    /** Each request: method, path and query, and the access key its signature names. */
    requests: { method: string; url: string; accessKeyId?: string }[];
    close(): Promise<void>;
}

const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** The manual's lifecycle rule (Cleanup section) as S3 serves it, keeping noncurrent versions `days` days. */
export function manualRuleXml(days: number): string {
    return (
        "<Rule><ID>HopsFSBlocksRetentionPolicy</ID><Filter></Filter><Status>Enabled</Status>" +
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>" +
        `<NoncurrentVersionExpiration><NoncurrentDays>${days}</NoncurrentDays></NoncurrentVersionExpiration>` +
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>"
    );
}

function error(res: http.ServerResponse, status: number, code: string, message: string, bucket: string): void {
    res.writeHead(status, { "content-type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><BucketName>${bucket}</BucketName><RequestId>fake</RequestId></Error>`);
}

/**
 * A path-style S3 endpoint on 127.0.0.1 (HTTPS with `tls`) answering GetBucketVersioning,
 * GetBucketLifecycleConfiguration, ListObjectsV2 and GetObject as S3 does, for the bucket check's adapter to read
 * through the real AWS SDK. It checks no signature; it records which access key signed.
 */
export async function startFakeS3(buckets: Record<string, FakeBucket>, tls?: { key: string; cert: string }): Promise<FakeS3> {
    const requests: FakeS3["requests"] = [];
    const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
        requests.push({ method: req.method ?? "", url: req.url ?? "", accessKeyId });
        const [name, ...rest] = url.pathname.replace(/^\/+/, "").split("/");
        const key = decodeURIComponent(rest.join("/"));
        const bucket = buckets[decodeURIComponent(name)];
        if (!bucket) return error(res, 404, "NoSuchBucket", "The specified bucket does not exist", name);
        if (bucket.denied) return error(res, 403, "AccessDenied", "Access Denied.", name);
        if (key !== "") {
            const body = bucket.objects?.get(key);
            if (body === undefined) return error(res, 404, "NoSuchKey", "The specified key does not exist.", name);
            res.setHeader("content-type", "application/json");
            return res.end(typeof body === "function" ? body() : body);
        }
        res.setHeader("content-type", "application/xml");
        if (url.searchParams.get("list-type") === "2") return res.end(listObjectsV2(bucket.objects ?? new Map(), url.searchParams));
        if (url.searchParams.has("versioning")) {
            const status = bucket.versioning ? `<Status>${bucket.versioning}</Status>` : "";
            return res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="${XMLNS}">${status}</VersioningConfiguration>`);
        }
        if (url.searchParams.has("lifecycle")) {
            if (bucket.lifecycleRules === null) return error(res, 404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", name);
            return res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="${XMLNS}">${bucket.lifecycleRules.join("")}</LifecycleConfiguration>`);
        }
        error(res, 501, "NotImplemented", "not served by the fake store", name);
    };
    const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
        requests,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
