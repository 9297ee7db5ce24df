import { Recorder, RecordedResource } from "../../render/recorder";

/** Declares resources under the engine double and returns what was registered, in declaration order. */
export async function record(declare: () => void, stack = "test"): Promise<{ resources: RecordedResource[]; byName(name: string, type?: string): RecordedResource; nameOf(urn: string): string }> {
    const recorder = new Recorder("hopsworks-dr", stack);
    await recorder.run(async () => declare());
    const resources = recorder.declared();
    return {
        resources,
        byName(name: string, type?: string) {
            const found = resources.filter((r) => r.name === name && (type === undefined || r.type === type));
            if (found.length !== 1) throw new Error(`expected one resource ${name} ${type ?? ""}, found ${found.length}`);
            return found[0];
        },
        nameOf: (urn: string) => resources.find((r) => r.urn === urn)?.name ?? urn,
    };
}

import * as pulumi from "@pulumi/pulumi";

/** A stand-in resource for a component to depend on. */
export class StubResource extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Stub", name, {});
    }
}
