/**
 * `PVCNotSnapshottable`: a PVC in a namespace whose volumes only CSI snapshots protect, on a
 * StorageClass whose provisioner has no VolumeSnapshotClass in the stack (local-path, NFS without snapshots).
 * Velero skips such a volume's data without an error, and the backup still ends Completed; the coverage alert
 * (PVCNotCoveredByBackup) counts the namespace as protected. Built from kube-state-metrics'
 * `kube_persistentvolumeclaim_info{namespace, persistentvolumeclaim, storageclass}` and
 * `kube_storageclass_info{storageclass, provisioner}`.
 *
 * A volume is out of the alert when the config protects it otherwise or says why it is not protected: a
 * schedule with `defaultVolumesToFsBackup` covers its namespace, it is opted into file-system backup by name
 * (`fsBackupVolumes`: the pod annotation `backup.velero.io/backup-volumes`), or it is declared unprotected
 * with a reason (`unprotectedVolumes`, or its namespace in `unprotectedNamespaces`). The same rule decides the
 * plan report's list (lib/plan/plan.ts), so the two never disagree.
 */
import {
  uncoveredNamespaceMatcher,
  uncoveredNamespaces,
  type CoverageSchedule,
  type UncoveredNamespaces,
} from '../schedule/coverage';
import type { AlertRule, AlertTestCase } from './promtool';

/** What the rule needs of a schedule (`BackupSchedule` has all of it). */
export interface SnapshotCoverageSchedule extends CoverageSchedule {
  /** Takes CSI snapshots of the PVCs. */
  readonly snapshotVolumes: boolean;
  /** Backs up every pod volume by file-system backup (kopia through the node-agent). */
  readonly defaultVolumesToFsBackup: boolean;
}

/** A PVC named in the config. */
export interface VolumeReference {
  readonly namespace: string;
  readonly pvc: string;
}

/** Which volumes CSI snapshots can take, and the config's exceptions. */
export interface VolumeSnapshotSupport {
  /** CSI drivers with a VolumeSnapshotClass in the stack (`CsiSnapshotStack.driver`). */
  readonly snapshotDrivers: readonly string[];
  /**
   * PVCs opted into file-system backup one by one (their pods carry `backup.velero.io/backup-volumes`); needs
   * the node-agent. @default []
   */
  readonly fsBackupVolumes?: readonly VolumeReference[];
  /** PVCs deliberately not backed up, each with its reason. @default [] */
  readonly unprotectedVolumes?: readonly (VolumeReference & { readonly reason: string })[];
}

export const UNSNAPSHOTTABLE_ALERT = 'PVCNotSnapshottable';
/** A new PVC gets an hour before it counts (same as PVCNotCoveredByBackup). */
const FOR = '1h';

/** True when the volume data of `namespace` is protected by file-system backup of a schedule that is not paused. */
function fsBackupProtects(schedules: readonly SnapshotCoverageSchedule[], namespace: string): boolean {
  return schedules.some((s) => !s.paused && s.defaultVolumesToFsBackup && s.protectsVolumesIn(namespace));
}

/** True when only CSI snapshots protect the volumes of `namespace` (a snapshotting schedule, no fs-backup one). */
export function snapshotsOnlyProtect(schedules: readonly SnapshotCoverageSchedule[], namespace: string): boolean {
  const snapshotted = schedules.some((s) => !s.paused && s.snapshotVolumes && s.protectsVolumesIn(namespace));
  return snapshotted && !fsBackupProtects(schedules, namespace);
}

/**
 * The namespaces whose PVCs need a snapshot-capable StorageClass, as coverage.ts's namespace sets: the
 * schedules' own namespace filters decide, and declared-unprotected namespaces are out.
 */
function snapshotOnlyProbe(schedules: readonly SnapshotCoverageSchedule[]): CoverageSchedule[] {
  // uncoveredNamespaces lists namespaces that no schedule "protects": a probe that protects every namespace
  // NOT snapshot-only turns that into the snapshot-only set (the schedules are passed for their names only)
  return [
    ...schedules.map((s) => ({
      name: s.name,
      paused: false,
      includedNamespaces: s.includedNamespaces,
      excludedNamespaces: s.excludedNamespaces,
      protectsVolumesIn: () => false,
    })),
    {
      name: 'probe',
      paused: false,
      includedNamespaces: [],
      excludedNamespaces: [],
      protectsVolumesIn: (ns: string) => !snapshotsOnlyProtect(schedules, ns),
    },
  ];
}

/** The snapshot-only namespaces (minus the declared ones), in coverage.ts's form. */
export function snapshotOnlyNamespaces(
  schedules: readonly SnapshotCoverageSchedule[],
  unprotectedNamespaces: readonly string[],
) {
  return uncoveredNamespaces(snapshotOnlyProbe(schedules), unprotectedNamespaces);
}

/** A PromQL regex that matches exactly these strings. */
function exactRegex(values: readonly string[]): string {
  // in a PromQL string `\\.` is the regex `\.`
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`)).join('|');
}

function series(name: string, l: Record<string, string>): string {
  return `${name}{${Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

/** Why a PVC is or is not reported, for the plan report (the alert's rule, evaluated for one PVC). */
export type VolumeSnapshotVerdict =
  | { readonly kind: 'not-snapshot-only' }
  | { readonly kind: 'snapshottable'; readonly driver: string }
  | { readonly kind: 'fs-backup-opt-in' }
  | { readonly kind: 'declared-unprotected'; readonly reason: string }
  | { readonly kind: 'not-snapshottable'; readonly provisioner?: string };

export function volumeSnapshotVerdict(
  schedules: readonly SnapshotCoverageSchedule[],
  support: VolumeSnapshotSupport,
  unprotectedNamespaces: Readonly<Record<string, string>>,
  pvc: VolumeReference & { readonly provisioner?: string },
): VolumeSnapshotVerdict {
  if (unprotectedNamespaces[pvc.namespace] !== undefined || !snapshotsOnlyProtect(schedules, pvc.namespace)) {
    return { kind: 'not-snapshot-only' };
  }
  if (pvc.provisioner && support.snapshotDrivers.includes(pvc.provisioner)) {
    return { kind: 'snapshottable', driver: pvc.provisioner };
  }
  const same = (v: VolumeReference) => v.namespace === pvc.namespace && v.pvc === pvc.pvc;
  if ((support.fsBackupVolumes ?? []).some(same)) return { kind: 'fs-backup-opt-in' };
  const declared = (support.unprotectedVolumes ?? []).find(same);
  if (declared) return { kind: 'declared-unprotected', reason: declared.reason };
  return { kind: 'not-snapshottable', provisioner: pvc.provisioner };
}

/** Checks the config's exceptions: named, unique, with a reason. Throws one line naming the field. */
export function checkVolumeSnapshotSupport(support: VolumeSnapshotSupport): void {
  const seen = new Set<string>();
  const all: [string, VolumeReference & { reason?: string }][] = [
    ...(support.fsBackupVolumes ?? []).map((v, i) => [`fsBackupVolumes[${i}]`, v] as [string, VolumeReference]),
    ...(support.unprotectedVolumes ?? []).map(
      (v, i) => [`unprotectedVolumes[${i}]`, v] as [string, VolumeReference & { reason: string }],
    ),
  ];
  for (const [field, v] of all) {
    const key = `${v.namespace}/${v.pvc}`;
    if (!v.namespace || !v.pvc) throw new Error(`volume snapshots: ${field} needs a namespace and a pvc, got '${key}'`);
    if (field.startsWith('unprotected') && !v.reason?.trim()) {
      throw new Error(`volume snapshots: ${field} '${key}' needs a reason: say why its data is not backed up`);
    }
    if (seen.has(key)) {
      throw new Error(`volume snapshots: ${field} '${key}' is listed twice; keep one entry per PVC`);
    }
    seen.add(key);
  }
}

/** The rule and its promtool cases, with `labels` (routing and severity); undefined when no namespace needs snapshots. */
export function unsnapshottableVolumeRule(
  schedules: readonly SnapshotCoverageSchedule[],
  support: VolumeSnapshotSupport,
  unprotectedNamespaces: readonly string[],
  labels: Readonly<Record<string, string>>,
): { rule: AlertRule; tests: AlertTestCase[] } | undefined {
  checkVolumeSnapshotSupport(support);
  const probe = snapshotOnlyProbe(schedules);
  const matcher = uncoveredNamespaceMatcher(probe, unprotectedNamespaces);
  if (matcher === undefined) return undefined;
  const set = uncoveredNamespaces(probe, unprotectedNamespaces);
  const drivers = [...support.snapshotDrivers];
  const exceptions = [...(support.fsBackupVolumes ?? []), ...(support.unprotectedVolumes ?? [])];
  const rule = unsnapshottableRule(matcher, drivers, exceptions, labels);
  return { rule, tests: unsnapshottableTests(rule, set, drivers, exceptions) };
}

/** The alert: a PVC of a snapshot-only namespace whose StorageClass no snapshot-capable driver serves. */
function unsnapshottableRule(
  matcher: string,
  drivers: readonly string[],
  exceptions: readonly VolumeReference[],
  labels: Readonly<Record<string, string>>,
): AlertRule {
  const pvcs = `max by (namespace, persistentvolumeclaim, storageclass) (kube_persistentvolumeclaim_info${matcher ? `{${matcher}}` : ''})`;
  const capable = drivers.length
    ? ` unless on (storageclass) max by (storageclass) (kube_storageclass_info{provisioner=~"${exactRegex(drivers)}"})`
    : '';
  const excepted = exceptions.length
    ? ` unless on (namespace, persistentvolumeclaim) (${exceptions
        .map((v) => `kube_persistentvolumeclaim_info{namespace="${v.namespace}", persistentvolumeclaim="${v.pvc}"}`)
        .join(' or ')})`
    : '';
  return {
    alert: UNSNAPSHOTTABLE_ALERT,
    expr: `${pvcs}${capable}${excepted}`,
    for: FOR,
    labels: { ...labels, severity: 'warning' },
    annotations: {
      summary:
        'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} cannot be snapshotted: backups skip its data',
      description: [
        drivers.length
          ? `PVC {{ $labels.persistentvolumeclaim }} in namespace {{ $labels.namespace }} uses StorageClass {{ $labels.storageclass }}, whose provisioner has no VolumeSnapshotClass in this stack (CSI drivers with one: ${drivers.join(', ')}), and only CSI snapshots protect the volumes of that namespace. Velero skips the volume's data and the backup still ends Completed.`
          : `PVC {{ $labels.persistentvolumeclaim }} in namespace {{ $labels.namespace }} (StorageClass {{ $labels.storageclass }}) cannot be snapshotted: the config names no CSI driver (csi.volumeSnapshotClass.driver), so this stack has no VolumeSnapshotClass at all, and only CSI snapshots protect the volumes of that namespace. Velero skips the volume's data (or, for a CSI volume, fails its snapshot: PartiallyFailed). Name the driver: kubectl get storageclass, column PROVISIONER (docs/pitfalls.md#csi-driver).`,
        'Move the PVC to a snapshot-capable StorageClass, back it up by file-system backup (a schedule with defaultVolumesToFsBackup, or list it in fsBackupVolumes and annotate its pod backup.velero.io/backup-volumes), or declare it in unprotectedVolumes with a reason (in the config).',
        'First steps:',
        '- kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }} -o jsonpath={.spec.storageClassName}',
        '- kubectl get storageclass {{ $labels.storageclass }} -o jsonpath={.provisioner}',
        '- kubectl get volumesnapshotclass',
      ].join('\n'),
    },
  };
}

/** A namespace the rule watches (`inside`) and one it does not (`outside`; none when it watches all). */
function probeNamespaces(set: UncoveredNamespaces): { inside: string; outside: string | undefined } {
  const named = set.kind === 'only' || set.kind === 'allExcept' ? set.namespaces : [];
  let inside = set.kind === 'only' ? set.namespaces[0] : 'unlisted-app';
  while (set.kind === 'allExcept' && named.includes(inside)) inside += '-x';
  let outside: string | undefined = set.kind === 'allExcept' ? set.namespaces[0] : 'unlisted-app';
  while (set.kind === 'only' && named.includes(outside)) outside += '-x';
  if (set.kind === 'all') outside = undefined;
  return { inside, outside };
}

const KSM = { job: 'kube-state-metrics' };

/** kube-state-metrics' series of a PVC. */
function pvcSeries(namespace: string, name: string, storageclass: string) {
  return {
    series: series('kube_persistentvolumeclaim_info', {
      ...KSM,
      namespace,
      persistentvolumeclaim: name,
      storageclass,
      volumename: `pvc-${name}`,
    }),
    values: '1x120',
  };
}

/** kube-state-metrics' series of a StorageClass. */
function storageClassSeries(storageclass: string, provisioner: string) {
  return {
    series: series('kube_storageclass_info', {
      ...KSM,
      storageclass,
      provisioner,
      reclaim_policy: 'Delete',
      volume_binding_mode: 'WaitForFirstConsumer',
    }),
    values: '1x120',
  };
}

/** The promtool cases: fires on local-path inside, silent when young, on a capable class, outside, or excepted. */
function unsnapshottableTests(
  rule: AlertRule,
  set: UncoveredNamespaces,
  drivers: readonly string[],
  exceptions: readonly VolumeReference[],
): AlertTestCase[] {
  const { inside, outside } = probeNamespaces(set);
  const local = storageClassSeries('local-path', 'rancher.io/local-path');
  const caseOf = (name: string, s: AlertTestCase['series'], firing: Record<string, string>[]): AlertTestCase => ({
    name: `${UNSNAPSHOTTABLE_ALERT}: ${name}`,
    rule,
    interval: '1m',
    series: s,
    evalTime: '90m',
    firing,
  });
  const tests: AlertTestCase[] = [
    caseOf(
      `a PVC on local-path (no VolumeSnapshotClass) in snapshot-only namespace '${inside}' fires`,
      [local, pvcSeries(inside, 'data', 'local-path')],
      [{ namespace: inside, persistentvolumeclaim: 'data', storageclass: 'local-path' }],
    ),
    caseOf(
      `a PVC on local-path younger than ${FOR} stays silent`,
      [local, { ...pvcSeries(inside, 'data', 'local-path'), values: '_x60 1x60' }],
      [],
    ),
  ];
  if (!drivers.length) {
    // no driver named: no provisioner is snapshot-capable, a CSI driver's class included
    tests.push(
      caseOf(
        `no CSI driver named: a PVC on a class of driver.longhorn.io in '${inside}' fires too`,
        [storageClassSeries('longhorn', 'driver.longhorn.io'), pvcSeries(inside, 'data', 'longhorn')],
        [{ namespace: inside, persistentvolumeclaim: 'data', storageclass: 'longhorn' }],
      ),
    );
  }
  if (drivers.length) {
    tests.push(
      caseOf(
        `a PVC on a class of ${drivers[0]} (snapshot-capable) in '${inside}' stays silent`,
        [local, storageClassSeries('csi-snapshots', drivers[0]), pvcSeries(inside, 'data', 'csi-snapshots')],
        [],
      ),
    );
  }
  if (outside !== undefined) {
    tests.push(
      caseOf(
        `a PVC on local-path in '${outside}' (not protected by CSI snapshots alone) stays silent`,
        [local, pvcSeries(outside, 'data', 'local-path')],
        [],
      ),
    );
  }
  if (exceptions.length) {
    const e = exceptions[0];
    tests.push(
      caseOf(
        `PVC ${e.namespace}/${e.pvc} (opted into fs-backup or declared unprotected) stays silent`,
        [local, pvcSeries(e.namespace, e.pvc, 'local-path')],
        [],
      ),
    );
  }
  return tests;
}
