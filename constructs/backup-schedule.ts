import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Schedule,
  ScheduleSpecTemplateHooksResourcesPostExecOnError as PostOnError,
  ScheduleSpecTemplateHooksResourcesPreExecOnError as PreOnError,
  type ScheduleSpecTemplate,
  type ScheduleSpecTemplateHooksResources,
} from '../imports/velero-schedules-velero.io';
import { parseCron, type CronSchedule } from '../lib/schedule/cron';
import {
  compareDurations,
  describeDuration,
  durationNanos,
  formatGoDuration,
  parseGoDuration,
  shortGoDuration,
} from '../lib/units/duration';
import { checkCrdField } from '../lib/versions/crd-fields';
import { PART_OF, recommendedLabels } from '../lib/kube/labels';
import { isDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import {
  looksLikeGlob,
  namespaceEntryProblem,
  namespacePatternMatches,
  veleroMinor,
} from '../lib/schedule/namespace-glob';
import { checkSelector, type LabelSelector } from '../lib/kube/label-selector';
import { scheduleThresholds } from '../lib/alerts/thresholds';
import { minimumGuardedTtl } from '../lib/alerts/last-restore-point';
import { includesExcludesProblem } from '../lib/validation/includes-excludes';
import { checkConstruct, checkProps, type PropSpec } from '../lib/validation/props';
import { compact } from '../lib/kube/compact';
import { volumeSnapshotClassAnnotation } from '../lib/storage/csi-drivers';
import type { IBackupStorageLocation, IVeleroRelease, IVolumeSnapshotLocation } from './velero-release';

/** One exec hook: a command run in a container of each selected pod. */
export interface BackupHookExec {
  /** Container to run in. @default - the pod's first container */
  readonly container?: string;
  /** The command and its arguments, e.g. `['/sbin/fsfreeze', '--freeze', '/data']`. */
  readonly command: readonly string[];
  /** `Fail` marks the backup PartiallyFailed when the hook fails; `Continue` ignores it. @default 'Fail' */
  readonly onError?: 'Continue' | 'Fail';
  /** How long to wait for the command; a Duration or a Go duration string. @default Duration.seconds(30) (Velero's) */
  readonly timeout?: Duration | string;
}

/** Backup hooks for a set of pods (Velero `spec.hooks.resources[]`). */
export interface BackupHook {
  /** Hook name, shown in logs. */
  readonly name: string;
  /** @default - every namespace of the backup */
  readonly includedNamespaces?: readonly string[];
  /** @default [] */
  readonly excludedNamespaces?: readonly string[];
  /** @default - pods */
  readonly includedResources?: readonly string[];
  /** @default [] */
  readonly excludedResources?: readonly string[];
  /** @default - every pod */
  readonly labelSelector?: LabelSelector;
  /** Run before the pod's volumes are backed up (e.g. freeze a database). @default [] */
  readonly pre?: readonly BackupHookExec[];
  /** Run after (e.g. unfreeze). @default [] */
  readonly post?: readonly BackupHookExec[];
}

export interface BackupScheduleProps {
  /** The Velero release the Schedule belongs to; it lands in `release.namespace`. */
  readonly release: IVeleroRelease;
  /**
   * Schedule name, exactly as configured: backups are named `<name>-<YYYYMMDDhhmmss>`, labelled
   * `velero.io/schedule-name=<name>`, and Velero's metrics carry `schedule="<name>"`. Runbooks match on it.
   */
  readonly name: string;
  /**
   * Prefix put before `name`. The Velero Helm chart names schedules `velero-<key>` (its `fullname`), so
   * `namePrefix: 'velero-'` keeps a migrated schedule's name, its backups' names and its metric label.
   * @default '' (no prefix)
   */
  readonly namePrefix?: string;
  /**
   * When backups run: 5-field cron (`0 2 * * *`, UTC), a descriptor (`@daily`), `@every <Go duration>`,
   * optionally prefixed `CRON_TZ=<zone> ` (lib/schedule/cron.ts; docs/upstream-facts.md#schedule).
   */
  readonly schedule: string;
  /**
   * How long each backup is kept: a Duration or a Go duration string (`'720h'`; Velero has no `d`).
   * At least 1h, and not shorter than the schedule's longest interval between runs.
   * @default Duration.days(30) (rendered `720h0m0s`, Velero's own default)
   */
  readonly ttl?: Duration | string;
  /**
   * Accept a ttl shorter than the schedule's longest interval between runs, i.e. times with no restore
   * point at all. @default false
   */
  readonly allowTtlShorterThanCadence?: boolean;
  /**
   * Accept a ttl shorter than the staleness threshold plus a day (`minimumGuardedTtl`: daily 54h, weekly 9d):
   * the last restore point could expire less than a day after the first alert, so the schedule gets no
   * `VeleroLastRestorePointExpiring` (docs/pitfalls.md#last-restore-point). @default false
   */
  readonly allowTtlWithoutReactionTime?: boolean;
  /** Namespaces to back up; `['*']` is all. Velero reads an empty list as all, so `[]` is refused. @default ['*'] */
  readonly includedNamespaces?: readonly string[];
  /** Namespaces to leave out. @default [] */
  readonly excludedNamespaces?: readonly string[];
  /** Old-style resource filter: resources to back up (`'*'` = all). Not with the new-style filters. @default - all */
  readonly includedResources?: readonly string[];
  /** Old-style resource filter: resources to leave out. Not with the new-style filters. @default [] */
  readonly excludedResources?: readonly string[];
  /**
   * Old-style filter: back up cluster-scoped resources. Not with the new-style filters.
   * @default - Velero decides: all of them when every namespace is included, else those the included objects need
   */
  readonly includeClusterResources?: boolean;
  /** New-style filter: cluster-scoped resources to back up. Not with the old-style filters. @default - Velero decides */
  readonly includedClusterScopedResources?: readonly string[];
  /** New-style filter: cluster-scoped resources to leave out. @default [] */
  readonly excludedClusterScopedResources?: readonly string[];
  /** New-style filter: namespaced resources to back up. Not with the old-style filters. @default - all */
  readonly includedNamespaceScopedResources?: readonly string[];
  /** New-style filter: namespaced resources to leave out. @default [] */
  readonly excludedNamespaceScopedResources?: readonly string[];
  /**
   * Back up only objects with these labels. Volumes of PVCs outside the selector are not backed up, so a
   * schedule with a selector never counts as protecting a namespace's volumes (`protectsVolumesIn`).
   * @default - every object
   */
  readonly labelSelector?: LabelSelector;
  /**
   * Take CSI snapshots of the PVCs (needs the release's `csiSnapshots`). Always rendered explicitly,
   * because Velero reads an absent value as true. @default release.csiEnabled
   */
  readonly snapshotVolumes?: boolean;
  /** Back up every pod volume with the node-agent's file-system backup (kopia). Needs the node-agent. @default false */
  readonly defaultVolumesToFsBackup?: boolean;
  /**
   * Upload the CSI snapshots' data to the backup storage location (the data mover), so the backup survives
   * the loss of the storage system. Needs `snapshotVolumes`, CSI and the node-agent. @default false
   */
  readonly snapshotMoveData?: boolean;
  /** Where backups go; a location of this release. @default release.defaultStorageLocation */
  readonly storageLocation?: IBackupStorageLocation;
  /**
   * Snapshot locations, locations of this release; only with `snapshotVolumes`.
   * @default - the release's default snapshot location when `snapshotVolumes`, else none
   */
  readonly volumeSnapshotLocations?: readonly IVolumeSnapshotLocation[];
  /**
   * How long to wait for a CSI snapshot to become ready; slow storage needs more (docs/pitfalls.md#csi-snapshot-timeout,
   * velero#5413). A Duration or a Go duration string. @default - Velero's 10m (not rendered)
   */
  readonly csiSnapshotTimeout?: Duration | string;
  /** How long to wait for async item operations (data mover uploads). @default - Velero's 4h (not rendered) */
  readonly itemOperationTimeout?: Duration | string;
  /** Pre/post exec hooks. @default [] */
  readonly hooks?: readonly BackupHook[];
  /**
   * Name of a resource-policies ConfigMap in the release namespace (`velero backup create --resource-policies-configmap`):
   * `spec.template.resourcePolicy: { kind: configmap, name }`, e.g. to skip volumes by StorageClass or size. The
   * ConfigMap is yours (Velero refuses the backup when it is missing). @default - none
   */
  readonly resourcePolicy?: string;
  /**
   * Label key whose values group PVCs into CSI VolumeGroupSnapshots (`spec.template.volumeGroupSnapshotLabelKey`,
   * Velero 1.17+). @default - Velero's (`velero.io/volume-group`, server flag `--volume-group-snapshot-label-key`)
   */
  readonly volumeGroupSnapshotLabelKey?: string;
  /** Render the Schedule paused (no backups run). @default false */
  readonly paused?: boolean;
  /**
   * Make each Backup a child of the Schedule (an ownerReference with controller: true).
   *
   * Leave it off. It keeps ArgoCD from counting Backups as extraneous, but then the Backups die with the
   * Schedule: renaming this schedule (`name` or `namePrefix`), or removing it from the config, makes ArgoCD
   * delete the old Schedule, and Kubernetes garbage collection deletes every Backup object it owns. The
   * data stays in the bucket, but Velero's backup sync re-creates the objects from it still pointing at the
   * deleted owner, so garbage collection deletes them again: the backups flicker in and out of
   * `velero backup get`, restores from them are unreliable, and their ttl expiry no longer reliably runs
   * (velero#4528, #4625; helm-charts#346 made false the chart default). Recovering needs the
   * ownerReferences removed by hand. The argocd-cm `resource.exclusions` (README) protect Backups without it.
   * @default false
   */
  readonly useOwnerReferencesInBackup?: boolean;
  /**
   * The VolumeSnapshotClass each Backup uses per CSI driver (driver -> class name), rendered as the Schedule
   * annotations `velero.io/csi-volumesnapshot-class_<driver>` that Velero copies onto every Backup and reads before
   * any class label (docs/pitfalls.md#existing-snapshot-class). @default {} (Velero picks the labelled class)
   */
  readonly volumeSnapshotClasses?: Readonly<Record<string, string>>;
}

const PROPS: PropSpec = {
  name: 'string',
  namePrefix: 'string?',
  schedule: 'string',
  ttl: 'duration?',
  allowTtlShorterThanCadence: 'boolean?',
  allowTtlWithoutReactionTime: 'boolean?',
  includedNamespaces: 'string[]?',
  excludedNamespaces: 'string[]?',
  includedResources: 'string[]?',
  excludedResources: 'string[]?',
  includeClusterResources: 'boolean?',
  includedClusterScopedResources: 'string[]?',
  excludedClusterScopedResources: 'string[]?',
  includedNamespaceScopedResources: 'string[]?',
  excludedNamespaceScopedResources: 'string[]?',
  labelSelector: 'object?',
  snapshotVolumes: 'boolean?',
  defaultVolumesToFsBackup: 'boolean?',
  snapshotMoveData: 'boolean?',
  storageLocation: 'object?',
  volumeSnapshotLocations: 'object[]?',
  csiSnapshotTimeout: 'duration?',
  itemOperationTimeout: 'duration?',
  hooks: 'object[]?',
  resourcePolicy: 'string?',
  volumeGroupSnapshotLabelKey: 'string?',
  paused: 'boolean?',
  useOwnerReferencesInBackup: 'boolean?',
  volumeSnapshotClasses: 'object?',
};
const HOOK_PROPS: PropSpec = {
  name: 'string',
  includedNamespaces: 'string[]?',
  excludedNamespaces: 'string[]?',
  includedResources: 'string[]?',
  excludedResources: 'string[]?',
  labelSelector: 'object?',
  pre: 'object[]?',
  post: 'object[]?',
};
const EXEC_PROPS: PropSpec = {
  container: 'string?',
  command: 'string[]',
  onError: ['Continue', 'Fail'],
  timeout: 'duration?',
};

/** Checks the JS types of the props (a config that was never type-checked), hooks included. */
function checkScheduleProps(props: BackupScheduleProps): void {
  const named = typeof props?.name === 'string' ? `schedule '${props.namePrefix ?? ''}${props.name}'` : 'schedule';
  checkProps(named, props, PROPS);
  checkConstruct(named, 'release', props.release, 'a VeleroRelease', ['namespace', 'storageLocations']);
  (props.hooks ?? []).forEach((h, i) => {
    checkProps(named, h, HOOK_PROPS, `hooks[${i}].`);
    for (const phase of ['pre', 'post'] as const) {
      (h[phase] ?? []).forEach((e, j) => checkProps(named, e, EXEC_PROPS, `hooks[${i}].${phase}[${j}].`));
    }
  });
  for (const [driver, cls] of Object.entries(props.volumeSnapshotClasses ?? {})) {
    if (typeof cls !== 'string' || !isDnsSubdomain(cls)) {
      throw new Error(
        `${named}: volumeSnapshotClasses[${JSON.stringify(driver)}] must name a VolumeSnapshotClass (a DNS-1123 subdomain), got ${JSON.stringify(cls)} (docs/pitfalls.md#existing-snapshot-class)`,
      );
    }
  }
}

const MIN_TTL = Duration.hours(1);
const DEFAULT_TTL = Duration.days(30);
const DEFAULT_HOOK_TIMEOUT = Duration.seconds(30);
const PVC_RESOURCE_NAMES = ['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc'];

/** Schedule names taken per release (and so per namespace). */
const registry = new WeakMap<IVeleroRelease, Set<string>>();

const quoteList = (items: readonly string[]) => items.map((i) => `'${i}'`).join(', ');
const nonEmpty = <T>(items: readonly T[] | undefined): T[] | undefined =>
  items && items.length ? [...items] : undefined;

function duplicateNameError(name: string, namespace: string): Error {
  return new Error(
    `schedule '${name}': name '${name}' is already taken in namespace '${namespace}'; give each schedule its own name`,
  );
}

/**
 * Throws when two schedules of the list share a name in the same namespace (they would be one Schedule
 * object, and their backups and metrics would mix). The BackupSchedule constructor already refuses a
 * duplicate within one release; this checks any list, e.g. a config before it is built.
 */
export function assertUniqueScheduleNames(
  schedules: readonly { readonly name: string; readonly release: { readonly namespace: string } }[],
): void {
  const seen = new Set<string>();
  for (const s of schedules) {
    const key = `${s.release.namespace}/${s.name}`;
    if (seen.has(key)) throw duplicateNameError(s.name, s.release.namespace);
    seen.add(key);
  }
}

/**
 * The imported (v1.15-typed) Schedule plus `spec.template.volumeGroupSnapshotLabelKey`, which arrived in the
 * v1.17 CRD: imports/ carries the oldest line's types, and their toJson drops fields it does not know.
 */
class ScheduleResource extends Schedule {
  constructor(
    scope: Construct,
    id: string,
    private readonly volumeGroupSnapshotLabelKey: string | undefined,
    props: ConstructorParameters<typeof Schedule>[2],
  ) {
    super(scope, id, props);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  public override toJson(): any {
    const json = super.toJson();
    if (this.volumeGroupSnapshotLabelKey === undefined) return json;
    const { volumeGroupSnapshotLabelKey } = this;
    return { ...json, spec: { ...json.spec, template: { ...json.spec.template, volumeGroupSnapshotLabelKey } } };
  }
}

/**
 * One velero.io/v1 Schedule in the release's namespace, validated at synth (docs/upstream-facts.md#schedule).
 *
 * GitOps safety (docs/pitfalls.md#schedule-labels-on-backups … docs/pitfalls.md#default-bsl):
 * - `spec.template.metadata.labels` is always rendered, so Velero puts these labels on the Backups instead of
 *   the Schedule's own, which may hold ArgoCD's tracking label `app.kubernetes.io/instance` (row 1, G3);
 * - the Schedule renders no annotations of its own: Velero copies every Schedule annotation onto its Backups
 *   (row 2); the only ones in dist/ are FolderChart's `SkipDryRunOnMissingResource` sync option, inert on a Backup,
 *   and `volumeSnapshotClasses`' per-driver class choice, which is meant for the Backups;
 * - `skipImmediately` is never rendered: Velero rewrites it and selfHeal would loop (row 4, G4);
 * - `useOwnerReferencesInBackup` is rendered, false unless asked for (row 3);
 * - durations are rendered as Go prints them (`720h0m0s`), `paused` only when true and lists only when not
 *   empty, so a Schedule that a controller has written back reads the same as in Git.
 */
export class BackupSchedule extends Construct {
  /** Schedule `metadata.name` (with the prefix). */
  public readonly name: string;
  public readonly release: IVeleroRelease;
  /** The cron as written. */
  public readonly schedule: string;
  /** The parsed cron. */
  public readonly cron: CronSchedule;
  /** The longest interval between two runs (lib/schedule/cron.ts `cadenceOf`). */
  public readonly cadence: Duration;
  public readonly ttl: Duration;
  /** The ttl leaves a day to react before the last restore point expires (`minimumGuardedTtl`), so `VeleroLastRestorePointExpiring` guards it. */
  public readonly lastRestorePointGuarded: boolean;
  /** Restore points kept: ceil(ttl / cadence). */
  public readonly retentionDepth: number;
  /** `['*']` = all namespaces. */
  public readonly includedNamespaces: readonly string[];
  public readonly excludedNamespaces: readonly string[];
  /** Effective value (rendered explicitly). */
  public readonly snapshotVolumes: boolean;
  public readonly defaultVolumesToFsBackup: boolean;
  public readonly snapshotMoveData: boolean;
  public readonly storageLocation: IBackupStorageLocation;
  /** Rendered only when `snapshotVolumes`. */
  public readonly volumeSnapshotLocations: readonly IVolumeSnapshotLocation[];
  public readonly paused: boolean;
  public readonly useOwnerReferencesInBackup: boolean;
  /** Undefined = Velero decides. */
  public readonly includeClusterResources?: boolean;
  public readonly csiSnapshotTimeout?: Duration;
  public readonly itemOperationTimeout?: Duration;
  /** Labels every Backup of this schedule carries (`spec.template.metadata.labels`), besides Velero's own. */
  public readonly backupLabels: Readonly<Record<string, string>>;
  private readonly backsUpPvcs: boolean;

  constructor(scope: Construct, id: string, props: BackupScheduleProps) {
    super(scope, id);
    checkScheduleProps(props);
    const release = props.release;
    this.release = release;
    this.name = `${props.namePrefix ?? ''}${props.name}`;
    const fail = (message: string): never => {
      throw new Error(`schedule '${this.name}': ${message}`);
    };

    // names
    if (!isDnsLabel(this.name)) {
      fail(
        `name '${this.name}' is not a valid DNS-1123 label; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
      );
    }
    const taken = registry.get(release) ?? new Set<string>();
    if (taken.has(this.name)) throw duplicateNameError(this.name, release.namespace);

    // when and how long
    this.schedule = props.schedule;
    try {
      this.cron = parseCron(props.schedule);
    } catch (e) {
      throw new Error(`schedule '${this.name}': schedule '${props.schedule}' is not valid: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.cadence = this.cron.cadence();
    this.ttl = this.duration('ttl', props.ttl) ?? DEFAULT_TTL;
    // quoted as the user wrote it, advised in a unit Velero takes (`168h`, never `7d`)
    const ttlAsWritten = typeof props.ttl === 'string' ? props.ttl : shortGoDuration(this.ttl);
    if (compareDurations(this.ttl, MIN_TTL) < 0) fail(`ttl must be at least 1h, got '${ttlAsWritten}'`);
    if (compareDurations(this.ttl, this.cadence) < 0 && !props.allowTtlShorterThanCadence) {
      fail(
        `ttl '${ttlAsWritten}' is shorter than the longest interval between runs of '${props.schedule}' (${shortGoDuration(this.cadence)}), which leaves times with no restore point; raise ttl to at least '${shortGoDuration(this.cadence)}', or set allowTtlShorterThanCadence`,
      );
    }
    const guarded = minimumGuardedTtl(scheduleThresholds(this.cadence));
    const shortAllowed = props.allowTtlWithoutReactionTime || props.allowTtlShorterThanCadence;
    if (compareDurations(this.ttl, guarded) < 0 && !shortAllowed) {
      fail(
        `ttl '${ttlAsWritten}' leaves less than a day between VeleroBackupDelayed and the expiry of the last restore point; raise ttl to at least '${Math.ceil(guarded.toSeconds() / 3600)}h', or set allowTtlWithoutReactionTime (docs/pitfalls.md#last-restore-point)`,
      );
    }
    this.lastRestorePointGuarded = compareDurations(this.ttl, guarded) >= 0;
    const ttlNs = durationNanos(this.ttl);
    const cadenceNs = durationNanos(this.cadence);
    this.retentionDepth = Number((ttlNs + cadenceNs - 1n) / cadenceNs);

    // what
    this.includedNamespaces = [...(props.includedNamespaces ?? ['*'])];
    this.excludedNamespaces = [...(props.excludedNamespaces ?? [])];
    if (this.includedNamespaces.length === 0) {
      fail(
        `includedNamespaces is empty, which Velero reads as all namespaces; write ['*'] for all, or name the namespaces`,
      );
    }
    const filterProblem =
      includesExcludesProblem(
        'plain',
        'includedNamespaces',
        this.includedNamespaces,
        'excludedNamespaces',
        this.excludedNamespaces,
      ) ??
      includesExcludesProblem(
        'plain',
        'includedResources',
        props.includedResources ?? [],
        'excludedResources',
        props.excludedResources ?? [],
      ) ??
      includesExcludesProblem(
        'scoped',
        'includedClusterScopedResources',
        props.includedClusterScopedResources ?? [],
        'excludedClusterScopedResources',
        props.excludedClusterScopedResources ?? [],
      ) ??
      includesExcludesProblem(
        'scoped',
        'includedNamespaceScopedResources',
        props.includedNamespaceScopedResources ?? [],
        'excludedNamespaceScopedResources',
        props.excludedNamespaceScopedResources ?? [],
      );
    if (filterProblem) fail(`${filterProblem} (docs/pitfalls.md#includes-excludes)`);
    if (props.labelSelector) checkSelector(`schedule '${this.name}'`, 'labelSelector', props.labelSelector);
    // names, or Velero's globs (`kube-*`; `?` and `[...]` from 1.18): lib/schedule/namespace-glob.ts
    const minor = veleroMinor(release.version);
    const entries = [
      ...this.includedNamespaces.map((ns) => ['includedNamespaces', ns] as const),
      ...this.excludedNamespaces.map((ns) => ['excludedNamespaces', ns] as const),
    ];
    for (const [field, ns] of entries) {
      if (ns === '*' && field === 'includedNamespaces') continue;
      const problem = namespaceEntryProblem(ns, minor);
      if (problem === undefined) continue;
      if (looksLikeGlob(ns)) fail(`${field} entry '${ns}' ${problem} (docs/pitfalls.md#namespace-globs)`);
      fail(
        `${field} entry '${ns}' is not a valid DNS-1123 label; use lowercase letters, digits and '-'${field === 'includedNamespaces' ? " (or '*' for all namespaces)" : ''}`,
      );
    }
    const oldStyle = [
      ...(nonEmpty(props.includedResources) ? ['includedResources'] : []),
      ...(nonEmpty(props.excludedResources) ? ['excludedResources'] : []),
      ...(props.includeClusterResources !== undefined ? ['includeClusterResources'] : []),
    ];
    const newStyle = [
      ...(nonEmpty(props.includedClusterScopedResources) ? ['includedClusterScopedResources'] : []),
      ...(nonEmpty(props.excludedClusterScopedResources) ? ['excludedClusterScopedResources'] : []),
      ...(nonEmpty(props.includedNamespaceScopedResources) ? ['includedNamespaceScopedResources'] : []),
      ...(nonEmpty(props.excludedNamespaceScopedResources) ? ['excludedNamespaceScopedResources'] : []),
    ];
    if (oldStyle.length && newStyle.length) {
      fail(
        `old-style filters (${oldStyle.join(', ')}) and new-style filters (${newStyle.join(', ')}) are mixed; Velero fails such backups validation, use one style`,
      );
    }
    this.includeClusterResources = props.includeClusterResources;

    // where
    this.storageLocation = props.storageLocation ?? release.defaultStorageLocation;
    if (!release.storageLocations.includes(this.storageLocation)) {
      fail(
        `storageLocation '${this.storageLocation.name}' is not a storage location of this release (namespace '${release.namespace}'); use one of ${quoteList(release.storageLocations.map((l) => l.name))}`,
      );
    }
    if (this.storageLocation.accessMode === 'ReadOnly') {
      fail(`storageLocation '${this.storageLocation.name}' is ReadOnly; backups need a ReadWrite location`);
    }

    // volumes
    this.snapshotVolumes = props.snapshotVolumes ?? release.csiEnabled;
    this.defaultVolumesToFsBackup = props.defaultVolumesToFsBackup ?? false;
    this.snapshotMoveData = props.snapshotMoveData ?? false;
    if (this.snapshotVolumes && !release.csiEnabled) {
      fail(
        `snapshotVolumes true needs CSI snapshots (the EnableCSI feature); set csiSnapshots: true on the VeleroRelease, or snapshotVolumes: false`,
      );
    }
    if (this.snapshotMoveData && !release.csiEnabled) {
      fail(
        `snapshotMoveData true needs CSI snapshots (the EnableCSI feature); set csiSnapshots: true on the VeleroRelease`,
      );
    }
    if (this.snapshotMoveData && !this.snapshotVolumes) {
      fail(`snapshotMoveData true needs snapshotVolumes true: the data mover uploads the CSI snapshots`);
    }
    if (this.snapshotMoveData && !release.nodeAgentEnabled) {
      fail(`snapshotMoveData true needs the node-agent; set nodeAgent: { enabled: true } on the VeleroRelease`);
    }
    if (this.defaultVolumesToFsBackup && !release.nodeAgentEnabled) {
      fail(`defaultVolumesToFsBackup true needs the node-agent; set nodeAgent: { enabled: true } on the VeleroRelease`);
    }
    if (props.volumeSnapshotLocations && !this.snapshotVolumes) {
      fail(
        `volumeSnapshotLocations ${quoteList(props.volumeSnapshotLocations.map((l) => l.name))} have no effect with snapshotVolumes false; drop them or set snapshotVolumes: true`,
      );
    }
    const defaultVsl = release.defaultSnapshotLocation ? [release.defaultSnapshotLocation] : [];
    this.volumeSnapshotLocations = this.snapshotVolumes ? [...(props.volumeSnapshotLocations ?? defaultVsl)] : [];
    for (const vsl of this.volumeSnapshotLocations) {
      if (!release.snapshotLocations.includes(vsl)) {
        const known = release.snapshotLocations.map((l) => l.name);
        fail(
          `volumeSnapshotLocations entry '${vsl.name}' is not a snapshot location of this release (namespace '${release.namespace}'); ${known.length ? `use one of ${quoteList(known)}` : 'this release has none'}`,
        );
      }
    }
    this.csiSnapshotTimeout = this.positiveDuration('csiSnapshotTimeout', props.csiSnapshotTimeout);
    this.itemOperationTimeout = this.positiveDuration('itemOperationTimeout', props.itemOperationTimeout);
    const hooks = (props.hooks ?? []).map((h, i) => this.renderHook(h, i));
    if (props.volumeGroupSnapshotLabelKey !== undefined) {
      checkCrdField(
        `schedule '${this.name}'`,
        'Schedule',
        'spec.template.volumeGroupSnapshotLabelKey',
        release.version,
      );
      if (
        !/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(
          props.volumeGroupSnapshotLabelKey,
        )
      ) {
        fail(
          `volumeGroupSnapshotLabelKey '${props.volumeGroupSnapshotLabelKey}' is not a Kubernetes label key; use e.g. 'velero.io/volume-group'`,
        );
      }
    }

    this.paused = props.paused ?? false;
    this.useOwnerReferencesInBackup = props.useOwnerReferencesInBackup ?? false;
    this.backsUpPvcs =
      props.labelSelector === undefined &&
      includesPvcs(props.includedResources ?? props.includedNamespaceScopedResources, [
        ...(props.excludedResources ?? []),
        ...(props.excludedNamespaceScopedResources ?? []),
      ]);
    // deterministic, schedule-specific, never ArgoCD's app.kubernetes.io/instance (docs/pitfalls.md#schedule-labels-on-backups)
    this.backupLabels = { 'app.kubernetes.io/part-of': PART_OF, 'velero-cdk8s/schedule': this.name };

    const template: ScheduleSpecTemplate = {
      metadata: { labels: { ...this.backupLabels } },
      includedNamespaces: [...this.includedNamespaces],
      excludedNamespaces: nonEmpty(this.excludedNamespaces),
      includedResources: nonEmpty(props.includedResources),
      excludedResources: nonEmpty(props.excludedResources),
      includeClusterResources: props.includeClusterResources,
      includedClusterScopedResources: nonEmpty(props.includedClusterScopedResources),
      excludedClusterScopedResources: nonEmpty(props.excludedClusterScopedResources),
      includedNamespaceScopedResources: nonEmpty(props.includedNamespaceScopedResources),
      excludedNamespaceScopedResources: nonEmpty(props.excludedNamespaceScopedResources),
      labelSelector: props.labelSelector && renderSelector(props.labelSelector),
      snapshotVolumes: this.snapshotVolumes,
      defaultVolumesToFsBackup: this.defaultVolumesToFsBackup,
      snapshotMoveData: this.snapshotMoveData,
      storageLocation: this.storageLocation.name,
      volumeSnapshotLocations: nonEmpty(this.volumeSnapshotLocations.map((l) => l.name)),
      ttl: formatGoDuration(this.ttl),
      csiSnapshotTimeout: this.csiSnapshotTimeout && formatGoDuration(this.csiSnapshotTimeout),
      itemOperationTimeout: this.itemOperationTimeout && formatGoDuration(this.itemOperationTimeout),
      hooks: hooks.length ? { resources: hooks } : undefined,
      resourcePolicy: resourcePolicyOf(props.resourcePolicy),
    };
    const classes = Object.entries(props.volumeSnapshotClasses ?? {});
    const classAnnotations = classes.length
      ? Object.fromEntries(classes.map(([driver, cls]) => [volumeSnapshotClassAnnotation(driver), cls]))
      : undefined;
    new ScheduleResource(this, 'Resource', props.volumeGroupSnapshotLabelKey, {
      // no annotations but the class choice: Velero copies them onto every Backup (docs/pitfalls.md#schedule-annotations-on-backups)
      metadata: {
        ...(classAnnotations ? { annotations: classAnnotations } : {}),
        name: this.name,
        namespace: release.namespace,
        labels: { ...recommendedLabels('velero', release.version), 'app.kubernetes.io/component': 'backup-schedule' },
      },
      spec: {
        schedule: this.schedule,
        ...(this.paused ? { paused: true } : {}),
        useOwnerReferencesInBackup: this.useOwnerReferencesInBackup,
        template,
      },
    });
    taken.add(this.name);
    registry.set(release, taken);
  }

  /** True when this schedule includes `namespace` at all (its resources); `'*'` asks for every namespace. */
  public includesNamespace(namespace: string): boolean {
    if (namespace === '*') return this.includedNamespaces.includes('*') && this.excludedNamespaces.length === 0;
    // Velero matches both lists as globs (lib/schedule/namespace-glob.ts); a pattern stands for what it matches
    if (this.excludedNamespaces.some((e) => namespacePatternMatches(e, namespace))) return false;
    return this.includedNamespaces.some((i) => namespacePatternMatches(i, namespace));
  }

  /**
   * True when this schedule backs up the PVC data of `namespace`: it includes the namespace and its PVCs,
   * selects objects by no label, and takes CSI snapshots, file-system backups or moves snapshot data.
   */
  public protectsVolumesIn(namespace: string): boolean {
    return (
      this.backsUpPvcs &&
      (this.snapshotVolumes || this.defaultVolumesToFsBackup || this.snapshotMoveData) &&
      this.includesNamespace(namespace)
    );
  }

  private duration(field: string, value: Duration | string | undefined): Duration | undefined {
    if (typeof value !== 'string') return value;
    try {
      return parseGoDuration(value);
    } catch (e) {
      throw new Error(`schedule '${this.name}': ${field} ${(e as Error).message}`, { cause: e });
    }
  }

  private positiveDuration(field: string, value: Duration | string | undefined): Duration | undefined {
    const d = this.duration(field, value);
    if (d && durationNanos(d) <= 0n) {
      throw new Error(`schedule '${this.name}': ${field} must be positive, got '${describeDuration(d)}'`);
    }
    return d;
  }

  private renderHook(hook: BackupHook, index: number): ScheduleSpecTemplateHooksResources {
    const where = `hooks[${index}]`;
    if (!hook.name) throw new Error(`schedule '${this.name}': ${where} has no name; name each hook, e.g. 'freeze-db'`);
    if (!hook.pre?.length && !hook.post?.length) {
      throw new Error(`schedule '${this.name}': ${where} '${hook.name}' has no pre or post command; give at least one`);
    }
    for (const ns of [...(hook.includedNamespaces ?? []), ...(hook.excludedNamespaces ?? [])]) {
      const problem = ns === '*' ? undefined : namespaceEntryProblem(ns, veleroMinor(this.release.version));
      if (problem !== undefined) {
        throw new Error(
          looksLikeGlob(ns)
            ? `schedule '${this.name}': ${where} '${hook.name}' namespace '${ns}' ${problem} (docs/pitfalls.md#namespace-globs)`
            : `schedule '${this.name}': ${where} '${hook.name}' namespace '${ns}' is not a valid DNS-1123 label; use lowercase letters, digits and '-'`,
        );
      }
    }
    if (hook.labelSelector) checkSelector(`schedule '${this.name}'`, `${where}.labelSelector`, hook.labelSelector);
    const exec = <E>(phase: 'pre' | 'post', onError: { CONTINUE: E; FAIL: E }) =>
      nonEmpty(
        (hook[phase] ?? []).map((e, i) => {
          if (e.command.length === 0) {
            throw new Error(
              `schedule '${this.name}': ${where} '${hook.name}' ${phase}[${i}] command is empty; give the command and its arguments, e.g. ['/bin/sh', '-c', 'sync']`,
            );
          }
          const timeout =
            this.positiveDuration(`${where} '${hook.name}' ${phase}[${i}] timeout`, e.timeout) ?? DEFAULT_HOOK_TIMEOUT;
          return {
            exec: {
              container: e.container,
              command: [...e.command],
              onError: e.onError === 'Continue' ? onError.CONTINUE : onError.FAIL,
              timeout: formatGoDuration(timeout),
            },
          };
        }),
      );
    return {
      name: hook.name,
      includedNamespaces: nonEmpty(hook.includedNamespaces),
      excludedNamespaces: nonEmpty(hook.excludedNamespaces),
      includedResources: nonEmpty(hook.includedResources),
      excludedResources: nonEmpty(hook.excludedResources),
      labelSelector: hook.labelSelector && renderSelector(hook.labelSelector),
      pre: exec('pre', PreOnError),
      post: exec('post', PostOnError),
    };
  }
}

function renderSelector(s: LabelSelector) {
  return compact({
    matchLabels: s.matchLabels && { ...s.matchLabels },
    matchExpressions: s.matchExpressions?.map((e) => ({
      key: e.key,
      operator: e.operator,
      values: e.values && [...e.values],
    })),
  });
}

/** Do the resource filters let PVCs through? (Velero matches resource names and short names.) */
function includesPvcs(included: readonly string[] | undefined, excluded: readonly string[]): boolean {
  const isPvc = (r: string) => r === '*' || PVC_RESOURCE_NAMES.includes(r.toLowerCase().replace(/\.$/, ''));
  if (excluded.some((r) => r !== '*' && isPvc(r)) || excluded.includes('*')) return false;
  return !included || included.length === 0 || included.some(isPvc);
}

/**
 * `spec.template.resourcePolicy` of a ConfigMap name: kind `configmap`, as `velero backup create
 * --resource-policies-configmap` writes it (internal/resourcepolicies ConfigmapRefType, compared case-insensitively,
 * at v1.15.0 .. v1.18.1).
 */
function resourcePolicyOf(name: string | undefined): { kind: string; name: string } | undefined {
  if (name === undefined) return undefined;
  if (!isDnsSubdomain(name)) {
    throw new Error(
      `backup schedule: resourcePolicy '${name}' is not a ConfigMap name (a DNS-1123 subdomain), e.g. 'skip-scratch-volumes' (docs/pitfalls.md#resource-policies)`,
    );
  }
  return { kind: 'configmap', name };
}
