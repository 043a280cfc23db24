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
  StorageProfile,
  VeleroRelease,
  type GitRepository,
} from './constructs';
import { runPlan, runSynth, runValidate } from './lib/output/cli';
import { FolderChart } from './lib/output/folder-chart';
import type { VolumeSnapshotSupport } from './lib/alerts/unsnapshottable-volume';
import { renderPermissionsMarkdown, type ServiceAccountPermissions } from './lib/kube/permissions';
import { renameSync, writeFileSync } from 'node:fs';
import type { PlanInput, VolumeDeclaration } from './lib/plan/plan';

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

  // Monthly proof that the daily backups restore: into drill-<ns> scratch namespaces, deleted afterwards.
  const drill = new RestoreDrill(velero, 'RestoreDrill', { release, schedule: schedules[0] });
  // the drill's scratch copies exist for minutes and must not trip the coverage alert or --strict
  const unprotectedNamespaces = {
    ...UNPROTECTED_NAMESPACES,
    ...Object.fromEntries(
      drill.scratchNamespaces.map((n) => [n, 'scratch copy made and deleted by the restore drill']),
    ),
  };
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

  const plan: PlanInput = { release, schedules, volumes: CRITICAL_VOLUMES, unprotectedNamespaces, volumeSnapshots };
  return { app, release, schedules, snapshots, alerts, drill, plan };
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

/** `npm run validate`: checks the files in dist/ (or `dir`) as ArgoCD will read them; returns the exit code. */
export function validateMain(dir = 'dist'): number {
  return runValidate(buildStack, dir);
}

// run directly by ts-node (`npx ts-node main.ts`: the template toolchain T that `npm run bench` compares with),
// not when bundled into another entry point
if (require.main === module && /[\\/]main\.[jt]s$/.test(require.main.filename)) process.exitCode = main();
