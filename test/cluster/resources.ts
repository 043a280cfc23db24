/**
 * The emulated API server's discovery: which resource (plural) serves which kind, in which group and version,
 * namespaced or cluster-scoped. Custom resources come from the committed schemas (schemas/index.json names each
 * CRD file `<plural>.<group>.json`); core kinds from the plural rule the API server's RESTMapper falls back on
 * (k8s.io/apimachinery pkg/api/meta/restmapper.go `UnsafeGuessKindToResource`: lower-case, `y` -> `ies`,
 * `s` -> `ses`, else `+s`), with the cluster-scoped kinds listed below (their `namespaced: false` in
 * `kubectl api-resources`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../../lib/validation/schema';

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** e.g. `persistentvolumeclaims` */
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Cluster-scoped kinds the stack renders or the drill touches (`kubectl api-resources --namespaced=false`). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/PersistentVolume',
  '/Node',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'snapshot.storage.k8s.io/VolumeSnapshotContent',
  'snapshot.storage.k8s.io/VolumeSnapshotClass',
  'groupsnapshot.storage.k8s.io/VolumeGroupSnapshotContent',
  'groupsnapshot.storage.k8s.io/VolumeGroupSnapshotClass',
]);

/** UnsafeGuessKindToResource (k8s.io/apimachinery@v0.30.0 pkg/api/meta/restmapper.go). */
export function guessResource(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('s')) return `${k}es`;
  if (k.endsWith('y')) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The built-in kinds the emulated server serves from the start (an empty list, not a 404, before the first one). */
const BUILT_IN: readonly [string, string][] = [
  ['v1', 'Namespace'],
  ['v1', 'Pod'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'PersistentVolume'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'ServiceAccount'],
  ['v1', 'Service'],
  ['v1', 'Node'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'DaemonSet'],
  ['apps/v1', 'StatefulSet'],
  ['batch/v1', 'Job'],
  ['batch/v1', 'CronJob'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['storage.k8s.io/v1', 'StorageClass'],
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'],
  ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding'],
];

/** Resource types by `group/resource` and by `group/Kind`. */
export class Discovery {
  private readonly byResource = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  /** plural of each custom kind, from schemas/index.json */
  private readonly customPlural = new Map<string, string>();

  constructor(rootDir: string = findRepoRoot()) {
    const index = JSON.parse(readFileSync(join(rootDir, 'schemas', 'index.json'), 'utf8')) as {
      components: Record<string, { tags: Record<string, Record<string, string>> }>;
    };
    for (const component of Object.values(index.components)) {
      for (const files of Object.values(component.tags)) {
        for (const [groupKind, file] of Object.entries(files)) {
          const base = file
            .split('/')
            .pop()!
            .replace(/\.json$/, '');
          const group = groupKind.slice(0, groupKind.indexOf('/'));
          this.customPlural.set(groupKind, base.slice(0, base.length - group.length - 1));
        }
      }
    }
    for (const [apiVersion, kind] of BUILT_IN) this.ofKind(apiVersion, kind);
  }

  /** The type of `apiVersion`/`kind`, registered on first sight. */
  ofKind(apiVersion: string, kind: string): ResourceType {
    const { group, version } = splitApiVersion(apiVersion);
    const known = this.byKind.get(`${group}/${kind}`);
    if (known) return known;
    const t: ResourceType = {
      group,
      version,
      kind,
      resource: this.customPlural.get(`${group}/${kind}`) ?? guessResource(kind),
      namespaced: !CLUSTER_SCOPED.has(`${group}/${kind}`),
    };
    this.byKind.set(`${group}/${kind}`, t);
    this.byResource.set(`${group}/${t.resource}`, t);
    return t;
  }

  /** The type serving `group`/`version`/`resource`: a built-in or seen kind, or a custom resource of schemas/. */
  ofResource(group: string, version: string, resource: string): ResourceType | undefined {
    const known = this.byResource.get(`${group}/${resource}`);
    if (known) return known.version === version ? known : undefined;
    for (const [groupKind, plural] of this.customPlural) {
      if (plural === resource && groupKind.startsWith(`${group}/`)) {
        return this.ofKind(group ? `${group}/${version}` : version, groupKind.slice(group.length + 1));
      }
    }
    return undefined;
  }
}
