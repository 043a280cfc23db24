/**
 * The seed homelab's config: its Velero backup and disaster-recovery stack.
 *
 * `buildStack()` / `buildApp()` build it in memory (tests call them; they never touch dist/). `main()`,
 * `planMain()` and `validateMain()` hand it to the commands of lib/output/cli.ts: `npm run synth`
 * synthesizes it into dist/ atomically, after every check. The library itself is index.ts.
 */
import { App, Duration } from 'cdk8s';
import {
  ArgoCdApplication,
  BackupAlerts,
  BackupSchedule,
  type BackupScheduleProps,
  CrdApplication,
  CsiSnapshotStack,
  RestoreDrill,
  RestoreScenario,
  TrackingStripModifiers,
  StorageProfile,
  VeleroRelease,
  resolveRepository,
  type GitRepository,
} from './constructs';
import { runPlan, runSynth, runValidate } from './lib/output/cli';
import { FolderChart, UnsyncedFolderChart } from './lib/output/folder-chart';
import type { VolumeSnapshotSupport } from './lib/alerts/unsnapshottable-volume';
import { renderPermissionsMarkdown, type ServiceAccountPermissions } from './lib/kube/permissions';
import { renameSync, writeFileSync } from 'node:fs';
import type { PlanInput, VolumeDeclaration } from './lib/plan/plan';
import { alertRunbookUrl } from './lib/restore/runbook';
import { applyCommand, RESTORES_FOLDER } from './lib/restore/scenario';
import { renderApp, toYaml } from './lib/output/output';

/**
 * Storage profile of the default BackupStorageLocation: the one line to switch.
 * - LocalStack (the seed's default; a test rig, nothing survives a LocalStack restart)
 * - production: `StorageProfile.backblazeB2({ bucket: 'velero-backups-<identifier>' })`
 * - any S3: `StorageProfile.s3({ bucket, region, s3Url })`
 */
export const STORAGE: StorageProfile = StorageProfile.localStack();

/** The repository ArgoCD syncs dist/ from. */
export const REPOSITORY: GitRepository = {
  repoURL: 'https://github.com/homelab/velero-cdk8s.git',
  targetRevision: 'HEAD',
  distPath: 'dist',
};

/** The seed's critical PVCs: what the plan report sizes and costs. */
export const CRITICAL_VOLUMES: readonly VolumeDeclaration[] = [
  { namespace: 'default', pvc: 'prometheus-data', size: '50Gi', app: 'Prometheus' },
  { namespace: 'loki', pvc: 'loki-data', size: '20Gi', app: 'Loki' },
  { namespace: 'default', pvc: 'grafana-data', size: '5Gi', app: 'Grafana' },
  { namespace: 'pihole', pvc: 'pihole-data', size: '5Gi', app: 'Pi-hole' },
];

/**
 * Namespaces whose PVCs are deliberately not backed up, each with its reason. The coverage alert
 * (PVCNotCoveredByBackup) and `npm run plan -- --inventory --strict` accept exactly these.
 */
export const UNPROTECTED_NAMESPACES: Readonly<Record<string, string>> = {};
/**
 * PVCs in snapshot-only namespaces on a StorageClass without a VolumeSnapshotClass driver (PVCNotSnapshottable):
 * opted into file-system backup by name (their pods annotated `backup.velero.io/backup-volumes`), or
 * deliberately unprotected with a reason. The seed has none.
 */
export const VOLUME_EXCEPTIONS: Pick<VolumeSnapshotSupport, 'fsBackupVolumes' | 'unprotectedVolumes'> = {
  fsBackupVolumes: [],
  unprotectedVolumes: [],
};

/**
 * The seed's schedules. Names are exact: the runbooks rely on them
 * (`velero backup get | awk '/^daily-critical-pvcs-/'`).
 */
export const SEED_SCHEDULES = {
  dailyCriticalPvcs: {
    name: 'daily-critical-pvcs',
    schedule: '0 2 * * *',
    ttl: Duration.hours(720),
    includedNamespaces: ['default', 'loki', 'pihole'],
    snapshotVolumes: true,
    defaultVolumesToFsBackup: false,
  },
  weeklyClusterResources: {
    name: 'weekly-cluster-resources',
    schedule: '0 3 * * 0',
    ttl: Duration.hours(2160),
    includedNamespaces: ['*'],
    includeClusterResources: true,
    snapshotVolumes: false,
  },
} as const satisfies Record<string, Omit<BackupScheduleProps, 'release'>>;

/** Namespaces a rebuilt cluster gets from elsewhere (the cluster itself, or Git through ArgoCD), never from a restore. */
export const REBUILD_EXCLUDED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

/** The namespace the 'namespace-inspect' scenario restores loki into. */
export const INSPECTION_NAMESPACE = 'loki-inspect';

export interface StackOptions {
  /** @default STORAGE */
  readonly storage?: StorageProfile;
  /** @default REPOSITORY */
  readonly repository?: GitRepository;
  /** Run the node-agent (file-system backup, snapshot data movement). @default false */
  readonly nodeAgent?: boolean;
  /** Move CSI snapshot data to object storage (needs the node-agent). @default false */
  readonly snapshotMoveData?: boolean;
  /** Velero release: any release of a supported line (the one line an upgrade changes). @default VELERO_VERSION */
  readonly version?: string;
  /** velero-plugin-for-aws release. @default the line's, or the known-good pairing for the storage provider */
  readonly awsPluginVersion?: string;
}

/** The built stack: the app plus the constructs the plan report reads. */
export interface Stack {
  readonly app: App;
  readonly release: VeleroRelease;
  readonly schedules: readonly BackupSchedule[];
  readonly snapshots: CsiSnapshotStack;
  readonly alerts: BackupAlerts;
  readonly drill: RestoreDrill;
  /** The restore scenarios rendered into dist/restores/ (the rebuild's two are last, in their order). */
  readonly restores: readonly RestoreScenario[];
  readonly trackingModifiers: TrackingStripModifiers;
  readonly plan: PlanInput;
}

/** Builds the seed's stack: one chart per ArgoCD-synced folder of dist/. */
export function buildStack(options: StackOptions = {}): Stack {
  const app = new App();
  const repository = options.repository ?? REPOSITORY;

  const velero = new FolderChart(app, 'velero');
  const release = new VeleroRelease(velero, 'Velero', {
    version: options.version,
    awsPluginVersion: options.awsPluginVersion,
    storage: options.storage ?? STORAGE,
    nodeAgent: { enabled: options.nodeAgent ?? options.snapshotMoveData ?? false },
  });

  const schedules = [
    new BackupSchedule(velero, 'DailyCriticalPvcs', {
      release,
      ...SEED_SCHEDULES.dailyCriticalPvcs,
      snapshotMoveData: options.snapshotMoveData ?? false,
    }),
    new BackupSchedule(velero, 'WeeklyClusterResources', { release, ...SEED_SCHEDULES.weeklyClusterResources }),
  ];

  // Every restore strips ArgoCD's tracking from what it brings back; the ConfigMap must be in the cluster first.
  const trackingModifiers = new TrackingStripModifiers(velero, 'TrackingStripModifiers', { release });

  // Monthly proof that the daily backups restore: into drill-<ns> scratch namespaces, deleted afterwards.
  const drill = new RestoreDrill(velero, 'RestoreDrill', { release, schedule: schedules[0], trackingModifiers });

  // The seed's restores (BACKUP-PLAN.md runbooks), rendered into dist/restores/, which nothing syncs.
  const [daily, weekly] = schedules;
  const restoresChart = new UnsyncedFolderChart(app, RESTORES_FOLDER);
  const scenario = (id: string, props: Omit<ConstructorParameters<typeof RestoreScenario>[2], 'trackingModifiers'>) =>
    new RestoreScenario(restoresChart, id, { trackingModifiers, ...props });
  const restores = [
    scenario('PvcLost', {
      name: 'pvc-lost',
      schedule: daily,
      target: { kind: 'pvc', namespace: 'default', pvc: 'prometheus-data' },
    }),
    scenario('NamespaceLost', {
      name: 'namespace-lost',
      schedule: daily,
      target: { kind: 'namespace', namespace: 'pihole' },
    }),
    scenario('NamespaceInspect', {
      name: 'namespace-inspect',
      schedule: daily,
      target: { kind: 'namespace-into', namespace: 'loki', into: INSPECTION_NAMESPACE },
    }),
    // rebuild, in order: cluster resources and every other namespace from the weekly backup; the namespaces
    // with volume data from the fresher daily one (restoring their PVCs from the weekly first would create empty
    // volumes, which the daily restore then skips as existing)
    scenario('RebuildClusterResources', {
      name: 'rebuild-cluster-resources',
      title: 'rebuild: cluster resources and namespaces without volume data',
      schedule: weekly,
      target: { kind: 'cluster' },
      excludedNamespaces: [release.namespace, ...REBUILD_EXCLUDED_NAMESPACES, ...daily.includedNamespaces],
    }),
    scenario('RebuildVolumes', {
      name: 'rebuild-volumes',
      title: 'rebuild: the namespaces with volume data',
      schedule: daily,
      target: { kind: 'cluster' },
    }),
  ];

  // the drill's scratch copies exist for minutes and must not trip the coverage alert or --strict
  const unprotectedNamespaces = {
    ...UNPROTECTED_NAMESPACES,
    ...Object.fromEntries(
      drill.scratchNamespaces.map((n) => [n, 'scratch copy made and deleted by the restore drill']),
    ),
    [INSPECTION_NAMESPACE]:
      "inspection copy of loki made by the restore scenario 'namespace-inspect'; delete it when done",
  };
  const runbookRepository = resolveRepository(repository);

  // The seed runs Synology CSI, whose csi-snapshotter sidecar (v4.2.1) drops sourceVolumeMode on update;
  // with the v8.2.1 CRDs that pair is refused unless a way out is chosen (gitops-pitfalls.md row 16).
  // Chosen: the controller flag, until the Synology sidecar runs v6.0.0 or later with `patch` RBAC.
  const csi = new FolderChart(app, 'csi-snapshots');
  const snapshots = new CsiSnapshotStack(csi, 'CsiSnapshots', { preventVolumeModeConversion: false });
  const volumeSnapshots: VolumeSnapshotSupport = { snapshotDrivers: [snapshots.driver], ...VOLUME_EXCEPTIONS };
  const alerts = new BackupAlerts(velero, 'BackupAlerts', {
    release,
    schedules,
    unprotectedNamespaces,
    additionalRules: [drill.alertRules],
    volumeSnapshots,
    snapshotControllerNamespace: snapshots.namespace,
    runbookUrl: alertRunbookUrl(runbookRepository),
  });

  const applications = new FolderChart(app, 'applications');
  new CrdApplication(applications, 'Crds', { release, additionalSources: [...snapshots.crdSources] });
  new ArgoCdApplication(applications, 'CsiSnapshots', {
    name: 'csi-snapshots',
    folder: 'csi-snapshots',
    version: snapshots.version,
    destinationNamespace: snapshots.namespace,
    // synology-csi belongs to the CSI driver's own install
    createNamespace: false,
    syncWave: -5,
    repository,
  });
  new ArgoCdApplication(applications, 'Velero', {
    name: 'velero',
    folder: 'velero',
    version: release.version,
    destinationNamespace: release.namespace,
    repository,
  });

  // applied once by hand (`kubectl apply -f dist/bootstrap/`): the app of apps that syncs dist/applications/
  const bootstrap = new FolderChart(app, 'bootstrap');
  new ArgoCdApplication(bootstrap, 'Root', {
    name: 'velero-cdk8s',
    folder: 'applications',
    version: release.version,
    destinationNamespace: 'argocd',
    createNamespace: false,
    repository,
  });

  const rebuildRestores = restores.filter((r) => r.name.startsWith('rebuild-')).map((r) => r.summary);
  const plan: PlanInput = {
    release,
    schedules,
    volumes: CRITICAL_VOLUMES,
    unprotectedNamespaces,
    volumeSnapshots,
    snapshotControllerNamespace: snapshots.namespace,
    runbooks: {
      distPath: runbookRepository.distPath,
      scenarios: restores.map((r) => r.summary),
      drill: { cronJobName: drill.name, namespace: drill.namespace, scheduleName: daily.name, cron: drill.cron },
      rebuild: {
        veleroNamespace: release.namespace,
        argocdNamespace: 'argocd',
        crdApplication: 'backup-crds',
        veleroApplication: 'velero',
        otherApplications: ['csi-snapshots'],
        veleroVersion: release.version,
        credentials: release.credentials,
        storageLocation: release.defaultStorageLocation.name,
        restores: rebuildRestores,
      },
    },
    alerts: alerts.rules.map((r) => ({
      alert: r.alert,
      severity: r.labels.severity ?? 'warning',
      summary: r.annotations.summary ?? '',
      description: r.annotations.description ?? '',
    })),
  };
  return { app, release, schedules, snapshots, alerts, drill, restores, trackingModifiers, plan };
}

/** Builds the seed's stack and returns its cdk8s App. */
export function buildApp(options: StackOptions = {}): App {
  return buildStack(options).app;
}

/** Synthesizes the seed's stack into dist/ (or `outDir`) with BACKUP-PLAN.md; returns the exit code. */
export function main(options: { outDir?: string } = {}): number {
  return runSynth(buildStack, options);
}

/** Every ServiceAccount the stack renders, with each rule and why (docs/permissions.md). */
export function stackPermissions(stack: Stack): ServiceAccountPermissions[] {
  return [
    stack.release.permissions,
    stack.drill.permissions,
    stack.snapshots.permissions,
    stack.alerts.storageLocationMetrics?.permissions,
  ].filter((p): p is ServiceAccountPermissions => p !== undefined);
}

/** The path of the generated permissions document. */
export const PERMISSIONS_DOC = 'docs/permissions.md';

/** `npm run permissions`: writes docs/permissions.md from the default stack; returns the exit code. */
export function permissionsMain(path = PERMISSIONS_DOC): number {
  try {
    writeFileSync(`${path}.tmp`, renderPermissionsMarkdown(stackPermissions(buildStack())));
    renameSync(`${path}.tmp`, path);
    console.log(`permissions: ${path} written`);
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/** `npm run plan`: the report, a summary, and the live-inventory check; returns the exit code. */
export function planMain(argv: readonly string[]): number {
  return runPlan(buildStack, argv);
}

/**
 * `npm run restore [-- <scenario>]`: without an argument the scenarios, one a line; with one, the command that
 * applies it and its Restore, exactly as rendered into dist/restores/. Returns the exit code.
 */
export function restoreMain(
  argv: readonly string[],
  io: { log: (s: string) => void; error: (s: string) => void } = { log: console.log, error: console.error },
): number {
  try {
    const stack = buildStack();
    const distPath = resolveRepository(REPOSITORY).distPath;
    const byName = new Map(stack.restores.map((r) => [r.name, r]));
    const [name, ...rest] = argv;
    if (name === undefined) {
      for (const r of stack.restores) io.log(`${r.name.padEnd(28)} ${r.title}`);
      io.log('\nnpm run restore -- <scenario> prints its command and Restore');
      return 0;
    }
    const scenario = byName.get(name);
    if (!scenario || rest.length) {
      io.error(
        `restore: ${scenario ? `one scenario at a time, got ${argv.join(' ')}` : `no scenario '${name}'`}; scenarios: ${[...byName.keys()].join(', ')}`,
      );
      return 2;
    }
    const object = renderApp(stack.app).find(
      (o) => o.folder === RESTORES_FOLDER && o.file === `${scenario.name}.yaml`,
    )!;
    io.log(
      `# ${scenario.title}\n# apply (a new Restore each time):\n${applyCommand({ file: `${distPath}/${scenario.summary.file}` })}\n# or pipe this to 'kubectl create -f -':\n${toYaml(object.object)}`,
    );
    return 0;
  } catch (e) {
    io.error((e as Error).message);
    return 2;
  }
}

/** `npm run validate`: checks the files in dist/ (or `dir`) as ArgoCD will read them; returns the exit code. */
export function validateMain(dir = 'dist'): number {
  return runValidate(buildStack, dir);
}

// run directly by ts-node (`npx ts-node main.ts`: the template toolchain T that `npm run bench` compares with),
// not when bundled into another entry point
if (require.main === module && /[\\/]main\.[jt]s$/.test(require.main.filename)) process.exitCode = main();
