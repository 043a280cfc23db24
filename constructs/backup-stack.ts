import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PLACEHOLDER_REPO_URL } from '../lib/argocd/argocd-settings';
import type { VolumeSnapshotSupport } from '../lib/alerts/unsnapshottable-volume';
import type {
  ArgoCdConfig,
  BackupStackConfig,
  CsiConfig,
  RebuildConfig,
  RestoreScenarioConfig,
  ScheduleConfig,
  StackConfig,
} from '../lib/config/types';
import {
  atPath,
  ConfigError,
  configPath,
  fieldsOf,
  itemPath,
  toDuration,
  validateConfig,
} from '../lib/config/validate';
import { checkConsumerRules } from '../lib/config/consumer-rules';
import { labelsStatedBy } from '../lib/kube/label-selector';
import { assertOneWriterPerLocation, resolveLocations, type ResolvedLocation } from '../lib/config/locations';
import type { ServiceAccountPermissions } from '../lib/kube/permissions';
import { FolderChart, UnsyncedFolderChart } from '../lib/output/folder-chart';
import { isCdk8sWriting, registerStackCharts } from '../lib/output/layout';
import { renderCharts } from '../lib/output/output';
import type { OutputCheck } from '../lib/output/synth';
import type { PlanInput } from '../lib/plan/plan';
import { DEFAULT_RESTORES, rebuildClusterResourcesLists, rebuildVolumeNames } from '../lib/restore/rebuild';
import { alertRunbookUrl, rebuildLocations } from '../lib/restore/runbook';
import { RESTORES_FOLDER } from '../lib/restore/scenario';
import { checkInvariants, foldersOf } from '../lib/validation/invariants';
import { scheduleConfigsOf } from '../lib/schedule/retention';
import {
  DRILL_SCRATCH_REASON,
  excludedWithScratch,
  inspectionCopies,
  stackScratchNamespaces,
} from '../lib/schedule/scratch-namespaces';
import { schemaCheck } from '../lib/validation/schema';
import { restoreListsProblem } from '../lib/validation/includes-excludes';
import { ArgoCdApplication, resolveRepository, type GitRepository } from './argocd-application';
import { BackupAlerts } from './backup-alerts';
import { BackupDashboard } from './backup-dashboard';
import { BackupHeartbeat } from './backup-heartbeat';
import { BackupSchedule } from './backup-schedule';
import { CrdApplication } from './crd-application';
import { CsiSnapshotStack } from './csi-snapshot-stack';
import { existingSnapshotClasses } from '../lib/storage/csi-drivers';
import { defaultSnapshotterVersion } from '../lib/versions/snapshotter-compat';
import { RestoreDrill } from './restore-drill';
import { TrackingStripModifiers } from './restore-modifiers';
import { RestoreScenario, volumeDataPath } from './restore-scenario';
import { VeleroRelease, type BackupStorageLocation } from './velero-release';
import { ARGOCD_DEFAULTS } from '../lib/config/defaults';

export { REBUILD_EXCLUDED_NAMESPACES } from '../lib/restore/rebuild';

/** Where a stack sits in a fleet (BackupFleet sets it; a single cluster leaves it out). */
export interface ClusterPlacement {
  /** Cluster name: Application names get `<name>-` and source paths `<distPath>/clusters/<name>/`. */
  readonly name: string;
  /** API server the cluster's Applications deploy to. */
  readonly server: string;
  /** Path of this cluster in the config, for messages (`clusters[1]`). */
  readonly path: string;
}

const IN_CLUSTER = ARGOCD_DEFAULTS.server;

/** One Schedule the config asks for (a `retention` item asks for several): its config and its item's index. */
interface ScheduleItem {
  readonly config: ScheduleConfig;
  /** Index of the item in the config's `schedules`. */
  readonly index: number;
}

/** The application kinds one `argocd.<key>` builds. */
type Application = ArgoCdApplication | CrdApplication;

/**
 * One cluster's whole Velero backup and disaster-recovery stack from one `StackConfig` (issue 16): the
 * release and its storage locations, every schedule with its drill, the alerts, the CSI snapshot stack,
 * and the ArgoCD Applications, in one chart per ArgoCD-synced folder:
 *
 * - `velero/`: the server, locations, schedules, drills, alerts, the tracking-strip resource modifiers;
 * - `csi-snapshots/`: the snapshot-controller and VolumeSnapshotClass;
 * - `applications/`: the CRD Application (Velero's and the snapshot CRDs at the chosen tags) and one
 *   Application per folder;
 * - `bootstrap/`: the app of apps (single cluster only; a fleet's is the ApplicationSet);
 * - `restores/`: the restore scenarios, which no Application syncs (applied by hand, `npm run restore`).
 *
 * What the config implies is wired here and can't be forgotten: alerts watch every schedule and carry every
 * drill's rules, link to their runbooks (`runbook_url`) and read the CSI stack's drivers, volume exceptions
 * and controller namespace; every drill and restore strips ArgoCD's tracking; the drills' scratch namespaces
 * and every inspection copy a scenario makes are exempt from coverage (alert and plan); the CRD Application
 * follows the release's and the snapshotter's versions; `plan` feeds BACKUP-PLAN.md with its runbooks;
 * `permissions` feeds docs/permissions.md; `checks` are the synth checks for exactly this stack (the
 * schemas of its own Velero line). The config is validated first (schema, then the
 * rules of each construct), and every mistake names its path: `schedules[2].ttl: ...`.
 *
 * The constructor is the wiring diagram: a list of named steps in the order they run (README "Layout"), each
 * a private method below, each reading what earlier steps resolved from the stack's readonly fields.
 */
export class BackupStack extends Construct {
  /** The validated config as plain data (durations as Go strings). */
  public readonly config: StackConfig;
  public readonly release: VeleroRelease;
  public readonly storageLocations: readonly BackupStorageLocation[];
  public readonly schedules: readonly BackupSchedule[];
  /** The restore drills, in schedule order (one per schedule that asks). */
  public readonly drills: readonly RestoreDrill[];
  /** The schedule each drill restores, in drill order (`drills[i]` restores `drillSchedules[i]`). */
  public readonly drillSchedules: readonly BackupSchedule[];
  public readonly alerts: BackupAlerts;
  /** Strips ArgoCD's tracking from everything a restore (drill or scenario) brings back. */
  public readonly trackingModifiers: TrackingStripModifiers;
  /** The restore scenarios rendered into restores/ (a rebuild's two last of theirs, in order). */
  public readonly restores: readonly RestoreScenario[];
  /** The CSI snapshot stack; undefined when `csi.enabled` is false or no driver is named. */
  public readonly snapshots?: CsiSnapshotStack;
  /**
   * CSI is on but `csi.volumeSnapshotClass.driver` is not named: no class and no controller are rendered, every PVC
   * only CSI snapshots would protect is reported by PVCNotSnapshottable, and the plan warns (docs/pitfalls.md#csi-driver).
   */
  public readonly csiDriverMissing: boolean;
  /**
   * What the alerts and the plan know of volume snapshots: the CSI stack's driver and the config's
   * `volumeExceptions`; undefined without CSI snapshots (no PVCNotSnapshottable alert).
   */
  public readonly volumeSnapshots?: VolumeSnapshotSupport;
  /** The Applications of this stack's folders, the CRD one first. */
  public readonly applications: readonly (ArgoCdApplication | CrdApplication)[];
  /** Configured unprotected namespaces plus every drill scratch namespace, each with its reason. */
  public readonly unprotectedNamespaces: Readonly<Record<string, string>>;
  /** The heartbeat CronJob (with `heartbeat`). */
  public readonly heartbeat?: BackupHeartbeat;
  /** The Grafana dashboard ConfigMap (unless `dashboard.enabled: false`). */
  public readonly dashboard?: BackupDashboard;
  /** The plan report's input. */
  public readonly plan: PlanInput;
  /** Every ServiceAccount the stack renders, with each rule and why (docs/permissions.md). */
  public get permissions(): ServiceAccountPermissions[] {
    return [
      this.release.permissions,
      ...this.drills.map((d) => d.permissions),
      this.heartbeat?.permissions,
      this.snapshots?.permissions,
      this.alerts.storageLocationMetrics?.permissions,
    ].filter((x): x is ServiceAccountPermissions => x !== undefined);
  }

  /** The locations as the config resolved them, the default first (fleet checks read them). */
  public readonly locations: readonly ResolvedLocation[];
  /** The folders this stack renders (chart ids). */
  public readonly folders: readonly string[];
  /**
   * The Git repository the Applications sync, defaults resolved (`argocd.repository`: targetRevision `HEAD`,
   * distPath `dist`, the placeholder URL when none is named). A fleet cluster's own folders are under
   * `clusterRepository.distPath`; this one's distPath is the fleet's (the bootstrap and the runbooks' root).
   */
  public readonly repository: Required<GitRepository>;
  /** The repository as this cluster's Applications sync it: `repository`, a fleet cluster's distPath `<distPath>/clusters/<name>`. */
  public readonly clusterRepository: Required<GitRepository>;

  /** Where this stack sits in a fleet; undefined for a single cluster. */
  private readonly placement?: ClusterPlacement;
  /** The `velero/` folder's chart: the release, its locations, the schedules, drills, alerts, dashboard and heartbeat. */
  private readonly veleroChart: FolderChart;

  constructor(scope: Construct, id: string, config: StackConfig, placement?: ClusterPlacement) {
    super(scope, id);
    this.placement = placement;
    this.config = this.validatedConfig(config);
    this.repository = resolvedRepository(this.config.argocd ?? {});
    this.clusterRepository = placement
      ? { ...this.repository, distPath: `${this.repository.distPath}/clusters/${placement.name}` }
      : this.repository;

    // release and locations (velero/)
    this.locations = this.resolvedLocations();
    this.veleroChart = new FolderChart(this, 'velero');
    this.release = this.veleroRelease();
    this.storageLocations = this.additionalStorageLocations();
    this.trackingModifiers = this.trackingStripModifiers();

    // schedules and drills (velero/)
    const scheduled = this.schedulesAndDrills();
    this.schedules = scheduled.schedules;
    this.drills = scheduled.drills;
    this.drillSchedules = scheduled.drillSchedules;
    const declared = this.declaredUnprotectedNamespaces();

    // restores (restores/, which nothing syncs) and what coverage exempts
    this.restores = this.restoreScenarios();
    this.unprotectedNamespaces = { ...declared, ...inspectionCopies(this.config.restores ?? []) };
    this.refuseScheduledScratchNamespaces();

    // CSI (csi-snapshots/)
    this.csiDriverMissing = this.csiEnabled && this.config.csi?.volumeSnapshotClass?.driver === undefined;
    this.snapshots = this.csiSnapshotStack();
    this.volumeSnapshots = this.volumeSnapshotSupport();

    // alerts and dashboard (velero/)
    this.alerts = this.backupAlerts();
    this.dashboard = this.grafanaDashboard();
    this.heartbeat = this.backupHeartbeat();

    // Applications (applications/, bootstrap/)
    this.applications = this.argocdApplications();
    this.bootstrapApplication();

    // the output: its folders, its checks, its plan
    this.folders = this.renderedFolders();
    this.registerChecks();
    this.plan = this.planInput();
  }

  /** This stack's charts, one folder each (a user's charts next to them are not the stack's). */
  public get charts(): Chart[] {
    return this.node.children.filter((c): c is Chart => Chart.isChart(c));
  }

  /**
   * The checks every synth of this stack runs before anything is written: the output invariants (with
   * this stack's LocalStack locations) and validation against the upstream schemas.
   */
  public get checks(): OutputCheck[] {
    return [this.invariantsCheck(), this.schemaCheck()];
  }

  /** Validation of every object against its schema: custom resources against the release's own line. */
  public schemaCheck(): OutputCheck {
    const snapshotter = this.snapshots && { 'external-snapshotter': this.snapshots.release.schemaTag };
    return schemaCheck({ versions: { velero: this.release.version, ...snapshotter } }, (result) => {
      for (const note of result.notes) console.error(`validate: ${note}`);
    });
  }

  /** The output invariants alone, for this stack's objects (a fleet runs them per cluster). */
  public invariantsCheck(distPath?: string): OutputCheck {
    return (objects) => {
      const localStack = this.release.storageLocations.filter((l) => l.profile.isTestRig);
      return checkInvariants(foldersOf(objects), {
        localStackSecretAllowed: localStack.length > 0,
        localStackLocations: localStack.map((l) => `${this.release.namespace}/${l.name}`),
        plainHttpLocations: this.release.storageLocations
          .filter((l) => !l.profile.endpoint.encrypted)
          .map((l) => `${this.release.namespace}/${l.name}`),
        distPath,
      });
    };
  }

  /** The config path of a field of this stack's config (`clusters[1].schedules[0]` in a fleet). */
  private path(...parts: (string | number)[]): string {
    return configPath(this.placement?.path ?? '', ...parts);
  }

  // ---- the config ----

  /** The config validated: the schema, then the rules of each construct (every mistake named by its path). */
  private validatedConfig(config: StackConfig): StackConfig {
    if ((config as BackupStackConfig).clusters !== undefined) {
      throw new ConfigError(
        this.path('clusters'),
        'a fleet renders one BackupStack per cluster: build it with BackupFleet (constructs/backup-fleet.ts)',
      );
    }
    const data = validateConfig(config) as StackConfig;
    checkConsumerRules(data, (...parts) => this.path(...parts));
    return data;
  }

  // ---- release and locations ----

  /** The storage locations, the default first; one writer per bucket and prefix. */
  private resolvedLocations(): ResolvedLocation[] {
    const locations = resolveLocations(this.config.storageLocations, this.path('storageLocations'));
    assertOneWriterPerLocation(locations.map((l) => ({ path: l.path, label: `location '${l.name}'`, location: l })));
    return locations;
  }

  /** The Velero server (`release`) with the default storage location. */
  private veleroRelease(): VeleroRelease {
    const r = this.config.release ?? {};
    const defaultLocation = this.locations[0];
    return atPath(this.path('release'), fieldsOf('ReleaseConfig'), () => {
      if (defaultLocation.config.provider !== 'localstack' && r.renderLocalStackCredentials) {
        throw new ConfigError(
          this.path('release', 'renderLocalStackCredentials'),
          `is only allowed with the LocalStack provider, got '${defaultLocation.config.provider}'; create the credentials Secret out of band (SealedSecrets, External Secrets)`,
        );
      }
      return new VeleroRelease(this.veleroChart, 'Velero', {
        installedBy: r.installedBy && { ...r.installedBy },
        namespace: r.namespace,
        version: r.version,
        awsPluginVersion: r.awsPluginVersion,
        storage: defaultLocation.profile,
        storageAccessMode: defaultLocation.accessMode,
        credentials: r.credentials,
        renderLocalStackCredentials: r.renderLocalStackCredentials,
        csiSnapshots: r.csiSnapshots,
        features: r.features ? [...r.features] : undefined,
        nodeAgent: r.nodeAgent && {
          ...r.nodeAgent,
          tolerations: r.nodeAgent.tolerations?.map((t) => ({ ...t })),
        },
        ...releaseKnobs(r),
        resources: r.resources,
        metrics: r.metrics && {
          serviceMonitor: r.metrics.serviceMonitor,
          prometheusSelectorLabels: r.metrics.prometheusSelectorLabels && { ...r.metrics.prometheusSelectorLabels },
          interval: r.metrics.interval,
          serviceMonitorNamespace: r.metrics.serviceMonitorNamespace,
        },
        logLevel: r.logLevel,
      });
    });
  }

  /** The locations after the default, each a BackupStorageLocation of the release; returns them all. */
  private additionalStorageLocations(): readonly BackupStorageLocation[] {
    for (const l of this.locations.slice(1)) {
      atPath(l.path, fieldsOf('S3LocationConfig'), () =>
        this.release.addBackupStorageLocation(l.name, {
          profile: l.profile,
          accessMode: l.accessMode,
          credential: l.config.credential && { ...l.config.credential },
        }),
      );
    }
    return this.release.storageLocations;
  }

  /** Every restore strips ArgoCD's tracking from what it brings back; the ConfigMap must be in the cluster first. */
  private trackingStripModifiers(): TrackingStripModifiers {
    return new TrackingStripModifiers(this.veleroChart, 'TrackingStripModifiers', {
      release: this.release,
      tracking: { method: this.config.argocd?.trackingMethod },
    });
  }

  // ---- schedules and drills ----

  /** Every Schedule the config asks for, each followed by its drill (when it asks for one). */
  private schedulesAndDrills(): {
    schedules: BackupSchedule[];
    drills: RestoreDrill[];
    drillSchedules: BackupSchedule[];
  } {
    // the stack's own scratch namespaces (drill copies, inspection copies), left out of every schedule that
    // reaches them only through '*' or a glob (lib/schedule/scratch-namespaces.ts)
    const scratch = stackScratchNamespaces(this.config);
    const items = this.scheduleItems();
    const out = {
      schedules: [] as BackupSchedule[],
      drills: [] as RestoreDrill[],
      drillSchedules: [] as BackupSchedule[],
    };
    items.forEach((item, i) => {
      const schedule = this.backupSchedule(item, i, items, out.schedules, scratch);
      out.schedules.push(schedule);
      if (item.config.drill) {
        out.drillSchedules.push(schedule);
        out.drills.push(this.restoreDrill(item, i, schedule, out.drills));
      }
    });
    return out;
  }

  /** The config's schedules, each expanded: a schedule with `retention` renders its set (lib/schedule/retention.ts). */
  private scheduleItems(): ScheduleItem[] {
    return (this.config.schedules ?? []).flatMap((item, index) =>
      atPath(itemPath(this.path('schedules'), index, item), fieldsOf('ScheduleConfig'), () =>
        scheduleConfigsOf(item),
      ).map((config) => ({ config, index })),
    );
  }

  /** The config path of a schedule's item (`schedules[1] 'weekly'`). */
  private schedulePath(item: ScheduleItem): string {
    return itemPath(this.path('schedules'), item.index, this.config.schedules![item.index]);
  }

  /** The `i`th Schedule, its name unique among those `built` before it. */
  private backupSchedule(
    item: ScheduleItem,
    i: number,
    items: readonly ScheduleItem[],
    built: readonly BackupSchedule[],
    scratch: readonly string[],
  ): BackupSchedule {
    const s = item.config;
    const path = this.schedulePath(item);
    const location = this.scheduleLocation(s, path);
    return atPath(path, fieldsOf('ScheduleConfig'), () => {
      const taken = built.findIndex((other) => other.name === `${s.namePrefix ?? ''}${s.name}`);
      if (taken >= 0) {
        throw new ConfigError(
          configPath(path, 'name'),
          `'${s.name}' is taken by ${this.path('schedules', items[taken].index)}; give each schedule its own name`,
        );
      }
      return new BackupSchedule(this.veleroChart, `Schedule${i}`, {
        release: this.release,
        name: s.name,
        namePrefix: s.namePrefix,
        schedule: s.schedule,
        ttl: s.ttl,
        allowTtlShorterThanCadence: s.allowTtlShorterThanCadence,
        allowTtlWithoutReactionTime: s.allowTtlWithoutReactionTime,
        includedNamespaces: s.includedNamespaces,
        excludedNamespaces: excludedWithScratch(s, scratch, this.config.release?.csiSnapshots),
        includedResources: s.includedResources,
        excludedResources: s.excludedResources,
        includeClusterResources: s.includeClusterResources,
        includedClusterScopedResources: s.includedClusterScopedResources,
        excludedClusterScopedResources: s.excludedClusterScopedResources,
        includedNamespaceScopedResources: s.includedNamespaceScopedResources,
        excludedNamespaceScopedResources: s.excludedNamespaceScopedResources,
        labelSelector: s.labelSelector,
        snapshotVolumes: s.snapshotVolumes,
        defaultVolumesToFsBackup: s.defaultVolumesToFsBackup,
        snapshotMoveData: s.snapshotMoveData,
        storageLocation: location,
        csiSnapshotTimeout: s.csiSnapshotTimeout,
        itemOperationTimeout: s.itemOperationTimeout,
        hooks: s.hooks,
        resourcePolicy: s.resourcePolicy,
        paused: s.paused,
        useOwnerReferencesInBackup: s.useOwnerReferencesInBackup,
        volumeSnapshotClasses: existingSnapshotClasses(this.config.csi, this.release.csiEnabled),
      });
    });
  }

  /** The location a schedule writes to (undefined: the default), refused when it is not one or is ReadOnly. */
  private scheduleLocation(s: ScheduleConfig, path: string): BackupStorageLocation | undefined {
    const locations = this.release.storageLocations;
    const location = s.storageLocation === undefined ? undefined : locations.find((l) => l.name === s.storageLocation);
    if (s.storageLocation !== undefined && !location) {
      throw new ConfigError(
        configPath(path, 'storageLocation'),
        `'${s.storageLocation}' is not a storage location of this config; use one of ${locations.map((l) => `'${l.name}'`).join(', ')}`,
      );
    }
    if (!location && this.locations[0].accessMode === 'ReadOnly') {
      throw new ConfigError(
        configPath(path, 'storageLocation'),
        `is not set, so backups go to the default location, which is ReadOnly (a restore-only cluster): name a ReadWrite location, or leave schedules out here (docs/pitfalls.md#restore-only)`,
      );
    }
    if (location && location.accessMode === 'ReadOnly') {
      throw new ConfigError(
        configPath(path, 'storageLocation'),
        `'${s.storageLocation}' is ReadOnly: Velero writes no backup there; back up to a ReadWrite location`,
      );
    }
    return location;
  }

  /** The drill of the `i`th Schedule, its scratch namespaces apart from every drill `built` before it. */
  private restoreDrill(
    item: ScheduleItem,
    i: number,
    schedule: BackupSchedule,
    built: readonly RestoreDrill[],
  ): RestoreDrill {
    const d = item.config.drill!;
    const drillPath = configPath(this.schedulePath(item), 'drill');
    return atPath(drillPath, fieldsOf('DrillConfig'), () => {
      // the restore controller's own checks of the drill Restore's lists (validateAndComplete)
      const listProblem = restoreListsProblem({
        includedNamespaces: ['namespaces', d.namespaces ?? []],
        excludedNamespaces: ['excludedNamespaces', []],
        includedResources: ['includedResources', d.includedResources ?? []],
        excludedResources: ['excludedResources', []],
      });
      if (listProblem) throw new Error(`${listProblem} (docs/pitfalls.md#includes-excludes)`);
      const taken = new Set(built.flatMap((other) => other.scratchNamespaces));
      const drill = new RestoreDrill(this.veleroChart, `RestoreDrill${i}`, {
        release: this.release,
        schedule,
        trackingModifiers: this.trackingModifiers,
        namespaces: d.namespaces,
        namespaceMapping: d.namespaceMapping,
        includedResources: d.includedResources,
        verify: d.verify,
        cron: d.cron,
        restoreTimeout: toDuration(d.restoreTimeout, configPath(drillPath, 'restoreTimeout')),
        pvcBoundTimeout: toDuration(d.pvcBoundTimeout, configPath(drillPath, 'pvcBoundTimeout')),
        verifyTimeout: toDuration(d.verifyTimeout, configPath(drillPath, 'verifyTimeout')),
        resources: d.resources,
        name: d.name,
        suspend: d.suspend,
      });
      const clash = drill.scratchNamespaces.find((n) => taken.has(n));
      if (clash) {
        throw new ConfigError(
          configPath(drillPath, 'namespaceMapping'),
          `scratch namespace '${clash}' is another drill's too; two drills would delete each other's copies: map this one elsewhere`,
        );
      }
      return drill;
    });
  }

  /** Coverage's exemptions so far: what the config leaves out (with its reason), plus the drills' scratch copies. */
  private declaredUnprotectedNamespaces(): Record<string, string> {
    const unprotected: Record<string, string> = {};
    for (const [ns, reason] of Object.entries(this.config.unprotectedNamespaces ?? {})) {
      if (!reason.trim()) {
        throw new ConfigError(
          this.path('unprotectedNamespaces', ns),
          'has no reason; say why its volumes are not backed up, e.g. "cache, rebuilt on start"',
        );
      }
      unprotected[ns] = reason;
    }
    // minutes old, deleted after
    for (const drill of this.drills) for (const ns of drill.scratchNamespaces) unprotected[ns] = DRILL_SCRATCH_REASON;
    return unprotected;
  }

  // ---- restores ----

  /** The restore scenarios of `restores` (by default a rebuild, when a schedule has cluster resources). */
  private restoreScenarios(): RestoreScenario[] {
    const chart = new UnsyncedFolderChart(this, RESTORES_FOLDER);
    const restores: RestoreScenario[] = [];
    // an inspection copy never goes into a namespace someone else runs (its runbook ends deleting it)
    const data = this.config;
    const protectedNamespaces = [
      data.argocd?.namespace ?? ARGOCD_DEFAULTS.namespace,
      ...(data.csi?.namespace ? [data.csi.namespace] : []),
    ];
    const configs = data.restores ?? (this.schedules.some((s) => s.includeClusterResources) ? DEFAULT_RESTORES : []);
    configs.forEach((rc, i) => {
      const path = itemPath(this.path('restores'), i, rc);
      const taken = (name: string) => {
        if (restores.some((x) => x.name === name)) {
          throw new ConfigError(
            configPath(path, 'name'),
            `'${name}' is taken by another scenario; give each restore its own name`,
          );
        }
      };
      if ('rebuild' in rc) {
        restores.push(...this.rebuildScenarios(chart, rc, path, taken, protectedNamespaces));
        return;
      }
      taken(rc.name);
      restores.push(this.restoreScenario(chart, rc, path, protectedNamespaces));
    });
    return restores;
  }

  /**
   * A rebuild's restores: cluster resources and every other namespace from the cluster-resources backup; the
   * namespaces with volume data from the fresher volume ones (restoring their PVCs from the other first would
   * create empty volumes, which the volume restore then skips as existing).
   */
  private rebuildScenarios(
    chart: Construct,
    rc: RebuildConfig,
    path: string,
    taken: (name: string) => void,
    protectedNamespaces: string[],
  ): RestoreScenario[] {
    const rb = rc.rebuild;
    const clusterResources = this.scheduleNamed(
      rb.clusterResourcesSchedule,
      configPath(path, 'rebuild', 'clusterResourcesSchedule'),
      () => this.schedules.find((s) => s.includeClusterResources),
    );
    const volumes = this.scheduleNamed(
      rb.volumesSchedule,
      configPath(path, 'rebuild', 'volumesSchedule'),
      () => this.drillSchedules[0] ?? this.schedules.find((s) => s.snapshotVolumes),
    );
    // unnamed: every schedule that keeps volume data restores its namespaces, the named (or drilled) one first;
    // a namespace left to the cluster-resources backup would come back with empty volumes
    const volumeSchedules =
      rb.volumesSchedule !== undefined
        ? [volumes]
        : [volumes, ...this.schedules.filter((s) => s !== volumes && volumeDataPath(s) !== 'none')];
    const volumeNames = rebuildVolumeNames(volumeSchedules.map((s) => s.name));
    taken('rebuild-cluster-resources');
    volumeNames.forEach(taken);
    const fields = fieldsOf('RebuildConfig');
    return [
      atPath(
        path,
        fields,
        () =>
          new RestoreScenario(chart, 'RebuildClusterResources', {
            trackingModifiers: this.trackingModifiers,
            name: 'rebuild-cluster-resources',
            title: 'rebuild: cluster resources and namespaces without volume data',
            schedule: clusterResources,
            target: { kind: 'cluster' },
            ...rebuildClusterResourcesLists(clusterResources, volumeSchedules, this.release.namespace),
            protectedNamespaces,
          }),
      ),
      ...volumeSchedules.map((schedule, k) =>
        atPath(
          path,
          fields,
          () =>
            new RestoreScenario(chart, k === 0 ? 'RebuildVolumes' : `RebuildVolumes${k + 1}`, {
              trackingModifiers: this.trackingModifiers,
              name: volumeNames[k],
              title:
                k === 0
                  ? 'rebuild: the namespaces with volume data'
                  : `rebuild: the namespaces with volume data of ${schedule.name}`,
              schedule,
              target: { kind: 'cluster' },
            }),
        ),
      ),
    ];
  }

  /** One named scenario of `restores` (a PVC, a namespace, a namespace into another), from its schedule. */
  private restoreScenario(
    chart: Construct,
    sc: RestoreScenarioConfig,
    path: string,
    protectedNamespaces: string[],
  ): RestoreScenario {
    // unnamed: the drilled schedule (the one proven restorable), else the first
    const schedule = this.scheduleNamed(
      sc.schedule,
      configPath(path, 'schedule'),
      () => this.drillSchedules[0] ?? this.schedules[0],
    );
    return atPath(
      path,
      fieldsOf('RestoreScenarioConfig'),
      () =>
        new RestoreScenario(chart, pascal(sc.name), {
          trackingModifiers: this.trackingModifiers,
          name: sc.name,
          title: sc.title,
          schedule,
          target: { ...sc.target },
          excludedNamespaces: sc.excludedNamespaces,
          includedResources: sc.includedResources,
          excludedResources: sc.excludedResources,
          existingResourcePolicy: sc.existingResourcePolicy,
          protectedNamespaces,
        }),
    );
  }

  /** The schedule a restore names (`fallback()` when it names none), refused at `path` when there is none. */
  private scheduleNamed(
    name: string | undefined,
    path: string,
    fallback: () => BackupSchedule | undefined,
  ): BackupSchedule {
    const found = name === undefined ? fallback() : this.schedules.find((s) => s.name === name);
    if (!found) {
      throw new ConfigError(
        path,
        name === undefined
          ? "no schedule fits; name one of this config's schedules"
          : `'${name}' is not a schedule of this config; use one of ${this.schedules.map((s) => `'${s.name}'`).join(', ') || '(none: add a schedule)'}`,
      );
    }
    return found;
  }

  /**
   * The stack's own scratch namespaces a schedule names explicitly (a '*' or glob schedule leaves them out by
   * itself) are refused: the fix is in the schedule the user wrote, not in a declaration the stack made.
   */
  private refuseScheduledScratchNamespaces(): void {
    for (const [ns, reason] of Object.entries(this.unprotectedNamespaces)) {
      if (Object.prototype.hasOwnProperty.call(this.config.unprotectedNamespaces ?? {}, ns)) continue;
      const i = this.schedules.findIndex((s) => !s.paused && s.protectsVolumesIn(ns));
      if (i < 0) continue;
      throw new ConfigError(
        configPath(itemPath(this.path('schedules'), i, (this.config.schedules ?? [])[i]), 'includedNamespaces'),
        `names '${ns}', the stack's own ${reason.split(';')[0]}: backing it up keeps copies nobody restores; leave it out (docs/pitfalls.md#coverage)`,
      );
    }
  }

  // ---- CSI ----

  /** CSI snapshots are on: `csi.enabled`, else the release's `csiSnapshots`. */
  private get csiEnabled(): boolean {
    return this.config.csi?.enabled ?? this.release.csiEnabled;
  }

  /**
   * The snapshot-controller and the VolumeSnapshotClass (`csi`). No driver named: nothing driver-specific is
   * rendered, and PVCNotSnapshottable covers every PVC (the plan warns).
   */
  private csiSnapshotStack(): CsiSnapshotStack | undefined {
    const c = this.config.csi ?? {};
    if (this.csiDriverMissing) refuseWithoutDriver(c, (...parts) => this.path(...parts));
    if (!this.csiEnabled || this.csiDriverMissing) return undefined;
    const csi = new FolderChart(this, 'csi-snapshots');
    return atPath(this.path('csi'), fieldsOf('CsiConfig'), () => {
      return new CsiSnapshotStack(csi, 'CsiSnapshots', {
        controller: c.controller,
        crds: c.crds,
        version: c.version ?? defaultSnapshotterVersion(this.release.line.line),
        namespace: c.namespace,
        createNamespace: c.createNamespace,
        snapshotterSidecarVersion: c.snapshotterSidecarVersion,
        preventVolumeModeConversion: c.preventVolumeModeConversion,
        resources: c.resources,
        volumeSnapshotClass: c.volumeSnapshotClass,
      });
    });
  }

  /** The CSI stack's driver and the config's `volumeExceptions`, which are refused without CSI snapshots. */
  private volumeSnapshotSupport(): VolumeSnapshotSupport | undefined {
    const exceptions = this.config.volumeExceptions ?? {};
    const support: VolumeSnapshotSupport | undefined = !(this.snapshots || this.csiDriverMissing)
      ? undefined
      : {
          snapshotDrivers: this.snapshots ? [this.snapshots.driver] : [],
          fsBackupVolumes: (exceptions.fsBackupVolumes ?? []).map((v) => ({ ...v })),
          unprotectedVolumes: (exceptions.unprotectedVolumes ?? []).map((v) => ({ ...v })),
        };
    if (!support && (exceptions.fsBackupVolumes?.length || exceptions.unprotectedVolumes?.length)) {
      throw new ConfigError(
        this.path('volumeExceptions'),
        'is only read with CSI snapshots (the PVCNotSnapshottable alert); remove it, or enable csi',
      );
    }
    return support;
  }

  // ---- alerts and dashboard ----

  /** The PrometheusRule: every schedule watched, every drill's rules, coverage, CSI, runbook links. */
  private backupAlerts(): BackupAlerts {
    const a = this.config.alerts ?? {};
    const p = (...parts: (string | number)[]) => this.path(...parts);
    // 'namespace' and 'name' start messages about other namespaces too ("namespace 'drill-apps' is declared ...")
    const alertFields = fieldsOf('AlertsConfig').filter((f) => f !== 'namespace' && f !== 'name');
    return atPath(p('alerts'), alertFields, () => {
      return new BackupAlerts(this.veleroChart, 'BackupAlerts', {
        release: this.release,
        schedules: this.schedules,
        unprotectedNamespaces: this.unprotectedNamespaces,
        additionalRules: this.drills.map((d) => d.alertRules),
        volumeSnapshots: this.volumeSnapshots,
        snapshotControllerNamespace: this.snapshots?.namespace,
        // runbooks: BACKUP-PLAN.md next to the stack's folders (a fleet cluster's in dist/clusters/<name>/)
        runbookUrl: alertRunbookUrl(resolveRepository(this.clusterRepository)),
        kubeStateMetrics: a.kubeStateMetrics && { ...a.kubeStateMetrics },
        ruleNamespace: a.namespace,
        // a Prometheus ruleSelector stated explicitly: the rule carries the labels it states unless told otherwise
        ruleSelectorLabels:
          a.ruleSelectorLabels ??
          (a.prometheusRuleSelector?.ruleSelector ? labelsStatedBy(a.prometheusRuleSelector.ruleSelector) : undefined),
        routingLabels: a.routingLabels,
        cluster: this.placement?.name,
        backupDurationWarning: toDuration(a.backupDurationWarning, p('alerts', 'backupDurationWarning')),
        name: a.name,
        prometheusRuleSelector: a.prometheusRuleSelector && {
          ruleSelector: a.prometheusRuleSelector.ruleSelector,
          ruleNamespaceSelector: a.prometheusRuleSelector.ruleNamespaceSelector,
          prometheusNamespace: a.prometheusRuleSelector.prometheusNamespace,
          ruleNamespaceLabels: a.prometheusRuleSelector.ruleNamespaceLabels,
        },
      });
    });
  }

  /** The Grafana dashboard, from the alerts' rules (off with `dashboard.enabled: false`). */
  private grafanaDashboard(): BackupDashboard | undefined {
    const dash = this.config.dashboard ?? {};
    if (dash.enabled === false) return undefined;
    return atPath(
      this.path('dashboard'),
      fieldsOf('DashboardConfig').filter((f) => f !== 'namespace'),
      () =>
        new BackupDashboard(this.veleroChart, 'BackupDashboard', {
          release: this.release,
          alerts: this.alerts,
          drills: this.drills.map((d, i) => ({
            schedule: this.drillSchedules[i].name,
            cronJob: d.name,
            namespace: d.namespace,
          })),
          namespace: dash.namespace,
          folder: dash.folder,
          folderAnnotation: dash.folderAnnotation,
        }),
    );
  }

  /** The heartbeat from outside: only with `heartbeat` (a Secret holding the URL to ping). */
  private backupHeartbeat(): BackupHeartbeat | undefined {
    const hb = this.config.heartbeat;
    if (!hb) return undefined;
    return atPath(
      this.path('heartbeat'),
      fieldsOf('HeartbeatConfig'),
      () =>
        new BackupHeartbeat(this.veleroChart, 'BackupHeartbeat', {
          release: this.release,
          thresholds: this.alerts.thresholds,
          secretName: hb.secretName,
          secretKey: hb.secretKey,
          cron: hb.cron,
        }),
    );
  }

  // ---- Applications ----

  /** ArgoCD: the CRDs first, then one Application per synced folder (velero last). */
  private argocdApplications(): Application[] {
    const chart = new FolderChart(this, 'applications');
    this.refuseSharedApplicationNames();
    const applications: Application[] = [this.crdApplication(chart)];
    if (this.snapshots?.rendersObjects) applications.push(this.csiSnapshotsApplication(chart, this.snapshots));
    applications.push(this.veleroApplication(chart));
    return applications;
  }

  /** The Application's name: a fleet cluster's are `<cluster>-<name>`. */
  private applicationName(name: string): string {
    return this.placement ? `${this.placement.name}-${name}` : name;
  }

  /** One name per Application: they all live in ArgoCD's namespace. */
  private refuseSharedApplicationNames(): void {
    const argocd = this.config.argocd ?? {};
    const names = new Map<string, string>();
    for (const [key, name, used] of [
      ['crds', argocd.crds?.name ?? ARGOCD_DEFAULTS.names.crds, true],
      ['csiSnapshots', argocd.csiSnapshots?.name ?? ARGOCD_DEFAULTS.names.csiSnapshots, !!this.snapshots],
      ['velero', argocd.velero?.name ?? ARGOCD_DEFAULTS.names.velero, true],
      ['root', argocd.root?.name ?? ARGOCD_DEFAULTS.names.root, !this.placement],
    ] as const) {
      if (!used) continue;
      const other = names.get(this.applicationName(name));
      if (other) {
        throw new ConfigError(
          this.path('argocd', key, 'name'),
          `'${name}' is the name of the ${other} Application too (${this.path('argocd', other, 'name')}, or its default); ArgoCD holds both in one namespace: give each its own (docs/pitfalls.md#argocd-application)`,
        );
      }
      names.set(this.applicationName(name), key);
    }
  }

  /** What every Application shares: ArgoCD's project and namespace, and a fleet cluster's API server. */
  private applicationCommon() {
    const argocd = this.config.argocd ?? {};
    return {
      project: argocd.project,
      argocdNamespace: argocd.namespace,
      destinationServer: this.placement ? (this.placement.server ?? IN_CLUSTER) : undefined,
    };
  }

  /** The config's `argocd.syncOptions`, then the Application's own; undefined when none. */
  private syncOptions(own?: readonly string[]): string[] | undefined {
    const list = [...(this.config.argocd?.syncOptions ?? []), ...(own ?? [])];
    return list.length ? list : undefined;
  }

  /** Builds `argocd.<key>`'s Application, its mistakes named by their config path (`argocd.velero.syncWave`). */
  private application<P, T>(key: string, Kind: new (scope: Construct, id: string, props: P) => T) {
    return (scope: Construct, id: string, props: P): T =>
      argocdAt(this.placement?.path ?? '', key, () => new Kind(scope, id, props));
  }

  /** The CRD Application: Velero's CRDs at the release's tag and the snapshot CRDs at the CSI stack's. */
  private crdApplication(chart: Construct): CrdApplication {
    const argocd = this.config.argocd ?? {};
    return this.application('crds', CrdApplication)(chart, 'Crds', {
      ...this.applicationCommon(),
      release: this.release,
      additionalSources: this.snapshots ? [...this.snapshots.crdSources] : [],
      name: this.applicationName(argocd.crds?.name ?? ARGOCD_DEFAULTS.names.crds),
      syncWave: argocd.crds?.syncWave,
      syncOptions: this.syncOptions(argocd.crds?.syncOptions),
    });
  }

  /** The csi-snapshots/ folder's Application (when the CSI stack renders objects). */
  private csiSnapshotsApplication(chart: Construct, snapshots: CsiSnapshotStack): ArgoCdApplication {
    const argocd = this.config.argocd ?? {};
    return this.application('csiSnapshots', ArgoCdApplication)(chart, 'CsiSnapshots', {
      ...this.applicationCommon(),
      name: this.applicationName(argocd.csiSnapshots?.name ?? ARGOCD_DEFAULTS.names.csiSnapshots),
      folder: 'csi-snapshots',
      version: snapshots.version,
      destinationNamespace: snapshots.namespace,
      // the controller's namespace belongs to the CSI driver's install (or is rendered by the stack)
      createNamespace: false,
      syncWave: argocd.csiSnapshots?.syncWave ?? -5,
      syncOptions: this.syncOptions(argocd.csiSnapshots?.syncOptions),
      repository: this.clusterRepository,
    });
  }

  /** The velero/ folder's Application, adopting an installer's objects when `release.installedBy` says so. */
  private veleroApplication(chart: Construct): ArgoCdApplication {
    const argocd = this.config.argocd ?? {};
    const release = this.release;
    return this.application('velero', ArgoCdApplication)(chart, 'Velero', {
      ...this.applicationCommon(),
      name: this.applicationName(argocd.velero?.name ?? ARGOCD_DEFAULTS.names.velero),
      folder: 'velero',
      version: release.version,
      destinationNamespace: release.namespace,
      syncWave: argocd.velero?.syncWave,
      syncOptions: withAdoption(this.syncOptions(argocd.velero?.syncOptions), release.adoption.applicationSyncOptions),
      annotations: release.adoption.applicationAnnotations,
      repository: this.clusterRepository,
    });
  }

  /** The app of apps that syncs dist/applications/, applied once by hand (`kubectl apply -f dist/bootstrap/`); not in a fleet. */
  private bootstrapApplication(): void {
    if (this.placement) return;
    const argocd = this.config.argocd ?? {};
    const bootstrap = new FolderChart(this, 'bootstrap');
    this.application('root', ArgoCdApplication)(bootstrap, 'Root', {
      ...this.applicationCommon(),
      name: argocd.root?.name ?? ARGOCD_DEFAULTS.names.root,
      folder: 'applications',
      version: this.release.version,
      destinationNamespace: argocd.namespace ?? ARGOCD_DEFAULTS.namespace,
      createNamespace: false,
      syncWave: argocd.root?.syncWave,
      syncOptions: this.syncOptions(argocd.root?.syncOptions),
      repository: this.repository,
    });
  }

  // ---- the output ----

  /** The folders this stack renders, in order. */
  private renderedFolders(): string[] {
    return [
      'velero',
      ...(this.snapshots?.rendersObjects ? ['csi-snapshots'] : []),
      'applications',
      ...(this.placement ? [] : ['bootstrap']),
    ];
  }

  /** Under the App's own synth (`cdk8s synth`, `app.synth()` in a user's App), the checks on this stack's charts only. */
  private registerChecks(): void {
    registerStackCharts(this.charts);
    // (Chart.toJson validates the whole App again: `checking` stops the recursion)
    let checking = false;
    this.node.addValidation({
      validate: () => {
        if (checking || !isCdk8sWriting(this)) return [];
        checking = true;
        try {
          const objects = renderCharts(this.charts);
          return this.checks.flatMap((check) => check(objects));
        } finally {
          checking = false;
        }
      },
    });
  }

  /** BACKUP-PLAN.md's input: the release, schedules, coverage, CSI, runbooks and alerts as rendered. */
  private planInput(): PlanInput {
    const release = this.release;
    const csiVersionDefault = this.config.csi?.version === undefined;
    return {
      release,
      schedules: this.schedules,
      volumes: (this.config.volumes ?? []).map((v) => ({ ...v })),
      unprotectedNamespaces: this.unprotectedNamespaces,
      volumeSnapshots: this.volumeSnapshots,
      snapshotControllerNamespace: this.snapshots?.namespace,
      csiStorage: this.snapshots?.planSummary(release.line.line, csiVersionDefault),
      csiDriverMissing: this.csiDriverMissing,
      repositoryMissing: this.config.argocd?.repository?.repoURL === undefined,
      argocdNamespace: this.config.argocd?.namespace ?? ARGOCD_DEFAULTS.namespace,
      kubeStateMetrics: this.alerts.storageLocationMetrics && {
        namespace: this.alerts.storageLocationMetrics.namespace,
        serviceAccountName: this.alerts.storageLocationMetrics.serviceAccountName,
      },
      runbooks: this.runbooks(),
      alerts: this.alerts.rules.map((rule) => ({
        alert: rule.alert,
        severity: rule.labels.severity ?? 'warning',
        summary: rule.annotations.summary ?? '',
        description: rule.annotations.description ?? '',
      })),
    };
  }

  /** The plan's runbooks: the scenarios, the drill, and the rebuild with its Applications. */
  private runbooks(): NonNullable<PlanInput['runbooks']> {
    const release = this.release;
    const [crdApplication, ...folderApplications] = this.applications;
    const veleroApplication = folderApplications[folderApplications.length - 1];
    const firstDrill = this.drills[0];
    const rebuildRestores = this.restores.filter((x) => x.name.startsWith('rebuild-')).map((x) => x.summary);
    return {
      distPath: this.clusterRepository.distPath,
      cluster: this.placement?.name,
      csiStorage: this.snapshots?.planSummary(release.line.line, this.config.csi?.version === undefined),
      scenarios: this.restores.map((x) => x.summary),
      drill: firstDrill && {
        cronJobName: firstDrill.name,
        namespace: firstDrill.namespace,
        scheduleName: this.drillSchedules[0].name,
        cron: firstDrill.cron,
      },
      rebuild: {
        veleroNamespace: release.namespace,
        argocdNamespace: this.config.argocd?.namespace ?? ARGOCD_DEFAULTS.namespace,
        crdApplication: crdApplication.name,
        veleroApplication: veleroApplication.name,
        otherApplications: folderApplications.slice(0, -1).map((x) => x.name),
        veleroVersion: release.version,
        bootstrapPath: `${this.repository.distPath}/bootstrap`,
        credentials: release.credentials,
        storageLocation: release.defaultStorageLocation.name,
        ...rebuildLocations(this.locations, this.schedules, rebuildRestores),
        restores: rebuildRestores,
      },
    };
  }
}

/** The config's Git repository with its defaults resolved (`argocd.repository`). */
function resolvedRepository(argocd: ArgoCdConfig): Required<GitRepository> {
  return {
    repoURL: argocd.repository?.repoURL ?? PLACEHOLDER_REPO_URL,
    targetRevision: argocd.repository?.targetRevision ?? ARGOCD_DEFAULTS.repository.targetRevision,
    distPath: argocd.repository?.distPath ?? ARGOCD_DEFAULTS.repository.distPath,
  };
}

/**
 * Builds one Application of `argocd.<key>`, its mistakes named by their config path: the shared
 * `repository` is the config's `argocd.repository` (not one Application's), the rest the Application's own.
 */
function argocdAt<T>(base: string, key: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const m = /^argocd application '[^']*': (repository\.(\w+)|syncWave|name|syncOptions) ([\s\S]*)$/.exec(
      (e as Error).message,
    );
    if (!m) throw e;
    const path = m[2] ? configPath(base, 'argocd', 'repository', m[2]) : configPath(base, 'argocd', key, m[1]);
    const err = new ConfigError(path, m[3]);
    err.cause = e;
    throw err;
  }
}

const pascal = (name: string) =>
  name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * With no CSI driver named, the rest of `csi` has nothing to describe (no class, no controller is rendered):
 * refuse what was set, naming the driver as the fix. `csi.enabled` and no `csi` at all are fine.
 */
function refuseWithoutDriver(c: CsiConfig, p: (...parts: (string | number)[]) => string): void {
  const fix =
    "is only read with a CSI driver named; set csi.volumeSnapshotClass.driver to your PVs' StorageClass provisioner (kubectl get storageclass), or remove it (docs/pitfalls.md#csi-driver)";
  const set = (o: object, except: string) =>
    Object.entries(o).find(([k, v]) => k !== except && v !== undefined && k !== 'volumeSnapshotClass')?.[0];
  const field = set(c, 'enabled');
  if (field !== undefined) throw new ConfigError(p('csi', field), fix);
  const clsField = set(c.volumeSnapshotClass ?? {}, 'driver');
  if (clsField !== undefined) throw new ConfigError(p('csi', 'volumeSnapshotClass', clsField), fix);
}

/** The release's chart knobs (pod options, images, server duration flags, maintenance), as VeleroRelease takes them. */
function releaseKnobs(r: NonNullable<StackConfig['release']>) {
  return {
    nodeSelector: r.nodeSelector,
    tolerations: r.tolerations,
    affinity: r.affinity,
    priorityClassName: r.priorityClassName,
    podLabels: r.podLabels,
    podAnnotations: r.podAnnotations,
    extraEnv: r.extraEnv,
    imageRegistry: r.imageRegistry,
    imagePullSecrets: r.imagePullSecrets,
    defaultBackupTtl: r.defaultBackupTtl,
    garbageCollectionFrequency: r.garbageCollectionFrequency,
    defaultItemOperationTimeout: r.defaultItemOperationTimeout,
    repositoryMaintenance: r.repositoryMaintenance,
  };
}

/** What adopting the installer needs, then the velero Application's own sync options (which win, by name). */
function withAdoption(own: readonly string[] | undefined, adoption: readonly string[]): readonly string[] | undefined {
  const list = [...new Set([...adoption, ...(own ?? [])])];
  return list.length ? list : undefined;
}
