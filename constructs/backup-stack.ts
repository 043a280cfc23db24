import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PLACEHOLDER_REPO_URL } from '../lib/argocd/argocd-settings';
import type { VolumeSnapshotSupport } from '../lib/alerts/unsnapshottable-volume';
import type {
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
import { looksLikeGlob, namespacePatternMatches } from '../lib/schedule/namespace-glob';
import { assertOneWriterPerLocation, resolveLocations, type ResolvedLocation } from '../lib/config/locations';
import type { ServiceAccountPermissions } from '../lib/kube/permissions';
import { FolderChart, UnsyncedFolderChart } from '../lib/output/folder-chart';
import { isCdk8sWriting, registerStackCharts } from '../lib/output/layout';
import { renderCharts } from '../lib/output/output';
import type { OutputCheck } from '../lib/output/synth';
import type { PlanInput } from '../lib/plan/plan';
import { alertRunbookUrl, rebuildLocations } from '../lib/restore/runbook';
import { RESTORES_FOLDER } from '../lib/restore/scenario';
import { checkInvariants, foldersOf } from '../lib/validation/invariants';
import { scheduleConfigsOf } from '../lib/schedule/retention';
import { schemaCheck } from '../lib/validation/schema';
import { restoreListsProblem } from '../lib/validation/includes-excludes';
import { ArgoCdApplication, resolveRepository } from './argocd-application';
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

/** Where a stack sits in a fleet (BackupFleet sets it; a single cluster leaves it out). */
export interface ClusterPlacement {
  /** Cluster name: Application names get `<name>-` and source paths `<distPath>/clusters/<name>/`. */
  readonly name: string;
  /** API server the cluster's Applications deploy to. */
  readonly server: string;
  /** Path of this cluster in the config, for messages (`clusters[1]`). */
  readonly path: string;
}

const DRILL_SCRATCH_REASON = 'scratch copy made and deleted by the restore drill';
const IN_CLUSTER = 'https://kubernetes.default.svc';
/** Namespaces a rebuilt cluster gets from elsewhere (the cluster itself, or Git through ArgoCD), never from a restore. */
export const REBUILD_EXCLUDED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;
/** The restores when the config states none: a cluster rebuild (when a schedule has cluster resources). */
const DEFAULT_RESTORES: readonly RebuildConfig[] = [{ rebuild: {} }];

/**
 * The first restore of a rebuild: cluster resources and the namespaces no volume restore brings back.
 * When the volume schedules cover every namespace the cluster-resources schedule does (`'*'`, or all its names),
 * no namespace can be left to it: Velero refuses `'*'` in an exclude list and an item both included and
 * excluded (restore_controller.go `validateAndComplete`, FailedValidation), so the first restore then takes
 * every namespace but leaves the claims and volumes to the fresher volume restore (restoring them from the
 * other first would create empty volumes that the volume restore then skips as existing).
 */
function rebuildClusterResourcesLists(
  clusterResources: BackupSchedule,
  volumes: readonly BackupSchedule[],
  veleroNamespace: string,
): { excludedNamespaces: string[]; excludedResources?: string[] } {
  const own = clusterResources.includedNamespaces;
  const coversAll =
    volumes.some((v) => v.includedNamespaces.includes('*')) ||
    (!own.includes('*') && own.every((n) => volumes.some((v) => v.includesNamespace(n))));
  const base = [veleroNamespace, ...REBUILD_EXCLUDED_NAMESPACES];
  return coversAll
    ? { excludedNamespaces: base, excludedResources: ['persistentvolumeclaims', 'persistentvolumes'] }
    : { excludedNamespaces: [...base, ...volumes.flatMap((v) => v.includedNamespaces)] };
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

/** The namespaces the stack's drills and inspection restores create (from the config, before any construct). */
function stackScratchNamespaces(data: StackConfig): string[] {
  const out: string[] = [];
  for (const s of data.schedules ?? []) {
    if (!s.drill) continue;
    const namespaces = s.drill.namespaces ?? (s.includedNamespaces ?? []).filter((n) => !looksLikeGlob(n) && n !== '*');
    for (const ns of namespaces) out.push(s.drill.namespaceMapping?.[ns] ?? `drill-${ns}`);
  }
  for (const rc of data.restores ?? []) {
    if ('target' in rc && rc.target.kind === 'namespace-into') out.push(rc.target.into);
  }
  return out;
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
 */
export class BackupStack extends Construct {
  /** The validated config as plain data (durations as Go strings). */
  public readonly config: StackConfig;
  public readonly release: VeleroRelease;
  public readonly storageLocations: readonly BackupStorageLocation[];
  public readonly schedules: readonly BackupSchedule[];
  /** The restore drills, in schedule order (one per schedule that asks). */
  public readonly drills: readonly RestoreDrill[];
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

  constructor(scope: Construct, id: string, config: StackConfig, placement?: ClusterPlacement) {
    super(scope, id);
    const base = placement?.path ?? '';
    const p = (...parts: (string | number)[]) => configPath(base, ...parts);
    if ((config as BackupStackConfig).clusters !== undefined) {
      throw new ConfigError(
        p('clusters'),
        'a fleet renders one BackupStack per cluster: build it with BackupFleet (constructs/backup-fleet.ts)',
      );
    }
    const data = validateConfig(config) as StackConfig;
    checkConsumerRules(data, p);
    this.config = data;
    const r = data.release ?? {};
    const argocd = data.argocd ?? {};
    const repository = {
      repoURL: argocd.repository?.repoURL ?? PLACEHOLDER_REPO_URL,
      targetRevision: argocd.repository?.targetRevision ?? 'HEAD',
      distPath: argocd.repository?.distPath ?? 'dist',
    };
    const clusterRepository = placement
      ? { ...repository, distPath: `${repository.distPath}/clusters/${placement.name}` }
      : repository;
    const appName = (name: string) => (placement ? `${placement.name}-${name}` : name);
    const server = placement?.server ?? IN_CLUSTER;

    // the release and its storage locations
    this.locations = resolveLocations(data.storageLocations, p('storageLocations'));
    assertOneWriterPerLocation(
      this.locations.map((l) => ({ path: l.path, label: `location '${l.name}'`, location: l })),
    );
    const [defaultLocation, ...otherLocations] = this.locations;
    const velero = new FolderChart(this, 'velero');
    const release = atPath(p('release'), fieldsOf('ReleaseConfig'), () => {
      if (defaultLocation.config.provider !== 'localstack' && r.renderLocalStackCredentials) {
        throw new ConfigError(
          p('release', 'renderLocalStackCredentials'),
          `is only allowed with the LocalStack provider, got '${defaultLocation.config.provider}'; create the credentials Secret out of band (SealedSecrets, External Secrets)`,
        );
      }
      return new VeleroRelease(velero, 'Velero', {
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
    this.release = release;
    for (const l of otherLocations) {
      atPath(l.path, fieldsOf('S3LocationConfig'), () =>
        release.addBackupStorageLocation(l.name, {
          profile: l.profile,
          accessMode: l.accessMode,
          credential: l.config.credential && { ...l.config.credential },
        }),
      );
    }
    this.storageLocations = release.storageLocations;

    // every restore strips ArgoCD's tracking from what it brings back; the ConfigMap must be in the cluster first
    const trackingModifiers = new TrackingStripModifiers(velero, 'TrackingStripModifiers', {
      release,
      tracking: { method: argocd.trackingMethod },
    });
    this.trackingModifiers = trackingModifiers;

    // the schedules, each with its drill
    const scheduleFields = fieldsOf('ScheduleConfig');
    // the stack's own scratch namespaces (drill copies, inspection copies) are left out of every schedule that
    // reaches them only through '*' or a glob: the user never declared them, so never blame the user for them
    const scratch = stackScratchNamespaces(data);
    const protectsVolumes = (s: ScheduleConfig) =>
      (s.snapshotVolumes ?? r.csiSnapshots ?? true) || !!s.defaultVolumesToFsBackup || !!s.snapshotMoveData;
    const excludedWithScratch = (s: ScheduleConfig) => {
      const included = s.includedNamespaces ?? ['*'];
      const excluded = s.excludedNamespaces ?? [];
      const reached = scratch.filter(
        (ns) =>
          protectsVolumes(s) &&
          !included.includes(ns) &&
          !excluded.includes(ns) &&
          included.some((i) => namespacePatternMatches(i, ns)),
      );
      return reached.length ? [...excluded, ...reached] : s.excludedNamespaces;
    };
    const schedules: BackupSchedule[] = [];
    const drills: RestoreDrill[] = [];
    /** The schedule each drill restores, in drill order. */
    const drillSchedules: BackupSchedule[] = [];
    // a schedule with `retention` renders its set of Schedules (lib/schedule/retention.ts), each at the item's path
    const scheduleConfigs = (data.schedules ?? []).flatMap((item, index) =>
      atPath(itemPath(p('schedules'), index, item), scheduleFields, () => scheduleConfigsOf(item)).map((config) => ({
        config,
        index,
      })),
    );
    scheduleConfigs.forEach(({ config: s, index }, i) => {
      const path = itemPath(p('schedules'), index, data.schedules![index]);
      const location =
        s.storageLocation === undefined
          ? undefined
          : release.storageLocations.find((l) => l.name === s.storageLocation);
      if (s.storageLocation !== undefined && !location) {
        throw new ConfigError(
          configPath(path, 'storageLocation'),
          `'${s.storageLocation}' is not a storage location of this config; use one of ${release.storageLocations.map((l) => `'${l.name}'`).join(', ')}`,
        );
      }
      if (!location && defaultLocation.accessMode === 'ReadOnly') {
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
      const schedule = atPath(path, scheduleFields, () => {
        const taken = schedules.findIndex((other) => other.name === `${s.namePrefix ?? ''}${s.name}`);
        if (taken >= 0) {
          throw new ConfigError(
            configPath(path, 'name'),
            `'${s.name}' is taken by ${p('schedules', scheduleConfigs[taken].index)}; give each schedule its own name`,
          );
        }
        return new BackupSchedule(velero, `Schedule${i}`, {
          release,
          name: s.name,
          namePrefix: s.namePrefix,
          schedule: s.schedule,
          ttl: s.ttl,
          allowTtlShorterThanCadence: s.allowTtlShorterThanCadence,
          allowTtlWithoutReactionTime: s.allowTtlWithoutReactionTime,
          includedNamespaces: s.includedNamespaces,
          excludedNamespaces: excludedWithScratch(s),
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
          volumeSnapshotClasses: existingSnapshotClasses(data.csi, release.csiEnabled),
        });
      });
      schedules.push(schedule);
      if (s.drill) {
        drillSchedules.push(schedule);
        const d = s.drill;
        const drillPath = configPath(path, 'drill');
        drills.push(
          atPath(drillPath, fieldsOf('DrillConfig'), () => {
            // the restore controller's own checks of the drill Restore's lists (validateAndComplete)
            const listProblem = restoreListsProblem({
              includedNamespaces: ['namespaces', d.namespaces ?? []],
              excludedNamespaces: ['excludedNamespaces', []],
              includedResources: ['includedResources', d.includedResources ?? []],
              excludedResources: ['excludedResources', []],
            });
            if (listProblem) throw new Error(`${listProblem} (docs/pitfalls.md#includes-excludes)`);
            const taken = new Set(drills.flatMap((other) => other.scratchNamespaces));
            const drill = new RestoreDrill(velero, `RestoreDrill${i}`, {
              release,
              schedule,
              trackingModifiers,
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
          }),
        );
      }
    });
    this.schedules = schedules;
    this.drills = drills;

    // coverage: what the config leaves out, plus the drills' scratch copies (minutes old, deleted after)
    const unprotected: Record<string, string> = {};
    for (const [ns, reason] of Object.entries(data.unprotectedNamespaces ?? {})) {
      if (!reason.trim()) {
        throw new ConfigError(
          p('unprotectedNamespaces', ns),
          'has no reason; say why its volumes are not backed up, e.g. "cache, rebuilt on start"',
        );
      }
      unprotected[ns] = reason;
    }
    for (const drill of drills) for (const ns of drill.scratchNamespaces) unprotected[ns] = DRILL_SCRATCH_REASON;

    // the restore scenarios: dist/restores/, which nothing syncs
    const restoresChart = new UnsyncedFolderChart(this, RESTORES_FOLDER);
    const scheduleNamed = (name: string | undefined, path: string, fallback: () => BackupSchedule | undefined) => {
      const found = name === undefined ? fallback() : schedules.find((s) => s.name === name);
      if (!found) {
        throw new ConfigError(
          path,
          name === undefined
            ? "no schedule fits; name one of this config's schedules"
            : `'${name}' is not a schedule of this config; use one of ${schedules.map((s) => `'${s.name}'`).join(', ') || '(none: add a schedule)'}`,
        );
      }
      return found;
    };
    const withDrill = () => drillSchedules[0] ?? schedules[0];
    const restores: RestoreScenario[] = [];
    // an inspection copy never goes into a namespace someone else runs (its runbook ends deleting it)
    const protectedNamespaces = [
      data.argocd?.namespace ?? 'argocd',
      ...(data.csi?.namespace ? [data.csi.namespace] : []),
    ];
    const restoreConfigs = data.restores ?? (schedules.some((s) => s.includeClusterResources) ? DEFAULT_RESTORES : []);
    restoreConfigs.forEach((rc, i) => {
      const path = itemPath(p('restores'), i, rc);
      const taken = (name: string) => {
        const other = restores.findIndex((x) => x.name === name);
        if (other >= 0) {
          throw new ConfigError(
            configPath(path, 'name'),
            `'${name}' is taken by another scenario; give each restore its own name`,
          );
        }
      };
      if ('rebuild' in rc) {
        const rb = rc.rebuild;
        const clusterResources = scheduleNamed(
          rb.clusterResourcesSchedule,
          configPath(path, 'rebuild', 'clusterResourcesSchedule'),
          () => schedules.find((s) => s.includeClusterResources),
        );
        const volumes = scheduleNamed(
          rb.volumesSchedule,
          configPath(path, 'rebuild', 'volumesSchedule'),
          () => drillSchedules[0] ?? schedules.find((s) => s.snapshotVolumes),
        );
        // unnamed: every schedule that keeps volume data restores its namespaces, the named (or drilled) one first;
        // a namespace left to the cluster-resources backup would come back with empty volumes
        const volumeSchedules =
          rb.volumesSchedule !== undefined
            ? [volumes]
            : [volumes, ...schedules.filter((s) => s !== volumes && volumeDataPath(s) !== 'none')];
        const volumeNames = volumeSchedules.map((s, k) =>
          k === 0
            ? 'rebuild-volumes'
            : `rebuild-volumes-${s.name}`.length <= 57
              ? `rebuild-volumes-${s.name}`
              : `rebuild-volumes-${k + 1}`,
        );
        taken('rebuild-cluster-resources');
        volumeNames.forEach(taken);
        // cluster resources and every other namespace from the cluster-resources backup; the namespaces with
        // volume data from the fresher volume ones (restoring their PVCs from the other first would create empty
        // volumes, which the volume restore then skips as existing)
        restores.push(
          atPath(
            path,
            fieldsOf('RebuildConfig'),
            () =>
              new RestoreScenario(restoresChart, 'RebuildClusterResources', {
                trackingModifiers,
                name: 'rebuild-cluster-resources',
                title: 'rebuild: cluster resources and namespaces without volume data',
                schedule: clusterResources,
                target: { kind: 'cluster' },
                ...rebuildClusterResourcesLists(clusterResources, volumeSchedules, release.namespace),
                protectedNamespaces,
              }),
          ),
          ...volumeSchedules.map((schedule, k) =>
            atPath(
              path,
              fieldsOf('RebuildConfig'),
              () =>
                new RestoreScenario(restoresChart, k === 0 ? 'RebuildVolumes' : `RebuildVolumes${k + 1}`, {
                  trackingModifiers,
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
        );
        return;
      }
      const sc: RestoreScenarioConfig = rc;
      taken(sc.name);
      const schedule = scheduleNamed(sc.schedule, configPath(path, 'schedule'), withDrill);
      restores.push(
        atPath(
          path,
          fieldsOf('RestoreScenarioConfig'),
          () =>
            new RestoreScenario(restoresChart, pascal(sc.name), {
              trackingModifiers,
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
        ),
      );
      if (sc.target.kind === 'namespace-into') {
        unprotected[sc.target.into] =
          `inspection copy of ${sc.target.namespace} made by the restore scenario '${sc.name}'; delete it when done`;
      }
    });
    this.restores = restores;
    this.unprotectedNamespaces = unprotected;
    // the stack's own scratch namespaces a schedule names explicitly (a '*' or glob schedule leaves them out by
    // itself): the fix is in the schedule the user wrote, not in a declaration the stack made
    for (const [ns, reason] of Object.entries(unprotected)) {
      if (Object.prototype.hasOwnProperty.call(data.unprotectedNamespaces ?? {}, ns)) continue;
      const i = schedules.findIndex((s) => !s.paused && s.protectsVolumesIn(ns));
      if (i < 0) continue;
      throw new ConfigError(
        configPath(itemPath(p('schedules'), i, (data.schedules ?? [])[i]), 'includedNamespaces'),
        `names '${ns}', the stack's own ${reason.split(';')[0]}: backing it up keeps copies nobody restores; leave it out (docs/pitfalls.md#coverage)`,
      );
    }

    // CSI: the snapshot-controller and the VolumeSnapshotClass
    const c = data.csi ?? {};
    const csiOn = c.enabled ?? release.csiEnabled;
    // no driver named: nothing driver-specific is rendered, and PVCNotSnapshottable covers every PVC (the plan warns)
    this.csiDriverMissing = csiOn && c.volumeSnapshotClass?.driver === undefined;
    if (this.csiDriverMissing) refuseWithoutDriver(c, p);
    if (csiOn && !this.csiDriverMissing) {
      const csi = new FolderChart(this, 'csi-snapshots');
      this.snapshots = atPath(p('csi'), fieldsOf('CsiConfig'), () => {
        return new CsiSnapshotStack(csi, 'CsiSnapshots', {
          controller: c.controller,
          crds: c.crds,
          version: c.version ?? defaultSnapshotterVersion(release.line.line),
          namespace: c.namespace,
          createNamespace: c.createNamespace,
          snapshotterSidecarVersion: c.snapshotterSidecarVersion,
          preventVolumeModeConversion: c.preventVolumeModeConversion,
          resources: c.resources,
          volumeSnapshotClass: c.volumeSnapshotClass,
        });
      });
    }
    const exceptions = data.volumeExceptions ?? {};
    const volumeSnapshots: VolumeSnapshotSupport | undefined = !(this.snapshots || this.csiDriverMissing)
      ? undefined
      : {
          snapshotDrivers: this.snapshots ? [this.snapshots.driver] : [],
          fsBackupVolumes: (exceptions.fsBackupVolumes ?? []).map((v) => ({ ...v })),
          unprotectedVolumes: (exceptions.unprotectedVolumes ?? []).map((v) => ({ ...v })),
        };
    if (!volumeSnapshots && (exceptions.fsBackupVolumes?.length || exceptions.unprotectedVolumes?.length)) {
      throw new ConfigError(
        p('volumeExceptions'),
        'is only read with CSI snapshots (the PVCNotSnapshottable alert); remove it, or enable csi',
      );
    }
    // runbooks: BACKUP-PLAN.md next to the stack's folders (a fleet cluster's in dist/clusters/<name>/)
    const runbookRepository = resolveRepository(clusterRepository);

    const a = data.alerts ?? {};
    // 'namespace' and 'name' start messages about other namespaces too ("namespace 'drill-apps' is declared ...")
    const alertFields = fieldsOf('AlertsConfig').filter((f) => f !== 'namespace' && f !== 'name');
    this.alerts = atPath(p('alerts'), alertFields, () => {
      return new BackupAlerts(velero, 'BackupAlerts', {
        release,
        schedules,
        unprotectedNamespaces: unprotected,
        additionalRules: drills.map((d) => d.alertRules),
        volumeSnapshots,
        snapshotControllerNamespace: this.snapshots?.namespace,
        runbookUrl: alertRunbookUrl(runbookRepository),
        kubeStateMetrics: a.kubeStateMetrics && { ...a.kubeStateMetrics },
        ruleNamespace: a.namespace,
        // a Prometheus ruleSelector stated explicitly: the rule carries the labels it states unless told otherwise
        ruleSelectorLabels:
          a.ruleSelectorLabels ??
          (a.prometheusRuleSelector?.ruleSelector ? labelsStatedBy(a.prometheusRuleSelector.ruleSelector) : undefined),
        routingLabels: a.routingLabels,
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

    // the Grafana dashboard, from the alerts' rules (off with dashboard.enabled: false)
    const dash = data.dashboard ?? {};
    if (dash.enabled !== false) {
      this.dashboard = atPath(
        p('dashboard'),
        fieldsOf('DashboardConfig').filter((f) => f !== 'namespace'),
        () =>
          new BackupDashboard(velero, 'BackupDashboard', {
            release,
            alerts: this.alerts,
            drills: drills.map((d, i) => ({
              schedule: drillSchedules[i].name,
              cronJob: d.name,
              namespace: d.namespace,
            })),
            namespace: dash.namespace,
            folder: dash.folder,
            folderAnnotation: dash.folderAnnotation,
          }),
      );
    }

    // the heartbeat from outside: only with a Secret holding the URL to ping
    if (data.heartbeat) {
      const hb = data.heartbeat;
      this.heartbeat = atPath(
        p('heartbeat'),
        fieldsOf('HeartbeatConfig'),
        () =>
          new BackupHeartbeat(velero, 'BackupHeartbeat', {
            release,
            thresholds: this.alerts.thresholds,
            secretName: hb.secretName,
            secretKey: hb.secretKey,
            cron: hb.cron,
          }),
      );
    }

    // ArgoCD: the CRDs first, then one Application per folder
    const common = {
      project: argocd.project,
      argocdNamespace: argocd.namespace,
      destinationServer: placement ? server : undefined,
    };
    const options = (own?: readonly string[]) => {
      const list = [...(argocd.syncOptions ?? []), ...(own ?? [])];
      return list.length ? list : undefined;
    };
    const applicationsChart = new FolderChart(this, 'applications');
    // one name per Application: they all live in ArgoCD's namespace
    const appNames = new Map<string, string>();
    for (const [key, name, used] of [
      ['crds', argocd.crds?.name ?? 'backup-crds', true],
      ['csiSnapshots', argocd.csiSnapshots?.name ?? 'csi-snapshots', !!this.snapshots],
      ['velero', argocd.velero?.name ?? 'velero', true],
      ['root', argocd.root?.name ?? 'velero-cdk8s', !placement],
    ] as const) {
      if (!used) continue;
      const other = appNames.get(appName(name));
      if (other) {
        throw new ConfigError(
          p('argocd', key, 'name'),
          `'${name}' is the name of the ${other} Application too (${p('argocd', other, 'name')}, or its default); ArgoCD holds both in one namespace: give each its own (docs/pitfalls.md#argocd-application)`,
        );
      }
      appNames.set(appName(name), key);
    }
    // each Application's mistakes named by their config path (`argocd.repository.repoURL`, `argocd.velero.syncWave`)
    const at =
      <P, T>(key: string, Kind: new (scope: Construct, id: string, props: P) => T) =>
      (scope: Construct, id: string, props: P): T =>
        argocdAt(base, key, () => new Kind(scope, id, props));
    const applications: (ArgoCdApplication | CrdApplication)[] = [
      at('crds', CrdApplication)(applicationsChart, 'Crds', {
        ...common,
        release,
        additionalSources: this.snapshots ? [...this.snapshots.crdSources] : [],
        name: appName(argocd.crds?.name ?? 'backup-crds'),
        syncWave: argocd.crds?.syncWave,
        syncOptions: options(argocd.crds?.syncOptions),
      }),
    ];
    if (this.snapshots?.rendersObjects) {
      applications.push(
        at('csiSnapshots', ArgoCdApplication)(applicationsChart, 'CsiSnapshots', {
          ...common,
          name: appName(argocd.csiSnapshots?.name ?? 'csi-snapshots'),
          folder: 'csi-snapshots',
          version: this.snapshots.version,
          destinationNamespace: this.snapshots.namespace,
          // the controller's namespace belongs to the CSI driver's install (or is rendered by the stack)
          createNamespace: false,
          syncWave: argocd.csiSnapshots?.syncWave ?? -5,
          syncOptions: options(argocd.csiSnapshots?.syncOptions),
          repository: clusterRepository,
        }),
      );
    }
    applications.push(
      at('velero', ArgoCdApplication)(applicationsChart, 'Velero', {
        ...common,
        name: appName(argocd.velero?.name ?? 'velero'),
        folder: 'velero',
        version: release.version,
        destinationNamespace: release.namespace,
        syncWave: argocd.velero?.syncWave,
        syncOptions: withAdoption(options(argocd.velero?.syncOptions), release.adoption.applicationSyncOptions),
        annotations: release.adoption.applicationAnnotations,
        repository: clusterRepository,
      }),
    );
    this.applications = applications;

    if (!placement) {
      // applied once by hand (`kubectl apply -f dist/bootstrap/`): the app of apps that syncs dist/applications/
      const bootstrap = new FolderChart(this, 'bootstrap');
      at('root', ArgoCdApplication)(bootstrap, 'Root', {
        ...common,
        name: argocd.root?.name ?? 'velero-cdk8s',
        folder: 'applications',
        version: release.version,
        destinationNamespace: argocd.namespace ?? 'argocd',
        createNamespace: false,
        syncWave: argocd.root?.syncWave,
        syncOptions: options(argocd.root?.syncOptions),
        repository,
      });
    }
    this.folders = [
      'velero',
      ...(this.snapshots?.rendersObjects ? ['csi-snapshots'] : []),
      'applications',
      ...(placement ? [] : ['bootstrap']),
    ];
    // under the App's own synth (`cdk8s synth`, `app.synth()` in a user's App), the checks on this stack's charts only
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

    const argocdNamespace = argocd.namespace ?? 'argocd';
    const [crdApplication, ...folderApplications] = applications;
    const veleroApplication = folderApplications[folderApplications.length - 1];
    const firstDrill = drills[0];
    const rebuildRestores = restores.filter((x) => x.name.startsWith('rebuild-')).map((x) => x.summary);
    this.plan = {
      release,
      schedules,
      volumes: (data.volumes ?? []).map((v) => ({ ...v })),
      unprotectedNamespaces: unprotected,
      volumeSnapshots,
      snapshotControllerNamespace: this.snapshots?.namespace,
      csiStorage: this.snapshots?.planSummary(release.line.line, c.version === undefined),
      csiDriverMissing: this.csiDriverMissing,
      repositoryMissing: data.argocd?.repository?.repoURL === undefined,
      argocdNamespace,
      kubeStateMetrics: this.alerts.storageLocationMetrics && {
        namespace: this.alerts.storageLocationMetrics.namespace,
        serviceAccountName: this.alerts.storageLocationMetrics.serviceAccountName,
      },
      runbooks: {
        distPath: clusterRepository.distPath,
        csiStorage: this.snapshots?.planSummary(release.line.line, c.version === undefined),
        scenarios: restores.map((x) => x.summary),
        drill: firstDrill && {
          cronJobName: firstDrill.name,
          namespace: firstDrill.namespace,
          scheduleName: drillSchedules[0].name,
          cron: firstDrill.cron,
        },
        rebuild: {
          veleroNamespace: release.namespace,
          argocdNamespace,
          crdApplication: crdApplication.name,
          veleroApplication: veleroApplication.name,
          otherApplications: folderApplications.slice(0, -1).map((x) => x.name),
          veleroVersion: release.version,
          bootstrapPath: `${repository.distPath}/bootstrap`,
          credentials: release.credentials,
          storageLocation: release.defaultStorageLocation.name,
          ...rebuildLocations(this.locations, schedules, rebuildRestores),
          restores: rebuildRestores,
        },
      },
      alerts: this.alerts.rules.map((rule) => ({
        alert: rule.alert,
        severity: rule.labels.severity ?? 'warning',
        summary: rule.annotations.summary ?? '',
        description: rule.annotations.description ?? '',
      })),
    };
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
