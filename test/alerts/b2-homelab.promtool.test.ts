/**
 * The README's B2 homelab (examples/b2-homelab.yaml, issue 16): its rules load in promtool and every
 * alert of its three schedules fires and stays silent in its generated cases. (The drill's month-long
 * cases are the same generator as the seed's, run by test/drill/restore-drill.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import { loadConfigFile } from '../../lib/config/load';
import { checkRules, promtoolTestFiles, testRulesFilesAsync, type RuleFile } from '../../lib/alerts/promtool';
import { describePromtool, promtool } from '../fixtures/promtool';

if (!promtool && process.env.CI === 'true') {
  test('promtool is installed (CI=true)', () => {
    throw new Error('promtool not found: run scripts/install-promtool.sh');
  });
}

describePromtool('promtool on the B2 homelab example', () => {
  const stack = new BackupStack(
    new App(),
    'Stack',
    loadConfigFile(join(__dirname, '..', '..', 'examples', 'b2-homelab.yaml')),
  );
  const ruleFile: RuleFile = {
    groups: stack.alerts.groups.map((g) => ({ name: g.name, rules: g.rules.map((r) => ({ ...r })) })),
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'b2-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the rules of all three schedules and the drill pass promtool check rules', () => {
    const schedules = new Set(
      ruleFile.groups
        .flatMap((g) => g.rules.map((r) => (r.labels as Record<string, string> | undefined)?.schedule))
        .filter(Boolean),
    );
    expect(schedules).toEqual(new Set(['hourly-databases', 'daily-apps', 'weekly-cluster']));
    writeFileSync(join(dir, 'rules.yaml'), stringify(ruleFile));
    const result = checkRules(promtool!, join(dir, 'rules.yaml'));
    if (!result.ok) throw new Error(result.output);
  });

  test('every alert fires and stays silent in its generated cases', async () => {
    const drillAlerts = new Set(stack.drills.flatMap((d) => d.alertRules.rules.map((r) => r.alert)));
    const files = promtoolTestFiles(
      ruleFile,
      stack.alerts.testCases.filter((c) => !drillAlerts.has(c.rule.alert)),
    );
    expect(files.length).toBeGreaterThan(0);
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
