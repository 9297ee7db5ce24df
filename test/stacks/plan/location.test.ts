import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { credentialsFile, planLocation } from "../../../stacks/plan/location";
import { awsConfig, minioConfig, source } from "../../support/stacks";

const config = (values: Record<string, any>) => readStackConfig(source(values));

describe("backup storage location plan", () => {
    it("points an S3-compatible store's location at its URL, path style, no checksum, with the credentials Secret", () => {
        const c = minioConfig();
        c.storage.insecureSkipTLSVerify = true;
        c.storage.caCert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        const { location, credentialsSecret } = planLocation(config(c), "ReadWrite");
        assert.deepEqual(location.spec, {
            provider: "aws",
            config: {
                region: "us-east-1",
                s3Url: "https://minio.example.com:9000",
                s3ForcePathStyle: "true",
                checksumAlgorithm: "",
                insecureSkipTLSVerify: "true",
            },
            objectStorage: {
                bucket: "hopsworks-test",
                prefix: "k8s_backup",
                caCert: Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64"),
            },
            accessMode: "ReadWrite",
            credential: { key: "cloud", name: "hopsworks-bsl-credentials" },
        });
        assert.deepEqual(credentialsSecret, {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "hopsworks-bsl-credentials", namespace: "velero" },
            type: "Opaque",
        });
    });

    it("waits for the location to be Available, for ten minutes at most", () => {
        const { location } = planLocation(config(minioConfig()), "ReadWrite");
        assert.deepEqual(location.metadata, {
            name: "hopsworks-bsl",
            namespace: "velero",
            annotations: { "pulumi.com/waitFor": "jsonpath={.status.phase}=Available", "pulumi.com/timeoutSeconds": "600" },
        });
    });

    it("gives an AWS location only its region, and no Secret", () => {
        const { location, credentialsSecret } = planLocation(config(awsConfig()), "ReadOnly");
        assert.deepEqual(location.spec, {
            provider: "aws",
            config: { region: "eu-north-1" },
            objectStorage: { bucket: "hopsworks-backups", prefix: "k8s_backup" },
            accessMode: "ReadOnly",
        });
        assert.equal(credentialsSecret, undefined);
    });

    it("is replaced, not updated, when its spec or its credentials change: the wait for Available then proves the new settings", () => {
        // Velero's status has no observedGeneration: updated in place, the location would still show the old phase.
        assert.deepEqual(planLocation(config(minioConfig()), "ReadWrite").replaceOnChanges, ["spec", 'metadata.annotations["hopsworks-dr.io/credentials-hmac-sha256"]']);
        assert.deepEqual(planLocation(config(awsConfig()), "ReadWrite").replaceOnChanges, ["spec"]);
    });

    it("adopting (storage.adoptLocation): forces the update over Helm's and kubectl's fields, and Helm keeps the location", () => {
        const c = minioConfig();
        c.storage.adoptLocation = true;
        const { location, credentialsSecret } = planLocation(config(c), "ReadWrite");
        assert.deepEqual(location.metadata.annotations, {
            "pulumi.com/waitFor": "jsonpath={.status.phase}=Available",
            "pulumi.com/timeoutSeconds": "600",
            "pulumi.com/patchForce": "true",
            "helm.sh/resource-policy": "keep",
        });
        assert.deepEqual(credentialsSecret!.metadata, { name: "hopsworks-bsl-credentials", namespace: "velero", annotations: { "pulumi.com/patchForce": "true" } });
        // Not adopting: neither annotation, on the location nor on the Secret.
        const plain = planLocation(config(minioConfig()), "ReadWrite");
        assert.ok(!("pulumi.com/patchForce" in plain.location.metadata.annotations!) && !("helm.sh/resource-policy" in plain.location.metadata.annotations!));
        assert.equal(plain.credentialsSecret!.metadata.annotations, undefined);
        const aws = awsConfig();
        aws.storage.adoptLocation = "true";
        assert.equal(planLocation(config(aws), "ReadWrite").location.metadata.annotations!["pulumi.com/patchForce"], "true");
    });

    it("writes the plugin's credentials file format", () => {
        assert.equal(credentialsFile("AK", "SK"), "[default]\naws_access_key_id=AK\naws_secret_access_key=SK\n");
    });
});
