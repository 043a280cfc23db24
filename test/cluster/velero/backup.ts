/**
 * The emulated Velero backup: which items a Backup (or a Schedule's template) takes from a cluster, as
 * velero-io/velero@v1.15.0 does it (the same rules hold at v1.18.1):
 * - validation: pkg/controller/backup_controller.go `prepareBackupRequest` (resource lists with
 *   `ValidateIncludesExcludes`, namespaces with `ValidateNamespaceIncludesExcludes`) -> FailedValidation;
 * - namespaced items: pkg/backup/item_collector.go `getResourceItems` (namespace filter) and the
 *   namespaces themselves through `collectNamespaces` (the same filter on their names);
 * - cluster-scoped items: pkg/util/collections/includes_excludes.go `GlobalIncludesExcludes.ShouldInclude`
 *   (`includeClusterResources` false: none; unset: only when every namespace is included; true: all);
 * - a PVC brings its PV (pkg/backup/actions/backup_pv_action.go, an additional item, kept unless
 *   `ShouldExclude`), and with `snapshotVolumes` a CSI snapshot: pkg/backup/actions/csi/pvc_action.go
 *   creates a VolumeSnapshot of the PVC (class: the one labelled `velero.io/csi-volumesnapshot-class` for the
 *   PV's driver), annotates the PVC with `velero.io/volume-snapshot-name`, and the VolumeSnapshot action
 *   (volumesnapshot_action.go) stores it with its VolumeSnapshotContent and the `velero.io/csi-volumesnapshot-handle`
 *   and `velero.io/csi-driver-name` annotations the restore needs.
 * Not emulated: label selectors, the new-style scoped filters, hooks, file-system backup, data movement.
 */
import type { BackupContents, KubeObject } from '../types';
import { groupResourceString, resolveFilterEntry, resourceOfObject } from './discovery';
import {
  IncludesExcludes,
  resourceIncludesExcludes,
  validateIncludesExcludes,
  validateNamespaceIncludesExcludes,
} from './includes-excludes';

/** The fields of a velero.io/v1 BackupSpec the emulation reads (a Schedule's `spec.template`). */
export interface BackupSpec {
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  includeClusterResources?: boolean;
  snapshotVolumes?: boolean;
  snapshotMoveData?: boolean;
  storageLocation?: string;
  [k: string]: unknown;
}

export interface BackupInput {
  /** A velero.io/v1 Schedule (its `spec.template` is the Backup's spec) or Backup. */
  readonly source: KubeObject;
  /** Every object of the cluster at backup time. */
  readonly objects: readonly KubeObject[];
  /** RFC 3339 start time; the Backup is named `<schedule>-<yyyyMMddHHmmss>` as the schedule controller names it. */
  readonly startTimestamp: string;
}

const clone = <T>(x: T): T => structuredClone(x);

function backupObject(input: BackupInput, spec: BackupSpec): KubeObject {
  const src = input.source;
  const fromSchedule = src.kind === 'Schedule';
  // pkg/controller/schedule_controller.go getBackup: <schedule>-<timestamp 20060102150405>, label velero.io/schedule-name
  const stamp = input.startTimestamp.replace(/[-:TZ]/g, '').slice(0, 14);
  const name = fromSchedule ? `${src.metadata.name}-${stamp}` : src.metadata.name!;
  const templateLabels = (fromSchedule ? (spec.metadata as { labels?: Record<string, string> })?.labels : {}) ?? {};
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      name,
      namespace: src.metadata.namespace,
      labels: { ...templateLabels, ...(fromSchedule ? { 'velero.io/schedule-name': src.metadata.name! } : {}) },
    },
    spec: clone(spec),
    status: { phase: 'New', startTimestamp: input.startTimestamp },
  };
}

function validationErrors(spec: BackupSpec): string[] {
  return [
    ...validateIncludesExcludes(spec.includedResources ?? [], spec.excludedResources ?? []).map(
      (e) => `Invalid included/excluded resource lists: ${e}`,
    ),
    ...validateNamespaceIncludesExcludes(spec.includedNamespaces ?? [], spec.excludedNamespaces ?? []).map(
      (e) => `Invalid included/excluded namespace lists: ${e}`,
    ),
  ];
}

/** Backs `input.objects` up as Velero would; a spec that fails validation yields a FailedValidation Backup and no items. */
export function emulateBackup(input: BackupInput): BackupContents {
  const spec: BackupSpec = clone(
    (input.source.kind === 'Schedule'
      ? (input.source.spec as { template: BackupSpec }).template
      : input.source.spec) as BackupSpec,
  );
  const backup = backupObject(input, spec);
  const status = backup.status as Record<string, unknown>;
  const errors = validationErrors(spec);
  if (errors.length) {
    Object.assign(status, { phase: 'FailedValidation', validationErrors: errors });
    return { backup, items: [] };
  }
  const namespaces = new IncludesExcludes(spec.includedNamespaces ?? [], spec.excludedNamespaces ?? []);
  const resources = resourceIncludesExcludes(
    spec.includedResources ?? [],
    spec.excludedResources ?? [],
    resolveFilterEntry,
  );
  const icr = spec.includeClusterResources;
  // GlobalIncludesExcludes.ShouldInclude
  const shouldIncludeType = (gr: string, namespaced: boolean) => {
    if (!namespaced && icr === false) return false;
    if (gr !== 'namespaces' && !namespaced && icr === undefined && !namespaces.includeEverything()) return false;
    return resources.shouldInclude(gr);
  };
  // GlobalIncludesExcludes.ShouldExclude (additional items)
  const shouldExcludeType = (gr: string, namespaced: boolean) => {
    if ([...resources.excludes].includes(gr)) return true;
    if (!namespaced && (icr === false || (icr === undefined && !resources.shouldInclude(gr)))) return true;
    return false;
  };
  const items: KubeObject[] = [];
  const seen = new Set<string>();
  const add = (o: KubeObject) => {
    const key = `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const copy = clone(o);
    copy.metadata.labels = { ...(copy.metadata.labels ?? {}) };
    items.push(copy);
  };
  const byKind = (kind: string) => input.objects.filter((o) => o.kind === kind);
  for (const obj of input.objects) {
    const res = resourceOfObject(obj);
    const gr = groupResourceString(res);
    if (!shouldIncludeType(gr, res.namespaced)) continue;
    if (gr === 'namespaces') {
      if (namespaces.shouldInclude(obj.metadata.name!)) add(obj);
      continue;
    }
    if (res.namespaced && !namespaces.shouldInclude(obj.metadata.namespace!)) continue;
    if (gr !== 'persistentvolumeclaims') {
      add(obj);
      continue;
    }
    const pvc = clone(obj);
    const pvName = (pvc.spec as { volumeName?: string }).volumeName;
    const pv = byKind('PersistentVolume').find((p) => p.metadata.name === pvName);
    const driver = (pv?.spec as { csi?: { driver?: string } } | undefined)?.csi?.driver;
    const vsClass = byKind('VolumeSnapshotClass').find(
      (c) => c.driver === driver && c.metadata.labels?.['velero.io/csi-volumesnapshot-class'] === 'true',
    );
    if (
      spec.snapshotVolumes !== false &&
      driver &&
      vsClass &&
      !shouldExcludeType('volumesnapshots.snapshot.storage.k8s.io', true)
    ) {
      const [vs, vsc] = csiSnapshot(pvc, driver, vsClass.metadata.name!, backup.metadata.name!);
      pvc.metadata.annotations = {
        ...(pvc.metadata.annotations ?? {}),
        'velero.io/volume-snapshot-name': vs.metadata.name!,
      };
      pvc.metadata.labels = { ...(pvc.metadata.labels ?? {}), 'velero.io/volume-snapshot-name': vs.metadata.name! };
      add(pvc);
      add(vs);
      if (!shouldExcludeType('volumesnapshotcontents.snapshot.storage.k8s.io', false)) add(vsc);
    } else add(pvc);
    if (pv && !shouldExcludeType('persistentvolumes', false)) add(pv);
  }
  Object.assign(status, { phase: 'Completed', completionTimestamp: input.startTimestamp });
  return { backup, items };
}

/** The VolumeSnapshot and VolumeSnapshotContent the CSI actions store for one PVC (names as velero makes them). */
function csiSnapshot(pvc: KubeObject, driver: string, className: string, backupName: string): [KubeObject, KubeObject] {
  const ns = pvc.metadata.namespace!;
  const vsName = `velero-${pvc.metadata.name}-${backupName.slice(-5)}`;
  const vscName = `snapcontent-${ns}-${vsName}`;
  const handle = `snapshot-${ns}-${pvc.metadata.name}-${backupName}`;
  const vs: KubeObject = {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name: vsName,
      namespace: ns,
      labels: { 'velero.io/backup-name': backupName },
      annotations: { 'velero.io/csi-volumesnapshot-handle': handle, 'velero.io/csi-driver-name': driver },
    },
    spec: { source: { persistentVolumeClaimName: pvc.metadata.name }, volumeSnapshotClassName: className },
    status: { boundVolumeSnapshotContentName: vscName, readyToUse: true },
  };
  const vsc: KubeObject = {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotContent',
    metadata: { name: vscName, labels: { 'velero.io/backup-name': backupName } },
    spec: {
      deletionPolicy: 'Retain',
      driver,
      source: { snapshotHandle: handle },
      volumeSnapshotClassName: className,
      volumeSnapshotRef: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        namespace: ns,
        name: vsName,
      },
    },
    status: { snapshotHandle: handle, readyToUse: true },
  };
  return [vs, vsc];
}
