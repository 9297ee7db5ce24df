import assert from "assert/strict";
import { plainSecretsIn } from "../../../stacks/config/secret-shapes";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----\n";

/** [key, value, what the scanner says]: each a credential the scanner must name (issue 18, item 5). */
const SECRETS: [key: string, value: unknown, says: string][] = [
    ["password", "minioadmin", "a key named password"],
    ["bindPassword", "s3cret", "a key named bindPassword"],
    ["password1", "s3cret", "a key named password1"],
    ["password_2", "s3cret", "a key named password_2"],
    ["password", 123456, "a key named password"],
    ["mysqlPwd", "s3cret", "a key named mysqlPwd"],
    ["DB_PWD", 42, "a key named DB_PWD"],
    ["rootPass", "s3cret", "a key named rootPass"],
    ["passphrase", "correct horse", "a key named passphrase"],
    ["secret", "s3cret", "a key named secret"],
    ["jwtSecret", "s3cret", "a key named jwtSecret"],
    ["clientSecret", "s3cret", "a key named clientSecret"],
    ["secretKey", "s3cret", "a key named secretKey"],
    ["token", "ghp_abc", "a key named token"],
    ["apiKey", "abc", "a key named apiKey"],
    ["credentials", "[default]\naws_secret_access_key=abc", "a key named credentials"],
    ["jwtSigningKey", "abc", "a key named jwtSigningKey"],
    ["privateKey", "abc", "a key named privateKey"],
    ["encryptionKey", "c2VjcmV0c2VjcmV0c2VjcmV0", "a key named encryptionKey"],
    ["extra", "AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"],
    ["tls.key", PEM, "a PEM private key"],
    ["key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==", "a PEM private key"],
    ["key", "-----BEGIN PGP PRIVATE KEY BLOCK-----", "a PEM private key"],
    ["tlsKey", Buffer.from(PEM).toString("base64"), "a base64-encoded PEM private key"],
    ["url", "postgres://hops:s3cret@db:5432/hopsworks", "a URL with a password (scheme://user:password@host)"],
    ["dsn", "mysql://root:pw@tcp(mysql:3306)/hops", "a URL with a password (scheme://user:password@host)"],
    ["endpoint", "https://admin:admin@minio:9000", "a URL with a password (scheme://user:password@host)"],
];

/** Keys and values that name or locate a credential, or merely look like one: none is flagged. */
const HARMLESS: [key: string, value: unknown][] = [
    ["secretName", "hopsfs-s3"],
    ["existingSecret", "mysql-credentials"],
    ["tlsSecret", "hopsworks-tls"],
    ["imagePullSecret", "regcred"],
    ["passwordSecretName", "ldap"],
    ["access_key_id", "access-key-id"],
    ["secret_key_id", "secret-key"],
    ["secretKeyRef", "name"],
    ["password", ""],
    ["password", null],
    ["token", true],
    ["automountServiceAccountToken", false],
    ["bypass", "yes"],
    ["key", "topology.kubernetes.io/zone"],
    ["tokenTTL", 3600],
    ["endpoint", "https://minio.example.com:9000/path"],
    ["repo", "git@github.com:org/repo.git"],
    ["url", "https://user@charts.example.com"],
    ["ca", Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64")],
    ["cert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
    ["data", "TG9yZW0gaXBzdW0gZG9sb3Igc2l0IGFtZXQ="],
];

describe("secret shapes in values files (issue 18, item 5)", () => {
    for (const [key, value, says] of SECRETS) {
        it(`flags ${key}: ${JSON.stringify(value).slice(0, 40)} as ${says}, without its value`, () => {
            const found = plainSecretsIn({ a: { [key]: value } });
            assert.deepEqual(found, [`a.${key} (${says})`]);
        });
    }

    for (const [key, value] of HARMLESS) {
        it(`does not flag ${key}: ${JSON.stringify(value).slice(0, 40)}`, () => {
            assert.deepEqual(plainSecretsIn({ a: { [key]: value } }), []);
        });
    }

    it("finds secrets in lists and names each path", () => {
        assert.deepEqual(plainSecretsIn({ env: [{ name: "X", value: "redis://:pw@cache:6379" }, { pwd: 1 }] }), [
            "env[0].value (a URL with a password (scheme://user:password@host))",
            "env[1].pwd (a key named pwd)",
        ]);
    });
});
