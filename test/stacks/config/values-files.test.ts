import assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { ConfigError } from "../../../stacks/config/reader";
import { loadValuesFiles, mergeValues, valueAt } from "../../../stacks/config/values-files";
import { minioConfig, source } from "../../support/stacks";

describe("values files", () => {
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-values-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const load = (text: string) => {
        fs.writeFileSync(path.join(tmp, "values.yaml"), text);
        return loadValuesFiles(["values.yaml"], tmp, "prod");
    };

    it("refuses !!binary, naming the file and the path, instead of rendering it as keys \"0\" to \"4\"", () => {
        const c = minioConfig();
        c.hopsworks.valuesFiles = ["values/dev.yaml", "test/fixtures/values-binary.yaml"];
        let problems: { key: string; message: string }[] = [];
        try {
            readStackConfig(source(c));
        } catch (error) {
            assert.ok(error instanceof ConfigError);
            problems = error.problems;
        }
        const problem = problems.find((p) => p.key === "hopsworks.valuesFiles[1]");
        assert.ok(problem, JSON.stringify(problems));
        assert.match(
            problem.message,
            /^hopsworks-dr:hopsworks\.valuesFiles\[1\] = "test\/fixtures\/values-binary\.yaml": uses YAML that Helm values cannot carry as written, at hopsworks\.extraConfig \(tag !!binary\): .*a !!binary value would become keys "0", "1", .* Use only the core tags \(!!str, !!int, !!float, !!bool, !!null, !!map, !!seq\) or none/,
        );
    });

    it("refuses every tag outside the core schema, a local tag, a complex key and a YAML 1.1 timestamp, each with its path", () => {
        const { files, problems } = load(
            [
                "a:",
                "  set: !!set {x, y}",
                "  omap: !!omap [{k: 1}]",
                "  when: !!timestamp 2001-12-14",
                "  local: !secret value",
                "  list: [ok, !!binary aGk=]",
                "  ? [complex, key]",
                "  : v",
                "  ? !!binary aGk=",
                "  : tagged key",
            ].join("\n"),
        );
        assert.deepEqual(files, []);
        assert.equal(problems.length, 1);
        assert.match(
            problems[0].message,
            /at a\.set \(tag !!set\), a\.omap \(tag !!omap\), a\.when \(tag !!timestamp\), a\.local \(tag !secret\), a\.list\[1\] \(tag !!binary\), a \(a key that is a list\), a\.aGk= \(its key has the tag !!binary\):/,
        );
        const v11 = load("%YAML 1.1\n---\nrelease:\n  date: 2001-12-14\n");
        assert.match(v11.problems[0].message, /at release\.date \(a timestamp\)/);
    });

    it("accepts the core tags, anchors and aliases, and reads them as before", () => {
        const { files, problems } = load("base: &b {x: !!int \"3\", y: !!str 5, z: !!bool true, n: !!null ~, f: !!float 1.5}\ncopy: *b\nlist: !!seq [1]\nmap: !!map {k: v}\n");
        assert.deepEqual(problems, []);
        assert.deepEqual(files[0].values, {
            base: { x: 3, y: "5", z: true, n: null, f: 1.5 },
            copy: { x: 3, y: "5", z: true, n: null, f: 1.5 },
            list: [1],
            map: { k: "v" },
        });
    });

    it("gives the yaml library's reason and position for a file that is not YAML, without a dangling colon (issue 21, item 12)", () => {
        const cases: [text: string, message: string][] = [
            ["a: [1\n", "is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1"],
            ['a: "x\n', 'is not valid YAML: Missing closing "quote at line 2, column 1'],
            ["a:\n  b: 1\n c: 2\n", "is not valid YAML: All mapping items must start at the same column at line 3, column 1"],
            ["\ta: 1\n", "is not valid YAML: Tabs are not allowed as indentation at line 1, column 1"],
        ];
        for (const [text, message] of cases) assert.equal(load(text).problems[0].message, message, text);
    });

    it("still reports a file that is not YAML, and one with several documents", () => {
        assert.match(load("a: [1\n").problems[0].message, /^is not valid YAML: /);
        assert.match(load("a: 1\n---\nb: 2\n").problems[0].message, /^is not valid YAML: /);
    });

    describe("prototype keys (issue 18, item 1)", () => {
        it("refuses __proto__, constructor and prototype at any depth, naming the file and every path", () => {
            const { files, problems } = load("__proto__:\n  x: 1\na:\n  b:\n    - constructor: 1\n  prototype: {}\n");
            assert.deepEqual(files, []);
            assert.equal(problems.length, 1);
            assert.equal(problems[0].path, "values.yaml");
            assert.match(problems[0].message, /^has a key JavaScript reserves at __proto__, a\.b\[0\]\.constructor, a\.prototype: .*remove it from the file$/);
        });

        it("refuses the smuggling file in the stack config, naming the values file and the path", () => {
            const c = minioConfig();
            c.hopsworks.valuesFiles = ["test/fixtures/values-proto-restore.yaml"];
            assert.throws(
                () => readStackConfig(source(c)),
                (error: unknown) =>
                    error instanceof ConfigError &&
                    error.problems.some((p) =>
                        p.message.startsWith(`hopsworks-dr:hopsworks.valuesFiles[0] = "test/fixtures/values-proto-restore.yaml": has a key JavaScript reserves at __proto__: `),
                    ),
            );
        });

        it("merges a __proto__ key as an own key, never as the merged object's prototype", () => {
            const hostile = JSON.parse('{"__proto__": {"global": {"restore": true}}}');
            const merged = mergeValues(hostile, { a: 1 });
            assert.equal(Object.getPrototypeOf(merged), Object.prototype);
            assert.equal((merged as Record<string, unknown>).global, undefined);
            assert.deepEqual(Object.keys(merged), ["__proto__", "a"]);
            assert.equal(valueAt({}, "constructor"), undefined, "an inherited property is no value");
        });
    });

    describe("confined to the project (issue 18, item 5)", () => {
        let outside: string;
        beforeEach(() => {
            outside = fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-outside-"));
            fs.writeFileSync(path.join(outside, "config"), "clusters: []\n");
        });
        afterEach(() => fs.rmSync(outside, { recursive: true, force: true }));

        const project = () => fs.realpathSync(tmp);
        const outsideFile = () => path.join(fs.realpathSync(outside), "config");

        it("refuses an absolute path and a ../ path outside the project, naming the project folder", () => {
            const { files, problems } = loadValuesFiles([path.join(outside, "config"), path.relative(tmp, path.join(outside, "config"))], tmp, "prod");
            assert.deepEqual(files, []);
            assert.deepEqual(problems.map((p) => p.index), [0, 1]);
            for (const p of problems) assert.ok(p.message.startsWith(`is outside the project folder ${project()}`), p.message);
            assert.match(problems[0].message, /a values file must be inside the project, links resolved, .*a kubeconfig, a key.*copy the values the chart needs into a file in the project$/);
        });

        it("refuses a link inside the project to a file outside it, naming where it resolves to", () => {
            fs.symlinkSync(path.join(outside, "config"), path.join(tmp, "values.yaml"));
            fs.mkdirSync(path.join(tmp, "linked"));
            fs.symlinkSync(outside, path.join(tmp, "linked", "dir"));
            const { problems } = loadValuesFiles(["values.yaml", "linked/dir/config"], tmp, "prod");
            assert.equal(problems.length, 2);
            for (const p of problems) assert.ok(p.message.startsWith(`is outside the project folder ${project()} (it resolves to ${outsideFile()}): `), p.message);
        });

        it("accepts a link inside the project to another file inside it", () => {
            fs.writeFileSync(path.join(tmp, "real.yaml"), "a: 1\n");
            fs.symlinkSync(path.join(tmp, "real.yaml"), path.join(tmp, "values.yaml"));
            assert.deepEqual(loadValuesFiles(["values.yaml", path.join(tmp, "real.yaml")], tmp, "prod").problems, []);
        });

        it("refuses hopsworks.valuesFiles naming a file outside the project, by its key and path", () => {
            const c = minioConfig();
            c.hopsworks.valuesFiles = ["values/dev.yaml", path.join(outside, "config")];
            const problems = (() => {
                try {
                    readStackConfig(source(c));
                } catch (error) {
                    return (error as ConfigError).problems;
                }
                return [];
            })();
            const problem = problems.find((p) => p.key === "hopsworks.valuesFiles[1]");
            assert.ok(problem, JSON.stringify(problems));
            assert.ok(problem.message.startsWith(`hopsworks-dr:hopsworks.valuesFiles[1] = ${JSON.stringify(path.join(outside, "config"))}: is outside the project folder `), problem.message);
        });
    });
});
