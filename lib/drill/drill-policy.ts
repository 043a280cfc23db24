/**
 * The restore drill's bound at the API server, where RBAC cannot express it: ValidatingAdmissionPolicies
 * (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30), one per kind the drill writes, each with its own
 * `Deny` binding, that refuse the drill's ServiceAccount every write outside its own scratch
 * namespaces, where RBAC cannot express the bound (RBAC has no `resourceNames` for `create`, and the scratch
 * namespaces do not exist before the drill creates them, so no Role can be bound in them beforehand).
 *
 * What the runner writes (drill/runner.ts) and what the policy allows of it:
 * - Namespace CREATE: only a name of the drill's scratch list, labelled `velero-cdk8s.io/restore-drill=<drill>`.
 * - Namespace DELETE: only a scratch name that carries that label (a DELETE carries `oldObject`, not `object`).
 * - Pod CREATE: only in a scratch namespace, only the verify-pod shape (drill/verify-pod.ts): the drill's image,
 *   no privileged or privilege escalation, no added capabilities, no host namespaces or ports, no init or
 *   ephemeral containers, no service-account token, PVC volumes only (so no hostPath), runAsNonRoot.
 * - Pod DELETE: only in a scratch namespace, only pods labelled as the drill's.
 * - PersistentVolume UPDATE (the runner's merge patch): only a PV whose claimRef namespace is a scratch namespace,
 *   only to `persistentVolumeReclaimPolicy: Delete`, claimRef unchanged.
 * - VolumeSnapshotContent DELETE: only contents whose `spec.volumeSnapshotRef.namespace` is a scratch namespace
 *   (Velero restores them pointing at the mapped namespace: pkg/restore/actions/csi/volumesnapshot_action.go at
 *   v1.15.0) and whose deletionPolicy is Retain (deleting one with Delete would delete the storage snapshot).
 * - Restore CREATE (Velero runs as cluster-admin, so a Restore is the widest door): only in the Velero namespace,
 *   labelled as the drill's, every included namespace mapped exactly as the drill maps it, no cluster-scoped
 *   resources beyond what the included kinds pull in, no restore hooks, and no resource modifier but the stack's
 *   own tracking-strip ConfigMap (kind ConfigMap, its name, core group), which only the `velero` namespace holds
 *   and the drill cannot write (docs/pitfalls.md#drill-policy-resource-modifier).
 * - Restore DELETE: only Restores labelled as the drill's.
 *
 * Reads (get, list) never pass admission; RBAC bounds them (docs/permissions.md).
 *
 * One policy per kind, with `apiVersions` pinned: the API server type-checks each expression against every kind
 * its policy's `matchConstraints` resolve to, and not at all for `apiVersions: ['*']`
 * (kubernetes/apiserver@kubernetes-1.30.0 pkg/admission/plugin/policy/validating/typechecking.go `Check`,
 * `extractVersions`; docs/pitfalls.md#drill-policy-per-kind).
 */

import { DRILL_LABEL } from '../../drill/config';

/** The label the runner puts on the scratch namespaces, its verify pods and its Restores (drill/config.ts). */
export const DRILL_POLICY_LABEL = DRILL_LABEL;

export interface DrillPolicyInput {
  /** Name of the drill (its CronJob and ServiceAccount). */
  readonly drillName: string;
  /** Namespace of Velero, the drill's ServiceAccount and its Restores. */
  readonly veleroNamespace: string;
  /** Source namespace -> scratch namespace, as the runner maps them. */
  readonly namespaceMapping: Readonly<Record<string, string>>;
  /** The image of the verify pods. */
  readonly verifyImage: string;
  /**
   * The stack's own resource-modifier ConfigMap (in the Velero namespace) that the drill's Restore applies: the
   * only one the policy lets it name. @default none (the Restore may name no resource modifier)
   */
  readonly resourceModifier?: string;
  /** Prefix of the policies' and their bindings' names: `<policyName>-<resource>`. */
  readonly policyName: string;
}

/** One CEL validation of the policy, with the message the API server returns on refusal. */
export interface PolicyValidation {
  readonly expression: string;
  readonly message: string;
}

/** A CEL string literal. */
export function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function celList(items: readonly string[]): string {
  return `[${items.map(celString).join(', ')}]`;
}

function celMap(m: Readonly<Record<string, string>>): string {
  return `{${Object.entries(m)
    .map(([k, v]) => `${celString(k)}: ${celString(v)}`)
    .join(', ')}}`;
}

/** The ServiceAccount's user name as the API server authenticates it. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The kinds the drill writes, one ValidatingAdmissionPolicy each (a policy's expressions are type-checked per kind). */
export type DrillPolicyResource = 'namespaces' | 'pods' | 'persistentvolumes' | 'volumesnapshotcontents' | 'restores';

/** One CEL validation of a policy, with the message the API server returns on refusal. */
export interface DrillPolicyValidation extends PolicyValidation {
  readonly resource: DrillPolicyResource;
}

/** The resource rule of each policy: one group, one pinned version, one resource, the operations the drill performs. */
export const DRILL_POLICY_RESOURCE_RULES: Readonly<
  Record<
    DrillPolicyResource,
    { apiGroups: readonly string[]; apiVersions: readonly string[]; operations: readonly string[] }
  >
> = {
  namespaces: { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'] },
  pods: { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'] },
  persistentvolumes: { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'] },
  // pinned, not '*': the API server type-checks expressions only against the versions it can resolve
  // (kubernetes/apiserver@kubernetes-1.30.0 pkg/admission/plugin/policy/validating/typechecking.go extractVersions)
  volumesnapshotcontents: { apiGroups: ['snapshot.storage.k8s.io'], apiVersions: ['v1'], operations: ['DELETE'] },
  restores: { apiGroups: ['velero.io'], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'] },
};

/** The Restore may name no resource modifier, or exactly the stack's own ConfigMap (core group). */
function resourceModifierShape(modifier: string | undefined): string {
  const none = `!has(object.spec.resourceModifier)`;
  if (modifier === undefined) return none;
  const m = 'object.spec.resourceModifier';
  return (
    `${none} || (${m}.kind == 'ConfigMap' && ${m}.name == ${celString(modifier)}` +
    ` && (!has(${m}.apiGroup) || ${m}.apiGroup == ''))`
  );
}

function podShape(verifyImage: string): string {
  return [
    `has(object.spec.automountServiceAccountToken) && object.spec.automountServiceAccountToken == false`,
    `!has(object.spec.serviceAccountName) || object.spec.serviceAccountName == 'default'`,
    `!has(object.spec.hostNetwork) || object.spec.hostNetwork == false`,
    `!has(object.spec.hostPID) || object.spec.hostPID == false`,
    `!has(object.spec.hostIPC) || object.spec.hostIPC == false`,
    `!has(object.spec.initContainers) || size(object.spec.initContainers) == 0`,
    `!has(object.spec.ephemeralContainers) || size(object.spec.ephemeralContainers) == 0`,
    `has(object.spec.securityContext) && has(object.spec.securityContext.runAsNonRoot) && object.spec.securityContext.runAsNonRoot == true`,
    `has(object.spec.volumes) && object.spec.volumes.all(v, has(v.persistentVolumeClaim))`,
    `object.spec.containers.all(c, c.image == ${celString(verifyImage)} && !has(c.ports)` +
      ` && has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false` +
      ` && (!has(c.securityContext.privileged) || c.securityContext.privileged == false)` +
      ` && (!has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || size(c.securityContext.capabilities.add) == 0))`,
  ]
    .map((e) => `(${e})`)
    .join(' && ');
}

/**
 * The CEL validations, per kind, in order. Each is `<not this operation> || <allowed>`, so one failure names its
 * rule; each policy matches one kind, so `request.resource` needs no test.
 */
export function drillPolicyValidations(input: DrillPolicyInput): DrillPolicyValidation[] {
  const scratch = Object.values(input.namespaceMapping);
  const ns = celList(scratch);
  const label = celString(DRILL_POLICY_LABEL);
  const drill = celString(input.drillName);
  const ownLabel = (o: string) =>
    `has(${o}.metadata.labels) && ${label} in ${o}.metadata.labels && ${o}.metadata.labels[${label}] == ${drill}`;
  const not = (operation: string) => `request.operation != ${celString(operation)}`;
  const list = scratch.join(', ');
  const restoreShape = [
    `request.namespace == ${celString(input.veleroNamespace)}`,
    ownLabel('object'),
    `has(object.spec.namespaceMapping) && object.spec.namespaceMapping == ${celMap(input.namespaceMapping)}`,
    `has(object.spec.includedNamespaces) && size(object.spec.includedNamespaces) > 0 && object.spec.includedNamespaces.all(n, n in object.spec.namespaceMapping)`,
    `!has(object.spec.includeClusterResources) || object.spec.includeClusterResources == false`,
    `!has(object.spec.hooks)`,
    resourceModifierShape(input.resourceModifier),
  ]
    .map((e) => `(${e})`)
    .join(' && ');
  const modifiers =
    input.resourceModifier === undefined
      ? 'no resource modifiers'
      : `no resource modifier but the ConfigMap '${input.resourceModifier}'`;
  return [
    {
      resource: 'namespaces',
      expression: `${not('CREATE')} || (object.metadata.name in ${ns} && ${ownLabel('object')})`,
      message: `the restore drill may create only its scratch namespaces (${list}), labelled ${DRILL_POLICY_LABEL}=${input.drillName}`,
    },
    {
      resource: 'namespaces',
      expression: `${not('DELETE')} || (oldObject.metadata.name in ${ns} && ${ownLabel('oldObject')})`,
      message: `the restore drill may delete only its scratch namespaces (${list}) that carry ${DRILL_POLICY_LABEL}=${input.drillName}`,
    },
    {
      resource: 'pods',
      expression: `${not('CREATE')} || (request.namespace in ${ns} && ${ownLabel('object')} && ${podShape(input.verifyImage)})`,
      message: `the restore drill may create only its verify pods (image ${input.verifyImage}, unprivileged, PVC volumes only, no host namespaces) in its scratch namespaces (${list})`,
    },
    {
      resource: 'pods',
      expression: `${not('DELETE')} || (request.namespace in ${ns} && ${ownLabel('oldObject')})`,
      message: `the restore drill may delete only its own verify pods in its scratch namespaces (${list})`,
    },
    {
      resource: 'persistentvolumes',
      expression:
        `${not('UPDATE')} || (has(oldObject.spec.claimRef) && has(oldObject.spec.claimRef.namespace) && oldObject.spec.claimRef.namespace in ${ns}` +
        ` && has(object.spec.claimRef) && object.spec.claimRef == oldObject.spec.claimRef && object.spec.persistentVolumeReclaimPolicy == 'Delete')`,
      message: `the restore drill may only set persistentVolumeReclaimPolicy Delete on PVs bound to its scratch namespaces (${list})`,
    },
    {
      resource: 'volumesnapshotcontents',
      expression:
        `${not('DELETE')} || (has(oldObject.spec.volumeSnapshotRef) && has(oldObject.spec.volumeSnapshotRef.namespace)` +
        ` && oldObject.spec.volumeSnapshotRef.namespace in ${ns} && oldObject.spec.deletionPolicy == 'Retain')`,
      message: `the restore drill may delete only VolumeSnapshotContents with deletionPolicy Retain whose VolumeSnapshot is in its scratch namespaces (${list})`,
    },
    {
      resource: 'restores',
      expression: `${not('CREATE')} || (${restoreShape})`,
      message: `the restore drill may create only its own Restores in '${input.veleroNamespace}': labelled ${DRILL_POLICY_LABEL}=${input.drillName}, every included namespace mapped to its scratch namespace, no cluster resources or hooks, ${modifiers}`,
    },
    {
      resource: 'restores',
      expression: `${not('DELETE')} || (request.namespace == ${celString(input.veleroNamespace)} && ${ownLabel('oldObject')})`,
      message: `the restore drill may delete only its own Restores (labelled ${DRILL_POLICY_LABEL}=${input.drillName})`,
    },
  ];
}

/** The `matchConditions` expression: the policy applies to the drill's ServiceAccount only. */
export function drillPolicyMatchCondition(input: DrillPolicyInput): string {
  return `request.userInfo.username == ${celString(serviceAccountUsername(input.veleroNamespace, input.drillName))}`;
}

/** One of the drill's ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1) and its binding. */
export interface DrillPolicy {
  /** `<policyName>-<resource>`, the name of the policy and of its binding. */
  readonly name: string;
  readonly resource: DrillPolicyResource;
  readonly spec: ReturnType<typeof drillPolicySpec>;
  readonly bindingSpec: ReturnType<typeof drillPolicyBindingSpec>;
}

/** The policy of one kind's spec. */
export function drillPolicySpec(input: DrillPolicyInput, resource: DrillPolicyResource) {
  const rule = DRILL_POLICY_RESOURCE_RULES[resource];
  return {
    // a CEL error (e.g. a missing field) refuses the request rather than letting it through
    failurePolicy: 'Fail' as const,
    matchConstraints: {
      resourceRules: [
        {
          apiGroups: [...rule.apiGroups],
          apiVersions: [...rule.apiVersions],
          operations: [...rule.operations],
          resources: [resource],
        },
      ],
    },
    matchConditions: [{ name: 'restore-drill-service-account', expression: drillPolicyMatchCondition(input) }],
    validations: drillPolicyValidations(input)
      .filter((v) => v.resource === resource)
      .map((v) => ({ expression: v.expression, message: v.message })),
  };
}

/** A binding's spec: every namespace, refusals denied (not just audited). */
export function drillPolicyBindingSpec(policyName: string) {
  return { policyName, validationActions: ['Deny' as const] };
}

/** Every policy of the drill, one per kind it writes, in a fixed order. */
export function drillPolicies(input: DrillPolicyInput): DrillPolicy[] {
  return (Object.keys(DRILL_POLICY_RESOURCE_RULES) as DrillPolicyResource[]).map((resource) => {
    const name = `${input.policyName}-${resource}`;
    return { name, resource, spec: drillPolicySpec(input, resource), bindingSpec: drillPolicyBindingSpec(name) };
  });
}
