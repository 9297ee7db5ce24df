/**
 * What a credential in a Helm values file looks like: the names of keys that hold one, and the
 * shapes of values that are one whatever their key. Values files reach the Pulumi state and the
 * pull-request comment in plain text, so such a file is refused (stacks/config/values-files.ts).
 */

/**
 * Key endings (compared lowercased, without separators or trailing digits, so `password1`,
 * `root_pass` and `DB-PWD` count) whose scalar value is a credential. A key that only names where
 * a credential is (`secretName`, `passwordSecretName`, `access_key_id`, `secretKeyRef`) ends otherwise.
 */
const SECRET_KEY_ENDINGS = [
    "password", "passwd", "passphrase", "pwd", "pass",
    "secret", "secretkey", "secretaccesskey", "accesskey", "clientsecret",
    "token", "apikey", "credential", "credentials",
    "privatekey", "signingkey", "encryptionkey", "masterkey", "hmackey",
];

/**
 * Endings that match one above but name something else: a Kubernetes Secret by its name (the
 * charts' `existingSecret`, `tlsSecret`, `imagePullSecret`) or a word that merely ends in "pass".
 */
const NOT_SECRET_ENDINGS = ["existingsecret", "tlssecret", "pullsecret", "credentialssecret", "certsecret", "casecret", "bypass", "compass"];

/** A PEM private key of any kind (RSA, EC, OpenSSH, PKCS#8, encrypted, PGP). */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
/** base64 of "-----BEGIN", as a PEM file is put into a Secret's data or a chart's `tls.key`. */
const BASE64_PEM = /^LS0tLS1CRUdJT[A-Za-z0-9+/=\s]*$/;
/** A URL or DSN with a password: scheme://user:password@host. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i;

/** Values that are credentials whatever their key, each with what it was recognised as. */
const SECRET_VALUES: [test: (value: string) => boolean, what: string][] = [
    [(v) => /\b(AKIA|ASIA)[A-Z0-9]{16}\b/.test(v), "an AWS access key ID"],
    [(v) => PEM_PRIVATE_KEY.test(v), "a PEM private key"],
    [(v) => BASE64_PEM.test(v) && PEM_PRIVATE_KEY.test(Buffer.from(v, "base64").toString("latin1")), "a base64-encoded PEM private key"],
    [(v) => URL_WITH_PASSWORD.test(v), "a URL with a password (scheme://user:password@host)"],
];

/** Whether a key's value is a credential by the key's name alone. */
export function isSecretKeyName(key: string): boolean {
    const name = key.toLowerCase().replace(/[^a-z0-9]/g, "").replace(/\d+$/, "");
    return SECRET_KEY_ENDINGS.some((e) => name.endsWith(e)) && !NOT_SECRET_ENDINGS.some((e) => name.endsWith(e));
}

/** What a string value was recognised as (an AWS key ID, a private key, a DSN with a password), or undefined. */
export function secretValueShape(value: string): string | undefined {
    return SECRET_VALUES.find(([test]) => test(value))?.[1];
}

/** A value set under a credential's key: a non-empty string, or a number (a numeric password). */
function isSetScalar(value: unknown): boolean {
    return (typeof value === "string" && value.trim() !== "") || typeof value === "number";
}

/**
 * Recognisable secrets in a values tree, as "path (why)": a non-empty string or a number under a
 * credential's key name, or a value shaped like one (secretValueShape). The value itself is never
 * part of the result.
 */
export function plainSecretsIn(values: unknown, at = ""): string[] {
    if (Array.isArray(values)) return values.flatMap((v, i) => plainSecretsIn(v, `${at}[${i}]`));
    if (typeof values === "object" && values !== null) {
        return Object.entries(values).flatMap(([key, value]) => {
            const path = at ? `${at}.${key}` : key;
            if (isSetScalar(value) && isSecretKeyName(key)) return [`${path} (a key named ${key})`];
            return plainSecretsIn(value, path);
        });
    }
    if (typeof values === "string") {
        const shape = secretValueShape(values);
        if (shape) return [`${at} (${shape})`];
    }
    return [];
}
