/**
 * The stand-in S3 for `npm run bench`'s `backups recover` measurement, in a process of its own (the
 * bench runs the CLI with spawnSync, which blocks its own event loop): a bucket of RECOVER_VERSIONS
 * versions under the four backup prefixes, a fifth of them an attacker's delete markers. Writes its
 * URL to the file named by its argument, then serves until it is killed.
 */
import * as fs from "fs";
import { BACKUP_PREFIXES } from "../stacks/names";
import { FakeVersions, startFakeS3 } from "../test/support/fake-s3";

export const RECOVER_BUCKET = "hopsworks-bench-backups";
export const RECOVER_VERSIONS = 100_000;
export const RECOVER_SINCE = "2026-01-06T03:00:00Z";

/** 40,000 objects with two versions each, and a delete marker after the attack on half of each prefix's. */
export function benchVersions(): FakeVersions {
    const versions = new FakeVersions();
    const prefixes = Object.values(BACKUP_PREFIXES);
    const objects = (RECOVER_VERSIONS * 2) / 5;
    for (let i = 0; i < objects; i++) {
        const key = `${prefixes[i % prefixes.length]}${String(Math.floor(i / prefixes.length)).padStart(6, "0")}/data-${i}.bin`;
        versions.put(key, "v1", new Date("2026-01-04T10:00:00Z"));
        versions.put(key, "v2", new Date("2026-01-05T10:00:00Z"));
        if (Math.floor(i / prefixes.length) % 2 === 0) versions.mark(key, new Date("2026-01-06T04:00:00Z"));
    }
    return versions;
}

async function serve(urlFile: string): Promise<void> {
    const s3 = await startFakeS3({ [RECOVER_BUCKET]: { versioning: "Enabled", lifecycleRules: null, versions: benchVersions() } });
    // Requests are not kept: 100 pages a run, runs after runs.
    s3.requests.push = () => 0;
    fs.writeFileSync(`${urlFile}.tmp`, s3.url);
    fs.renameSync(`${urlFile}.tmp`, urlFile);
}

if (require.main === module) void serve(process.argv[2]);
