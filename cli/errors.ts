/** A failure the operator can act on: printed as one line, no stack trace, exit status 1. */
export class CliError extends Error {
    constructor(message: string, readonly exitCode = 1) {
        super(message);
        this.name = "CliError";
    }
}

/** Where the CLI writes; tests pass buffers, the bin passes the process's streams. */
export interface CliIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    env: NodeJS.ProcessEnv;
    cwd: string;
    now: () => Date;
}
