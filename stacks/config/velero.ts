import { VELERO_CHART } from "../names";
import { readChartSource } from "./chart-source";
import { DEFAULTS } from "./defaults";
import { compareVersions, is, NAMESPACE_RULE, SEMVER } from "./formats";
import { LIMITS } from "./limits";
import { ConfigReader } from "./reader";
import { loadValuesFiles, valueAtOrAbove, ValuesFile } from "./values-files";

/** hopsworks-dr:velero, with every default applied. */
export interface VeleroConfig {
    /** Velero's namespace. Default: "velero". */
    namespace: string;
    /**
     * Where the chart comes from: a repository URL, an oci:// registry path, or an absolute local path
     * (stacks/config/chart-source.ts). Default: https://vmware-tanzu.github.io/helm-charts.
     */
    repo: string;
    /** The Velero chart version. Default: "11.2.0". */
    chartVersion: string;
    /** The AWS plugin's image. Default: "velero/velero-plugin-for-aws:v1.13.2". */
    pluginImage: string;
    /** Velero's own image. Default: the chart's. */
    image?: string;
    /**
     * The CRD-upgrade job's kubectl image repository. Default with a chart before 12.0.0:
     * docker.io/bitnamilegacy/kubectl; with 12.0.0 or later: unset (the chart's own).
     */
    kubectlImageRepository?: string;
    /**
     * Its tag. Default with a chart before 12.0.0 and the bitnamilegacy repository: "1.33", its
     * last (kubectl's skew policy: it works against a 1.32 to 1.34 API server); otherwise unset (the
     * chart uses the cluster's <major>.<minor>).
     */
    kubectlImageTag?: string;
    /** false: the chart runs no CRD-upgrade job (the CRDs are managed another way). Default: true. */
    upgradeCRDs: boolean;
    /** Values files merged in order under the values this stack generates; none sets a key of VELERO_OWNED. Default: none. */
    valuesFiles: ValuesFile[];
}

export const VELERO_KEYS = ["namespace", "repo", "chartVersion", "pluginImage", "image", "kubectlImageRepository", "kubectlImageTag", "upgradeCRDs", "valuesFiles"] as const;

const IRSA_OWNER = "storage.irsa and storage.iamRoleArn own (the IAM role trusts the account velero-server, which the stack annotates with the role";

/**
 * The Velero chart values this stack sets or relies on, each with the config that owns it: a
 * velero.valuesFiles file that sets one (or replaces a map above it) is refused by name.
 */
export const VELERO_OWNED: [path: string, owner: string][] = [
    ["initContainers", "velero.pluginImage owns (the AWS plugin is the stack's init container)"],
    ["configuration.backupStorageLocation", "hopsworks-dr:storage owns (this stack declares the location hopsworks-bsl itself)"],
    ["configuration.volumeSnapshotLocation", "this stack owns (volume snapshots are off: snapshotsEnabled is false)"],
    ["snapshotsEnabled", "this stack owns (volume snapshots are off)"],
    ["credentials", "storage.veleroAccessKeyId and storage.veleroSecretAccessKey (else storage.accessKeyId and storage.secretAccessKey), or IRSA, own (the location's own Secret holds Velero's keys)"],
    ["schedules", "backup.schedule owns (the Hopsworks chart makes the backup schedules)"],
    ["upgradeCRDs", "velero.upgradeCRDs owns"],
    ["kubectl", "velero.kubectlImageRepository and velero.kubectlImageTag own"],
    ["image", "velero.image owns"],
    ["serviceAccount.server.name", `${IRSA_OWNER})`],
    ["serviceAccount.server.annotations", `${IRSA_OWNER})`],
    ["podSecurityContext.fsGroup", `${IRSA_OWNER}; fsGroup 65534 lets the pod read its IRSA token)`],
];

/** Chart 11.2.0's kubectl image for its CRD-upgrade job, and the last minor it was published for. */
export const BITNAMI_KUBECTL = "docker.io/bitnamilegacy/kubectl";
export const BITNAMI_KUBECTL_LAST = "1.33";
/**
 * kubectl images with no shell (the distroless go-runner base). Chart 11.x's CRD-upgrade job runs
 * `/bin/sh -c "cp \`which sh\` /tmp && cp \`which kubectl\` /tmp"` in the kubectl image, so these fail
 * it, and the Velero release with it; chart 12.0.0 changed the job so they work (helm-charts #698, #706).
 */
export const SHELL_LESS_KUBECTL = ["registry.k8s.io/kubectl", "k8s.gcr.io/kubectl"];
/** The first chart version whose CRD-upgrade job needs no shell in the kubectl image. */
export const CHART_WITHOUT_KUBECTL_SHELL = "12.0.0";
/** An image repository without tag or digest (a registry port only before a slash). */
const IMAGE_REPOSITORY = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+(?=\/))?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const IMAGE = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;

export function readVelero(r: ConfigReader): VeleroConfig {
    const v = r.section("velero", VELERO_KEYS);
    const imageRule = (example: string) => ({
        max: LIMITS.image,
        check: is(IMAGE),
        expected: `must be an image reference with a tag or digest, e.g. ${example}`,
    });
    const upgradeCRDs = r.boolean(v, "velero.upgradeCRDs", true);
    const chartVersion = r.string(v, "velero.chartVersion", {
        default: DEFAULTS.veleroChartVersion,
        max: LIMITS.version,
        check: is(SEMVER),
        expected: `must be a chart version such as "${DEFAULTS.veleroChartVersion}"`,
    })!;
    const kubectl = readKubectlImage(r, v, upgradeCRDs, chartVersion);
    const repo = readChartSource(r, v, "velero.repo", {
        name: VELERO_CHART,
        version: chartVersion,
        login: "the Velero chart source must be reachable without a login: use a mirror that needs none, or a local chart",
    }) ?? DEFAULTS.veleroRepo;
    return {
        valuesFiles: readVeleroValuesFiles(r, v),
        namespace: r.string(v, "velero.namespace", { default: DEFAULTS.veleroNamespace, ...NAMESPACE_RULE })!,
        repo,
        chartVersion,
        pluginImage: r.string(v, "velero.pluginImage", { default: DEFAULTS.veleroPluginImage, ...imageRule(DEFAULTS.veleroPluginImage) })!,
        image: r.string(v, "velero.image", imageRule("velero/velero:v1.17.1")),
        kubectlImageRepository: kubectl.repository,
        kubectlImageTag: kubectl.tag,
        upgradeCRDs,
    };
}

/** velero.valuesFiles, read as hopsworks.valuesFiles are (in the project, no secrets), none setting a key of VELERO_OWNED. */
function readVeleroValuesFiles(r: ConfigReader, v: Record<string, unknown>): ValuesFile[] {
    const paths = r.stringList(v, "velero.valuesFiles", LIMITS.path);
    const { files, problems } = loadValuesFiles(paths, r.source.projectDir, r.source.stack);
    for (const p of problems) r.invalid(`velero.valuesFiles[${p.index}]`, p.path, p.message);
    const accepted = paths.map((path, index) => ({ path, index })).filter(({ index }) => !problems.some((p) => p.index === index));
    return files.filter((file, i) => {
        // By the path the file sets: a map replaced whole (configuration: null) is named once, with its first owner.
        const owned = new Map<string, string>();
        for (const [path, owner] of VELERO_OWNED) {
            const set = valueAtOrAbove(file.values, path);
            if (set && !owned.has(set.path)) owned.set(set.path, owner);
        }
        if (owned.size === 0) return true;
        const named = [...owned].map(([path, owner]) => `${path} (which ${owner})`);
        r.invalid(
            `velero.valuesFiles[${accepted[i].index}]`,
            file.path,
            `sets ${named.join(", ")}: this stack sets those values itself; remove them from the file and use the stack config`,
        );
        return false;
    });
}

/**
 * The CRD-upgrade job's kubectl image, with the defaults that work on Kubernetes 1.34: with a chart
 * before 12.0.0, bitnamilegacy/kubectl:1.33 (the chart's own default tag, the cluster's
 * <major>.<minor>, does not exist from 1.34 on). Refused: a tag that repository does not have,
 * and a shell-less image with a chart whose job needs a shell.
 */
function readKubectlImage(r: ConfigReader, v: Record<string, unknown>, upgradeCRDs: boolean, chartVersion: string): { repository?: string; tag?: string } {
    const repository = r.string(v, "velero.kubectlImageRepository", {
        max: LIMITS.imageRepository,
        check: is(IMAGE_REPOSITORY),
        expected: `must be an image repository without a tag or digest, e.g. "${BITNAMI_KUBECTL}" (the tag is velero.kubectlImageTag)`,
    });
    const tag = r.string(v, "velero.kubectlImageTag", {
        max: LIMITS.imageTag,
        check: is(/^[\w][\w.-]{0,127}$/),
        expected: `must be an image tag such as "${BITNAMI_KUBECTL_LAST}" (${BITNAMI_KUBECTL}) or "1.34.2" (alpine/k8s)`,
    });
    if (!upgradeCRDs) {
        for (const [key, value] of [["kubectlImageRepository", repository], ["kubectlImageTag", tag]]) {
            if (value !== undefined) {
                r.problem(`velero.${key}`, "applies only while velero.upgradeCRDs is true: the kubectl image runs only in the chart's CRD-upgrade job; remove it");
            }
        }
        return {};
    }
    const needsShell = SEMVER.test(chartVersion) && compareVersions(chartVersion, CHART_WITHOUT_KUBECTL_SHELL) < 0;
    if (repository !== undefined && needsShell && isShellLessKubectl(repository)) {
        r.invalid(
            "velero.kubectlImageRepository",
            repository,
            `has no shell, and the CRD-upgrade job of Velero chart ${chartVersion} (any chart before ${CHART_WITHOUT_KUBECTL_SHELL}) runs ` +
                "`/bin/sh -c \"cp `which sh` /tmp && cp `which kubectl` /tmp\"` in the kubectl image: the job fails, and the Velero release " +
                `with it. Take an image with /bin/sh, which and kubectl: remove velero.kubectlImageRepository and velero.kubectlImageTag for ` +
                `the default ${BITNAMI_KUBECTL}:${BITNAMI_KUBECTL_LAST} (kubectl's skew policy allows it against a Kubernetes 1.34 API), ` +
                "or give another such as alpine/k8s with a tag within one minor of the cluster's; or set velero.chartVersion " +
                `${CHART_WITHOUT_KUBECTL_SHELL} or later; or velero.upgradeCRDs: false where the Velero CRDs are upgraded another way`,
        );
    } else if (tag !== undefined && isBitnamiKubectl(repository) && kubectlTagAboveBitnami(tag)) {
        r.invalid(
            "velero.kubectlImageTag",
            tag,
            `${BITNAMI_KUBECTL}, the kubectl image of the chart's CRD-upgrade job, has no tag above ${BITNAMI_KUBECTL_LAST} ` +
                `(vmware-tanzu/helm-charts#727). Remove velero.kubectlImageTag for ${BITNAMI_KUBECTL_LAST}, which kubectl's skew policy ` +
                "allows against a Kubernetes 1.32 to 1.34 API; for a newer cluster give velero.kubectlImageRepository and " +
                "velero.kubectlImageTag of another image with /bin/sh, which and kubectl (such as alpine/k8s); or set " +
                "velero.upgradeCRDs: false where the Velero CRDs are installed and upgraded another way",
        );
    }
    if (!needsShell) return { repository, tag };
    const defaultTag = isBitnamiKubectl(repository) ? BITNAMI_KUBECTL_LAST : undefined;
    return { repository: repository ?? BITNAMI_KUBECTL, tag: tag ?? defaultTag };
}

/** A kubectl image with no shell: registry.k8s.io/kubectl and its old home. */
function isShellLessKubectl(repository: string): boolean {
    return SHELL_LESS_KUBECTL.includes(repository);
}

/** The chart's default kubectl image (chart 11.2.0), as written or as Docker Hub's short name. */
function isBitnamiKubectl(repository: string | undefined): boolean {
    return repository === undefined || repository.replace(/^(index\.)?docker\.io\//, "") === BITNAMI_KUBECTL.replace(/^docker\.io\//, "");
}

/** A version tag ("1.34", "v1.34.2", "1.34.1-debian-12-r0") whose minor is past bitnamilegacy/kubectl's last. */
function kubectlTagAboveBitnami(tag: string): boolean {
    const version = /^v?(\d+)\.(\d+)/.exec(tag);
    if (!version) return false;
    return compareVersions(`${version[1]}.${version[2]}`, BITNAMI_KUBECTL_LAST) > 0;
}
