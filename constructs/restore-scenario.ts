import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { isDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import { foreignNamespaceOwner } from '../lib/kube/protected-namespaces';
import { restoreListsProblem } from '../lib/validation/includes-excludes';
import { checkConstruct, checkProps } from '../lib/validation/props';
import {
  dataPathResources,
  restoreSpec,
  type RestoreHookSpec,
  type RestoreRequest,
  type RestoreSpecJson,
  type VolumeDataPath,
} from '../lib/restore/restore-spec';
import {
  namespaceStripCommands,
  RESTORES_FOLDER,
  SCENARIO_LABEL,
  strippedTrackingKeys,
  type RestoreTarget,
  type ScenarioSummary,
} from '../lib/restore/scenario';
import type { BackupSchedule } from './backup-schedule';
import type { RestoreScenarioConfig } from '../lib/config/types';
import type { TrackingStripModifiers } from './restore-modifiers';

export type { RestoreTarget } from '../lib/restore/scenario';

/**
 * A scenario's props: the config's `RestoreScenarioConfig` fields of the same name (each documented, with its
 * default, once in lib/config/types.ts) plus what the stack wires in.
 */
export interface RestoreScenarioProps extends Pick<
  RestoreScenarioConfig,
  'title' | 'includedResources' | 'excludedResources' | 'excludedNamespaces' | 'existingResourcePolicy'
> {
  /** Scenario name: the file `dist/restores/<name>.yaml` and the Restore's `generateName` prefix. */
  readonly name: string;
  /** What to bring back. */
  readonly target: RestoreTarget;
  /** The schedule whose backups are restored. */
  readonly schedule: BackupSchedule;
  /**
   * A named backup of the schedule. @default unset: Velero restores the schedule's most recent Completed backup
   * (`spec.scheduleName`, restore_controller.go mostRecentCompletedBackup), chosen when the Restore is created
   */
  readonly backupName?: string;
  /** Further source -> target namespaces (a `namespace-into` target adds its own). @default {} */
  readonly namespaceMapping?: Readonly<Record<string, string>>;
  /** Velero restore hooks: init containers or exec commands in restored pods. @default [] */
  readonly hooks?: readonly RestoreHookSpec[];
  /**
   * The resource modifiers that strip ArgoCD's tracking from restored objects; `false` restores them as
   * backed up (ArgoCD then claims, prunes or overwrites what carries its tracking).
   */
  readonly trackingModifiers: TrackingStripModifiers | false;
  /** Extra shell lines that show the restore worked (e.g. an application-level check). @default [] */
  readonly checks?: readonly string[];
  /**
   * Namespaces an inspection copy (`namespace-into`) may not go into, besides Velero's own and the cluster's
   * (lib/kube/protected-namespaces.ts): its runbook ends `kubectl delete namespace <into>`. @default []
   */
  readonly protectedNamespaces?: readonly string[];
}

/** How a schedule keeps volume data. */
export function volumeDataPath(schedule: BackupSchedule): VolumeDataPath {
  // file-system backup takes a pod volume before any snapshot (docs/pitfalls.md#drill-fs-backup)
  if (schedule.defaultVolumesToFsBackup) return 'file-system-backup';
  if (schedule.snapshotMoveData) return 'snapshot-data-movement';
  if (schedule.snapshotVolumes && schedule.release.csiEnabled) return 'csi-snapshot';
  return 'none';
}

const PVC_KINDS = ['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc', 'pvcs'];

/**
 * One restore, typed: rendered as a velero.io/v1 Restore with `generateName` into dist/restores/, a
 * folder no Application syncs, so ArgoCD never creates, prunes or re-applies it. Applying it is one command,
 * `kubectl create -f dist/restores/<name>.yaml`, which gets a fresh name every time. The runbook in
 * BACKUP-PLAN.md is generated from `summary`, and the restore drill builds its Restore with the same
 * `restoreSpec` (lib/restore/restore-spec.ts).
 */
export class RestoreScenario extends Construct {
  public readonly name: string;
  public readonly title: string;
  public readonly target: RestoreTarget;
  public readonly schedule: BackupSchedule;
  public readonly dataPath: VolumeDataPath;
  /** What the Restore spec is built from. */
  public readonly request: RestoreRequest;
  public readonly spec: RestoreSpecJson;
  /** Everything the runbook and `npm run restore` print. */
  public readonly summary: ScenarioSummary;

  constructor(scope: Construct, id: string, props: RestoreScenarioProps) {
    super(scope, id);
    checkScenarioProps(props);
    const { schedule, target } = props;
    const release = schedule.release;
    this.name = props.name;
    this.target = target;
    this.schedule = schedule;
    const subject = `restore scenario '${props.name}'`;
    checkScenarioNames(subject, props);
    this.dataPath = volumeDataPath(schedule);
    const { namespaces, excludedNamespaces, mapping, included, includeClusterResources } = this.restoreScope(
      subject,
      props,
    );

    this.request = {
      ...(props.backupName ? { backupName: props.backupName } : { scheduleName: schedule.name }),
      includedNamespaces: namespaces,
      excludedNamespaces,
      namespaceMapping: mapping,
      includedResources: included,
      excludedResources: [...(props.excludedResources ?? [])],
      includeClusterResources,
      existingResourcePolicy: props.existingResourcePolicy ?? 'none',
      resourceModifier: props.trackingModifiers ? props.trackingModifiers.name : undefined,
      hooks: props.hooks ?? [],
    };
    for (const [i, h] of (props.hooks ?? []).entries()) {
      if (!h.name || h.postHooks.length === 0) {
        throw new Error(`${subject}: hooks[${i}] needs a name and at least one post hook (init or exec)`);
      }
    }
    this.spec = restoreSpec(this.request);
    this.title = props.title ?? defaultTitle(target);

    new ApiObject(this, 'Restore', {
      apiVersion: 'velero.io/v1',
      kind: 'Restore',
      metadata: {
        // replaced by generateName when the restores folder is rendered (UnsyncedFolderChart)
        name: props.name,
        generateName: `${props.name}-`,
        namespace: release.namespace,
        labels: { [SCENARIO_LABEL]: props.name },
      },
      spec: this.spec,
    });

    this.summary = this.summarize(props);
  }

  /**
   * What the Restore covers: its namespaces, their mapping, and the resources it brings back (the PVC kinds
   * with the kinds of the schedule's data path), checked as Velero's restore controller checks them.
   */
  private restoreScope(subject: string, props: RestoreScenarioProps): TargetScope {
    const { target } = props;
    const { namespaces, excludedNamespaces, mapping, included, includeClusterResources } = this.targetScope(
      subject,
      props,
    );
    if (target.kind !== 'cluster' && props.excludedNamespaces?.length) {
      throw new Error(`${subject}: excludedNamespaces applies to a 'cluster' target only`);
    }
    for (const [from, to] of Object.entries(mapping)) {
      if (!isDnsLabel(from) || !isDnsLabel(to)) {
        throw new Error(`${subject}: namespaceMapping '${from}' -> '${to}' must map namespace names`);
      }
    }
    // a restore of PVCs brings their data only with the kinds of the schedule's data path
    const restoresPvcs = included.length === 0 || included.some((r) => PVC_KINDS.includes(r) || r === '*');
    if (restoresPvcs && included.length > 0) included.push(...dataPathResources(this.dataPath));
    restoreListsCheck(subject, target, {
      namespaces,
      excludedNamespaces,
      included: props.includedResources ?? [],
      excluded: props.excludedResources ?? [],
      rendered: included,
    });
    return { namespaces, excludedNamespaces, mapping, included, includeClusterResources };
  }

  /** The namespaces and resources the target alone asks for, each checked against the schedule. */
  private targetScope(subject: string, props: RestoreScenarioProps): TargetScope {
    const { schedule, target } = props;
    const release = schedule.release;
    const checkIncluded = (ns: string, field: string) => {
      if (!schedule.includesNamespace(ns)) {
        throw new Error(
          `${subject}: ${field} '${ns}' is not backed up by schedule '${schedule.name}' (it includes ${schedule.includedNamespaces.join(', ')}); pick a schedule that includes it`,
        );
      }
    };

    const mapping: Record<string, string> = { ...(props.namespaceMapping ?? {}) };
    let namespaces: string[];
    let included = [...(props.includedResources ?? [])];
    let includeClusterResources: boolean | undefined;
    let excludedNamespaces: string[] = [];
    switch (target.kind) {
      case 'pvc': {
        checkIncluded(target.namespace, 'target.namespace');
        if (!isDnsSubdomain(target.pvc)) throw new Error(`${subject}: target.pvc '${target.pvc}' is not a PVC name`);
        if (!schedule.protectsVolumesIn(target.namespace) || this.dataPath === 'none') {
          throw new Error(
            `${subject}: schedule '${schedule.name}' keeps no volume data of namespace '${target.namespace}', so restoring PVC '${target.pvc}' brings back an empty volume; pick a schedule that snapshots it`,
          );
        }
        if (this.dataPath === 'file-system-backup') {
          throw new Error(
            `${subject}: schedule '${schedule.name}' keeps volume data by file-system backup, which Velero restores only through the restored pods; use a 'namespace' target instead of 'pvc' (docs/pitfalls.md#drill-fs-backup)`,
          );
        }
        namespaces = [target.namespace];
        if (included.length === 0) included = ['persistentvolumeclaims'];
        break;
      }
      case 'namespace':
        checkIncluded(target.namespace, 'target.namespace');
        namespaces = [target.namespace];
        break;
      case 'namespace-into':
        checkIncluded(target.namespace, 'target.namespace');
        if (!isDnsLabel(target.into) || target.into === target.namespace) {
          throw new Error(
            `${subject}: target.into '${target.into}' must be a namespace name other than '${target.namespace}', e.g. '${target.namespace}-inspect'`,
          );
        }
        inspectionTargetCheck(subject, target.into, schedule, [
          release.namespace,
          ...(props.protectedNamespaces ?? []),
        ]);
        namespaces = [target.namespace];
        mapping[target.namespace] = target.into;
        break;
      case 'cluster': {
        includeClusterResources = schedule.includeClusterResources === true ? true : undefined;
        const left = props.excludedNamespaces ?? [];
        if (schedule.includedNamespaces.includes('*')) {
          namespaces = ['*'];
          excludedNamespaces = [...left];
        } else {
          // Velero refuses an item both included and excluded: a named schedule's namespaces are subtracted
          namespaces = schedule.includedNamespaces.filter((n) => !left.includes(n));
          if (namespaces.length === 0) {
            throw new Error(
              `${subject}: excludedNamespaces ${JSON.stringify(left)} leaves none of schedule '${schedule.name}''s namespaces to restore; leave at least one`,
            );
          }
        }
        break;
      }
    }
    return { namespaces, excludedNamespaces, mapping, included, includeClusterResources };
  }

  /** Everything the runbook and `npm run restore` print. */
  private summarize(props: RestoreScenarioProps): ScenarioSummary {
    const { schedule, target } = props;
    const ns = schedule.release.namespace;
    const { before, afterRestore, checks, after } = this.runbookSteps(props);
    return {
      name: this.name,
      title: this.title,
      target,
      scheduleName: schedule.name,
      backupName: props.backupName,
      dataPath: this.dataPath,
      existingResourcePolicy: this.request.existingResourcePolicy,
      veleroNamespace: ns,
      spec: this.spec,
      hooks: props.hooks ?? [],
      file: `${RESTORES_FOLDER}/${this.name}.yaml`,
      before,
      afterRestore,
      checks,
      after,
    };
  }

  /** The runbook's commands: before the restore, right after it, the checks, and after the checks. */
  private runbookSteps(props: RestoreScenarioProps): RunbookSteps {
    const { target } = props;
    const ns = this.schedule.release.namespace;
    const before: string[] = [];
    const checks: string[] = [];
    const after: string[] = [];
    const keys = props.trackingModifiers ? strippedTrackingKeys(props.trackingModifiers.modifiers) : undefined;
    const afterRestore: string[] = [];
    const tracked = (where: string) => (keys ? [trackedCheck(where, keys)] : []);
    switch (target.kind) {
      case 'pvc':
        before.push(
          `kubectl -n ${target.namespace} scale deploy,statefulset --all --replicas=0   # stop what mounts the claim`,
          `kubectl -n ${target.namespace} delete pvc ${target.pvc} --wait   # only the broken claim; existing claims are skipped anyway`,
        );
        checks.push(
          `kubectl -n ${target.namespace} get pvc ${target.pvc}   # STATUS Bound`,
          ...(this.dataPath === 'csi-snapshot'
            ? [
                `kubectl -n ${target.namespace} get volumesnapshot -l velero.io/restore-name="$RESTORE"   # the snapshots it was cloned from (of every PVC of the namespace)`,
              ]
            : []),
        );
        after.push(
          `argocd app sync <application of ${target.namespace}>   # or wait for selfHeal: brings the replicas back and adopts the claim`,
          ...snapshotCleanup(this.dataPath, target.namespace),
        );
        break;
      case 'namespace':
        before.push(
          `kubectl get namespace ${target.namespace}   # must be gone (NotFound) or hold only what is left; existing objects are ${this.request.existingResourcePolicy === 'update' ? 'updated' : 'skipped'}`,
        );
        if (keys) afterRestore.push(...namespaceStripCommands(target.namespace, keys));
        checks.push(
          `kubectl -n ${target.namespace} get all,pvc   # pods Running, PVCs Bound`,
          ...tracked(target.namespace),
        );
        after.push(
          `argocd app sync <application of ${target.namespace}>   # adopts the restored objects (ArgoCD re-adds its tracking)`,
          ...snapshotCleanup(this.dataPath, target.namespace),
        );
        break;
      case 'namespace-into':
        before.push(
          `kubectl create namespace ${target.into}   # first, empty: Velero reuses an existing namespace as it is, so the copy never carries ${target.namespace}'s labels and annotations (ArgoCD's tracking among them); AlreadyExists: an old copy is still there, delete it first`,
        );
        checks.push(
          `kubectl -n ${target.into} get all,pvc   # the copy of ${target.namespace}`,
          ...tracked(target.into),
        );
        after.push(
          `kubectl -n ${target.into} scale deploy,statefulset --all --replicas=0   # if the copy's workloads must not run next to the live ones`,
          `kubectl delete namespace ${target.into}   # when the inspection is done`,
          ...snapshotCleanup(this.dataPath),
        );
        break;
      case 'cluster':
        if (keys) afterRestore.push(...namespaceStripCommands('--all', keys));
        checks.push(
          `velero -n ${ns} restore get`,
          `kubectl get namespaces`,
          `kubectl get pvc -A   # every claim Bound`,
        );
        after.push(`argocd app list   # sync every Application: it adopts what the restore brought back`);
        break;
    }
    checks.push(...(props.checks ?? []));
    return { before, afterRestore, checks, after };
  }
}

/** What a scenario's Restore covers (RestoreScenario.restoreScope). */
interface TargetScope {
  namespaces: string[];
  excludedNamespaces: string[];
  mapping: Record<string, string>;
  included: string[];
  includeClusterResources: boolean | undefined;
}

/** A scenario's runbook commands, in the order they are run. */
interface RunbookSteps {
  before: string[];
  afterRestore: string[];
  checks: string[];
  after: string[];
}

/** Checks the JS types of the props (a config that was never type-checked). */
function checkScenarioProps(props: RestoreScenarioProps): void {
  const early = typeof props?.name === 'string' ? `restore scenario '${props.name}'` : 'restore scenario';
  checkProps(early, props, {
    name: 'string',
    title: 'string?',
    target: 'object',
    backupName: 'string?',
    namespaceMapping: 'record?',
    existingResourcePolicy: ['none', 'update'],
    includedResources: 'string[]?',
    excludedResources: 'string[]?',
    excludedNamespaces: 'string[]?',
    hooks: 'object[]?',
    checks: 'string[]?',
    protectedNamespaces: 'string[]?',
  });
  checkProps(early, props.target, { kind: ['pvc', 'namespace', 'namespace-into', 'cluster'] }, 'target.');
  checkConstruct(early, 'schedule', props.schedule, 'a BackupSchedule (a schedule that exists)', [
    'name',
    'release',
    'includedNamespaces',
  ]);
  if (props.trackingModifiers !== false) {
    checkConstruct(early, 'trackingModifiers', props.trackingModifiers, 'a TrackingStripModifiers, or false', [
      'name',
      'namespace',
    ]);
  }
}

/** Checks the scenario's name, its tracking modifiers' namespace and its backup name. */
function checkScenarioNames(subject: string, props: RestoreScenarioProps): void {
  const release = props.schedule.release;
  // generateName adds 5 characters; a Restore name is a label value too (velero.io/restore-name)
  if (!isDnsLabel(props.name, 57)) {
    throw new Error(`${subject}: name must be a DNS-1123 label of at most 57 characters (generateName adds 6)`);
  }
  if (props.trackingModifiers && props.trackingModifiers.namespace !== release.namespace) {
    throw new Error(
      `${subject}: the tracking modifiers ConfigMap is in namespace '${props.trackingModifiers.namespace}', but Velero reads it from the Restore's namespace '${release.namespace}'`,
    );
  }
  if (props.backupName !== undefined && !isDnsSubdomain(props.backupName)) {
    throw new Error(`${subject}: backupName '${props.backupName}' is not a valid Backup name`);
  }
}

/**
 * Once the claims are Bound, the VolumeSnapshots a CSI restore brought back (one per PVC of the backup) and their
 * contents have done their job. Velero restores the contents cluster-scoped with deletionPolicy Retain
 * (pkg/restore/actions/csi/volumesnapshot_action.go), so deleting them never deletes the backup's snapshot.
 */
function snapshotCleanup(path: VolumeDataPath, namespace?: string): string[] {
  if (path !== 'csi-snapshot') return [];
  return [
    ...(namespace
      ? [
          `kubectl -n ${namespace} delete volumesnapshot -l velero.io/restore-name="$RESTORE"   # once every PVC is Bound`,
        ]
      : []),
    `kubectl delete volumesnapshotcontent -l velero.io/restore-name="$RESTORE"   # deletionPolicy Retain: the backup keeps its snapshot`,
  ];
}

function defaultTitle(t: RestoreTarget): string {
  switch (t.kind) {
    case 'pvc':
      return `one PVC lost (${t.namespace}/${t.pvc})`;
    case 'namespace':
      return `one namespace lost (${t.namespace})`;
    case 'namespace-into':
      return `namespace ${t.namespace} restored into ${t.into} for inspection`;
    case 'cluster':
      return 'the whole cluster rebuilt';
  }
}

/**
 * The check that nothing the restore brought back, the namespace itself included, carries ArgoCD's tracking:
 * one JSON stream of the namespace object and the items in it, filtered by jq.
 */
function trackedCheck(where: string, keys: { labels: readonly string[]; annotations: readonly string[] }): string {
  const tests = [
    ...keys.labels.map((k) => `.metadata.labels["${k}"]`),
    ...keys.annotations.map((k) => `.metadata.annotations["${k}"]`),
  ].join(' or ');
  return `{ kubectl get namespace/${where} -o json; kubectl -n ${where} get all,pvc,configmap,secret -o json | jq '.items[]'; } | jq -r 'select(${tests}) | .kind + "/" + .metadata.name'   # prints nothing: ArgoCD does not own the restored copies, nor the namespace`;
}

/** An inspection copy goes into a namespace of its own: its runbook ends `kubectl delete namespace <into>`. */
function inspectionTargetCheck(
  subject: string,
  into: string,
  schedule: BackupSchedule,
  protectedNs: readonly string[],
): void {
  const owner = protectedNs.includes(into)
    ? 'is a namespace the stack runs in'
    : (foreignNamespaceOwner(into) ??
      (schedule.includesNamespace(into) ? `is backed up by schedule '${schedule.name}', a live namespace` : undefined));
  if (owner) {
    throw new Error(
      `${subject}: target.into '${into}' ${owner}; an inspection copy needs a namespace of its own (its runbook ends 'kubectl delete namespace ${into}'), e.g. '${into}-inspect' (docs/pitfalls.md#namespace-tracking)`,
    );
  }
}

/**
 * The restore controller's checks of the Restore's lists (validateAndComplete), at synth time: a list Velero
 * refuses ends the Restore FailedValidation when a person needs it most. And a `pvc` target must restore a PVC kind.
 */
function restoreListsCheck(
  subject: string,
  target: RestoreTarget,
  lists: {
    namespaces: readonly string[];
    excludedNamespaces: readonly string[];
    included: readonly string[];
    excluded: readonly string[];
    rendered: readonly string[];
  },
): void {
  const problem = restoreListsProblem({
    includedNamespaces: ['target', lists.namespaces],
    excludedNamespaces: ['excludedNamespaces', lists.excludedNamespaces],
    includedResources: ['includedResources', lists.included],
    excludedResources: ['excludedResources', lists.excluded],
  });
  if (problem) throw new Error(`${subject}: ${problem} (docs/pitfalls.md#includes-excludes)`);
  if (target.kind !== 'pvc') return;
  const pvcKind = (r: string) => PVC_KINDS.includes(r) || r === '*';
  if (!lists.rendered.some(pvcKind)) {
    throw new Error(
      `${subject}: includedResources ${JSON.stringify(lists.included)} holds no PVC kind, so the 'pvc' target restores no claim; add 'persistentvolumeclaims' or leave includedResources unset (docs/pitfalls.md#includes-excludes)`,
    );
  }
  const dropped = lists.excluded.find((r) => PVC_KINDS.includes(r));
  if (dropped) {
    throw new Error(
      `${subject}: excludedResources holds '${dropped}', so the 'pvc' target restores no claim; drop it (docs/pitfalls.md#includes-excludes)`,
    );
  }
}
