/**
 * The restore drill's bound at the API server, where RBAC cannot express it: a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1,
 * GA since Kubernetes 1.30) that refuses the drill's ServiceAccount every write outside its own scratch
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
 *   resources beyond what the included kinds pull in, no restore hooks, no resource modifiers.
 * - Restore DELETE: only Restores labelled as the drill's.
 *
 * Reads (get, list) never pass admission; RBAC bounds them (docs/permissions.md).
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
  /** Name of the policy and its binding. */
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

/** `request.resource` is the group and resource of `group`/`resource`. */
function isResource(group: string, resource: string): string {
  return `request.resource.group == ${celString(group)} && request.resource.resource == ${celString(resource)}`;
}

/** The ServiceAccount's user name as the API server authenticates it. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The CEL validations, in order. Each is `<not this request> || <allowed>`, so one failure names its rule. */
export function drillPolicyValidations(input: DrillPolicyInput): PolicyValidation[] {
  const scratch = Object.values(input.namespaceMapping);
  const ns = celList(scratch);
  const label = celString(DRILL_POLICY_LABEL);
  const drill = celString(input.drillName);
  const ownLabel = (o: string) =>
    `has(${o}.metadata.labels) && ${label} in ${o}.metadata.labels && ${o}.metadata.labels[${label}] == ${drill}`;
  const op = (operation: string) => `request.operation == ${celString(operation)}`;
  const list = scratch.join(', ');
  const podShape = [
    `has(object.spec.automountServiceAccountToken) && object.spec.automountServiceAccountToken == false`,
    `!has(object.spec.serviceAccountName) || object.spec.serviceAccountName == 'default'`,
    `!has(object.spec.hostNetwork) || object.spec.hostNetwork == false`,
    `!has(object.spec.hostPID) || object.spec.hostPID == false`,
    `!has(object.spec.hostIPC) || object.spec.hostIPC == false`,
    `!has(object.spec.initContainers) || size(object.spec.initContainers) == 0`,
    `!has(object.spec.ephemeralContainers) || size(object.spec.ephemeralContainers) == 0`,
    `has(object.spec.securityContext) && has(object.spec.securityContext.runAsNonRoot) && object.spec.securityContext.runAsNonRoot == true`,
    `has(object.spec.volumes) && object.spec.volumes.all(v, has(v.persistentVolumeClaim))`,
    `object.spec.containers.all(c, c.image == ${celString(input.verifyImage)} && !has(c.ports)` +
      ` && has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false` +
      ` && (!has(c.securityContext.privileged) || c.securityContext.privileged == false)` +
      ` && (!has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || size(c.securityContext.capabilities.add) == 0))`,
  ]
    .map((e) => `(${e})`)
    .join(' && ');
  const restoreShape = [
    `request.namespace == ${celString(input.veleroNamespace)}`,
    ownLabel('object'),
    `has(object.spec.namespaceMapping) && object.spec.namespaceMapping == ${celMap(input.namespaceMapping)}`,
    `has(object.spec.includedNamespaces) && size(object.spec.includedNamespaces) > 0 && object.spec.includedNamespaces.all(n, n in object.spec.namespaceMapping)`,
    `!has(object.spec.includeClusterResources) || object.spec.includeClusterResources == false`,
    `!has(object.spec.hooks)`,
    `!has(object.spec.resourceModifier)`,
  ]
    .map((e) => `(${e})`)
    .join(' && ');
  return [
    {
      expression: `!(${isResource('', 'namespaces')} && ${op('CREATE')}) || (object.metadata.name in ${ns} && ${ownLabel('object')})`,
      message: `the restore drill may create only its scratch namespaces (${list}), labelled ${DRILL_POLICY_LABEL}=${input.drillName}`,
    },
    {
      expression: `!(${isResource('', 'namespaces')} && ${op('DELETE')}) || (oldObject.metadata.name in ${ns} && ${ownLabel('oldObject')})`,
      message: `the restore drill may delete only its scratch namespaces (${list}) that carry ${DRILL_POLICY_LABEL}=${input.drillName}`,
    },
    {
      expression: `!(${isResource('', 'pods')} && ${op('CREATE')}) || (request.namespace in ${ns} && ${ownLabel('object')} && ${podShape})`,
      message: `the restore drill may create only its verify pods (image ${input.verifyImage}, unprivileged, PVC volumes only, no host namespaces) in its scratch namespaces (${list})`,
    },
    {
      expression: `!(${isResource('', 'pods')} && ${op('DELETE')}) || (request.namespace in ${ns} && ${ownLabel('oldObject')})`,
      message: `the restore drill may delete only its own verify pods in its scratch namespaces (${list})`,
    },
    {
      expression:
        `!(${isResource('', 'persistentvolumes')} && ${op('UPDATE')}) || (has(oldObject.spec.claimRef) && has(oldObject.spec.claimRef.namespace) && oldObject.spec.claimRef.namespace in ${ns}` +
        ` && has(object.spec.claimRef) && object.spec.claimRef == oldObject.spec.claimRef && object.spec.persistentVolumeReclaimPolicy == 'Delete')`,
      message: `the restore drill may only set persistentVolumeReclaimPolicy Delete on PVs bound to its scratch namespaces (${list})`,
    },
    {
      expression:
        `!(${isResource('snapshot.storage.k8s.io', 'volumesnapshotcontents')} && ${op('DELETE')}) || (has(oldObject.spec.volumeSnapshotRef) && has(oldObject.spec.volumeSnapshotRef.namespace)` +
        ` && oldObject.spec.volumeSnapshotRef.namespace in ${ns} && oldObject.spec.deletionPolicy == 'Retain')`,
      message: `the restore drill may delete only VolumeSnapshotContents with deletionPolicy Retain whose VolumeSnapshot is in its scratch namespaces (${list})`,
    },
    {
      expression: `!(${isResource('velero.io', 'restores')} && ${op('CREATE')}) || (${restoreShape})`,
      message: `the restore drill may create only its own Restores in '${input.veleroNamespace}': labelled ${DRILL_POLICY_LABEL}=${input.drillName}, every included namespace mapped to its scratch namespace, no cluster resources, hooks or resource modifiers`,
    },
    {
      expression: `!(${isResource('velero.io', 'restores')} && ${op('DELETE')}) || (request.namespace == ${celString(input.veleroNamespace)} && ${ownLabel('oldObject')})`,
      message: `the restore drill may delete only its own Restores (labelled ${DRILL_POLICY_LABEL}=${input.drillName})`,
    },
  ];
}

/** The writes the policy sees: resource, group and operations (reads never pass admission). */
export const DRILL_POLICY_RESOURCE_RULES = [
  { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'], resources: ['namespaces'] },
  { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'DELETE'], resources: ['pods'] },
  { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['persistentvolumes'] },
  {
    apiGroups: ['snapshot.storage.k8s.io'],
    apiVersions: ['*'],
    operations: ['DELETE'],
    resources: ['volumesnapshotcontents'],
  },
  { apiGroups: ['velero.io'], apiVersions: ['*'], operations: ['CREATE', 'DELETE'], resources: ['restores'] },
] as const;

/** The `matchConditions` expression: the policy applies to the drill's ServiceAccount only. */
export function drillPolicyMatchCondition(input: DrillPolicyInput): string {
  return `request.userInfo.username == ${celString(serviceAccountUsername(input.veleroNamespace, input.drillName))}`;
}

/** The ValidatingAdmissionPolicy's spec (admissionregistration.k8s.io/v1). */
export function drillPolicySpec(input: DrillPolicyInput) {
  return {
    // a CEL error (e.g. a missing field) refuses the request rather than letting it through
    failurePolicy: 'Fail' as const,
    matchConstraints: {
      resourceRules: DRILL_POLICY_RESOURCE_RULES.map((r) => ({
        apiGroups: [...r.apiGroups],
        apiVersions: [...r.apiVersions],
        operations: [...r.operations],
        resources: [...r.resources],
      })),
    },
    matchConditions: [{ name: 'restore-drill-service-account', expression: drillPolicyMatchCondition(input) }],
    validations: drillPolicyValidations(input).map((v) => ({ expression: v.expression, message: v.message })),
  };
}

/** The ValidatingAdmissionPolicyBinding's spec: every namespace, refusals denied (not just audited). */
export function drillPolicyBindingSpec(input: DrillPolicyInput) {
  return { policyName: input.policyName, validationActions: ['Deny' as const] };
}
