/**
 * The PrometheusRule that is committed in dist/ (this repository's config, main.ts: restore-drill alerts
 * included) is loaded by promtool, and every one of its alerts passes its generated fire/silent cases. It
 * holds for any valid config in main.ts; the seed's own alert set is checked on the seed (examples/seed.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildStack, repoStack } from '../fixtures/seed';
import { find, objects } from '../helpers';
import { alertStack } from '../fixtures/alerts/stack';
import { checkRules, promtoolTestFiles, testRulesFilesAsync, type RuleFile } from '../../lib/alerts/promtool';
import { describePromtool, promtool } from '../fixtures/promtool';

const DIST = join(__dirname, '..', '..', 'dist', 'velero');
const ruleObject = () =>
  parse(
    readFileSync(
      join(
        DIST,
        readdirSync(DIST).find((f) => f.startsWith('PrometheusRule_'))!,
      ),
      'utf8',
    ),
  );

if (!promtool) {
  if (process.env.CI === 'true') {
    test('promtool is installed (CI=true)', () => {
      throw new Error('promtool not found: run scripts/install-promtool.sh (CI must prove the alerts fire)');
    });
  } else {
    console.warn(
      '\n!!!!!!!! promtool not found: the dist/ rule tests are SKIPPED. Run: bash scripts/install-promtool.sh !!!!!!!!\n',
    );
  }
}

describePromtool('promtool on the committed dist/ rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dist-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the committed rules carry the Prometheus ruleSelector label and pass promtool check rules', () => {
    const rule = ruleObject();
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
    const result = checkRules(promtool!, join(dir, 'rules.yaml'));
    if (!result.ok) throw new Error(result.output);
  });

  test("the seed's rules are its schedules', locations', coverage and drill alerts", () => {
    const { alerts, drill } = buildStack();
    expect(new Set([...alerts.rules, ...drill.alertRules.rules].map((r) => r.alert))).toEqual(
      new Set([
        'VeleroBackupFailed',
        'VeleroBackupDelayed',
        'VeleroLastRestorePointExpiring',
        'VeleroBackupStorageLocationUnavailable',
        'VeleroBackupStorageLocationStatusMissing',
        'VeleroBackupMetricAbsent',
        'VeleroBackupDurationHigh',
        'VeleroVolumeSnapshotLocationUnavailable',
        'VeleroPartialBackupFailure',
        'PVCNotCoveredByBackup',
        'PVCNotSnapshottable',
        'VeleroRestoreDrillFailed',
        'VeleroRestoreDrillStale',
      ]),
    );
  });

  test("every alert of this repository's config, drill included, fires and stays silent in its generated cases", async () => {
    const ruleFile: RuleFile = { groups: ruleObject().spec.groups };
    const stack = repoStack();
    const { alerts } = stack;
    const drill = stack.drills[0];
    const alertNames = new Set(ruleFile.groups.flatMap((g) => g.rules.map((r) => r.alert)));
    const drillRules = drill ? drill.alertRules.rules : [];
    expect(alertNames).toEqual(new Set([...alerts.rules, ...drillRules].map((r) => r.alert)));
    for (const name of alertNames) {
      expect(alerts.testCases.some((c) => c.rule.alert === name && c.firing.length > 0)).toBe(true);
      expect(alerts.testCases.some((c) => c.rule.alert === name && c.firing.length === 0)).toBe(true);
    }
    // The drill's month-long cases are run by test/drill/restore-drill.test.ts against drill.alertRules; here it is
    // enough that the committed drill group is exactly those rules (running them twice cost ~15 s).
    if (drill) {
      const drillGroup = ruleFile.groups.find((g) => g.name === drill.alertRules.group)!;
      expect(drillGroup.rules.map((r) => r.alert).sort()).toEqual(drillRules.map((r) => r.alert).sort());
      expect(drillGroup.rules.map((r) => r.expr).sort()).toEqual(drillRules.map((r) => r.expr).sort());
    }
    const drillAlerts = new Set(drillRules.map((r) => r.alert));
    const all = promtoolTestFiles(
      ruleFile,
      alerts.testCases.filter((c) => !drillAlerts.has(c.rule.alert)),
    );
    // A file whose rules and cases are byte-identical to one of test/alerts/backup-alerts.promtool.test.ts's (the
    // same seed schedules) is run there; here only the ones that differ (e.g. the coverage alert, whose
    // matcher depends on main.ts's unprotected namespaces) run again.
    const fixture = alertStack();
    const fixtureRules: RuleFile = {
      groups: find(objects(fixture.chart), 'PrometheusRule', fixture.alerts.name).spec.groups,
    };
    const provenThere = new Set(
      promtoolTestFiles(fixtureRules, fixture.alerts.testCases).map((f) => `${f.rules}\n---\n${f.tests}`),
    );
    const files = all.filter((f) => !provenThere.has(`${f.rules}\n---\n${f.tests}`));
    for (const f of files) {
      writeFileSync(join(dir, f.rulesName), f.rules);
      writeFileSync(join(dir, f.testsName), f.tests);
    }
    const results = await testRulesFilesAsync(
      promtool!,
      files.map((f) => join(dir, f.testsName)),
    );
    const failed = [...results].filter(([, r]) => !r.ok);
    if (failed.length) throw new Error(failed.map(([f, r]) => `${f}\n${r.output}`).join('\n'));
  }, 300_000);
});
