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
import type { HookConfig, HookExecConfig, ScheduleConfig } from '../lib/config/types';
import { INCLUDED_NAMESPACES_DEFAULT } from '../lib/config/defaults';

/** One exec hook (documented once: lib/config/types.ts `HookExecConfig`). */
export type BackupHookExec = HookExecConfig;

/** Backup hooks for a set of pods (documented once: lib/config/types.ts `HookConfig`). */
export type BackupHook = HookConfig;

/**
 * A Schedule's props: the config's `ScheduleConfig` fields (each documented, with its default, once in
 * lib/config/types.ts; `retention` and `drill` are the stack's, which renders one BackupSchedule per retention
 * period and a RestoreDrill per drill) plus what only the construct takes.
 */
export interface BackupScheduleProps extends Omit<ScheduleConfig, 'retention' | 'drill' | 'storageLocation'> {
  /** The Velero release the Schedule belongs to; it lands in `release.namespace`. */
  readonly release: IVeleroRelease;
  /** Where backups go; a location of this release (the config names it). @default release.defaultStorageLocation */
  readonly storageLocation?: IBackupStorageLocation;
  /**
   * Snapshot locations, locations of this release; only with `snapshotVolumes`.
   * @default - the release's default snapshot location when `snapshotVolumes`, else none
   */
  readonly volumeSnapshotLocations?: readonly IVolumeSnapshotLocation[];
  /**
   * Label key whose values group PVCs into CSI VolumeGroupSnapshots (`spec.template.volumeGroupSnapshotLabelKey`,
   * Velero 1.17+). @default - Velero's (`velero.io/volume-group`, server flag `--volume-group-snapshot-label-key`)
   */
  readonly volumeGroupSnapshotLabelKey?: string;
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
    const taken = this.claimName();

    // when and how long
    this.schedule = props.schedule;
    this.cron = this.parseSchedule(props.schedule);
    this.cadence = this.cron.cadence();
    this.ttl = this.duration('ttl', props.ttl) ?? DEFAULT_TTL;
    this.lastRestorePointGuarded = this.checkTtl(props);
    const ttlNs = durationNanos(this.ttl);
    const cadenceNs = durationNanos(this.cadence);
    this.retentionDepth = Number((ttlNs + cadenceNs - 1n) / cadenceNs);

    // what
    this.includedNamespaces = [...(props.includedNamespaces ?? INCLUDED_NAMESPACES_DEFAULT)];
    this.excludedNamespaces = [...(props.excludedNamespaces ?? [])];
    this.checkResourceFilters(props);
    this.includeClusterResources = props.includeClusterResources;

    // where
    this.storageLocation = props.storageLocation ?? release.defaultStorageLocation;
    this.checkStorageLocation();

    // volumes
    this.snapshotVolumes = props.snapshotVolumes ?? release.csiEnabled;
    this.defaultVolumesToFsBackup = props.defaultVolumesToFsBackup ?? false;
    this.snapshotMoveData = props.snapshotMoveData ?? false;
    this.checkVolumeOptions(props);
    const defaultVsl = release.defaultSnapshotLocation ? [release.defaultSnapshotLocation] : [];
    this.volumeSnapshotLocations = this.snapshotVolumes ? [...(props.volumeSnapshotLocations ?? defaultVsl)] : [];
    this.checkSnapshotLocations();
    this.csiSnapshotTimeout = this.positiveDuration('csiSnapshotTimeout', props.csiSnapshotTimeout);
    this.itemOperationTimeout = this.positiveDuration('itemOperationTimeout', props.itemOperationTimeout);
    const hooks = (props.hooks ?? []).map((h, i) => this.renderHook(h, i));
    this.checkVolumeGroupSnapshotLabelKey(props.volumeGroupSnapshotLabelKey);

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

    this.renderScheduleResource(props, this.renderTemplate(props, hooks));
    taken.add(this.name);
    registry.set(release, taken);
  }

  private fail(message: string): never {
    throw new Error(`schedule '${this.name}': ${message}`);
  }

  /** Checks the name is a DNS label free in the release's namespace; returns the names taken there. */
  private claimName(): Set<string> {
    const release = this.release;
    if (!isDnsLabel(this.name)) {
      this.fail(
        `name '${this.name}' is not a valid DNS-1123 label; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
      );
    }
    const taken = registry.get(release) ?? new Set<string>();
    if (taken.has(this.name)) throw duplicateNameError(this.name, release.namespace);
    return taken;
  }

  private parseSchedule(schedule: string): CronSchedule {
    try {
      return parseCron(schedule);
    } catch (e) {
      throw new Error(`schedule '${this.name}': schedule '${schedule}' is not valid: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** Checks the ttl against the minimum, the cadence and the reaction time; returns whether the last restore point is guarded. */
  private checkTtl(props: BackupScheduleProps): boolean {
    // quoted as the user wrote it, advised in a unit Velero takes (`168h`, never `7d`)
    const ttlAsWritten = typeof props.ttl === 'string' ? props.ttl : shortGoDuration(this.ttl);
    if (compareDurations(this.ttl, MIN_TTL) < 0) this.fail(`ttl must be at least 1h, got '${ttlAsWritten}'`);
    if (compareDurations(this.ttl, this.cadence) < 0 && !props.allowTtlShorterThanCadence) {
      this.fail(
        `ttl '${ttlAsWritten}' is shorter than the longest interval between runs of '${props.schedule}' (${shortGoDuration(this.cadence)}), which leaves times with no restore point; raise ttl to at least '${shortGoDuration(this.cadence)}', or set allowTtlShorterThanCadence`,
      );
    }
    const guarded = minimumGuardedTtl(scheduleThresholds(this.cadence));
    const shortAllowed = props.allowTtlWithoutReactionTime || props.allowTtlShorterThanCadence;
    if (compareDurations(this.ttl, guarded) < 0 && !shortAllowed) {
      this.fail(
        `ttl '${ttlAsWritten}' leaves less than a day between VeleroBackupDelayed and the expiry of the last restore point; raise ttl to at least '${Math.ceil(guarded.toSeconds() / 3600)}h', or set allowTtlWithoutReactionTime (docs/pitfalls.md#last-restore-point)`,
      );
    }
    return compareDurations(this.ttl, guarded) >= 0;
  }

  /** Checks the namespace and resource filters, and that old-style and new-style filters are not mixed. */
  private checkResourceFilters(props: BackupScheduleProps): void {
    const release = this.release;
    if (this.includedNamespaces.length === 0) {
      this.fail(
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
    if (filterProblem) this.fail(`${filterProblem} (docs/pitfalls.md#includes-excludes)`);
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
      if (looksLikeGlob(ns)) this.fail(`${field} entry '${ns}' ${problem} (docs/pitfalls.md#namespace-globs)`);
      this.fail(
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
      this.fail(
        `old-style filters (${oldStyle.join(', ')}) and new-style filters (${newStyle.join(', ')}) are mixed; Velero fails such backups validation, use one style`,
      );
    }
  }

  private checkStorageLocation(): void {
    const release = this.release;
    if (!release.storageLocations.includes(this.storageLocation)) {
      this.fail(
        `storageLocation '${this.storageLocation.name}' is not a storage location of this release (namespace '${release.namespace}'); use one of ${quoteList(release.storageLocations.map((l) => l.name))}`,
      );
    }
    if (this.storageLocation.accessMode === 'ReadOnly') {
      this.fail(`storageLocation '${this.storageLocation.name}' is ReadOnly; backups need a ReadWrite location`);
    }
  }

  /** Checks the volume switches against what the release runs (CSI, node-agent). */
  private checkVolumeOptions(props: BackupScheduleProps): void {
    const release = this.release;
    if (this.snapshotVolumes && !release.csiEnabled) {
      this.fail(
        `snapshotVolumes true needs CSI snapshots (the EnableCSI feature); set csiSnapshots: true on the VeleroRelease, or snapshotVolumes: false`,
      );
    }
    if (this.snapshotMoveData && !release.csiEnabled) {
      this.fail(
        `snapshotMoveData true needs CSI snapshots (the EnableCSI feature); set csiSnapshots: true on the VeleroRelease`,
      );
    }
    if (this.snapshotMoveData && !this.snapshotVolumes) {
      this.fail(`snapshotMoveData true needs snapshotVolumes true: the data mover uploads the CSI snapshots`);
    }
    if (this.snapshotMoveData && !release.nodeAgentEnabled) {
      this.fail(`snapshotMoveData true needs the node-agent; set nodeAgent: { enabled: true } on the VeleroRelease`);
    }
    if (this.defaultVolumesToFsBackup && !release.nodeAgentEnabled) {
      this.fail(
        `defaultVolumesToFsBackup true needs the node-agent; set nodeAgent: { enabled: true } on the VeleroRelease`,
      );
    }
    if (props.volumeSnapshotLocations && !this.snapshotVolumes) {
      this.fail(
        `volumeSnapshotLocations ${quoteList(props.volumeSnapshotLocations.map((l) => l.name))} have no effect with snapshotVolumes false; drop them or set snapshotVolumes: true`,
      );
    }
  }

  private checkSnapshotLocations(): void {
    const release = this.release;
    for (const vsl of this.volumeSnapshotLocations) {
      if (!release.snapshotLocations.includes(vsl)) {
        const known = release.snapshotLocations.map((l) => l.name);
        this.fail(
          `volumeSnapshotLocations entry '${vsl.name}' is not a snapshot location of this release (namespace '${release.namespace}'); ${known.length ? `use one of ${quoteList(known)}` : 'this release has none'}`,
        );
      }
    }
  }

  private checkVolumeGroupSnapshotLabelKey(key: string | undefined): void {
    if (key === undefined) return;
    checkCrdField(
      `schedule '${this.name}'`,
      'Schedule',
      'spec.template.volumeGroupSnapshotLabelKey',
      this.release.version,
    );
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) {
      this.fail(
        `volumeGroupSnapshotLabelKey '${key}' is not a Kubernetes label key; use e.g. 'velero.io/volume-group'`,
      );
    }
  }

  /** `spec.template`: what each Backup of the schedule holds. */
  private renderTemplate(
    props: BackupScheduleProps,
    hooks: ScheduleSpecTemplateHooksResources[],
  ): ScheduleSpecTemplate {
    return {
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
  }

  private renderScheduleResource(props: BackupScheduleProps, template: ScheduleSpecTemplate): void {
    const release = this.release;
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
