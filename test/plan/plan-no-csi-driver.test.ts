/**
 * BACKUP-PLAN.md's "Coverage per namespace" and "Schedules" tables say what really happens to volumes: with no CSI
 * driver named (the minimal config, `csi` absent) a schedule that relies on CSI snapshots snapshots nothing, Velero
 * ends the backup Completed and PVCNotSnapshottable fires (docs/pitfalls.md#csi-driver); it is not "CSI snapshot".
 * The tables are read from the plan the real renderer writes.
 */
import { buildConfig } from '../../constructs/backup-fleet';
import type { BackupStackConfig } from '../../lib/config/types';
import { NOT_SNAPSHOTTED } from '../../lib/plan/plan';

const MINIMAL: BackupStackConfig = {
  storageLocations: [{ provider: 's3', bucket: 'velero', region: 'us-east-1' }],
  schedules: [{ name: 'daily', schedule: '0 3 * * *', includedNamespaces: ['apps'] }],
};
const DRIVER: BackupStackConfig['csi'] = {
  preventVolumeModeConversion: false,
  volumeSnapshotClass: { driver: 'csi.san.synology.com' },
};
const VOLUME: BackupStackConfig['volumes'] = [{ namespace: 'apps', pvc: 'data', size: '5Gi' }];

/** The cells of the row of `first` in the table under `heading` of the rendered BACKUP-PLAN.md. */
function row(config: BackupStackConfig, heading: string, first: string): string[] {
  const plan = buildConfig(config).planMarkdown();
  const section = plan.slice(plan.indexOf(`## ${heading}\n`));
  const line = section.split('\n').find((l) => l.startsWith(`| ${first} |`));
  if (!line) throw new Error(`no row '${first}' under '${heading}'`);
  return line.split(' | ').map((c) => c.replace(/^\| | \|$/g, ''));
}

describe.each<[string, BackupStackConfig, string, string]>([
  ['the minimal config (csi absent)', MINIMAL, `daily (${NOT_SNAPSHOTTED})`, '**no volume backup**'],
  [
    'the minimal config with a declared volume',
    { ...MINIMAL, volumes: VOLUME },
    `daily (${NOT_SNAPSHOTTED})`,
    '**no volume backup**',
  ],
  ['a CSI driver named', { ...MINIMAL, csi: DRIVER }, 'daily (CSI snapshot)', '1 d'],
  [
    'no CSI driver, file-system backup',
    {
      ...MINIMAL,
      release: { nodeAgent: { enabled: true } },
      schedules: [{ ...MINIMAL.schedules![0], defaultVolumesToFsBackup: true }],
    },
    'daily (file-system backup)',
    '1 d',
  ],
])('%s', (_what, config, coveredBy, rpo) => {
  test(`the coverage table says '${coveredBy}', RPO '${rpo}'`, () => {
    const cells = row(config, 'Coverage per namespace', 'apps');
    expect([cells[2], cells[3]]).toEqual([coveredBy, rpo]);
  });

  test('the schedules table says the same of the schedule', () => {
    expect(row(config, 'Schedules', 'daily')[6]).toBe(/\((.*)\)$/.exec(coveredBy)![1]);
  });
});
