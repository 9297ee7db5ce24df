import { inspect } from "util";

/** What every rendered or printed secret is replaced with. */
export const REDACTED = "[secret]";

/**
 * How to set a secret config value, for hints: without the value as an argument, where it would
 * reach the shell history and /proc. `pulumi config set` with no value prompts for it without echo,
 * or reads it from standard input (its trailing newline dropped).
 */
export function setSecretCommand(path: string, stack: string): string {
    return `pulumi config set --secret --path ${path} -s ${stack}, which prompts for the value (or reads it from a file: append < <file>)`;
}

/**
 * A secret config value carried through the plain-data plan. It prints, serialises and
 * inspects as REDACTED, so a plan can be logged or rendered without leaking it; only a
 * component calls reveal(), and it wraps the result in pulumi.secret at once.
 */
export class SecretValue {
    readonly #value: string;

    constructor(value: string) {
        this.#value = value;
    }

    reveal(): string {
        return this.#value;
    }

    toString(): string {
        return REDACTED;
    }

    toJSON(): string {
        return REDACTED;
    }

    [inspect.custom](): string {
        return REDACTED;
    }
}
