/** A failure the operator can act on: printed as one line, no stack trace, exit status 1. */
export class CliError extends Error {
    constructor(message: string, readonly exitCode = 1) {
        super(message);
        this.name = "CliError";
    }
}

/** The cluster has no backup metadata ConfigMaps: no backup ran here, or it is a new cluster. */
export class MetadataMissingError extends CliError {
    constructor(message: string) {
        super(message);
        this.name = "MetadataMissingError";
    }
}

/**
 * A command line the CLI cannot run (unknown command or option, a missing or malformed option
 * value): exit status 2, followed by the usage of the command it was meant for, when known.
 */
export class UsageError extends CliError {
    constructor(message: string, readonly command?: string) {
        super(message, 2);
        this.name = "UsageError";
    }
}

/** Where the CLI writes; tests pass buffers, the bin passes the process's streams. */
export interface CliIo {
    stdout: (text: string) => void;
    /**
     * Resolves once stdout has taken what was written (the bin: when a pipe drains), so a long
     * output is written as it is read, not queued whole in memory. Unset: nothing to wait for.
     */
    stdoutDrained?: () => Promise<void>;
    stderr: (text: string) => void;
    env: NodeJS.ProcessEnv;
    cwd: string;
    now: () => Date;
}
