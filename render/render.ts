import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import * as fs from "fs";
import { configWithProjectDefaults, StackFile } from "../stacks/config/stack-file";
import { ProgramFailure, Recorder, RecordedResource, RecorderOptions } from "./recorder";
import { renderFiles, RenderedFiles } from "./files";
import { OFFLINE_RENDER_ENV } from "../stacks/names";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface RenderResult {
    files: RenderedFiles;
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    /** The program's warnings, as `pulumi preview` would show them (also in plan.txt). */
    warnings: string[];
}

/** The program refused its config (or failed): the message is for the operator, as is. */
export class RenderError extends Error {
    /** What the program had declared when it stopped. */
    constructor(message: string, readonly resources: RecordedResource[] = []) {
        super(message);
    }
}

/**
 * Evaluates the real program (index.ts) against an in-process engine double with the stack
 * file's config, and turns what it declares into files. Secure values are never decrypted:
 * the program sees REDACTED in their place, marked secret at their exact paths.
 */
export async function renderStack(stackFile: StackFile, options: RecorderOptions = {}, projectDir = PROJECT_DIR): Promise<RenderResult> {
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")).name as string;
    const config = configWithProjectDefaults(stackFile, projectDir);
    const recorder = new Recorder(project, stackFile.stack, options);
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
        stackFile.securePaths,
    );
    const program = path.join(projectDir, "index.ts");
    let outputs: Record<string, unknown>;
    try {
        // A fresh evaluation each time, as each `pulumi up` is.
        delete require.cache[require.resolve(program)];
        // Offline there is no previous deployment, unless a test supplies one.
        if (options.previousOutputs === undefined) process.env[OFFLINE_RENDER_ENV] = "1";
        outputs = await recorder.run(() => require(program));
    } catch (error) {
        const known = error instanceof pulumi.RunError || error instanceof pulumi.ResourceError || error instanceof ProgramFailure;
        throw new RenderError(known ? (error as Error).message : String((error as Error).stack ?? error), recorder.declared());
    } finally {
        delete process.env[OFFLINE_RENDER_ENV];
    }
    const resources = recorder.declared();
    const warnings = [...recorder.warnings];
    return { files: renderFiles(stackFile.stack, resources, outputs, warnings), resources, outputs, warnings };
}
