/** BackupSchedule refuses a bad config at synth: names, cron and ttl, locations, features, hooks; and writes nothing. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import { assertUniqueScheduleNames, BackupSchedule } from '../../constructs/backup-schedule';
import type { VeleroReleaseProps } from '../../constructs/velero-release';
import { StorageProfile } from '../../lib/storage/storage-profile';
import { synthesize } from '../../lib/output/synth';
import { testChart, testRelease } from '../helpers';
import { DAILY, setup, WEEKLY, type Props } from '../fixtures/schedules';

/** The error a schedule config throws. */
function error(props: Partial<Props>, releaseProps: Partial<VeleroReleaseProps> = {}): string {
  try {
    setup([{ name: 'daily', schedule: '0 2 * * *', ...props }], releaseProps);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the schedule to be refused');
}

describe('validation: names', () => {
  test('a schedule name must be a DNS-1123 label', () => {
    expect(error({ name: 'Daily_PVCs' })).toBe(
      "schedule 'Daily_PVCs': name 'Daily_PVCs' is not a valid DNS-1123 label; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
  });

  test('the prefixed name must be one too', () => {
    const long = 'a'.repeat(60);
    expect(error({ name: long, namePrefix: 'velero-' })).toBe(
      `schedule 'velero-${long}': name 'velero-${long}' is not a valid DNS-1123 label; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    );
  });

  test('the same name twice in one release is refused', () => {
    expect(() => setup([DAILY, { ...WEEKLY, name: 'daily-critical-pvcs' }])).toThrow(
      "schedule 'daily-critical-pvcs': name 'daily-critical-pvcs' is already taken in namespace 'velero'; give each schedule its own name",
    );
  });

  test('a prefix can make names collide', () => {
    expect(() =>
      setup([
        { ...DAILY, name: 'velero-daily' },
        { ...WEEKLY, name: 'daily', namePrefix: 'velero-' },
      ]),
    ).toThrow(
      "schedule 'velero-daily': name 'velero-daily' is already taken in namespace 'velero'; give each schedule its own name",
    );
  });

  test('the same name in two releases is fine', () => {
    const { app, chart } = testChart();
    const a = testRelease(chart);
    const b = testRelease(new Chart(app, 'two', { disableResourceNameHashes: true }), { namespace: 'velero-two' });
    new BackupSchedule(chart, 'A', { release: a, ...DAILY });
    expect(() => new BackupSchedule(chart, 'B', { release: b, ...DAILY })).not.toThrow();
  });

  test('assertUniqueScheduleNames checks any list', () => {
    const velero = { namespace: 'velero' };
    expect(() =>
      assertUniqueScheduleNames([
        { name: 'a', release: velero },
        { name: 'b', release: velero },
      ]),
    ).not.toThrow();
    expect(() =>
      assertUniqueScheduleNames([
        { name: 'a', release: velero },
        { name: 'a', release: { namespace: 'other' } },
      ]),
    ).not.toThrow();
    expect(() =>
      assertUniqueScheduleNames([
        { name: 'a', release: velero },
        { name: 'a', release: velero },
      ]),
    ).toThrow("schedule 'a': name 'a' is already taken in namespace 'velero'; give each schedule its own name");
  });

  test('includedNamespaces entries must be DNS-1123 labels or *', () => {
    expect(error({ includedNamespaces: ['default', 'Loki'] })).toBe(
      "schedule 'daily': includedNamespaces entry 'Loki' is not a valid DNS-1123 label; use lowercase letters, digits and '-' (or '*' for all namespaces)",
    );
  });

  test('excludedNamespaces entries must be DNS-1123 labels', () => {
    expect(error({ excludedNamespaces: ['Kube'] })).toBe(
      "schedule 'daily': excludedNamespaces entry 'Kube' is not a valid DNS-1123 label; use lowercase letters, digits and '-'",
    );
  });

  test("excludedNamespaces cannot hold '*', which Velero's validation refuses", () => {
    expect(error({ excludedNamespaces: ['*'] })).toBe(
      "schedule 'daily': excludedNamespaces ['*'] holds '*', which Velero refuses in an exclude list; list what to leave out (docs/pitfalls.md#includes-excludes)",
    );
  });

  test('an empty includedNamespaces is refused (Velero reads it as all)', () => {
    expect(error({ includedNamespaces: [] })).toBe(
      "schedule 'daily': includedNamespaces is empty, which Velero reads as all namespaces; write ['*'] for all, or name the namespaces",
    );
  });
});

describe('validation: cron and ttl', () => {
  test('a field out of range', () => {
    expect(error({ schedule: '61 2 * * *' })).toBe(
      "schedule 'daily': schedule '61 2 * * *' is not valid: minute field '61' is out of range 0-59",
    );
  });

  test('six fields (seconds)', () => {
    expect(error({ schedule: '0 0 2 * * *' })).toBe(
      "schedule 'daily': schedule '0 0 2 * * *' is not valid: expected exactly 5 fields (minute hour day-of-month month day-of-week), got 6: '0 0 2 * * *'",
    );
  });

  test('a schedule that never runs', () => {
    expect(error({ schedule: '0 0 30 2 *' })).toBe(
      "schedule 'daily': schedule '0 0 30 2 *' is not valid: '0 0 30 2 *' never runs: day-of-month '30' does not occur in month '2'",
    );
  });

  test('ttl in days is refused with the hours to write', () => {
    expect(error({ ttl: '30d' })).toBe(
      "schedule 'daily': ttl '30d' is not a Go duration: unknown unit 'd'; valid units are ns, us, µs, ms, s, m, h; write '720h' for 30 days",
    );
  });

  test('ttl below 1h', () => {
    expect(error({ schedule: '*/10 * * * *', ttl: Duration.minutes(30) })).toBe(
      "schedule 'daily': ttl must be at least 1h, got '30m'",
    );
  });

  test('ttl shorter than the cadence', () => {
    expect(error({ schedule: '0 3 * * 0', ttl: '72h' })).toBe(
      "schedule 'daily': ttl '72h' is shorter than the longest interval between runs of '0 3 * * 0' (168h), which leaves times with no restore point; raise ttl to at least '168h', or set allowTtlShorterThanCadence",
    );
  });

  test('ttl shorter than the cadence when explicitly allowed', () => {
    const [s] = setup([
      { name: 'daily', schedule: '0 3 * * 0', ttl: '72h', allowTtlShorterThanCadence: true },
    ]).schedules;
    expect(s.retentionDepth).toBe(1);
  });

  test('ttl equal to the cadence is allowed with allowTtlWithoutReactionTime (no time to react: refused without)', () => {
    const s = { name: 'daily', schedule: '0 2 * * *', ttl: '24h' };
    expect(setup([{ ...s, allowTtlWithoutReactionTime: true }]).schedules[0].retentionDepth).toBe(1);
    expect(error({ schedule: s.schedule, ttl: s.ttl })).toContain("ttl '24h' leaves less than a day");
  });

  test('timeouts must parse and be positive', () => {
    expect(error({ csiSnapshotTimeout: '0s' })).toBe("schedule 'daily': csiSnapshotTimeout must be positive, got '0s'");
    expect(error({ itemOperationTimeout: Duration.millis(0) })).toBe(
      "schedule 'daily': itemOperationTimeout must be positive, got '0s'",
    );
    expect(error({ csiSnapshotTimeout: '10' })).toBe(
      "schedule 'daily': csiSnapshotTimeout '10' is not a Go duration: missing unit after '10'; valid units are ns, us, µs, ms, s, m, h",
    );
  });
});

describe('validation: locations', () => {
  test('a storage location of another release is refused', () => {
    const { chart } = testChart();
    const release = testRelease(chart);
    const other = testRelease(new Chart(new App(), 'other'), { namespace: 'velero-two' });
    expect(
      () => new BackupSchedule(chart, 'S', { release, ...DAILY, storageLocation: other.defaultStorageLocation }),
    ).toThrow(
      "schedule 'daily-critical-pvcs': storageLocation 'default' is not a storage location of this release (namespace 'velero'); use one of 'default'",
    );
  });

  test('a ReadOnly storage location is refused', () => {
    const { chart } = testChart();
    const release = testRelease(chart);
    const archive = release.addBackupStorageLocation('archive', {
      profile: StorageProfile.localStack({ bucket: 'archive' }),
      accessMode: 'ReadOnly',
    });
    expect(() => new BackupSchedule(chart, 'S', { release, ...DAILY, storageLocation: archive })).toThrow(
      "schedule 'daily-critical-pvcs': storageLocation 'archive' is ReadOnly; backups need a ReadWrite location",
    );
  });

  test('a snapshot location of another release is refused', () => {
    const { chart } = testChart();
    const release = testRelease(chart);
    const other = testRelease(new Chart(new App(), 'other'), { namespace: 'velero-two' });
    expect(
      () =>
        new BackupSchedule(chart, 'S', {
          release,
          ...DAILY,
          volumeSnapshotLocations: [other.defaultSnapshotLocation!],
        }),
    ).toThrow(
      "schedule 'daily-critical-pvcs': volumeSnapshotLocations entry 'default' is not a snapshot location of this release (namespace 'velero'); use one of 'default'",
    );
  });

  test('snapshot locations without snapshotVolumes are refused', () => {
    const { chart } = testChart();
    const release = testRelease(chart);
    expect(
      () =>
        new BackupSchedule(chart, 'S', {
          release,
          ...WEEKLY,
          volumeSnapshotLocations: [release.defaultSnapshotLocation!],
        }),
    ).toThrow(
      "schedule 'weekly-cluster-resources': volumeSnapshotLocations 'default' have no effect with snapshotVolumes false; drop them or set snapshotVolumes: true",
    );
  });
});

describe('validation: features', () => {
  test('CSI snapshots need EnableCSI', () => {
    expect(error({ snapshotVolumes: true }, { csiSnapshots: false })).toBe(
      "schedule 'daily': snapshotVolumes true needs CSI snapshots (the EnableCSI feature); set csiSnapshots: true on the VeleroRelease, or snapshotVolumes: false",
    );
  });

  test('snapshotMoveData needs EnableCSI', () => {
    expect(
      error({ snapshotVolumes: false, snapshotMoveData: true }, { csiSnapshots: false, nodeAgent: { enabled: true } }),
    ).toBe(
      "schedule 'daily': snapshotMoveData true needs CSI snapshots (the EnableCSI feature); set csiSnapshots: true on the VeleroRelease",
    );
  });

  test('snapshotMoveData needs snapshotVolumes', () => {
    expect(error({ snapshotVolumes: false, snapshotMoveData: true }, { nodeAgent: { enabled: true } })).toBe(
      "schedule 'daily': snapshotMoveData true needs snapshotVolumes true: the data mover uploads the CSI snapshots",
    );
  });

  test('snapshotMoveData needs the node-agent', () => {
    expect(error({ snapshotMoveData: true })).toBe(
      "schedule 'daily': snapshotMoveData true needs the node-agent; set nodeAgent: { enabled: true } on the VeleroRelease",
    );
  });

  test('defaultVolumesToFsBackup needs the node-agent', () => {
    expect(error({ defaultVolumesToFsBackup: true })).toBe(
      "schedule 'daily': defaultVolumesToFsBackup true needs the node-agent; set nodeAgent: { enabled: true } on the VeleroRelease",
    );
  });

  test('old-style and new-style resource filters are not mixed', () => {
    expect(
      error({ includeClusterResources: true, includedResources: ['*'], excludedNamespaceScopedResources: ['events'] }),
    ).toBe(
      "schedule 'daily': old-style filters (includedResources, includeClusterResources) and new-style filters (excludedNamespaceScopedResources) are mixed; Velero fails such backups validation, use one style",
    );
  });

  test('includeClusterResources: false counts as an old-style filter', () => {
    expect(error({ includeClusterResources: false, includedClusterScopedResources: ['namespaces'] })).toBe(
      "schedule 'daily': old-style filters (includeClusterResources) and new-style filters (includedClusterScopedResources) are mixed; Velero fails such backups validation, use one style",
    );
  });
});

describe('validation: hooks', () => {
  test('a hook needs a name', () => {
    expect(error({ hooks: [{ name: '', pre: [{ command: ['sync'] }] }] })).toBe(
      "schedule 'daily': hooks[0] has no name; name each hook, e.g. 'freeze-db'",
    );
  });

  test('a hook needs a command', () => {
    expect(error({ hooks: [{ name: 'freeze' }] })).toBe(
      "schedule 'daily': hooks[0] 'freeze' has no pre or post command; give at least one",
    );
    expect(error({ hooks: [{ name: 'freeze', post: [{ command: [] }] }] })).toBe(
      "schedule 'daily': hooks[0] 'freeze' post[0] command is empty; give the command and its arguments, e.g. ['/bin/sh', '-c', 'sync']",
    );
  });

  test('hook namespaces must be DNS-1123 labels', () => {
    expect(error({ hooks: [{ name: 'freeze', includedNamespaces: ['Loki'], pre: [{ command: ['sync'] }] }] })).toBe(
      "schedule 'daily': hooks[0] 'freeze' namespace 'Loki' is not a valid DNS-1123 label; use lowercase letters, digits and '-'",
    );
  });

  test('hook timeouts are Go durations', () => {
    expect(error({ hooks: [{ name: 'freeze', pre: [{ command: ['sync'], timeout: '1d' }] }] })).toBe(
      "schedule 'daily': hooks[0] 'freeze' pre[0] timeout '1d' is not a Go duration: unknown unit 'd'; valid units are ns, us, µs, ms, s, m, h; write '24h' for 1 day",
    );
  });
});

describe('a bad schedule writes nothing', () => {
  test('synth fails before dist/ is created', () => {
    const out = mkdtempSync(join(tmpdir(), 'schedule-'));
    const dist = join(out, 'dist');
    try {
      expect(() =>
        synthesize(
          () => {
            const app = new App();
            const chart = new Chart(app, 'velero', { disableResourceNameHashes: true });
            const release = testRelease(chart);
            new BackupSchedule(chart, 'Daily', { release, name: 'daily', schedule: '0 2 * * *', ttl: '30d' });
            return app;
          },
          { outDir: dist },
        ),
      ).toThrow("schedule 'daily': ttl '30d' is not a Go duration");
      expect(existsSync(dist)).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
