import assert from "assert/strict";
import { ConfigError } from "../../../stacks/config/reader";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { configSourceFromStackFile, namespaceFindings } from "../../../stacks/config/stack-file";
import { planStack } from "../../../stacks/plan/stack-plan";
import { minioConfig, PROJECT_DIR, stackFile } from "../../support/stacks";

/** minioConfig as a stack file, with `change` applied to its keys as written (namespaced), judged as the CLI and the render judge it. */
function judged(change: (config: Record<string, unknown>) => void) {
    const file = stackFile(minioConfig());
    change(file.config);
    return readStackConfig(configSourceFromStackFile(file, PROJECT_DIR));
}

describe("stack file: config namespaces", () => {
    it("refuses a namespace that is nearly hopsworks-dr, saying which key was meant", () => {
        const { problems, warnings } = namespaceFindings(["hopsworks_dr:storage", "Hopsworks-DR:backup", "hopswork-dr:velero", "hopsworks.dr:restore"]);
        assert.deepEqual(problems.map((p) => p.message), [
            `"hopsworks_dr:storage" is in namespace "hopsworks_dr", which this program does not read: did you mean "hopsworks-dr:storage"?`,
            `"Hopsworks-DR:backup" is in namespace "Hopsworks-DR", which this program does not read: did you mean "hopsworks-dr:backup"?`,
            `"hopswork-dr:velero" is in namespace "hopswork-dr", which this program does not read: did you mean "hopsworks-dr:velero"?`,
            `"hopsworks.dr:restore" is in namespace "hopsworks.dr", which this program does not read: did you mean "hopsworks-dr:restore"?`,
        ]);
        assert.deepEqual(problems.map((p) => p.key), ["hopsworks_dr:storage", "Hopsworks-DR:backup", "hopswork-dr:velero", "hopsworks.dr:restore"]);
        assert.deepEqual(warnings, []);
    });

    it("takes the providers' namespaces and Pulumi's own as they are, and warns about any other", () => {
        assert.deepEqual(namespaceFindings(["hopsworks-dr:storage", "aws:region", "kubernetes:context", "pulumi:tags"]), { problems: [], warnings: [] });
        assert.deepEqual(namespaceFindings(["random:seed"]), {
            problems: [],
            warnings: [`"random:seed": namespace "random" is none this project reads (hopsworks-dr, aws, kubernetes, pulumi), so the key is ignored`],
        });
    });

    it("in a stack file: the typo is named before the key it hides is reported missing", () => {
        const typo = (config: Record<string, unknown>) => {
            config["hopsworks_dr:storage"] = config["hopsworks-dr:storage"];
            delete config["hopsworks-dr:storage"];
        };
        assert.throws(() => judged(typo), (e: ConfigError) => {
            assert.deepEqual(e.problems.slice(0, 2).map((p) => p.message), [
                `"hopsworks_dr:storage" is in namespace "hopsworks_dr", which this program does not read: did you mean "hopsworks-dr:storage"?`,
                "hopsworks-dr:storage is required: set it in Pulumi.test.yaml",
            ]);
            return true;
        });
    });

    it("in a stack file: another namespace is a warning with the plan's, and the stack is accepted", () => {
        const plan = planStack(judged((config) => Object.assign(config, { "aws:region": "eu-north-1", "random:seed": "1" })));
        assert.deepEqual(plan.warnings.filter((w) => w.includes("namespace")), [
            `"random:seed": namespace "random" is none this project reads (hopsworks-dr, aws, kubernetes, pulumi), so the key is ignored`,
        ]);
    });
});
