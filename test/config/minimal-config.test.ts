/**
 * Issue 23, "a minimal config (one location, one schedule) synthesizes": with no CSI driver named the stack renders
 * no VolumeSnapshotClass and no snapshot-controller, BACKUP-PLAN.md and `npm run plan` warn, and PVCNotSnapshottable
 * counts no provisioner as snapshot-capable, so it fires for every PVC only CSI snapshots would protect. Once through
 * the real CLI (a YAML file, child processes), once in-process through BackupStack.
 */
import { NO_REPOSITORY_WARNING } from '../../lib/plan/plan';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse, stringify } from 'yaml';
import { BackupStack } from '../../constructs/backup-stack';
import { UNSNAPSHOTTABLE_ALERT } from '../../lib/alerts/unsnapshottable-volume';
import { checkRules, renderRuleTests, testRules, type AlertRule } from '../../lib/alerts/promtool';
import type { BackupStackConfig } from '../../lib/config/types';
import { renderApp } from '../../lib/output/output';
import { backupPlan, renderPlanMarkdown } from '../../lib/plan/plan';
import { NO_DRIVER_PLAN_WARNING } from '../fixtures/bad-inputs-csi';
import { type CliRun, runCommands } from '../fixtures/checkout';
import { promtool, testPromtool } from '../fixtures/promtool';

const MINIMAL: BackupStackConfig = {
  storageLocations: [{ provider: 's3', bucket: 'velero', region: 'us-east-1' }],
  schedules: [{ name: 'daily', schedule: '0 3 * * *', includedNamespaces: ['apps'] }],
};
const stackOf = (config: BackupStackConfig) => new BackupStack(new App(), 'Stack', config);
/** The stack's own promtool cases for PVCNotSnapshottable (the rule's case DSL). */
const casesOf = (stack: BackupStack) => stack.alerts.testCases.filter((t) => t.rule.alert === UNSNAPSHOTTABLE_ALERT);

/** Runs `rule` against `cases` under promtool; the promtool output when a case fails. */
function prove(rule: AlertRule, cases: ReturnType<typeof casesOf>): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'minimal-promtool-'));
  try {
    const file = { groups: [{ name: 'velero.coverage', rules: [rule] }] };
    writeFileSync(join(dir, 'rules.yaml'), stringify(file, { lineWidth: 0 }));
    writeFileSync(join(dir, 'tests.yaml'), renderRuleTests('rules.yaml', cases, '1m'));
    expect(checkRules(promtool!, join(dir, 'rules.yaml')).output).toContain('SUCCESS');
    const run = testRules(promtool!, join(dir, 'tests.yaml'));
    return { ok: run.ok, output: run.ok ? '' : run.output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the minimal config through the CLI (YAML file; synth, validate and plan in one child process)', () => {
  let dir: string;
  let config: string;
  let out: string;
  let synth: CliRun;
  let validate: CliRun;
  let plan: CliRun;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'minimal-config-'));
    config = join(dir, 'velero-cdk8s.yaml');
    out = join(dir, 'out');
    writeFileSync(config, stringify(MINIMAL));
    // the commands one after another through the loader and entry of scripts/velero-cdk8s.mjs (runCommands)
    [synth, validate, plan] = runCommands([
      { argv: ['synth', '--config', config, '--out', out] },
      { argv: ['validate', '--config', config, out] },
      { argv: ['plan', '--config', config], cwd: dir },
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files = (folder: string) => readdirSync(join(out, folder));
  const ruleFromOutput = (): AlertRule => {
    const file = files('velero').find((f) => f.startsWith('PrometheusRule_'))!;
    const rules = parse(readFileSync(join(out, 'velero', file), 'utf8')).spec.groups.flatMap((g: any) => g.rules);
    return rules.find((r: { alert?: string }) => r.alert === UNSNAPSHOTTABLE_ALERT);
  };

  test('synthesizes, with no csi-snapshots folder', () => {
    expect(synth.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['BACKUP-PLAN.md', 'applications', 'bootstrap', 'velero']);
  });

  test('renders no VolumeSnapshotClass and no snapshot-controller', () => {
    const names = readdirSync(out, { recursive: true }).map(String);
    expect(names.filter((f) => /VolumeSnapshotClass|snapshot-controller/.test(f))).toEqual([]);
  });

  test('validates against the schemas (npm run validate -- --config FILE DIR)', () => {
    const r = validate;
    expect({ status: r.code, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: `validate: ${out} is valid` });
  });

  test('BACKUP-PLAN.md opens with the warning and repeats it in its CSI and off-site sections', () => {
    const plan = readFileSync(join(out, 'BACKUP-PLAN.md'), 'utf8');
    expect(plan.split('\n## ')[0]).toContain(`> **Warning:** ${NO_DRIVER_PLAN_WARNING}`);
    const section = (title: string) => plan.split(`\n## ${title}\n`)[1].split('\n## ')[0];
    expect(section('CSI snapshots')).toContain('No CSI driver named, so volume data is not backed up by snapshots.');
    expect(section('Off-site status')).toContain('No CSI driver named, so volume data is not backed up by snapshots.');
  });

  test('npm run synth prints the warnings (no CSI driver, no Git repository), and nothing else on stderr', () => {
    expect(synth.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^synth: WARNING: No CSI driver named, so/),
      `synth: WARNING: ${NO_REPOSITORY_WARNING}`,
    ]);
    expect(synth.stderr).toContain(NO_DRIVER_PLAN_WARNING);
  });

  test('npm run plan -- --config FILE prints the warning', () => {
    const r = plan;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`WARNING: ${NO_DRIVER_PLAN_WARNING}`);
  });

  test('the rendered PVCNotSnapshottable counts no provisioner as snapshot-capable', () => {
    expect(ruleFromOutput().expr).toBe(
      'max by (namespace, persistentvolumeclaim, storageclass) (kube_persistentvolumeclaim_info{namespace=~"apps"})',
    );
  });

  testPromtool(
    "the rendered PVCNotSnapshottable fires for PVCs in 'apps' on any class, a CSI driver's included",
    () => {
      const cases = casesOf(stackOf(MINIMAL)).map((c) => ({ ...c, rule: ruleFromOutput() }));
      expect(
        cases
          .filter((c) => c.firing.length)
          .map((c) => c.series.map((s) => s.series.match(/storageclass="([^"]+)"/)![1])[0]),
      ).toEqual(expect.arrayContaining(['local-path', 'longhorn']));
      expect(prove(ruleFromOutput(), cases)).toEqual({ ok: true, output: '' });
    },
  );
});

describe('the minimal config in-process (BackupStack)', () => {
  test('has no snapshot stack and says the driver is missing', () => {
    const stack = stackOf(MINIMAL);
    expect({ snapshots: stack.snapshots, csiDriverMissing: stack.csiDriverMissing }).toEqual({
      snapshots: undefined,
      csiDriverMissing: true,
    });
  });

  test('renders no VolumeSnapshotClass, no snapshot-controller and no external-snapshotter CRD source', () => {
    const objects = renderApp(stackOf(MINIMAL).node.scope as App).map((o) => o.object as any);
    expect(
      objects.filter((o) => o.kind === 'VolumeSnapshotClass' || o.metadata.name === 'snapshot-controller'),
    ).toEqual([]);
    expect(JSON.stringify(objects.filter((o) => o.kind === 'Application'))).not.toContain('external-snapshotter');
  });

  test('its plan opens with the warning', () => {
    const plan = renderPlanMarkdown(backupPlan(stackOf(MINIMAL).plan));
    expect(plan.split('\n## ')[0]).toContain(`> **Warning:** ${NO_DRIVER_PLAN_WARNING}`);
  });

  test.each([
    ['a driver named', { csi: { volumeSnapshotClass: { driver: 'driver.longhorn.io' } } }],
    ['CSI off', { csi: { enabled: false }, release: { csiSnapshots: false } }],
  ] as const)('with %s, the plan carries no warning', (_what, more) => {
    const plan = renderPlanMarkdown(backupPlan(stackOf({ ...MINIMAL, ...more } as BackupStackConfig).plan));
    expect(plan).not.toContain('No CSI driver named');
  });

  testPromtool('its PVCNotSnapshottable cases hold under promtool, a PVC on a Longhorn class firing', () => {
    const stack = stackOf(MINIMAL);
    const cases = casesOf(stack);
    expect(cases.map((c) => c.name)).toContain(
      "PVCNotSnapshottable: no CSI driver named: a PVC on a class of driver.longhorn.io in 'apps' fires too",
    );
    expect(prove(cases[0].rule, cases)).toEqual({ ok: true, output: '' });
  });
});
