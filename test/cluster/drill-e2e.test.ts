/**
 * The real restore drill, end to end, in the cluster in a box (issue 22): the runner text rendered into the
 * drill's ConfigMap, with the rendered CronJob's env, as the CronJob's ServiceAccount, through the rendered RBAC,
 * ValidatingAdmissionPolicies and Pod Security levels of the emulated API server (test/cluster/api-server.ts). It
 * passes on a healthy fake cluster for the seed's committed dist/, for every example config and for every
 * Velero line, and fails at the right step, with the rendered alert that then fires, on induced faults.
 */
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { buildConfig, type BackupFleet, type SingleCluster } from '../../constructs/backup-fleet';
import type { ArgoCdTrackingMethod } from '../../lib/restore/resource-modifiers';
import type { BackupStackConfig } from '../../lib/config/types';
import { RestoreDrill } from '../../constructs/restore-drill';
import { loadConfigFile } from '../../lib/config/load';
import { renderApp, type RenderedObject } from '../../lib/output/output';
import { readRendered } from '../../lib/validation/validate-dist';
import { VELERO_LINES } from '../../lib/versions/velero-lines';
import { buildStack, SEED_CONFIG } from '../fixtures/seed';
import { B2_HOMELAB } from '../../examples/b2-homelab';
import { fakeCluster, syncedObjects, volumesFor, type FakeClusterOptions } from './cluster';
import { renderedDrills, runRenderedDrill, type RenderedDrill } from './drill-harness';
import type { ApiServer } from './api-server';
import type { KubeObject, RestoreOutcome } from './types';
import { HELM_INSTANCE_LABEL, trackingLeft } from './velero/seed-cluster';

// each run spawns the runner; the first also loads the schema validators (speed is not what is tested)
jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const committed = syncedObjects(readRendered(join(ROOT, 'dist')).objects);
const seedDrill = renderedDrills(committed)[0];
/** The seed config's tracking method, as its stack resolved it. */
const SEED_TRACKING = buildStack().stack.trackingModifiers.trackingMethod;

/** The clusters of a render: `''` for a single cluster, `clusters/<name>/` for each of a fleet. */
function clustersOf(rendered: readonly RenderedObject[]): string[] {
  const fleet = [
    ...new Set(rendered.map((r) => /^clusters\/[^/]+\//.exec(r.folder)?.[0]).filter((p) => p !== undefined)),
  ];
  return fleet.length ? fleet : [''];
}

/** The Velero release a render deploys (the server image's tag), for the schemas its objects are checked against. */
function veleroVersionOf(objects: readonly KubeObject[]): string {
  const image = objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((o) => ((o.spec as any).template.spec.containers as { image: string }[]).map((c) => c.image))
    .find((i) => i.startsWith('velero/velero:'));
  return image ? image.slice('velero/velero:'.length) : 'v1.15.0';
}

async function drillOn(objects: readonly KubeObject[], drill: RenderedDrill, options: FakeClusterOptions = {}) {
  const restored: RestoreOutcome[] = [];
  const server = fakeCluster(objects, [drill], {
    schemaVersions: { velero: veleroVersionOf(objects) },
    onRestored: (o) => restored.push(o),
    ...options,
  });
  const run = await runRenderedDrill(drill, server);
  return { run, server, restored };
}

/**
 * The alert of the rendered PrometheusRule that fires when the drill's Job fails: the runner's exit 1 fails the
 * Job (backoffLimit 0), kube-state-metrics reports kube_job_failed of a Job the CronJob owns, and the rule over
 * that series fires (its promtool cases, lib/alerts/restore-drill.ts, prove the firing itself).
 */
function alertOnFailedJob(objects: readonly KubeObject[], drill: RenderedDrill): string[] {
  return objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec as any).groups.flatMap((g: any) => g.rules as { alert?: string; expr: string }[]))
    .filter(
      (r) =>
        r.alert && r.expr.includes('kube_job_failed') && r.expr.includes(`owner_name="${drill.cronJob.metadata.name}"`),
    )
    .map((r) => r.alert!);
}

/** What a run left behind: anything the drill created that still exists. */
function leftovers(server: ApiServer, drill: RenderedDrill): string[] {
  const scratch = drill.env.DRILL_NAMESPACE_MAPPING.split(',').map((e) => e.split('=')[1]);
  return [
    ...scratch.filter((n) => server.get('v1', 'Namespace', undefined, n)).map((n) => `Namespace ${n}`),
    ...server
      .list('v1', 'PersistentVolume')
      .filter((pv) => scratch.includes((pv.spec as any).claimRef?.namespace))
      .map((pv) => `PersistentVolume ${pv.metadata.name} (${(pv.spec as any).persistentVolumeReclaimPolicy})`),
    ...server
      .list('snapshot.storage.k8s.io/v1', 'VolumeSnapshotContent')
      .filter((c) => c.metadata.labels?.['velero.io/restore-name'])
      .map((c) => `VolumeSnapshotContent ${c.metadata.name}`),
    ...server.list('velero.io/v1', 'Restore', drill.namespace).map((r) => `Restore ${r.metadata.name}`),
  ];
}

describe("the seed's committed dist/", () => {
  test('renders one drill, whose Restore names the tracking strip (the case the policy must allow)', () => {
    expect(renderedDrills(committed).map((d) => d.cronJob.metadata.name)).toEqual([
      'restore-drill-daily-critical-pvcs',
    ]);
    expect(seedDrill.env.DRILL_RESOURCE_MODIFIER).toBe('restore-strip-argocd-tracking');
  });

  test('the drill passes on a healthy cluster, as its ServiceAccount, and leaves nothing behind', async () => {
    const { run, server } = await drillOn(committed, seedDrill, { trackingMethod: SEED_TRACKING });
    expect(run.result).toBe('passed');
    expect(run.exitCode).toBe(0);
    expect(leftovers(server, seedDrill)).toEqual([]);
    const sa = `system:serviceaccount:velero:${seedDrill.serviceAccount}`;
    expect(server.requests.filter((r) => r.user === sa && r.code === 403)).toEqual([]);
    const writes = server.requests.filter((r) => r.user === sa && ['create', 'patch', 'delete'].includes(r.verb));
    expect(writes.map((r) => r.code)).toEqual(writes.map(() => 200));
    expect(writes.map((r) => `${r.verb} ${r.group}/${r.resource}`)).toEqual(
      expect.arrayContaining([
        'create /namespaces',
        'create velero.io/restores',
        'create /pods',
        'patch /persistentvolumes',
        'delete snapshot.storage.k8s.io/volumesnapshotcontents',
      ]),
    );
  });

  test.each<[string, FakeClusterOptions, string]>([
    ['no Completed backup of the schedule', { backupPhase: 'PartiallyFailed' }, 'pick-backup'],
    ['a restored PVC that is never Bound', { provisionerDown: true }, 'verify-pvc-bound'],
  ])('%s: the drill fails at its step, exits 1, and the rendered alert fires', async (_, options, step) => {
    const { run, server } = await drillOn(committed, seedDrill, { trackingMethod: SEED_TRACKING, ...options });
    expect(run.result).toBe(step);
    expect(run.exitCode).toBe(1);
    expect(alertOnFailedJob(committed, seedDrill)).toEqual(['VeleroRestoreDrillFailed']);
    expect(leftovers(server, seedDrill)).toEqual([]);
  });
});

/**
 * The modifier rides the drill's Restore: the source cluster carries ArgoCD's tracking as the config's
 * `argocd.trackingMethod` writes it, the emulated Velero applies the rendered strip, and what the drill restores
 * keeps no key of that method (under `annotation`, the app's own `app.kubernetes.io/instance` stays).
 */
describe.each(['label', 'annotation+label'] as const)("the seed with argocd.trackingMethod '%s'", (trackingMethod) => {
  const rendered = [...buildConfig({ ...SEED_CONFIG, argocd: { ...SEED_CONFIG.argocd, trackingMethod } }).objects];
  const [{ objects, drill }] = drillsOfRender(rendered);

  test("its drill passes, and what it restored keeps none of that method's tracking, nor Helm's label", async () => {
    const { run, restored } = await drillOn(objects, drill, { trackingMethod });
    expect(run.result).toBe('passed');
    const created = restored.flatMap((o) => o.created);
    expect(created.map((o) => o.kind)).toContain('PersistentVolumeClaim');
    expect(created.flatMap((o) => trackingLeft(trackingMethod, o))).toEqual([]);
    expect(created.filter((o) => HELM_INSTANCE_LABEL in (o.metadata.labels ?? {}))).toEqual([]);
  });
});

test("the seed's drill restores its claims without the tracking annotation, with the app's own instance label", async () => {
  expect(SEED_TRACKING).toBe('annotation');
  const { run, restored } = await drillOn(committed, seedDrill, { trackingMethod: SEED_TRACKING });
  expect(run.result).toBe('passed');
  const created = restored.flatMap((o) => o.created);
  const claims = created.filter((o) => o.kind === 'PersistentVolumeClaim');
  expect(claims.length).toBeGreaterThan(0);
  expect(created.flatMap((o) => trackingLeft(SEED_TRACKING, o))).toEqual([]);
  expect(claims.map((c) => c.metadata.labels?.[HELM_INSTANCE_LABEL])).toEqual(claims.map(() => expect.any(String)));
});

/** Every rendered drill of a config, with the synced objects of its cluster. */
function drillsOfRender(
  rendered: readonly RenderedObject[],
): { cluster: string; objects: KubeObject[]; drill: RenderedDrill }[] {
  return clustersOf(rendered).flatMap((cluster) => {
    const objects = syncedObjects(rendered, cluster);
    return renderedDrills(objects).map((drill) => ({ cluster, objects, drill }));
  });
}

/** What `npm run synth -- --config <file>` writes, in memory (a fleet: one folder per cluster), and its tracking method. */
function render(config: BackupStackConfig): [RenderedObject[], ArgoCdTrackingMethod] {
  const built = buildConfig(config);
  const stack = 'clusters' in built ? (built as BackupFleet).clusters[0].stack : (built as SingleCluster).stack;
  return [[...built.objects], stack.trackingModifiers.trackingMethod];
}
const examples: [string, RenderedObject[], ArgoCdTrackingMethod][] = [
  ['examples/b2-homelab.yaml', ...render(loadConfigFile(join(ROOT, 'examples', 'b2-homelab.yaml')))],
  ['examples/b2-homelab.ts', ...render(B2_HOMELAB)],
  ['examples/fleet.yaml', ...render(loadConfigFile(join(ROOT, 'examples', 'fleet.yaml')))],
];

describe('every example config', () => {
  test('renders the drills it declares (the table below is not empty by accident)', () => {
    expect(
      examples.map(([name, r]) => [name, drillsOfRender(r).map((d) => `${d.cluster}${d.drill.cronJob.metadata.name}`)]),
    ).toEqual([
      ['examples/b2-homelab.yaml', ['restore-drill-daily-apps']],
      ['examples/b2-homelab.ts', ['restore-drill-daily-apps']],
      ['examples/fleet.yaml', []], // its clusters declare no drill
    ]);
  });

  test.each(
    examples.flatMap(([name, r, trackingMethod]) =>
      drillsOfRender(r).map(
        (d) => [`${name} ${d.cluster}${d.drill.cronJob.metadata.name}`, d, trackingMethod] as const,
      ),
    ),
  )(
    '%s passes on a healthy cluster, restoring nothing with tracking',
    async (_, { objects, drill }, trackingMethod) => {
      const { run, server, restored } = await drillOn(objects, drill, { trackingMethod });
      expect(run.result).toBe('passed');
      expect(leftovers(server, drill)).toEqual([]);
      expect(restored.flatMap((o) => o.created).flatMap((o) => trackingLeft(trackingMethod, o))).toEqual([]);
    },
  );

  test('b2-homelab: a declared verify path missing from the restored volume fails at verify-read, naming the path', async () => {
    const [{ objects, drill }] = drillsOfRender(examples[0][1]);
    const volumes = Object.fromEntries(
      Object.entries(volumesFor([drill])).map(([k, v]) => [k, k === 'pihole/pihole-data' ? { 'other.db': 'x' } : v]),
    );
    const { run } = await drillOn(objects, drill, { volumes, trackingMethod: examples[0][2] });
    expect(run.result).toBe('verify-read');
    expect(run.lines.join('\n')).toContain('gravity.db: does not exist in the restored volume');
    expect(alertOnFailedJob(objects, drill)).toEqual(['VeleroRestoreDrillFailed']);
  });
});

describe.each(VELERO_LINES.map((l) => [l.line, l.newestReadTag] as const))('Velero %s (%s): the seed', (_, tag) => {
  const seed = buildStack({ version: tag });
  const trackingMethod = seed.stack.trackingModifiers.trackingMethod;
  const [{ objects, drill }] = drillsOfRender(renderApp(seed.app));

  test('its drill passes on a healthy cluster, restoring nothing with tracking', async () => {
    const { run, restored } = await drillOn(objects, drill, { trackingMethod });
    expect(run.result).toBe('passed');
    expect(restored.flatMap((o) => o.created).flatMap((o) => trackingLeft(trackingMethod, o))).toEqual([]);
  });
});

describe('a policy that refuses the runner fails the drill at create-restore', () => {
  /**
   * The seed's drill policies as rendered for a drill that applies no resource modifier (the shape of the
   * policy before BLOCKER 1's fix), facing the seed's runner, which applies the tracking strip.
   */
  function policiesWithoutTheStrip(): KubeObject[] {
    const stack = buildStack();
    const chart = new Chart(stack.app, 'other', { disableResourceNameHashes: true });
    const seed = stack.drill;
    new RestoreDrill(chart, 'Drill', {
      release: stack.release,
      schedule: stack.schedules.find((s) => s.name === seed.config.schedule)!,
      name: seed.name,
      namespaces: Object.keys(seed.namespaceMapping),
      namespaceMapping: seed.namespaceMapping,
      includedResources: seed.includedResources,
    });
    return (chart.toJson() as KubeObject[]).filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'));
  }

  test('the refusal names the policy, and the drill cleans up what it created before', async () => {
    const policies = policiesWithoutTheStrip();
    expect(policies).toHaveLength(10);
    const { run, server } = await drillOn(committed, seedDrill, {
      trackingMethod: SEED_TRACKING,
      replace: (objs) => [...objs.filter((o) => !o.kind.startsWith('ValidatingAdmissionPolicy')), ...policies],
    });
    expect(run.result).toBe('create-restore');
    expect(run.lines.join('\n')).toMatch(
      /HTTP 422 Invalid: restores.velero.io \\"drill-daily-critical-pvcs-\d+\\" is forbidden: ValidatingAdmissionPolicy 'velero-restore-drill-daily-critical-pvcs-restores' with binding 'velero-restore-drill-daily-critical-pvcs-restores' denied request: .*no resource modifiers/,
    );
    expect(alertOnFailedJob(committed, seedDrill)).toEqual(['VeleroRestoreDrillFailed']);
    expect(leftovers(server, seedDrill)).toEqual([]);
  });
});
