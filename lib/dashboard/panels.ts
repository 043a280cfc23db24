/**
 * The panels of the Velero dashboard, derived from the stack's alert rules so that what the dashboard shows
 * red is exactly what pages: each alert's expression split into the value it compares and the comparison
 * (`time() - max(...) > 108000` -> the age, red above 30h). A rule that is no comparison (`absent(X)`, a
 * list of PVCs) becomes a count (`count(X) or on () vector(0)`), red below 1 or above 0. Per schedule, the
 * rules of the whole set (`schedule!=""`) are narrowed to the schedule. A few panels show what no alert
 * watches (items, size, restore runs, the drill's duration); each brings a healthy series to prove it shows
 * data. test/dashboard/backup-dashboard.test.ts evaluates every panel with promtool against the alert cases' series.
 */
import type { AlertRule, InputSeries } from '../alerts/promtool';
import { series, stepFor, constant } from '../alerts/promtool-cases';

export type Comparison = '>' | '<' | '==' | '!=' | '>=' | '<=';

/** When a panel shows a failure: its value `op` `value` (PromQL semantics). */
export interface FailingWhen {
  readonly op: Comparison;
  readonly value: number;
}

export interface DashboardTarget {
  readonly expr: string;
  /** Grafana legend (`{{schedule}}`). */
  readonly legend: string;
}

export interface DashboardPanel {
  readonly title: string;
  readonly description: string;
  /** Grafana unit (`s`, `bytes`, `short`). */
  readonly unit: string;
  readonly style: 'stat' | 'timeseries';
  readonly targets: readonly DashboardTarget[];
  /** Any of these on any target is a failure (red); [] for a panel no alert backs. */
  readonly failing: readonly FailingWhen[];
  /** The alerts whose expressions the panel shows. */
  readonly alerts: readonly string[];
  /** Their expressions as the rules have them (before narrowing to the row's schedule). */
  readonly sources: readonly string[];
  /** For a panel no alert backs: series of a healthy system under which it shows data. */
  readonly healthy?: { readonly interval: string; readonly evalTime: string; readonly series: readonly InputSeries[] };
}

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly DashboardPanel[];
}

/** What the dashboard is built from: the stack's rules, schedules and drills. */
export interface DashboardInput {
  readonly rules: readonly AlertRule[];
  /** Active schedules, in order. */
  readonly schedules: readonly string[];
  /** Velero's namespace and metrics `job`. */
  readonly namespace: string;
  readonly job: string;
  /** The drills: the schedule each restores and its CronJob. */
  readonly drills: readonly { readonly schedule: string; readonly cronJob: string; readonly namespace: string }[];
}

/** Title and unit of the panel of each alert. */
const PANEL_OF: Readonly<
  Record<string, { title: string; unit: string; style?: 'timeseries'; absent?: string; server?: string }>
> = {
  VeleroBackupDelayed: { title: 'Age of the last Completed backup', unit: 's' },
  VeleroLastRestorePointExpiring: { title: 'Age of the last Completed backup', unit: 's' },
  VeleroBackupMetricAbsent: { title: 'Last-success metric present', unit: 'short', server: 'Velero server scraped' },
  VeleroBackupFailed: { title: 'Failed backups (1h)', unit: 'short', style: 'timeseries' },
  VeleroPartialBackupFailure: { title: 'Partially failed backups (1h)', unit: 'short', style: 'timeseries' },
  VeleroBackupDurationHigh: { title: 'Backup duration (average, 1d)', unit: 's', style: 'timeseries' },
  VeleroVolumeSnapshotLocationUnavailable: { title: 'Snapshot failures (1h)', unit: 'short', style: 'timeseries' },
  VeleroBackupStorageLocationUnavailable: { title: 'Storage location phase', unit: 'short' },
  VeleroBackupStorageLocationStatusMissing: { title: 'Storage location phase exported', unit: 'short' },
  VeleroRepositoryMaintenanceFailed: { title: 'Repository maintenance failures', unit: 'short' },
  PVCNotCoveredByBackup: { title: 'PVCs not covered by a backup', unit: 'short' },
  PVCNotSnapshottable: { title: 'PVCs not snapshottable', unit: 'short' },
  VeleroRestoreDrillFailed: { title: 'Restore drill: latest run failed', unit: 'short' },
  VeleroRestoreDrillStale: {
    title: 'Restore drill: age of the last success',
    unit: 's',
    absent: 'Restore drill: a success recorded',
  },
};

/** Paren depth of `s` outside string literals. */
function depth(s: string): number {
  let d = 0;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) d++;
    else if (')]}'.includes(c)) d--;
  }
  return d;
}

/** `expr` split at its top-level ` or `. */
function topLevelOr(expr: string): string[] {
  const parts: string[] = [];
  let rest = expr;
  let from = 0;
  for (;;) {
    const i = rest.indexOf(' or ', from);
    if (i < 0) break;
    if (depth(rest.slice(0, i)) === 0 && !/^ or on\b|^ or ignoring\b/.test(rest.slice(i))) {
      parts.push(rest.slice(0, i));
      rest = rest.slice(i + 4);
      from = 0;
    } else from = i + 1;
  }
  return [...parts, rest];
}

/** The value a rule expression compares and the comparison; a rule without one becomes a count. */
export function panelQueries(expr: string): { targets: string[]; failing: FailingWhen[] } {
  const parts = topLevelOr(expr);
  const compared = parts.map((p) => /^([\s\S]*\S)\s+(>=|<=|==|!=|>|<)\s+(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/.exec(p));
  if (compared.every((m) => m && depth(m[1]) === 0)) {
    const ops = compared.map((m) => ({ op: m![2] as Comparison, value: Number(m![3]) }));
    return {
      targets: compared.map((m) => m![1]),
      failing: ops.filter((o, i) => ops.findIndex((x) => x.op === o.op && x.value === o.value) === i),
    };
  }
  const absent = /^absent\(([\s\S]*)\)$/.exec(expr);
  if (absent && depth(absent[1]) === 0)
    return { targets: [`count(${absent[1]}) or on () vector(0)`], failing: [{ op: '<', value: 1 }] };
  return { targets: [`count(${expr}) or on () vector(0)`], failing: [{ op: '>', value: 0 }] };
}

/** One panel per distinct value: rules comparing the same value (the staleness alert and the guard) share it. */
function panelsOf(rules: readonly AlertRule[], narrow: (expr: string) => string): DashboardPanel[] {
  const panels: DashboardPanel[] = [];
  for (const rule of rules) {
    const { targets, failing } = panelQueries(narrow(rule.expr));
    const key = targets.join('\n');
    const same = panels.findIndex((p) => p.targets.map((t) => t.expr).join('\n') === key);
    if (same >= 0) {
      const p = panels[same];
      panels[same] = {
        ...p,
        failing: [...p.failing, ...failing],
        alerts: [...p.alerts, rule.alert],
        sources: [...p.sources, rule.expr],
        description: `${p.description}; ${rule.alert}`,
      };
      continue;
    }
    const of = PANEL_OF[rule.alert] ?? { title: rule.alert, unit: 'short' };
    const isAbsent = rule.expr.startsWith('absent(');
    const title = (isAbsent && (rule.labels.schedule ? of.absent : of.server)) || of.title;
    panels.push({
      title,
      unit: isAbsent ? 'short' : of.unit,
      description: `Red when the alert fires (without its for:): ${rule.alert}`,
      style: of.style ?? 'stat',
      targets: targets.map((expr) => ({ expr, legend: rule.labels.schedule ? '' : '{{schedule}}' })),
      failing,
      alerts: [rule.alert],
      sources: [rule.expr],
    });
  }
  return panels.map((p) => ({
    ...p,
    description: `${p.description}. Red when ${p.failing.map((f) => `${f.op} ${f.value}`).join(' or ')}.`,
  }));
}

const HEALTHY_HORIZON = 2 * 3600;

/** A panel no alert backs, with the healthy series that prove it shows data. */
function infoPanel(
  title: string,
  unit: string,
  targets: DashboardTarget[],
  healthy: InputSeries[],
  style: 'stat' | 'timeseries' = 'stat',
): DashboardPanel {
  return {
    title,
    description: `${title}: informational, no alert backs it.`,
    unit,
    style,
    targets,
    failing: [],
    alerts: [],
    sources: [],
    healthy: { interval: '1m', evalTime: '2h', series: healthy },
  };
}

/** How long the drill's Jobs ran (kube-state-metrics), with a healthy 15-minute run as its proof. */
function drillDurationPanel(drill: DashboardInput['drills'][number]): DashboardPanel {
  const step = stepFor(HEALTHY_HORIZON, 60);
  const ns = `namespace="${drill.namespace}"`;
  const job = { namespace: drill.namespace, job_name: `${drill.cronJob}-29000000` };
  const owner = `max by (namespace, job_name) (kube_job_owner{${ns}, owner_kind="CronJob", owner_name="${drill.cronJob}"})`;
  const ran = `max by (namespace, job_name) (kube_job_status_completion_time{${ns}}) - on (namespace, job_name) max by (namespace, job_name) (kube_job_status_start_time{${ns}})`;
  return infoPanel(
    'Restore drill: duration of its runs',
    's',
    [{ expr: `(${ran}) * on (namespace, job_name) group_left () ${owner}`, legend: '{{job_name}}' }],
    [
      {
        series: series('kube_job_owner', {
          ...job,
          owner_kind: 'CronJob',
          owner_name: drill.cronJob,
          owner_is_controller: 'true',
        }),
        values: constant(1, step),
      },
      { series: series('kube_job_status_start_time', job), values: constant(600, step) },
      { series: series('kube_job_status_completion_time', job), values: constant(1500, step) },
    ],
    'timeseries',
  );
}

/** The rows: the server and its storage, then one per schedule. */
export function dashboardRows(input: DashboardInput): DashboardRow[] {
  const { namespace, job } = input;
  const sel = (extra = '') => `job="${job}", namespace="${namespace}"${extra ? `, ${extra}` : ''}`;
  const step = stepFor(HEALTHY_HORIZON, 60);
  const perSet = (r: AlertRule) => r.expr.includes('schedule!=""');
  const global = input.rules.filter((r) => !r.labels.schedule && !perSet(r));
  const restores = ['success', 'failed', 'partial_failure'].map((what) => ({
    expr: `sum(increase(velero_restore_${what}_total{${sel()}}[1d]))`,
    legend: what,
  }));
  const restoreSeries = ['success', 'failed', 'partial_failure'].map((what) => ({
    series: series(`velero_restore_${what}_total`, { job, namespace, schedule: input.schedules[0] ?? 'any' }),
    values: what === 'success' ? `0+1x${step.samples - 1}` : constant(0, step),
  }));
  const rows: DashboardRow[] = [
    {
      title: 'Velero server and storage',
      panels: [
        ...panelsOf(global, (e) => e),
        infoPanel('Restore runs (1d)', 'short', restores, restoreSeries, 'timeseries'),
      ],
    },
  ];
  for (const schedule of input.schedules) {
    const own = input.rules.filter((r) => r.labels.schedule === schedule);
    const narrowed = input.rules.filter(perSet);
    const s = sel(`schedule="${schedule}"`);
    const l = { job, namespace, schedule };
    const panels = [
      ...panelsOf(own, (e) => e),
      ...panelsOf(narrowed, (e) => e.split('schedule!=""').join(`schedule="${schedule}"`)),
      infoPanel(
        'Items in the last backup',
        'short',
        [{ expr: `max(velero_backup_items_total{${s}})`, legend: '' }],
        [{ series: series('velero_backup_items_total', l), values: constant(1234, step) }],
      ),
      infoPanel(
        'Size of the last backup',
        'bytes',
        [{ expr: `max(velero_backup_tarball_size_bytes{${s}})`, legend: '' }],
        [{ series: series('velero_backup_tarball_size_bytes', l), values: constant(52_428_800, step) }],
      ),
    ];
    for (const drill of input.drills.filter((d) => d.schedule === schedule)) panels.push(drillDurationPanel(drill));
    rows.push({ title: `Schedule ${schedule}`, panels });
  }
  return rows;
}
