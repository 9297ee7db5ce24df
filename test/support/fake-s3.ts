import { createHash } from "crypto";
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
    /** Object versions and delete markers, oldest first (see FakeVersions); served by ListObjectVersions, DeleteObjects and GetObject. */
    versions?: FakeVersions;
    /** DeleteObjects denied: the whole request (403), or each object in the response's Errors, as a bucket policy does. */
    denyDelete?: "request" | "objects";
    /** ListObjectVersions never answered, as a store that hangs. */
    hang?: boolean;
    /** CopyObject denied (403), as for a caller without s3:PutObject. */
    denyCopy?: boolean;
    /** GetObject and HeadObject of `objects` denied (403), listing allowed: a caller with s3:ListBucket but not s3:GetObject. */
    denyGet?: boolean;
    /** ListObjectVersions' page size when the request gives no max-keys (S3's is 1000): small pages test paging. */
    pageSize?: number;
    /** Objects by key, for ListObjectsV2 and GetObject; a function is called for the body on each read. */
    objects?: Map<string, string | (() => string)>;
}

/** One version or delete marker of a key. */
export interface FakeVersion {
    key: string;
    versionId: string;
    lastModified: Date;
    deleteMarker: boolean;
    body: string;
}

/** S3 orders keys by their UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
    if (a === b) return 0;
    // Below U+D800, UTF-16 order is UTF-8 byte order: only other keys need their bytes compared.
    if (!ABOVE_SURROGATES.test(a) && !ABOVE_SURROGATES.test(b)) return a < b ? -1 : 1;
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
const ABOVE_SURROGATES = /[\uD800-\uFFFF]/;

/**
 * A versioned bucket's contents in S3's listing order (by key, newest first), kept sorted lazily:
 * put and mark add versions at a given time, as a writer and an attacker would.
 */
export class FakeVersions {
    private all: FakeVersion[] = [];
    private sorted?: FakeVersion[];
    private positions?: Map<string, number>;
    private next = 0;

    put(key: string, body: string, at: Date): string {
        return this.add({ key, body, lastModified: at, deleteMarker: false });
    }

    /** A delete marker, as a DELETE without a version ID adds. */
    mark(key: string, at: Date): string {
        return this.add({ key, body: "", lastModified: at, deleteMarker: true });
    }

    private add(version: Omit<FakeVersion, "versionId">): string {
        const versionId = `v${String(this.next++).padStart(8, "0")}`;
        this.all.push({ ...version, versionId });
        this.sorted = undefined;
        return versionId;
    }

    /** Every version in listing order. */
    listing(): FakeVersion[] {
        // Stable sort: within a key, later additions first (newest first).
        if (!this.sorted) {
            this.sorted = this.all.map((v, i) => ({ v, i })).sort((a, b) => compareKeys(a.v.key, b.v.key) || b.i - a.i).map(({ v }) => v);
            this.positions = undefined;
        }
        return this.sorted;
    }

    /** Where a version is in listing(), or -1: a page starts after it (an index, so 100,000 versions page quickly). */
    position(key: string, versionId: string): number {
        const listing = this.listing();
        this.positions ??= new Map(listing.map((v, i) => [`${v.key}\n${v.versionId}`, i]));
        return this.positions.get(`${key}\n${versionId}`) ?? -1;
    }

    /** Removes these versions (one pass, as DeleteObjects takes up to 1000). */
    remove(objects: { key: string; versionId: string }[]): void {
        const gone = new Set(objects.map((o) => `${o.key}\n${o.versionId}`));
        this.all = this.all.filter((v) => !gone.has(`${v.key}\n${v.versionId}`));
        this.sorted = undefined;
    }

    /** The current version of a key, or a given one; undefined when there is none or the current one is a marker. */
    get(key: string, versionId?: string): FakeVersion | undefined {
        const found = this.listing().find((v) => v.key === key && (versionId === undefined || v.versionId === versionId));
        return found && !found.deleteMarker ? found : undefined;
    }

    get size(): number {
        return this.all.length;
    }
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

/** ListObjectVersions: versions and markers interleaved in listing order, as S3 sends them. */
function listVersions(res: http.ServerResponse, name: string, versions: FakeVersions, query: URLSearchParams, pageSize: number): void {
    const prefix = query.get("prefix") ?? "";
    const keyMarker = query.get("key-marker") ?? "";
    const versionIdMarker = query.get("version-id-marker") ?? "";
    const maxKeys = Number(query.get("max-keys") ?? pageSize);
    const all = versions.listing();
    // The first entry after the markers: after the given version of the key, or after the whole key.
    let start = 0;
    const at = keyMarker !== "" && versionIdMarker !== "" ? versions.position(keyMarker, versionIdMarker) : -1;
    if (at >= 0) {
        start = at + 1;
    } else if (keyMarker !== "") {
        start = all.findIndex((v) => compareKeys(v.key, keyMarker) > 0);
        if (start < 0) start = all.length;
    }
    const items: string[] = [];
    let last: FakeVersion | undefined;
    let truncated = false;
    for (let i = start; i < all.length; i++) {
        const v = all[i];
        if (!v.key.startsWith(prefix)) continue;
        if (items.length === maxKeys) {
            truncated = true;
            break;
        }
        const isLatest = i === 0 || all[i - 1].key !== v.key;
        const common = `<Key>${escapeXml(v.key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${isLatest}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified>`;
        items.push(v.deleteMarker ? `<DeleteMarker>${common}</DeleteMarker>` : `<Version>${common}<ETag>"${createHash("md5").update(v.body).digest("hex")}"</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`);
        last = v;
    }
    const next = truncated && last ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>` : "";
    res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult xmlns="${XMLNS}"><Name>${escapeXml(name)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
            `<KeyMarker>${escapeXml(keyMarker)}</KeyMarker><VersionIdMarker>${versionIdMarker}</VersionIdMarker><MaxKeys>${maxKeys}</MaxKeys>` +
            `<IsTruncated>${truncated}</IsTruncated>${next}${items.join("")}</ListVersionsResult>`,
    );
}

/** A key of a versioned bucket: CopyObject onto it, or GetObject of its current or a given version. */
function versionedObject(req: http.IncomingMessage, res: http.ServerResponse, name: string, bucket: FakeBucket, key: string, query: URLSearchParams): void {
    const copySource = req.headers["x-amz-copy-source"];
    if (req.method === "PUT" && typeof copySource === "string") return copyObject(req, res, name, bucket, key, copySource);
    const version = bucket.versions!.get(key, query.get("versionId") ?? undefined);
    if (!version) return error(res, 404, "NoSuchKey", "The specified key does not exist.", name);
    res.setHeader("content-type", "application/octet-stream");
    res.setHeader("x-amz-version-id", version.versionId);
    res.end(version.body);
}

/** CopyObject from `<bucket>/<key>?versionId=<id>` (URL-encoded): a new current version with the source's body. */
function copyObject(req: http.IncomingMessage, res: http.ServerResponse, name: string, bucket: FakeBucket, key: string, copySource: string): void {
    req.resume();
    req.on("end", () => {
        if (bucket.denyCopy) return error(res, 403, "AccessDenied", "Access Denied", name);
        const [source, query = ""] = copySource.split("?");
        const sourceKey = decodeURIComponent(source).replace(/^\/?[^/]+\//, "");
        const versionId = new URLSearchParams(query).get("versionId") ?? undefined;
        const version = bucket.versions!.get(sourceKey, versionId);
        if (!version) return error(res, 404, "NoSuchVersion", "The specified version does not exist.", name);
        const id = bucket.versions!.put(key, version.body, new Date());
        res.setHeader("x-amz-version-id", id);
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult xmlns="${XMLNS}"><ETag>"e"</ETag><LastModified>${new Date().toISOString()}</LastModified></CopyObjectResult>`);
    });
}

function unxml(text: string): string {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** DeleteObjects: each <Object>'s version removed, or refused as denyDelete says. */
function deleteObjects(req: http.IncomingMessage, res: http.ServerResponse, name: string, bucket: FakeBucket): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
        if (bucket.denyDelete === "request") return error(res, 403, "AccessDenied", "Access Denied", name);
        const body = Buffer.concat(chunks).toString("utf8");
        const objects = [...body.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map(([, inner]) => ({
            key: unxml(/<Key>([\s\S]*?)<\/Key>/.exec(inner)?.[1] ?? ""),
            versionId: /<VersionId>([\s\S]*?)<\/VersionId>/.exec(inner)?.[1] ?? "",
        }));
        if (objects.length > 1000) return error(res, 400, "MalformedXML", "more than 1000 objects", name);
        const quiet = /<Quiet>true<\/Quiet>/.test(body);
        const results = objects.map((o) => {
            const id = `<Key>${escapeXml(o.key)}</Key><VersionId>${o.versionId}</VersionId>`;
            if (bucket.denyDelete === "objects") return `<Error>${id}<Code>AccessDenied</Code><Message>Access Denied</Message></Error>`;
            return quiet ? "" : `<Deleted>${id}</Deleted>`;
        });
        if (bucket.denyDelete !== "objects") bucket.versions!.remove(objects);
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="${XMLNS}">${results.join("")}</DeleteResult>`);
    });
}

/**
 * A path-style S3 endpoint on 127.0.0.1 (HTTPS with `tls`) answering GetBucketVersioning,
 * GetBucketLifecycleConfiguration, ListObjectsV2 and GetObject as S3 does, for the bucket check's
 * adapter to read through the real AWS SDK; and, for a bucket with `versions`, ListObjectVersions
 * (paged by max-keys, key-marker and version-id-marker), DeleteObjects with version IDs, CopyObject
 * of a version and GetObject of a version. It checks no signature; it records which access key signed.
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
        if (key !== "" && bucket.versions) return versionedObject(req, res, name, bucket, key, url.searchParams);
        if (key !== "") {
            if (bucket.denyGet) return error(res, 403, "AccessDenied", "Access Denied", name);
            const body = bucket.objects?.get(key);
            if (body === undefined) return error(res, 404, "NoSuchKey", "The specified key does not exist.", name);
            res.setHeader("content-type", "application/json");
            return res.end(typeof body === "function" ? body() : body);
        }
        res.setHeader("content-type", "application/xml");
        if (bucket.hang && url.searchParams.has("versions")) return;
        if (bucket.versions && url.searchParams.has("versions")) return listVersions(res, name, bucket.versions, url.searchParams, bucket.pageSize ?? 1000);
        if (bucket.versions && req.method === "POST" && url.searchParams.has("delete")) return deleteObjects(req, res, name, bucket);
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
