/**
 * docs/security.md and docs/runbooks/ci.md state the trust boundaries (issue 18, "Done when"): for
 * each party, what it can read and what it can destroy; the README and ci.md link the page.
 */
import assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../support/stacks";

const PARTIES = ["Pull-request code", "The preview account", "The deploy job", "Velero's credential", "The CLI's account"];

const read = (page: string) => fs.readFileSync(path.join(PROJECT_DIR, page), "utf8");

/** The rows of the page's table whose header is `| party | can read | can destroy |`, as cells. */
function boundaryRows(markdown: string): string[][] {
    const start = markdown.indexOf("| party | can read | can destroy |");
    assert.notEqual(start, -1, "no trust-boundary table");
    const lines = markdown.slice(start).split("\n");
    const end = lines.findIndex((line) => !line.startsWith("|"));
    return lines.slice(2, end).map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()));
}

describe("the trust boundaries (docs/security.md, docs/runbooks/ci.md)", () => {
    for (const page of ["docs/security.md", "docs/runbooks/ci.md"]) {
        it(`${page} says, for each party, what it can read and what it can destroy`, () => {
            const rows = boundaryRows(read(page));
            assert.deepEqual(
                rows.map((cells) => PARTIES.find((party) => cells[0].startsWith(party))),
                PARTIES,
            );
            for (const cells of rows) {
                assert.equal(cells.length, 3, cells.join(" | "));
                assert.ok(cells[1] !== "" && cells[2] !== "", cells.join(" | "));
            }
        });
    }

    it("docs/security.md has a section per party, and links the preview's permissions", () => {
        const security = read("docs/security.md");
        for (const party of PARTIES) assert.ok(security.includes(`\n## ${party}\n`), party);
        for (const file of ["runbooks/preview-role.yaml", "runbooks/preview-policy.json", "runbooks/preview-state-policy.json"]) assert.ok(security.includes(`](${file})`), file);
    });

    it("is linked from the README and ci.md", () => {
        assert.ok(read("README.md").includes("](docs/security.md)"));
        assert.ok(read("docs/runbooks/ci.md").includes("](../security.md)"));
    });
});
