import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as library from '../index';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));

describe('index.ts is the one entry point', () => {
  test('package.json main, types and exports point at index.ts', () => {
    expect(pkg.main).toBe('index.ts');
    expect(pkg.types).toBe('index.ts');
    expect(pkg.exports['.']).toEqual({ types: './index.ts', default: './index.ts' });
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
  ])('exports %s', (name) => {
    expect(typeof (library as Record<string, unknown>)[name]).toBe('function');
  });

  test('the default checks refuse an invalid object before anything is written', () => {
    const checks = library.synthChecks(() => ({ namespace: 'velero', storageLocations: [] }));
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
});
