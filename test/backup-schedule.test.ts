import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import { assertUniqueScheduleNames, BackupSchedule, type BackupScheduleProps } from '../constructs/backup-schedule';
import type { VeleroReleaseProps } from '../constructs/velero-release';
import { StorageProfile } from '../lib/storage/storage-profile';
import { synthesize } from '../lib/output/synth';
import { find, objects, testChart, testRelease, type K8sObject } from './helpers';

type Props = Omit<BackupScheduleProps, 'release'>;

const DAILY: Props = {
  name: 'daily-critical-pvcs',
  schedule: '0 2 * * *',
  ttl: Duration.hours(720),
  includedNamespaces: ['default', 'loki', 'pihole'],
  snapshotVolumes: true,
  defaultVolumesToFsBackup: false,
};
const WEEKLY: Props = {
  name: 'weekly-cluster-resources',
  schedule: '0 3 * * 0',
  ttl: Duration.hours(2160),
  includeClusterResources: true,
  includedNamespaces: ['*'],
  snapshotVolumes: false,
};

/** A release (LocalStack, CSI on) plus schedules; returns the chart and the constructs. */
function setup(schedules: Props[], releaseProps: Partial<VeleroReleaseProps> = {}) {
  const { chart } = testChart();
  const release = testRelease(chart, releaseProps);
  const built = schedules.map((p, i) => new BackupSchedule(chart, `Schedule${i}`, { release, ...p }));
  return { chart, release, schedules: built };
}

/** The rendered Schedule of one schedule config. */
function render(props: Props, releaseProps: Partial<VeleroReleaseProps> = {}): K8sObject {
  const { chart, schedules } = setup([props], releaseProps);
  return find(objects(chart), 'Schedule', schedules[0].name);
}

/** The error a schedule config throws. */
function error(props: Partial<Props>, releaseProps: Partial<VeleroReleaseProps> = {}): string {
  try {
    setup([{ name: 'daily', schedule: '0 2 * * *', ...props }], releaseProps);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the schedule to be refused');
}

describe("the seed's schedules", () => {
  test('daily-critical-pvcs: 02:00 UTC, 720h, three namespaces, CSI snapshots only', () => {
    const s = render(DAILY);
    expect(s.metadata).toMatchObject({ name: 'daily-critical-pvcs', namespace: 'velero' });
    expect(s.spec).toEqual({
      schedule: '0 2 * * *',
      useOwnerReferencesInBackup: false,
      template: {
        metadata: {
          labels: { 'app.kubernetes.io/part-of': 'velero-cdk8s', 'velero-cdk8s/schedule': 'daily-critical-pvcs' },
        },
        includedNamespaces: ['default', 'loki', 'pihole'],
        snapshotVolumes: true,
        defaultVolumesToFsBackup: false,
        snapshotMoveData: false,
        storageLocation: 'default',
        volumeSnapshotLocations: ['default'],
        ttl: '720h0m0s',
      },
    });
  });

  test('weekly-cluster-resources: Sunday 03:00 UTC, 2160h, all namespaces and cluster resources, no snapshots', () => {
    const s = render(WEEKLY);
    expect(s.metadata).toMatchObject({ name: 'weekly-cluster-resources', namespace: 'velero' });
    expect(s.spec).toEqual({
      schedule: '0 3 * * 0',
      useOwnerReferencesInBackup: false,
      template: {
        metadata: {
          labels: { 'app.kubernetes.io/part-of': 'velero-cdk8s', 'velero-cdk8s/schedule': 'weekly-cluster-resources' },
        },
        includedNamespaces: ['*'],
        includeClusterResources: true,
        snapshotVolumes: false,
        defaultVolumesToFsBackup: false,
        snapshotMoveData: false,
        storageLocation: 'default',
        ttl: '2160h0m0s',
      },
    });
  });

  test('daily: cadence 1 day, ttl 720h keeps 30 restore points', () => {
    const [daily] = setup([DAILY]).schedules;
    expect(daily.cadence.toDays()).toBe(1);
    expect(daily.ttl.toHours()).toBe(720);
    expect(daily.retentionDepth).toBe(30);
  });

  test('weekly: cadence 7 days, ttl 2160h keeps 13 restore points', () => {
    const [, weekly] = setup([DAILY, WEEKLY]).schedules;
    expect(weekly.cadence.toDays()).toBe(7);
    expect(weekly.retentionDepth).toBe(13);
  });

  test('rendered Schedules (snapshot)', () => {
    const { chart } = setup([DAILY, WEEKLY]);
    expect(objects(chart).filter((o) => o.kind === 'Schedule')).toMatchSnapshot();
  });
});

describe('cadence and retention depth', () => {
  const schedule = (cron: string, ttl: Duration | string = Duration.days(400)) =>
    setup([{ name: 's', schedule: cron, ttl, snapshotVolumes: false }]).schedules[0];

  test.each([
    ['0 2 * * *', 24],
    ['0 3 * * 0', 168],
    ['0 */6 * * *', 6],
    ['@every 36h', 36],
    ['0 2 1 * *', 31 * 24],
  ])('%s -> %s h', (cron, h) => {
    expect(schedule(cron).cadence.toHours()).toBe(h);
  });

  test('retention depth rounds up', () => {
    expect(schedule('0 */6 * * *', '25h').retentionDepth).toBe(5);
    expect(schedule('0 */6 * * *', '24h').retentionDepth).toBe(4);
  });

  test('the ttl may be a Go duration string', () => {
    const s = schedule('0 2 * * *', '720h');
    expect(s.ttl.toHours()).toBe(720);
    expect(find(objects(s.node.scope as Chart), 'Schedule', 's').spec.template.ttl).toBe('720h0m0s');
  });

  test('ttl defaults to 30 days', () => {
    const [s] = setup([{ name: 's', schedule: '0 2 * * *' }]).schedules;
    expect(s.ttl.toDays()).toBe(30);
    expect(find(objects(s.node.scope as Chart), 'Schedule', 's').spec.template.ttl).toBe('720h0m0s');
  });
});

describe('GitOps safety', () => {
  test('template labels are always rendered and never carry ArgoCD tracking', () => {
    const labels = render({ name: 'minimal', schedule: '@daily' }).spec.template.metadata.labels;
    expect(labels).toEqual({ 'app.kubernetes.io/part-of': 'velero-cdk8s', 'velero-cdk8s/schedule': 'minimal' });
    expect(labels).not.toHaveProperty('app.kubernetes.io/instance');
  });

  test('skipImmediately is never rendered', () => {
    expect(render(DAILY).spec).not.toHaveProperty('skipImmediately');
    expect(render({ ...WEEKLY, paused: true }).spec).not.toHaveProperty('skipImmediately');
  });

  test('the Schedule renders no annotations (Velero copies them onto its Backups)', () => {
    expect(render(DAILY).metadata).not.toHaveProperty('annotations');
  });

  test('the Schedule carries the recommended labels, and not app.kubernetes.io/instance', () => {
    expect(render(DAILY).metadata.labels).toEqual({
      'app.kubernetes.io/name': 'velero',
      'app.kubernetes.io/part-of': 'velero-cdk8s',
      'app.kubernetes.io/managed-by': 'velero-cdk8s',
      'app.kubernetes.io/version': 'v1.15.0',
      'app.kubernetes.io/component': 'backup-schedule',
    });
  });

  test('useOwnerReferencesInBackup is false by default and can be turned on', () => {
    expect(render(DAILY).spec.useOwnerReferencesInBackup).toBe(false);
    expect(render({ ...DAILY, useOwnerReferencesInBackup: true }).spec.useOwnerReferencesInBackup).toBe(true);
  });

  test('paused is rendered only when true (Velero omits false when it writes the Schedule back)', () => {
    expect(render(DAILY).spec).not.toHaveProperty('paused');
    expect(render({ ...DAILY, paused: true }).spec.paused).toBe(true);
  });

  test('empty lists are not rendered', () => {
    const t = render({ ...WEEKLY, excludedNamespaces: [], includedResources: [], hooks: [] }).spec.template;
    for (const key of ['excludedNamespaces', 'includedResources', 'hooks', 'volumeSnapshotLocations'])
      expect(t).not.toHaveProperty(key);
  });
});

describe('rendering', () => {
  test('lands in the release namespace', () => {
    expect(render(DAILY, { namespace: 'backup' }).metadata.namespace).toBe('backup');
  });

  test("namePrefix 'velero-' keeps a Helm chart schedule's name", () => {
    const { chart, schedules } = setup([{ ...DAILY, namePrefix: 'velero-' }]);
    expect(schedules[0].name).toBe('velero-daily-critical-pvcs');
    const s = find(objects(chart), 'Schedule', 'velero-daily-critical-pvcs');
    expect(s.spec.template.metadata.labels['velero-cdk8s/schedule']).toBe('velero-daily-critical-pvcs');
  });

  test('snapshotVolumes defaults to the release having CSI snapshots, and is always rendered', () => {
    expect(render({ name: 's', schedule: '@daily' }).spec.template.snapshotVolumes).toBe(true);
    expect(render({ name: 's', schedule: '@daily' }, { csiSnapshots: false }).spec.template.snapshotVolumes).toBe(
      false,
    );
  });

  test('volumeSnapshotLocations are the release default while snapshotting, none otherwise', () => {
    expect(render(DAILY).spec.template.volumeSnapshotLocations).toEqual(['default']);
    expect(render(WEEKLY).spec.template).not.toHaveProperty('volumeSnapshotLocations');
  });

  test('a further storage location of the release by object', () => {
    const { chart } = testChart();
    const release = testRelease(chart);
    const offsite = release.addBackupStorageLocation('offsite', {
      profile: StorageProfile.backblazeB2({ bucket: 'velero-offsite-x' }),
    });
    const s = new BackupSchedule(chart, 'S', { release, ...DAILY, storageLocation: offsite });
    expect(s.storageLocation).toBe(offsite);
    expect(find(objects(chart), 'Schedule', 'daily-critical-pvcs').spec.template.storageLocation).toBe('offsite');
  });

  test('timeouts are rendered as Go durations', () => {
    const t = render({ ...DAILY, csiSnapshotTimeout: Duration.minutes(30), itemOperationTimeout: '6h' }).spec.template;
    expect(t.csiSnapshotTimeout).toBe('30m0s');
    expect(t.itemOperationTimeout).toBe('6h0m0s');
  });

  test('resource filters, label selector and data mover options', () => {
    const t = render(
      {
        name: 's',
        schedule: '@daily',
        includedNamespaces: ['*'],
        excludedNamespaces: ['kube-system'],
        includedNamespaceScopedResources: ['*'],
        excludedClusterScopedResources: ['storageclasses.storage.k8s.io'],
        labelSelector: {
          matchLabels: { backup: 'yes' },
          matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }],
        },
        snapshotMoveData: true,
      },
      { nodeAgent: { enabled: true } },
    ).spec.template;
    expect(t).toMatchObject({
      excludedNamespaces: ['kube-system'],
      includedNamespaceScopedResources: ['*'],
      excludedClusterScopedResources: ['storageclasses.storage.k8s.io'],
      labelSelector: {
        matchLabels: { backup: 'yes' },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }],
      },
      snapshotVolumes: true,
      snapshotMoveData: true,
    });
  });

  test('hooks render as pre/post exec with onError Fail and a 30s timeout by default', () => {
    const t = render({
      ...DAILY,
      hooks: [
        {
          name: 'freeze',
          includedNamespaces: ['loki'],
          labelSelector: { matchLabels: { app: 'loki' } },
          pre: [{ container: 'loki', command: ['/sbin/fsfreeze', '--freeze', '/data'] }],
          post: [
            {
              container: 'loki',
              command: ['/sbin/fsfreeze', '--unfreeze', '/data'],
              onError: 'Continue',
              timeout: '1m',
            },
          ],
        },
      ],
    }).spec.template;
    expect(t.hooks).toEqual({
      resources: [
        {
          name: 'freeze',
          includedNamespaces: ['loki'],
          labelSelector: { matchLabels: { app: 'loki' } },
          pre: [
            {
              exec: {
                container: 'loki',
                command: ['/sbin/fsfreeze', '--freeze', '/data'],
                onError: 'Fail',
                timeout: '30s',
              },
            },
          ],
          post: [
            {
              exec: {
                container: 'loki',
                command: ['/sbin/fsfreeze', '--unfreeze', '/data'],
                onError: 'Continue',
                timeout: '1m0s',
              },
            },
          ],
        },
      ],
    });
  });
});

describe('what the schedule protects', () => {
  test('includesNamespace follows the include and exclude lists', () => {
    const [daily, weekly] = setup([DAILY, { ...WEEKLY, excludedNamespaces: ['kube-system'] }]).schedules;
    expect(daily.includesNamespace('loki')).toBe(true);
    expect(daily.includesNamespace('kube-system')).toBe(false);
    expect(weekly.includesNamespace('loki')).toBe(true);
    expect(weekly.includesNamespace('kube-system')).toBe(false);
  });

  test("includesNamespace('*') means every namespace, exclusions not allowed", () => {
    const [a, b, c] = setup([
      { name: 'a', schedule: '@daily' },
      { name: 'b', schedule: '@daily', excludedNamespaces: ['x'] },
      DAILY,
    ]).schedules;
    expect([a, b, c].map((s) => s.includesNamespace('*'))).toEqual([true, false, false]);
  });

  test('CSI snapshots protect the volumes of included namespaces only', () => {
    const [daily] = setup([DAILY]).schedules;
    expect(daily.protectsVolumesIn('pihole')).toBe(true);
    expect(daily.protectsVolumesIn('monitoring')).toBe(false);
  });

  test('a resources-only schedule protects no volumes', () => {
    const [weekly] = setup([WEEKLY]).schedules;
    expect(weekly.includesNamespace('loki')).toBe(true);
    expect(weekly.protectsVolumesIn('loki')).toBe(false);
  });

  test('file-system backup protects volumes without snapshots', () => {
    const [s] = setup([{ ...WEEKLY, defaultVolumesToFsBackup: true }], { nodeAgent: { enabled: true } }).schedules;
    expect(s.protectsVolumesIn('loki')).toBe(true);
  });

  test('a label selector or a filter without PVCs does not count as protecting volumes', () => {
    const [selected, configOnly, noPvcs] = setup([
      { ...DAILY, name: 'selected', labelSelector: { matchLabels: { backup: 'yes' } } },
      { ...DAILY, name: 'config-only', includedResources: ['configmaps', 'secrets'] },
      { ...DAILY, name: 'no-pvcs', excludedNamespaceScopedResources: ['persistentvolumeclaims'] },
    ]).schedules;
    for (const s of [selected, configOnly, noPvcs]) expect(s.protectsVolumesIn('loki')).toBe(false);
  });

  test('a filter naming PVCs keeps the protection', () => {
    const [s] = setup([{ ...DAILY, includedResources: ['pvc', 'pods'] }]).schedules;
    expect(s.protectsVolumesIn('loki')).toBe(true);
  });
});

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
      "schedule 'daily': ttl '3d' is shorter than the longest interval between runs of '0 3 * * 0' (7d), which leaves times with no restore point; raise ttl to at least 7d, or set allowTtlShorterThanCadence",
    );
  });

  test('ttl shorter than the cadence when explicitly allowed', () => {
    const [s] = setup([
      { name: 'daily', schedule: '0 3 * * 0', ttl: '72h', allowTtlShorterThanCadence: true },
    ]).schedules;
    expect(s.retentionDepth).toBe(1);
  });

  test('ttl equal to the cadence is allowed', () => {
    expect(setup([{ name: 'daily', schedule: '0 2 * * *', ttl: '24h' }]).schedules[0].retentionDepth).toBe(1);
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
