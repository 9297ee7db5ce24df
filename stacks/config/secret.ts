import { inspect } from "util";

/** What every rendered or printed secret is replaced with. */
export const REDACTED = "[secret]";

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
