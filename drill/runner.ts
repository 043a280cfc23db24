/**
 * The restore drill: restores the newest Completed backup of one Velero Schedule into scratch
 * namespaces, proves the volumes bind and hold the declared files, and cleans up after itself, also
 * after a failure. Runs in the RestoreDrill CronJob as `node /drill/runner.js` (bundled by
 * lib/drill/drill-bundle.ts); `runDrill` is what the offline tests drive against a fake API server.
 *
 * Steps, each logged as `drill step=<step> status=<start|ok|failed|...>`:
 *   preflight        the scratch namespaces are free (a namespace the drill did not create is never touched)
 *   pick-backup      newest Completed Backup labelled velero.io/schedule-name=<schedule> (by completionTimestamp)
 *   create-restore   scratch namespaces (labelled as the drill's) and the velero.io/v1 Restore
 *   wait-restore     the Restore reaches a terminal phase; anything but Completed fails
 *   verify-pvc-bound every restored PVC is Bound (a verify pod mounts each, so WaitForFirstConsumer binds too)
 *   verify-read      every verify pod Succeeded: each declared path is readable in its restored volume
 *   cleanup          verify pods, PVs of the scratch volumes, scratch namespaces, restored
 *                    VolumeSnapshotContents and the Restore are deleted, whatever happened before
 * The last line is `drill result=passed ...` or `drill result=failed step=<step> msg=...`; exit code 1 on failure.
 */
import { restoreSpec } from '../lib/restore/restore-spec';
import {
  configFromEnv,
  drillRestoreRequest,
  DRILL_LABEL,
  DRILL_RUN_ANNOTATION,
  validateDrillConfig,
  type DrillConfig,
  type VerifyTarget,
} from './config';
import { inClusterKubeApi, isNotFound, isTransient, type KubeApi } from './kube';
import { verifyPodManifest, verifyPodName } from './verify-pod';

export * from './config';
export * from './kube';
export { VERIFY_SCRIPT, verifyPodManifest, verifyPodName } from './verify-pod';

export type DrillStep =
  | 'config'
  | 'preflight'
  | 'pick-backup'
  | 'create-restore'
  | 'wait-restore'
  | 'verify-pvc-bound'
  | 'verify-read'
  | 'cleanup';

export interface DrillResult {
  readonly passed: boolean;
  /** The first step that failed. */
  readonly failedStep?: DrillStep;
  readonly message?: string;
  readonly backupName?: string;
  readonly restoreName?: string;
  /** Problems during cleanup (also reported when an earlier step failed). */
  readonly cleanupProblems: readonly string[];
}

export interface DrillOptions {
  /** One log line per call. @default console.log */
  readonly log?: (line: string) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Aborts the waits (SIGTERM); cleanup still runs. */
  readonly signal?: AbortSignal;
}

/** A failed step, with the message that names what went wrong. */
export class DrillFailure extends Error {
  constructor(
    public readonly step: DrillStep,
    message: string,
  ) {
    super(message);
    this.name = 'DrillFailure';
  }
}

interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}
interface List<T> {
  items?: T[];
}
interface Backup {
  metadata: Meta;
  status?: { phase?: string; completionTimestamp?: string };
}
interface Restore {
  metadata: Meta;
  status?: {
    phase?: string;
    errors?: number;
    warnings?: number;
    failureReason?: string;
    validationErrors?: string[];
    progress?: { itemsRestored?: number; totalItems?: number };
  };
}
interface Namespace {
  metadata: Meta;
  status?: { phase?: string };
}
interface Pvc {
  metadata: Meta;
  spec?: { volumeName?: string };
  status?: { phase?: string };
}
interface Pv {
  metadata: Meta;
  spec?: { persistentVolumeReclaimPolicy?: string; claimRef?: { namespace?: string; name?: string; uid?: string } };
}
interface Pod {
  metadata: Meta;
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: {
      state?: {
        waiting?: { reason?: string; message?: string };
        terminated?: { exitCode?: number; reason?: string; message?: string };
      };
    }[];
  };
}
interface SnapshotContent {
  metadata: Meta;
  spec?: { deletionPolicy?: string };
}

/** Velero's terminal Restore phases (velero.io_restores.yaml status.phase enum). */
const TERMINAL_RESTORE_PHASES = ['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation'];
/** Label Velero puts on every object a restore creates (pkg/restore addRestoreLabels). */
const VELERO_RESTORE_NAME_LABEL = 'velero.io/restore-name';
/** Label Velero puts on the Backups a Schedule creates (docs/upstream-facts.md#schedule). */
const VELERO_SCHEDULE_NAME_LABEL = 'velero.io/schedule-name';

const enc = encodeURIComponent;

/** `drill-<schedule>-<yyyymmddhhmmss>`, at most 63 characters (Velero puts it into label values). */
export function restoreName(schedule: string, at: Date): string {
  const ts = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const head = schedule.slice(0, 63 - 'drill-'.length - 1 - ts.length).replace(/-+$/, '');
  return `drill-${head}-${ts}`;
}

function fmt(value: string | number | boolean): string {
  const s = String(value);
  return /^[A-Za-z0-9_.:/@+,=-]+$/.test(s) ? s : JSON.stringify(s);
}

/** `drill key=value ...`, values quoted only when needed. */
function logLine(fields: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${fmt(v as string | number | boolean)}`);
  return ['drill', ...parts].join(' ');
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs one drill. Never throws: the outcome, including cleanup problems, is in the result. */
export async function runDrill(config: DrillConfig, api: KubeApi, options: DrillOptions = {}): Promise<DrillResult> {
  const log = (fields: Record<string, string | number | boolean | undefined>) =>
    (options.log ?? ((l: string) => console.log(l)))(logLine(fields));
  const now = options.now ?? (() => new Date());
  const signal = options.signal;
  const vns = config.veleroNamespace;
  const restoresPath = `/apis/velero.io/v1/namespaces/${vns}/restores`;
  const sources = Object.keys(config.namespaceMapping);
  const targets = sources.map((s) => config.namespaceMapping[s]);
  const started = Date.now();

  // what this run created, for cleanup
  const ownedNamespaces: string[] = [];
  const pods: { namespace: string; name: string }[] = [];
  let restore: string | undefined;
  let restoreCreatedAt: string | undefined;
  let backupName: string | undefined;
  let current: DrillStep = 'config';

  function sleep(ms: number): Promise<void> {
    const aborted = () =>
      new DrillFailure(
        current,
        'aborted: the pod is being stopped (SIGTERM, e.g. the Job reached activeDeadlineSeconds)',
      );
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(aborted());
      const onAbort = () => {
        clearTimeout(t);
        reject(aborted());
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Calls `check` every poll interval until it returns a value. Transient API errors are retried until the
   * deadline; other errors fail the step. On timeout the step fails with `timeoutMessage()`.
   */
  async function poll<T>(
    timeoutSeconds: number,
    check: () => Promise<T | undefined>,
    timeoutMessage: (lastError?: string) => Promise<string> | string,
  ): Promise<T> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    let lastError: string | undefined;
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (e) {
        if (e instanceof DrillFailure || !isTransient(e)) throw e;
        lastError = errorMessage(e);
      }
      if (Date.now() >= deadline) throw new DrillFailure(current, await timeoutMessage(lastError));
      await sleep(Math.min(config.pollIntervalSeconds * 1000, Math.max(1, deadline - Date.now())));
    }
  }

  async function step<T>(name: DrillStep, fn: () => Promise<T>): Promise<T> {
    current = name;
    log({ step: name, status: 'start' });
    try {
      const value = await fn();
      log({ step: name, status: 'ok' });
      return value;
    } catch (e) {
      throw e instanceof DrillFailure ? e : new DrillFailure(name, errorMessage(e));
    }
  }

  async function listPvcs(namespace: string): Promise<Pvc[]> {
    return (await api.get<List<Pvc>>(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`)).items ?? [];
  }

  let failure: DrillFailure | undefined;
  try {
    const configErrors = validateDrillConfig(config);
    if (configErrors.length) throw new DrillFailure('config', configErrors.join('; '));

    await step('preflight', async () => {
      for (const target of targets) {
        let ns: Namespace;
        try {
          ns = await api.get<Namespace>(`/api/v1/namespaces/${target}`);
        } catch (e) {
          if (isNotFound(e)) continue;
          throw e;
        }
        if (ns.metadata.labels?.[DRILL_LABEL] !== config.drillName) {
          throw new DrillFailure(
            'preflight',
            `namespace '${target}' already exists and was not created by this drill (no label ${DRILL_LABEL}=${config.drillName}); ` +
              `the drill never restores into or deletes a namespace it did not create: map to another scratch namespace or remove '${target}' yourself`,
          );
        }
        // left behind by an earlier run that was killed before its cleanup
        log({
          step: 'preflight',
          status: 'info',
          msg: `deleting scratch namespace '${target}' left by an earlier run`,
        });
        if (!ns.metadata.deletionTimestamp) await api.delete(`/api/v1/namespaces/${target}`);
        await poll(
          config.namespaceDeleteTimeoutSeconds,
          async () => {
            try {
              await api.get<Namespace>(`/api/v1/namespaces/${target}`);
              return undefined;
            } catch (e) {
              if (isNotFound(e)) return true;
              throw e;
            }
          },
          () =>
            `scratch namespace '${target}' from an earlier run is still terminating after ${config.namespaceDeleteTimeoutSeconds}s`,
        );
      }
      // Restores of earlier killed runs: delete them and what they left outside the namespaces
      const leftovers =
        (await api.get<List<Restore>>(`${restoresPath}?labelSelector=${enc(`${DRILL_LABEL}=${config.drillName}`)}`))
          .items ?? [];
      for (const old of leftovers) {
        log({
          step: 'preflight',
          status: 'info',
          msg: `deleting Restore '${old.metadata.name}' left by an earlier run`,
        });
        await deleteRestoredSnapshotContents(old.metadata.name);
        await deleteIgnoringNotFound(`${restoresPath}/${old.metadata.name}`);
      }
    });

    const backup = await step('pick-backup', async () => {
      const selector = enc(`${VELERO_SCHEDULE_NAME_LABEL}=${config.schedule}`);
      const all =
        (await api.get<List<Backup>>(`/apis/velero.io/v1/namespaces/${vns}/backups?labelSelector=${selector}`)).items ??
        [];
      const completed = all
        .filter((b) => b.status?.phase === 'Completed' && b.status.completionTimestamp)
        .sort(
          (a, b) =>
            Date.parse(b.status!.completionTimestamp!) - Date.parse(a.status!.completionTimestamp!) ||
            b.metadata.name.localeCompare(a.metadata.name),
        );
      if (completed.length === 0) {
        const phases = all.map((b) => `${b.metadata.name}=${b.status?.phase ?? 'New'}`).join(', ');
        throw new DrillFailure(
          'pick-backup',
          `no Completed backup of schedule '${config.schedule}' in namespace '${vns}' ` +
            `(${all.length ? `found ${all.length}: ${phases}` : 'found none'}); check 'velero schedule get' and 'velero backup get'`,
        );
      }
      const b = completed[0];
      const ageHours = (now().getTime() - Date.parse(b.status!.completionTimestamp!)) / 3_600_000;
      log({
        step: 'pick-backup',
        status: 'info',
        backup: b.metadata.name,
        completed: b.status!.completionTimestamp,
        ageHours: Math.round(ageHours * 10) / 10,
      });
      return b;
    });
    backupName = backup.metadata.name;

    await step('create-restore', async () => {
      restore = restoreName(config.schedule, now());
      // The drill creates the scratch namespaces itself, labelled as its own: Velero restores into an
      // existing namespace as is, and cleanup deletes only namespaces that carry this run's mark.
      for (const target of targets) {
        await api.create(`/api/v1/namespaces`, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: target,
            labels: { [DRILL_LABEL]: config.drillName, 'app.kubernetes.io/managed-by': 'velero-cdk8s' },
            annotations: { [DRILL_RUN_ANNOTATION]: restore },
          },
        });
        ownedNamespaces.push(target);
      }
      const created = await api.create<Restore>(restoresPath, {
        apiVersion: 'velero.io/v1',
        kind: 'Restore',
        metadata: { name: restore, namespace: vns, labels: { [DRILL_LABEL]: config.drillName } },
        // the same builder as the rendered restore scenarios (dist/restores/): what the drill proves is what they do
        spec: restoreSpec(drillRestoreRequest(config, backupName!)),
      });
      restoreCreatedAt = created?.metadata?.creationTimestamp;
      log({
        step: 'create-restore',
        status: 'info',
        restore,
        backup: backupName,
        mapping: Object.entries(config.namespaceMapping)
          .map(([a, b]) => `${a}=${b}`)
          .join(','),
      });
    });

    await step('wait-restore', async () => {
      let lastPhase = '';
      const done = await poll(
        config.restoreTimeoutSeconds,
        async () => {
          const r = await api.get<Restore>(`${restoresPath}/${restore}`);
          const phase = r.status?.phase || 'New';
          if (phase !== lastPhase) {
            lastPhase = phase;
            const p = r.status?.progress;
            log({
              step: 'wait-restore',
              status: 'progress',
              phase,
              items: p?.totalItems !== undefined ? `${p.itemsRestored ?? 0}/${p.totalItems}` : undefined,
            });
          }
          return TERMINAL_RESTORE_PHASES.includes(phase) ? r : undefined;
        },
        (err) =>
          `restore '${restore}' did not finish within ${config.restoreTimeoutSeconds}s (last phase ${lastPhase || 'unknown'}${err ? `, last error: ${err}` : ''})`,
      );
      const s = done.status!;
      if (s.phase !== 'Completed') {
        const details = [
          `${s.errors ?? 0} errors`,
          `${s.warnings ?? 0} warnings`,
          s.failureReason ? `failure reason: ${s.failureReason}` : '',
          s.validationErrors?.length ? `validation errors: ${s.validationErrors.join('; ')}` : '',
        ].filter((d) => d !== '');
        throw new DrillFailure(
          'wait-restore',
          `restore '${restore}' of backup '${backupName}' ended ${s.phase} (${details.join(', ')}); ` +
            `see 'velero restore describe ${restore} --details' and 'velero restore logs ${restore}' before the next run`,
        );
      }
      log({ step: 'wait-restore', status: 'info', phase: s.phase, warnings: s.warnings ?? 0 });
    });

    const restored = await step('verify-pvc-bound', async () => {
      const found: { source: string; namespace: string; pvc: string }[] = [];
      for (const source of sources) {
        const namespace = config.namespaceMapping[source];
        for (const pvc of await listPvcs(namespace)) found.push({ source, namespace, pvc: pvc.metadata.name });
      }
      if (found.length === 0) {
        throw new DrillFailure(
          'verify-pvc-bound',
          `the restore created no PersistentVolumeClaim in ${targets.join(', ')}: the backup holds no volumes of ${sources.join(', ')}, ` +
            `or includedResources (${config.includedResources.join(',') || 'all'}) leaves them out; a drill that restores no volume proves nothing`,
        );
      }
      for (const v of config.verify) {
        if (!found.some((f) => f.source === v.namespace && f.pvc === v.pvc)) {
          throw new DrillFailure(
            'verify-pvc-bound',
            `PVC '${v.namespace}/${v.pvc}' was not restored (looked in '${config.namespaceMapping[v.namespace]}'); restored: ${found.map((f) => `${f.namespace}/${f.pvc}`).join(', ')}`,
          );
        }
      }
      // One verify pod per restored PVC: it is the volume's first consumer (WaitForFirstConsumer classes
      // provision only then), and it checks the declared paths of that PVC.
      for (const [i, f] of found.entries()) {
        const checks: VerifyTarget[] = config.verify.filter((v) => v.namespace === f.source && v.pvc === f.pvc);
        const users = [...new Set(checks.map((c) => c.runAsUser).filter((u) => u !== undefined))];
        const name = verifyPodName(i, f.pvc);
        await api.create(
          `/api/v1/namespaces/${f.namespace}/pods`,
          verifyPodManifest({
            name,
            namespace: f.namespace,
            pvc: f.pvc,
            paths: checks.map((c) => c.path),
            runAsUser: users[0],
            image: config.verifyImage,
            drillName: config.drillName,
            deadlineSeconds: config.pvcBoundTimeoutSeconds + config.verifyTimeoutSeconds,
          }),
        );
        pods.push({ namespace: f.namespace, name });
      }
      let pending: string[] = [];
      await poll(
        config.pvcBoundTimeoutSeconds,
        async () => {
          pending = [];
          for (const namespace of targets) {
            for (const pvc of await listPvcs(namespace)) {
              if (pvc.status?.phase !== 'Bound')
                pending.push(`${namespace}/${pvc.metadata.name} (${pvc.status?.phase ?? 'Pending'})`);
            }
          }
          return pending.length === 0 ? true : undefined;
        },
        async (err) => {
          const hints: string[] = [];
          for (const p of pods) {
            try {
              const pod = await api.get<Pod>(`/api/v1/namespaces/${p.namespace}/pods/${p.name}`);
              const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status !== 'True');
              if (unscheduled?.message) hints.push(`pod ${p.namespace}/${p.name}: ${unscheduled.message}`);
            } catch {
              // a hint only
            }
          }
          return (
            `PVCs not Bound after ${config.pvcBoundTimeoutSeconds}s: ${pending.join(', ') || 'unknown'}` +
            (hints.length ? `; ${hints.join('; ')}` : '') +
            (err ? `; last error: ${err}` : '') +
            `; check the StorageClass, the VolumeSnapshots in the scratch namespaces and 'kubectl describe pvc'`
          );
        },
      );
      log({ step: 'verify-pvc-bound', status: 'info', pvcs: found.length });
      return found;
    });

    await step('verify-read', async () => {
      const finished = new Set<string>();
      const last = new Map<string, Pod>();
      await poll(
        config.verifyTimeoutSeconds,
        async () => {
          for (const p of pods) {
            const key = `${p.namespace}/${p.name}`;
            if (finished.has(key)) continue;
            const pod = await api.get<Pod>(`/api/v1/namespaces/${p.namespace}/pods/${p.name}`);
            last.set(key, pod);
            const pvc = pod.metadata.annotations?.['velero-cdk8s.io/verify-pvc'] ?? '';
            if (pod.status?.phase === 'Failed') {
              const t = pod.status.containerStatuses?.[0]?.state?.terminated;
              const detail = (
                t?.message ||
                pod.status.message ||
                t?.reason ||
                pod.status.reason ||
                'no message'
              ).trim();
              throw new DrillFailure(
                'verify-read',
                `verify pod ${key} could not read PVC '${pvc}' (exit code ${t?.exitCode ?? 'unknown'}): ${detail}`,
              );
            }
            if (pod.status?.phase === 'Succeeded') {
              finished.add(key);
              log({ step: 'verify-read', status: 'info', pod: key, pvc, result: 'readable' });
            }
          }
          return finished.size === pods.length ? true : undefined;
        },
        (err) => {
          const open = pods
            .map((p) => `${p.namespace}/${p.name}`)
            .filter((key) => !finished.has(key))
            .map((key) => {
              const s = last.get(key)?.status;
              const waiting = s?.containerStatuses?.[0]?.state?.waiting;
              return `${key} (${s?.phase ?? 'unknown'}${waiting?.reason ? `, ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : ''})`;
            });
          return `verify pods did not finish within ${config.verifyTimeoutSeconds}s: ${open.join(', ')}${err ? `; last error: ${err}` : ''}`;
        },
      );
      log({ step: 'verify-read', status: 'info', pvcs: restored.length, paths: config.verify.length });
    });
  } catch (e) {
    failure = e instanceof DrillFailure ? e : new DrillFailure(current, errorMessage(e));
    log({ step: failure.step, status: 'failed', msg: failure.message });
  }

  // ---- cleanup: always, each action on its own so one failure does not stop the others
  const problems: string[] = [];
  async function attempt(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${errorMessage(e)}`);
      log({ step: 'cleanup', status: 'problem', msg: `${what}: ${errorMessage(e)}` });
    }
  }
  async function deleteIgnoringNotFound(path: string): Promise<void> {
    try {
      await api.delete(path);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  async function deleteRestoredSnapshotContents(ofRestore: string): Promise<void> {
    // Velero restores each VolumeSnapshotContent with deletionPolicy Retain, cluster-scoped, labelled with the
    // restore's name (pkg/restore/actions/csi/volumesnapshotcontent_action.go): deleting the namespace leaves it.
    // Deleting a Retain content never deletes the snapshot on the storage, which still belongs to the backup.
    let contents: SnapshotContent[];
    try {
      contents =
        (
          await api.get<List<SnapshotContent>>(
            `/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents?labelSelector=${enc(`${VELERO_RESTORE_NAME_LABEL}=${ofRestore}`)}`,
          )
        ).items ?? [];
    } catch (e) {
      if (isNotFound(e)) return; // no snapshot.storage.k8s.io API in this cluster
      throw e;
    }
    for (const c of contents) {
      if (c.spec?.deletionPolicy !== 'Retain') {
        log({
          step: 'cleanup',
          status: 'info',
          msg: `kept VolumeSnapshotContent '${c.metadata.name}': deletionPolicy is not Retain`,
        });
        continue;
      }
      await deleteIgnoringNotFound(`/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/${c.metadata.name}`);
    }
  }

  current = 'cleanup';
  log({ step: 'cleanup', status: 'start' });
  for (const p of pods) {
    await attempt(`delete verify pod ${p.namespace}/${p.name}`, () =>
      deleteIgnoringNotFound(`/api/v1/namespaces/${p.namespace}/pods/${p.name}`),
    );
  }
  for (const namespace of ownedNamespaces) {
    await attempt(`release the volumes of '${namespace}'`, () => reclaimScratchVolumes(namespace));
  }
  for (const namespace of ownedNamespaces) {
    await attempt(`delete scratch namespace '${namespace}'`, async () => {
      // the mark is checked again right before the delete: only a namespace this run created goes
      let ns: Namespace;
      try {
        ns = await api.get<Namespace>(`/api/v1/namespaces/${namespace}`);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (
        ns.metadata.labels?.[DRILL_LABEL] !== config.drillName ||
        ns.metadata.annotations?.[DRILL_RUN_ANNOTATION] !== restore
      ) {
        throw new Error(`namespace '${namespace}' no longer carries this run's mark; left alone`);
      }
      await deleteIgnoringNotFound(`/api/v1/namespaces/${namespace}`);
    });
  }
  if (restore) {
    const name = restore;
    await attempt(`delete restored VolumeSnapshotContents of '${name}'`, () => deleteRestoredSnapshotContents(name));
    await attempt(`delete Restore '${name}'`, () => deleteIgnoringNotFound(`${restoresPath}/${name}`));
  }
  log({ step: 'cleanup', status: problems.length ? 'failed' : 'ok' });

  /**
   * A PV provisioned for a scratch PVC takes the StorageClass's reclaimPolicy; with Retain, deleting the
   * namespace would leave a Released PV and a full copy of the data on the storage, every month. Set such a
   * PV to Delete, but only when it was dynamically provisioned for this run's claim: never a PV Velero
   * restored as is (it would point at a real volume), never one older than the Restore.
   */
  async function reclaimScratchVolumes(namespace: string): Promise<void> {
    if (!restore) return;
    for (const pvc of await listPvcs(namespace)) {
      const pvName = pvc.spec?.volumeName;
      if (!pvName || pvc.status?.phase !== 'Bound') continue;
      let pv: Pv;
      try {
        pv = await api.get<Pv>(`/api/v1/persistentvolumes/${pvName}`);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') continue;
      const ref = pv.spec?.claimRef;
      const ours =
        ref?.namespace === namespace &&
        ref.name === pvc.metadata.name &&
        (!pvc.metadata.uid || ref.uid === pvc.metadata.uid) &&
        !!pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] &&
        !pv.metadata.labels?.[VELERO_RESTORE_NAME_LABEL] &&
        !!restoreCreatedAt &&
        !!pv.metadata.creationTimestamp &&
        Date.parse(pv.metadata.creationTimestamp) >= Date.parse(restoreCreatedAt);
      if (!ours) {
        throw new Error(
          `PV '${pvName}' (reclaimPolicy ${pv.spec?.persistentVolumeReclaimPolicy}) bound to ${namespace}/${pvc.metadata.name} was not provisioned by this drill; left as is, check it by hand`,
        );
      }
      await api.mergePatch(`/api/v1/persistentvolumes/${pvName}`, {
        spec: { persistentVolumeReclaimPolicy: 'Delete' },
      });
      log({ step: 'cleanup', status: 'info', msg: `PV '${pvName}' set to reclaimPolicy Delete` });
    }
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  if (!failure && problems.length) failure = new DrillFailure('cleanup', problems.join('; '));
  if (failure) {
    log({ result: 'failed', step: failure.step, backup: backupName, restore, seconds, msg: failure.message });
    return {
      passed: false,
      failedStep: failure.step,
      message: failure.message,
      backupName,
      restoreName: restore,
      cleanupProblems: problems,
    };
  }
  log({ result: 'passed', backup: backupName, restore, seconds });
  return { passed: true, backupName, restoreName: restore, cleanupProblems: problems };
}

/**
 * Entry point of the CronJob's container: config from the environment, the in-cluster API, SIGTERM
 * aborts the waits and still cleans up. Returns the exit code.
 */
export async function main(
  env: NodeJS.ProcessEnv = process.env,
  api?: KubeApi,
  log: (line: string) => void = (l) => console.log(l),
): Promise<number> {
  let config: DrillConfig;
  try {
    config = configFromEnv(env);
  } catch (e) {
    log(logLine({ step: 'config', status: 'failed', msg: errorMessage(e) }));
    log(logLine({ result: 'failed', step: 'config', msg: errorMessage(e) }));
    return 1;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const result = await runDrill(config, api ?? inClusterKubeApi(env), { log, signal: abort.signal });
    return result.passed ? 0 : 1;
  } catch (e) {
    log(logLine({ result: 'failed', step: 'config', msg: errorMessage(e) }));
    return 1;
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
