import { Chart, Duration } from 'cdk8s';
import { BackupSchedule } from '../../constructs/backup-schedule';
import type { VeleroReleaseProps } from '../../constructs/velero-release';
import { StorageProfile } from '../../lib/storage/storage-profile';
import { find, objects, testChart, testRelease, type K8sObject } from '../helpers';
import { DAILY, setup, WEEKLY, type Props } from '../fixtures/schedules';

/** The rendered Schedule of one schedule config. */
function render(props: Props, releaseProps: Partial<VeleroReleaseProps> = {}): K8sObject {
  const { chart, schedules } = setup([props], releaseProps);
  return find(objects(chart), 'Schedule', schedules[0].name);
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
    expect(schedule('0 */6 * * *', '49h').retentionDepth).toBe(9);
    expect(schedule('0 */6 * * *', '48h').retentionDepth).toBe(8);
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
