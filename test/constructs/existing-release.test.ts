import { Duration } from 'cdk8s';
import {
  BackupAlerts,
  BackupSchedule,
  CrdApplication,
  RestoreDrill,
  VeleroRelease,
  type IBackupStorageLocation,
  type IVeleroRelease,
} from '../../constructs';
import { StorageProfile } from '../../lib/storage/storage-profile';
import { find, objects, testChart } from '../helpers';

const B2 = StorageProfile.backblazeB2({ bucket: 'velero-backups-helm' });

/** A release the Helm chart installed in `backup`, with its Service named after the Helm release. */
function helmRelease(chart: ReturnType<typeof testChart>['chart'], extra: object = {}): IVeleroRelease {
  return VeleroRelease.fromExisting(chart, 'Velero', {
    namespace: 'backup',
    version: 'v1.15.0',
    storage: B2,
    metricsServiceName: 'velero-helm',
    prometheusSelectorLabels: { release: 'prom' },
    ...extra,
  });
}

/** The Schedule `daily` of namespace `apps`, 0 2 * * *, kept 30 days. */
function daily(chart: ReturnType<typeof testChart>['chart'], release: IVeleroRelease): BackupSchedule {
  return new BackupSchedule(chart, 'Daily', {
    release,
    name: 'daily',
    schedule: '0 2 * * *',
    ttl: Duration.hours(720),
    includedNamespaces: ['apps'],
  });
}

describe('constructs target a Velero this stack does not render (VeleroRelease.fromExisting)', () => {
  test('a BackupSchedule and BackupAlerts against a Helm-installed release render no server', () => {
    const { chart } = testChart();
    const release = helmRelease(chart);
    const schedule = daily(chart, release);
    new BackupAlerts(chart, 'Alerts', { release, schedules: [schedule] });
    const objs = objects(chart);

    // on 1.15 the storage-location alert reads BSL phases through kube-state-metrics: its config and RBAC render
    expect(objs.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'PrometheusRule',
      'Schedule',
    ]);
    for (const kind of ['Deployment', 'Namespace', 'ServiceAccount', 'BackupStorageLocation', 'Service'])
      expect(objs.filter((o) => o.kind === kind)).toEqual([]);

    const s = find(objs, 'Schedule', 'daily');
    expect(s.metadata.namespace).toBe('backup');
    expect(s.spec.template.storageLocation).toBe('default');
    expect(s.spec.template.volumeSnapshotLocations).toEqual(['default']);

    const rule = objs.find((o) => o.kind === 'PrometheusRule')!;
    expect(rule.metadata.namespace).toBe('backup');
    expect(rule.metadata.labels).toMatchObject({ release: 'prom' });
    const exprs = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr)).join('\n');
    expect(exprs).toContain('job="velero-helm"');
    expect(exprs).toContain('namespace="backup"');
  });

  test('the defaults are those of a chart installed as `velero` in `velero`', () => {
    const { chart } = testChart();
    const release = VeleroRelease.fromExisting(chart, 'Velero', { version: 'v1.15.0', storage: B2 });
    expect(release).toMatchObject({
      namespace: 'velero',
      csiEnabled: true,
      nodeAgentEnabled: false,
      serviceAccountName: 'velero',
      metricsServiceName: 'velero',
      prometheusSelectorLabels: { release: 'kube-prometheus-stack' },
    });
    expect(release.storageLocations.map((l) => [l.name, l.isDefault, l.accessMode])).toEqual([
      ['default', true, 'ReadWrite'],
    ]);
    expect(release.defaultSnapshotLocation?.name).toBe('default');
    expect(objects(chart)).toEqual([]);
  });

  test('a schedule may name a further existing location, and no snapshot location without CSI', () => {
    const { chart } = testChart();
    const release = helmRelease(chart, {
      csiSnapshots: false,
      additionalStorageLocations: [{ name: 'offsite', profile: B2, accessMode: 'ReadWrite' }],
    });
    expect(release.snapshotLocations).toEqual([]);
    new BackupSchedule(chart, 'Weekly', {
      release,
      name: 'weekly',
      schedule: '0 3 * * 0',
      ttl: Duration.hours(2160),
      includedNamespaces: ['*'],
      storageLocation: release.storageLocations[1],
    });
    const s = find(objects(chart), 'Schedule', 'weekly');
    expect(s.spec.template.storageLocation).toBe('offsite');
    expect(s.spec.template.snapshotVolumes).toBe(false);
  });

  test('the restore drill and the CRD Application read the existing release', () => {
    const { chart } = testChart();
    const release = helmRelease(chart);
    const schedule = daily(chart, release);
    new RestoreDrill(chart, 'Drill', { release, schedule });
    new CrdApplication(chart, 'Crds', { release });
    const objs = objects(chart);
    expect(objs.filter((o) => o.kind === 'Deployment')).toEqual([]);
    expect(find(objs, 'CronJob', 'restore-drill-daily').metadata.namespace).toBe('backup');
    const app = objs.find((o) => o.kind === 'Application')!;
    expect(app.spec.sources.map((s: any) => s.targetRevision)).toEqual(['v1.15.0', 'v1.15.0']);
  });

  test('a plain object literal satisfies IVeleroRelease', () => {
    const { chart } = testChart();
    const location: { -readonly [K in keyof IBackupStorageLocation]: IBackupStorageLocation[K] } = {
      name: 'default',
      profile: B2,
      isDefault: true,
      accessMode: 'ReadWrite',
      release: undefined as unknown as IVeleroRelease,
    };
    const release: IVeleroRelease = {
      namespace: 'velero',
      version: 'v1.15.0',
      csiEnabled: false,
      nodeAgentEnabled: false,
      serviceAccountName: 'velero',
      metricsServiceName: 'velero',
      prometheusSelectorLabels: {},
      defaultStorageLocation: location,
      storageLocations: [location],
      snapshotLocations: [],
    };
    location.release = release;
    daily(chart, release);
    expect(objects(chart).map((o) => o.kind)).toEqual(['Schedule']);
  });

  test.each([
    [{ namespace: 'Backup' }, "existing velero release: namespace 'Backup' is not a valid DNS-1123 label"],
    [{ version: 'v9.0.0' }, 'existing velero release: '],
    [
      { additionalStorageLocations: [{ name: 'default', profile: B2 }] },
      "existing velero release: storage location 'default' is listed twice; list each location once",
    ],
    [
      { snapshotLocations: ['Snap'] },
      "existing velero release: snapshot location name 'Snap' is not a valid DNS-1123 label",
    ],
  ])('%j is refused', (extra, message) => {
    const { chart } = testChart();
    expect(() => helmRelease(chart, extra)).toThrow(message);
  });
});
