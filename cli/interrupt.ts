/**
 * What must be undone when the process is stopped while a command waits (a held stack-file lock,
 * which would otherwise be left behind and refuse the next run): undone by the bin's SIGINT and
 * SIGTERM handlers, and at exit. Light: main.ts and stack-write.ts load it.
 */

/** Each cleanup, with what it undoes as the message names it. */
const cleanups = new Map<() => void, string>();

/** Registers `cleanup` (described as `what`, e.g. "the lock Pulumi.prod.yaml.lock") until the returned function is called. */
export function undoOnInterrupt(what: string, cleanup: () => void): () => void {
    cleanups.set(cleanup, what);
    return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once; returns what they undid. */
export function runCleanups(): string[] {
    const done: string[] = [];
    for (const [cleanup, what] of [...cleanups]) {
        cleanups.delete(cleanup);
        try {
            cleanup();
            done.push(what);
        } catch {
            // Exiting anyway: the next run names a lock left behind, and takes it over once stale.
        }
    }
    return done;
}

/** Exit statuses as shells report a process killed by the signal: 128 + its number. */
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/** For the bin only (never in-process): on SIGINT or SIGTERM, undo what is registered, say so, and exit 130 or 143; at exit, undo it too. */
export function exitOnSignals(stderr: (text: string) => void): void {
    for (const [signal, code] of Object.entries(SIGNALS)) {
        process.once(signal, () => {
            const undone = runCleanups();
            stderr(`error: stopped by ${signal}${undone.length > 0 ? `; released ${undone.join(", ")}` : ""}\n`);
            process.exit(code);
        });
    }
    process.once("exit", () => runCleanups());
}
