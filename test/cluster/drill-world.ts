/**
 * What the restore drill needs around the emulated API server, until the Velero emulation of test/cluster/velero/
 * is merged: a backup made from the rendered Schedule, a small Restore controller, a CSI provisioner and a
 * kubelet. Each is a hook on the ApiServer acting through its ClusterView, and each is named for what it stands in
 * for. The Restore controller takes its restore semantics from a `RestoreEmulation`: `drillRestoreEmulation`
 * here, which the lead swaps for `emulateRestore` (test/cluster/velero/) at merge.
 *
 * Volume data is a map of paths per volume. It travels the way CSI moves it: the backup holds a VolumeSnapshot
 * and its VolumeSnapshotContent (snapshotHandle), Velero restores both (the content with deletionPolicy Retain,
 * pointing at the mapped namespace: vmware-tanzu/velero@v1.15.0 pkg/restore/actions/csi/volumesnapshot_action.go)
 * and the PVC with the VolumeSnapshot as its dataSource (pvc_action.go), and the provisioner fills the new volume
 * from the snapshot handle. The kubelet runs the pod's own command (the verify script) with /bin/sh on a directory
 * that holds the volume's content, bind-mounted at the container's mountPath.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ApiServer } from './api-server';
import type { BackupContents, ClusterView, KubeObject, RestoreOutcome } from './types';

/** A volume's content: relative path -> file content; a path ending in `/` is an (empty) directory. */
export type VolumeContent = Readonly<Record<string, string>>;

/** What Velero's restore controller works from (the shape of test/cluster/velero/restore.ts `RestoreInput`). */
export interface RestoreEmulationInput {
  /** The velero.io/v1 Restore as created (name assigned). */
  readonly restore: KubeObject;
  readonly backups: readonly BackupContents[];
  readonly cluster: ClusterView;
  /** e.g. 'v1.15.0' */
  readonly veleroVersion: string;
}

/** How Velero processes one Restore against the cluster: `emulateRestore` of test/cluster/velero/ fits as is. */
export type RestoreEmulation = (input: RestoreEmulationInput) => RestoreOutcome;

export interface DrillWorldOptions {
  /** The source cluster's volumes (`<namespace>/<pvc>` -> content), as the backup captured them. */
  readonly volumes: Readonly<Record<string, VolumeContent>>;
  /** The StorageClass of the volumes. @default WaitForFirstConsumer, Retain (the drill then patches its PVs) */
  readonly storageClass?: {
    readonly volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
    readonly reclaimPolicy?: 'Retain' | 'Delete';
  };
  /** Fault: the provisioner never binds a PVC. */
  readonly provisionerDown?: boolean;
  /** The phase of the schedules' backups; anything but Completed is the fault "no Completed backup". @default 'Completed' */
  readonly backupPhase?: 'Completed' | 'PartiallyFailed' | 'Failed' | 'InProgress';
  /** The restore semantics. @default drillRestoreEmulation */
  readonly restore?: RestoreEmulation;
  /** The Velero release the render deploys. @default 'v1.15.0' */
  readonly veleroVersion?: string;
}

const SNAPSHOT_API = 'snapshot.storage.k8s.io/v1';
const STORAGE_CLASS = 'emulated-csi';
const DRIVER = 'csi.emulated.example';
const BACKUP_TIME = '2026-01-01T02:00:00Z';

/**
 * A Completed backup of a rendered Schedule, as Velero's schedule controller and backup would make it: named
 * `<schedule>-<timestamp>`, labelled `velero.io/schedule-name`, the schedule's template as its spec, holding
 * each volume of an included namespace as PVC + VolumeSnapshot + VolumeSnapshotContent.
 */
export function backupOfSchedule(
  schedule: KubeObject,
  volumes: Readonly<Record<string, VolumeContent>>,
  phase: string = 'Completed',
): BackupContents {
  const spec = (schedule.spec as { template: Record<string, unknown> }).template;
  const included = (spec.includedNamespaces as string[] | undefined) ?? ['*'];
  const name = `${schedule.metadata.name}-20260101020000`;
  const backup: KubeObject = {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      name,
      namespace: schedule.metadata.namespace,
      labels: {
        ...((spec.metadata as { labels?: Record<string, string> })?.labels ?? {}),
        'velero.io/schedule-name': schedule.metadata.name!,
      },
    },
    spec: Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'metadata')),
    status: { phase, startTimestamp: BACKUP_TIME, completionTimestamp: BACKUP_TIME, version: 1 },
  };
  const items: KubeObject[] = [];
  for (const key of Object.keys(volumes)) {
    const [ns, pvc] = key.split('/');
    if (!included.includes('*') && !included.includes(ns)) continue;
    const snapshot = `velero-${pvc}-abcde`;
    items.push(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: pvc, namespace: ns, labels: { 'app.kubernetes.io/instance': ns } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: STORAGE_CLASS,
          resources: { requests: { storage: '1Gi' } },
          volumeName: `pvc-source-${ns}-${pvc}`,
        },
        status: { phase: 'Bound' },
      },
      {
        apiVersion: SNAPSHOT_API,
        kind: 'VolumeSnapshot',
        metadata: { name: snapshot, namespace: ns, labels: { 'velero.io/backup-name': name } },
        spec: { source: { persistentVolumeClaimName: pvc }, volumeSnapshotClassName: 'emulated-snapclass' },
      },
      {
        apiVersion: SNAPSHOT_API,
        kind: 'VolumeSnapshotContent',
        metadata: { name: `snapcontent-${ns}-${pvc}`, labels: { 'velero.io/backup-name': name } },
        spec: {
          deletionPolicy: 'Retain',
          driver: DRIVER,
          source: { snapshotHandle: `snap:${ns}/${pvc}` },
          volumeSnapshotRef: { kind: 'VolumeSnapshot', namespace: ns, name: snapshot },
        },
      },
    );
  }
  return { backup, items };
}

/** `persistentvolumeclaims` or `volumesnapshots.snapshot.storage.k8s.io` (Velero resolves both through discovery). */
function resourceIncluded(included: readonly string[], kind: string, group: string): boolean {
  const plural = `${kind.toLowerCase()}s`;
  return included.length === 0 || included.some((r) => r === '*' || r === plural || r === `${plural}.${group}`);
}

/**
 * The restore semantics the drill relies on, each from vmware-tanzu/velero@v1.15.0:
 * - pkg/controller/restore_controller.go `validateAndComplete`: the backup must exist and be Completed, a
 *   ConfigMap resource modifier must exist in the Restore's namespace (line 400-404), else FailedValidation;
 * - pkg/restore/restore.go: only items of included namespaces and resources, created in the mapped namespace,
 *   labelled velero.io/backup-name and velero.io/restore-name (`addRestoreLabels`); existing objects kept
 *   (existingResourcePolicy none: a warning);
 * - pkg/restore/actions/csi/pvc_action.go: the PVC loses volumeName and status and gets its VolumeSnapshot as
 *   dataSource; volumesnapshot_action.go: the VolumeSnapshotContent is recreated with deletionPolicy Retain,
 *   pointing at the mapped namespace, labelled with the restore's name.
 * Resource modifiers are not applied here (nothing in the drill's volumes carries what they strip).
 */
interface DrillRestoreSpec {
  backupName?: string;
  includedNamespaces?: string[];
  includedResources?: string[];
  namespaceMapping?: Record<string, string>;
  resourceModifier?: { kind: string; name: string };
}

/** restore_controller.go `validateAndComplete`, the parts the drill's Restore meets. */
function validateDrillRestore(restore: KubeObject, cluster: ClusterView, backup: BackupContents | undefined): string[] {
  const spec = restore.spec as DrillRestoreSpec;
  const ns = restore.metadata.namespace!;
  const errors: string[] = [];
  const live = spec.backupName ? cluster.get('velero.io/v1', 'Backup', ns, spec.backupName) : undefined;
  if (!backup || !live) errors.push(`Error retrieving backup: backups.velero.io "${spec.backupName}" not found`);
  else if ((live.status as { phase?: string })?.phase !== 'Completed') errors.push('backup is not Completed');
  const modifier = spec.resourceModifier;
  if (modifier && modifier.kind.toLowerCase() === 'configmap' && !cluster.get('v1', 'ConfigMap', ns, modifier.name)) {
    errors.push(`failed to get resource modifiers configmap ${ns}/${modifier.name}`);
  }
  return errors;
}

/** The VolumeSnapshot of a backed-up PVC and its content, from the backup's items. */
function snapshotOf(backup: BackupContents, pvc: KubeObject): { snapshot?: KubeObject; content?: KubeObject } {
  const snapshot = backup.items.find(
    (i) =>
      i.kind === 'VolumeSnapshot' &&
      i.metadata.namespace === pvc.metadata.namespace &&
      (i.spec as { source: { persistentVolumeClaimName: string } }).source.persistentVolumeClaimName ===
        pvc.metadata.name,
  );
  const content =
    snapshot &&
    backup.items.find(
      (i) =>
        i.kind === 'VolumeSnapshotContent' &&
        (i.spec as { volumeSnapshotRef: { name: string } }).volumeSnapshotRef.name === snapshot.metadata.name,
    );
  return { snapshot, content };
}

/** One backed-up PVC into `target`: its VolumeSnapshot and content first (CSI), then the claim. */
function restorePvc(
  item: KubeObject,
  target: string,
  snap: { snapshot?: KubeObject; content?: KubeObject },
  labels: Record<string, string>,
  create: (o: KubeObject) => void,
): void {
  const { snapshot, content } = snap;
  if (snapshot && content) {
    create({
      ...snapshot,
      metadata: { ...snapshot.metadata, namespace: target, labels: { ...snapshot.metadata.labels, ...labels } },
    });
    create({
      ...content,
      metadata: { name: `velero-${target}-${item.metadata.name}`, labels: { ...content.metadata.labels, ...labels } },
      spec: {
        ...(content.spec as object),
        deletionPolicy: 'Retain',
        volumeSnapshotRef: { kind: 'VolumeSnapshot', namespace: target, name: snapshot.metadata.name },
      },
    });
  }
  // pvc_action.go: the claim is bound anew (no volumeName), from its VolumeSnapshot
  const spec = { ...(item.spec as Record<string, unknown>) };
  delete spec.volumeName;
  if (snapshot && content) {
    spec.dataSource = { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: snapshot.metadata.name };
  }
  create({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: item.metadata.name, namespace: target, labels: { ...item.metadata.labels, ...labels } },
    spec,
    status: { phase: 'Pending' },
  });
}

export const drillRestoreEmulation: RestoreEmulation = ({ restore, cluster, backups }) => {
  const spec = restore.spec as DrillRestoreSpec;
  const outcome = { warnings: [] as string[], errors: [] as string[], created: [] as KubeObject[] };
  const backup = backups.find((b) => b.backup.metadata.name === spec.backupName);
  const validationErrors = validateDrillRestore(restore, cluster, backup);
  if (validationErrors.length) return { phase: 'FailedValidation', validationErrors, ...outcome };
  const included = spec.includedNamespaces ?? ['*'];
  const resources = spec.includedResources ?? [];
  const labels = { 'velero.io/backup-name': spec.backupName!, 'velero.io/restore-name': restore.metadata.name! };
  const create = (o: KubeObject) => {
    try {
      outcome.created.push(cluster.create(o));
    } catch (e) {
      if ((e as { reason?: string }).reason === 'AlreadyExists')
        outcome.warnings.push(`${o.kind} ${o.metadata.name} already exists`);
      else outcome.errors.push(`${o.kind} ${o.metadata.name}: ${(e as Error).message}`);
    }
  };
  if (resourceIncluded(resources, 'PersistentVolumeClaim', '')) {
    for (const item of backup!.items.filter((i) => i.kind === 'PersistentVolumeClaim')) {
      const source = item.metadata.namespace!;
      if (!included.includes('*') && !included.includes(source)) continue;
      const snap = resourceIncluded(resources, 'VolumeSnapshot', 'snapshot.storage.k8s.io')
        ? snapshotOf(backup!, item)
        : {};
      restorePvc(item, spec.namespaceMapping?.[source] ?? source, snap, labels, create);
    }
  }
  return { phase: outcome.errors.length ? 'PartiallyFailed' : 'Completed', validationErrors, ...outcome };
};

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Velero's restore controller: runs the emulation on each new Restore and writes its terminal status. */
function installRestoreController(
  server: ApiServer,
  backups: readonly BackupContents[],
  options: DrillWorldOptions,
): void {
  const emulation = options.restore ?? drillRestoreEmulation;
  server.onCreate('velero.io/Restore', (restore) => {
    const started = timestamp();
    const veleroVersion = options.veleroVersion ?? 'v1.15.0';
    const outcome = emulation({ restore, cluster: server, backups, veleroVersion });
    const live = server.get('velero.io/v1', 'Restore', restore.metadata.namespace, restore.metadata.name!);
    if (!live) return;
    server.update({
      ...live,
      status: {
        phase: outcome.phase,
        startTimestamp: started,
        completionTimestamp: timestamp(),
        warnings: outcome.warnings.length,
        errors: outcome.errors.length,
        ...(outcome.validationErrors.length ? { validationErrors: outcome.validationErrors } : {}),
        progress: { totalItems: outcome.created.length, itemsRestored: outcome.created.length },
      },
    });
  });
}

/** The CSI external-provisioner: a PV for a PVC, filled from its VolumeSnapshot's content. */
function provisioner(
  server: ApiServer,
  options: DrillWorldOptions,
  reclaimPolicy: string,
  pvContent: Map<string, VolumeContent>,
): (pvc: KubeObject) => void {
  return (pvc) => {
    if (options.provisionerDown) return;
    const live = server.get('v1', 'PersistentVolumeClaim', pvc.metadata.namespace, pvc.metadata.name!);
    if (!live || (live.status as { phase?: string })?.phase === 'Bound') return;
    const pvName = `pvc-${live.metadata.uid}`;
    const ds = (live.spec as { dataSource?: { kind: string; name: string } }).dataSource;
    let content: VolumeContent = {};
    if (ds?.kind === 'VolumeSnapshot') {
      const vsc = server.list(SNAPSHOT_API, 'VolumeSnapshotContent').find((c) => {
        const r = (c.spec as { volumeSnapshotRef: { namespace: string; name: string } }).volumeSnapshotRef;
        return r.namespace === live.metadata.namespace && r.name === ds.name;
      });
      const handle = (vsc?.spec as { source?: { snapshotHandle?: string } })?.source?.snapshotHandle;
      if (!vsc || !handle) return; // the provisioner waits for the snapshot content
      content = options.volumes[handle.replace(/^snap:/, '')] ?? {};
    }
    pvContent.set(pvName, content);
    const { namespace, name, uid } = live.metadata;
    server.create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': DRIVER } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: '1Gi' },
        persistentVolumeReclaimPolicy: reclaimPolicy,
        storageClassName: STORAGE_CLASS,
        csi: { driver: DRIVER, volumeHandle: pvName },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace, name, uid },
      },
      status: { phase: 'Bound' },
    });
    server.update({ ...live, spec: { ...(live.spec as object), volumeName: pvName }, status: { phase: 'Bound' } });
  };
}

/** Installs the backup, the Restore controller, the provisioner and the kubelet on `server`. */
export function installDrillWorld(
  server: ApiServer,
  schedules: readonly KubeObject[],
  options: DrillWorldOptions,
): void {
  const sc = { volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain', ...options.storageClass };
  const backups = schedules.map((s) => backupOfSchedule(s, options.volumes, options.backupPhase));
  for (const b of backups) server.create(b.backup);
  /** volume content per PV name */
  const pvContent = new Map<string, VolumeContent>();
  const provision = provisioner(server, options, sc.reclaimPolicy, pvContent);

  // the ServiceAccount controller: every namespace gets its `default` ServiceAccount
  server.onCreate('/Namespace', (ns) => {
    server.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: ns.metadata.name },
    });
  });
  installRestoreController(server, backups, options);
  server.onCreate('/PersistentVolumeClaim', (pvc) => {
    if (sc.volumeBindingMode === 'Immediate') provision(pvc);
  });
  // the PV controller: a released claim's volume is deleted or kept by its reclaim policy
  server.onDelete('/PersistentVolumeClaim', (pvc) => {
    const pvName = (pvc.spec as { volumeName?: string }).volumeName;
    const pv = pvName ? server.get('v1', 'PersistentVolume', undefined, pvName) : undefined;
    if (!pv) return;
    if ((pv.spec as { persistentVolumeReclaimPolicy?: string }).persistentVolumeReclaimPolicy === 'Delete')
      server.delete('v1', 'PersistentVolume', undefined, pvName!);
    else server.update({ ...pv, status: { phase: 'Released' } });
  });
  // the scheduler (WaitForFirstConsumer: the claim is provisioned for its first pod) and the kubelet
  server.onCreate('/Pod', (pod) => {
    const claims = ((pod.spec as { volumes?: { persistentVolumeClaim?: { claimName: string } }[] }).volumes ?? [])
      .map((v) => v.persistentVolumeClaim?.claimName)
      .filter((c): c is string => c !== undefined);
    for (const c of claims) {
      const pvc = server.get('v1', 'PersistentVolumeClaim', pod.metadata.namespace, c);
      if (pvc) provision(pvc);
    }
    setImmediate(() => runPod(server, pod, claims, pvContent));
  });
}

/** The kubelet: once every claim is Bound, runs the container's command on the volume contents. */
function runPod(
  server: ApiServer,
  pod: KubeObject,
  claims: readonly string[],
  pvContent: ReadonlyMap<string, VolumeContent>,
): void {
  const live = server.get('v1', 'Pod', pod.metadata.namespace, pod.metadata.name!);
  if (!live) return;
  const volumes = new Map<string, VolumeContent>();
  for (const c of claims) {
    const pvc = server.get('v1', 'PersistentVolumeClaim', pod.metadata.namespace, c);
    const pvName = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
    if ((pvc?.status as { phase?: string } | undefined)?.phase !== 'Bound' || !pvName) {
      server.update({
        ...live,
        status: {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: `0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims (claim '${c}')`,
            },
          ],
        },
      });
      return;
    }
    volumes.set(c, pvContent.get(pvName) ?? {});
  }
  const spec = live.spec as {
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    containers: { command?: string[]; args?: string[]; volumeMounts?: { name: string; mountPath: string }[] }[];
  };
  const container = spec.containers[0];
  const root = mkdtempSync(join(tmpdir(), 'kubelet-'));
  try {
    let argv = [...(container.command ?? []), ...(container.args ?? [])];
    for (const m of container.volumeMounts ?? []) {
      const claim = spec.volumes?.find((v) => v.name === m.name)?.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const dir = join(root, m.name);
      mkdirSync(dir, { recursive: true });
      for (const [path, text] of Object.entries(volumes.get(claim) ?? {})) {
        const file = join(dir, path);
        if (path.endsWith('/')) mkdirSync(file, { recursive: true });
        else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
        }
      }
      // the bind mount: the container sees `dir` at its mountPath
      argv = argv.map((a) =>
        a === m.mountPath ? dir : a.startsWith(`${m.mountPath}/`) ? dir + a.slice(m.mountPath.length) : a,
      );
    }
    if (argv[0] !== '/bin/sh') {
      // an image's own binary (the Velero server, the snapshot-controller) is not run: the pod just runs
      server.update({ ...live, status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] } });
      return;
    }
    const run = spawnSync('/bin/sh', argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
    const exitCode = run.status ?? 1;
    // terminationMessagePolicy FallbackToLogsOnError: the log's tail is the message of a failed container
    const message = exitCode === 0 ? undefined : `${run.stdout}${run.stderr}`.trim().split('\n').slice(-80).join('\n');
    server.update({
      ...live,
      status: {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        containerStatuses: [
          {
            name: 'verify',
            state: {
              terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...(message ? { message } : {}) },
            },
          },
        ],
      },
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
