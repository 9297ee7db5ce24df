import { VELERO_CHART } from "../names";
import { readChartSource } from "./chart-source";
import { DEFAULTS } from "./defaults";
import { compareVersions, is, NAMESPACE_RULE, SEMVER } from "./formats";
import { LIMITS } from "./limits";
import { ConfigReader } from "./reader";

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
    /** The CRD-upgrade job's kubectl image repository; unset: the chart's docker.io/bitnamilegacy/kubectl. */
    kubectlImageRepository?: string;
    /** Its tag; unset: the chart uses the cluster's <major>.<minor>. */
    kubectlImageTag?: string;
    /** false: the chart runs no CRD-upgrade job (the CRDs are managed another way). Default: true. */
    upgradeCRDs: boolean;
}

export const VELERO_KEYS = ["namespace", "repo", "chartVersion", "pluginImage", "image", "kubectlImageRepository", "kubectlImageTag", "upgradeCRDs"] as const;

/** Chart 11.2.0's kubectl image for its CRD-upgrade job, and the last minor it was published for. */
export const BITNAMI_KUBECTL = "docker.io/bitnamilegacy/kubectl";
export const BITNAMI_KUBECTL_LAST = "1.33";
/** An image repository without tag or digest (a registry port only before a slash). */
const IMAGE_REPOSITORY = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+(?=\/))?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const IMAGE = /^[a-z0-9]+([._\/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;

export function readVelero(r: ConfigReader): VeleroConfig {
    const v = r.section("velero", VELERO_KEYS);
    const given = (key: string) => v[key] !== undefined && v[key] !== null;
    const imageRule = (example: string) => ({
        max: LIMITS.image,
        check: is(IMAGE),
        expected: `must be an image reference with a tag or digest, e.g. ${example}`,
    });
    const upgradeCRDs = r.boolean(v, "velero.upgradeCRDs", true);
    const kubectlImageRepository = r.string(v, "velero.kubectlImageRepository", {
        max: LIMITS.imageRepository,
        check: is(IMAGE_REPOSITORY),
        expected: `must be an image repository without a tag or digest, e.g. "registry.k8s.io/kubectl" (the tag is velero.kubectlImageTag)`,
    });
    const kubectlImageTag = r.string(v, "velero.kubectlImageTag", {
        max: LIMITS.imageTag,
        check: is(/^[\w][\w.-]{0,127}$/),
        expected: `must be an image tag such as "1.33" (docker.io/bitnamilegacy/kubectl) or "v1.34.2" (registry.k8s.io/kubectl)`,
    });
    if (!upgradeCRDs) {
        for (const key of ["kubectlImageRepository", "kubectlImageTag"]) {
            if (given(key)) {
                r.problem(`velero.${key}`, "applies only while velero.upgradeCRDs is true: the kubectl image runs only in the chart's CRD-upgrade job; remove it");
            }
        }
    } else if (kubectlImageTag !== undefined && isBitnamiKubectl(kubectlImageRepository) && kubectlTagAboveBitnami(kubectlImageTag)) {
        r.invalid(
            "velero.kubectlImageTag",
            kubectlImageTag,
            `${BITNAMI_KUBECTL}, the kubectl image of the chart's CRD-upgrade job, has no tag above ${BITNAMI_KUBECTL_LAST} ` +
                "(vmware-tanzu/helm-charts#727). Either take kubectl from another repository: velero.kubectlImageRepository " +
                `"registry.k8s.io/kubectl" with velero.kubectlImageTag such as "v1.34.2"; or set velero.upgradeCRDs: false ` +
                "where the Velero CRDs are installed and upgraded another way",
        );
    }
    const chartVersion = r.string(v, "velero.chartVersion", {
        default: DEFAULTS.veleroChartVersion,
        max: LIMITS.version,
        check: is(SEMVER),
        expected: `must be a chart version such as "${DEFAULTS.veleroChartVersion}"`,
    })!;
    const repo = readChartSource(r, v, "velero.repo", {
        name: VELERO_CHART,
        version: chartVersion,
        login: "the Velero chart source must be reachable without a login: use a mirror that needs none, or a local chart",
    }) ?? DEFAULTS.veleroRepo;
    return {
        namespace: r.string(v, "velero.namespace", { default: DEFAULTS.veleroNamespace, ...NAMESPACE_RULE })!,
        repo,
        chartVersion,
        pluginImage: r.string(v, "velero.pluginImage", { default: DEFAULTS.veleroPluginImage, ...imageRule(DEFAULTS.veleroPluginImage) })!,
        image: r.string(v, "velero.image", imageRule("velero/velero:v1.17.1")),
        kubectlImageRepository: upgradeCRDs ? kubectlImageRepository : undefined,
        kubectlImageTag: upgradeCRDs ? kubectlImageTag : undefined,
        upgradeCRDs,
    };
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
