import { chartSourceWarning } from "../config/chart-source";
import { StackConfig } from "../config/stack-config";
import { mergeValues, Values } from "../config/values-files";
import { ReleasePlan } from "./helm-release";
import { VELERO_CHART, VELERO_RELEASE } from "../names";
import { DEFAULTS } from "../config/defaults";

/** velero.repo's default: the vmware-tanzu chart repository. */
export const VELERO_REPO = DEFAULTS.veleroRepo;
/** The chart names the server's account <release>-server; the IAM trust policy names it too. */
export const VELERO_SERVICE_ACCOUNT = "velero-server";
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
/** The "nobody" group, so the Velero pod can read its projected IRSA token (velero#3138). */
export const IRSA_FS_GROUP = 65534;

export interface VeleroPlan extends ReleasePlan {
    /** The chart values, without the IRSA role annotation (see withServiceAccountRole). */
    values: Values;
    /** How Velero gets AWS access: an existing role, the role this stack creates, or none (S3 keys). */
    role: { kind: "existing"; arn: string } | { kind: "created" } | { kind: "none" };
    /** Shown by `pulumi preview` and `pulumi up`; the config is valid but may not do what was meant. */
    warnings: string[];
}

/**
 * The manual's `helm install velero` flags as values: the AWS plugin as an init container,
 * no chart-made location or secret, snapshots off. The location is this stack's own.
 */
export function planVelero(config: StackConfig): VeleroPlan {
    const { velero, storage } = config;
    const values: Values = {
        initContainers: [
            {
                name: "velero-plugin-for-aws",
                image: velero.pluginImage,
                volumeMounts: [{ mountPath: "/target", name: "plugins" }],
            },
        ],
        configuration: { backupStorageLocation: [] },
        credentials: { useSecret: false },
        snapshotsEnabled: false,
    };
    if (velero.image) {
        values.image = imageValues(velero.image);
    }
    const warnings: string[] = [];
    const sourceWarning = chartSourceWarning("velero.repo", velero.repo, VELERO_CHART);
    if (sourceWarning) warnings.push(sourceWarning);
    if (!velero.upgradeCRDs) {
        values.upgradeCRDs = false;
    } else if (velero.kubectlImageRepository || velero.kubectlImageTag) {
        const image: Values = {};
        if (velero.kubectlImageRepository) image.repository = velero.kubectlImageRepository;
        if (velero.kubectlImageTag) image.tag = velero.kubectlImageTag;
        values.kubectl = { image };
        if (!velero.kubectlImageTag) {
            warnings.push(
                `velero.kubectlImageRepository ${velero.kubectlImageRepository} has no velero.kubectlImageTag: the chart tags it with the ` +
                    `cluster's Kubernetes version, "<major>.<minor>" such as "1.34"; set velero.kubectlImageTag unless that tag exists ` +
                    `(alpine/k8s tags are like "1.34.2")`,
            );
        }
    }
    const role: VeleroPlan["role"] = storage.iamRoleArn
        ? { kind: "existing", arn: storage.iamRoleArn }
        : storage.irsa
          ? { kind: "created" }
          : { kind: "none" };
    if (role.kind !== "none") {
        values.podSecurityContext = { fsGroup: IRSA_FS_GROUP };
    }
    return {
        releaseName: VELERO_RELEASE,
        // The files' values under the stack's: the stack-owned keys were refused in them (VELERO_OWNED).
        values: mergeValues(...velero.valuesFiles.map((f) => f.values), values),
        namespace: velero.namespace,
        chart: VELERO_CHART,
        repo: velero.repo,
        version: velero.chartVersion,
        role,
        warnings,
    };
}

/** Adds the IRSA annotation to Velero's service account; the ARN may be known only after deployment. */
export function withServiceAccountRole(values: Values, roleArn: string | undefined): Values {
    if (roleArn === undefined) return values;
    // Merged, so that a values file's other serviceAccount.server values (labels, say) stay.
    return mergeValues(values, {
        serviceAccount: {
            server: { name: VELERO_SERVICE_ACCOUNT, annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } },
        },
    });
}

/** "velero/velero:v1.17.1" or "repo@sha256:..." as the chart's image.{repository, tag | digest}. */
function imageValues(image: string): Values {
    const digestAt = image.indexOf("@");
    if (digestAt >= 0) return { repository: image.slice(0, digestAt), digest: image.slice(digestAt + 1) };
    const tagAt = image.lastIndexOf(":");
    return { repository: image.slice(0, tagAt), tag: image.slice(tagAt + 1) };
}
