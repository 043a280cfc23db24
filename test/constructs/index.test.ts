import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import * as library from '../../index';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('index.ts is the one entry point', () => {
  test('package.json main, types and exports point at index.ts, compiled (tsconfig.build.json builds it into build/)', () => {
    expect(pkg.main).toBe('build/index.js');
    expect(pkg.types).toBe('build/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './build/index.d.ts', default: './build/index.js' });
    expect(JSON.parse(readFileSync(join(__dirname, '..', '..', 'tsconfig.build.json'), 'utf8')).include).toContain(
      'index.ts',
    );
  });

  test.each([
    'VeleroRelease',
    'BackupSchedule',
    'BackupAlerts',
    'RestoreDrill',
    'CrdApplication',
    'ArgoCdApplication',
    'CsiSnapshotStack',
    'BackupStorageLocation',
    'VolumeSnapshotLocation',
    'StorageProfile',
    'FolderChart',
    'synthesize',
    'synthChecks',
    'runSynth',
    'runPlan',
    'runValidate',
    'backupPlan',
    'Quantity',
    'csiDriverProfile',
  ])('exports %s', (name) => {
    expect(typeof (library as Record<string, unknown>)[name]).toBe('function');
  });

  test('the default checks refuse an invalid object before anything is written', () => {
    const checks = library.synthChecks(() => ({ namespace: 'velero', version: 'v1.15.0', storageLocations: [] }));
    const bad = {
      folder: 'velero',
      file: 'Secret-velero-creds.yaml',
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds', namespace: 'velero' },
        stringData: { cloud: 'aws_secret_access_key=x' },
      },
    };
    expect(checks.flatMap((check) => check([bad as never])).length).toBeGreaterThan(0);
  });

  test('the README example synthesizes schedules and alerts for a Helm-installed Velero, after every check', () => {
    const { BackupAlerts, BackupSchedule, FolderChart, StorageProfile, VeleroRelease, runSynth } = library;
    const app = new App();
    const chart = new FolderChart(app, 'velero');
    const release = VeleroRelease.fromExisting(chart, 'Velero', {
      namespace: 'velero',
      version: 'v1.15.0',
      storage: StorageProfile.s3({ bucket: 'velero', region: 'eu-central-1' }),
    });
    const daily = new BackupSchedule(chart, 'Daily', {
      release,
      name: 'daily',
      schedule: '0 2 * * *',
      includedNamespaces: ['apps'],
    });
    new BackupAlerts(chart, 'Alerts', { release, schedules: [daily] });
    const work = mkdtempSync(join(tmpdir(), 'velero-cdk8s-index-'));
    try {
      expect(runSynth(() => ({ app, release }), { outDir: join(work, 'dist') })).toBe(0);
      expect(readdirSync(join(work, 'dist'))).toEqual(['velero']);
      expect(readdirSync(join(work, 'dist', 'velero')).sort()).toEqual([
        // the kube-state-metrics config for BSL phases (Velero 1.15 has no storage-location metric)
        'ClusterRoleBinding_rbac.authorization.k8s.io_-_velero-kube-state-metrics-backupstoragelocations.yaml',
        'ClusterRole_rbac.authorization.k8s.io_-_velero-kube-state-metrics-backupstoragelocations.yaml',
        'ConfigMap_core_monitoring_velero-kube-state-metrics-config.yaml',
        'PrometheusRule_monitoring.coreos.com_velero_velero-backup-alerts.yaml',
        'Schedule_velero.io_velero_daily.yaml',
      ]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
