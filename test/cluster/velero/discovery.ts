/**
 * The emulated Velero's discovery: which API resource a name (`pvc`, `deployments.apps`, `Namespace`) or an
 * object's kind resolves to, and whether it is namespaced. Velero resolves every include/exclude entry and every
 * backed-up item through the API server's discovery (velero-io/velero@v1.15.0:pkg/discovery/helper.go
 * `ResourceFor`, matching plural, singular, short names; an unresolvable entry is kept as written:
 * pkg/util/collections/includes_excludes.go `GetResourceIncludesExcludes`).
 *
 * The table holds the kinds the seed's workloads, the rendered stack and Velero's own CRDs use; a test that
 * needs another kind adds it here (an unknown kind throws, so a fixture can never be silently skipped).
 */

export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Plural resource name, e.g. `persistentvolumeclaims`. */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
}

const r = (
  group: string,
  version: string,
  kind: string,
  resource: string,
  namespaced: boolean,
  shortNames: string[] = [],
): ApiResource => ({ group, version, kind, resource, namespaced, shortNames });

export const API_RESOURCES: readonly ApiResource[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, ['ns']),
  r('', 'v1', 'Node', 'nodes', false, ['no']),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', false, ['pv']),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  r('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'Service', 'services', true, ['svc']),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  r('', 'v1', 'Pod', 'pods', true, ['po']),
  r('', 'v1', 'Event', 'events', true, ['ev']),
  r('', 'v1', 'Endpoints', 'endpoints', true, ['ep']),
  r('events.k8s.io', 'v1', 'Event', 'events', true, ['ev']),
  r('apps', 'v1', 'Deployment', 'deployments', true, ['deploy']),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts']),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds']),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs']),
  r('batch', 'v1', 'Job', 'jobs', true),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, ['cj']),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, ['sc']),
  r('storage.k8s.io', 'v1', 'CSINode', 'csinodes', false),
  r('storage.k8s.io', 'v1', 'VolumeAttachment', 'volumeattachments', false),
  r('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds']),
  r('snapshot.storage.k8s.io', 'v1', 'VolumeSnapshot', 'volumesnapshots', true, ['vs']),
  r('snapshot.storage.k8s.io', 'v1', 'VolumeSnapshotContent', 'volumesnapshotcontents', false, ['vsc', 'vscs']),
  r('snapshot.storage.k8s.io', 'v1', 'VolumeSnapshotClass', 'volumesnapshotclasses', false, ['vsclass']),
  r('velero.io', 'v1', 'Backup', 'backups', true),
  r('velero.io', 'v1', 'Restore', 'restores', true),
  r('velero.io', 'v1', 'Schedule', 'schedules', true),
  r('velero.io', 'v1', 'BackupStorageLocation', 'backupstoragelocations', true, ['bsl']),
  r('velero.io', 'v1', 'BackupRepository', 'backuprepositories', true),
  r('velero.io', 'v1', 'ResticRepository', 'resticrepositories', true),
  r('velero.io', 'v2alpha1', 'DataUpload', 'datauploads', true),
  r('argoproj.io', 'v1alpha1', 'Application', 'applications', true, ['app', 'apps']),
];

/** `GroupResource.String()`: `resource` for the core group, else `resource.group`. */
export function groupResourceString(res: Pick<ApiResource, 'group' | 'resource'>): string {
  return res.group ? `${res.resource}.${res.group}` : res.resource;
}

/** Velero's `ResourceFor(schema.ParseGroupResource(name))`: the resource a filter entry names, or undefined. */
export function resourceFor(name: string): ApiResource | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const head = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  const candidates = API_RESOURCES.filter((a) => group === undefined || a.group === group);
  const matches = candidates.filter(
    (a) => a.resource === head || a.kind.toLowerCase() === head || (a.shortNames ?? []).includes(head),
  );
  // the core group wins an unqualified name (`events` is core/v1 Event first, as the RESTMapper orders it)
  return matches.find((a) => a.group === '') ?? matches[0];
}

/** The resource of an object, from its apiVersion and kind; throws for a kind the table lacks. */
export function resourceOfObject(obj: { apiVersion: string; kind: string }): ApiResource {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const found = API_RESOURCES.find((a) => a.group === group && a.kind === obj.kind);
  if (!found)
    throw new Error(`emulated discovery: no resource for ${obj.apiVersion} ${obj.kind}; add it to API_RESOURCES`);
  return found;
}

/** The group-resource string of a filter entry: resolved when discovery knows it, else as written. */
export function resolveFilterEntry(item: string): string {
  const res = resourceFor(item);
  return res ? groupResourceString(res) : item;
}
