import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { RuleGroup } from "../stacks/plan/alerts";

export interface BackupAlertsArgs {
    /**
     * `prometheus-operator` (the default): a `monitoring.coreos.com/v1` PrometheusRule, as
     * kube-prometheus-stack installs its CRD. `configmap`: a ConfigMap holding the rules file,
     * for a Prometheus that loads rule files itself. Plain: it decides which resource is declared.
     */
    readonly format?: "prometheus-operator" | "configmap";
    /** Name of the PrometheusRule or ConfigMap. Default `hopsworks-dr-alerts`. */
    readonly name?: pulumi.Input<string>;
    /** Namespace of the PrometheusRule or ConfigMap. */
    readonly namespace: pulumi.Input<string>;
    /** Its labels, e.g. the `release` label a Prometheus ruleSelector picks. Default: none. */
    readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The rule groups (stacks/plan/alerts.ts, alertRuleGroups): the PrometheusRule's spec.groups. */
    readonly groups: pulumi.Input<RuleGroup[]>;
    /** The same groups as a Prometheus rules file: the ConfigMap's data. Required with format `configmap`. */
    readonly rulesFile?: pulumi.Input<string>;
    /** The ConfigMap key of the rules file. Default `hopsworks-dr.rules.yaml`. */
    readonly rulesFileKey?: string;
}

/**
 * The backup alerts: a PrometheusRule (or a ConfigMap with the rules file) holding the rule
 * groups of stacks/plan/alerts.ts, in the namespace and with the labels the monitoring config gives.
 */
export class BackupAlerts extends pulumi.ComponentResource {
    /** The PrometheusRule or the ConfigMap. */
    readonly rules: k8s.apiextensions.CustomResource | k8s.core.v1.ConfigMap;

    constructor(name: string, args: BackupAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hopsworks-dr:index:BackupAlerts", name, {}, opts);
        const metadata = { name: args.name ?? "hopsworks-dr-alerts", namespace: args.namespace, labels: args.labels };
        // Children do not inherit the component's dependsOn: pass it on.
        const childOpts = { parent: this, dependsOn: opts?.dependsOn };
        if ((args.format ?? "prometheus-operator") === "prometheus-operator") {
            this.rules = new k8s.apiextensions.CustomResource(
                name,
                { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata, spec: { groups: args.groups } },
                childOpts,
            );
        } else {
            if (args.rulesFile === undefined) throw new Error(`BackupAlerts ${name}: format configmap needs rulesFile`);
            this.rules = new k8s.core.v1.ConfigMap(
                name,
                { metadata, data: { [args.rulesFileKey ?? "hopsworks-dr.rules.yaml"]: args.rulesFile } },
                childOpts,
            );
        }
        this.registerOutputs({ name: this.rules.metadata.name, namespace: this.rules.metadata.namespace });
    }
}
