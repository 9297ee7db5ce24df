import { createHash } from "crypto";

/**
 * Where the program writes storage.caCert for the AWS provider, which trusts a private CA only
 * through `customCaBundle`, a file path (or AWS_CA_BUNDLE). Relative to the project folder;
 * ignored by git.
 */
export const CA_BUNDLE_DIR = ".pulumi-ca";

/** The PEM as written: trimmed, with one final newline. */
export function caBundleContent(pem: string): string {
    return pem.trim() + "\n";
}

/**
 * A name that depends only on the bundle's content, so every run (and every machine) names the
 * same file and the provider's settings do not change between runs.
 */
export function caBundleFileName(pem: string): string {
    return `ca-${createHash("sha256").update(caBundleContent(pem)).digest("hex").slice(0, 16)}.pem`;
}
