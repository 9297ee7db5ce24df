import assert from "assert/strict";
import { VeleroIam } from "../../components/velero-iam";
import { record } from "../support/record";

describe("VeleroIam component", () => {
    it("declares the S3 policy, the role with its trust policy, and their attachment", async () => {
        const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:ListBucket"], Resource: ["arn:aws:s3:::b"] }] };
        const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity" }] };
        const { resources, byName, nameOf } = await record(() => {
            new VeleroIam("velero-iam", { roleName: "dev-velero", policyName: "dev-velero-s3", policy, trustPolicy: trust });
        });
        assert.deepEqual(
            resources.map((r) => [r.type, r.name]),
            [
                ["hopsworks-dr:index:VeleroIam", "velero-iam"],
                ["aws:iam/policy:Policy", "velero-iam-s3"],
                ["aws:iam/role:Role", "velero-iam-role"],
                ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "velero-iam-s3"],
            ],
        );
        assert.deepEqual(JSON.parse(byName("velero-iam-s3", "aws:iam/policy:Policy").inputs.policy), policy);
        const role = byName("velero-iam-role");
        assert.equal(role.inputs.name, "dev-velero");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), trust);
        const attachment = byName("velero-iam-s3", "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.deepEqual(attachment.dependencies.map(nameOf).sort(), ["velero-iam-role", "velero-iam-s3"]);
    });
});
