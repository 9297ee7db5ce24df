/**
 * The judgement of `backups recover`, pure and streaming: object versions go in as ListObjectVersions
 * pages arrive, one verdict per key comes out as soon as the key's last version is seen. Nothing but
 * the key being read is held, so 100,000 versions (or a whole HopsFS bucket) fit in bounded memory.
 * No SDK import: cli/s3-recover.ts adapts the S3 responses to VersionEntry.
 */

/** One version or delete marker of a key, as ListObjectVersions lists it. */
export interface VersionEntry {
    key: string;
    versionId: string;
    lastModified: Date;
    isLatest: boolean;
    deleteMarker: boolean;
    /** The version's ETag (none for a marker): the same content copied back has the same one. */
    etag?: string;
}

/** What to do about one key. */
export interface KeyVerdict {
    key: string;
    /** The delete markers to remove, newest first: the run of markers on top made at or after --since. */
    markers: string[];
    /**
     * A version made at or after --since that is (or becomes once the markers are gone) current, over
     * a version that was current before --since: the ID of that older version, to copy back.
     */
    overwrittenRestore?: string;
}

/** S3 lists keys in the byte order of their UTF-8 encoding (not JavaScript's UTF-16 order). */
function compareKeys(a: string, b: string): number {
    if (a === b) return 0;
    // Below U+D800, UTF-16 order is UTF-8 byte order: only other keys need their bytes compared.
    if (!ABOVE_SURROGATES.test(a) && !ABOVE_SURROGATES.test(b)) return a < b ? -1 : 1;
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
const ABOVE_SURROGATES = /[\uD800-\uFFFF]/;

/**
 * One page's versions and delete markers in listing order: by key, newest first. S3 interleaves
 * them in its XML; the SDK returns them as two arrays, so their order within a key is rebuilt from
 * the time (the latest first on a tie).
 */
export function pageEntries(versions: VersionEntry[], markers: VersionEntry[]): VersionEntry[] {
    return [...versions, ...markers].sort(
        (a, b) => compareKeys(a.key, b.key) || b.lastModified.getTime() - a.lastModified.getTime() || Number(b.isLatest) - Number(a.isLatest),
    );
}

type Phase = "markers" | "after" | "done";

/** What is known of the key being read. */
interface KeyState {
    key: string;
    phase: Phase;
    markers: string[];
    /** The first non-marker version made at or after --since (under the top markers, or the latest). */
    versionAfter?: VersionEntry;
    /** The entry current at --since (the newest made before it). */
    before?: VersionEntry;
}

/**
 * Reads the entries of a listing in order and calls `verdict` once per key that needs something
 * (markers to remove, or an overwrite to report), when the next key starts or at end().
 */
export class KeyScanner {
    private current?: KeyState;

    constructor(private readonly since: Date, private readonly verdict: (verdict: KeyVerdict) => void) {}

    add(entry: VersionEntry): void {
        if (this.current?.key !== entry.key) {
            this.finish();
            this.current = { key: entry.key, phase: "markers", markers: [] };
        }
        const state = this.current!;
        if (state.phase === "done") return;
        if (entry.lastModified.getTime() < this.since.getTime()) {
            state.before = entry;
            state.phase = "done";
        } else if (entry.deleteMarker && state.phase === "markers") {
            state.markers.push(entry.versionId);
        } else if (!entry.deleteMarker) {
            state.versionAfter ??= entry;
            state.phase = "after";
        }
    }

    /** The last key's verdict: call once the listing ends. */
    end(): void {
        this.finish();
    }

    private finish(): void {
        const state = this.current;
        this.current = undefined;
        if (!state) return;
        // Content equal to the version before --since (an object copied back already) is no overwrite.
        const before = state.before;
        const after = state.versionAfter;
        const restorable = after !== undefined && before !== undefined && !before.deleteMarker && (after.etag === undefined || after.etag !== before.etag);
        if (state.markers.length === 0 && !restorable) return;
        this.verdict({ key: state.key, markers: state.markers, ...(restorable ? { overwrittenRestore: before.versionId } : {}) });
    }
}
