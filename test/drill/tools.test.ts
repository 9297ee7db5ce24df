import { strict as assert } from "assert";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { cacheDir, findTool, Tool, TOOLS, toolPath } from "../../drill/tools";
import versions from "../../drill/versions.json";

const etcd: Tool = { component: "etcd", version: "3.6.5", binaries: ["etcd"], versionArgs: ["--version"] };

function fakeBinary(dir: string, name: string, prints: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${prints}"\n`);
    chmodSync(path.join(dir, name), 0o755);
}

describe("drill tools", () => {
    let root: string;
    beforeEach(() => {
        root = mkdtempSync(path.join(os.tmpdir(), "drill-tools-"));
    });

    it("keys the cache by component and version", () => {
        assert.equal(cacheDir(etcd, "/c"), "/c/bin/etcd-3.6.5");
    });

    it("finds a tool whose every binary is in its cache folder", () => {
        fakeBinary(path.join(root, "bin", "etcd-3.6.5"), "etcd", "whatever");
        assert.deepEqual(findTool(etcd, root, ""), { tool: etcd, dir: path.join(root, "bin", "etcd-3.6.5"), from: "cache" });
    });

    it("uses a binary on PATH only when it reports exactly the pinned version", () => {
        const right = path.join(root, "right");
        const wrong = path.join(root, "wrong");
        fakeBinary(right, "etcd", "etcd Version: 3.6.5");
        fakeBinary(wrong, "etcd", "etcd Version: 3.6.50");
        assert.deepEqual(findTool(etcd, root, right), { tool: etcd, dir: right, from: "PATH" });
        assert.deepEqual(findTool(etcd, root, wrong), { tool: etcd });
        assert.deepEqual(findTool(etcd, root, `${wrong}${path.delimiter}${right}`), { tool: etcd }, "the first etcd on PATH is the one that runs");
    });

    it("never takes a version-less binary from PATH (plugins have no --version)", () => {
        const plugin = TOOLS.find((t) => t.component === "velero-plugin-for-aws")!;
        const dir = path.join(root, "p");
        fakeBinary(dir, "velero-plugin-for-aws", versions["velero-plugin-for-aws"]);
        assert.deepEqual(findTool(plugin, root, dir), { tool: plugin });
    });

    it("puts the found folders first on PATH, once each", () => {
        const found = [
            { tool: etcd, dir: "/a", from: "cache" as const },
            { tool: etcd, dir: "/a", from: "cache" as const },
            { tool: etcd, dir: "/b", from: "PATH" as const },
            { tool: etcd },
        ];
        assert.equal(toolPath(found).split(path.delimiter).slice(0, 2).join(" "), "/a /b");
    });

    it("builds each tool at drill/versions.json's version, and names each skew from what users run", () => {
        for (const tool of TOOLS) assert.equal(tool.version, (versions as Record<string, string>)[tool.component]);
        const skewed = TOOLS.filter((t) => t.skew).map((t) => t.component);
        assert.deepEqual(skewed, ["velero-plugin-for-aws", "pulumi-language-nodejs"]);
    });
});
