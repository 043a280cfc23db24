/**
 * The last-restore-point guard (`VeleroLastRestorePointExpiring`, lib/alerts/last-restore-point.ts): when it
 * fires per ttl and cadence, proven with promtool on the rendered rule, and the synth rule refusing a ttl
 * that leaves no time to react.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertTestCase } from '../../constructs/backup-alerts';
import {
  findPromtool,
  promtoolTestFiles,
  testRulesFilesAsync,
  type PromtoolResult,
  type RuleFile,
} from '../../lib/alerts/promtool';
import { aged, series, stepFor } from '../../lib/alerts/promtool-cases';
import { promDuration } from '../../lib/units/duration';
import { find, objects } from '../helpers';
import { alertStack, alertStackError, ruleOf, SEED_DAILY, SEED_WEEKLY } from '../fixtures/alerts/stack';

const DAY = 86_400;
const ALERT = 'VeleroLastRestorePointExpiring';
const DAILY = SEED_DAILY.name;
const promtool = findPromtool();

describe('the guard fires when the newest Completed backup is within its margin of expiry', () => {
  test.each([
    // schedule, ttl, cadence -> margin, fires after
    ['daily, 30-day ttl (the seed)', SEED_DAILY, '720h', 72 * 3600, 720 * 3600 - 72 * 3600],
    ['weekly, 90-day ttl (the seed)', SEED_WEEKLY, '2160h', 72 * 3600, 2160 * 3600 - 72 * 3600],
    [
      'hourly, 72h ttl: half of ttl - (1h + 1h slack)',
      { ...SEED_DAILY, schedule: '0 * * * *' },
      '72h',
      35 * 3600,
      37 * 3600,
    ],
    ['daily at the minimum ttl (30h + 1 day): fires with VeleroBackupDelayed', SEED_DAILY, '54h', DAY, 30 * 3600],
  ])('%s', (_name, schedule, ttl, margin, fireAge) => {
    const { alerts } = alertStack({ schedules: [{ ...schedule, ttl }] });
    const rule = ruleOf(alerts, ALERT, schedule.name);
    expect(rule.expr).toMatch(new RegExp(` > ${fireAge}$`));
    expect(rule.annotations.summary).toMatch(new RegExp(`expires within ${promDuration(margin)}$`));
    expect(rule.labels).toMatchObject({ severity: 'critical', schedule: schedule.name });
  });

  test('the runbook patches status.expiration, the one field the GC controller reads', () => {
    const rule = ruleOf(alertStack().alerts, ALERT, DAILY);
    expect(rule.annotations.description).toContain(
      `- kubectl -n velero patch backup <newest Completed backup> --type merge -p "{\\"status\\":{\\"expiration\\":\\"$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)\\"}}"`,
    );
    expect(rule.annotations.description).not.toMatch(/"spec":\{"ttl"/);
  });

  test('a paused schedule has no guard', () => {
    const { alerts } = alertStack({ schedules: [SEED_DAILY, { ...SEED_WEEKLY, paused: true }] });
    expect(alerts.rules.filter((r) => r.alert === ALERT).map((r) => r.labels.schedule)).toEqual([DAILY]);
  });
});

describe('a ttl that leaves no time to react is refused (the staleness threshold plus a day)', () => {
  test.each([
    ['daily, 53h', SEED_DAILY, '53h', "ttl '53h' leaves less than a day", "at least '54h'"],
    [
      'hourly, 25h',
      { ...SEED_DAILY, schedule: '0 * * * *' },
      '25h',
      "ttl '25h' leaves less than a day",
      "at least '26h'",
    ],
    ['weekly, 8d', SEED_WEEKLY, '192h', "ttl '192h' leaves less than a day", "at least '216h'"],
  ])('%s', (_name, schedule, ttl, problem, fix) => {
    const message = alertStackError({ schedules: [{ ...schedule, ttl }] });
    expect(message).toContain(problem);
    expect(message).toContain(fix);
    expect(message).toContain('allowTtlWithoutReactionTime');
    expect(message).toContain('docs/pitfalls.md#last-restore-point');
    expect(message.length).toBeLessThan(300);
  });

  test.each([['allowTtlWithoutReactionTime'], ['allowTtlShorterThanCadence']])(
    '%s accepts it, and the schedule gets no guard',
    (flag) => {
      const { alerts, schedules } = alertStack({ schedules: [{ ...SEED_DAILY, ttl: '24h', [flag]: true }] });
      expect(schedules[0].lastRestorePointGuarded).toBe(false);
      expect(alerts.rules.some((r) => r.alert === ALERT)).toBe(false);
    },
  );
});

(promtool ? describe : describe.skip)('promtool: the seed daily schedule (30-day ttl)', () => {
  const stack = alertStack();
  const rule = ruleOf(stack.alerts, ALERT, DAILY);
  const ruleFile: RuleFile = { groups: find(objects(stack.chart), 'PrometheusRule', stack.alerts.name).spec.groups };
  const now = 30 * 60;
  const step = stepFor(now, 60);
  const ts = series('velero_backup_last_successful_timestamp', { job: 'velero', namespace: 'velero', schedule: DAILY });
  const caseAt = (name: string, age: number, fires: boolean): AlertTestCase => ({
    name,
    rule,
    interval: '1m',
    series: [{ series: ts, values: aged(age, now, step) }],
    evalTime: '30m',
    firing: fires ? [{ namespace: 'velero', schedule: DAILY }] : [],
  });
  const cases: [string, AlertTestCase][] = [
    ['last success 29 days ago fires', caseAt('29d fires', 29 * DAY, true)],
    ['last success 2 days ago stays silent', caseAt('2d silent', 2 * DAY, false)],
    ['(not vacuous) 29 days expected silent fails', caseAt('mutant', 29 * DAY, false)],
    ...stack.alerts.testCases
      .filter((c) => c.rule.alert === ALERT)
      .map((c): [string, AlertTestCase] => [`generated: ${c.name}`, c]),
  ];
  const results = new Map<string, PromtoolResult>();
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'last-restore-point-'));
    const paths: string[] = [];
    cases.forEach(([, c], i) => {
      for (const f of promtoolTestFiles(ruleFile, [c])) {
        const sub = `${i}-`;
        writeFileSync(join(dir, sub + f.rulesName), f.rules);
        writeFileSync(join(dir, sub + f.testsName), f.tests.replace(f.rulesName, sub + f.rulesName));
        paths.push(join(dir, sub + f.testsName));
      }
    });
    const byPath = await testRulesFilesAsync(promtool!, paths);
    cases.forEach(([name], i) => results.set(name, byPath.get(paths[i])!));
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(cases.filter(([n]) => !n.startsWith('(not vacuous)')).map(([n]) => n))('%s', (name) => {
    const r = results.get(name)!;
    if (!r.ok) throw new Error(r.output);
  });

  test('the harness is not vacuous: 29 days expected silent fails promtool', () => {
    expect(results.get('(not vacuous) 29 days expected silent fails')!.ok).toBe(false);
  });
});
