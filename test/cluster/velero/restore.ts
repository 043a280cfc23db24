/**
 * The emulated Velero restore: a Restore, the backups Velero knows and a ClusterView in, the Restore's
 * terminal state and the objects it created out. An independent reading of upstream at the tags, each rule
 * cited (velero-io/velero@<tag>:<path> <function>); v1.15.0 unless a line says otherwise, the same at v1.18.1
 * unless the code branches on `veleroVersion`:
 *
 * - validation: pkg/controller/restore_controller.go `validateAndComplete`: non-restorable kinds appended to the
 *   excluded resources and refused in the included ones (`nonRestorableResources`), `ValidateIncludesExcludes`
 *   on resources and on namespaces (the restore controller does not run the namespace-name variant), exactly one
 *   of backupName and scheduleName (`backupXorScheduleProvided`), existingResourcePolicy, the schedule's newest
 *   Completed backup by start time (`mostRecentCompletedBackup`), the resource-modifier ConfigMap
 *   (internal/resourcemodifiers/resource_modifiers.go `GetResourceModifiersFromConfig`, `Validate`);
 * - order: pkg/restore/restore.go `execute` (CRDs first) and `getOrderedResources` with the server's
 *   `defaultRestorePriorities` (pkg/cmd/server/config/config.go at v1.15.0 and v1.18.1);
 * - selection: `getOrderedResourceCollection` (resource filter unless `resourceMustHave`; namespace filter on
 *   the original namespace; cluster-scoped items only with includeClusterResources true, or unset and every
 *   namespace included);
 * - namespaces: `processSelectedResource` creates each target namespace from the backed-up one through
 *   `getNamespace` (its labels, annotations and spec, under the mapped name) unless it exists (then it is
 *   reused as it is: pkg/util/kube/utils.go `EnsureNamespaceExistsAndIsReady`), and never runs `restoreItem`,
 *   so resource modifiers never touch a Namespace (`if groupResource == kuberesource.Namespaces { continue }`);
 * - items: `restoreItem` (filters again for additional items, `isCompleted`, PVs of CSI-snapshotted claims
 *   re-provisioned, `resetMetadataAndStatus`, restore item actions, resource modifiers on the object as backed
 *   up, namespace mapping, `addRestoreLabels`, existing objects per `existingResourcePolicy`);
 * - CSI: pkg/restore/actions/csi/pvc_action.go `restoreFromVolumeSnapshot` (the PVC's VolumeSnapshot must
 *   exist in the target namespace), volumesnapshot_action.go (v1.15.0: creates a Retain content statically
 *   bound to it; from v1.16 the backed-up content comes back as an additional item, restore.go `resourceMustHave`,
 *   volumesnapshotcontent_action.go remapping its namespace).
 * Not emulated: label selectors of the Restore, hooks, restoreStatus, pod volume restores, data movement
 * beyond "the DataUpload is in the backup", the v1.18 BSL-availability check and stub VGSC cleanup.
 */
import type { BackupContents, ClusterView, KubeObject, RestoreOutcome } from '../types';
import { applyModifiers } from '../../fixtures/restore/velero-modifiers';
import { groupResourceString, resolveFilterEntry, resourceOfObject } from './discovery';
import { IncludesExcludes, resourceIncludesExcludes, validateIncludesExcludes } from './includes-excludes';
import { parseResourceModifiers, type ParsedModifiers } from './modifiers-config';

/** restore_controller.go `nonRestorableResources` (identical at v1.15.0 and v1.18.1). */
export const NON_RESTORABLE_RESOURCES = [
  'nodes',
  'events',
  'events.events.k8s.io',
  'backups.velero.io',
  'restores.velero.io',
  'resticrepositories.velero.io',
  'csinodes.storage.k8s.io',
  'volumeattachments.storage.k8s.io',
  'backuprepositories.velero.io',
] as const;

/** pkg/cmd/server/config/config.go `defaultRestorePriorities`. */
function restorePriorities(veleroVersion: string): { high: string[]; low: string[] } {
  const v18 = minor(veleroVersion) >= 18;
  const high = [
    'customresourcedefinitions',
    'namespaces',
    ...(v18 ? ['clusterroles', 'roles'] : []),
    'storageclasses',
    ...(v18 ? ['clusterrolebindings', 'rolebindings'] : []),
    'volumesnapshotclass.snapshot.storage.k8s.io',
    'volumesnapshotcontents.snapshot.storage.k8s.io',
    'volumesnapshots.snapshot.storage.k8s.io',
    ...(v18 ? ['priorityclasses'] : []),
    'datauploads.velero.io',
    'persistentvolumes',
    'persistentvolumeclaims',
    'serviceaccounts',
    'secrets',
    'configmaps',
    'limitranges',
    'pods',
    'replicasets.apps',
    'clusterclasses.cluster.x-k8s.io',
    'endpoints',
    'services',
  ];
  const low = [
    'clusterbootstraps.run.tanzu.vmware.com',
    'clusters.cluster.x-k8s.io',
    ...(v18
      ? []
      : [
          'clusterresourcesets.addons.cluster.x-k8s.io',
          'apps.kappctrl.k14s.io',
          'packageinstalls.packaging.carvel.dev',
        ]),
  ];
  return { high, low };
}

export function minor(veleroVersion: string): number {
  const m = /^v?1\.(\d+)/.exec(veleroVersion);
  if (!m) throw new Error(`emulated Velero: cannot read the line of '${veleroVersion}'`);
  return Number(m[1]);
}

export interface RestoreInput {
  /** The velero.io/v1 Restore as created (name assigned). */
  readonly restore: KubeObject;
  /** The backups Velero has synced (one, or every backup of every schedule). */
  readonly backup?: BackupContents;
  readonly backups?: readonly BackupContents[];
  readonly cluster: ClusterView;
  /** e.g. 'v1.15.0' or 'v1.18.1'. */
  readonly veleroVersion: string;
}

interface RestoreSpec {
  backupName?: string;
  scheduleName?: string;
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  includeClusterResources?: boolean;
  namespaceMapping?: Record<string, string>;
  restorePVs?: boolean;
  existingResourcePolicy?: string;
  resourceModifier?: { kind: string; name: string; apiGroup?: string };
  labelSelector?: unknown;
  orLabelSelectors?: unknown;
}

interface Validated {
  readonly errors: string[];
  readonly spec: RestoreSpec;
  readonly backup?: BackupContents;
  readonly modifiers?: ParsedModifiers;
}

/** `validateAndComplete`. */
function validateAndComplete(input: RestoreInput): Validated {
  const restore = input.restore;
  const spec: RestoreSpec = structuredClone(restore.spec as RestoreSpec);
  const errors: string[] = [];
  const excluded = new Set(spec.excludedResources ?? []);
  spec.excludedResources = [...(spec.excludedResources ?? [])];
  for (const nr of NON_RESTORABLE_RESOURCES) if (!excluded.has(nr)) spec.excludedResources.push(nr);
  const included = new Set(spec.includedResources ?? []);
  for (const nr of NON_RESTORABLE_RESOURCES) if (included.has(nr)) errors.push(`${nr} are non-restorable resources`);
  for (const e of validateIncludesExcludes(spec.includedResources ?? [], spec.excludedResources)) {
    errors.push(`Invalid included/excluded resource lists: ${e}`);
  }
  for (const e of validateIncludesExcludes(spec.includedNamespaces ?? [], spec.excludedNamespaces ?? [])) {
    errors.push(`Invalid included/excluded namespace lists: ${e}`);
  }
  if (spec.orLabelSelectors && spec.labelSelector) {
    errors.push('encountered labelSelector as well as orLabelSelectors in restore spec, only one can be specified');
  }
  if (!!spec.backupName === !!spec.scheduleName) {
    errors.push('Either a backup or schedule must be specified as a source for the restore, but not both');
    return { errors, spec };
  }
  if (spec.existingResourcePolicy && !['none', 'update'].includes(spec.existingResourcePolicy)) {
    errors.push(`Invalid ExistingResourcePolicy: ${spec.existingResourcePolicy}`);
  }
  const all = [...(input.backups ?? []), ...(input.backup ? [input.backup] : [])];
  if (spec.scheduleName) {
    const ofSchedule = all.filter((b) => b.backup.metadata.labels?.['velero.io/schedule-name'] === spec.scheduleName);
    if (ofSchedule.length === 0) errors.push('No backups found for schedule');
    const newest = [...ofSchedule]
      .sort((a, b) => startOf(b).localeCompare(startOf(a)))
      .find((b) => (b.backup.status as { phase?: string }).phase === 'Completed');
    if (!newest) {
      errors.push('No completed backups found for schedule');
      return { errors, spec };
    }
    spec.backupName = newest.backup.metadata.name;
  }
  const backup = all.find((b) => b.backup.metadata.name === spec.backupName);
  if (!backup) {
    errors.push(`Error retrieving backup: backups.velero.io "${spec.backupName}" not found`);
    return { errors, spec };
  }
  let modifiers: ParsedModifiers | undefined;
  if (spec.resourceModifier && spec.resourceModifier.kind.toLowerCase() === 'configmap') {
    const ref = `${restore.metadata.namespace}/${spec.resourceModifier.name}`;
    const cm = input.cluster.get('v1', 'ConfigMap', restore.metadata.namespace, spec.resourceModifier.name);
    if (!cm) {
      errors.push(`failed to get resource modifiers configmap ${ref}`);
      return { errors, spec };
    }
    const parsed = parseResourceModifiers(cm);
    if (typeof parsed === 'string') {
      errors.push(parsed.replace('%s', ref));
      return { errors, spec };
    }
    modifiers = parsed;
  }
  return { errors, spec, backup, modifiers };
}

const startOf = (b: BackupContents) => String((b.backup.status as { startTimestamp?: string }).startTimestamp ?? '');

/** Runs one Restore to its terminal phase. */
export function emulateRestore(input: RestoreInput): RestoreOutcome {
  const v = validateAndComplete(input);
  if (v.errors.length || !v.backup) {
    return { phase: 'FailedValidation', validationErrors: v.errors, warnings: [], errors: [], created: [] };
  }
  const ctx = new RestoreContext(input, v.spec, v.backup, v.modifiers);
  ctx.execute();
  return {
    phase: ctx.errors.length ? 'PartiallyFailed' : 'Completed',
    validationErrors: [],
    warnings: ctx.warnings,
    errors: ctx.errors,
    created: ctx.created,
  };
}

interface Selected {
  readonly gr: string;
  readonly namespace: string;
  readonly items: KubeObject[];
}

class RestoreContext {
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  readonly created: KubeObject[] = [];
  private readonly namespaces: IncludesExcludes;
  private readonly resources: IncludesExcludes;
  private readonly mustHave: Set<string>;
  private readonly restored = new Set<string>();
  private readonly existingNamespaces = new Set<string>();
  private readonly pvsToProvision = new Set<string>();
  private readonly restoreName: string;

  constructor(
    private readonly input: RestoreInput,
    private readonly spec: RestoreSpec,
    private readonly backup: BackupContents,
    private readonly modifiers: ParsedModifiers | undefined,
  ) {
    this.namespaces = new IncludesExcludes(spec.includedNamespaces ?? [], spec.excludedNamespaces ?? []);
    this.resources = resourceIncludesExcludes(
      spec.includedResources ?? [],
      spec.excludedResources ?? [],
      resolveFilterEntry,
    );
    // restore.go resourceMustHave: v1.15.0 datauploads only; v1.16.0+ also volumesnapshotcontents
    this.mustHave = new Set([
      'datauploads.velero.io',
      ...(minor(input.veleroVersion) >= 16 ? ['volumesnapshotcontents.snapshot.storage.k8s.io'] : []),
    ]);
    this.restoreName = input.restore.metadata.name!;
  }

  private get cluster(): ClusterView {
    return this.input.cluster;
  }

  private byGroupResource(): Map<string, Map<string, KubeObject[]>> {
    const out = new Map<string, Map<string, KubeObject[]>>();
    for (const item of this.backup.items) {
      const gr = groupResourceString(resourceOfObject(item));
      const ns = resourceOfObject(item).namespaced ? item.metadata.namespace! : '';
      const inner = out.get(gr) ?? new Map<string, KubeObject[]>();
      inner.set(ns, [...(inner.get(ns) ?? []), item]);
      out.set(gr, inner);
    }
    return out;
  }

  /** `execute`: the CRDs first, then every resource in priority order. */
  execute(): void {
    const backupResources = this.byGroupResource();
    const processed = new Set<string>();
    const crds = this.collection(backupResources, ['customresourcedefinitions'], processed);
    for (const s of crds) this.processSelected(s);
    const { high, low } = restorePriorities(this.input.veleroVersion);
    const prio = new Set([...high, ...low]);
    const rest = [...backupResources.keys()].filter((r) => !prio.has(r)).sort();
    for (const s of this.collection(backupResources, [...high, ...rest, ...low], processed)) this.processSelected(s);
  }

  /** `getOrderedResourceCollection`. */
  private collection(
    backupResources: Map<string, Map<string, KubeObject[]>>,
    order: readonly string[],
    processed: Set<string>,
  ): Selected[] {
    const out: Selected[] = [];
    for (const resource of order) {
      const gr = resolveFilterEntry(resource);
      if (processed.has(gr)) continue;
      if (!this.resources.shouldInclude(gr) && !this.mustHave.has(gr)) continue;
      const byNs = backupResources.get(gr);
      if (!byNs) continue;
      for (const ns of [...byNs.keys()].sort()) {
        if (ns !== '' && !this.namespaces.shouldInclude(ns) && !this.mustHave.has(gr)) continue;
        if (ns === '' && this.spec.includeClusterResources === false) continue;
        if (ns === '' && this.spec.includeClusterResources !== true && !this.namespaces.includeEverything()) continue;
        out.push({ gr, namespace: ns, items: byNs.get(ns)! });
      }
      processed.add(gr);
    }
    return out;
  }

  private targetNamespace(ns: string): string {
    return this.spec.namespaceMapping?.[ns] ?? ns;
  }

  /** `getNamespace` + `EnsureNamespaceExistsAndIsReady`: an existing namespace is reused as it is. */
  private ensureNamespace(original: string, target: string): void {
    if (this.existingNamespaces.has(target)) return;
    if (!this.cluster.get('v1', 'Namespace', undefined, target)) {
      const backedUp = this.backup.items.find((i) => i.kind === 'Namespace' && i.metadata.name === original);
      const ns: KubeObject = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: target,
          ...(backedUp?.metadata.labels ? { labels: structuredClone(backedUp.metadata.labels) } : {}),
          ...(backedUp?.metadata.annotations ? { annotations: structuredClone(backedUp.metadata.annotations) } : {}),
        },
        ...(backedUp?.spec ? { spec: structuredClone(backedUp.spec) } : {}),
      };
      this.created.push(this.cluster.create(ns));
    }
    this.existingNamespaces.add(target);
  }

  /** `processSelectedResource`. */
  private processSelected(s: Selected): void {
    for (const item of s.items) {
      if (s.gr === 'namespaces') {
        this.ensureNamespace(item.metadata.name!, this.targetNamespace(item.metadata.name!));
        continue; // restore.go: resource modifiers (restoreItem) never run on Namespaces
      }
      if (s.namespace !== '') this.ensureNamespace(s.namespace, this.targetNamespace(s.namespace));
      this.restoreItem(structuredClone(item), s.gr, s.namespace === '' ? '' : this.targetNamespace(s.namespace));
    }
  }

  /** `restoreItem`. Returns the object as it exists in the cluster afterwards, if it does. */
  private restoreItem(obj: KubeObject, gr: string, namespace: string): KubeObject | undefined {
    if (!this.resources.shouldInclude(gr) && !this.mustHave.has(gr)) return undefined;
    if (namespace !== '') {
      if (!this.namespaces.shouldInclude(obj.metadata.namespace!) && !this.mustHave.has(gr)) return undefined;
      this.ensureNamespace(obj.metadata.namespace!, namespace);
    } else if (this.spec.includeClusterResources === false) return undefined;
    if (isCompleted(obj, gr)) return undefined;
    const key = `${gr}/${namespace}/${obj.metadata.name}`;
    if (this.restored.has(key)) return undefined;
    this.restored.add(key);
    if (gr === 'persistentvolumes' && this.reprovisioned(obj)) return undefined;
    const fromBackup = structuredClone(obj);
    resetMetadataAndStatus(obj);
    const acted = this.runActions(obj, fromBackup, gr, namespace);
    if (!acted) return undefined;
    obj = acted;
    if (gr === 'persistentvolumeclaims') {
      const spec = obj.spec as { volumeName?: string };
      if (spec.volumeName && this.pvsToProvision.has(spec.volumeName)) delete spec.volumeName;
    }
    if (this.modifiers) {
      const res = applyModifiers(this.modifiers, obj, gr);
      obj = res.object as KubeObject;
      for (const e of res.errors) this.errors.push(`${namespace}: ${e}`);
    }
    if (namespace !== '') obj.metadata.namespace = namespace;
    obj.metadata.labels = {
      ...(obj.metadata.labels ?? {}),
      'velero.io/backup-name': validName(this.backup.backup.metadata.name!),
      'velero.io/restore-name': validName(this.restoreName),
    };
    return this.createOrReconcile(obj, gr, namespace);
  }

  /** PVs whose data comes back through a CSI snapshot (or are Delete-reclaimed) are re-provisioned, not restored. */
  private reprovisioned(pv: KubeObject): boolean {
    const claim = (pv.spec as { claimRef?: { namespace?: string; name?: string } }).claimRef;
    const pvc = this.backup.items.find(
      (i) =>
        i.kind === 'PersistentVolumeClaim' &&
        i.metadata.namespace === claim?.namespace &&
        i.metadata.name === claim?.name,
    );
    const csi = !!pvc?.metadata.annotations?.['velero.io/volume-snapshot-name'];
    const del = (pv.spec as { persistentVolumeReclaimPolicy?: string }).persistentVolumeReclaimPolicy === 'Delete';
    if (csi || del) this.pvsToProvision.add(pv.metadata.name!);
    return csi || del;
  }

  /** The restore item actions the project relies on (CSI PVC and VolumeSnapshot). */
  private runActions(obj: KubeObject, fromBackup: KubeObject, gr: string, namespace: string): KubeObject | undefined {
    const id = `${gr}/${namespace ? `${namespace}/` : ''}${obj.metadata.name}`;
    try {
      if (gr === 'persistentvolumeclaims') return this.pvcAction(obj, fromBackup, namespace);
      if (gr === 'volumesnapshots.snapshot.storage.k8s.io')
        return this.volumeSnapshotAction(obj, fromBackup, namespace);
      if (gr === 'volumesnapshotcontents.snapshot.storage.k8s.io') return volumeSnapshotContentAction(obj, this.spec);
      return obj;
    } catch (e) {
      this.errors.push(`${namespace}: error preparing ${id}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** pvc_action.go `Execute`. */
  private pvcAction(pvc: KubeObject, fromBackup: KubeObject, namespace: string): KubeObject {
    const ann = { ...(pvc.metadata.annotations ?? {}) };
    for (const k of [
      'pv.kubernetes.io/bind-completed',
      'pv.kubernetes.io/bound-by-controller',
      'volume.kubernetes.io/storage-provisioner',
      'volume.beta.kubernetes.io/storage-provisioner',
      'volume.kubernetes.io/selected-node',
      'velero.io/volume-snapshot-name',
      'velero.io/data-upload-name',
    ]) {
      delete ann[k];
    }
    pvc.metadata.annotations = ann;
    const spec = pvc.spec as Record<string, unknown>;
    if (this.spec.restorePVs === false) {
      delete spec.volumeName;
      delete spec.dataSource;
      delete spec.dataSourceRef;
      return pvc;
    }
    const backupSpec = this.backup.backup.spec as { snapshotMoveData?: boolean };
    const fromAnn = fromBackup.metadata.annotations ?? {};
    if (backupSpec.snapshotMoveData) {
      const du = fromAnn['velero.io/data-upload-name'];
      if (du && !this.backup.items.some((i) => i.kind === 'DataUpload' && i.metadata.name === du)) {
        throw new Error(`Fail to restore from DataUploadResult: no DataUpload ${du} in the backup`);
      }
      return pvc;
    }
    const vsName = fromAnn['velero.io/volume-snapshot-name'];
    if (!vsName) return pvc;
    const vs = this.cluster.get('snapshot.storage.k8s.io/v1', 'VolumeSnapshot', namespace, vsName);
    if (!vs) {
      throw new Error(
        `Failed to get Volumesnapshot ${namespace}/${vsName} to restore PVC ${namespace}/${pvc.metadata.name}: volumesnapshots.snapshot.storage.k8s.io "${vsName}" not found`,
      );
    }
    delete spec.volumeName;
    spec.dataSource = { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: vsName };
    spec.dataSourceRef = { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: vsName };
    return pvc;
  }

  /** volumesnapshot_action.go `Execute`. */
  private volumeSnapshotAction(vs: KubeObject, fromBackup: KubeObject, namespace: string): KubeObject | undefined {
    if (this.spec.restorePVs === false) return undefined;
    if (this.cluster.get('snapshot.storage.k8s.io/v1', 'VolumeSnapshot', namespace, vs.metadata.name!)) return vs;
    const ann = vs.metadata.annotations ?? {};
    const spec = vs.spec as { source: Record<string, unknown> };
    if (minor(this.input.veleroVersion) < 16) {
      for (const a of ['velero.io/csi-volumesnapshot-handle', 'velero.io/csi-driver-name']) {
        if (!ann[a])
          throw new Error(
            `VolumeSnapshot ${vs.metadata.namespace}/${vs.metadata.name} does not have a ${a} annotation`,
          );
      }
      const vsc = this.cluster.create({
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotContent',
        metadata: {
          generateName: `${vs.metadata.name}-`,
          labels: { 'velero.io/restore-name': validName(this.restoreName) },
        },
        spec: {
          deletionPolicy: 'Retain',
          driver: ann['velero.io/csi-driver-name'],
          volumeSnapshotRef: {
            apiVersion: 'snapshot.storage.k8s.io/v1',
            kind: 'VolumeSnapshot',
            namespace,
            name: vs.metadata.name,
          },
          source: { snapshotHandle: ann['velero.io/csi-volumesnapshot-handle'] },
        },
      });
      this.created.push(vsc);
      spec.source = { volumeSnapshotContentName: vsc.metadata.name };
      vs.metadata.annotations = { ...ann, 'velero.io/csi-vsc-deletion-policy': 'Retain' };
      return vs;
    }
    // v1.16+: the backed-up content is an additional item (resourceMustHave), statically bound to the VS
    // v1.16.2 volumesnapshot_action.go `Execute`: the additional item is the content the backed-up VolumeSnapshot
    // is bound to (status.boundVolumeSnapshotContentName; none is an error), never one found by name: snapshots of
    // claims of one name in several namespaces share their name
    const bound = (fromBackup.status as { boundVolumeSnapshotContentName?: string } | undefined)
      ?.boundVolumeSnapshotContentName;
    if (!bound) throw new Error(`VS ${fromBackup.metadata.name} doesn't have bound VSC`);
    const backedUp = this.backup.items.find((i) => i.kind === 'VolumeSnapshotContent' && i.metadata.name === bound);
    if (backedUp) {
      const restoredVsc = this.restoreItem(
        structuredClone(backedUp),
        'volumesnapshotcontents.snapshot.storage.k8s.io',
        '',
      );
      if (restoredVsc) spec.source = { volumeSnapshotContentName: restoredVsc.metadata.name };
    }
    return vs;
  }

  /** Creates the object, or handles the existing one per `existingResourcePolicy` (restoreItem's tail). */
  private createOrReconcile(obj: KubeObject, gr: string, namespace: string): KubeObject | undefined {
    const existing = this.cluster.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name!);
    if (!existing) {
      try {
        const created = this.cluster.create(obj);
        this.created.push(created);
        return created;
      } catch (e) {
        this.errors.push(`${namespace}: error restoring ${gr}/${obj.metadata.name}: ${(e as Error).message}`);
        return undefined;
      }
    }
    const inCluster = structuredClone(existing);
    resetMetadataAndStatus(inCluster);
    inCluster.metadata.labels = {
      ...(inCluster.metadata.labels ?? {}),
      'velero.io/backup-name': obj.metadata.labels!['velero.io/backup-name'],
      'velero.io/restore-name': obj.metadata.labels!['velero.io/restore-name'],
    };
    if (JSON.stringify(sortKeys(inCluster)) === JSON.stringify(sortKeys(obj))) return existing;
    if (this.spec.existingResourcePolicy === 'update') {
      const updated = this.cluster.update({
        ...obj,
        metadata: { ...existing.metadata, ...obj.metadata },
        status: existing.status,
      });
      return updated;
    }
    this.warnings.push(
      `${namespace}: could not restore, ${obj.kind} "${obj.metadata.name}" already exists. Warning: the in-cluster version is different than the backed-up version`,
    );
    return existing;
  }
}

/** volumesnapshotcontent_action.go (v1.16+): the content points at the mapped namespace, deletionPolicy Retain. */
function volumeSnapshotContentAction(vsc: KubeObject, spec: RestoreSpec): KubeObject {
  const s = vsc.spec as { volumeSnapshotRef: { namespace: string }; deletionPolicy: string };
  s.volumeSnapshotRef.namespace =
    spec.namespaceMapping?.[s.volumeSnapshotRef.namespace] ?? s.volumeSnapshotRef.namespace;
  s.deletionPolicy = 'Retain';
  return vsc;
}

/** `isCompleted`: finished pods and jobs are not restored. */
function isCompleted(obj: KubeObject, gr: string): boolean {
  const status = (obj.status ?? {}) as { phase?: string; completionTime?: string };
  if (gr === 'pods') return status.phase === 'Succeeded' || status.phase === 'Failed';
  if (gr === 'jobs.batch') return !!status.completionTime;
  return false;
}

/** `resetMetadataAndStatus`. */
function resetMetadataAndStatus(obj: KubeObject): void {
  for (const k of [
    'generateName',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'ownerReferences',
  ]) {
    delete obj.metadata[k];
  }
  delete obj.status;
}

/** pkg/label/label.go `GetValidName` for names of at most 63 characters (the emulated names are). */
function validName(name: string): string {
  if (name.length > 63) throw new Error(`emulated Velero: label value '${name}' needs GetValidName's hash`);
  return name;
}

function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.entries(x as Record<string, unknown>)
        .filter(
          ([, v]) =>
            v !== undefined && !(v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0),
        )
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return x;
}
