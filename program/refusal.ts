/**
 * How the program refuses a config: with the problems' message alone, before anything is
 * declared. A RunError prints no stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblem } from "../stacks/config/reader";

/** Runs a check that may refuse the config; a refusal ends the program with its message alone. */
export function refusing<T>(check: () => T): T {
    try {
        return check();
    } catch (error) {
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
}

/** Ends the program with every problem, when there is one. */
export function refuseProblems(problems: ConfigProblem[]): void {
    refusing(() => {
        if (problems.length > 0) throw new ConfigError(problems);
    });
}
