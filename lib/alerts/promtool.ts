/**
 * promtool, the Prometheus project's rule checker and rule unit-test runner: finding the binary,
 * running `check rules` / `test rules`, and the typed model of rules and test cases that
 * the alert families of lib/alerts/ build and BackupAlerts renders and proves (`scripts/install-promtool.sh` installs it).
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { parse, stringify } from 'yaml';

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

/** The promtool line the alert tests are proven on (scripts/install-promtool.sh installs it). */
export const PROMTOOL_MAJOR = 3;

/** promtool's version (`promtool, version 3.5.3+ds1 ...`), e.g. `3.5.3`; throws when it prints none. */
export function promtoolVersion(promtool: string): string {
  const r = spawnSync(promtool, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const m = /^promtool, version (\d+\.\d+\.\d+)/m.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  if (!m) throw new Error(`promtool: '${promtool} --version' printed no version: ${r.error?.message ?? r.stdout}`);
  return m[1];
}

/**
 * The promtool binary: `$PROMTOOL` if set, else `.tools/promtool` (scripts/install-promtool.sh), else
 * `promtool` on PATH; undefined when there is none. One of another line than PROMTOOL_MAJOR is an explicit
 * error, not a skip: an older promtool proves other semantics (2.x range selectors are closed on the left).
 */
export function findPromtool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const promtool = promtoolCandidate(env);
  if (!promtool) return undefined;
  const version = promtoolVersion(promtool);
  if (Number(version.split('.')[0]) !== PROMTOOL_MAJOR) {
    throw new Error(
      `promtool: ${promtool} is promtool ${version}; the alert tests are proven on promtool ${PROMTOOL_MAJOR}.x: run \`bash scripts/install-promtool.sh\``,
    );
  }
  return promtool;
}

function promtoolCandidate(env: NodeJS.ProcessEnv): string | undefined {
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
  /** True when promtool ran every test group (or checked every rule file) and reported no failure. */
  readonly ok: boolean;
  /** What promtool reported: `SUCCESS ...`, or the failures and errors. */
  readonly output: string;
}

/** promtool printed or wrote something the runner cannot read: neither a pass nor a fail. */
export class PromtoolOutputError extends Error {
  constructor(message: string, output: string) {
    super(`promtool: ${message} (neither a pass nor a fail; promtool said:\n${output.slice(0, 4000)})`);
    this.name = 'PromtoolOutputError';
  }
}

const TIMEOUT_MS = 300_000;

interface Exit {
  readonly status: number;
  readonly output: string;
}

function run(promtool: string, args: string[]): Exit {
  const r = spawnSync(promtool, args, { encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.error || r.status === null) {
    throw new Error(`promtool: could not run '${promtool} ${args.join(' ')}': ${r.error?.message ?? r.signal}`);
  }
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function runAsync(promtool: string, args: string[]): Promise<Exit> {
  return new Promise((resolvePromise, reject) => {
    execFile(promtool, args, { encoding: 'utf8', timeout: TIMEOUT_MS }, (error, stdout, stderr) => {
      // a non-zero exit is a result; only a failure to run at all is an error
      if (error && typeof error.code !== 'number') {
        reject(new Error(`promtool: could not run '${promtool} ${args.join(' ')}': ${error.message}`));
        return;
      }
      resolvePromise({ status: error ? (error.code as number) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * Reads `promtool check rules` output: every file must have its `Checking <file>` line followed by
 * `SUCCESS: <n> rules found` (n > 0) or `FAILED:`, and the exit code must agree; anything else throws.
 */
export function parseCheckRules(files: readonly string[], exit: Exit): PromtoolResult {
  const verdicts = files.map((file) => {
    const at = exit.output.indexOf(`Checking ${file}\n`);
    if (at < 0) throw new PromtoolOutputError(`no 'Checking ${file}' in the output of check rules`, exit.output);
    const next =
      exit.output
        .slice(at)
        .split('\n')
        .slice(1)
        .find((l) => l.trim()) ?? '';
    if (/^\s*SUCCESS: [1-9]\d* rules found\s*$/.test(next)) return true;
    if (/^\s*FAILED:/.test(next)) return false;
    throw new PromtoolOutputError(`no SUCCESS or FAILED line for ${file} in the output of check rules`, exit.output);
  });
  const ok = verdicts.every(Boolean);
  if (ok !== (exit.status === 0)) {
    throw new PromtoolOutputError(
      `check rules exited ${exit.status} but reported ${ok ? 'success' : 'a failure'}`,
      exit.output,
    );
  }
  return { ok, output: exit.output };
}

/**
 * `promtool check rules --lint-fatal <files>`: syntax, PromQL, and duplicate rules (same alert name and
 * labels) as an error, not a warning.
 */
export function checkRules(promtool: string, ...ruleFiles: string[]): PromtoolResult {
  return parseCheckRules(ruleFiles, run(promtool, ['check', 'rules', '--lint-fatal', ...ruleFiles]));
}

/** The test groups a promtool unit-test file declares (`tests[].name`): what its report must account for. */
function declaredGroups(testFile: string): string[] {
  const doc = parse(readFileSync(testFile, 'utf8')) as { tests?: { name?: string }[] } | null;
  return (doc?.tests ?? []).map((t) => t.name ?? '');
}

function text(el: Element): string {
  return el.textContent ?? '';
}

/**
 * Reads promtool's JUnit report (`test rules --junit`, the machine-readable form; promtool 3's console
 * output names no file) into one result per test file. A file without its own `<testsuite>`, a suite
 * that ran other test groups than the file declares (none, or missing ones), or an exit code that disagrees
 * with the report is a PromtoolOutputError, never a pass or a fail.
 */
export function parseJunit(testFiles: readonly string[], junit: string, exit: Exit): Map<string, PromtoolResult> {
  const errors: string[] = [];
  let doc: Document | undefined;
  try {
    doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && errors.push(msg)) }).parseFromString(
      junit,
      'text/xml',
    );
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (!doc || errors.length || doc.documentElement?.nodeName !== 'testsuites') {
    throw new PromtoolOutputError(
      `its JUnit report is not a <testsuites> document (${errors.join('; ')})`,
      exit.output,
    );
  }
  const suites = Array.from(doc.getElementsByTagName('testsuite'));
  const results = new Map<string, PromtoolResult>();
  for (const file of testFiles) {
    const suite = suites.find((s) => s.getAttribute('name') === file);
    if (!suite) throw new PromtoolOutputError(`no result for ${file} in its JUnit report`, exit.output);
    const cases = Array.from(suite.getElementsByTagName('testcase'));
    const problems = cases.flatMap((c) =>
      [...Array.from(c.getElementsByTagName('failure')), ...Array.from(c.getElementsByTagName('error'))].map(
        (f) => `  ${f.nodeName.toUpperCase()} in '${c.getAttribute('name')}':\n${text(f)}`,
      ),
    );
    const ran = cases.map((c) => c.getAttribute('name') ?? '');
    const declared = problems.length ? ran : declaredGroups(file);
    const missing = declared.filter((name) => !ran.includes(name));
    if (!cases.length || missing.length) {
      throw new PromtoolOutputError(
        `${file}: the report has ${cases.length} test groups, missing ${JSON.stringify(missing)}`,
        exit.output,
      );
    }
    results.set(
      file,
      problems.length
        ? { ok: false, output: `${file}: FAILED\n${problems.join('\n')}` }
        : { ok: true, output: `${file}: SUCCESS (${cases.length} test groups)` },
    );
  }
  const allOk = [...results.values()].every((r) => r.ok);
  if (allOk !== (exit.status === 0)) {
    throw new PromtoolOutputError(
      `test rules exited ${exit.status} but its report says ${allOk ? 'all passed' : 'some failed'}`,
      exit.output,
    );
  }
  return results;
}

function junitArgs(testFiles: readonly string[]): { dir: string; report: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-junit-'));
  const report = join(dir, 'report.xml');
  return { dir, report, args: ['test', 'rules', `--junit=${report}`, ...testFiles] };
}

function readReport(report: string, exit: Exit): string {
  if (!existsSync(report)) throw new PromtoolOutputError('test rules wrote no JUnit report', exit.output);
  return readFileSync(report, 'utf8');
}

/** `promtool test rules <file>`: runs the unit tests (rule_files resolve relative to the test file). */
export function testRules(promtool: string, testFile: string): PromtoolResult {
  const { dir, report, args } = junitArgs([testFile]);
  try {
    const exit = run(promtool, args);
    return parseJunit([testFile], readReport(report, exit), exit).get(testFile)!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `testRules`, without blocking: run several files at once. */
export async function testRulesAsync(promtool: string, testFile: string): Promise<PromtoolResult> {
  return (await testRulesFilesAsync(promtool, [testFile])).get(testFile)!;
}

/**
 * `promtool test rules <files...>` in one process (one start-up instead of one per file), with the result
 * of each file read from promtool's JUnit report (`parseJunit`).
 */
export async function testRulesFilesAsync(
  promtool: string,
  testFiles: readonly string[],
): Promise<Map<string, PromtoolResult>> {
  const { dir, report, args } = junitArgs(testFiles);
  try {
    const exit = await runAsync(promtool, args);
    return parseJunit(testFiles, readReport(report, exit), exit);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
