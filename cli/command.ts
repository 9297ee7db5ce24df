/**
 * What each command file (cli/commands/) exports, as velero's CLI does with Complete, Validate
 * and Run: its help, its options read and validated up front (a usage error before anything is
 * read or contacted), and the run with what it needs handed in.
 */
import type { Deadline } from "./deadline";
import type { CliIo } from "./errors";
import type { CommandSpec } from "./help";
import type { Cluster } from "./kube";
import type { ClusterFlags, OptionValues } from "./options";
import type { Stack } from "./stack";

/** What a command is given to run; cli/main.ts builds it, loading the cluster's client (cli/kube.ts) and the stack reader only when used. */
export interface CommandContext {
    io: CliIo;
    /** Reads Pulumi.<name>.yaml in the working directory, once. */
    readStack(name: string): Stack;
    /**
     * Reads Pulumi.<name>.yaml once, under its lock unless `lock` is false (a dry run writes
     * nothing), runs `use` and releases the lock: two runs at once cannot both read the old file.
     */
    withStack<T>(name: string, lock: boolean, use: (stack: Stack) => Promise<T>): Promise<T>;
    /** The cluster, connected once: the context from the flags, the namespaces from the flags, else the stack's, else the defaults. */
    connect(flags: ClusterFlags, stack?: Stack): Promise<Cluster>;
    /** Each request's timeout (--request-timeout), for a command that talks to something other than the cluster (S3). */
    requestSeconds: number;
    /** The command's deadline (--timeout): its signal aborts requests in flight. */
    deadline: Deadline;
}

export interface Command<Options> {
    spec: CommandSpec;
    /** The options, each checked for its form; throws a UsageError naming the first that is wrong. */
    options(values: OptionValues, now: Date): Options;
    run(options: Options, context: CommandContext): Promise<number>;
}
