/**
 * STAND-IN for S3 replication. moto stores a bucket's replication configuration and reads it back,
 * but copies nothing (FACTS: "Object Lock and replication"). The drill's copier does what S3 does
 * for the rule the render's vault.json puts on the primary: every new object version under the
 * rule's prefix is written to the destination bucket, oldest first; delete markers are not
 * replicated unless the rule's DeleteMarkerReplication is Enabled (the stack never enables it).
 *
 * Differences from S3, named: S3 keeps the source's version IDs in the destination, moto gives
 * every PUT a new one, so the copier keeps a map of what it copied (source version ID to vault
 * version ID); S3 replicates within minutes on its own, the copier when the drill calls it.
 * Everything else the scenarios touch (both stores, Object Lock, Velero, the CLI) is real.
 */
import { GetBucketReplicationCommand, GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, ReplicationConfiguration, S3Client } from "@aws-sdk/client-s3";

export interface Store {
    endpoint: string;
    region: string;
    bucket: string;
}

export interface ReplicationPass {
    /** Versions written to the destination in this pass. */
    copied: number;
    /** Delete markers made since the last pass that the rule does not replicate. */
    deleteMarkersSkipped: number;
}

export function storeClient(store: Pick<Store, "endpoint" | "region">, keys: { accessKeyId: string; secretAccessKey: string }): S3Client {
    // The pinned SDK runs on Node 20; its notice about later releases needing Node 22 is not for the drill's output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    return new S3Client({ endpoint: store.endpoint, region: store.region, forcePathStyle: true, credentials: keys });
}

interface Version {
    key: string;
    versionId: string;
    lastModified: number;
    deleteMarker: boolean;
}

async function listVersions(client: S3Client, bucket: string, prefix: string): Promise<Version[]> {
    const versions: Version[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
        const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        for (const v of page.Versions ?? []) versions.push({ key: v.Key!, versionId: v.VersionId!, lastModified: v.LastModified!.getTime(), deleteMarker: false });
        for (const m of page.DeleteMarkers ?? []) versions.push({ key: m.Key!, versionId: m.VersionId!, lastModified: m.LastModified!.getTime(), deleteMarker: true });
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    // S3 lists a key's versions newest first, and moto's times have whole seconds: reversed, a
    // stable sort by time keeps two versions of one key written in the same second in their order.
    return versions.reverse().sort((a, b) => a.lastModified - b.lastModified);
}

/**
 * The one enabled rule of a replication configuration, as vault.json declares it: its prefix,
 * destination and delete-marker setting. (moto reads DeleteMarkerReplication back as Disabled
 * whatever was put, measured with 5.2.1: the refusal below is for a store that keeps it.)
 */
export function replicationRule(config: ReplicationConfiguration | undefined, bucket: string): { prefix: string; destination: string; deleteMarkers: boolean } {
    const rules = (config?.Rules ?? []).filter((r) => r.Status === "Enabled");
    if (rules.length !== 1) throw new Error(`the stand-in replicates one enabled rule; ${bucket} has ${rules.length}`);
    const [rule] = rules;
    return {
        prefix: rule.Filter?.Prefix ?? rule.Prefix ?? "",
        destination: rule.Destination!.Bucket!.replace(/^arn:aws[a-z-]*:s3:::/, ""),
        deleteMarkers: rule.DeleteMarkerReplication?.Status === "Enabled",
    };
}

/** The copier between one primary and one vault; `copied` maps primary version IDs to the vault's. */
export class StandInReplication {
    readonly copied = new Map<string, string>();

    constructor(
        private readonly primary: { client: S3Client; bucket: string },
        private readonly vault: { client: S3Client; bucket: string },
    ) {}

    /** One pass: copies every version not copied before, oldest first, as the primary's rule says. */
    async pass(): Promise<ReplicationPass> {
        const { ReplicationConfiguration: config } = await this.primary.client.send(new GetBucketReplicationCommand({ Bucket: this.primary.bucket }));
        const rule = replicationRule(config, this.primary.bucket);
        if (rule.destination !== this.vault.bucket) throw new Error(`the primary's rule replicates to ${rule.destination}, not to the vault ${this.vault.bucket}`);
        if (rule.deleteMarkers) throw new Error("the primary's rule replicates delete markers: a deletion would reach the vault");
        let copied = 0;
        let deleteMarkersSkipped = 0;
        for (const version of await listVersions(this.primary.client, this.primary.bucket, rule.prefix)) {
            if (this.copied.has(version.versionId)) continue;
            if (version.deleteMarker) {
                deleteMarkersSkipped++;
                this.copied.set(version.versionId, "(delete marker, not replicated)");
                continue;
            }
            const source = await this.primary.client.send(new GetObjectCommand({ Bucket: this.primary.bucket, Key: version.key, VersionId: version.versionId }));
            const body = await source.Body!.transformToByteArray();
            // A PUT into an Object Lock bucket needs a checksum (FACTS); the default retention locks it.
            const put = await this.vault.client.send(new PutObjectCommand({ Bucket: this.vault.bucket, Key: version.key, Body: body, ChecksumAlgorithm: "CRC32" }));
            this.copied.set(version.versionId, put.VersionId!);
            copied++;
        }
        return { copied, deleteMarkersSkipped };
    }
}
