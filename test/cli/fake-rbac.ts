/**
 * RBAC for the stand-in API server (fake-cluster.ts): Roles read from a YAML file (docs/cli-rbac.yaml),
 * and the authorizer the real API server applies to a namespaced request, so a test can show the
 * CLI works with exactly those Roles, and which command a missing rule breaks.
 */
import { parseAllDocuments } from "yaml";

export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
}

export interface Role {
    name: string;
    namespace: string;
    rules: PolicyRule[];
}

/** A namespaced request as the authorizer sees it: verb, API group ("" for the core group), resource, namespace, name. */
export interface ResourceRequest {
    verb: string;
    apiGroup: string;
    resource: string;
    namespace: string;
    name?: string;
}

/** Every `kind: Role` in a multi-document YAML file; other kinds (RoleBindings) are skipped. */
export function readRoles(text: string): Role[] {
    const roles: Role[] = [];
    for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
        const object = doc.toJS();
        if (object?.kind !== "Role") continue;
        if (object.apiVersion !== "rbac.authorization.k8s.io/v1") throw new Error(`Role ${object.metadata?.name}: apiVersion ${object.apiVersion}`);
        const { name, namespace } = object.metadata ?? {};
        if (typeof name !== "string" || typeof namespace !== "string") throw new Error("a Role without metadata.name and metadata.namespace");
        roles.push({ name, namespace, rules: object.rules ?? [] });
    }
    return roles;
}

/** The request an API path and method make: GET on an object is get, on a collection list; DELETE delete (or deletecollection). */
export function resourceRequest(method: string, pathname: string): ResourceRequest | undefined {
    const match = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(pathname);
    if (!match) return undefined;
    const [, group, namespace, resource, name] = match;
    const verbs: Record<string, [string, string]> = { GET: ["get", "list"], DELETE: ["delete", "deletecollection"], PUT: ["update", "update"], PATCH: ["patch", "patch"], POST: ["create", "create"] };
    const [one, many] = verbs[method] ?? [method.toLowerCase(), method.toLowerCase()];
    return { verb: name ? one : many, apiGroup: group ?? "", resource, namespace, ...(name ? { name } : {}) };
}

const covers = (listed: string[] | undefined, value: string) => (listed ?? []).includes("*") || (listed ?? []).includes(value);

/** Whether a Role in the request's namespace grants it (RBAC only adds: no rule, no access). */
export function allows(roles: Role[], request: ResourceRequest): boolean {
    return roles.some(
        (role) =>
            role.namespace === request.namespace &&
            role.rules.some(
                (rule) =>
                    covers(rule.apiGroups, request.apiGroup) &&
                    covers(rule.resources, request.resource) &&
                    covers(rule.verbs, request.verb) &&
                    (rule.resourceNames === undefined || rule.resourceNames.length === 0 || (request.name !== undefined && rule.resourceNames.includes(request.name))),
            ),
    );
}

/** The API server's message for a request RBAC refuses, word for word. */
export function forbiddenMessage(user: string, request: ResourceRequest): string {
    const kind = request.apiGroup === "" ? request.resource : `${request.resource}.${request.apiGroup}`;
    const what = request.name === undefined ? kind : `${kind} "${request.name}"`;
    return `${what} is forbidden: User "${user}" cannot ${request.verb} resource "${request.resource}" in API group "${request.apiGroup}" in the namespace "${request.namespace}"`;
}
