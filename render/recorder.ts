import * as pulumi from "@pulumi/pulumi";
import { releaseHistory } from "../program/helm-release";
import { REDACTED } from "../stacks/config/secret";

/** One resource registration, as the program sent it to the engine. */
export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    parent?: string;
    /** URNs of the resources it waits for: explicit dependsOn and those its inputs come from. */
    dependencies: string[];
    /** For each input, the URNs of the resources its value comes from. */
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    provider?: string;
    /** Its inputs, each secret replaced by REDACTED and each unknown by UNKNOWN. */
    inputs: Record<string, any>;
    /** Input paths (dotted) that held a Pulumi secret. */
    secretPaths: string[];
}

/** An error the program left unhandled; its message is the operator's, without serialisation noise. */
export class ProgramFailure extends Error {
    constructor(reason: unknown) {
        super(String(reason instanceof Error ? reason.message : reason).replace(/^(error serializing property "[^"]+": )+/, ""));
    }
}

export interface RecorderOptions {
    preview?: boolean;
    /** What the stack's previous deployment recorded, for a program that reads it. */
    previousOutputs?: Record<string, unknown>;
    /** The error the engine answers a StackReference with, in place of previousOutputs (a backend that refuses the name, say). */
    stackReferenceError?: string;
    /** Helm releases in the cluster, "namespace/name" -> first deployed (ISO): what program/helm-release.ts would read. None by default. */
    helmReleases?: Record<string, string>;
    /** The phase Velero Restores end in (default Completed). */
    restorePhase?: string;
}

/** Shown where a value exists only after deployment and the program did not get a placeholder. */
export const UNKNOWN = "<unknown until deployed>";

/** A placeholder that names the value a real deployment would fill in. */
export function knownAfterDeploy(what: string): string {
    return `<${what}: known after deployment>`;
}

/** Values the engine computes, stood in for by visible placeholders (never dropped silently). */
function computedState(type: string, name: string, inputs: Record<string, any>, restorePhase: string): Record<string, unknown> {
    switch (type) {
        case "aws:iam/role:Role":
            return { arn: knownAfterDeploy(`ARN of IAM role ${inputs.name ?? name}`) };
        case "aws:iam/policy:Policy":
            return { arn: knownAfterDeploy(`ARN of IAM policy ${inputs.name ?? name}`) };
        case "aws:s3/bucket:Bucket":
            return { arn: `arn:aws:s3:::${inputs.bucket}` };
        case "kubernetes:velero.io/v1:Restore":
            // The path where each restore completes; a failed one is tested with a RecorderOptions.restorePhase.
            return { status: { phase: restorePhase, completionTimestamp: knownAfterDeploy(`end of restore ${name}`) } };
        case "kubernetes:helm.sh/v3:Release":
            return {
                status: {
                    name: inputs.name,
                    namespace: inputs.namespace,
                    version: inputs.version,
                    revision: knownAfterDeploy(`revision of release ${inputs.name}`),
                    status: knownAfterDeploy(`status of release ${inputs.name}`),
                },
            };
        default:
            return {};
    }
}

/**
 * Runs a Pulumi program against an in-process engine double (pulumi.runtime.setMocks) and
 * records every registration with its options. The render and the component tests both
 * use it: what they see is what `pulumi up` would send to the engine.
 */
export class Recorder {
    readonly resources: RecordedResource[] = [];
    /** What the program logged with pulumi.log.warn, in order: `pulumi preview` shows the same. */
    readonly warnings: string[] = [];
    /** "type::name" in the order the program constructed them (registrations finish out of order). */
    private readonly declarationOrder: string[] = [];

    constructor(project: string, stack: string, options: RecorderOptions = {}) {
        const mocks: pulumi.runtime.Mocks = {
            newResource: (args) => {
                if (args.type === "pulumi:pulumi:StackReference") {
                    if (options.stackReferenceError !== undefined) throw new Error(options.stackReferenceError);
                    // The stack reading its own previous outputs.
                    return { id: args.inputs.name, state: { name: args.inputs.name, outputs: options.previousOutputs ?? {}, secretOutputNames: [] } };
                }
                return {
                    id: args.custom === false ? undefined : `${args.name}-id`,
                    state: { ...args.inputs, ...computedState(args.type, args.name, args.inputs, options.restorePhase ?? "Completed") },
                };
            },
            call: (args) => args.inputs,
        };
        pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false, "organization");
        // The cluster the program reads besides the engine (Helm's release records): stood in for, never reached.
        releaseHistory.firstDeployed = async (namespace, release) => {
            const firstDeployed = options.helmReleases?.[`${namespace}/${release}`];
            return firstDeployed === undefined ? {} : { firstDeployed };
        };
        const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: any, callback: any): Promise<void> };
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: any, callback: any) => {
            const record = recordOf(req);
            this.resources.push(record);
            return register(req, (err: unknown, response: any) => {
                // The URN is known only once the engine double answers.
                if (response) record.urn = response.getUrn();
                callback(err, response);
            });
        };
    }

    /**
     * Runs the program module (as `pulumi up` does: inside a root stack) and waits for every
     * registration. Like Pulumi's language host, an error the program leaves unhandled (a
     * failed apply feeding a resource) fails the run.
     */
    async run(load: () => unknown): Promise<Record<string, unknown>> {
        let fail: (reason: unknown) => void = () => {};
        const failed = new Promise<never>((_, reject) => (fail = reject));
        const onUnhandled = (reason: unknown) => fail(new ProgramFailure(reason));
        process.on("unhandledRejection", onUnhandled);
        const log = pulumi.log as { warn: typeof pulumi.log.warn };
        const warn = log.warn;
        log.warn = (message, ...rest) => {
            this.warnings.push(message);
            return warn(message, ...rest);
        };
        try {
            return await Promise.race([this.evaluate(load), failed]);
        } finally {
            process.off("unhandledRejection", onUnhandled);
            log.warn = warn;
        }
    }

    private async evaluate(load: () => unknown): Promise<Record<string, unknown>> {
        const outputs = await pulumi.runtime.runInPulumiStack(async () => {
            // Runs synchronously in each resource's constructor, so it sees the program's own order.
            pulumi.runtime.registerStackTransformation((args) => {
                this.declarationOrder.push(`${args.type}::${args.name}`);
                return undefined;
            });
            const program = load();
            // A program may export a function (sync or async) whose result is the stack's outputs.
            return typeof program === "function" ? program() : program;
        });
        await pulumi.runtime.disconnect();
        return (outputs ?? {}) as Record<string, unknown>;
    }

    /** The program's resources in declaration order, the root stack left out. */
    declared(): RecordedResource[] {
        const position = (r: RecordedResource) => {
            const at = this.declarationOrder.indexOf(`${r.type}::${r.name}`);
            // Default providers are made by the SDK, not declared: they go last.
            return at === -1 ? Number.MAX_SAFE_INTEGER : at;
        };
        return this.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").sort((a, b) => position(a) - position(b));
    }
}

function recordOf(req: any): RecordedResource {
    const secretPaths: string[] = [];
    const raw = req.getObject()?.toJavaScript() ?? {};
    return {
        type: req.getType(),
        name: req.getName(),
        urn: "",
        custom: req.getCustom(),
        parent: req.getParent() || undefined,
        dependencies: [...req.getDependenciesList()].sort(),
        propertyDependencies: propertyDependenciesOf(req),
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        deleteBeforeReplace: req.getDeletebeforereplace() === true,
        ignoreChanges: [...req.getIgnorechangesList()],
        replaceOnChanges: [...req.getReplaceonchangesList()],
        additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
        provider: req.getProvider() || undefined,
        inputs: plainValue(raw, "", secretPaths) as Record<string, any>,
        secretPaths,
    };
}

function propertyDependenciesOf(req: any): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => (result[key] = [...deps.getUrnsList()].sort()));
    return result;
}

/** Decodes the wire form of inputs, keeping secrets out: only REDACTED stands where one was. */
function plainValue(value: unknown, at: string, secretPaths: string[]): unknown {
    if (value === pulumi.runtime.unknownValue) return UNKNOWN;
    if (Array.isArray(value)) return value.map((v, i) => plainValue(v, `${at}[${i}]`, secretPaths));
    if (typeof value === "object" && value !== null) {
        const object = value as Record<string, unknown>;
        const sig = object[pulumi.runtime.specialSigKey];
        if (sig === pulumi.runtime.specialSecretSig) {
            secretPaths.push(at);
            return redactLeaves(object.value);
        }
        if (sig === pulumi.runtime.specialResourceSig) return object.urn;
        return Object.fromEntries(
            Object.entries(object).map(([k, v]) => [k, plainValue(v, at ? `${at}.${k}` : k, secretPaths)]),
        );
    }
    return value;
}

/** A secret's shape with every leaf replaced by REDACTED: keys stay readable, values do not. */
function redactLeaves(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redactLeaves);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(v)]));
    }
    return REDACTED;
}
