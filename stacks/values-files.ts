import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export type Values = Record<string, unknown>;

export interface ValuesFile {
    /** As written in config, relative to the project. */
    path: string;
    values: Values;
}

export interface ValuesFileProblem {
    index: number;
    path: string;
    message: string;
}

export function isPlainObject(value: unknown): value is Values {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads and parses each values file; every unreadable or non-mapping file is a problem. */
export function loadValuesFiles(paths: string[], projectDir: string): { files: ValuesFile[]; problems: ValuesFileProblem[] } {
    const files: ValuesFile[] = [];
    const problems: ValuesFileProblem[] = [];
    paths.forEach((file, index) => {
        const fullPath = path.resolve(projectDir, file);
        let text: string;
        try {
            text = fs.readFileSync(fullPath, "utf8");
        } catch {
            problems.push({ index, path: file, message: `cannot be read (looked for ${fullPath}); paths are relative to the project folder` });
            return;
        }
        try {
            const values = parse(text) ?? {};
            if (!isPlainObject(values)) {
                problems.push({ index, path: file, message: "must hold a YAML mapping of Helm values" });
                return;
            }
            files.push({ path: file, values });
        } catch (error) {
            problems.push({ index, path: file, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}` });
        }
    });
    return { files, problems };
}

/** Helm's merge of values files: maps merge key by key, anything else (lists too) is replaced. */
export function mergeValues(...layers: Values[]): Values {
    const result: Values = {};
    for (const layer of layers) {
        for (const [key, value] of Object.entries(layer)) {
            const current = result[key];
            result[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
        }
    }
    return result;
}

/** Every leaf of a values tree as [dotted path, value], maps descended, lists kept whole. */
export function leafPaths(values: Values, prefix = ""): [string, unknown][] {
    return Object.entries(values).flatMap(([key, value]) => {
        const at = prefix ? `${prefix}.${key}` : key;
        return isPlainObject(value) && Object.keys(value).length > 0 ? leafPaths(value, at) : [[at, value] as [string, unknown]];
    });
}

export function valueAt(values: Values, dottedPath: string): unknown {
    let node: unknown = values;
    for (const key of dottedPath.split(".")) {
        if (!isPlainObject(node)) return undefined;
        node = node[key];
    }
    return node;
}
