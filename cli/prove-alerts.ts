/**
 * `velero-cdk8s prove-alerts`: the proof this project runs on its own alerts, run on the user's: the config's
 * PrometheusRule(s) pass `promtool check rules --lint-fatal`, and every alert fires and stays silent in the cases
 * the stack generates for it (`promtool test rules`, week- and month-long series). promtool comes from
 * `$PROMTOOL`, else `.tools/promtool` in the working directory, else PATH.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { BackupFleet, SingleCluster, type RenderedConfig } from '../constructs/backup-fleet';
import type { BackupStack } from '../constructs/backup-stack';
import {
  checkRules,
  findPromtool,
  promtoolTestFiles,
  testRulesFilesAsync,
  type RuleFile,
} from '../lib/alerts/promtool';
import type { CliIo } from '../lib/output/cli';
import { build } from './commands';
import type { FoundConfig } from './config';

/** The promtool binary, or undefined: $PROMTOOL, ./.tools/promtool, PATH. */
export function promtoolFor(cwd = process.cwd()): string | undefined {
  const local = resolve(cwd, '.tools', 'promtool');
  if (!process.env.PROMTOOL && existsSync(local)) return local;
  return findPromtool();
}

/** Each stack of a config with its name and its folder (a fleet's cluster: `clusters/<name>/`; one cluster: ''). */
export function alertStacks(built: RenderedConfig, file: string): AlertStack[] {
  return built instanceof SingleCluster
    ? [{ name: file, stack: built.stack, folder: '' }]
    : (built as BackupFleet).clusters.map((c) => ({
        name: `cluster ${c.name}`,
        stack: c.stack,
        folder: `clusters/${c.name}/`,
      }));
}

/** The rules of one stack: its own PrometheusRule(s) only (in a fleet every cluster's rule has the same name). */
export function stackRuleFile(built: RenderedConfig, { stack, folder }: AlertStack): RuleFile {
  const rules = built.objects.filter(
    (o) =>
      o.folder.startsWith(folder) && o.object.kind === 'PrometheusRule' && o.object.metadata.name === stack.alerts.name,
  );
  return { groups: rules.flatMap((r) => (r.object.spec as RuleFile).groups) };
}

interface AlertStack {
  readonly name: string;
  readonly stack: BackupStack;
  readonly folder: string;
}

/** Proves every stack's alerts of the config; returns the exit code. */
export async function proveAlerts(found: FoundConfig, io: CliIo = console): Promise<number> {
  const promtool = promtoolFor();
  if (!promtool) {
    io.error(
      'prove-alerts: promtool not found: set PROMTOOL, put it in .tools/promtool, or on PATH (Debian/Ubuntu: the prometheus package; or a Prometheus release tarball)',
    );
    return 2;
  }
  const built = build(found);
  const stacks = alertStacks(built, found.file);
  const dir = mkdtempSync(join(tmpdir(), 'velero-cdk8s-alerts-'));
  let failed = 0;
  try {
    for (const [i, { name, stack }] of stacks.entries()) {
      const ruleFile = stackRuleFile(built, stacks[i]);
      const sub = join(dir, String(i));
      mkdirSync(sub);
      const rulesPath = join(sub, 'rules.yaml');
      writeFileSync(rulesPath, stringify(ruleFile));
      const check = checkRules(promtool, rulesPath);
      if (!check.ok) {
        io.error(`prove-alerts: ${name}: promtool check rules failed:\n${check.output}`);
        failed++;
        continue;
      }
      const files = promtoolTestFiles(ruleFile, stack.alerts.testCases);
      for (const f of files) {
        writeFileSync(join(sub, f.rulesName), f.rules);
        writeFileSync(join(sub, f.testsName), f.tests);
      }
      const results = await testRulesFilesAsync(
        promtool,
        files.map((f) => join(sub, f.testsName)),
      );
      const bad = [...results].filter(([, r]) => !r.ok);
      for (const [, r] of bad) io.error(r.output);
      const alerts = new Set(stack.alerts.testCases.map((c) => c.rule.alert));
      io.log(
        `prove-alerts: ${name}: ${bad.length ? `${bad.length} of ${files.length} rule tests FAILED` : `${alerts.size} alerts, ${stack.alerts.testCases.length} cases: each fires and stays silent as it should`}`,
      );
      failed += bad.length;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}
