/**
 * The Grafana dashboard (constructs/backup-dashboard.ts, lib/dashboard/): the ConfigMap kube-prometheus-stack's
 * sidecar loads, and every panel's query evaluated by promtool against the series of the alerts' own promtool
 * cases: under each case where an alert stays silent its panel shows data, under each case where it fires
 * its panel shows the failure (red); the panels no alert backs show data under their healthy series.
 *
 * promtool evaluates queries only as rules: each panel target becomes an alert `DashboardData_<k>` on
 * `count(<query>)` (firing = the panel has data) and each panel `DashboardFailing_<j>` on the count of its
 * targets that meet its failure comparison (firing = the panel is red).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import type { AlertRule, AlertTestCase } from '../../constructs/backup-alerts';
import { BackupStack } from '../../constructs/backup-stack';
import type { BackupStackConfig } from '../../lib/config/types';
import { findPromtool, renderRuleTests, testRulesFilesAsync, type PromtoolResult } from '../../lib/alerts/promtool';
import type { DashboardPanel } from '../../lib/dashboard/panels';
import { thresholdSteps } from '../../lib/dashboard/grafana';
import { buildStack, SEED_CONFIG } from '../fixtures/seed';
import { renderApp } from '../../lib/output/output';

const promtool = findPromtool();
interface Placed {
  readonly row: string;
  readonly panel: DashboardPanel;
  readonly index: number;
}

/** The seed's dashboard on a Velero line, with its panels, targets and the alert cases that evaluate them. */
function underTest(version?: string) {
  const seed = buildStack(version ? { version } : {});
  const dashboard = seed.stack.dashboard!;

  const PANELS: Placed[] = dashboard.rows
    .flatMap((r) => r.panels.map((panel) => ({ row: r.title, panel })))
    .map((p, index) => ({ ...p, index }));
  const TARGETS = PANELS.flatMap((p) => p.panel.targets.map((t) => ({ ...p, expr: t.expr })));

  const rule = (alert: string, expr: string): AlertRule => ({ alert, expr, labels: {}, annotations: {} });
  const dataRule = (k: number) => rule(`DashboardData_${k}`, `count(${TARGETS[k].expr})`);
  const failingRule = (p: Placed) =>
    rule(
      `DashboardFailing_${p.index}`,
      p.panel.targets
        .flatMap((t) => p.panel.failing.map((f) => `count((${t.expr}) ${f.op} ${f.value})`))
        .join(' or ') || 'vector(1) == 0',
    );

  /** The row of an alert case: its rule's schedule; for a rule over every schedule, the schedule its series carry. */
  function rowOf(c: AlertTestCase): string {
    const fromSeries = () => c.series.map((s) => /schedule="([^"]*)"/.exec(s.series)?.[1]).find((x) => x !== undefined);
    const schedule = c.rule.labels.schedule ?? (c.rule.expr.includes('schedule!=""') ? fromSeries() : undefined);
    return schedule ? `Schedule ${schedule}` : 'Velero server and storage';
  }
  /** The panel that shows the case's rule in its row. */
  function panelOf(c: AlertTestCase): Placed | undefined {
    return PANELS.find((p) => p.row === rowOf(c) && p.panel.sources.includes(c.rule.expr));
  }

  const cases = seed.alerts.testCases;
  const silent = cases.filter((c) => c.firing.length === 0);
  const firing = cases.filter((c) => c.firing.length > 0);

  /** The promtool cases, each with the panel it evaluates: data under silent cases and healthy series, red under firing ones. */
  function dashboardCases(): { panel: number; case: AlertTestCase }[] {
    const out: { panel: number; case: AlertTestCase }[] = [];
    const data = (p: Placed, c: AlertTestCase, name: string) =>
      TARGETS.forEach((t, k) => {
        if (t.index === p.index) out.push({ panel: p.index, case: { ...c, name, rule: dataRule(k), firing: [{}] } });
      });
    for (const c of silent) {
      const p = panelOf(c)!;
      data(p, c, `${c.name}: '${p.panel.title}' shows data`);
    }
    for (const c of firing) {
      const p = panelOf(c)!;
      out.push({
        panel: p.index,
        case: { ...c, name: `${c.name}: '${p.panel.title}' is red`, rule: failingRule(p), firing: [{}] },
      });
    }
    for (const p of PANELS) {
      const h = p.panel.healthy;
      if (h) {
        const c = {
          name: '',
          rule: dataRule(0),
          interval: h.interval,
          evalTime: h.evalTime,
          series: [...h.series],
          firing: [],
        };
        data(p, c, `healthy: '${p.panel.title}' shows data`);
      }
    }
    return out;
  }
  return { seed, dashboard, PANELS, TARGETS, dataRule, failingRule, panelOf, cases, silent, firing, dashboardCases };
}

const { seed, dashboard, PANELS, TARGETS, panelOf, cases } = underTest();

/** The rendered dashboard ConfigMap of an app. */
const configMapOf = (app: App): any =>
  renderApp(app)
    .map((r) => r.object as any)
    .find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'velero-dashboard');

describe('the ConfigMap', () => {
  const cm = configMapOf(seed.app);
  test.each([
    ['labelled for the sidecar', (c: any) => c.metadata.labels.grafana_dashboard, '1'],
    ['in the Velero namespace', (c: any) => c.metadata.namespace, 'velero'],
    ['no folder annotation by default', (c: any) => c.metadata.annotations, undefined],
    ['the dashboard JSON under velero.json', (c: any) => JSON.parse(c.data['velero.json']).uid, 'velero-dashboard'],
  ])('%s', (_name, get, expected) => {
    expect(get(cm)).toEqual(expected);
  });
});

const stackWith = (dashboardConfig: BackupStackConfig['dashboard']) =>
  new BackupStack(new App(), 'S', { ...(SEED_CONFIG as BackupStackConfig), dashboard: dashboardConfig });

describe('the config switches', () => {
  test('dashboard.enabled: false renders none', () => {
    expect(stackWith({ enabled: false }).dashboard).toBeUndefined();
  });
  test.each([
    [{ folder: 'Backups' }, { grafana_folder: 'Backups' }],
    [
      { folder: 'Backups', folderAnnotation: 'k8s-sidecar-target-directory' },
      { 'k8s-sidecar-target-directory': 'Backups' },
    ],
  ])('%j annotates the folder', (config, annotations) => {
    const s = stackWith(config);
    const cm = s.node
      .findAll()
      .map((c: any) => c.toJson?.())
      .find((o: any) => o?.kind === 'ConfigMap' && o.metadata.name === 'velero-dashboard');
    expect(cm.metadata.annotations).toEqual(annotations);
  });
});

describe('the panels', () => {
  test('every alert of the stack has a panel in every row its cases belong to', () => {
    for (const c of cases)
      expect({ case: c.name, panel: panelOf(c)?.panel.title }).toEqual({ case: c.name, panel: expect.any(String) });
  });

  test('a panel per schedule shows the age of its last success against its own thresholds', () => {
    const age = PANELS.filter((p) => p.panel.title === 'Age of the last Completed backup').map((p) => [
      p.row,
      p.panel.failing.map((f) => f.value),
    ]);
    expect(age).toEqual([
      ['Schedule daily-critical-pvcs', [108000, 2332800]],
      ['Schedule weekly-cluster-resources', [691200, 7516800]],
    ]);
  });

  test.each([
    [[{ op: '>', value: 0 }], 0, 'green'],
    [[{ op: '>', value: 0 }], 1, 'red'],
    [[{ op: '<', value: 1 }], 0, 'red'],
    [[{ op: '<', value: 1 }], 1, 'green'],
    [[{ op: '==', value: 1 }], 1, 'red'],
    [[{ op: '==', value: 1 }], 0, 'green'],
  ] as const)('Grafana colours %j at %d %s', (failing, value, color) => {
    const steps = thresholdSteps(failing);
    const step = [...steps].reverse().find((s) => s.value === null || value >= s.value)!;
    expect(step.color).toBe(color);
  });

  test('the dashboard JSON carries every query, once per panel target', () => {
    const cm = parse(JSON.stringify(dashboard.dashboard));
    const exprs = (cm.panels as any[]).flatMap((p) => (p.targets ?? []).map((t: any) => t.expr));
    expect(exprs).toEqual(TARGETS.map((t) => t.expr));
  });
});

(promtool ? describe.each : describe.skip.each)([
  ['the seed (v1.15: the location phase from kube-state-metrics)', undefined],
  ['v1.18.2 (velero_backup_location_status_gauge)', 'v1.18.2'],
])('promtool: every panel against the alert cases, %s', (_line, version) => {
  const { PANELS, TARGETS, dataRule, failingRule, panelOf, silent, dashboardCases } = underTest(version);
  const all = dashboardCases();
  const results = new Map<string, PromtoolResult>();
  let dir: string;

  /** One rule file per panel (its data rules and its failure rule: promtool evaluates every rule at every step) and interval. */
  const filesOf = (cs: { panel: number; case: AlertTestCase }[], prefix: string) => {
    const buckets = new Map<string, { panel: number; cases: AlertTestCase[]; interval: string }>();
    for (const { panel, case: c } of cs) {
      const interval = c.interval ?? '1m';
      const key = `${prefix}${panel}-${interval}`;
      if (!buckets.has(key)) buckets.set(key, { panel, cases: [], interval });
      buckets.get(key)!.cases.push(c);
    }
    return [...buckets.entries()].map(([key, b]) => {
      const rules = [
        ...TARGETS.flatMap((t, k) => (t.index === b.panel ? [dataRule(k)] : [])),
        failingRule(PANELS[b.panel]),
      ];
      return {
        key,
        rules: JSON.stringify({
          groups: [{ name: 'dashboard', rules: rules.map((r) => ({ alert: r.alert, expr: r.expr })) }],
        }),
        tests: renderRuleTests(`rules-${key}.yaml`, b.cases, b.interval),
      };
    });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-promtool-'));
    // not vacuous: a silent delayed case expected to show red must fail
    const delayed = silent.find((c) => c.rule.alert === 'VeleroBackupDelayed')!;
    const p = panelOf(delayed)!;
    const mutant = { panel: p.index, case: { ...delayed, name: 'mutant', rule: failingRule(p), firing: [{}] } };
    const files = [...filesOf(all, ''), ...filesOf([mutant], 'mutant-')];
    for (const f of files) {
      writeFileSync(join(dir, `rules-${f.key}.yaml`), f.rules);
      writeFileSync(join(dir, `tests-${f.key}.yaml`), f.tests);
    }
    const byPath = await testRulesFilesAsync(
      promtool!,
      files.map((f) => join(dir, `tests-${f.key}.yaml`)),
    );
    for (const f of files) results.set(f.key, byPath.get(join(dir, `tests-${f.key}.yaml`))!);
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every panel is evaluated: under a silent case or its healthy series, and every alert-backed one under a firing case', () => {
    const shown = new Set(all.filter((c) => c.case.rule.alert.startsWith('DashboardData_')).map((c) => c.panel));
    expect(PANELS.filter((p) => !shown.has(p.index)).map((p) => `${p.row}: ${p.panel.title}`)).toEqual([]);
    const red = new Set(all.filter((c) => c.case.rule.alert.startsWith('DashboardFailing_')).map((c) => c.panel));
    expect(
      PANELS.filter((p) => p.panel.failing.length && !red.has(p.index)).map((p) => `${p.row}: ${p.panel.title}`),
    ).toEqual([]);
  });

  test.each(PANELS.map((p) => [`${p.row}: ${p.panel.title}`, p.index] as const))(
    '%s: data where its alert is silent, red where it fires',
    (_name, index) => {
      const mine = [...results.entries()].filter(([k]) => k.startsWith(`${index}-`));
      expect(mine.length).toBeGreaterThan(0);
      for (const [, r] of mine) if (!r.ok) throw new Error(r.output);
    },
  );

  test('the harness is not vacuous: a healthy age expected red fails', () => {
    const [, r] = [...results.entries()].find(([k]) => k.startsWith('mutant-'))!;
    expect(r.ok).toBe(false);
    expect(r.output).toContain('FAILED');
  });
});
