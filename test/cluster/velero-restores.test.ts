/**
 * Issue 22: every Restore in restores/ and every command of BACKUP-PLAN.md's runbooks, applied to a cluster
 * populated from a backup of the seed's namespaces, through the emulated Velero (test/cluster/velero/). Each
 * runbook runs its own rendered lines; each must end Completed, bring back what it says it brings back, and
 * leave no ArgoCD tracking on anything it brought back, Namespaces included. Renders: the seed's committed
 * dist/, the seed on every supported Velero line, every example config.
 */
import { scenarioHeading } from '../../lib/restore/runbook';
import type { KubeObject } from './types';
import { bareCluster, populated, run, sectionLines } from './velero/harness';
import type { MemoryCluster } from './velero/memory-cluster';
import { SEED_CONFIG, SEED_SCHEDULES } from '../fixtures/seed';
import { committedSeed, configRenders, exampleRenders, seedOnLines, type NamedRender } from './velero/renders';
import { emulateRestore } from './velero/restore';
import { commandOf } from './velero/runbook-runner';
import { HELM_INSTANCE_LABEL, trackingKeysOf, trackingLeft } from './velero/seed-cluster';

/** Configs whose default rebuild pair once ended FailedValidation: a volume schedule of every namespace ('*'). */
const EVERY_NAMESPACE = {
  storageLocations: SEED_CONFIG.storageLocations,
  csi: SEED_CONFIG.csi,
  volumes: [{ namespace: 'apps', pvc: 'data', size: '1Gi' }],
};
const WILDCARD_CONFIGS = [
  configRenders("one '*' schedule with cluster resources and snapshots", {
    ...EVERY_NAMESPACE,
    schedules: [
      { name: 'everything', schedule: '0 2 * * *', includedNamespaces: ['*'], includeClusterResources: true },
    ],
  }),
  configRenders("a daily '*' volume schedule and a weekly one of cluster resources", {
    ...EVERY_NAMESPACE,
    schedules: [
      { name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['*'] },
      { ...SEED_SCHEDULES.weeklyClusterResources, ttl: '2160h' },
    ],
  }),
].flat();

/** The seed under the other tracking methods: the label strip must stay proven (the seed tracks by annotation). */
const TRACKING_CONFIGS = (['label', 'annotation+label'] as const).flatMap((trackingMethod) =>
  configRenders(`seed with argocd.trackingMethod '${trackingMethod}'`, {
    ...SEED_CONFIG,
    argocd: { ...SEED_CONFIG.argocd, trackingMethod },
  }),
);

const RENDERS: NamedRender[] = [
  committedSeed(),
  ...seedOnLines(),
  ...exampleRenders(),
  ...WILDCARD_CONFIGS,
  ...TRACKING_CONFIGS,
];

interface Runbook {
  readonly render: NamedRender;
  readonly heading: string;
  /** The scenarios whose Restores the runbook creates, in order. */
  readonly scenarios: readonly string[];
}

function runbooks(render: NamedRender): Runbook[] {
  return [...render.plan.matchAll(/^### (Disaster: .+)$/gm)].map((m) => {
    const body = sectionLines(render.plan, `### ${m[1]}`).join('\n');
    const scenarios = [...body.matchAll(/velero-cdk8s\.io\/restore-scenario=([a-z0-9-]+)/g)].map((x) => x[1]);
    return { render, heading: `### ${m[1]}`, scenarios: [...new Set(scenarios)] };
  });
}

const REBUILD_HEADING = `### ${scenarioHeading({ title: 'the whole cluster rebuilt' })}`;
// a rebuild runbook without restores (a config with no schedule of cluster resources) restores nothing to check
const CASES = RENDERS.flatMap((r) =>
  runbooks(r)
    .filter((b) => b.scenarios.length > 0)
    .map((b) => [r.name, b.heading.slice(4), b] as const),
);

/** Runs a runbook after its disaster: the namespace gone, nothing (a PVC: the runbook deletes it), or a bare cluster. */
function runAfterDisaster(book: Runbook) {
  const { render } = book;
  const seeded = populated(render);
  const targets = book.scenarios.map((s) => render.targets[s]);
  let cluster: MemoryCluster = seeded.cluster;
  if (book.heading === REBUILD_HEADING) cluster = bareCluster(render);
  for (const t of targets) if (t.kind === 'namespace') cluster.delete('v1', 'Namespace', undefined, t.namespace);
  const result = run(render, cluster, seeded.backups, sectionLines(render.plan, book.heading));
  return { ...result, cluster, backups: seeded.backups, targets };
}

const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const SKIP_KINDS = new Set(['VolumeSnapshot', 'VolumeSnapshotContent', 'PersistentVolume']);

/** What the backups held of `namespace`, as `Kind/<target>/name`. */
function backedUp(
  backups: ReturnType<typeof runAfterDisaster>['backups'],
  namespace: string,
  target = namespace,
): string[] {
  const items = backups
    .flatMap((b) => b.items)
    .filter((i) => i.metadata.namespace === namespace && !SKIP_KINDS.has(i.kind));
  return [...new Set(items.map((i) => `${i.kind}/${target}/${i.metadata.name}`))].sort();
}

const present = (cluster: MemoryCluster, namespace: string) =>
  cluster
    .all()
    .filter((o) => o.metadata.namespace === namespace && !SKIP_KINDS.has(o.kind))
    .map(key);

describe.each(CASES)('%s: %s', (_render, _heading, book) => {
  const outcome = runAfterDisaster(book);

  test('every object its checks get is there when they run', () => {
    expect(outcome.missing).toEqual([]);
  });

  test('creates one Restore per scenario, and each ends Completed without errors', () => {
    expect(outcome.restores.map((r) => r.restore.metadata.labels?.['velero-cdk8s.io/restore-scenario'])).toEqual(
      book.scenarios,
    );
    for (const r of outcome.restores) {
      expect({
        phase: r.outcome.phase,
        errors: r.outcome.errors,
        validationErrors: r.outcome.validationErrors,
      }).toEqual({
        phase: 'Completed',
        errors: [],
        validationErrors: [],
      });
    }
  });

  test('brings back what its runbook says, every claim from its snapshot', () => {
    const { cluster, backups } = outcome;
    for (const t of outcome.targets) {
      if (t.kind === 'pvc')
        expect(present(cluster, t.namespace)).toContain(`PersistentVolumeClaim/${t.namespace}/${t.pvc}`);
      if (t.kind === 'namespace') expect(present(cluster, t.namespace).sort()).toEqual(backedUp(backups, t.namespace));
      if (t.kind === 'namespace-into')
        expect(present(cluster, t.into).sort()).toEqual(backedUp(backups, t.namespace, t.into));
    }
    if (outcome.targets.some((t) => t.kind === 'cluster')) {
      const namespaces = [...new Set(backups.flatMap((b) => b.items).map((i) => i.metadata.namespace))]
        .filter((ns): ns is string => !!ns && !/^(kube-|velero$)/.test(ns))
        .sort();
      for (const ns of namespaces) expect([ns, present(cluster, ns).sort()]).toEqual([ns, backedUp(backups, ns)]);
    }
    const restoredClaims = outcome.restores
      .flatMap((r) => r.outcome.created)
      .filter((o) => o.kind === 'PersistentVolumeClaim');
    // a backup that moved its data (snapshotMoveData) restores the claim through the data mover (a DataDownload
    // fills it; pkg/restore/actions/csi/pvc_action.go RestoreFromDataUploadResult), never from a VolumeSnapshot
    const moved = (pvc: KubeObject) =>
      !!(
        backups.find((b) => b.backup.metadata.name === pvc.metadata.labels?.['velero.io/backup-name'])?.backup.spec as {
          snapshotMoveData?: boolean;
        }
      )?.snapshotMoveData;
    for (const pvc of restoredClaims) {
      const dataMover = moved(pvc);
      expect([key(pvc), (pvc.spec as { dataSource?: { kind?: string } }).dataSource?.kind]).toEqual([
        key(pvc),
        dataMover ? undefined : 'VolumeSnapshot',
      ]);
    }
  });

  test('leaves no ArgoCD tracking on anything it brought back, Namespaces included', () => {
    const created = outcome.restores.flatMap((r) => r.outcome.created);
    const now = created
      .map((o) => outcome.cluster.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name!))
      .filter((o) => !!o);
    const namespaces = outcome.targets.flatMap((t) =>
      t.kind === 'namespace' ? [t.namespace] : t.kind === 'namespace-into' ? [t.into] : [],
    );
    const nsObjects = namespaces.map((n) => outcome.cluster.get('v1', 'Namespace', undefined, n)!);
    expect(now.length).toBeGreaterThan(0);
    expect([...now, ...nsObjects].flatMap((o) => trackingLeft(book.render.trackingMethod, o))).toEqual([]);
  });

  test("under annotation tracking, keeps the app's own app.kubernetes.io/instance label (Helm's, not ArgoCD's)", () => {
    const restored = outcome.restores
      .flatMap((r) => r.outcome.created)
      .filter((o) => o.kind !== 'Namespace' && !SKIP_KINDS.has(o.kind))
      .map((o) => outcome.cluster.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name!))
      .filter((o) => !!o);
    const backedUpWithIt = new Set(
      outcome.backups
        .flatMap((b) => b.items)
        .filter((i) => HELM_INSTANCE_LABEL in (i.metadata.labels ?? {}))
        .map((i) => `${i.kind}/${i.metadata.name}`),
    );
    const withIt = restored.filter((o) => backedUpWithIt.has(`${o.kind}/${o.metadata.name}`));
    const kept = withIt.filter((o) => HELM_INSTANCE_LABEL in (o.metadata.labels ?? {}));
    if (book.render.trackingMethod === 'annotation') {
      expect(withIt.length).toBeGreaterThan(0);
      expect(kept.map(key)).toEqual(withIt.map(key));
    } else expect(kept.map(key)).toEqual([]);
  });

  test('its tracking check looks at the namespace object and prints nothing', () => {
    const keys = trackingKeysOf(book.render.trackingMethod);
    const checks = outcome.checks.filter((c) => [...keys.labels, ...keys.annotations].some((k) => c.includes(k)));
    const wanted = outcome.targets.filter((t) => t.kind === 'namespace' || t.kind === 'namespace-into');
    expect(checks).toHaveLength(wanted.length);
    for (const c of checks) {
      const ns = /kubectl get namespace\/(\S+) -o json/.exec(commandOf(c))?.[1];
      expect(ns).toBeDefined();
      const objects = [
        outcome.cluster.get('v1', 'Namespace', undefined, ns!)!,
        ...outcome.cluster.all().filter((o) => o.metadata.namespace === ns),
      ];
      expect(objects.flatMap((o) => trackingLeft(book.render.trackingMethod, o))).toEqual([]);
    }
  });
});

test('the runbooks run under every tracking method', () => {
  expect([...new Set(CASES.map(([, , b]) => b.render.trackingMethod))].sort()).toEqual([
    'annotation',
    'annotation+label',
    'label',
  ]);
});

test('every render with restores has runbooks to run (the table is not empty)', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(4 + 4);
  expect(CASES.some(([r]) => r === 'b2-homelab.yaml')).toBe(true);
  expect(CASES.filter(([r]) => r.includes("'*'")).map(([r, h]) => `${r}: ${h}`)).toEqual([
    "one '*' schedule with cluster resources and snapshots: Disaster: the whole cluster rebuilt",
    "a daily '*' volume schedule and a weekly one of cluster resources: Disaster: the whole cluster rebuilt",
  ]);
});

/** The plan's smoke tests: ad-hoc `velero backup create` / `velero restore create` of a throw-away namespace. */
const SMOKE = [committedSeed()].flatMap((r) =>
  [...r.plan.matchAll(/^### (Test: .+)$/gm)].map((m) => [r.name, m[1], r] as const),
);

describe.each(SMOKE)('%s: %s', (_name, heading, render) => {
  const { cluster, backups } = populated(render);
  const result = run(render, cluster, backups, sectionLines(render.plan, `### ${heading}`));

  test('its velero restore create ends Completed and brings the namespace back', () => {
    expect(result.restores.map((r) => [r.restore.metadata.name, r.outcome.phase, r.outcome.errors])).toEqual([
      [expect.stringMatching(/^backup-test-/), 'Completed', []],
    ]);
    expect(result.restores[0].outcome.created.map((o) => o.kind)).toContain('Namespace');
    expect(result.missing).toEqual([]);
  });
});

test('the smoke tests are in the table', () => {
  expect(SMOKE.map(([, h]) => h)).toEqual([
    'Test: ConfigMap backup and restore',
    'Test: PVC backup and restore (CSI snapshot)',
  ]);
});

/** Every rendered Restore file on its own, created as it is on the populated cluster. */
const FILES = RENDERS.flatMap((r) => Object.keys(r.files).map((file) => [r.name, file, r] as const));

test.each(FILES)("%s: %s passes Velero's validation and ends Completed", (_name, file, render) => {
  const { cluster, backups } = populated(render);
  const restore = cluster.create(render.files[file][0]);
  const out = emulateRestore({ restore, backups, cluster, veleroVersion: render.veleroVersion });
  expect([out.phase, out.validationErrors, out.errors]).toEqual(['Completed', [], []]);
});
