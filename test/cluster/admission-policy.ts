/**
 * ValidatingAdmissionPolicy admission as kubernetes/apiserver@kubernetes-1.30.0 does it, on the rendered policies
 * and bindings in the emulated store, with the CEL evaluated by @marcbachmann/cel-js:
 *
 * - Compile (pkg/admission/plugin/cel/compile.go `createEnvs`, `BuildRequestType`): `object`, `oldObject` and
 *   `params` are dyn; `request` is the typed `kubernetes.AdmissionRequest` (kind, resource, subResource,
 *   requestKind, requestResource, requestSubResource, name, namespace, operation, userInfo, dryRun, options), so a
 *   misspelt request field or an undeclared variable is a compile error. `namespaceObject` is declared dyn here
 *   (Kubernetes types it as a Namespace; the emulator does not model that type). `authorizer` and `variables`
 *   are not declared: an expression that uses them fails to compile, and the failure policy decides (as a
 *   compile error does on the API server: filter.go `ForInput`, "compilation error").
 * - Match (pkg/admission/plugin/policy/matching/matching.go `Matches`, webhook/predicates/rules/rules.go
 *   `Matcher`): namespaceSelector (the request's namespace's labels; a Namespace object's own labels; other
 *   cluster-scoped objects always match), objectSelector (the object's or the old object's labels),
 *   excludeResourceRules, resourceRules (apiGroups, apiVersions, operations, resources with subresources, scope,
 *   resourceNames). Admission configuration kinds are exempt (rules.go `IsExemptAdmissionConfigurationResource`).
 * - Evaluate (pkg/admission/plugin/policy/validating/validator.go `Validate`, cel/filter.go `ForInput`): the
 *   matchConditions first (any false: the policy does not apply; an error: the failure policy), then every
 *   validation; a result other than `true` is a Deny, an evaluation error is a Deny under `failurePolicy: Fail`
 *   (the default) and nothing under `Ignore`. `object` is null on DELETE and `oldObject` on CREATE.
 * - Act (dispatcher.go `Dispatch`): per binding's `validationActions`, Deny rejects, Warn adds a warning,
 *   Audit records an annotation. The first denial answers HTTP 422 (reason Invalid unless the validation names
 *   one): `ValidatingAdmissionPolicy '<policy>' with binding '<binding>' denied request: <message>`.
 */
import { Environment } from '@marcbachmann/cel-js';
import { selectorMatches, type LabelSelector } from '../../lib/kube/label-selector';
import type { UserInfo } from './rbac';
import type { KubeObject } from './types';

/** The admission attributes of one write. */
export interface AdmissionAttributes {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly user: UserInfo;
  readonly object: KubeObject | null;
  readonly oldObject: KubeObject | null;
  /** The request's Namespace object (none for cluster-scoped requests and for Namespace objects themselves). */
  readonly namespaceObject: KubeObject | null;
  readonly namespaced: boolean;
  readonly dryRun?: boolean;
}

export interface AdmissionVerdict {
  /** The first denial, as the API server words it. */
  readonly denied?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings: readonly string[];
  readonly audit: readonly string[];
}

type Rule = {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  resourceNames?: string[];
  scope?: string;
};
interface MatchResources {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: Rule[];
  excludeResourceRules?: Rule[];
}

class Typed {
  constructor(o: object) {
    Object.assign(this, o);
  }
}
class GroupVersionKind extends Typed {}
class GroupVersionResource extends Typed {}
class UserInfoValue extends Typed {}
class AdmissionRequest extends Typed {}

/** The CEL environment of a validation (compile.go createEnvs, without params' type, authorizer and variables). */
function celEnvironment(): Environment {
  return new Environment({ homogeneousAggregateLiterals: false })
    .registerType('kubernetes.GroupVersionKind', {
      fields: { group: 'string', version: 'string', kind: 'string' },
      ctor: GroupVersionKind,
    })
    .registerType('kubernetes.GroupVersionResource', {
      fields: { group: 'string', version: 'string', resource: 'string' },
      ctor: GroupVersionResource,
    })
    .registerType('kubernetes.UserInfo', {
      fields: { username: 'string', uid: 'string', groups: 'list<string>', extra: 'map<string, list<string>>' },
      ctor: UserInfoValue,
    })
    .registerType('kubernetes.AdmissionRequest', {
      fields: {
        kind: 'kubernetes.GroupVersionKind',
        resource: 'kubernetes.GroupVersionResource',
        subResource: 'string',
        requestKind: 'kubernetes.GroupVersionKind',
        requestResource: 'kubernetes.GroupVersionResource',
        requestSubResource: 'string',
        name: 'string',
        namespace: 'string',
        operation: 'string',
        userInfo: 'kubernetes.UserInfo',
        dryRun: 'bool',
        options: 'dyn',
      },
      ctor: AdmissionRequest,
    })
    .registerVariable('request', 'kubernetes.AdmissionRequest')
    .registerVariable('object', 'dyn')
    .registerVariable('oldObject', 'dyn')
    .registerVariable('params', 'dyn')
    .registerVariable('namespaceObject', 'dyn');
}

const env = celEnvironment();

/** JSON as the API server's unstructured: integers are int64 (CEL int), everything else as is. */
export function toCelValue(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (Array.isArray(v)) return v.map(toCelValue);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCelValue(x)]));
  }
  return v;
}

type Program = (vars: Record<string, unknown>) => unknown;

const compiled = new Map<string, { run?: Program; error?: string }>();

/** A compiled expression, or the compile error the API server would report for it (compiled once per text). */
export function compile(expression: string): { run?: Program; error?: string } {
  let c = compiled.get(expression);
  if (!c) {
    c = compileOnce(expression);
    compiled.set(expression, c);
  }
  return c;
}

function compileOnce(expression: string): { run?: Program; error?: string } {
  try {
    const checked = env.check(expression);
    if (!checked.valid) return { error: `compilation error: ${checked.error?.message.split('\n')[0]}` };
    const parsed = env.parse(expression) as unknown as Program;
    return { run: parsed };
  } catch (e) {
    return { error: `compilation error: ${(e as Error).message.split('\n')[0]}` };
  }
}

function ruleMatches(r: Rule, a: AdmissionAttributes): boolean {
  const any = (list: string[] | undefined, v: string) => (list ?? []).includes('*') || (list ?? []).includes(v);
  const isNamespaceObject = a.group === '' && a.resource === 'namespaces';
  const scope = r.scope ?? '*';
  const scopeOk =
    scope === '*' ||
    (scope === 'Namespaced' && !isNamespaceObject && a.namespace !== '') ||
    (scope === 'Cluster' && (isNamespaceObject || a.namespace === ''));
  const resourceOk = (r.resources ?? []).some((entry) => {
    const [res, sub = ''] = entry.split('/', 2);
    return (res === '*' || res === a.resource) && (sub === '*' || sub === a.subresource);
  });
  const nameOk = !r.resourceNames?.length || r.resourceNames.includes(a.name);
  return (
    scopeOk &&
    any(r.operations, a.operation) &&
    any(r.apiGroups, a.group) &&
    any(r.apiVersions, a.version) &&
    resourceOk &&
    nameOk
  );
}

/** matching.go `Matches` for a policy's matchConstraints or a binding's matchResources. */
export function matchResourcesMatch(m: MatchResources | undefined, a: AdmissionAttributes): boolean {
  if (!m) return true;
  const isNamespaceObject = a.group === '' && a.resource === 'namespaces';
  if (m.namespaceSelector) {
    const nsLabels = isNamespaceObject
      ? ((a.object ?? a.oldObject)?.metadata.labels ?? {})
      : a.namespaced
        ? (a.namespaceObject?.metadata.labels ?? {})
        : undefined;
    if (nsLabels !== undefined && !selectorMatches(m.namespaceSelector, nsLabels)) return false;
  }
  if (m.objectSelector) {
    const matches = [a.object, a.oldObject].some(
      (o) => o !== null && selectorMatches(m.objectSelector!, o.metadata.labels ?? {}),
    );
    if (!matches) return false;
  }
  if ((m.excludeResourceRules ?? []).some((r) => ruleMatches(r, a))) return false;
  return !m.resourceRules?.length || m.resourceRules.some((r) => ruleMatches(r, a));
}

function celVars(a: AdmissionAttributes, params: KubeObject | null): Record<string, unknown> {
  const gvk = new GroupVersionKind({ group: a.group, version: a.version, kind: a.kind });
  const gvr = new GroupVersionResource({ group: a.group, version: a.version, resource: a.resource });
  return {
    request: new AdmissionRequest({
      kind: gvk,
      resource: gvr,
      subResource: a.subresource,
      requestKind: gvk,
      requestResource: gvr,
      requestSubResource: a.subresource,
      name: a.name,
      namespace: a.namespace,
      operation: a.operation,
      userInfo: new UserInfoValue({ username: a.user.username, uid: '', groups: [...a.user.groups], extra: {} }),
      dryRun: a.dryRun ?? false,
      options: null,
    }),
    object: toCelValue(a.object),
    oldObject: toCelValue(a.oldObject),
    params: toCelValue(params),
    namespaceObject: toCelValue(a.namespaceObject),
  };
}

interface Decision {
  readonly action: 'admit' | 'deny';
  readonly message: string;
  readonly reason: string;
}

/** validator.go `Validate`: the decisions of one policy for one request (none when a matchCondition is false). */
function validate(policy: KubeObject, a: AdmissionAttributes, params: KubeObject | null): Decision[] {
  const spec = policy.spec as {
    failurePolicy?: string;
    matchConditions?: { name: string; expression: string }[];
    validations?: { expression: string; message?: string; messageExpression?: string; reason?: string }[];
  };
  const onError = (message: string): Decision[] =>
    spec.failurePolicy === 'Ignore' ? [] : [{ action: 'deny', message, reason: 'Invalid' }];
  const vars = celVars(a, params);
  for (const mc of spec.matchConditions ?? []) {
    const c = compile(mc.expression);
    if (c.error) return onError(`matchCondition '${mc.name}': ${c.error}`);
    let v: unknown;
    try {
      v = c.run!(vars);
    } catch (e) {
      return onError(
        `matchCondition '${mc.name}': expression '${mc.expression}' resulted in error: ${(e as Error).message.split('\n')[0]}`,
      );
    }
    if (v !== true) return [];
  }
  const decisions: Decision[] = [];
  for (const validation of spec.validations ?? []) {
    const c = compile(validation.expression);
    if (c.error) {
      decisions.push(...onError(c.error));
      continue;
    }
    let result: unknown;
    try {
      result = c.run!(vars);
    } catch (e) {
      decisions.push(
        ...onError(`expression '${validation.expression}' resulted in error: ${(e as Error).message.split('\n')[0]}`),
      );
      continue;
    }
    if (result === true) {
      decisions.push({ action: 'admit', message: '', reason: '' });
      continue;
    }
    let message = validation.message?.trim() || `failed expression: ${validation.expression.trim()}`;
    if (validation.messageExpression) {
      const m = compile(validation.messageExpression);
      try {
        const text = m.run?.(vars);
        if (typeof text === 'string' && text.trim() && !text.includes('\n')) message = text.trim();
      } catch {
        // the API server logs it and keeps the message
      }
    }
    decisions.push({ action: 'deny', message, reason: validation.reason ?? 'Invalid' });
  }
  return decisions;
}

const REASON_CODE: Record<string, number> = {
  Forbidden: 403,
  Unauthorized: 401,
  RequestEntityTooLarge: 413,
  Invalid: 422,
};

/** dispatcher.go `Dispatch` over every policy and binding of the store. */
export function admitByPolicies(
  policies: readonly KubeObject[],
  bindings: readonly KubeObject[],
  a: AdmissionAttributes,
  paramsFor: (policy: KubeObject, binding: KubeObject) => KubeObject | null = () => null,
): AdmissionVerdict {
  const warnings: string[] = [];
  const audit: string[] = [];
  if (
    a.group === 'admissionregistration.k8s.io' &&
    [
      'validatingadmissionpolicies',
      'validatingadmissionpolicybindings',
      'validatingwebhookconfigurations',
      'mutatingwebhookconfigurations',
    ].includes(a.resource)
  ) {
    return { warnings, audit };
  }
  for (const policy of policies) {
    const constraints = (policy.spec as { matchConstraints?: MatchResources }).matchConstraints;
    if (!matchResourcesMatch(constraints, a)) continue;
    for (const binding of bindings) {
      const bspec = binding.spec as {
        policyName?: string;
        validationActions?: string[];
        matchResources?: MatchResources;
      };
      if (bspec.policyName !== policy.metadata.name) continue;
      if (!matchResourcesMatch(bspec.matchResources, a)) continue;
      for (const [i, d] of validate(policy, a, paramsFor(policy, binding)).entries()) {
        if (d.action !== 'deny') continue;
        for (const action of bspec.validationActions ?? []) {
          const message = `ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}' denied request: ${d.message}`;
          if (action === 'Deny') {
            return { denied: { code: REASON_CODE[d.reason] ?? 422, reason: d.reason, message }, warnings, audit };
          }
          if (action === 'Warn') {
            warnings.push(
              `Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}': ${d.message}`,
            );
          }
          if (action === 'Audit') audit.push(`${policy.metadata.name}/${binding.metadata.name}/${i}: ${d.message}`);
        }
      }
    }
  }
  return { warnings, audit };
}
