/**
 * The whole command's deadline (--timeout) and what the command is waiting for at any moment, so
 * that a command on a sick cluster stops, and says on what. Light (no imports but errors.ts):
 * main.ts loads it for every command.
 */
import { CliError } from "./errors";

export class Deadline {
    private readonly controller = new AbortController();
    private readonly waiting = new Map<number, string>();
    private next = 0;

    constructor(
        /** The command's name, as the message says it. */
        readonly command: string,
        readonly seconds: number,
    ) {}

    /** Aborted when the deadline passes: requests in flight stop, and new ones are not sent. */
    get signal(): AbortSignal {
        return this.controller.signal;
    }

    /** Marks `what` (a request: verb, resource, namespace) as waited for, until the returned function is called. */
    waitFor(what: string): () => void {
        const id = this.next++;
        this.waiting.set(id, what);
        return () => this.waiting.delete(id);
    }

    /** What the command waits for now, oldest first. */
    waitingFor(): string[] {
        return [...this.waiting.values()];
    }

    /** The error a passed deadline ends the command with, naming what it was waiting for. */
    expired(): CliError {
        const waiting = this.waitingFor();
        return new CliError(
            `${this.command} did not finish within ${this.seconds} s (--timeout)` + (waiting.length > 0 ? `: still waiting for ${waiting.join("; ")}` : ""),
        );
    }

    /** `work`'s result, or, once the deadline passes first, the requests in flight aborted and expired() thrown. */
    async race<T>(work: Promise<T>): Promise<T> {
        let timer: NodeJS.Timeout | undefined;
        const passed = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                const error = this.expired();
                this.controller.abort(error);
                reject(error);
            }, this.seconds * 1000);
        });
        try {
            return await Promise.race([work, passed]);
        } finally {
            clearTimeout(timer);
        }
    }
}
