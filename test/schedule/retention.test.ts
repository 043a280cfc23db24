/**
 * Count-based retention (lib/schedule/retention.ts): `retention: { daily: 7, weekly: 4, monthly: 12 }` on a
 * schedule of the config renders the Schedules that keep that many backups of each period, with their
 * alerts, the drill, the plan's restore points and cost; explicit schedules still work.
 */
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import type { BackupStackConfig, ScheduleConfig } from '../../lib/config/types';
import { backupPlan } from '../../lib/plan/plan';
import { parseCron } from '../../lib/schedule/cron';
import { parseGoDuration } from '../../lib/units/duration';
import { loadConfigFile } from '../../lib/config/load';
import { join } from 'node:path';

const CSI_OK = { volumeSnapshotClass: { driver: 'driver.longhorn.io' } } as const;
const SET: ScheduleConfig = {
  name: 'apps',
  schedule: '30 2 * * *',
  includedNamespaces: ['apps'],
  retention: { daily: 7, weekly: 4, monthly: 12 },
};
const stackOf = (schedules: ScheduleConfig[], extra: Partial<BackupStackConfig> = {}) =>
  new BackupStack(new App(), 'Stack', { csi: CSI_OK, schedules, ...extra } as BackupStackConfig);
const failure = (schedules: ScheduleConfig[]): string => {
  try {
    stackOf(schedules);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};
describe('retention { daily: 7, weekly: 4, monthly: 12 } renders three Schedules keeping those counts', () => {
  const stack = stackOf([SET]);

  test.each([
    ['apps-daily', '30 2 * * *', '168h0m0s', 7],
    ['apps-weekly', '30 2 * * 0', '672h0m0s', 4],
    ['apps-monthly', '30 2 1 * *', '8928h0m0s', 12],
  ])('%s: cron %s, ttl %s keeps %i', (name, cron, ttl, count) => {
    const s = stack.schedules.find((x) => x.name === name)!;
    const obj = stack.node
      .findAll()
      .map((c) => c as unknown as { toJson?: () => Record<string, any> })
      .filter((c) => typeof c.toJson === 'function')
      .map((c) => c.toJson!())
      .find((o) => o.kind === 'Schedule' && o.metadata?.name === name)!;
    expect(obj.spec.schedule).toBe(cron);
    expect(obj.spec.template.ttl).toBe(ttl);
    // what Velero keeps: a backup lives ttl, one runs every cadence, so ceil(ttl / cadence) exist at once
    const ttlS = parseGoDuration(obj.spec.template.ttl).toSeconds();
    expect(Math.ceil(ttlS / parseCron(cron).cadence().toSeconds())).toBe(count);
    expect(s.retentionDepth).toBe(count);
  });

  test('exactly those three, in period order', () => {
    expect(stack.schedules.map((s) => s.name)).toEqual(['apps-daily', 'apps-weekly', 'apps-monthly']);
  });

  test('each member has its own staleness alert and last-restore-point guard (each ttl leaves time to react)', () => {
    const alerts = stack.alerts.rules;
    const by = (alert: string) => alerts.filter((r) => r.alert === alert).map((r) => r.labels.schedule);
    expect(by('VeleroBackupDelayed')).toEqual(['apps-daily', 'apps-weekly', 'apps-monthly']);
    expect(by('VeleroLastRestorePointExpiring')).toEqual(['apps-daily', 'apps-weekly', 'apps-monthly']);
  });

  test("the plan counts the set's restore points and costs every member", () => {
    const plan = backupPlan(stack.plan);
    expect(plan.namespaces.find((n) => n.namespace === 'apps')!.restorePoints).toBe(7 + 4 + 12);
    expect(plan.cost.lines.map((l) => l.schedule)).toEqual(
      expect.arrayContaining(['apps-daily', 'apps-weekly', 'apps-monthly']),
    );
  });
});

describe('the drill and the explicit schedules', () => {
  test('the drill restores the most frequent member', () => {
    const stack = stackOf([{ ...SET, retention: { hourly: 24, daily: 7 }, drill: {} }]);
    expect(stack.drills.map((d) => d.name)).toEqual(['restore-drill-apps-hourly']);
    expect(stack.schedules.map((s) => [s.name, s.schedule, s.retentionDepth])).toEqual([
      ['apps-hourly', '30 * * * *', 24],
      ['apps-daily', '30 2 * * *', 7],
    ]);
  });

  test('an explicit schedule next to a set renders unchanged', () => {
    const stack = stackOf([SET, { name: 'weekly', schedule: '0 3 * * 0', ttl: '2160h' }]);
    expect(stack.schedules.map((s) => s.name)).toEqual(['apps-daily', 'apps-weekly', 'apps-monthly', 'weekly']);
    expect(stack.schedules[3].ttl.toHours()).toBe(2160);
  });

  test('a zone prefix is kept on every member', () => {
    const stack = stackOf([
      { ...SET, schedule: 'CRON_TZ=Europe/Berlin 30 2 * * *', retention: { daily: 7, yearly: 2 } },
    ]);
    expect(stack.schedules.map((s) => s.schedule)).toEqual([
      'CRON_TZ=Europe/Berlin 30 2 * * *',
      'CRON_TZ=Europe/Berlin 30 2 1 1 *',
    ]);
  });
});

describe('a retention that cannot be expanded is refused at its path', () => {
  test.each([
    ['ttl with retention', { ttl: '720h' }, "schedules[0] 'apps'.ttl: '720h' cannot go with retention"],
    [
      'a fraction',
      { retention: { daily: 1.5 } },
      "schedules[0] 'apps'.retention: daily must be a whole number of restore points, got '1.5'",
    ],
    [
      'nothing kept',
      { retention: { daily: 0 } },
      "schedules[0] 'apps'.retention: keeps nothing; give at least one period a count",
    ],
    [
      'no single time',
      { schedule: '0 */6 * * *' },
      "schedules[0] 'apps'.schedule: '0 */6 * * *' must name one minute and one hour for retention",
    ],
    [
      '@every',
      { schedule: '@every 24h' },
      "schedules[0] 'apps'.schedule: '@every 24h' must name one minute and one hour",
    ],
    [
      'a last restore point that leaves no time to react',
      { retention: { daily: 2 } },
      "schedules[0] 'apps'.retention: daily keeps its last restore point 48h, less than a day after VeleroBackupDelayed; keep at least 3 daily backups",
    ],
  ])('%s', (_name, change, message) => {
    const got = failure([{ ...SET, ...change } as ScheduleConfig]);
    expect(got).toContain(message);
    expect(got).toContain('docs/pitfalls.md#retention');
    expect(got.length).toBeLessThan(300);
  });

  test('hourly-only: 24 hourly backups leave less than a day, accepted with allowTtlWithoutReactionTime', () => {
    expect(failure([{ ...SET, retention: { hourly: 24 } }])).toContain('hourly keeps its last restore point 24h');
    const stack = stackOf([{ ...SET, retention: { hourly: 24 }, allowTtlWithoutReactionTime: true }]);
    expect(stack.schedules.map((s) => s.name)).toEqual(['apps-hourly']);
  });
});

test('examples/retention.yaml, read as a user writes it, renders the three Schedules and the drill of the daily one', () => {
  const config = loadConfigFile(join(__dirname, '..', '..', 'examples', 'retention.yaml'));
  const stack = new BackupStack(new App(), 'Stack', config as BackupStackConfig);
  expect(stack.schedules.map((s) => [s.name, s.retentionDepth])).toEqual([
    ['apps-daily', 7],
    ['apps-weekly', 4],
    ['apps-monthly', 12],
  ]);
  expect(stack.drills.map((d) => d.name)).toEqual(['restore-drill-apps-daily']);
});
