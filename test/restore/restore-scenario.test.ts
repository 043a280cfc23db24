import { BackupSchedule, type BackupScheduleProps } from '../../constructs/backup-schedule';
import { RestoreDrill } from '../../constructs/restore-drill';
import { TrackingStripModifiers } from '../../constructs/restore-modifiers';
import { RestoreScenario, type RestoreScenarioProps } from '../../constructs/restore-scenario';
import { buildStack, SEED_CONFIG, SEED_SCHEDULES } from '../fixtures/seed';
import { buildConfig } from '../../constructs/backup-fleet';
import { runRestore } from '../../lib/output/cli';
import type { BackupStackConfig } from '../../lib/config/types';
import { UNSYNCED_FOLDERS } from '../../lib/output/folder-chart';
import { renderApp } from '../../lib/output/output';
import { drillRestoreRequest } from '../../drill/config';
import {
  ARGOCD_TRACKING_ANNOTATION,
  ARGOCD_TRACKING_LABEL,
  RESOURCE_MODIFIER_DATA_KEY,
} from '../../lib/restore/resource-modifiers';
import { CSI_SNAPSHOT_RESOURCES, restoreSpec } from '../../lib/restore/restore-spec';
import { validateObjects } from '../../lib/validation/schema';
import { runScenario, TEST_CONFIG } from '../fixtures/drill/fake-kube';
import { testChart, testRelease } from '../helpers';

const stack = buildStack();
const rendered = renderApp(stack.app);
const restoreFiles = rendered.filter((r) => r.folder === 'restores');
const byName = (name: string) => stack.restores.find((r) => r.name === name)!;

function setup(
  overrides: Partial<RestoreScenarioProps> = {},
  scheduleProps: Omit<BackupScheduleProps, 'release'> = SEED_SCHEDULES.dailyCriticalPvcs,
  nodeAgent = false,
) {
  const { chart } = testChart();
  const release = testRelease(chart, { nodeAgent: { enabled: nodeAgent } });
  const schedule = new BackupSchedule(chart, 'S', { release, ...scheduleProps });
  const weekly = new BackupSchedule(chart, 'W', { release, ...SEED_SCHEDULES.weeklyClusterResources });
  const trackingModifiers = new TrackingStripModifiers(chart, 'M', { release });
  const make = (props: Partial<RestoreScenarioProps>) =>
    new RestoreScenario(chart, `R${Math.random()}`, {
      name: 'x',
      schedule,
      target: { kind: 'namespace', namespace: 'loki' },
      trackingModifiers,
      ...overrides,
      ...props,
    });
  return { chart, release, schedule, weekly, trackingModifiers, make };
}
const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'did not throw';
};

describe("the seed's restore scenarios", () => {
  test('render one Restore each into dist/restores/<name>.yaml, with generateName and no name', () => {
    expect(restoreFiles.map((r) => r.file)).toEqual(stack.restores.map((r) => `${r.name}.yaml`).sort());
    for (const r of restoreFiles) {
      expect(r.object.kind).toBe('Restore');
      expect(r.object.metadata).not.toHaveProperty('name');
      expect(r.object.metadata.generateName).toBe(r.file.replace(/\.yaml$/, '-'));
      expect(r.object.metadata.namespace).toBe('velero');
    }
    expect(UNSYNCED_FOLDERS).toContain('restores');
  });

  test('are the seed runbooks: one PVC, one namespace, a namespace into a new name, the cluster in two steps', () => {
    expect(stack.restores.map((r) => [r.name, r.target])).toEqual([
      ['pvc-lost', { kind: 'pvc', namespace: 'default', pvc: 'prometheus-data' }],
      ['namespace-lost', { kind: 'namespace', namespace: 'pihole' }],
      ['namespace-inspect', { kind: 'namespace-into', namespace: 'loki', into: 'loki-inspect' }],
      ['rebuild-cluster-resources', { kind: 'cluster' }],
      ['rebuild-volumes', { kind: 'cluster' }],
    ]);
  });

  test('one PVC lost restores the claims with their VolumeSnapshots and contents, nothing else', () => {
    expect(byName('pvc-lost').spec).toEqual({
      scheduleName: 'daily-critical-pvcs',
      includedNamespaces: ['default'],
      includedResources: ['persistentvolumeclaims', ...CSI_SNAPSHOT_RESOURCES].sort(),
      restorePVs: true,
      existingResourcePolicy: 'none',
      resourceModifier: { kind: 'ConfigMap', name: 'restore-strip-argocd-tracking' },
    });
  });

  test('the inspection copy maps loki to loki-inspect, which the coverage alert knows about', () => {
    expect(byName('namespace-inspect').spec.namespaceMapping).toEqual({ loki: 'loki-inspect' });
    expect(byName('namespace-inspect').spec.includedResources).toBeUndefined();
    expect(stack.plan.unprotectedNamespaces).toHaveProperty(['loki-inspect']);
  });

  test('the rebuild restores cluster resources from the weekly backup without the volume namespaces, then those from the daily', () => {
    const [first, second] = stack.plan.runbooks!.rebuild.restores;
    expect(first.name).toBe('rebuild-cluster-resources');
    expect(first.spec).toMatchObject({
      scheduleName: 'weekly-cluster-resources',
      includedNamespaces: ['*'],
      includeClusterResources: true,
      excludedNamespaces: ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'loki', 'pihole', 'velero'],
    });
    expect(second.name).toBe('rebuild-volumes');
    expect(second.spec).toMatchObject({
      scheduleName: 'daily-critical-pvcs',
      includedNamespaces: ['default', 'loki', 'pihole'],
    });
  });

  test('every restore strips ArgoCD tracking with the ConfigMap rendered into the synced velero folder', () => {
    const cm = rendered.find(
      (r) => r.object.kind === 'ConfigMap' && r.object.metadata.name === 'restore-strip-argocd-tracking',
    )!;
    expect(cm.folder).toBe('velero');
    expect(Object.keys(cm.object.data as object)).toEqual([RESOURCE_MODIFIER_DATA_KEY]);
    for (const r of stack.restores)
      expect(r.spec.resourceModifier).toEqual({ kind: 'ConfigMap', name: 'restore-strip-argocd-tracking' });
  });

  test('every scenario validates against the Velero 1.15 Restore CRD schema', () => {
    const result = validateObjects(restoreFiles.map((r) => ({ file: `restores/${r.file}`, object: r.object })));
    expect(result.notes.join('\n')).not.toMatch(/no CRD schema source|skipped/i);
    expect(result.errors).toEqual([]);
  });

  test('the schema check does look at Restores: includedNamespaces as a string fails', () => {
    const bad = {
      ...restoreFiles[0].object,
      spec: { ...(restoreFiles[0].object.spec as object), includedNamespaces: 'loki' },
    };
    const result = validateObjects([{ file: 'restores/bad.yaml', object: bad }]);
    expect(result.errors.join('\n')).toMatch(/includedNamespaces/);
  });
});

describe('RestoreScenario', () => {
  test('a named backup pins it instead of the schedule', () => {
    const { make } = setup();
    const s = make({ backupName: 'daily-critical-pvcs-20250601020000' });
    expect(s.spec.backupName).toBe('daily-critical-pvcs-20250601020000');
    expect(s.spec).not.toHaveProperty('scheduleName');
  });

  test('existingResourcePolicy update, included and excluded resources and hooks are rendered as Velero names them', () => {
    const { make } = setup();
    const s = make({
      existingResourcePolicy: 'update',
      includedResources: ['persistentvolumeclaims', 'statefulsets.apps'],
      excludedResources: ['secrets'],
      hooks: [
        {
          name: 'loki-fsck',
          includedNamespaces: ['loki'],
          postHooks: [
            {
              exec: { container: 'loki', command: ['/bin/sh', '-c', 'ls /data'], onError: 'Fail', execTimeout: '30s' },
            },
          ],
        },
      ],
    });
    expect(s.spec).toMatchObject({
      existingResourcePolicy: 'update',
      includedResources: ['persistentvolumeclaims', 'statefulsets.apps', ...CSI_SNAPSHOT_RESOURCES].sort(),
      excludedResources: ['secrets'],
      hooks: { resources: [{ name: 'loki-fsck', postHooks: [{ exec: { command: ['/bin/sh', '-c', 'ls /data'] } }] }] },
    });
    const result = validateObjects([
      {
        file: 'restores/x.yaml',
        object: {
          apiVersion: 'velero.io/v1',
          kind: 'Restore',
          metadata: { generateName: 'x-', namespace: 'velero' },
          spec: s.spec,
        },
      },
    ]);
    expect(result.errors).toEqual([]);
  });

  test('restoring only workloads adds no snapshot kinds', () => {
    const { make } = setup();
    expect(make({ includedResources: ['deployments.apps'] }).spec.includedResources).toEqual(['deployments.apps']);
  });

  test('snapshot data movement restores the DataUploads with the PVCs', () => {
    const { make } = setup({}, { ...SEED_SCHEDULES.dailyCriticalPvcs, snapshotMoveData: true }, true);
    expect(make({ target: { kind: 'pvc', namespace: 'loki', pvc: 'storage-loki-0' } }).spec.includedResources).toEqual([
      'datauploads.velero.io',
      'persistentvolumeclaims',
    ]);
  });

  test.each([
    [
      'a PVC of a schedule that keeps no volume data',
      (c: ReturnType<typeof setup>) =>
        c.make({ schedule: c.weekly, target: { kind: 'pvc', namespace: 'loki', pvc: 'x' } }),
      "restore scenario 'x': schedule 'weekly-cluster-resources' keeps no volume data of namespace 'loki', so restoring PVC 'x' brings back an empty volume; pick a schedule that snapshots it",
    ],
    [
      'a namespace the schedule does not back up',
      (c: ReturnType<typeof setup>) => c.make({ target: { kind: 'namespace', namespace: 'grafana' } }),
      "restore scenario 'x': target.namespace 'grafana' is not backed up by schedule 'daily-critical-pvcs' (it includes default, loki, pihole); pick a schedule that includes it",
    ],
    [
      'a copy into the same namespace',
      (c: ReturnType<typeof setup>) => c.make({ target: { kind: 'namespace-into', namespace: 'loki', into: 'loki' } }),
      "restore scenario 'x': target.into 'loki' must be a namespace name other than 'loki', e.g. 'loki-inspect'",
    ],
    [
      'excludedNamespaces outside a cluster target',
      (c: ReturnType<typeof setup>) => c.make({ excludedNamespaces: ['kube-system'] }),
      "restore scenario 'x': excludedNamespaces applies to a 'cluster' target only",
    ],
    [
      'a kind Velero never restores',
      (c: ReturnType<typeof setup>) => c.make({ includedResources: ['configmaps', 'nodes'] }),
      "restore scenario 'x': includedResources ['configmaps', 'nodes'] holds 'nodes', which Velero never restores (the Restore ends FailedValidation); drop it (docs/pitfalls.md#includes-excludes)",
    ],
    [
      "'*' mixed with kinds",
      (c: ReturnType<typeof setup>) => c.make({ includedResources: ['*', 'configmaps'] }),
      "restore scenario 'x': includedResources ['*', 'configmaps'] mixes '*' with names; Velero takes '*' only alone: write ['*'], or list the names (docs/pitfalls.md#includes-excludes)",
    ],
    [
      'a kind both included and excluded',
      (c: ReturnType<typeof setup>) => c.make({ includedResources: ['secrets'], excludedResources: ['secrets'] }),
      "restore scenario 'x': 'secrets' is in both includedResources and excludedResources; Velero refuses an item both included and excluded: drop it from one (docs/pitfalls.md#includes-excludes)",
    ],
    [
      "'*' in a cluster target's excludedNamespaces",
      (c: ReturnType<typeof setup>) =>
        c.make({ schedule: c.weekly, target: { kind: 'cluster' }, excludedNamespaces: ['*'] }),
      "restore scenario 'x': excludedNamespaces ['*'] holds '*', which Velero refuses in an exclude list; list what to leave out (docs/pitfalls.md#includes-excludes)",
    ],
    [
      'a pvc target whose kinds hold no PVC',
      (c: ReturnType<typeof setup>) =>
        c.make({ target: { kind: 'pvc', namespace: 'loki', pvc: 'x' }, includedResources: ['configmaps'] }),
      "restore scenario 'x': includedResources [\"configmaps\"] holds no PVC kind, so the 'pvc' target restores no claim; add 'persistentvolumeclaims' or leave includedResources unset (docs/pitfalls.md#includes-excludes)",
    ],
    [
      'an inspection copy into the Velero namespace',
      (c: ReturnType<typeof setup>) =>
        c.make({ target: { kind: 'namespace-into', namespace: 'loki', into: 'velero' } }),
      "restore scenario 'x': target.into 'velero' is a namespace the stack runs in; an inspection copy needs a namespace of its own (its runbook ends 'kubectl delete namespace velero'), e.g. 'velero-inspect' (docs/pitfalls.md#namespace-tracking)",
    ],
    [
      'an inspection copy into kube-system',
      (c: ReturnType<typeof setup>) =>
        c.make({ target: { kind: 'namespace-into', namespace: 'loki', into: 'kube-system' } }),
      "restore scenario 'x': target.into 'kube-system' belongs to the cluster; an inspection copy needs a namespace of its own (its runbook ends 'kubectl delete namespace kube-system'), e.g. 'kube-system-inspect' (docs/pitfalls.md#namespace-tracking)",
    ],
    [
      'an inspection copy into a live, backed-up namespace',
      (c: ReturnType<typeof setup>) =>
        c.make({ target: { kind: 'namespace-into', namespace: 'loki', into: 'pihole' } }),
      "restore scenario 'x': target.into 'pihole' is backed up by schedule 'daily-critical-pvcs', a live namespace; an inspection copy needs a namespace of its own (its runbook ends 'kubectl delete namespace pihole'), e.g. 'pihole-inspect' (docs/pitfalls.md#namespace-tracking)",
    ],
  ])('refuses %s, naming the field and the fix', (_what, build, message) => {
    expect(thrown(() => build(setup()))).toBe(message);
  });
});

describe('the drill restores through the same restoreSpec', () => {
  test("the Restore the drill creates equals the 'namespace-into' scenario of the same backup", async () => {
    const { chart, release, schedule, trackingModifiers } = setup();
    const drill = new RestoreDrill(chart, 'Drill', { release, schedule, namespaces: ['loki'], trackingModifiers });
    const backup = 'daily-critical-pvcs-20250602020000'; // the newest Completed one of the fake
    const scenario = new RestoreScenario(chart, 'Same', {
      name: 'loki-drill',
      schedule,
      backupName: backup,
      target: { kind: 'namespace-into', namespace: 'loki', into: 'drill-loki' },
      includedResources: ['persistentvolumeclaims'],
      trackingModifiers,
    });
    const config = { ...TEST_CONFIG, ...drill.config, verify: [], verifyImage: TEST_CONFIG.verifyImage };
    const timeouts = {
      restoreTimeoutSeconds: 5,
      pvcBoundTimeoutSeconds: 5,
      verifyTimeoutSeconds: 5,
      namespaceDeleteTimeoutSeconds: 5,
      pollIntervalSeconds: 0.01,
    };
    const { fake, result } = await runScenario(
      {
        restoredPvcs: { loki: ['storage-loki-0'] },
        configMaps: {
          [trackingModifiers.name]: { [RESOURCE_MODIFIER_DATA_KEY]: 'version: v1\nresourceModifierRules: []\n' },
        },
      },
      { ...config, ...timeouts },
    );
    expect(result.passed).toBe(true);
    const [create] = fake.callsTo('create', 'restores');
    expect(create.body!.spec).toEqual(scenario.spec);
    expect(create.body!.spec).toEqual(restoreSpec(drillRestoreRequest({ ...config, ...timeouts }, backup)));
  });

  test("a namespace-mapped restore of tracked objects leaves no ArgoCD tracking on them (the seed's: annotation tracking)", async () => {
    const modifiers = stack.trackingModifiers;
    const cm = rendered.find((r) => r.object.kind === 'ConfigMap' && r.object.metadata.name === modifiers.name)!;
    const { fake, result } = await runScenario(
      {
        backedUpMetadata: {
          labels: { [ARGOCD_TRACKING_LABEL]: 'loki', 'app.kubernetes.io/name': 'loki' },
          annotations: {
            [ARGOCD_TRACKING_ANNOTATION]: 'loki:/PersistentVolumeClaim:loki/storage-loki-0',
            'volume.kubernetes.io/selected-node': 'n1',
          },
        },
        configMaps: { [modifiers.name]: cm.object.data as Record<string, string> },
      },
      {
        ...stack.drill.config,
        verifyImage: TEST_CONFIG.verifyImage,
        verify: TEST_CONFIG.verify,
        namespaceMapping: TEST_CONFIG.namespaceMapping,
        ...{
          restoreTimeoutSeconds: 5,
          pvcBoundTimeoutSeconds: 5,
          verifyTimeoutSeconds: 5,
          namespaceDeleteTimeoutSeconds: 5,
          pollIntervalSeconds: 0.01,
        },
      },
    );
    expect(result.passed).toBe(true);
    expect(fake.modifierErrors).toEqual([]);
    const [create] = fake.callsTo('create', 'restores');
    expect(create.body!.spec!.resourceModifier).toEqual({ kind: 'ConfigMap', name: 'restore-strip-argocd-tracking' });
    const restored = fake.restoredPvcsSeen;
    expect(restored.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'drill-loki/storage-loki-0',
      'drill-pihole/pihole-config',
    ]);
    expect(modifiers.trackingMethod).toBe('annotation');
    for (const pvc of restored) {
      expect(pvc.metadata.annotations ?? {}).not.toHaveProperty([ARGOCD_TRACKING_ANNOTATION]);
      // everything else survives, the app's own app.kubernetes.io/instance label too (annotation tracking)
      expect(pvc.metadata.labels).toMatchObject({ [ARGOCD_TRACKING_LABEL]: 'loki', 'app.kubernetes.io/name': 'loki' });
      expect(pvc.metadata.annotations).toEqual({ 'volume.kubernetes.io/selected-node': 'n1' });
    }
  });

  test('a Restore naming a modifier ConfigMap that does not exist fails validation, as in Velero', async () => {
    const { result } = await runScenario({}, { resourceModifier: 'missing' });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/FailedValidation/);
  });
});

describe("Velero's restore rules at synth, with the config path and the item", () => {
  const seed = (over: Partial<BackupStackConfig>): BackupStackConfig => ({ ...SEED_CONFIG, ...over });
  const dailyWithDrill = (drill: Record<string, unknown>) => ({
    ...SEED_SCHEDULES.dailyCriticalPvcs,
    ttl: '720h',
    drill,
  });
  test.each([
    [
      'a scenario including a kind Velero never restores',
      seed({
        restores: [{ name: 'x', target: { kind: 'namespace', namespace: 'loki' }, includedResources: ['events'] }],
      }),
      "restores[0] 'x'.includedResources: ['events'] holds 'events', which Velero never restores (the Restore ends FailedValidation); drop it (docs/pitfalls.md#includes-excludes)",
    ],
    [
      "a drill mixing '*' with kinds",
      seed({ schedules: [dailyWithDrill({ includedResources: ['*', 'persistentvolumeclaims'] })] }),
      "schedules[0] 'daily-critical-pvcs'.drill.includedResources: ['*', 'persistentvolumeclaims'] mixes '*' with names; Velero takes '*' only alone: write ['*'], or list the names (docs/pitfalls.md#includes-excludes)",
    ],
    [
      'a drill restoring nodes',
      seed({ schedules: [dailyWithDrill({ includedResources: ['persistentvolumeclaims', 'nodes'] })] }),
      "schedules[0] 'daily-critical-pvcs'.drill.includedResources: ['persistentvolumeclaims', 'nodes'] holds 'nodes', which Velero never restores (the Restore ends FailedValidation); drop it (docs/pitfalls.md#includes-excludes)",
    ],
    [
      'an inspection copy into ArgoCD',
      seed({ restores: [{ name: 'x', target: { kind: 'namespace-into', namespace: 'loki', into: 'argocd' } }] }),
      "restores[0] 'x'.target.into: 'argocd' is a namespace the stack runs in; an inspection copy needs a namespace of its own (its runbook ends 'kubectl delete namespace argocd'), e.g. 'argocd-inspect' (docs/pitfalls.md#namespace-tracking)",
    ],
  ])('refuses %s', (_what, config, message) => {
    expect(thrown(() => buildConfig(config))).toBe(message);
  });
});

describe('npm run restore prints what the runbook runs around the Restore', () => {
  const seedStack = buildStack();
  test.each(seedStack.restores.map((r) => [r.name, r] as const))('%s', (name, r) => {
    const out: string[] = [];
    expect(runRestore(() => seedStack, [name], { log: (l) => out.push(l), error: (l) => out.push(l) })).toBe(0);
    const lines = out.join('\n').split('\n');
    const apply = lines.indexOf(`kubectl create -f dist/${r.summary.file}`);
    expect(apply).toBeGreaterThan(0);
    for (const line of r.summary.before) {
      expect(lines.indexOf(line)).toBeGreaterThan(0);
      expect(lines.indexOf(line)).toBeLessThan(apply);
    }
    for (const line of r.summary.afterRestore) expect(lines.indexOf(line)).toBeGreaterThan(apply);
  });
});
