/**
 * The seed homelab's config: its Velero backup and disaster-recovery stack, as one BackupStack config
 * (lib/config/types.ts; every field not given here is its stated default).
 *
 * `buildStack()` / `buildApp()` build it in memory (tests call them; they never touch dist/). `main()`,
 * `planMain()`, `validateMain()`, `permissionsMain()` and `restoreMain()` hand it to the commands of
 * lib/output/cli.ts: `npm run synth` synthesizes it into dist/ atomically, after every check. The library
 * itself is index.ts.
 */
import { App, Duration } from 'cdk8s';
import {
  BackupStack,
  type BackupAlerts,
  type BackupSchedule,
  type BackupScheduleProps,
  type CsiSnapshotStack,
  type RestoreDrill,
  type RestoreScenario,
  type TrackingStripModifiers,
  type VeleroRelease,
} from './constructs';
import type { BackupStackConfig, StackConfig, StorageLocationConfig } from './lib/config/types';
import type { ServiceAccountPermissions } from './lib/kube/permissions';
import { runPermissions, runPlan, runRestore, runSynth, runValidate, type CliIo } from './lib/output/cli';
import type { PlanInput } from './lib/plan/plan';

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

/**
 * The seed homelab. Production storage is one line: `{ provider: 'backblaze-b2', bucket: 'velero-backups-<id>' }`;
 * any S3: `{ provider: 's3', bucket, region, s3Url }`.
 */
export const SEED_CONFIG = {
  // LocalStack: a test rig, nothing survives a LocalStack restart
  storageLocations: [{ provider: 'localstack' }],
  schedules: [
    // monthly proof that the daily backups restore, into drill-<ns> scratch namespaces deleted afterwards
    { ...SEED_SCHEDULES.dailyCriticalPvcs, drill: {} },
    SEED_SCHEDULES.weeklyClusterResources,
  ],
  // the critical PVCs the plan report sizes and costs
  volumes: [
    { namespace: 'default', pvc: 'prometheus-data', size: '50Gi', app: 'Prometheus' },
    { namespace: 'loki', pvc: 'loki-data', size: '20Gi', app: 'Loki' },
    { namespace: 'default', pvc: 'grafana-data', size: '5Gi', app: 'Grafana' },
    { namespace: 'pihole', pvc: 'pihole-data', size: '5Gi', app: 'Pi-hole' },
  ],
  // the BACKUP-PLAN.md runbooks, rendered into dist/restores/ (nothing syncs it); the rebuild's two come last
  restores: [
    { name: 'pvc-lost', target: { kind: 'pvc', namespace: 'default', pvc: 'prometheus-data' } },
    { name: 'namespace-lost', target: { kind: 'namespace', namespace: 'pihole' } },
    { name: 'namespace-inspect', target: { kind: 'namespace-into', namespace: 'loki', into: 'loki-inspect' } },
    { rebuild: {} },
  ],
  // The seed's storage is a Synology NAS (Synology CSI v1.2.1): its driver and class, and the snapshot-controller
  // next to the driver in `synology-csi`. Its csi-snapshotter sidecar (v4.2.1) drops sourceVolumeMode on update;
  // with the v8.2.1 CRDs that pair is refused unless a way out is chosen (docs/pitfalls.md#source-volume-mode). Chosen: the
  // controller flag, until the Synology sidecar runs v6.0.0 or later with `patch` RBAC.
  csi: {
    namespace: 'synology-csi',
    snapshotterSidecarVersion: 'v4.2.1',
    preventVolumeModeConversion: false,
    volumeSnapshotClass: { name: 'synology-snapshot-class', driver: 'csi.san.synology.com' },
  },
  argocd: { repository: { repoURL: 'https://github.com/homelab/velero-cdk8s.git', targetRevision: 'HEAD' } },
} as const satisfies BackupStackConfig;

export interface StackOptions {
  /** The default storage location. @default SEED_CONFIG's (LocalStack) */
  readonly storage?: StorageLocationConfig;
  /** @default SEED_CONFIG's */
  readonly repository?: NonNullable<StackConfig['argocd']>['repository'];
  /** Run the node-agent (file-system backup, snapshot data movement). @default false */
  readonly nodeAgent?: boolean;
  /** Move the daily schedule's CSI snapshot data to object storage (needs the node-agent). @default false */
  readonly snapshotMoveData?: boolean;
  /** Velero release: any release of a supported line (the one line an upgrade changes). @default VELERO_VERSION */
  readonly version?: string;
  /** velero-plugin-for-aws release. @default the line's, or the known-good pairing for the storage provider */
  readonly awsPluginVersion?: string;
}

/** The built stack: the app plus the constructs the plan report reads. */
export interface Stack {
  readonly app: App;
  readonly stack: BackupStack;
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

/** The seed's config with `options` applied. */
export function seedConfig(options: StackOptions = {}): BackupStackConfig {
  const [daily, weekly] = SEED_CONFIG.schedules;
  return {
    ...SEED_CONFIG,
    storageLocations: options.storage ? [options.storage] : SEED_CONFIG.storageLocations,
    release: {
      version: options.version,
      awsPluginVersion: options.awsPluginVersion,
      nodeAgent: { enabled: options.nodeAgent ?? options.snapshotMoveData ?? false },
    },
    schedules: [{ ...daily, snapshotMoveData: options.snapshotMoveData ?? false }, weekly],
    argocd: { repository: options.repository ?? SEED_CONFIG.argocd.repository },
  };
}

/** Builds the seed's stack (SEED_CONFIG, with `options`): one chart per ArgoCD-synced folder of dist/. */
export function buildStack(options: StackOptions = {}): Stack {
  const app = new App();
  const stack = new BackupStack(app, 'Seed', seedConfig(options));
  const { release, schedules, snapshots, alerts, drills, restores, trackingModifiers, plan } = stack;
  return {
    app,
    stack,
    release,
    schedules,
    snapshots: snapshots!,
    alerts,
    drill: drills[0],
    restores,
    trackingModifiers,
    plan,
  };
}

/** Builds the seed's stack and returns its cdk8s App. */
export function buildApp(options: StackOptions = {}): App {
  return buildStack(options).app;
}

/** Every ServiceAccount the stack renders, with each rule and why (docs/permissions.md). */
export function stackPermissions(stack: Stack): ServiceAccountPermissions[] {
  return stack.stack.permissions;
}

/** The path of the generated permissions document. */
export const PERMISSIONS_DOC = 'docs/permissions.md';

/** Synthesizes the seed's stack into dist/ (or `outDir`) with BACKUP-PLAN.md; returns the exit code. */
export function main(options: { outDir?: string } = {}): number {
  return runSynth(buildStack, options);
}

/** `npm run permissions`: writes docs/permissions.md from the default stack; returns the exit code. */
export function permissionsMain(path = PERMISSIONS_DOC): number {
  return runPermissions(() => stackPermissions(buildStack()), path);
}

/** `npm run plan`: the report, a summary, and the live-inventory check; returns the exit code. */
export function planMain(argv: readonly string[]): number {
  return runPlan(buildStack, argv);
}

/**
 * `npm run restore [-- <scenario>]`: without an argument the scenarios, one a line; with one, the command that
 * applies it and its Restore, exactly as rendered into dist/restores/. Returns the exit code.
 */
export function restoreMain(argv: readonly string[], io?: CliIo): number {
  return runRestore(buildStack, argv, io);
}

/** `npm run validate`: checks the files in dist/ (or `dir`) as ArgoCD will read them; returns the exit code. */
export function validateMain(dir = 'dist'): number {
  return runValidate(buildStack, dir);
}

// run directly by ts-node (`npx ts-node main.ts`: the template toolchain T that `npm run bench` compares with),
// not when bundled into another entry point
if (require.main === module && /[\\/]main\.[jt]s$/.test(require.main.filename)) process.exitCode = main();
