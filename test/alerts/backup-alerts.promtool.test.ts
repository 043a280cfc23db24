/**
 * The alerts proven with the real Prometheus rule engine: `promtool check rules` on the rendered rules
 * (spec.groups of the PrometheusRule), and `promtool test rules` with the cases BackupAlerts generates from
 * the config (every alert fires once and stays silent once, per schedule) plus hand-written edge cases.
 *
 * promtool comes from `bash scripts/install-promtool.sh` (`npm test` runs it when promtool is missing; or $PROMTOOL,
 * or PATH). Without it these tests are skipped and named in the summary, except under CI=true, where they fail.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AlertTestCase, InputSeries } from '../../constructs/backup-alerts';
import {
  checkRules,
  promtoolTestFiles,
  testRulesFilesAsync,
  type PromtoolResult,
  type RuleFile,
} from '../../lib/alerts/promtool';
import { find, objects } from '../helpers';
import { alertStack, ruleOf, SEED_DAILY, SEED_WEEKLY, type AlertStack } from '../fixtures/alerts/stack';
import { describePromtool, promtool } from '../fixtures/promtool';

const HOUR = 3600;
const DAY = 86_400;
const MIN = 60;

/** The rule file promtool reads: the rendered PrometheusRule's spec.groups. */
function ruleFileOf(stack: AlertStack): RuleFile {
  const rule = find(objects(stack.chart), 'PrometheusRule', stack.alerts.name);
  return { groups: rule.spec.groups };
}

function dur(seconds: number): string {
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MIN],
  ] as const) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  return parts.join('') || '0m';
}

const VELERO = { job: 'velero', namespace: 'velero' };

function sel(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

/** Hand-written edge cases: the weekly schedule on day 6, the daily one late, restarts, ad-hoc backups. */
function edgeCases(stack: AlertStack): AlertTestCase[] {
  const { alerts } = stack;
  const daily = 'daily-critical-pvcs';
  const weekly = 'weekly-cluster-resources';
  const delayedWeekly = ruleOf(alerts, 'VeleroBackupDelayed', weekly);
  const delayedDaily = ruleOf(alerts, 'VeleroBackupDelayed', daily);
  const failed = ruleOf(alerts, 'VeleroBackupFailed');
  const partial = ruleOf(alerts, 'VeleroPartialBackupFailure');
  const duration = ruleOf(alerts, 'VeleroBackupDurationHigh', daily);
  const bsl = ruleOf(alerts, 'VeleroBackupStorageLocationUnavailable');
  const vsl = ruleOf(alerts, 'VeleroVolumeSnapshotLocationUnavailable');
  const ts = (schedule: string) => sel('velero_backup_last_successful_timestamp', { ...VELERO, schedule });
  const at5m = (horizon: number) => Math.ceil(horizon / 300);
  const at1h = (horizon: number) => Math.ceil(horizon / HOUR);

  // t = 0 is when the last on-time backup completed (e.g. Sunday 03:20 for the weekly, 02:10 for the daily)
  const cases: AlertTestCase[] = [
    {
      name: 'edge: weekly schedule on day 6 stays silent',
      rule: delayedWeekly,
      interval: '1h',
      series: [{ series: ts(weekly), values: `0x${at1h(6 * DAY)}` }],
      evalTime: '6d',
      firing: [],
    },
    {
      name: "edge: weekly schedule's next run 2h late (day 7, 2h) stays silent",
      rule: delayedWeekly,
      interval: '1h',
      series: [{ series: ts(weekly), values: `0x${at1h(7 * DAY + 2 * HOUR)}` }],
      evalTime: '7d2h',
      firing: [],
    },
    {
      // the threshold is 30h: a daily backup 2h late (04:00 the next day) is a slow run, not yet an incident
      name: 'edge: daily schedule 2h late stays silent (threshold 30h)',
      rule: delayedDaily,
      interval: '5m',
      series: [{ series: ts(daily), values: `0x${at5m(26 * HOUR)}` }],
      evalTime: dur(23 * HOUR + 50 * MIN + 2 * HOUR),
      firing: [],
    },
    {
      name: 'edge: daily schedule 6h20m past its missed run (30h20m since the last backup) fires',
      rule: delayedDaily,
      interval: '5m',
      series: [{ series: ts(daily), values: `0x${at5m(31 * HOUR)}` }],
      evalTime: '1d6h20m',
      firing: [{ namespace: 'velero', schedule: daily }],
    },
    {
      name: 'edge: a daily backup that completes 2h20m late resolves the staleness',
      rule: delayedDaily,
      interval: '5m',
      // completes at 04:30 the next day (t = 26h20m), the sample value is its completion time
      series: [
        {
          series: ts(daily),
          values: `0x${(26 * HOUR + 20 * MIN) / 300 - 1} ${26 * HOUR + 20 * MIN}x${at5m(8 * HOUR)}`,
        },
      ],
      evalTime: '1d8h',
      firing: [],
    },
    {
      name: 'edge: a restart resets the failure counter (same series 3 -> 0): no false VeleroBackupFailed',
      rule: failed,
      interval: '1m',
      series: [{ series: sel('velero_backup_failure_total', { ...VELERO, schedule: daily }), values: '3x30 0x30' }],
      evalTime: '40m',
      firing: [],
    },
    {
      name: 'edge: a restart replaces the pod (new series from 0): no false VeleroBackupFailed',
      rule: failed,
      interval: '1m',
      series: [
        { series: sel('velero_backup_failure_total', { ...VELERO, pod: 'velero-a', schedule: daily }), values: '3x30' },
        {
          series: sel('velero_backup_failure_total', { ...VELERO, pod: 'velero-b', schedule: daily }),
          values: '_x31 0x30',
        },
      ],
      evalTime: '45m',
      firing: [],
    },
    {
      name: 'edge: a failure right after a restart still fires',
      rule: failed,
      interval: '1m',
      series: [
        { series: sel('velero_backup_failure_total', { ...VELERO, schedule: daily }), values: '3x30 0x10 1x20' },
      ],
      evalTime: '50m',
      firing: [{ namespace: 'velero', schedule: daily }],
    },
    {
      name: 'edge: a restart resets the partial-failure counter: no false VeleroPartialBackupFailure',
      rule: partial,
      interval: '1m',
      series: [
        { series: sel('velero_backup_partial_failure_total', { ...VELERO, schedule: daily }), values: '2x30 0x30' },
      ],
      evalTime: '40m',
      firing: [],
    },
    {
      name: 'edge: a restart drops the duration histogram: no false duration alert',
      rule: duration,
      interval: '5m',
      series: [
        { series: sel('velero_backup_attempt_total', { ...VELERO, schedule: daily }), values: '3x12 0x12' },
        { series: sel('velero_backup_duration_seconds_sum', { ...VELERO, schedule: daily }), values: '900x12' },
        { series: sel('velero_backup_duration_seconds_count', { ...VELERO, schedule: daily }), values: '3x12' },
      ],
      evalTime: '1h50m',
      firing: [],
    },
    {
      name: 'edge: a restart drops the CSI failure series: no false snapshot-location alert',
      rule: vsl,
      interval: '1m',
      series: [
        { series: sel('velero_backup_attempt_total', { ...VELERO, schedule: daily }), values: '3x60 0x60' },
        {
          series: sel('velero_csi_snapshot_failure_total', { ...VELERO, schedule: daily, backupName: 'daily-1' }),
          values: '2x60',
        },
      ],
      evalTime: '1h30m',
      firing: [],
    },
  ];

  // ad-hoc backups: Velero's schedule="" label is dropped by Prometheus, so their series have no schedule label
  const adHoc: InputSeries[] = [
    { series: sel('velero_backup_failure_total', VELERO), values: '0x30 1x30' },
    { series: sel('velero_backup_partial_failure_total', VELERO), values: '0x30 1x30' },
    { series: sel('velero_backup_validation_failure_total', VELERO), values: '0x30 1x30' },
    { series: sel('velero_backup_last_successful_timestamp', VELERO), values: '0x60' },
  ];
  for (const rule of [failed, partial, bsl]) {
    cases.push({
      name: `edge: ad-hoc backups are out of ${rule.alert}`,
      rule,
      interval: '1m',
      series: adHoc,
      evalTime: '40m',
      firing: [],
    });
  }
  cases.push({
    name: 'edge: a stale ad-hoc timestamp never makes VeleroBackupDelayed fire',
    rule: delayedDaily,
    interval: '1h',
    series: [{ series: sel('velero_backup_last_successful_timestamp', VELERO), values: `0x${at1h(9 * DAY)}` }],
    evalTime: '9d',
    firing: [],
  });
  return cases;
}

/** Writes the files and runs promtool on each; resolves to file name -> result. */
async function runAll(
  dir: string,
  ruleFile: RuleFile,
  cases: readonly AlertTestCase[],
): Promise<Map<string, PromtoolResult>> {
  mkdirSync(dir, { recursive: true });
  const files = promtoolTestFiles(ruleFile, cases);
  for (const f of files) {
    writeFileSync(join(dir, f.rulesName), f.rules);
    writeFileSync(join(dir, f.testsName), f.tests);
  }
  const byPath = await testRulesFilesAsync(
    promtool!,
    files.map((f) => join(dir, f.testsName)),
  );
  return new Map(files.map((f) => [f.testsName, byPath.get(join(dir, f.testsName))!]));
}

/** Asserts promtool passed, showing its output when not. */
function expectPassed(result: PromtoolResult | undefined): void {
  expect(result).toBeDefined();
  if (!result!.ok) throw new Error(`promtool test rules failed:\n${result!.output}`);
  expect(result!.output).toContain('SUCCESS');
}

describePromtool('promtool: the rendered alerts fire when they should and stay silent otherwise', () => {
  const stack = alertStack();
  const alertNames = [...new Set(stack.alerts.rules.map((r) => r.alert))];
  const generatedFiles = promtoolTestFiles(ruleFileOf(stack), stack.alerts.testCases).map((f) => f.testsName);
  // a schedule added to the config brings its own cases
  const grown = alertStack({
    schedules: [
      SEED_DAILY,
      SEED_WEEKLY,
      { name: 'every-6h', schedule: '0 */6 * * *', includedNamespaces: ['*'], snapshotVolumes: false },
    ],
  });
  const grownCases = grown.alerts.testCases.filter(
    (c) => c.rule.labels.schedule === 'every-6h' || c.name.includes(' every-6h:'),
  );

  let dir: string;
  let ruleFile: RuleFile;
  const results = new Map<string, PromtoolResult>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-alerts-promtool-'));
    ruleFile = ruleFileOf(stack);
    writeFileSync(join(dir, 'rules.yaml'), stringify(ruleFile, { lineWidth: 0 }));
    // a wrong expectation must fail: the first firing case, expected silent
    const firing = stack.alerts.testCases.find((c) => c.firing.length > 0)!;
    const [generated, edges, grownResults, mutant] = await Promise.all([
      runAll(join(dir, 'generated'), ruleFile, stack.alerts.testCases),
      runAll(join(dir, 'edges'), ruleFile, edgeCases(stack)),
      runAll(join(dir, 'grown'), ruleFileOf(grown), grownCases),
      runAll(join(dir, 'mutant'), ruleFile, [{ ...firing, name: 'mutant', firing: [] }]),
    ]);
    for (const [prefix, m] of [
      ['generated', generated],
      ['edges', edges],
      ['grown', grownResults],
      ['mutant', mutant],
    ] as const) {
      for (const [name, r] of m) results.set(`${prefix}/${name}`, r);
    }
  }, 120_000);

  afterAll(() => {
    if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  });

  test('promtool check rules accepts the rendered rules, duplicate-rule lint fatal', () => {
    const r = checkRules(promtool!, join(dir, 'rules.yaml'));
    if (!r.ok) throw new Error(r.output);
    expect(r.output).toContain(`SUCCESS: ${stack.alerts.rules.length} rules found`);
  });

  test('the generated cases cover every alert, firing and silent', () => {
    for (const alert of alertNames) {
      const cases = stack.alerts.testCases.filter((c) => c.rule.alert === alert);
      expect({ alert, fires: cases.some((c) => c.firing.length > 0) }).toEqual({ alert, fires: true });
      expect({ alert, silent: cases.some((c) => c.firing.length === 0) }).toEqual({ alert, silent: true });
    }
  });

  test.each(generatedFiles)('generated cases pass: %s', (file) => {
    expectPassed(results.get(`generated/${file}`));
  });

  test('edge cases pass: weekly day 6, daily 2h late, restarts, ad-hoc backups', () => {
    const edgeResults = [...results.entries()].filter(([k]) => k.startsWith('edges/'));
    expect(edgeResults.length).toBeGreaterThan(0);
    for (const [, r] of edgeResults) expectPassed(r);
  });

  test('a new 6-hourly schedule brings its own cases, and they pass', () => {
    expect(grownCases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'VeleroBackupDelayed every-6h: 7h20m after the last backup stays silent',
        'VeleroBackupDelayed every-6h: past 7h30m and for 10m fires',
        'VeleroBackupFailed every-6h: a new velero_backup_failure_total increment fires',
      ]),
    );
    const grown = [...results.entries()].filter(([k]) => k.startsWith('grown/'));
    expect(grown.length).toBeGreaterThan(0);
    for (const [, r] of grown) expectPassed(r);
  });

  test('the harness is not vacuous: a wrong expectation fails promtool', () => {
    const [mutant] = [...results.entries()].filter(([k]) => k.startsWith('mutant/'));
    expect(mutant[1].ok).toBe(false);
    expect(mutant[1].output).toContain('FAILED');
  });
});
