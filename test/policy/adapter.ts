/**
 * Turns what the offline render recorded (RecordedResource) into the arguments the policy SDK
 * gives policies, so the policies are tested on the program's own resources.
 *
 * What a real `pulumi preview --policy-pack` gives, and how this stands in for it:
 * - props: the resource's inputs (camelCase, e.g. a Release's `values`, a Secret's `stringData`).
 *   Stack policies get outputs, which for these resources repeat the inputs during a preview.
 * - secrets: the SDK hands validation policies plain values, with no marker
 *   (pulumi/pulumi-policy#241). So do we: only the resource's `additionalSecretOutputs` option
 *   tells a policy a property is secret, as in a real preview.
 * - opts: protect, ignoreChanges, deleteBeforeReplace, additionalSecretOutputs and parent as
 *   recorded; the rest empty.
 */
import type {
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { RecordedResource } from "../../render/recorder";

/** A RecordedResource, deep-copied so a test can mutate it without touching the render's result. */
export function copyOf(resources: RecordedResource[]): RecordedResource[] {
    return JSON.parse(JSON.stringify(resources));
}

function optionsOf(resource: RecordedResource): PolicyResourceOptions {
    return {
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        deleteBeforeReplace: resource.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: resource.additionalSecretOutputs,
        parent: resource.parent,
    };
}


/** The inputs, secrets as plain (here redacted) values, as validation policies get them. */
export function propsOf(resource: RecordedResource): Record<string, any> {
    return JSON.parse(JSON.stringify(resource.inputs));
}

const unsupported = (): never => {
    throw new Error("not available in the test adapter");
};

export function resourceArgs(resource: RecordedResource): ResourceValidationArgs {
    return {
        type: resource.type,
        props: propsOf(resource),
        urn: resource.urn,
        name: resource.name,
        opts: optionsOf(resource),
        stackTags: new Map(),
        isType: unsupported,
        asType: unsupported,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: unsupported,
    };
}

export function stackArgs(resources: RecordedResource[]): StackValidationArgs {
    const policyResources: PolicyResource[] = resources.map((resource) => ({
        type: resource.type,
        props: propsOf(resource),
        urn: resource.urn,
        name: resource.name,
        opts: optionsOf(resource),
        dependencies: [],
        propertyDependencies: {},
        isType: unsupported,
        asType: unsupported,
    }));
    // Parents and dependencies as the SDK links them: by URN to the same objects.
    resources.forEach((resource, i) => {
        const byUrn = (urn: string) => policyResources.find((r) => r.urn === urn);
        policyResources[i].parent = resource.parent ? byUrn(resource.parent) : undefined;
        policyResources[i].dependencies = resource.dependencies.map(byUrn).filter((r): r is PolicyResource => r !== undefined);
    });
    return {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: unsupported,
    };
}

export interface Violation {
    message: string;
    urn?: string;
}

/** Runs a resource policy over every resource, as the engine does, and collects its violations. */
export async function violationsOfResourcePolicy(policy: ResourceValidationPolicy, resources: RecordedResource[]): Promise<Violation[]> {
    const violations: Violation[] = [];
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) {
        for (const validate of validations) {
            await validate(resourceArgs(resource), (message) => violations.push({ message, urn: resource.urn }));
        }
    }
    return violations;
}

export async function violationsOfStackPolicy(policy: StackValidationPolicy, resources: RecordedResource[]): Promise<Violation[]> {
    const violations: Violation[] = [];
    await policy.validateStack(stackArgs(resources), (message, urn) => violations.push({ message, urn }));
    return violations;
}

export async function violationsOf(policy: ResourceValidationPolicy | StackValidationPolicy, resources: RecordedResource[]): Promise<Violation[]> {
    return "validateStack" in policy ? violationsOfStackPolicy(policy, resources) : violationsOfResourcePolicy(policy, resources);
}

/** The one resource of a type (and name), failing the test when there is not exactly one. */
export function only(resources: RecordedResource[], type: string, name?: string): RecordedResource {
    const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) throw new Error(`expected one ${type} ${name ?? ""}, found ${found.length}`);
    return found[0];
}
