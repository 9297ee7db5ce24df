import assert from "assert/strict";
import { readStackConfig } from "../../../stacks/config/stack-config";
import { planStack } from "../../../stacks/plan/stack-plan";
import { plainHttpWarnings } from "../../../stacks/plan/plain-http";
import { minioConfig, source } from "../../support/stacks";

const STORE = /^storage\.endpoint http:\/\/minio\.example\.com:9000 is plain http:\/\/: every backup \(Kubernetes Secrets included\) and every request signed with the store's access key ID cross the network unencrypted, .*Serve the store over https:\/\/ \(storage\.caCert for a private CA\)/;

function warningsFor(change: (c: Record<string, any>) => void): string[] {
    const c = minioConfig();
    change(c);
    return plainHttpWarnings(readStackConfig(source(c)));
}

describe("plain http:// warnings (issue 18, item 13)", () => {
    it("warns on an http:// store endpoint, in the stack plan's warnings too", () => {
        const c = minioConfig();
        c.storage.endpoint = "http://minio.example.com:9000";
        const warnings = plainHttpWarnings(readStackConfig(source(c)));
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], STORE);
        assert.ok(planStack(readStackConfig(source(c))).warnings.includes(warnings[0]));
    });

    it("warns on an http:// apiEndpoint apart from an https:// endpoint", () => {
        const warnings = warningsFor((c) => (c.storage.apiEndpoint = "http://minio.example.com:9000"));
        assert.deepEqual(warnings.map((w) => w.split(" ").slice(0, 2).join(" ")), ["storage.apiEndpoint http://minio.example.com:9000"]);
    });

    it("does not warn for https://, loopback or a cluster Service name", () => {
        for (const endpoint of ["https://minio.example.com:9000", "http://127.0.0.1:9000", "http://localhost:9000", "http://minio.minio.svc.cluster.local:9000", "http://minio.minio.svc:9000"]) {
            assert.deepEqual(warningsFor((c) => (c.storage.endpoint = endpoint)), [], endpoint);
        }
    });

    it("warns on an http:// chart repository with a login, and only with one", () => {
        const withLogin = warningsFor((c) => {
            c.hopsworks.repo = "http://charts.example.com/hopsworks";
            c.hopsworks.repoUsername = "user";
            c.hopsworks.repoPassword = "password";
        });
        assert.equal(withLogin.length, 1);
        assert.match(withLogin[0], /^hopsworks\.repo http:\/\/charts\.example\.com\/hopsworks is plain http:\/\/ and has a login: Helm sends hopsworks\.repoUsername and hopsworks\.repoPassword to it as HTTP basic auth, .*Use the repository's https:\/\/ URL$/);
        assert.ok(!withLogin[0].includes("password\""), "never the login itself");
        assert.deepEqual(warningsFor((c) => (c.hopsworks.repo = "http://charts.example.com/hopsworks")), []);
    });
});
