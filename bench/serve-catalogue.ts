/**
 * node --import tsx bench/serve-catalogue.ts [points]: serves the bench's catalogue at scale on
 * 127.0.0.1 and writes a kubeconfig for it, so a command can be profiled by hand:
 *   KUBECONFIG=<printed path> node --cpu-prof cli/bin.js backups list
 * Stops on Ctrl-C.
 */
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { catalogueHandler } from "./api-server";
import { catalogueResponses } from "./bench";

const points = Number(process.argv[2] ?? 20_000);
const responses = catalogueResponses(points, new Date());
const server = http.createServer(catalogueHandler(responses));
server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port;
    const kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hopsworks-dr-catalogue-")), "kubeconfig");
    fs.writeFileSync(kubeconfig, [
        "apiVersion: v1", "kind: Config",
        `clusters: [{name: bench, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
        "users: [{name: bench, user: {token: bench}}]",
        "contexts: [{name: bench, context: {cluster: bench, user: bench}}]",
        "current-context: bench", "",
    ].join("\n"));
    console.log(`${points} restore points served; KUBECONFIG=${kubeconfig}`);
});
