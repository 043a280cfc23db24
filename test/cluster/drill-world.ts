/**
 * What the restore drill needs around the emulated API server: backups the emulated Velero makes of each
 * rendered Schedule from a source cluster generated from the render, Velero's Restore controller running the
 * emulated Velero restore (`emulateRestore`, test/cluster/velero/restore.ts: validation, the resource modifiers,
 * CSI actions, namespace mapping), a CSI provisioner and a kubelet. Each is a hook on the ApiServer acting
 * through its ClusterView, and each is named for what it stands in for.
 *
 * Volume data is a map of paths per volume. It travels the way CSI moves it: the backup holds a VolumeSnapshot
 * and its VolumeSnapshotContent (snapshotHandle), Velero restores both and the PVC with the VolumeSnapshot as its
 * dataSource, and the provisioner fills the new volume from the snapshot handle. The kubelet runs the pod's own command (the verify script) with /bin/sh on a directory
 * that holds the volume's content, bind-mounted at the container's mountPath.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ArgoCdTrackingMethod } from '../../lib/restore/resource-modifiers';
import type { ApiServer } from './api-server';
import type { BackupContents, ClusterView, KubeObject, RestoreOutcome } from './types';
import { emulateBackup } from './velero/backup';
import { emulateRestore } from './velero/restore';
import { seedCluster } from './velero/seed-cluster';

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
  /** The restore semantics. @default emulateRestore (test/cluster/velero/restore.ts) */
  readonly restore?: RestoreEmulation;
  /** How the source cluster's ArgoCD tracked its objects: the config's `argocd.trackingMethod`, as the stack resolved it. */
  readonly trackingMethod: ArgoCdTrackingMethod;
  /** Called with each Restore's outcome (what it created, as created). */
  readonly onRestored?: (outcome: RestoreOutcome) => void;
  /** The Velero release the render deploys. @default 'v1.15.0' */
  readonly veleroVersion?: string;
}

const SNAPSHOT_API = 'snapshot.storage.k8s.io/v1';
const STORAGE_CLASS = 'emulated-csi';
const DRIVER = 'csi.emulated.example';
const BACKUP_TIME = '2026-01-01T02:00:00Z';

/**
 * The source cluster the backups are made from, generated from the render (test/cluster/velero/seed-cluster.ts):
 * every volume a claim of its namespace, Bound to a CSI volume, the app's objects tracked by ArgoCD as the
 * render's tracking method writes it; then each rendered Schedule backed up by the emulated Velero
 * (test/cluster/velero/backup.ts `emulateBackup`), in the phase the options ask for.
 */
export function backupsOfSchedules(
  rendered: readonly KubeObject[],
  schedules: readonly KubeObject[],
  options: Pick<DrillWorldOptions, 'volumes' | 'backupPhase' | 'trackingMethod'>,
): BackupContents[] {
  const volumes = Object.keys(options.volumes).map((key) => {
    const [namespace, pvc] = key.split('/');
    return { namespace, pvc, size: '1Gi' };
  });
  const objects = seedCluster({ rendered, volumes, trackingMethod: options.trackingMethod });
  return schedules.map((source) => {
    const b = emulateBackup({ source, objects, startTimestamp: BACKUP_TIME });
    (b.backup.status as { phase: string }).phase = options.backupPhase ?? 'Completed';
    return b;
  });
}

/** The source volume (`<namespace>/<pvc>`) of each CSI snapshot handle the backups hold. */
function volumesOfHandles(backups: readonly BackupContents[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const vs of backups.flatMap((b) => b.items).filter((i) => i.kind === 'VolumeSnapshot')) {
    const handle = vs.metadata.annotations?.['velero.io/csi-volumesnapshot-handle'];
    const pvc = (vs.spec as { source: { persistentVolumeClaimName: string } }).source.persistentVolumeClaimName;
    if (handle) out.set(handle, `${vs.metadata.namespace}/${pvc}`);
  }
  return out;
}

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Velero's restore controller: runs the emulation on each new Restore and writes its terminal status. */
function installRestoreController(
  server: ApiServer,
  backups: readonly BackupContents[],
  options: DrillWorldOptions,
): void {
  const emulation = options.restore ?? emulateRestore;
  server.onCreate('velero.io/Restore', (restore) => {
    const started = timestamp();
    const veleroVersion = options.veleroVersion ?? 'v1.15.0';
    const outcome = emulation({ restore, cluster: server, backups, veleroVersion });
    options.onRestored?.(outcome);
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
  handles: ReadonlyMap<string, string>,
): (pvc: KubeObject) => void {
  return (pvc) => {
    if (options.provisionerDown) return;
    const live = server.get('v1', 'PersistentVolumeClaim', pvc.metadata.namespace, pvc.metadata.name!);
    if (!live || (live.status as { phase?: string })?.phase === 'Bound') return;
    const pvName = `pvc-${live.metadata.uid}`;
    const ds = (live.spec as { dataSource?: { kind: string; name: string } }).dataSource;
    let content: VolumeContent = {};
    let driver = DRIVER;
    if (ds?.kind === 'VolumeSnapshot') {
      const vsc = server.list(SNAPSHOT_API, 'VolumeSnapshotContent').find((c) => {
        const r = (c.spec as { volumeSnapshotRef: { namespace: string; name: string } }).volumeSnapshotRef;
        return r.namespace === live.metadata.namespace && r.name === ds.name;
      });
      const handle = (vsc?.spec as { source?: { snapshotHandle?: string } })?.source?.snapshotHandle;
      if (!vsc || !handle) return; // the provisioner waits for the snapshot content
      driver = (vsc.spec as { driver?: string }).driver ?? DRIVER;
      content = options.volumes[handles.get(handle) ?? ''] ?? {};
    }
    pvContent.set(pvName, content);
    const { namespace, name, uid } = live.metadata;
    server.create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': driver } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: '1Gi' },
        persistentVolumeReclaimPolicy: reclaimPolicy,
        storageClassName: (live.spec as { storageClassName?: string }).storageClassName ?? STORAGE_CLASS,
        csi: { driver, volumeHandle: pvName },
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
  rendered: readonly KubeObject[],
  schedules: readonly KubeObject[],
  options: DrillWorldOptions,
): void {
  const sc = { volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain', ...options.storageClass };
  const backups = backupsOfSchedules(rendered, schedules, options);
  for (const b of backups) server.create(b.backup);
  /** volume content per PV name */
  const pvContent = new Map<string, VolumeContent>();
  const provision = provisioner(server, options, sc.reclaimPolicy, pvContent, volumesOfHandles(backups));

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
