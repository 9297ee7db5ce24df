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
 * A path-style S3 endpoint on 127.0.0.1 (HTTPS with `tls`) answering GetBucketVersioning and
 * GetBucketLifecycleConfiguration with the XML S3 sends, for the bucket check's adapter to read
 * through the real AWS SDK. It checks no signature; it records which access key signed.
 */
export async function startFakeS3(buckets: Record<string, FakeBucket>, tls?: { key: string; cert: string }): Promise<FakeS3> {
    const requests: FakeS3["requests"] = [];
    const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
        requests.push({ method: req.method ?? "", url: req.url ?? "", accessKeyId });
        const name = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ""));
        const bucket = buckets[name];
        if (!bucket) return error(res, 404, "NoSuchBucket", "The specified bucket does not exist", name);
        if (bucket.denied) return error(res, 403, "AccessDenied", "Access Denied.", name);
        res.setHeader("content-type", "application/xml");
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
