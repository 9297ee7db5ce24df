import assert from "assert/strict";
import { renderStack, RenderError } from "../../render/render";
import { legacyBackendRefusal } from "../../program/previous-state";
import { minioConfig, stackFile } from "../support/stacks";

/** What pulumi/pulumi's pkg/backend/diy/store.go (legacyReferenceStore.ParseReference -> tokens.ParseStackName) answers. */
const LEGACY_DIY =
    "a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character '/' at position 12";

describe("the stack's reference to itself (previous-state adapter)", () => {
    it("refuses, on a DIY backend with the legacy layout, with one line that says to run pulumi state upgrade", async () => {
        await assert.rejects(
            renderStack(stackFile(minioConfig(), "prod"), { previousOutputs: {}, stackReferenceError: LEGACY_DIY }),
            (error: RenderError) => {
                assert.equal(
                    error.message,
                    "hopsworks-dr reads its previous deployment through a StackReference to organization/hopsworks-dr/prod, which this DIY " +
                        "backend refuses (\"a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character '/' at position 12\"): " +
                        "its state still has the legacy layout of Pulumi before 3.61, without projects. Run `pulumi state upgrade` " +
                        "(once per backend, with every stack's deployments finished), then run this again.",
                );
                assert.ok(!error.message.includes("\n"), "one line");
                assert.deepEqual(error.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference"), [], "nothing declared");
                return true;
            },
        );
    });

    it("passes any other failure of the reference on as it is", async () => {
        await assert.rejects(
            renderStack(stackFile(minioConfig()), { previousOutputs: {}, stackReferenceError: "unknown stack \"organization/hopsworks-dr/test\"" }),
            (error: RenderError) => {
                assert.match(error.message, /unknown stack "organization\/hopsworks-dr\/test"/);
                assert.doesNotMatch(error.message, /pulumi state upgrade/);
                return true;
            },
        );
    });

    it("recognises the legacy layout's refusal by its reason, whatever the SDK wraps around it", () => {
        const wrapped = new Error(`failed to read resource #organization/p/s 'previous-deployment' [pulumi:pulumi:StackReference]: ${LEGACY_DIY}`);
        assert.match(legacyBackendRefusal(wrapped, "organization/p/s") ?? "", /^hopsworks-dr reads its previous deployment through a StackReference to organization\/p\/s, which this DIY backend refuses/);
        assert.equal(legacyBackendRefusal(new Error("a stack name may only contain alphanumeric, hyphens, underscores, or periods"), "organization/p/s")?.includes("pulumi state upgrade"), true);
        assert.equal(legacyBackendRefusal(new Error("connection refused"), "organization/p/s"), undefined);
    });
});
