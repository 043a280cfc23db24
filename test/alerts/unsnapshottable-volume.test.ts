/**
 * PVCNotSnapshottable: a PVC in a namespace only CSI snapshots protect, on a StorageClass whose
 * provisioner has no VolumeSnapshotClass in the stack, fires; one on a snapshot-capable class stays silent.
 * Proven with promtool on the rendered rule (skipped without promtool, failing under CI=true like the others).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  snapshotsOnlyProtect,
  UNSNAPSHOTTABLE_ALERT,
  volumeSnapshotVerdict,
  type VolumeSnapshotSupport,
} from '../../lib/alerts/unsnapshottable-volume';
import { checkRules, renderRuleTests, testRules } from '../../lib/alerts/promtool';
import { checkSnapshotSupport, parseStorageClasses } from '../../lib/plan/inventory';
import { buildStack } from '../fixtures/seed';
import { alertStack, alertStackError, SEED_DAILY, SEED_WEEKLY } from '../fixtures/alerts/stack';
import { describePromtool, promtool } from '../fixtures/promtool';

const SYNOLOGY: VolumeSnapshotSupport = { snapshotDrivers: ['csi.san.synology.com'] };
const seed = () => alertStack({ alerts: { volumeSnapshots: SYNOLOGY } });
const ruleOf = (stack: ReturnType<typeof alertStack>) =>
  stack.alerts.rules.find((r) => r.alert === UNSNAPSHOTTABLE_ALERT);

describe('PVCNotSnapshottable', () => {
  test("selects PVCs of the seed's snapshot-only namespaces, minus classes of the stack's snapshot drivers", () => {
    expect(ruleOf(seed())?.expr).toBe(
      'max by (namespace, persistentvolumeclaim, storageclass) (kube_persistentvolumeclaim_info{namespace=~"default|loki|pihole"})' +
        ' unless on (storageclass) max by (storageclass) (kube_storageclass_info{provisioner=~"csi\\\\.san\\\\.synology\\\\.com"})',
    );
  });

  test('is rendered in the velero.coverage group of the default stack, for the Synology driver', () => {
    const { alerts, snapshots } = buildStack();
    const group = alerts.groups.find((g) => g.name === 'velero.coverage')!;
    expect(group.rules.map((r) => r.alert)).toEqual(['PVCNotCoveredByBackup', UNSNAPSHOTTABLE_ALERT]);
    expect(group.rules[1].expr).toContain(snapshots.driver.replace(/\./g, '\\\\.'));
  });

  test('per-PVC exceptions (fs-backup opt-in, declared unprotected) are left out by name', () => {
    const stack = alertStack({
      alerts: {
        volumeSnapshots: {
          ...SYNOLOGY,
          fsBackupVolumes: [{ namespace: 'loki', pvc: 'wal' }],
          unprotectedVolumes: [{ namespace: 'pihole', pvc: 'cache', reason: 'rebuilt at start' }],
        },
      },
    });
    expect(ruleOf(stack)?.expr).toMatch(
      / unless on \(namespace, persistentvolumeclaim\) \(kube_persistentvolumeclaim_info\{namespace="loki", persistentvolumeclaim="wal"\} or kube_persistentvolumeclaim_info\{namespace="pihole", persistentvolumeclaim="cache"\}\)$/,
    );
  });

  test('a namespace that a file-system-backup schedule also covers is not snapshot-only', () => {
    const stack = alertStack({
      release: { nodeAgent: { enabled: true } },
      schedules: [
        SEED_DAILY,
        SEED_WEEKLY,
        {
          name: 'loki-fs',
          schedule: '0 4 * * *',
          includedNamespaces: ['loki'],
          defaultVolumesToFsBackup: true,
          snapshotVolumes: false,
        },
      ],
      alerts: { volumeSnapshots: SYNOLOGY },
    });
    expect(ruleOf(stack)?.expr).toContain('{namespace=~"default|pihole"}');
    expect(snapshotsOnlyProtect(stack.schedules, 'loki')).toBe(false);
  });

  test('without snapshotting schedules there is no such alert', () => {
    const stack = alertStack({ schedules: [SEED_WEEKLY], alerts: { volumeSnapshots: SYNOLOGY } });
    expect(ruleOf(stack)).toBeUndefined();
  });

  test('a declared-unprotected volume needs a reason', () => {
    expect(
      alertStackError({
        alerts: {
          volumeSnapshots: { ...SYNOLOGY, unprotectedVolumes: [{ namespace: 'loki', pvc: 'x', reason: ' ' }] },
        },
      }),
    ).toBe("volume snapshots: unprotectedVolumes[0] 'loki/x' needs a reason: say why its data is not backed up");
  });

  test.each([
    ['csi.san.synology.com', 'snapshottable'],
    ['rancher.io/local-path', 'not-snapshottable'],
    [undefined, 'not-snapshottable'],
  ])('a loki PVC on provisioner %s is %s (the plan applies the same rule)', (provisioner, kind) => {
    const { schedules } = seed();
    expect(volumeSnapshotVerdict(schedules, SYNOLOGY, {}, { namespace: 'loki', pvc: 'data', provisioner }).kind).toBe(
      kind,
    );
  });

  test('the plan lists live PVCs on a class without a snapshot driver, resolving the default class', () => {
    const { plan } = buildStack();
    const classes = parseStorageClasses(
      JSON.stringify({
        items: [
          { kind: 'StorageClass', metadata: { name: 'synology-iscsi' }, provisioner: 'csi.san.synology.com' },
          {
            kind: 'StorageClass',
            metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
            provisioner: 'rancher.io/local-path',
          },
        ],
      }),
    );
    const pvcs = [
      { namespace: 'loki', name: 'storage-loki-0', size: '20Gi', storageClass: 'synology-iscsi' },
      { namespace: 'pihole', name: 'pihole-data', size: '5Gi', storageClass: '(default)' },
      { namespace: 'media', name: 'cache', size: '1Gi', storageClass: 'local-path' },
    ];
    expect(checkSnapshotSupport(plan, pvcs, classes)).toEqual([{ ...pvcs[1], provisioner: 'rancher.io/local-path' }]);
  });
});

describePromtool('PVCNotSnapshottable under promtool', () => {
  test.each([
    ['the seed', () => seed()],
    [
      'exceptions and an fs-backup schedule',
      () =>
        alertStack({
          release: { nodeAgent: { enabled: true } },
          schedules: [
            SEED_DAILY,
            {
              name: 'media-fs',
              schedule: '0 4 * * *',
              includedNamespaces: ['media'],
              defaultVolumesToFsBackup: true,
              snapshotVolumes: false,
            },
          ],
          alerts: { volumeSnapshots: { ...SYNOLOGY, fsBackupVolumes: [{ namespace: 'loki', pvc: 'wal' }] } },
        }),
    ],
  ])('%s: a PVC on local-path in a snapshot-only namespace fires, one on a Synology class stays silent', (_, build) => {
    if (!promtool) throw new Error('promtool not found under CI=true: run `bash scripts/install-promtool.sh`');
    const stack = build();
    const rule = ruleOf(stack)!;
    const cases = stack.alerts.testCases.filter((t) => t.rule.alert === UNSNAPSHOTTABLE_ALERT);
    expect(cases.some((c) => c.firing.length === 1 && c.name.includes('local-path'))).toBe(true);
    expect(cases.some((c) => c.firing.length === 0 && c.name.includes('snapshot-capable'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'unsnapshottable-'));
    try {
      const file = {
        groups: [
          {
            name: 'velero.coverage',
            rules: [
              { alert: rule.alert, expr: rule.expr, for: rule.for, labels: rule.labels, annotations: rule.annotations },
            ],
          },
        ],
      };
      writeFileSync(join(dir, 'rules.yaml'), stringify(file, { lineWidth: 0 }));
      writeFileSync(join(dir, 'tests.yaml'), renderRuleTests('rules.yaml', cases, '1m'));
      const check = checkRules(promtool, join(dir, 'rules.yaml'));
      expect(check.output).toContain('SUCCESS');
      const run = testRules(promtool, join(dir, 'tests.yaml'));
      expect({ ok: run.ok, output: run.ok ? '' : run.output }).toEqual({ ok: true, output: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
