/**
 * The composition root: the seed homelab's Velero backup and disaster-recovery stack.
 *
 * `buildStack()` / `buildApp()` build it in memory (tests call them; they never touch dist/). Run
 * directly (`npm run synth`), this file synthesizes it into dist/ atomically, after every check.
 */
import { App, Duration } from 'cdk8s';
import type { BackupAlerts, BackupSchedule, CsiSnapshotStack, RestoreDrill, VeleroRelease } from './constructs';
import { BackupStack } from './constructs/backup-stack';
import type { BackupStackConfig, StackConfig, StorageLocationConfig } from './lib/config/types';
import { backupPlan, renderPlanMarkdown, type PlanInput } from './lib/plan/plan';
import { runPlanCli } from './lib/plan/plan-cli';
import { checkInvariants, foldersOf } from './lib/validation/invariants';
import { schemaCheck } from './lib/validation/schema';
import { synthesize, type OutputCheck } from './lib/output/synth';
import { validateDir } from './lib/validation/validate-dist';

/**
 * The seed homelab: every field of BackupStackConfig (lib/config/types.ts) not given here is its
 * stated default. Production storage is one line: `{ provider: 'backblaze-b2', bucket: 'velero-backups-<id>' }`.
 */
export const SEED_CONFIG = {
  // LocalStack: a test rig, nothing survives a LocalStack restart
  storageLocations: [{ provider: 'localstack' }],
  // names are exact: the runbooks rely on them (`velero backup get | awk '/^daily-critical-pvcs-/'`)
  schedules: [
    {
      name: 'daily-critical-pvcs',
      schedule: '0 2 * * *',
      ttl: Duration.hours(720),
      includedNamespaces: ['default', 'loki', 'pihole'],
      snapshotVolumes: true,
      defaultVolumesToFsBackup: false,
      // monthly proof that the daily backups restore, into drill-<ns> scratch namespaces deleted afterwards
      drill: {},
    },
    {
      name: 'weekly-cluster-resources',
      schedule: '0 3 * * 0',
      ttl: Duration.hours(2160),
      includedNamespaces: ['*'],
      includeClusterResources: true,
      snapshotVolumes: false,
    },
  ],
  // the critical PVCs the plan report sizes and costs
  volumes: [
    { namespace: 'default', pvc: 'prometheus-data', size: '50Gi', app: 'Prometheus' },
    { namespace: 'loki', pvc: 'loki-data', size: '20Gi', app: 'Loki' },
    { namespace: 'default', pvc: 'grafana-data', size: '5Gi', app: 'Grafana' },
    { namespace: 'pihole', pvc: 'pihole-data', size: '5Gi', app: 'Pi-hole' },
  ],
  // Synology CSI's csi-snapshotter sidecar (v4.2.1) drops sourceVolumeMode on update; with the v8.2.1 CRDs
  // that pair is refused unless a way out is chosen (gitops-pitfalls.md row 16). Chosen: the controller flag,
  // until the Synology sidecar runs v6.0.0 or later with `patch` RBAC.
  csi: { preventVolumeModeConversion: false },
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

/** Builds the seed's stack (SEED_CONFIG, with `options`): one chart per ArgoCD-synced folder of dist/. */
export function buildStack(options: StackOptions = {}): Stack {
  const app = new App();
  const [daily, weekly] = SEED_CONFIG.schedules;
  const stack = new BackupStack(app, 'Seed', {
    ...SEED_CONFIG,
    storageLocations: options.storage ? [options.storage] : SEED_CONFIG.storageLocations,
    release: { nodeAgent: { enabled: options.nodeAgent ?? options.snapshotMoveData ?? false } },
    schedules: [{ ...daily, snapshotMoveData: options.snapshotMoveData ?? false }, weekly],
    argocd: { repository: options.repository ?? SEED_CONFIG.argocd.repository },
  });
  const { release, schedules, snapshots, alerts, drills, plan } = stack;
  return { app, release, schedules, snapshots: snapshots!, alerts, drill: drills[0], plan };
}

/**
 * The checks every synth runs before anything is written (issue 6): the output invariants, and
 * validation against the upstream schemas (core kinds always; custom resources when a CRD source is
 * there: ../shared/crds, $VELERO_CDK8S_CRDS, or the pinned URLs downloaded once).
 */
export function synthChecks(release: () => VeleroRelease): OutputCheck[] {
  return [
    (objects) => {
      const r = release();
      const localStack = r.storageLocations.filter((l) => l.profile.isTestRig);
      return checkInvariants(foldersOf(objects), {
        localStackSecretAllowed: localStack.length > 0,
        localStackLocations: localStack.map((l) => `${r.namespace}/${l.name}`),
      });
    },
    schemaCheck({}, (result) => {
      for (const note of result.notes) console.error(`validate: ${note}`);
    }),
  ];
}

/** Builds the seed's stack and returns its cdk8s App. */
export function buildApp(options: StackOptions = {}): App {
  return buildStack(options).app;
}

/** Synthesizes the default stack into dist/ (or `outDir`) with BACKUP-PLAN.md; returns the exit code. */
export function main(options: { outDir?: string } = {}): number {
  try {
    let stack: Stack | undefined;
    const result = synthesize(
      () => {
        stack = buildStack();
        return stack.app;
      },
      {
        outDir: options.outDir,
        checks: synthChecks(() => stack!.release),
        extraFiles: () => ({ 'BACKUP-PLAN.md': renderPlanMarkdown(backupPlan(stack!.plan)) }),
      },
    );
    console.log(`synth: ${result.objects.length} objects written to ${result.outDir}`);
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/** `npm run plan`: the report, a summary, and the live-inventory check; returns the exit code. */
export function planMain(argv: readonly string[]): number {
  try {
    return runPlanCli(argv, buildStack().plan, { log: console.log, error: console.error });
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
}

/** `npm run validate`: checks the files in dist/ (or `dir`) as ArgoCD will read them; returns the exit code. */
export function validateMain(dir = 'dist'): number {
  const stack = buildStack();
  const problems = validateDir(
    dir,
    synthChecks(() => stack.release),
  );
  for (const p of problems) console.error(`validate: ${p}`);
  console.log(problems.length ? `validate: ${problems.length} problem(s) in ${dir}` : `validate: ${dir} is valid`);
  return problems.length ? 1 : 0;
}

// run directly (`node .build/main.js`, `ts-node main.ts`), not when bundled into another entry point
if (require.main === module && /[\\/]main\.[jt]s$/.test(require.main.filename)) process.exitCode = main();
