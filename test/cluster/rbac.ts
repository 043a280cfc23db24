/**
 * RBAC authorization as the API server does it, from the rendered Roles, ClusterRoles and their bindings in the
 * emulated store (kubernetes@v1.30.0 plugin/pkg/auth/authorizer/rbac/rbac.go `Authorize`, `RuleAllows`;
 * pkg/registry/rbac/validation/rule.go `VisitRulesFor`, `appliesTo`; `ResourceMatches`, `APIGroupMatches`,
 * `VerbMatches`, `ResourceNameMatches` in pkg/apis/rbac/v1/evaluation_helpers.go):
 * - ClusterRoleBindings grant their ClusterRole's rules everywhere; RoleBindings grant a Role's (same namespace)
 *   or a ClusterRole's rules in their own namespace only.
 * - A subject matches a user (`User`), one of the user's groups (`Group`), or a ServiceAccount, whose user name
 *   is `system:serviceaccount:<namespace>:<name>` (rule.go `appliesToUser`).
 * - A rule allows when its verbs, apiGroups, resources (`resource/subresource`, `*`, `*\/subresource`) and
 *   resourceNames (empty = any; a create or list has no name, so a rule with resourceNames never allows one)
 *   all match.
 * - A ClusterRole with an `aggregationRule` has the rules of every ClusterRole its selectors select (what the
 *   clusterrole-aggregation controller writes into it).
 * - `system:masters` is allowed everything (the bootstrap superuser group, not a binding).
 */
import { selectorMatches, type LabelSelector } from '../../lib/kube/label-selector';
import type { KubeObject } from './types';

export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

/** What the request asks, in the API server's authorizer.Attributes terms. */
export interface RequestAttributes {
  readonly user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection */
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/** The user a ServiceAccount token authenticates as, with the groups the API server adds. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.username;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace; // rule.go: a RoleBinding's SA subject defaults to its namespace
      return user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

function ruleAllows(r: PolicyRule, a: RequestAttributes): boolean {
  const has = (list: string[] | undefined, v: string) => (list ?? []).includes('*') || (list ?? []).includes(v);
  if (!has(r.verbs, a.verb) || !has(r.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = r.resources ?? [];
  const resourceOk =
    resources.includes('*') ||
    resources.includes(combined) ||
    (a.subresource !== undefined && resources.includes(`*/${a.subresource}`));
  if (!resourceOk) return false;
  if (!r.resourceNames || r.resourceNames.length === 0) return true;
  return a.name !== undefined && a.name !== '' && r.resourceNames.includes(a.name);
}

/** The rules of a role object, an aggregated ClusterRole's from the ClusterRoles it selects. */
function rulesOf(role: KubeObject, clusterRoles: readonly KubeObject[]): PolicyRule[] {
  const aggregation = role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined;
  if (role.kind === 'ClusterRole' && aggregation?.clusterRoleSelectors) {
    return clusterRoles
      .filter(
        (c) => c !== role && aggregation.clusterRoleSelectors!.some((s) => selectorMatches(s, c.metadata.labels ?? {})),
      )
      .flatMap((c) => (c.rules as PolicyRule[] | undefined) ?? []);
  }
  return (role.rules as PolicyRule[] | undefined) ?? [];
}

export interface RbacObjects {
  readonly roles: readonly KubeObject[];
  readonly clusterRoles: readonly KubeObject[];
  readonly roleBindings: readonly KubeObject[];
  readonly clusterRoleBindings: readonly KubeObject[];
}

/** Is the request allowed by some binding of the user? */
export function rbacAllows(objs: RbacObjects, a: RequestAttributes): boolean {
  if (a.user.groups.includes('system:masters')) return true;
  const clusterRole = (name: string) => objs.clusterRoles.find((c) => c.metadata.name === name);
  const grants = (binding: KubeObject, role: KubeObject | undefined) =>
    role !== undefined &&
    ((binding.subjects as Subject[] | undefined) ?? []).some((s) =>
      subjectMatches(s, a.user, binding.metadata.namespace),
    ) &&
    rulesOf(role, objs.clusterRoles).some((r) => ruleAllows(r, a));
  for (const b of objs.clusterRoleBindings) {
    const ref = b.roleRef as { kind: string; name: string };
    if (ref.kind === 'ClusterRole' && grants(b, clusterRole(ref.name))) return true;
  }
  if (!a.namespace) return false;
  for (const b of objs.roleBindings.filter((x) => x.metadata.namespace === a.namespace)) {
    const ref = b.roleRef as { kind: string; name: string };
    const role =
      ref.kind === 'ClusterRole'
        ? clusterRole(ref.name)
        : objs.roles.find((r) => r.metadata.namespace === a.namespace && r.metadata.name === ref.name);
    if (grants(b, role)) return true;
  }
  return false;
}

/**
 * The API server's Forbidden message (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
 * `forbiddenMessage`, with the reason the RBAC authorizer gives no text for).
 */
export function forbiddenMessage(a: RequestAttributes): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource; // errors.NewForbidden's GroupResource
  const what = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${a.user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
}
