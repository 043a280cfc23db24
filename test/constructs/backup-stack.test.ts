/**
 * What BackupStack wires beyond the schedules (issue 16 on the merged main): restore scenarios and their
 * exemptions, the tracking-strip modifiers, runbooks and runbook links, volume exceptions, the adopted
 * installer, the CSI controller and CRD modes, the kube-state-metrics target, and the permissions document.
 */
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import type { BackupStackConfig } from '../../lib/config/types';
import { renderApp } from '../../lib/output/output';
import { buildStack, SEED_CONFIG, stackPermissions } from '../fixtures/seed';

const CSI_OK = {
  namespace: 'synology-csi',
  snapshotterSidecarVersion: 'v4.2.1',
  preventVolumeModeConversion: false,
  volumeSnapshotClass: { name: 'synology-snapshot-class', driver: 'csi.san.synology.com' },
} as const;
const DAILY = { name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['apps', 'db'], drill: {} } as const;
const WEEKLY = {
  name: 'weekly',
  schedule: '0 3 * * 0',
  includedNamespaces: ['*'],
  includeClusterResources: true,
  snapshotVolumes: false,
} as const;
const stackOf = (config: BackupStackConfig) => new BackupStack(new App(), 'Stack', config);
const failure = (config: unknown): string => {
  try {
    stackOf(config as BackupStackConfig);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};
const objectsOf = (stack: BackupStack) => renderApp(stack.node.scope as App).map((o) => ({ ...o, o: o.object as any }));

describe('restores', () => {
  test('the default is the rebuild pair, from the cluster-resources and the drilled schedule, in order', () => {
    const stack = stackOf({ csi: CSI_OK, schedules: [DAILY, WEEKLY] });
    expect(stack.restores.map((r) => [r.name, r.schedule.name])).toEqual([
      ['rebuild-cluster-resources', 'weekly'],
      ['rebuild-volumes', 'daily'],
    ]);
    const first = objectsOf(stack).find((x) => x.folder === 'restores' && x.file === 'rebuild-cluster-resources.yaml')!;
    expect(first.o.spec.excludedNamespaces).toEqual([
      'apps',
      'db',
      'kube-node-lease',
      'kube-public',
      'kube-system',
      'velero',
    ]);
  });

  test('without a cluster-resources schedule there is no default restore', () => {
    expect(stackOf({ csi: CSI_OK, schedules: [DAILY] }).restores).toEqual([]);
  });

  test("a scenario's schedule defaults to the drilled one; an inspection target is exempt from coverage", () => {
    const stack = stackOf({
      csi: CSI_OK,
      schedules: [WEEKLY, DAILY],
      restores: [{ name: 'db-inspect', target: { kind: 'namespace-into', namespace: 'db', into: 'db-inspect' } }],
    });
    expect(stack.restores.map((r) => r.schedule.name)).toEqual(['daily']);
    expect(stack.unprotectedNamespaces['db-inspect']).toBe(
      "inspection copy of db made by the restore scenario 'db-inspect'; delete it when done",
    );
  });

  test('every restore and the drill strip ArgoCD tracking through the one modifiers ConfigMap', () => {
    const stack = stackOf({ csi: CSI_OK, schedules: [DAILY, WEEKLY] });
    const restores = objectsOf(stack).filter((x) => x.folder === 'restores');
    expect(restores.map((x) => x.o.spec.resourceModifier)).toEqual([
      { kind: 'ConfigMap', name: stack.trackingModifiers.name },
      { kind: 'ConfigMap', name: stack.trackingModifiers.name },
    ]);
  });

  test.each<[string, unknown, string]>([
    [
      'an unknown schedule',
      { restores: [{ name: 'x', schedule: 'hourly', target: { kind: 'cluster' } }] },
      "restores[0] 'x'.schedule: 'hourly' is not a schedule of this config; use one of 'daily', 'weekly'",
    ],
    [
      'two scenarios of one name',
      {
        restores: [
          { name: 'x', target: { kind: 'cluster' } },
          { name: 'x', target: { kind: 'namespace', namespace: 'apps' } },
        ],
      },
      "restores[1] 'x'.name: 'x' is taken by another scenario",
    ],
    [
      'a target kind that does not exist',
      { restores: [{ name: 'x', target: { kind: 'pvcs', namespace: 'apps' } }] },
      "restores[0] 'x'.target.kind: must be one of 'pvc', 'namespace', 'namespace-into', 'cluster', got 'pvcs'",
    ],
  ])('%s is refused naming its path', (_, extra, message) => {
    expect(failure({ csi: CSI_OK, schedules: [DAILY, WEEKLY], ...(extra as object) })).toContain(message);
  });
});

describe('a mistake inside a union is one line, from the branch it meant', () => {
  test.each<[string, unknown, string]>([
    [
      'a scenario without a target',
      { restores: [{ name: 'x' }] },
      "restores[0] 'x'.target: is required; give a value (docs/pitfalls.md#config-schema)",
    ],
    [
      'a rebuild with a name',
      { restores: [{ rebuild: {}, name: 'x' }] },
      "restores[0] 'x'.name: is not a field here; valid fields: rebuild (docs/pitfalls.md#config-schema)",
    ],
    [
      'a pvc target without its pvc',
      { restores: [{ name: 'x', target: { kind: 'pvc', namespace: 'apps' } }] },
      "restores[0] 'x'.target.pvc: is required; give a value (docs/pitfalls.md#config-schema)",
    ],
    [
      'a Helm release name that is a number',
      { release: { installedBy: { kind: 'helm', releaseName: 5 } } },
      'release.installedBy.releaseName: must be a string, got 5 (docs/pitfalls.md#config-schema)',
    ],
  ])('%s', (_, extra, message) => {
    expect(failure({ csi: CSI_OK, schedules: [DAILY, WEEKLY], ...(extra as object) })).toBe(message);
  });
});

describe('the seed config', () => {
  test('renders the five scenarios of BACKUP-PLAN.md, the rebuild pair last', () => {
    expect(buildStack().restores.map((r) => r.name)).toEqual([
      'pvc-lost',
      'namespace-lost',
      'namespace-inspect',
      'rebuild-cluster-resources',
      'rebuild-volumes',
    ]);
  });

  test('every alert links to its runbook in BACKUP-PLAN.md of the configured repository', () => {
    const { alerts } = buildStack({
      repository: { repoURL: 'https://git.lan/me/backups.git', targetRevision: 'main' },
    });
    for (const rule of alerts.rules) {
      expect(rule.annotations.runbook_url).toMatch(
        /^https:\/\/git\.lan\/me\/backups\/blob\/main\/dist\/BACKUP-PLAN\.md#/,
      );
    }
  });

  test('the permissions document covers the release, the drill, the snapshot-controller and kube-state-metrics', () => {
    expect(stackPermissions(buildStack()).map((p) => p.serviceAccount)).toEqual([
      'velero',
      'restore-drill-daily-critical-pvcs',
      'snapshot-controller',
      'kube-prometheus-stack-kube-state-metrics',
    ]);
  });

  test('the seed (examples/seed.ts) states a config literal only: SEED_CONFIG is plain data plus Durations', () => {
    expect(Object.keys(SEED_CONFIG).sort()).toEqual([
      'argocd',
      'csi',
      'restores',
      'schedules',
      'storageLocations',
      'volumes',
    ]);
  });
});

describe('release, CSI, alerts and volume options', () => {
  test('release.installedBy adopts a Helm install: the server selects the chart labels', () => {
    const stack = stackOf({
      csi: CSI_OK,
      schedules: [DAILY],
      release: { installedBy: { kind: 'helm', releaseName: 'backups' } },
    });
    const deployment = objectsOf(stack).find((x) => x.o.kind === 'Deployment' && x.o.metadata.name === 'velero')!;
    expect(deployment.o.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'velero',
      'app.kubernetes.io/instance': 'backups',
    });
  });

  test("csi.controller 'existing' renders no controller and csi.crds 'existing' leaves the CRDs out of the CRD Application", () => {
    const stack = stackOf({ csi: { ...CSI_OK, controller: 'existing', crds: 'existing' }, schedules: [DAILY] });
    const objects = objectsOf(stack);
    expect(objects.filter((x) => x.o.kind === 'Deployment' && x.o.metadata.name === 'snapshot-controller')).toEqual([]);
    const crds = objects.find((x) => x.o.kind === 'Application' && x.o.metadata.name === 'backup-crds')!;
    expect(JSON.stringify(crds.o.spec)).not.toContain('external-snapshotter');
    expect(stack.snapshots!.controller).toBe('existing');
  });

  test('alerts.kubeStateMetrics places the BSL-phase ConfigMap on Velero 1.16', () => {
    const stack = stackOf({
      csi: CSI_OK,
      schedules: [DAILY],
      release: { version: 'v1.16.2' },
      alerts: { kubeStateMetrics: { namespace: 'observability', serviceAccountName: 'ksm' } },
    });
    const cm = objectsOf(stack).find(
      (x) => x.o.kind === 'ConfigMap' && x.o.metadata.name === 'velero-kube-state-metrics-config',
    )!;
    expect(cm.o.metadata.namespace).toBe('observability');
    expect(stack.alerts.storageLocationMetrics?.permissions.serviceAccount).toContain('ksm');
  });

  test('volumeExceptions reach the unsnapshottable-volume alert', () => {
    const stack = stackOf({
      csi: CSI_OK,
      schedules: [DAILY],
      volumeExceptions: { unprotectedVolumes: [{ namespace: 'db', pvc: 'scratch', reason: 'rebuilt nightly' }] },
    });
    const rule = stack.alerts.rules.find((r) => r.alert === 'PVCNotSnapshottable')!;
    expect(rule.expr).toContain('scratch');
  });

  test('volumeExceptions without CSI snapshots is refused naming the field', () => {
    expect(
      failure({
        csi: { enabled: false },
        release: { csiSnapshots: false },
        schedules: [{ ...DAILY, drill: undefined }],
        volumeExceptions: { fsBackupVolumes: [{ namespace: 'db', pvc: 'data' }] },
      }),
    ).toContain('volumeExceptions: is only read with CSI snapshots');
  });
});
