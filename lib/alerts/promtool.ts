/**
 * promtool, the Prometheus project's rule checker and rule unit-test runner: finding the binary,
 * running `check rules` / `test rules`, and the typed model of rules and test cases that
 * the alert families of lib/alerts/ build and BackupAlerts renders and proves (`scripts/install-promtool.sh` installs it).
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { stringify } from 'yaml';

/** One alerting rule, as it goes into a PrometheusRule group. */
export interface AlertRule {
  /** Alert name, e.g. `VeleroBackupFailed`. Several rules may share one (one per schedule). */
  readonly alert: string;
  /** PromQL; checked against the Velero metrics catalog at synth. */
  readonly expr: string;
  /** How long the expression must hold before the alert fires, a Prometheus duration (`15m`). @default - fires at once */
  readonly for?: string;
  /** Static labels; `severity` is required. */
  readonly labels: Readonly<Record<string, string>>;
  /** `summary` and `description` are required; templates may use `{{ $labels.<name> }}` only. */
  readonly annotations: Readonly<Record<string, string>>;
}

/** One input series of a promtool test: a selector and promtool's expanding notation (`0+60x100 _x5 7`). */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** One promtool case: input series, an evaluation time, and which alerts of `rule` must fire then. */
export interface AlertTestCase {
  /** What the case shows, e.g. `daily-critical-pvcs: 2 h late stays silent`. */
  readonly name: string;
  /** The rule under test; every rule with the same alert name takes part in the evaluation. */
  readonly rule: AlertRule;
  /** Spacing of the input samples. @default '1m' */
  readonly interval?: string;
  readonly series: readonly InputSeries[];
  /** Evaluation time from the start of the series, a Prometheus duration (`26h10m`). */
  readonly evalTime: string;
  /**
   * The expression labels of every alert expected to be firing at `evalTime` (the rule's static labels
   * and the expanded annotations are added); empty means the alert stays silent.
   */
  readonly firing: readonly Readonly<Record<string, string>>[];
}

/** Expands the `{{ $labels.<name> }}` templates of an annotation, the only form the rules use. */
export function expandTemplate(template: string, labels: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{-?\s*([^}]*?)\s*-?\}\}/g, (whole, inner: string) => {
    const m = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner);
    if (!m) throw new Error(`promtool: template '${whole}' is not supported here; use only {{ $labels.<name> }}`);
    return labels[m[1]] ?? '';
  });
}

/** A Prometheus rule file (`groups:`), e.g. the `spec` of a rendered PrometheusRule. */
export interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly Record<string, unknown>[] }[];
}

/**
 * The rule file reduced to the rules of the given alerts (groups without any are dropped). promtool
 * evaluates every rule of its rule files at every step of a test, so testing each alert against a file
 * with only its own rules keeps week-long cases fast; the rules are the rendered ones, unchanged.
 */
export function ruleFileFor(ruleFile: RuleFile, alerts: readonly string[]): RuleFile {
  return {
    groups: ruleFile.groups
      .map((g) => ({ ...g, rules: g.rules.filter((r) => alerts.includes(r.alert as string)) }))
      .filter((g) => g.rules.length > 0),
  };
}

/**
 * The YAML of a promtool unit-test file for `cases`, reading the rules from `ruleFile`. Cases of the same
 * alert with the same input series and interval share one test group, one `alert_rule_test` entry each
 * (the group's name lists theirs): promtool evaluates the rules once per group up to its latest
 * `eval_time`, and the evaluations before each case's own `eval_time` are the same in either form.
 */
export function renderRuleTests(ruleFile: string, cases: readonly AlertTestCase[], evaluationInterval = '1m'): string {
  const groups = new Map<string, AlertTestCase[]>();
  for (const c of cases) {
    const key = JSON.stringify([c.rule.alert, c.interval ?? '1m', c.series.map((s) => [s.series, s.values])]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  return stringify(
    {
      rule_files: [ruleFile],
      evaluation_interval: evaluationInterval,
      tests: [...groups.values()].map((group) => ({
        name: group.map((c) => c.name).join(' | '),
        interval: group[0].interval ?? '1m',
        input_series: group[0].series.map((s) => ({ series: s.series, values: s.values })),
        alert_rule_test: group.map((c) => ({
          eval_time: c.evalTime,
          alertname: c.rule.alert,
          exp_alerts: c.firing.map((labels) => ({
            exp_labels: { ...c.rule.labels, ...labels },
            exp_annotations: Object.fromEntries(
              Object.entries(c.rule.annotations).map(([k, v]) => [k, expandTemplate(v, labels)]),
            ),
          })),
        })),
      })),
    },
    { lineWidth: 0 },
  );
}

/** One promtool test file and the rule file it reads. */
export interface PromtoolTestFile {
  /** File name of the rules, e.g. `rules-VeleroBackupDelayed-5m.yaml`. */
  readonly rulesName: string;
  readonly rules: string;
  /** File name of the tests, e.g. `tests-VeleroBackupDelayed-5m.yaml`. */
  readonly testsName: string;
  readonly tests: string;
}

/**
 * The promtool test files for `cases`: one per alert name and sample interval, each evaluating the rules
 * at that interval against a rule file with only that alert's rules (`ruleFileFor`), so that cases spanning
 * a week evaluate every 5 minutes rather than every minute.
 */
export function promtoolTestFiles(ruleFile: RuleFile, cases: readonly AlertTestCase[]): PromtoolTestFile[] {
  const buckets = new Map<string, { alert: string; interval: string; cases: AlertTestCase[] }>();
  for (const c of cases) {
    const interval = c.interval ?? '1m';
    const key = `${c.rule.alert}-${interval}`;
    if (!buckets.has(key)) buckets.set(key, { alert: c.rule.alert, interval, cases: [] });
    buckets.get(key)!.cases.push(c);
  }
  return [...buckets.entries()].map(([key, b]) => {
    const rulesName = `rules-${key}.yaml`;
    return {
      rulesName,
      rules: stringify(ruleFileFor(ruleFile, [b.alert]), { lineWidth: 0 }),
      testsName: `tests-${key}.yaml`,
      tests: renderRuleTests(rulesName, b.cases, b.interval),
    };
  });
}

/** The repository root: the nearest directory above this file with a package.json (lib/alerts/ or .build/). */
function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}
const REPO_ROOT = repoRoot();

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The promtool binary: `$PROMTOOL` if set, else `.tools/promtool` (scripts/install-promtool.sh), else
 * `promtool` on PATH; undefined when there is none.
 */
export function findPromtool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PROMTOOL) {
    if (!executable(env.PROMTOOL)) throw new Error(`promtool: PROMTOOL='${env.PROMTOOL}' is not an executable file`);
    return env.PROMTOOL;
  }
  const local = join(REPO_ROOT, '.tools', 'promtool');
  if (executable(local)) return local;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'promtool'))) return join(dir, 'promtool');
  }
  return undefined;
}

export interface PromtoolResult {
  /** True when promtool exited 0. */
  readonly ok: boolean;
  /** stdout and stderr together. */
  readonly output: string;
}

const TIMEOUT_MS = 300_000;

function run(promtool: string, args: string[]): PromtoolResult {
  const r = spawnSync(promtool, args, { encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.error) throw new Error(`promtool: could not run '${promtool} ${args.join(' ')}': ${r.error.message}`);
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function runAsync(promtool: string, args: string[]): Promise<PromtoolResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(promtool, args, { encoding: 'utf8', timeout: TIMEOUT_MS }, (error, stdout, stderr) => {
      // a non-zero exit is a result; only a failure to run at all is an error
      if (error && typeof error.code !== 'number') {
        reject(new Error(`promtool: could not run '${promtool} ${args.join(' ')}': ${error.message}`));
        return;
      }
      resolvePromise({ ok: !error, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * `promtool check rules --lint-fatal <files>`: syntax, PromQL, and duplicate rules (same alert name and
 * labels) as an error, not a warning.
 */
export function checkRules(promtool: string, ...ruleFiles: string[]): PromtoolResult {
  return run(promtool, ['check', 'rules', '--lint-fatal', ...ruleFiles]);
}

/** `promtool test rules <file>`: runs the unit tests (rule_files resolve relative to the test file). */
export function testRules(promtool: string, testFile: string): PromtoolResult {
  return run(promtool, ['test', 'rules', testFile]);
}

/** `testRules`, without blocking: run several files at once. */
export function testRulesAsync(promtool: string, testFile: string): Promise<PromtoolResult> {
  return runAsync(promtool, ['test', 'rules', testFile]);
}

/**
 * `promtool test rules <files...>` in one process (one start-up instead of one per file), with the result
 * of each file split out of the report (promtool prints `Unit Testing:  <file>` before each).
 */
export async function testRulesFilesAsync(
  promtool: string,
  testFiles: readonly string[],
): Promise<Map<string, PromtoolResult>> {
  const all = await runAsync(promtool, ['test', 'rules', ...testFiles]);
  const sections = all.output.split(/^Unit Testing: +/m).slice(1);
  const results = new Map<string, PromtoolResult>();
  for (const file of testFiles) {
    const section = sections.find((x) => x.split('\n', 1)[0].trim() === file);
    if (!section) {
      results.set(file, { ok: false, output: `promtool printed no result for ${file}:\n${all.output}` });
      continue;
    }
    const body = section.slice(section.indexOf('\n') + 1);
    results.set(file, {
      ok: /^\s*SUCCESS\s*$/.test(body.split('\n').find((l) => l.trim()) ?? ''),
      output: `Unit Testing:  ${section}`,
    });
  }
  return results;
}
