/**
 * The README and docs/: every command they show exists (test/runbooks.test.ts's check, over every
 * page), and every CLI example is the real output of the test fixtures. A ```console block starts
 * with `$ hopsworks-dr <args>   # exit status <n>`; its other lines are what the command prints
 * (stderr, then stdout). A page's examples run in order against one fake cluster and one
 * Pulumi.prod.yaml, so `restore finish` sees what `restore plan` wrote.
 *
 * UPDATE_DOCS=1 writes the output into the pages instead of comparing.
 */
import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { JOBS, PROD_STACK_FILE, RESTORES, run, seedCatalogue, startFakeCluster } from "./cli/fake-cluster";
import { commandProblems, documentationPages } from "./support/doc-commands";
import { PROJECT_DIR } from "./support/stacks";

export interface ConsoleExample {
    argv: string[];
    exitStatus: number;
    /** The block's lines after the command, as one text with a final newline (or empty). */
    output: string;
    /** Where the block's output starts and ends in the page's text. */
    start: number;
    end: number;
}

const HEADER = /^\$ hopsworks-dr (.+?)\s+# exit status (\d+)$/;

/** The page's ```console blocks; a block that does not start with the header is an error. */
export function consoleExamples(markdown: string): ConsoleExample[] {
    const examples: ConsoleExample[] = [];
    for (const match of markdown.matchAll(/```console\n([^\n]*)\n([\s\S]*?)```/g)) {
        const header = HEADER.exec(match[1]);
        if (!header) throw new Error(`a console block that is not a CLI example: ${JSON.stringify(match[1])}`);
        const start = match.index! + "```console\n".length + match[1].length + 1;
        examples.push({ argv: header[1].trim().split(/\s+/), exitStatus: Number(header[2]), output: match[2], start, end: start + match[2].length });
    }
    return examples;
}

/** The anchors GitHub gives a page's headings: lowercase, punctuation dropped, spaces as hyphens. */
export function headingAnchors(markdown: string): string[] {
    return [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        m[1].trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-"),
    );
}

describe("the README and docs/", () => {
    const pages = documentationPages();

    it("include the references the README links to", () => {
        for (const page of ["docs/config.md", "docs/cli.md", "docs/development.md"]) assert.ok(pages.includes(page), page);
    });

    for (const page of pages) {
        it(`${page} shows only commands that exist (npm scripts, CLI commands and options, config keys)`, () => {
            assert.deepEqual(commandProblems(fs.readFileSync(path.join(PROJECT_DIR, page), "utf8")), []);
        });
    }

    it("link only to files and headings that exist", () => {
        const broken: string[] = [];
        for (const page of [...pages, "policy/README.md"]) {
            const prose = fs.readFileSync(path.join(PROJECT_DIR, page), "utf8").replace(/```[\s\S]*?```/g, "");
            for (const [, link] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(link)) continue;
                const [file, anchor] = link.split("#");
                const target = file === "" ? page : path.normalize(path.join(path.dirname(page), file));
                if (!fs.existsSync(path.join(PROJECT_DIR, target))) broken.push(`${page}: ${link} (no ${target})`);
                else if (anchor && target.endsWith(".md") && !headingAnchors(fs.readFileSync(path.join(PROJECT_DIR, target), "utf8")).includes(anchor)) {
                    broken.push(`${page}: ${link} (no such heading in ${target})`);
                }
            }
        }
        assert.deepEqual(broken, []);
    });

    describe("CLI examples", () => {
        for (const page of pages) {
            const file = path.join(PROJECT_DIR, page);
            if (consoleExamples(fs.readFileSync(file, "utf8")).length === 0) continue;

            it(`${page}: every example is the fixtures' real output`, async () => {
                const text = fs.readFileSync(file, "utf8");
                const examples = consoleExamples(text);
                const cluster = await startFakeCluster();
                try {
                    seedCatalogue(cluster);
                    // The markers of an in-place restore of 250111000, for `restore clean-markers`.
                    cluster.put(JOBS, { apiVersion: "batch/v1", kind: "Job", metadata: { name: "hopsfs-inplace-restore-250111000", namespace: "hopsworks" } });
                    cluster.put(RESTORES, { apiVersion: "velero.io/v1", kind: "Restore", metadata: { name: "k8s-backups-main", namespace: "velero" } });
                    fs.writeFileSync(path.join(cluster.dir, "Pulumi.prod.yaml"), PROD_STACK_FILE);
                    let updated = text;
                    // From the last, so the earlier offsets stay right when writing.
                    const results: Awaited<ReturnType<typeof run>>[] = [];
                    for (const example of examples) results.push(await run(cluster, example.argv));
                    for (let i = examples.length - 1; i >= 0; i--) {
                        const example = examples[i];
                        const result = results[i];
                        const output = `${result.stderr}${result.stdout}`;
                        if (process.env.UPDATE_DOCS === "1") {
                            updated = updated.slice(0, example.start) + output + updated.slice(example.end);
                            continue;
                        }
                        const shown = `hopsworks-dr ${example.argv.join(" ")}`;
                        assert.equal(result.code, example.exitStatus, `${shown}: exit status`);
                        assert.equal(output, example.output, `${shown}: output`);
                    }
                    if (process.env.UPDATE_DOCS === "1" && updated !== text) fs.writeFileSync(file, updated);
                } finally {
                    await cluster.close();
                }
            });
        }
    });

    describe("the example check itself", () => {
        it("reads the command, its exit status and its output", () => {
            const markdown = "text\n\n```console\n$ hopsworks-dr backups list --json   # exit status 0\n[]\n```\n";
            const [example] = consoleExamples(markdown);
            assert.deepEqual([example.argv, example.exitStatus, example.output], [["backups", "list", "--json"], 0, "[]\n"]);
            assert.equal(markdown.slice(example.start, example.end), "[]\n");
        });

        it("finds headings as GitHub anchors them", () => {
            assert.deepEqual(headingAnchors("# Stack config\n## `storage`: the bucket\n```sh\n# not a heading\n```\n"), ["stack-config", "storage-the-bucket"]);
        });

        it("refuses a console block that is not a CLI example", () => {
            assert.throws(() => consoleExamples("```console\nrondb: 260311000 is running\n```\n"), /not a CLI example/);
        });
    });
});
