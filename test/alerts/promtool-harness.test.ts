/**
 * The promtool harness itself (lib/alerts/promtool.ts): a wrong expectation fails, output it cannot read is an
 * explicit error (never a pass, never a fail), and the promtool it runs has Prometheus 3's semantics.
 * The report-parsing cases run without promtool; the ones that run it are skipped without it (and fail under CI=true,
 * see test/promtool-setup.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  parseCheckRules,
  parseJunit,
  PromtoolOutputError,
  promtoolVersion,
  PROMTOOL_MAJOR,
  promtoolTestFiles,
  testRules,
  testRulesFilesAsync,
  type AlertTestCase,
} from '../../lib/alerts/promtool';
import { alertStack, ruleOf } from '../fixtures/alerts/stack';
import { describePromtool, promtool } from '../fixtures/promtool';

/** A unit-test file with one group: `up == 0` fires at 5m, and the case expects `firing` alerts. */
function unitTest(dir: string, name: string, firing: number, expr = 'up == 0', series = '0x10'): string {
  writeFileSync(
    join(dir, 'rules.yaml'),
    stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr, labels: { severity: 'x' } }] }] }),
  );
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          name,
          interval: '1m',
          input_series: [{ series: 'up{job="a"}', values: series }],
          alert_rule_test: [
            {
              eval_time: '5m',
              alertname: 'A',
              exp_alerts: Array.from({ length: firing }, () => ({ exp_labels: { severity: 'x', job: 'a' } })),
            },
          ],
        },
      ],
    }),
  );
  return file;
}

const suite = (file: string, cases: string) =>
  `<testsuites><testsuite name="${file}" tests="1" failures="0" errors="0">${cases}</testsuite></testsuites>`;

describe('output the harness cannot read is an error, neither a pass nor a fail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-harness-'));
  const file = unitTest(dir, 'declared group', 1);
  test.each([
    ['no JUnit document', [file], 'SUCCESS', 0],
    ['no <testsuite> for the file', [file], '<testsuites></testsuites>', 0],
    ['a suite that ran no test group', [file], suite(file, ''), 0],
    ['a suite without the declared group', [file], suite(file, '<testcase name="other"></testcase>'), 0],
    ['exit 1 with everything passed', [file], suite(file, '<testcase name="declared group"></testcase>'), 1],
    [
      'exit 0 with a failure',
      [file],
      suite(file, '<testcase name="declared group"><failure>got []</failure></testcase>'),
      0,
    ],
  ])('%s', (_what, files, junit, status) => {
    expect(() => parseJunit(files, junit, { status, output: '' })).toThrow(PromtoolOutputError);
  });

  test.each([
    ['no Checking line', '  SUCCESS: 1 rules found\n', 0],
    ['no verdict', 'Checking r.yaml\n\n', 0],
    ['no rules found', 'Checking r.yaml\n  SUCCESS: 0 rules found\n', 0],
    ['exit 1 with SUCCESS', 'Checking r.yaml\n  SUCCESS: 2 rules found\n', 1],
    ['exit 0 with FAILED', 'Checking r.yaml\n  FAILED:\nbad\n', 0],
  ])('check rules: %s', (_what, output, status) => {
    expect(() => parseCheckRules(['r.yaml'], { status, output })).toThrow(PromtoolOutputError);
  });

  test('a readable report is a pass or a fail per file', () => {
    const junit = suite(file, '<testcase name="declared group"><failure>exp [] got [A]</failure></testcase>');
    expect(parseJunit([file], junit, { status: 1, output: '' }).get(file)).toEqual({
      ok: false,
      output: expect.stringContaining('exp [] got [A]'),
    });
  });
});

describePromtool('the promtool the alert tests run', () => {
  test(`is of the Prometheus ${PROMTOOL_MAJOR} line`, () => {
    expect(Number(promtoolVersion(promtool!).split('.')[0])).toBe(PROMTOOL_MAJOR);
  });

  test.each([
    ['a right expectation passes', 1, true],
    ['a deliberately wrong expectation fails', 0, false],
  ])('%s', (name, firing, ok) => {
    const dir = mkdtempSync(join(tmpdir(), 'promtool-harness-'));
    expect(testRules(promtool!, unitTest(dir, name, firing)).ok).toBe(ok);
  });

  test('several files in one run: each file gets its own verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promtool-harness-'));
    const right = unitTest(dir, 'right', 1);
    const wrong = unitTest(dir, 'wrong', 0);
    const results = await testRulesFilesAsync(promtool!, [right, wrong]);
    expect([results.get(right)!.ok, results.get(wrong)!.ok]).toEqual([true, false]);
  });

  // Prometheus 3 range selectors are left-open: at 5m, [5m] holds the samples at 1m..5m (5), not 0m..5m (6 on 2.x)
  test.each([
    ['count_over_time(up[5m]) == 5', 1],
    ['count_over_time(up[5m]) == 6', 0],
  ])('range selectors are left-open: %s fires %i time(s)', (expr, firing) => {
    const dir = mkdtempSync(join(tmpdir(), 'promtool-harness-'));
    expect(testRules(promtool!, unitTest(dir, `left-open ${firing}`, firing, expr, '1x10')).ok).toBe(true);
  });
});

/**
 * The rendered `VeleroBackupFailed` at the edge of its `increase(...[1h])` window, on 1m samples with the failure
 * counted between 29m and 30m: Prometheus 3 leaves the sample at 29m (the last one before the failure) out of the
 * window at 89m, so the alert fires through 88m and is silent from 89m on; on 2.x (window closed on the left) it
 * still fired at 89m. The generated cases keep off this edge (the increment at 30m, evaluated at 40m).
 */
describePromtool('the rendered VeleroBackupFailed at the edge of its 1h window (Prometheus 3: left-open)', () => {
  const { alerts } = alertStack();
  const rule = ruleOf(alerts, 'VeleroBackupFailed');
  const labels = { job: 'velero', namespace: 'velero', schedule: 'daily-critical-pvcs' };
  const series = [
    {
      series: `velero_backup_failure_total{job="velero", namespace="velero", schedule="daily-critical-pvcs"}`,
      values: '0x29 1x90',
    },
  ];
  const at = (evalTime: string, fires: boolean): AlertTestCase => ({
    name: `failure counted at 30m, evaluated at ${evalTime}: ${fires ? 'fires' : 'silent'}`,
    rule,
    series,
    evalTime,
    firing: fires ? [{ namespace: labels.namespace, schedule: labels.schedule }] : [],
  });

  test.each([
    ['30m', true],
    ['88m', true],
    ['89m', false],
  ] as const)('evaluated at %s: fires %s', (evalTime, fires) => {
    const dir = mkdtempSync(join(tmpdir(), 'promtool-edge-'));
    const [file] = promtoolTestFiles({ groups: [{ name: 'velero', rules: [{ ...rule }] }] }, [at(evalTime, fires)]);
    writeFileSync(join(dir, file.rulesName), file.rules);
    writeFileSync(join(dir, file.testsName), file.tests);
    const result = testRules(promtool!, join(dir, file.testsName));
    expect(result.output).toContain('SUCCESS');
  });
});
