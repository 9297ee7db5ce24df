/**
 * A runbook's commands, as the drill runs them: the fenced shell lines of its "Commands" section,
 * in order, with the runbook's example names replaced by the drill's (stack, backup ID, bucket)
 * and the confirmations an operator types at a prompt given as flags.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DRILL_HOPSWORKS_VERSION } from "./env";

export const RUNBOOKS_DIR = path.resolve(__dirname, "..", "docs", "runbooks");

/** The examples the runbooks use, and what the drill puts in their place. */
export const RUNBOOK_EXAMPLES = {
    stack: "prod",
    backupId: "254811200",
    bucket: "hopsworks-prod-backups",
    veleroMain: "k8s-backups-main-20251124120012",
    veleroUsers: "k8s-backups-users-resources-20251124120013",
    /** The Hopsworks version that took the backup; the drill's is DRILL_HOPSWORKS_VERSION. */
    hopsworksVersion: "4.8.0",
} as const;

/** Every shell line of a runbook's section (by default "## Commands"), continuations joined, comments dropped. */
export function runbookCommands(markdown: string, heading = "Commands"): string[] {
    const start = markdown.indexOf(`\n## ${heading}\n`);
    if (start < 0) throw new Error(`the runbook has no ${heading} section`);
    const end = markdown.indexOf("\n## ", start + 1);
    const section = markdown.slice(start, end < 0 ? undefined : end);
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
        m[1]
            .replace(/\s*\\\n\s*/g, " ")
            .split("\n")
            .map((line) => line.replace(/\s+#.*$/, "").trim())
            .filter((line) => line !== "" && !line.startsWith("#")),
    );
}

export function readRunbook(name: string, heading?: string): string[] {
    return runbookCommands(readFileSync(path.join(RUNBOOKS_DIR, name), "utf8"), heading);
}

export interface DrillNames {
    stack: string;
    backupId: string;
    bucket: string;
    s3Endpoint: string;
    veleroBackups: { main: string; users: string };
    /** A runbook's own examples (a vault, a time) and the drill's values for them; longest first, exact text. */
    more?: Record<string, string>;
}

/**
 * The runbook line the drill runs: the drill's names for the examples (`more` first), the drill's Hopsworks version for
 * the backup's; `--yes` where `pulumi up`,
 * `refresh` or `import` would ask at a prompt; the S3 endpoint for `aws`; the project's CLI for `npx hopsworks-dr`.
 */
export function forDrill(command: string, names: DrillNames): string {
    const more = Object.entries(names.more ?? {}).sort(([a], [b]) => b.length - a.length);
    let line = more.reduce((text, [example, value]) => text.split(example).join(value), command)
        .replace(new RegExp(`(-s|--stack) ${RUNBOOK_EXAMPLES.stack}\\b`, "g"), `$1 ${names.stack}`)
        // A resource's URN names its stack: urn:pulumi:<stack>::<project>::...
        .replace(new RegExp(`\\burn:pulumi:${RUNBOOK_EXAMPLES.stack}::`, "g"), `urn:pulumi:${names.stack}::`)
        // The typed confirmations: <stack>/<backupId>.
        .replace(new RegExp(`\\b${RUNBOOK_EXAMPLES.stack}/${RUNBOOK_EXAMPLES.backupId}\\b`, "g"), `${names.stack}/${RUNBOOK_EXAMPLES.backupId}`)
        .replace(new RegExp(`\\b${RUNBOOK_EXAMPLES.backupId}\\b`, "g"), names.backupId)
        .replace(new RegExp(`\\b${RUNBOOK_EXAMPLES.bucket}\\b`, "g"), names.bucket)
        .replace(new RegExp(`\\b${RUNBOOK_EXAMPLES.veleroMain}\\b`, "g"), names.veleroBackups.main)
        .replace(new RegExp(`\\b${RUNBOOK_EXAMPLES.veleroUsers}\\b`, "g"), names.veleroBackups.users)
        .replace(new RegExp(`(--backup-version |restore\\.backupHopsworksVersion )${RUNBOOK_EXAMPLES.hopsworksVersion.replaceAll(".", "\\.")}\\b`, "g"), `$1${DRILL_HOPSWORKS_VERSION}`)
        .replace(/^npx hopsworks-dr\b/, "node cli/bin.js");
    if (/^pulumi (up|refresh|destroy|import)\b/.test(line) && !/\s--yes\b/.test(line)) line += " --yes";
    if (/^pulumi\b/.test(line)) line += " --non-interactive";
    if (/^aws\b/.test(line)) line = line.replace(/^aws\b/, `aws --endpoint-url ${names.s3Endpoint}`);
    return line;
}
