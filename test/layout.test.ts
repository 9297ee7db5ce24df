/**
 * The layout docs/development.md describes, as rules over import statements: the core (stacks/)
 * and the CLI load no Pulumi module, each room of stacks/ imports only the rooms below it, and
 * no import cycle remains.
 */
import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { COMMANDS } from "../cli/main";
import { PROJECT_DIR } from "./support/stacks";

/** Every module a file imports: `import ... from`, `export ... from`, `import()`, `require()`, `typeof import()`. */
export function importsOf(source: string): string[] {
    const found = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);
    return [...new Set(found)];
}

function filesUnder(dir: string): string[] {
    const full = path.join(PROJECT_DIR, dir);
    return fs
        .readdirSync(full, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(dir, f))
        .sort();
}

/** The project files a file imports, as paths from the project root (packages left out). */
function localImports(file: string): string[] {
    const source = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
    return importsOf(source)
        .filter((spec) => spec.startsWith("."))
        .map((spec) => {
            const target = path.normalize(path.join(path.dirname(file), spec));
            return target.endsWith(".ts") || target.endsWith(".json") ? target : `${target}.ts`;
        });
}

/** stacks/'s rooms, each with the rooms it may import: names.ts, then catalogue, config and plan. */
const ROOMS: [string, string[]][] = [
    ["stacks/names.ts", []],
    ["stacks/catalogue/", ["stacks/names.ts", "stacks/catalogue/"]],
    ["stacks/config/", ["stacks/names.ts", "stacks/catalogue/", "stacks/config/"]],
    ["stacks/plan/", ["stacks/names.ts", "stacks/catalogue/", "stacks/config/", "stacks/plan/"]],
];

function roomOf(file: string): [string, string[]] | undefined {
    return ROOMS.find(([room]) => file === room || (room.endsWith("/") && file.startsWith(room)));
}

/** Import cycles among `files`, each as the files around it. */
export function cyclesIn(graph: Map<string, string[]>): string[][] {
    const cycles: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
        state.set(file, "open");
        stack.push(file);
        for (const next of graph.get(file) ?? []) {
            if (!graph.has(next)) continue;
            if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
            else if (!state.has(next)) visit(next);
        }
        stack.pop();
        state.set(file, "done");
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    return cycles;
}

describe("the layout (docs/development.md)", () => {
    const stacks = filesUnder("stacks");
    const cli = filesUnder("cli");

    it("finds the files it checks", () => {
        assert.ok(stacks.includes("stacks/names.ts") && stacks.some((f) => f.startsWith("stacks/plan/")), stacks.join(", "));
        assert.ok(cli.some((f) => f.startsWith("cli/commands/")) || cli.includes("cli/main.ts"), cli.join(", "));
    });

    it("keeps the Pulumi runtime out of stacks/ and cli/", () => {
        const offending = [...stacks, ...cli].flatMap((file) =>
            importsOf(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"))
                .filter((spec) => spec.startsWith("@pulumi/"))
                .map((spec) => `${file} imports ${spec}`),
        );
        assert.deepEqual(offending, []);
    });

    it("lets each room of stacks/ import only the rooms below it, and nothing outside stacks/", () => {
        const offending: string[] = [];
        for (const file of stacks) {
            const room = roomOf(file);
            if (!room) {
                offending.push(`${file} is in no room (names.ts, catalogue/, config/, plan/)`);
                continue;
            }
            for (const target of localImports(file)) {
                if (!room[1].some((allowed) => target === allowed || (allowed.endsWith("/") && target.startsWith(allowed)))) {
                    offending.push(`${file} imports ${target}`);
                }
            }
        }
        assert.deepEqual(offending, []);
    });

    it("has no import cycle in stacks/", () => {
        const graph = new Map(stacks.map((file) => [file, localImports(file)]));
        assert.deepEqual(cyclesIn(graph), []);
    });

    it("has one file per CLI command, named after it", () => {
        const files = fs.readdirSync(path.join(PROJECT_DIR, "cli", "commands")).sort();
        assert.deepEqual(files, Object.keys(COMMANDS).map((c) => `${c.replace(" ", "-")}.ts`).sort());
    });

    it("keeps the CLI off the program: no components/, program/, render/ or index.ts", () => {
        const offending = cli.flatMap((file) =>
            localImports(file)
                .filter((target) => /^(components|program|render)\//.test(target) || target === "index.ts")
                .map((target) => `${file} imports ${target}`),
        );
        assert.deepEqual(offending, []);
    });

    describe("the checks themselves", () => {
        it("read every form of import", () => {
            const source = [
                'import * as pulumi from "@pulumi/pulumi";',
                'import type { X } from "./x";',
                'export { Y } from "../y";',
                'const k = await import("@kubernetes/client-node");',
                'const m = require("./m") as typeof import("./m");',
                'import "./side-effect";',
            ].join("\n");
            assert.deepEqual(importsOf(source), ["@pulumi/pulumi", "./x", "../y", "@kubernetes/client-node", "./m", "./side-effect"]);
        });

        it("find a cycle, and none in a tree", () => {
            assert.deepEqual(cyclesIn(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])), [["a", "b", "c", "a"]]);
            assert.deepEqual(cyclesIn(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), []);
        });
    });
});
