import assert from "assert/strict";
import { previewSteps } from "../../../drill/scenarios/interrupted";

// The shape of `pulumi preview --diff` (Pulumi CLI 3.248): a header per resource, its properties below.
const PREVIEW = `Previewing update (drill):
  pulumi:pulumi:Stack: (same)
    [urn=urn:pulumi:drill::hopsworks-dr::pulumi:pulumi:Stack::hopsworks-dr-drill]
    +-kubernetes:velero.io/v1:Restore: (replace)
        [id=velero/k8s-backups-main]
        [urn=urn:pulumi:drill::hopsworks-dr::hopsworks-dr:index:VeleroRestore$kubernetes:velero.io/v1:Restore::k8s-backups-main]
      ~ metadata: {
          + annotations: {
              + hopsworks-dr.io/restore-attempt: "1"
            }
            name     : "k8s-backups-main"
        }
      + spec    : {
          + backupName: "k8s-backups-main-20261206110726"
        }
    + hopsworks-dr:index:VeleroRestore: (create)
        [urn=urn:pulumi:drill::hopsworks-dr::hopsworks-dr:index:VeleroRestore::k8s-backups-users-resources]
        + kubernetes:velero.io/v1:Restore: (create)
            [urn=urn:pulumi:drill::hopsworks-dr::hopsworks-dr:index:VeleroRestore$kubernetes:velero.io/v1:Restore::k8s-backups-users-resources]
            apiVersion: "velero.io/v1"
            kind      : "Restore"
            metadata  : {
                annotations: {
                    hopsworks-dr.io/after-restore: "Completed"
                }
                name       : "k8s-backups-users-resources"
                namespace  : "velero"
            }
    ~ kubernetes:core/v1:Secret: (update)
        [id=velero/hopsworks-bsl-credentials]
Resources:
    + 2 to create
`;

describe("drill scenario interrupted", () => {
    it("reads each resource of a preview with its operation, type and first name, so a replace of the main Restore is seen", () => {
        assert.deepEqual(previewSteps(PREVIEW), [
            { type: "pulumi:pulumi:Stack", op: "same" },
            { type: "kubernetes:velero.io/v1:Restore", op: "replace", name: "k8s-backups-main" },
            { type: "hopsworks-dr:index:VeleroRestore", op: "create" },
            { type: "kubernetes:velero.io/v1:Restore", op: "create", name: "k8s-backups-users-resources" },
            { type: "kubernetes:core/v1:Secret", op: "update" },
        ]);
    });
});
