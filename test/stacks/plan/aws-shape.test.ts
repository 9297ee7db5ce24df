import assert from "assert/strict";
import { toPulumiShape, toS3Shape } from "../../../stacks/plan/aws-shape";

describe("S3 API shape <-> Pulumi shape", () => {
    const s3 = {
        Rules: [
            {
                ID: "r",
                Filter: {},
                NoncurrentVersionExpiration: { NoncurrentDays: 60 },
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "k" },
            },
        ],
    };
    const pulumi = {
        rules: [
            {
                id: "r",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: 60 },
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" },
            },
        ],
    };

    it("renames the manual's PascalCase fields to the provider's camelCase, acronyms included", () => {
        assert.deepEqual(toPulumiShape(s3), pulumi);
    });

    it("renames them back", () => {
        assert.deepEqual(toS3Shape(pulumi), s3);
    });
});
