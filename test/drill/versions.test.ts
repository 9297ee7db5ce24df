import { strict as assert } from "assert";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { DEFAULTS } from "../../stacks/config/defaults";
import { imageVersion, locked, pinned, unexplained, veleroChartAppVersion, VersionRow, versionRows, versionTable } from "../../drill/versions";
import versions from "../../drill/versions.json";
import { PROJECT_DIR, SHARED_DIR } from "../support/stacks";

describe("drill versions: what the drill runs against what users get", () => {
    it("pins @pulumi/kubernetes in package.json and the lockfile to the provider the drill builds", () => {
        assert.equal(pinned("@pulumi/kubernetes"), versions["pulumi-resource-kubernetes"]);
        assert.equal(locked("@pulumi/kubernetes"), versions["pulumi-resource-kubernetes"]);
    });

    it("pins @pulumi/pulumi in package.json and the lockfile to the Pulumi CLI the drill builds", () => {
        assert.equal(pinned("@pulumi/pulumi"), versions.pulumi);
        assert.equal(locked("@pulumi/pulumi"), versions.pulumi);
    });

    it("deploys velero-plugin-for-aws 1.13.x, the line for Velero 1.17, and names why the drill runs another", () => {
        assert.match(imageVersion(DEFAULTS.veleroPluginImage), /^1\.13\.\d+$/);
        const row = versionRows().find((r) => r.component === "velero-plugin-for-aws")!;
        assert.equal(row.drill, versions["velero-plugin-for-aws"]);
        if (row.users !== row.drill) assert.match(row.difference ?? "", /Unproven/);
    });

    it("deploys, through the chart's default image, the Velero the drill builds", function () {
        assert.equal(veleroChartAppVersion(), versions.velero);
        const upstream = path.join(SHARED_DIR, "upstream", "velero", "chart");
        if (!existsSync(upstream)) {
            console.log(`      skipped the upstream comparison: ${upstream} is absent (a user's clone has no ../shared)`);
            return;
        }
        const chart = parse(readFileSync(path.join(upstream, "Chart.yaml"), "utf8"));
        const values = parse(readFileSync(path.join(upstream, "values.yaml"), "utf8"));
        assert.equal(chart.version, DEFAULTS.veleroChartVersion);
        assert.equal(chart.appVersion, veleroChartAppVersion(), "the stand-in chart's appVersion is the real chart's");
        assert.equal(values.image.tag, `v${versions.velero}`);
    });

    it("explains every row whose versions differ", () => {
        assert.deepEqual(unexplained(versionRows()), []);
        const probe: VersionRow[] = [{ component: "x", users: "1.0", drill: "2.0" }];
        assert.deepEqual(unexplained(probe), probe, "a bare difference is caught");
    });

    it("README's version table is the one the drill reports", () => {
        // The table sits in a list item, indented.
        const readme = readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8").replace(/^ +\|/gm, "|");
        assert.ok(readme.includes(versionTable(versionRows())), "README.md's version table is stale: paste versionTable(versionRows()) from drill/versions.ts");
    });
});
