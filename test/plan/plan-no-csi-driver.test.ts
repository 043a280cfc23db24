/**
 * BACKUP-PLAN.md's "Coverage per namespace" and "Schedules" tables say what really happens to volumes: with no CSI
 * driver named (the minimal config, `csi` absent) a schedule that relies on CSI snapshots snapshots nothing, Velero
 * ends the backup Completed and PVCNotSnapshottable fires (docs/pitfalls.md#csi-driver); it is not "CSI snapshot".
 * A driver that makes no volume from a snapshot keeps nothing restorable (docs/pitfalls.md#no-volume-from-snapshot);
 * volumes opted into file-system backup by name are kept whatever the schedule snapshots. The cost counts only the
 * volume data that is kept. The tables are read from the plan the real renderer writes.
 */
import { buildConfig } from '../../constructs/backup-fleet';
import type { BackupStackConfig } from '../../lib/config/types';
import { NOT_RESTORABLE, NOT_SNAPSHOTTED } from '../../lib/plan/plan';

const MINIMAL: BackupStackConfig = {
  storageLocations: [{ provider: 's3', bucket: 'velero', region: 'us-east-1' }],
  schedules: [{ name: 'daily', schedule: '0 3 * * *', includedNamespaces: ['apps'] }],
};
const DRIVER: BackupStackConfig['csi'] = {
  preventVolumeModeConversion: false,
  volumeSnapshotClass: { driver: 'csi.san.synology.com' },
};
const VOLUME: BackupStackConfig['volumes'] = [{ namespace: 'apps', pvc: 'data', size: '5Gi' }];
const LVM: BackupStackConfig['csi'] = { crds: 'existing', volumeSnapshotClass: { driver: 'local.csi.openebs.io' } };
const NODE_AGENT: BackupStackConfig['release'] = { nodeAgent: { enabled: true } };
const MOVE_DATA: BackupStackConfig['schedules'] = [{ ...MINIMAL.schedules![0], snapshotMoveData: true }];

/** The cells of the row of `first` in the table under `heading` of the rendered BACKUP-PLAN.md. */
function row(config: BackupStackConfig, heading: string, first: string): string[] {
  const plan = buildConfig(config).planMarkdown();
  const section = plan.slice(plan.indexOf(`## ${heading}\n`));
  const line = section.split('\n').find((l) => l.startsWith(`| ${first} |`));
  if (!line) throw new Error(`no row '${first}' under '${heading}'`);
  return line.split(' | ').map((c) => c.replace(/^\| | \|$/g, ''));
}

describe.each<[string, BackupStackConfig, string, string, string]>([
  ['the minimal config (csi absent)', MINIMAL, `daily (${NOT_SNAPSHOTTED})`, '**no volume backup**', NOT_SNAPSHOTTED],
  [
    'the minimal config with a declared volume',
    { ...MINIMAL, volumes: VOLUME },
    `daily (${NOT_SNAPSHOTTED})`,
    '**no volume backup**',
    NOT_SNAPSHOTTED,
  ],
  ['a CSI driver named', { ...MINIMAL, csi: DRIVER }, 'daily (CSI snapshot)', '1 d', 'CSI snapshot'],
  [
    'no CSI driver, file-system backup',
    { ...MINIMAL, release: NODE_AGENT, schedules: [{ ...MINIMAL.schedules![0], defaultVolumesToFsBackup: true }] },
    'daily (file-system backup)',
    '1 d',
    'file-system backup',
  ],
  [
    "no CSI driver, the namespace's volume opted into file-system backup by name",
    {
      ...MINIMAL,
      release: NODE_AGENT,
      volumes: VOLUME,
      volumeExceptions: { fsBackupVolumes: [{ namespace: 'apps', pvc: 'data' }] },
    },
    'daily (file-system backup)',
    '1 d',
    NOT_SNAPSHOTTED,
  ],
  [
    'a driver that makes no volume from a snapshot, the data mover',
    { ...MINIMAL, release: NODE_AGENT, csi: LVM, volumes: VOLUME, schedules: MOVE_DATA },
    `daily (${NOT_RESTORABLE})`,
    '**no volume backup**',
    'snapshot data movement',
  ],
])('%s', (_what, config, coveredBy, rpo, scheduleCell) => {
  test(`the coverage table says '${coveredBy}', RPO '${rpo}'`, () => {
    const cells = row(config, 'Coverage per namespace', 'apps');
    expect([cells[2], cells[3]]).toEqual([coveredBy, rpo]);
  });

  test(`the schedules table says '${scheduleCell}' of the schedule`, () => {
    expect(row(config, 'Schedules', 'daily')[6]).toBe(scheduleCell);
  });
});

test.each<[string, BackupStackConfig, boolean]>([
  ['no CSI driver, the data mover', { ...MINIMAL, release: NODE_AGENT, volumes: VOLUME, schedules: MOVE_DATA }, false],
  [
    'a driver that makes no volume from a snapshot, the data mover',
    { ...MINIMAL, release: NODE_AGENT, csi: LVM, volumes: VOLUME, schedules: MOVE_DATA },
    false,
  ],
  [
    'a CSI driver, the data mover',
    { ...MINIMAL, release: NODE_AGENT, csi: DRIVER, volumes: VOLUME, schedules: MOVE_DATA },
    true,
  ],
])('%s: the cost counts volume data only where it is kept (%s)', (_what, config, counted) => {
  expect(/volume data [\d.]+ \w+, first copy/.test(buildConfig(config).planMarkdown())).toBe(counted);
});
