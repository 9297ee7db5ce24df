/**
 * Advisory: a production stack declares backup alerts. Like the other policies it reads only
 * resources: the stack's name from their URNs, and the alerts from a PrometheusRule, or a
 * ConfigMap holding a Prometheus rules file, whose rules watch Velero's last successful backup.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

export const MONITORING_TYPES = {
    prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    configMap: "kubernetes:core/v1:ConfigMap",
} as const;

/** The stacks the policy treats as production unless its config says otherwise. */
export const DEFAULT_PRODUCTION_STACKS = ["prod", "production"];

/** The metric an alert on backup recency reads (Velero's own). */
const BACKUP_RECENCY_METRIC = "velero_backup_last_successful_timestamp";

export interface ProductionStacksConfig {
    /** Stack names (exact, as in `pulumi stack ls`) that must declare backup alerts. */
    productionStacks?: string[];
}

/** The stack's name, from a resource URN (urn:pulumi:<stack>::<project>::<type>::<name>). */
export function stackNameOf(resources: PolicyResource[]): string | undefined {
    for (const resource of resources) {
        const match = /^urn:pulumi:([^:]+)::/.exec(resource.urn);
        if (match) return match[1];
    }
    return undefined;
}

const watchesBackups = (text: unknown) => typeof text === "string" && text.includes(BACKUP_RECENCY_METRIC);

/** Whether the resources declare alerts on backup recency, as a PrometheusRule or as a rules-file ConfigMap. */
export function declaresBackupAlerts(resources: PolicyResource[]): boolean {
    return resources.some((r) => {
        if (r.type === MONITORING_TYPES.prometheusRule) {
            const groups = Array.isArray(r.props.spec?.groups) ? r.props.spec.groups : [];
            return groups.some((g: any) => Array.isArray(g?.rules) && g.rules.some((rule: any) => watchesBackups(rule?.expr)));
        }
        if (r.type === MONITORING_TYPES.configMap) {
            return Object.entries(r.props.data ?? {}).some(([key, text]) => /\.rules\.ya?ml$/.test(key) && watchesBackups(text));
        }
        return false;
    });
}

export const productionStackHasBackupAlerts: StackValidationPolicy = {
    name: "production-stack-has-backup-alerts",
    description:
        "Advisory: a production stack (policy config productionStacks, default prod and production) declares backup alerts (hopsworks-dr:monitoring.enabled).",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            productionStacks: {
                type: "array",
                items: { type: "string" },
                default: DEFAULT_PRODUCTION_STACKS,
                description: "Stack names, exactly as `pulumi stack ls` shows them, that must declare backup alerts.",
            },
        },
    },
    validateStack: (args, report) => {
        const configured = args.getConfig<ProductionStacksConfig>().productionStacks;
        const production = Array.isArray(configured) ? configured : DEFAULT_PRODUCTION_STACKS;
        const stack = stackNameOf(args.resources);
        if (stack === undefined || !production.includes(stack) || declaresBackupAlerts(args.resources)) return;
        report(
            `Stack ${stack} is a production stack (policy config productionStacks: ${production.join(", ")}) and declares no backup alerts: ` +
                `no PrometheusRule or rules-file ConfigMap watches ${BACKUP_RECENCY_METRIC}, so nobody is told when backups stop. ` +
                `Turn them on with: pulumi config set --path monitoring.enabled true -s ${stack} (README, Alerts).`,
        );
    },
};
