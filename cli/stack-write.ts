import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliError, CliIo } from "./errors";
import { undoOnInterrupt } from "./interrupt";

/**
 * Safe edits of a stack file: one writer at a time (an exclusive <file>.lock), a check that the
 * file can be replaced before anything is shown, and a replacement in one rename, so a reader
 * (or a crash) never sees half a file.
 */

interface LockHolder {
    pid: number;
    host: string;
    since: string;
}

export interface StackLock {
    /** The lock file, as shown to the operator. */
    shown: string;
    release(): void;
}

/** Whether a process runs on this host: signal 0 checks without signalling. */
function processRuns(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it runs, as another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

function readHolder(lockFile: string): LockHolder | undefined {
    try {
        const holder = JSON.parse(fs.readFileSync(lockFile, "utf8"));
        return Number.isInteger(holder?.pid) && typeof holder.host === "string" ? holder : undefined;
    } catch {
        return undefined;
    }
}

/** A lock file older than this that cannot be read is taken to be left over from a crash between create and write. */
const UNREADABLE_LOCK_STALE_MS = 10_000;

/**
 * Takes `<file>.lock`, created with O_EXCL. A lock held by a running process (or by another host,
 * which cannot be checked) refuses the run, naming the lock file and its holder. A lock whose
 * process no longer runs is stale: it is moved aside (a rename only one contender can win) and
 * taken over, with a note.
 */
export function lockStackFile(file: string, shown: string, io: CliIo): StackLock {
    const lockFile = `${file}.lock`;
    const lockShown = `${shown}.lock`;
    const me: LockHolder = { pid: process.pid, host: os.hostname(), since: io.now().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
        let fd: number;
        try {
            fd = fs.openSync(lockFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code !== "EEXIST") {
                throw new CliError(`cannot create the lock file ${lockShown} (${code ?? (error as Error).message}); ${shown} was left unchanged`);
            }
            const holder = readHolder(lockFile);
            const stale = holder
                ? holder.host === me.host && !processRuns(holder.pid)
                : Date.now() - (statTime(lockFile) ?? Date.now()) > UNREADABLE_LOCK_STALE_MS;
            if (!stale) {
                const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : "a process that has not written its pid yet";
                throw new CliError(
                    `${shown} is locked by another hopsworks-dr (${who}): lock file ${lockShown}. ` +
                        `Run again once it has finished; if no such process runs, remove ${lockShown}. ${shown} was left unchanged`,
                );
            }
            takeOver(lockFile, holder);
            io.stderr(`note: took over the stale lock ${lockShown}${holder ? ` of pid ${holder.pid}, which no longer runs` : ""}\n`);
            continue;
        }
        try {
            fs.writeSync(fd, `${JSON.stringify(me)}\n`);
        } finally {
            fs.closeSync(fd);
        }
        const release = () => {
            forget();
            // Only our own lock: never one a later run took over after we were presumed dead.
            const holder = readHolder(lockFile);
            if (holder?.pid === me.pid && holder.host === me.host && holder.since === me.since) fs.rmSync(lockFile, { force: true });
        };
        // Ctrl-C or SIGTERM while the command waits (on the cluster) releases it too.
        const forget = undoOnInterrupt(`the lock ${lockShown}`, release);
        return { shown: lockShown, release };
    }
    throw new CliError(`cannot take the lock ${lockShown}: other runs keep taking it; ${shown} was left unchanged`);
}

function statTime(file: string): number | undefined {
    try {
        return fs.statSync(file).mtimeMs;
    } catch {
        return undefined;
    }
}

/** Moves a stale lock aside; if what was moved turns out to be a fresh lock, puts it back. */
function takeOver(lockFile: string, stale: LockHolder | undefined): void {
    const aside = `${lockFile}.stale-${process.pid}-${Date.now()}`;
    try {
        fs.renameSync(lockFile, aside);
    } catch {
        return; // Someone else moved it first; the next attempt sees what is there now.
    }
    const moved = readHolder(aside);
    if (stale && moved && (moved.pid !== stale.pid || moved.since !== stale.since)) {
        try {
            fs.linkSync(aside, lockFile);
        } catch {
            // A new lock exists already: the fresh holder's file is lost, theirs still stands.
        }
    }
    fs.rmSync(aside, { force: true });
}

/** Why `file` cannot be replaced in place, or undefined. Root passes access(2) for a read-only file, so the mode is checked too. */
function notWritable(file: string): string | undefined {
    const dir = path.dirname(file);
    try {
        fs.accessSync(file, fs.constants.W_OK);
    } catch (error) {
        return `it is not writable (${(error as NodeJS.ErrnoException).code})`;
    }
    const mode = fs.statSync(file).mode;
    if ((mode & 0o222) === 0) return `it is read-only (mode ${(mode & 0o777).toString(8).padStart(4, "0")})`;
    try {
        fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
        return `its directory ${dir} is not writable (${(error as NodeJS.ErrnoException).code}), which replacing it needs`;
    }
    return undefined;
}

/** A new version of a stack file, written beside it and not yet in place. */
export interface PreparedWrite {
    commit(): void;
    discard(): void;
}

/**
 * Writes `text` to a temporary file in the stack file's directory, with the file's mode, after
 * checking that the file can be replaced and has not changed since it was read (`expected`).
 * Nothing is shown before this succeeds; commit() renames it into place.
 */
export function prepareWrite(file: string, shown: string, expected: string, text: string): PreparedWrite {
    // A symlinked stack file is replaced at its target, and the link kept.
    const target = fs.realpathSync(file);
    const leftUnchanged = (why: string) => new CliError(`cannot write ${shown}: ${why}; it was left unchanged`);
    const problem = notWritable(target);
    if (problem) throw leftUnchanged(problem);
    if (fs.readFileSync(target, "utf8") !== expected) {
        throw leftUnchanged("it changed while this command ran (an edit outside hopsworks-dr?); run the command again");
    }
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    const discard = () => fs.rmSync(temp, { force: true });
    try {
        const fd = fs.openSync(temp, "wx", fs.statSync(target).mode & 0o777);
        try {
            fs.writeSync(fd, text);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
    } catch (error) {
        discard();
        throw leftUnchanged(`writing beside it failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return {
        commit: () => {
            try {
                fs.renameSync(temp, target);
            } catch (error) {
                discard();
                throw leftUnchanged(`replacing it failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
            }
        },
        discard,
    };
}
