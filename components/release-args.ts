import * as pulumi from "@pulumi/pulumi";
import { Values } from "../stacks/config/values-files";

/**
 * What the two Helm release components (Velero, Hopsworks) take, as their plans give it
 * (stacks/plan/helm-release.ts, ReleasePlan). Not a component: the one type both Args extend.
 */
export interface ReleaseArgs {
    /** The Helm release name, e.g. "velero", "hopsworks". */
    readonly releaseName: pulumi.Input<string>;
    /** The release's namespace; created if missing (Helm's --create-namespace). */
    readonly namespace: pulumi.Input<string>;
    /** The chart's name, e.g. "velero". Plain: with `repo` it decides the release's chart and repository fields. */
    readonly chart: string;
    /**
     * Where the chart comes from: an https:// or http:// repository URL, an oci:// registry path
     * (the chart name is appended) or an absolute local chart path (stacks/config/chart-source.ts). Plain, as `chart`.
     */
    readonly repo: string;
    /** The chart version. */
    readonly version: pulumi.Input<string>;
    /** The chart values. */
    readonly values: pulumi.Input<Values>;
}
