/**
 * The scale configuration of the benchmark: 100 schedules over 300 namespaces, 5 storage
 * locations and their alerts. `npm run bench` synthesizes it with `scripts/synth.mjs --entry
 * bench/scale-app.ts`; test/constructs/scale.test.ts checks that its output is valid.
 */
import { App, Duration } from 'cdk8s';
import { BackupAlerts, BackupSchedule, FolderChart, runSynth, StorageProfile, VeleroRelease } from '../index';

export const SCHEDULES = 100;
export const NAMESPACES = 300;
export const STORAGE_LOCATIONS = 5;

export function buildScaleApp(): { app: App; release: VeleroRelease } {
  const app = new App();
  const chart = new FolderChart(app, 'velero');
  const release = new VeleroRelease(chart, 'Velero', {
    storage: StorageProfile.backblazeB2({ bucket: 'velero-backups-scale-0' }),
  });
  const locations = [release.defaultStorageLocation];
  for (let i = 1; i < STORAGE_LOCATIONS; i++) {
    locations.push(
      release.addBackupStorageLocation(`offsite-${i}`, {
        profile: StorageProfile.backblazeB2({ bucket: `velero-backups-scale-${i}` }),
      }),
    );
  }
  const perSchedule = NAMESPACES / SCHEDULES;
  const schedules: BackupSchedule[] = [];
  for (let i = 0; i < SCHEDULES; i++) {
    const daily = i % 4 !== 0;
    schedules.push(
      new BackupSchedule(chart, `Schedule${i}`, {
        release,
        name: `scale-${String(i).padStart(3, '0')}`,
        schedule: daily ? `${i % 60} ${i % 24} * * *` : `${i % 60} ${i % 24} * * ${i % 7}`,
        ttl: Duration.hours(daily ? 720 : 2160),
        includedNamespaces: Array.from(
          { length: perSchedule },
          (_, j) => `app-${String(i * perSchedule + j).padStart(3, '0')}`,
        ),
        snapshotVolumes: true,
        storageLocation: locations[i % STORAGE_LOCATIONS],
      }),
    );
  }
  new BackupAlerts(chart, 'BackupAlerts', { release, schedules });
  return { app, release };
}

export function main(options: { outDir?: string } = {}): number {
  return runSynth(buildScaleApp, { outDir: options.outDir ?? 'dist-scale' });
}
