/**
 * Writes storage.caCert where the AWS provider can read it (its `customCaBundle` is a file path).
 * A thin adapter for index.ts: the name and content come from stacks/plan/ca-bundle.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { CA_BUNDLE_DIR, caBundleContent, caBundleFileName } from "../stacks/plan/ca-bundle";

/** Writes the PEM under <projectDir>/.pulumi-ca/ (unless it is there already) and returns its absolute path. */
export function writeCaBundle(pem: string, projectDir: string): string {
    const file = path.join(projectDir, CA_BUNDLE_DIR, caBundleFileName(pem));
    const content = caBundleContent(pem);
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === content) return file;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed, so a provider never reads half a bundle.
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, content, { mode: 0o644 });
    fs.renameSync(partial, file);
    return file;
}
