import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
} from '../imports/monitoring-prometheusrules-monitoring.coreos.com';
import {
  isNamespaceProtected,
  protectedNamespaces,
  uncoveredNamespaceMatcher,
  uncoveredNamespaces,
  type CoverageSchedule,
  type UncoveredNamespaces,
} from '../lib/schedule/coverage';
import { describeDuration, exactDuration } from '../lib/units/duration';
import { recommendedLabels } from '../lib/kube/labels';
import { metricsFor, type MetricSource } from '../lib/alerts/metrics-catalog';
import { checkAlertExpression } from '../lib/alerts/promql';
import type { AlertRule, AlertTestCase, InputSeries } from '../lib/alerts/promtool';
import type { BackupSchedule } from './backup-schedule';
import type { VeleroRelease } from './velero-release';

export type { AlertRule, AlertTestCase, InputSeries } from '../lib/alerts/promtool';

/** A Kubernetes label selector requirement (`matchExpressions` item). */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** A Kubernetes label selector. `{}` selects everything. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * How the Prometheus that should load the rules selects PrometheusRules (its `spec.ruleSelector` and
 * `spec.ruleNamespaceSelector`; csi-argocd-prometheus-facts.md §5).
 */
export interface PrometheusRuleSelection {
  /**
   * The Prometheus' `spec.ruleSelector`. `{}` selects every PrometheusRule, `null` selects none (the
   * prometheus-operator meaning of an unset selector).
   */
  readonly ruleSelector: LabelSelector | null;
  /**
   * The Prometheus' `spec.ruleNamespaceSelector`. `{}` selects every namespace; `null` only the
   * Prometheus' own namespace.
   * @default {} (kube-prometheus-stack renders `ruleNamespaceSelector: {}`)
   */
  readonly ruleNamespaceSelector?: LabelSelector | null;
  /** Namespace of the Prometheus object, for a `null` ruleNamespaceSelector. @default 'monitoring' */
  readonly prometheusNamespace?: string;
  /**
   * Labels of the namespace the rules go to, besides `kubernetes.io/metadata.name` (set by Kubernetes).
   * @default {}
   */
  readonly ruleNamespaceLabels?: Readonly<Record<string, string>>;
}

/** Further alerts that join the rule set (e.g. the restore drill's, issue 9), with their promtool cases. */
export interface AdditionalAlertRules {
  /** PrometheusRule group name, e.g. `velero.restore-drill`; unique in the rule set. */
  readonly group: string;
  readonly rules: readonly AlertRule[];
  /** promtool cases: for every alert at least one where it fires and one where it stays silent. */
  readonly tests: readonly AlertTestCase[];
}

export interface BackupAlertsProps {
  /** The Velero server whose backups the alerts watch; its version picks the metrics catalog. */
  readonly release: VeleroRelease;
  /** The schedules to watch; each brings its own staleness, absence and duration alerts. */
  readonly schedules: readonly BackupSchedule[];
  /**
   * Namespaces deliberately not backed up, each with the reason: `PVCNotCoveredByBackup` leaves them out
   * (gitops-pitfalls.md row 14). The same map goes to the backup plan.
   * @default {}
   */
  readonly unprotectedNamespaces?: Readonly<Record<string, string>>;
  /**
   * Labels the Prometheus `ruleSelector` looks for (gitops-pitfalls.md row 11).
   * @default release.prometheusSelectorLabels ({ release: 'kube-prometheus-stack' })
   */
  readonly ruleSelectorLabels?: Readonly<Record<string, string>>;
  /** Namespace of the PrometheusRule. @default release.namespace */
  readonly ruleNamespace?: string;
  /**
   * The Prometheus' actual rule selection. A rule set it would not load is a synth error.
   * @default kube-prometheus-stack's: ruleSelector matchLabels = release.prometheusSelectorLabels, all namespaces
   */
  readonly prometheusRuleSelector?: PrometheusRuleSelection;
  /** Further alerts for the same rule set, e.g. the restore drill's. @default [] */
  readonly additionalRules?: readonly AdditionalAlertRules[];
  /** Labels on every alert for Alertmanager routing. @default { component: 'velero' } */
  readonly routingLabels?: Readonly<Record<string, string>>;
  /**
   * `VeleroBackupDurationHigh` fires for a backup that took longer than this, or than half its
   * schedule's cadence if that is shorter.
   * @default Duration.hours(1)
   */
  readonly backupDurationWarning?: Duration;
  /** Name of the PrometheusRule. @default 'velero-backup-alerts' */
  readonly name?: string;
  /**
   * The `runbook_url` annotation of each alert (the kube-prometheus convention): the URL of its section in the
   * rendered runbook, e.g. `runbookUrl(REPOSITORY)` of lib/restore/runbook.ts. @default no runbook_url
   */
  readonly runbookUrl?: (alert: string) => string;
}

/** The thresholds the alerts of one schedule use, all derived from its cadence. */
export interface ScheduleThresholds {
  /** Longest interval between two runs (from the cron). */
  readonly cadence: Duration;
  /** Allowance for a backup's own run time and jitter: a quarter of the cadence, at least 1h, at most 24h. */
  readonly slack: Duration;
  /** `VeleroBackupDelayed` fires when the newest Completed backup is older than this: cadence + slack. */
  readonly delayed: Duration;
  /** `VeleroBackupDurationHigh` fires for a backup longer than this. */
  readonly durationWarning: Duration;
  /** How long a slow backup keeps `VeleroBackupDurationHigh` firing: the cadence, at least 1h, at most 24h. */
  readonly durationWindow: Duration;
}

const HOUR = 3600;
const DAY = 86_400;
/** `for:` of the staleness alert: rides out a scrape gap. */
const DELAYED_FOR = 10 * 60;
/** `for:` of the scrape-health alert: a `Recreate` rollout or a node drain takes a few minutes. */
const SCRAPE_DOWN_FOR = 15 * 60;
/** `for:` of the coverage alert: a new PVC gets an hour to be added to a schedule (or a drill to clean up). */
const COVERAGE_FOR = 60 * 60;
/** `for:` of the v1.17+ storage-location alert: the BSL is re-validated every minute by default. */
const BSL_GAUGE_FOR = 15 * 60;
/** Window of the counter alerts (failed, partially failed, validation and snapshot failures). */
const EVENT_WINDOW = HOUR;
/** Exporters the stack scrapes: the server's ServiceMonitor, kube-state-metrics, Prometheus. The node-agent has no scrape config. */
const SCRAPED: readonly MetricSource[] = ['velero-server', 'kube-state-metrics', 'prometheus'];
const SEVERITIES = ['critical', 'warning', 'info'];
const PROM_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

function clampSeconds(s: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, s));
}

/** A whole-second Prometheus duration (`1d6h`, `15m`): the CRD's pattern, readable in annotations too. */
export function promDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`duration of ${seconds}s is not a whole number of seconds`);
  return describeDuration(Duration.seconds(seconds));
}

/**
 * The thresholds for a schedule with this cadence (gitops-pitfalls.md row 13: one threshold for all
 * schedules false-fires on the weekly one). Daily: delayed after 30h (6h after a missed run), duration
 * warning 1h. Weekly: delayed after 8d. Every 6h: delayed after 7h30m, duration warning 1h.
 */
export function scheduleThresholds(
  cadence: Duration,
  durationWarning: Duration = Duration.hours(1),
): ScheduleThresholds {
  const c = Math.round(cadence.toSeconds());
  const slack = clampSeconds(Math.round(c / 4), HOUR, DAY);
  const warn = Math.min(Math.round(durationWarning.toSeconds()), Math.floor(c / 2));
  const d = (seconds: number) => exactDuration(seconds * 1000);
  return {
    cadence,
    slack: d(slack),
    delayed: d(c + slack),
    durationWarning: d(warn),
    durationWindow: d(clampSeconds(c, HOUR, DAY)),
  };
}

/** What the rule builders need to know about the Velero server. */
export interface AlertContext {
  /** Velero version (picks the storage-location alert's form). */
  readonly version: string;
  /** Namespace of the Velero server: the `namespace` target label of its series. */
  readonly namespace: string;
  /** `job` label of the server's series: the metrics Service name (ServiceMonitor default). */
  readonly job: string;
  /** Labels on every alert. */
  readonly routingLabels: Readonly<Record<string, string>>;
}

/** A rule with the promtool cases that prove it. */
export interface ProvenRule {
  readonly rule: AlertRule;
  readonly tests: readonly AlertTestCase[];
}

// ---------------------------------------------------------------------------------------------------------
// expressions and annotations

function sel(ctx: AlertContext, extra = ''): string {
  return `job="${ctx.job}", namespace="${ctx.namespace}"${extra ? `, ${extra}` : ''}`;
}

/** `velero` CLI with the namespace flag when Velero doesn't run in its default namespace. */
function veleroCli(ctx: AlertContext, args: string): string {
  return ctx.namespace === 'velero' ? `velero ${args}` : `velero --namespace ${ctx.namespace} ${args}`;
}

function firstSteps(steps: string[]): string {
  return `First steps:\n${steps.map((s) => `- ${s}`).join('\n')}`;
}

function serverLogs(ctx: AlertContext, grep = 'error'): string {
  return `kubectl -n ${ctx.namespace} logs deploy/velero | grep -i ${grep}`;
}

function labels(ctx: AlertContext, severity: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...ctx.routingLabels, severity, ...extra };
}

/**
 * `increase()` of a per-schedule sum that may be born with its value: the CSI snapshot counters get one new
 * series per backup (label backupName), and the duration histogram is not initialised at start-up, so a
 * series' first sample already holds the event and a plain `increase()` never sees it. A zero baseline from
 * `velero_backup_attempt_total` (initialised for every schedule, §1b item 4) gives the sum a sample before
 * the jump; after a restart the sum drops to the baseline, which `increase()` treats as a counter reset.
 */
function increaseOfSum(ctx: AlertContext, metric: string, matcher: string, window: number, step: string): string {
  const by = 'sum by (namespace, schedule)';
  return `increase((${by} (${metric}{${sel(ctx, matcher)}}) or 0 * ${by} (velero_backup_attempt_total{${sel(ctx, matcher)}}))[${promDuration(window)}:${step}])`;
}

// ---------------------------------------------------------------------------------------------------------
// promtool case helpers (time in seconds from the start of the test)

interface Step {
  /** Sample interval in seconds. */
  readonly interval: number;
  /** Number of samples. */
  readonly samples: number;
}

/** Sample (and rule evaluation) interval for cases spanning `span` seconds: promtool evaluates every rule at every step. */
function intervalFor(span: number): number {
  // samples and evaluations coincide, so an hour between samples is exact for these gauges
  if (span > 3 * DAY) return HOUR;
  return span > 6 * HOUR ? 300 : 60;
}

function stepFor(horizon: number, interval = intervalFor(horizon)): Step {
  return { interval, samples: Math.ceil(horizon / interval) + 1 };
}

/** promtool values: `v` for the whole horizon. */
function constant(v: number, step: Step): string {
  return `${v}x${step.samples - 1}`;
}

/** promtool's expanding notation for `count` samples of `v`: `vxN` is N+1 samples, `_xN` is N. */
function repeat(v: number | '_', count: number): string {
  return v === '_' ? `_x${count}` : `${v}x${count - 1}`;
}

/** promtool values: `before` until `at` seconds, then `after` (`_` = no sample). */
function change(before: number | '_', after: number | '_', at: number, step: Step): string {
  const n = Math.round(at / step.interval);
  return `${repeat(before, n)} ${repeat(after, step.samples - n)}`;
}

/** promtool values: `v`, then `blip` for `length` seconds from `at`, then `v` again. */
function blip(v: number, other: number, at: number, length: number, step: Step): string {
  const a = Math.round(at / step.interval);
  const b = Math.round(length / step.interval);
  return `${repeat(v, a)} ${repeat(other, b)} ${repeat(v, step.samples - a - b)}`;
}

/** promtool values: a timestamp gauge that always says "just now" (a healthy schedule). */
function fresh(step: Step): string {
  return `0+${step.interval}x${step.samples - 1}`;
}

function series(name: string, l: Record<string, string>): string {
  return `${name}{${Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

/** The schedules a global rule's cases are generated for: every schedule, or an example when there is none. */
function casesFor(scheduleNames: readonly string[]): readonly string[] {
  return scheduleNames.length ? scheduleNames : ['any-schedule'];
}

/**
 * A promtool case whose input series are built on first read: the synth never reads them (only the
 * promtool tests do), and for many schedules building them up front dominated the synth.
 */
function caseOf(
  name: string,
  rule: AlertRule,
  horizon: number | Step,
  build: (step: Step) => { series: InputSeries[]; evalAt: number; firing: Record<string, string>[] },
): AlertTestCase {
  const step = typeof horizon === 'number' ? stepFor(horizon) : horizon;
  let built: ReturnType<typeof build> | undefined;
  const b = () => (built ??= build(step));
  return {
    name,
    rule,
    interval: promDuration(step.interval),
    get series() {
      return b().series;
    },
    get evalTime() {
      return promDuration(b().evalAt);
    },
    get firing() {
      return b().firing;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// the rules

/** Every alert of one event counter (failed, partially failed): increase over the last hour, ad-hoc backups out. */
function counterRule(
  ctx: AlertContext,
  alert: string,
  metric: string,
  severity: string,
  summary: string,
  description: string,
  scheduleNames: readonly string[],
): ProvenRule {
  const rule: AlertRule = {
    alert,
    expr: `sum by (namespace, schedule) (increase(${metric}{${sel(ctx, 'schedule!=""')}}[${promDuration(EVENT_WINDOW)}])) > 0`,
    labels: labels(ctx, severity),
    annotations: { summary, description },
  };
  const l = (schedule: string) => ({ job: ctx.job, namespace: ctx.namespace, schedule });
  const tests = casesFor(scheduleNames).flatMap((s) => [
    caseOf(`${alert} ${s}: a new ${metric} increment fires`, rule, 2 * HOUR, (step) => ({
      series: [{ series: series(metric, l(s)), values: change(0, 1, 30 * 60, step) }],
      evalAt: 40 * 60,
      firing: [{ namespace: ctx.namespace, schedule: s }],
    })),
    caseOf(`${alert} ${s}: old increments (before the window) stay silent`, rule, 3 * HOUR, (step) => ({
      series: [{ series: series(metric, l(s)), values: constant(2, step) }],
      evalAt: 3 * HOUR,
      firing: [],
    })),
  ]);
  return { rule, tests };
}

export function backupFailedRule(ctx: AlertContext, scheduleNames: readonly string[]): ProvenRule {
  return counterRule(
    ctx,
    'VeleroBackupFailed',
    'velero_backup_failure_total',
    'critical',
    "Velero backup of schedule '{{ $labels.schedule }}' failed",
    [
      "A backup created by Schedule '{{ $labels.schedule }}' ended Failed in the last hour (velero_backup_failure_total): that run left no restore point.",
      firstSteps([
        veleroCli(ctx, 'backup get --selector velero.io/schedule-name={{ $labels.schedule }}'),
        veleroCli(ctx, 'backup describe <backup> --details'),
        veleroCli(ctx, 'backup logs <backup> | grep -i error'),
        serverLogs(ctx),
      ]),
    ].join('\n'),
    scheduleNames,
  );
}

export function partialFailureRule(ctx: AlertContext, scheduleNames: readonly string[]): ProvenRule {
  return counterRule(
    ctx,
    'VeleroPartialBackupFailure',
    'velero_backup_partial_failure_total',
    'warning',
    "Velero backup of schedule '{{ $labels.schedule }}' partially failed",
    [
      "A backup created by Schedule '{{ $labels.schedule }}' ended PartiallyFailed in the last hour (velero_backup_partial_failure_total): some items or volumes are missing from it, e.g. a CSI snapshot that was not ready within csiSnapshotTimeout.",
      firstSteps([
        veleroCli(ctx, 'backup get --selector velero.io/schedule-name={{ $labels.schedule }}'),
        veleroCli(ctx, 'backup describe <backup> --details'),
        veleroCli(ctx, 'backup logs <backup> | grep -iE "error|warn"'),
        'kubectl get volumesnapshots -A',
      ]),
    ].join('\n'),
    scheduleNames,
  );
}

/** One `VeleroBackupDelayed` per schedule, its threshold from the schedule's cadence. */
export function backupDelayedRule(ctx: AlertContext, schedule: string, t: ScheduleThresholds): ProvenRule {
  const threshold = Math.round(t.delayed.toSeconds());
  const rule: AlertRule = {
    alert: 'VeleroBackupDelayed',
    expr: `time() - max by (namespace, schedule) (velero_backup_last_successful_timestamp{${sel(ctx, `schedule="${schedule}"`)}}) > ${threshold}`,
    for: promDuration(DELAYED_FOR),
    labels: labels(ctx, 'critical', { schedule }),
    annotations: {
      summary: `No Completed backup of schedule '{{ $labels.schedule }}' for more than ${promDuration(threshold)}`,
      description: [
        `The newest Completed backup of Schedule '{{ $labels.schedule }}' (velero_backup_last_successful_timestamp) is older than ${promDuration(threshold)}: its cadence of ${describeDuration(t.cadence)} plus ${describeDuration(t.slack)} of slack. Runs since then failed, partially failed, or did not start.`,
        firstSteps([
          veleroCli(ctx, 'schedule get {{ $labels.schedule }}'),
          veleroCli(ctx, 'backup get --selector velero.io/schedule-name={{ $labels.schedule }}'),
          veleroCli(ctx, 'backup-location get'),
          serverLogs(ctx, 'schedule'),
        ]),
      ].join('\n'),
    },
  };
  // just below the threshold, and once past it for `for:` (plus two evaluation steps)
  const interval = intervalFor(threshold);
  const below = threshold - Math.max(600, interval);
  const horizon = threshold + DELAYED_FOR + 2 * interval;
  const step = stepFor(horizon, interval);
  const l = { job: ctx.job, namespace: ctx.namespace, schedule };
  const tests = [
    caseOf(
      `VeleroBackupDelayed ${schedule}: ${promDuration(below)} after the last backup stays silent`,
      rule,
      step,
      (step) => ({
        series: [{ series: series('velero_backup_last_successful_timestamp', l), values: constant(0, step) }],
        evalAt: below,
        firing: [],
      }),
    ),
    caseOf(
      `VeleroBackupDelayed ${schedule}: past ${promDuration(threshold)} and for ${promDuration(DELAYED_FOR)} fires`,
      rule,
      step,
      (step) => ({
        series: [{ series: series('velero_backup_last_successful_timestamp', l), values: constant(0, step) }],
        evalAt: horizon,
        firing: [{ namespace: ctx.namespace, schedule }],
      }),
    ),
  ];
  return { rule, tests };
}

/** Series of the other schedules and the scrape target, healthy, so only the rule under test can fire. */
function healthyBackground(ctx: AlertContext, others: readonly string[], step: Step): InputSeries[] {
  return [
    { series: series('up', { job: ctx.job, namespace: ctx.namespace }), values: constant(1, step) },
    ...others.map((o) => ({
      series: series('velero_backup_last_successful_timestamp', {
        job: ctx.job,
        namespace: ctx.namespace,
        schedule: o,
      }),
      values: fresh(step),
    })),
  ];
}

/**
 * `VeleroBackupMetricAbsent` for a schedule with no Completed backup at all: the timestamp series exists
 * only once a backup completed (§1b item 2). It waits the schedule's own staleness threshold, so a new
 * schedule gets its first run (and a weekly one its week) before it fires.
 */
export function backupAbsentRule(
  ctx: AlertContext,
  schedule: string,
  t: ScheduleThresholds,
  otherSchedules: readonly string[],
): ProvenRule {
  const threshold = Math.round(t.delayed.toSeconds());
  const rule: AlertRule = {
    alert: 'VeleroBackupMetricAbsent',
    expr: `absent(velero_backup_last_successful_timestamp{${sel(ctx, `schedule="${schedule}"`)}})`,
    for: promDuration(threshold),
    labels: labels(ctx, 'critical', { schedule }),
    annotations: {
      summary: `Schedule '{{ $labels.schedule }}' has no Completed backup for ${promDuration(threshold)}`,
      description: [
        `Velero reports no Completed backup of Schedule '{{ $labels.schedule }}' (velero_backup_last_successful_timestamp is absent) for ${promDuration(threshold)}: the schedule never completed a backup, its Schedule object is missing, or Velero's metrics are not scraped.`,
        firstSteps([
          veleroCli(ctx, 'schedule get {{ $labels.schedule }}'),
          veleroCli(ctx, 'backup get --selector velero.io/schedule-name={{ $labels.schedule }}'),
          `kubectl -n ${ctx.namespace} get servicemonitor,service,endpoints velero`,
          serverLogs(ctx),
        ]),
      ].join('\n'),
    },
  };
  const interval = intervalFor(threshold);
  const margin = Math.max(30 * 60, 2 * interval);
  const horizon = threshold + margin;
  const step = stepFor(horizon, interval);
  const mine = { job: ctx.job, namespace: ctx.namespace, schedule };
  const tests = [
    caseOf(
      `VeleroBackupMetricAbsent ${schedule}: no Completed backup for ${promDuration(threshold)} fires`,
      rule,
      step,
      (step) => ({
        series: healthyBackground(ctx, otherSchedules, step),
        evalAt: horizon,
        firing: [mine],
      }),
    ),
    caseOf(
      `VeleroBackupMetricAbsent ${schedule}: a new schedule before its threshold stays silent`,
      rule,
      step,
      (step) => ({
        series: healthyBackground(ctx, otherSchedules, step),
        evalAt: threshold - margin,
        firing: [],
      }),
    ),
    caseOf(
      `VeleroBackupMetricAbsent ${schedule}: a schedule with a Completed backup stays silent`,
      rule,
      step,
      (step) => ({
        series: [
          ...healthyBackground(ctx, otherSchedules, step),
          { series: series('velero_backup_last_successful_timestamp', mine), values: constant(0, step) },
        ],
        evalAt: horizon,
        firing: [],
      }),
    ),
  ];
  return { rule, tests };
}

/** `VeleroBackupMetricAbsent` for the whole server: no healthy scrape of its metrics endpoint. */
export function scrapeDownRule(ctx: AlertContext, scheduleNames: readonly string[]): ProvenRule {
  const rule: AlertRule = {
    alert: 'VeleroBackupMetricAbsent',
    // absent(... == 1): fires both when the target is down (up 0) and when there is no target at all
    expr: `absent(up{${sel(ctx)}} == 1)`,
    for: promDuration(SCRAPE_DOWN_FOR),
    labels: labels(ctx, 'critical', { namespace: ctx.namespace, job: ctx.job }),
    annotations: {
      summary: `Prometheus has no healthy scrape of Velero in namespace ${ctx.namespace}`,
      description: [
        `No target of job '${ctx.job}' in namespace ${ctx.namespace} was scraped successfully for ${promDuration(SCRAPE_DOWN_FOR)} (up == 1 is absent): the server is down, or the ServiceMonitor is not selected, and every other Velero alert is blind.`,
        firstSteps([
          `kubectl -n ${ctx.namespace} get deploy/velero pods`,
          `kubectl -n ${ctx.namespace} get servicemonitor,service,endpoints velero`,
          `kubectl -n ${ctx.namespace} logs deploy/velero --previous`,
        ]),
      ].join('\n'),
    },
  };
  const up = series('up', { job: ctx.job, namespace: ctx.namespace, pod: 'velero-0' });
  const others = (step: Step) =>
    scheduleNames.map((o) => ({
      series: series('velero_backup_last_successful_timestamp', {
        job: ctx.job,
        namespace: ctx.namespace,
        schedule: o,
      }),
      values: fresh(step),
    }));
  const tests = [
    caseOf('VeleroBackupMetricAbsent (server): target down for 30m fires', rule, HOUR, (step) => ({
      series: [{ series: up, values: change(1, 0, 20 * 60, step) }, ...others(step)],
      evalAt: 50 * 60,
      firing: [{}],
    })),
    caseOf('VeleroBackupMetricAbsent (server): no target at all fires', rule, HOUR, (step) => ({
      series: others(step),
      evalAt: 30 * 60,
      firing: [{}],
    })),
    caseOf('VeleroBackupMetricAbsent (server): a 5m restart stays silent', rule, HOUR, (step) => ({
      series: [{ series: up, values: blip(1, 0, 20 * 60, 5 * 60, step) }, ...others(step)],
      evalAt: 50 * 60,
      firing: [],
    })),
    caseOf('VeleroBackupMetricAbsent (server): a healthy target stays silent', rule, HOUR, (step) => ({
      series: [{ series: up, values: constant(1, step) }, ...others(step)],
      evalAt: 50 * 60,
      firing: [],
    })),
  ];
  return { rule, tests };
}

/**
 * `VeleroBackupDurationHigh` per schedule, on the histogram's `_sum` and `_count` (a bare
 * `velero_backup_duration_seconds` has no series): the mean duration of the schedule's backups that
 * finished within the window.
 */
export function backupDurationRule(ctx: AlertContext, schedule: string, t: ScheduleThresholds): ProvenRule {
  const warn = Math.round(t.durationWarning.toSeconds());
  const window = Math.round(t.durationWindow.toSeconds());
  const m = `schedule="${schedule}"`;
  const rule: AlertRule = {
    alert: 'VeleroBackupDurationHigh',
    expr: `${increaseOfSum(ctx, 'velero_backup_duration_seconds_sum', m, window, '5m')} / ${increaseOfSum(ctx, 'velero_backup_duration_seconds_count', m, window, '5m')} > ${warn}`,
    labels: labels(ctx, 'warning', { schedule }),
    annotations: {
      summary: `Backups of schedule '{{ $labels.schedule }}' take longer than ${promDuration(warn)}`,
      description: [
        `Backups of Schedule '{{ $labels.schedule }}' that finished in the last ${promDuration(window)} took longer than ${promDuration(warn)} on average (velero_backup_duration_seconds_sum / _count). Slow backups stretch the window of lost data and can run into the next run or into csiSnapshotTimeout / itemOperationTimeout.`,
        firstSteps([
          veleroCli(ctx, 'backup get --selector velero.io/schedule-name={{ $labels.schedule }}'),
          veleroCli(ctx, 'backup describe <backup> --details'),
          'kubectl get volumesnapshots -A',
          serverLogs(ctx, 'duration'),
        ]),
      ].join('\n'),
    },
  };
  const l = { job: ctx.job, namespace: ctx.namespace, schedule };
  const slow = warn + 1800;
  const tests = [
    caseOf(
      `VeleroBackupDurationHigh ${schedule}: a ${promDuration(slow)} backup fires`,
      rule,
      stepFor(3 * HOUR, 300),
      (step) => ({
        series: [
          { series: series('velero_backup_attempt_total', l), values: change(1, 2, HOUR, step) },
          { series: series('velero_backup_duration_seconds_sum', l), values: change(600, 600 + slow, HOUR, step) },
          { series: series('velero_backup_duration_seconds_count', l), values: change(1, 2, HOUR, step) },
        ],
        evalAt: HOUR + 20 * 60,
        firing: [{ namespace: ctx.namespace, schedule }],
      }),
    ),
    caseOf(
      `VeleroBackupDurationHigh ${schedule}: the first backup after a restart (a new series) fires`,
      rule,
      stepFor(3 * HOUR, 300),
      (step) => ({
        series: [
          { series: series('velero_backup_attempt_total', l), values: change(0, 1, HOUR, step) },
          { series: series('velero_backup_duration_seconds_sum', l), values: change('_', slow, HOUR, step) },
          { series: series('velero_backup_duration_seconds_count', l), values: change('_', 1, HOUR, step) },
        ],
        evalAt: HOUR + 20 * 60,
        firing: [{ namespace: ctx.namespace, schedule }],
      }),
    ),
    caseOf(`VeleroBackupDurationHigh ${schedule}: a 10m backup stays silent`, rule, stepFor(3 * HOUR, 300), (step) => ({
      series: [
        { series: series('velero_backup_attempt_total', l), values: change(1, 2, HOUR, step) },
        { series: series('velero_backup_duration_seconds_sum', l), values: change(600, 1200, HOUR, step) },
        { series: series('velero_backup_duration_seconds_count', l), values: change(1, 2, HOUR, step) },
      ],
      evalAt: HOUR + 20 * 60,
      firing: [],
    })),
  ];
  return { rule, tests };
}

/** Whether a Velero version exports `velero_backup_location_status_gauge` (v1.17.0 and later). */
export function hasStorageLocationGauge(version: string): boolean {
  return metricsFor(version).resolve('velero_backup_location_status_gauge').status === 'ok';
}

/**
 * `VeleroBackupStorageLocationUnavailable`. v1.17+: on `velero_backup_location_status_gauge`. Earlier
 * versions have no storage-location metric at all (velero-upstream-facts.md §1b): there the alert watches
 * scheduled backups that failed validation, which is what a backup started against an Unavailable
 * location ends as. Scheduled backups' specs are checked at synth, so their validation failures point at
 * the location.
 */
export function storageLocationRule(ctx: AlertContext, scheduleNames: readonly string[]): ProvenRule {
  const alert = 'VeleroBackupStorageLocationUnavailable';
  const steps = firstSteps([
    veleroCli(ctx, 'backup-location get'),
    `kubectl -n ${ctx.namespace} get backupstoragelocations -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,MESSAGE:.status.message`,
    serverLogs(ctx, 'backup-location'),
  ]);
  if (hasStorageLocationGauge(ctx.version)) {
    const rule: AlertRule = {
      alert,
      expr: `max by (namespace, backup_location_name) (velero_backup_location_status_gauge{${sel(ctx)}}) == 0`,
      for: promDuration(BSL_GAUGE_FOR),
      labels: labels(ctx, 'critical'),
      annotations: {
        summary: "Backup storage location '{{ $labels.backup_location_name }}' is unavailable",
        description: [
          `Velero has reported BackupStorageLocation '{{ $labels.backup_location_name }}' Unavailable for ${promDuration(BSL_GAUGE_FOR)} (velero_backup_location_status_gauge == 0): backups to it fail validation until it is reachable again.`,
          steps,
        ].join('\n'),
      },
    };
    const l = { job: ctx.job, namespace: ctx.namespace, backup_location_name: 'default' };
    const firing = [{ namespace: ctx.namespace, backup_location_name: 'default' }];
    const tests = [
      caseOf(`${alert} (status gauge): unavailable for 30m fires`, rule, HOUR, (step) => ({
        series: [{ series: series('velero_backup_location_status_gauge', l), values: change(1, 0, 20 * 60, step) }],
        evalAt: 50 * 60,
        firing,
      })),
      caseOf(`${alert} (status gauge): unavailable for 5m stays silent`, rule, HOUR, (step) => ({
        series: [
          { series: series('velero_backup_location_status_gauge', l), values: blip(1, 0, 20 * 60, 5 * 60, step) },
        ],
        evalAt: 50 * 60,
        firing: [],
      })),
    ];
    return { rule, tests };
  }
  const rule: AlertRule = {
    alert,
    expr: `sum by (namespace) (increase(velero_backup_validation_failure_total{${sel(ctx, 'schedule!=""')}}[${promDuration(EVENT_WINDOW)}])) > 0`,
    labels: labels(ctx, 'critical'),
    annotations: {
      summary: 'Scheduled Velero backups failed validation: the backup storage location is probably unavailable',
      description: [
        `Substitute alert: Velero ${ctx.version} exports no storage-location metric (velero_backup_location_status_gauge exists from v1.17.0). This alert watches scheduled backups that ended FailedValidation in the last hour (velero_backup_validation_failure_total), which is how a backup started against an Unavailable BackupStorageLocation ends. It fires only when a backup runs, and other validation errors trigger it too.`,
        steps,
      ].join('\n'),
    },
  };
  const l = (s: string) => ({ job: ctx.job, namespace: ctx.namespace, schedule: s });
  const tests = casesFor(scheduleNames).flatMap((s) => [
    caseOf(`${alert} ${s}: a scheduled backup failing validation fires`, rule, 2 * HOUR, (step) => ({
      series: [{ series: series('velero_backup_validation_failure_total', l(s)), values: change(0, 1, 30 * 60, step) }],
      evalAt: 40 * 60,
      firing: [{ namespace: ctx.namespace }],
    })),
    caseOf(`${alert} ${s}: no new validation failure stays silent`, rule, 3 * HOUR, (step) => ({
      series: [{ series: series('velero_backup_validation_failure_total', l(s)), values: constant(1, step) }],
      evalAt: 3 * HOUR,
      firing: [],
    })),
  ]);
  return { rule, tests };
}

/**
 * `VeleroVolumeSnapshotLocationUnavailable`: no Velero version has a snapshot-location metric, so this
 * substitute watches volume snapshots failing: CSI snapshots (`velero_csi_snapshot_failure_total`, one
 * series per backup) and snapshotter-plugin snapshots (`velero_volume_snapshot_failure_total`).
 */
export function snapshotLocationRule(ctx: AlertContext, scheduleNames: readonly string[]): ProvenRule {
  const alert = 'VeleroVolumeSnapshotLocationUnavailable';
  const m = 'schedule!=""';
  const rule: AlertRule = {
    alert,
    expr: [
      `${increaseOfSum(ctx, 'velero_csi_snapshot_failure_total', m, EVENT_WINDOW, '1m')} > 0`,
      `sum by (namespace, schedule) (increase(velero_volume_snapshot_failure_total{${sel(ctx, m)}}[${promDuration(EVENT_WINDOW)}])) > 0`,
    ].join(' or '),
    labels: labels(ctx, 'warning'),
    annotations: {
      summary: "Volume snapshots of schedule '{{ $labels.schedule }}' failed",
      description: [
        "Substitute alert: no Velero version exports a snapshot-location metric. This alert watches volume snapshots of Schedule '{{ $labels.schedule }}' that failed in the last hour (velero_csi_snapshot_failure_total for CSI snapshots, velero_volume_snapshot_failure_total for snapshotter plugins): the CSI driver, the snapshot-controller, the VolumeSnapshotClass or the VolumeSnapshotLocation is not working.",
        firstSteps([
          veleroCli(ctx, 'backup describe <backup> --details'),
          'kubectl get volumesnapshots,volumesnapshotcontents -A',
          'kubectl get volumesnapshotclass -l velero.io/csi-volumesnapshot-class=true',
          'kubectl -n kube-system logs deploy/snapshot-controller',
        ]),
      ].join('\n'),
    },
  };
  const l = (s: string, extra: Record<string, string> = {}) => ({
    job: ctx.job,
    namespace: ctx.namespace,
    schedule: s,
    ...extra,
  });
  const tests = casesFor(scheduleNames).flatMap((s) => [
    caseOf(`${alert} ${s}: a backup born with CSI snapshot failures fires`, rule, 2 * HOUR, (step) => ({
      series: [
        { series: series('velero_backup_attempt_total', l(s)), values: change(0, 1, 30 * 60, step) },
        {
          series: series('velero_csi_snapshot_failure_total', l(s, { backupName: `${s}-1` })),
          values: change('_', 2, 30 * 60, step),
        },
      ],
      evalAt: 40 * 60,
      firing: [{ namespace: ctx.namespace, schedule: s }],
    })),
    caseOf(`${alert} ${s}: a snapshotter-plugin snapshot failure fires`, rule, 2 * HOUR, (step) => ({
      series: [{ series: series('velero_volume_snapshot_failure_total', l(s)), values: change(0, 1, 30 * 60, step) }],
      evalAt: 40 * 60,
      firing: [{ namespace: ctx.namespace, schedule: s }],
    })),
    caseOf(`${alert} ${s}: backups whose CSI snapshots all succeeded stay silent`, rule, 2 * HOUR, (step) => ({
      series: [
        { series: series('velero_backup_attempt_total', l(s)), values: change(0, 1, 30 * 60, step) },
        {
          series: series('velero_csi_snapshot_failure_total', l(s, { backupName: `${s}-1` })),
          values: change('_', 0, 30 * 60, step),
        },
        { series: series('velero_volume_snapshot_failure_total', l(s)), values: constant(0, step) },
      ],
      evalAt: 40 * 60,
      firing: [],
    })),
  ]);
  return { rule, tests };
}

/**
 * `PVCNotCoveredByBackup` on kube-state-metrics' `kube_persistentvolumeclaim_info`: a PVC in a namespace no
 * schedule protects (lib/schedule/coverage.ts, the same rule as the backup plan), except declared namespaces.
 * Undefined when no namespace can be uncovered.
 */
export function coverageRule(
  ctx: AlertContext,
  schedules: readonly CoverageSchedule[],
  unprotectedNamespaces: readonly string[],
): ProvenRule | undefined {
  const uncovered = uncoveredNamespaces(schedules, unprotectedNamespaces);
  const matcher = uncoveredNamespaceMatcher(schedules, unprotectedNamespaces);
  if (matcher === undefined) return undefined;
  const p = protectedNamespaces(schedules);
  const covered =
    [...(p.everyOtherNamespace ? ['every namespace not excluded'] : []), ...p.namespaces].join(', ') || 'none';
  const alert = 'PVCNotCoveredByBackup';
  const rule: AlertRule = {
    alert,
    expr: `max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_info${matcher ? `{${matcher}}` : ''})`,
    for: promDuration(COVERAGE_FOR),
    labels: labels(ctx, 'warning'),
    annotations: {
      summary: 'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is not covered by any backup',
      description: [
        `PVC {{ $labels.persistentvolumeclaim }} is in namespace {{ $labels.namespace }}, which no backup schedule protects with volume snapshots, file-system backup or data movement, and which is not declared deliberately unprotected. Its data is not backed up, while every backup still reports Completed. Namespaces with protected volumes: ${covered}.`,
        'Add the namespace to a schedule with volume protection, or declare it in unprotectedNamespaces with a reason (main.ts).',
        firstSteps([
          'kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}',
          veleroCli(ctx, 'schedule get -o yaml | grep -A5 includedNamespaces'),
          'npm run plan -- --inventory pvcs.json   # kubectl get pvc -A -o json > pvcs.json',
        ]),
      ].join('\n'),
    },
  };
  const exempt = uncovered.kind === 'allExcept' ? uncovered.namespaces : [];
  let example = uncovered.kind === 'only' ? uncovered.namespaces[0] : 'unlisted-app';
  while (exempt.includes(example)) example += '-x';
  let unnamed = 'unlisted-app';
  while (uncovered.kind === 'only' && uncovered.namespaces.includes(unnamed)) unnamed += '-x';
  const silentNamespaces = uncovered.kind === 'only' ? [unnamed] : exempt;
  const pvc = (ns: string) =>
    series('kube_persistentvolumeclaim_info', {
      job: 'kube-state-metrics',
      namespace: ns,
      persistentvolumeclaim: 'data',
      storageclass: 'standard',
    });
  const tests: AlertTestCase[] = [
    caseOf(`${alert}: a PVC in uncovered namespace '${example}' fires`, rule, 2 * HOUR, (step) => ({
      series: [{ series: pvc(example), values: constant(1, step) }],
      evalAt: 90 * 60,
      firing: [{ namespace: example, persistentvolumeclaim: 'data' }],
    })),
  ];
  if (silentNamespaces.length) {
    tests.push(
      caseOf(`${alert}: PVCs in ${silentNamespaces.join(', ')} stay silent`, rule, 2 * HOUR, (step) => ({
        series: silentNamespaces.map((ns) => ({ series: pvc(ns), values: constant(1, step) })),
        evalAt: 90 * 60,
        firing: [],
      })),
    );
  } else {
    tests.push(
      caseOf(`${alert}: a PVC for less than ${promDuration(COVERAGE_FOR)} stays silent`, rule, 2 * HOUR, (step) => ({
        series: [{ series: pvc(example), values: change('_', 1, HOUR, step) }],
        evalAt: 90 * 60,
        firing: [],
      })),
    );
  }
  return { rule, tests };
}

// ---------------------------------------------------------------------------------------------------------
// label selectors

function selectorMatches(selector: LabelSelector, l: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function describeLabels(l: Readonly<Record<string, string>>): string {
  const entries = Object.entries(l);
  return entries.length ? `{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}` : '{}';
}

function describeSelector(s: LabelSelector): string {
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map(
      (e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`,
    ),
  ];
  return parts.length ? parts.join(', ') : '{} (everything)';
}

// ---------------------------------------------------------------------------------------------------------

/**
 * The backup alerts (issue 5): one PrometheusRule with the seed's seven alerts plus `PVCNotCoveredByBackup`,
 * derived from the release and its schedules, every expression checked against the Velero version's
 * metrics catalog (gitops-pitfalls.md rows 11-14), and the promtool cases that prove each alert fires
 * and stays silent (`testCases`).
 *
 * Ad-hoc backups (`schedule=""`, whose label Prometheus drops) are out of every alert: whoever starts one
 * watches it, and the seed's test procedures create them on purpose. Paused schedules get no staleness
 * alerts and protect nothing.
 */
export class BackupAlerts extends Construct {
  /** Name of the PrometheusRule. */
  public readonly name: string;
  /** Namespace of the PrometheusRule. */
  public readonly ruleNamespace: string;
  /** Labels of the PrometheusRule (recommended labels plus the rule-selector labels). */
  public readonly ruleLabels: Readonly<Record<string, string>>;
  /** Every rule, in rendering order (own rules, then additional ones). */
  public readonly rules: readonly AlertRule[];
  /** The PrometheusRule groups: name and rules. */
  public readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
  /** Thresholds per schedule name (not paused ones). */
  public readonly thresholds: Readonly<Record<string, ScheduleThresholds>>;
  /** The promtool cases generated from the config, plus the additional rules' own. */
  public readonly testCases: readonly AlertTestCase[];
  /** Namespaces whose PVCs `PVCNotCoveredByBackup` reports. */
  public readonly uncovered: UncoveredNamespaces;
  /** The rendered object. */
  public readonly prometheusRule: PrometheusRule;

  constructor(scope: Construct, id: string, props: BackupAlertsProps) {
    super(scope, id);
    const { release } = props;
    this.name = props.name ?? 'velero-backup-alerts';
    this.ruleNamespace = props.ruleNamespace ?? release.namespace;
    const selectorLabels = { ...(props.ruleSelectorLabels ?? release.prometheusSelectorLabels) };
    this.ruleLabels = { ...recommendedLabels('velero', release.version), component: 'velero', ...selectorLabels };
    this.checkSelection(
      props.prometheusRuleSelector ?? { ruleSelector: { matchLabels: release.prometheusSelectorLabels } },
    );

    const schedules = props.schedules;
    this.checkSchedules(release, schedules);
    const unprotected = props.unprotectedNamespaces ?? {};
    this.checkUnprotected(schedules, unprotected);

    const ctx: AlertContext = {
      version: release.version,
      namespace: release.namespace,
      job: release.metricsServiceName,
      routingLabels: props.routingLabels ?? { component: 'velero' },
    };
    const active = schedules.filter((s) => !s.paused);
    const names = active.map((s) => s.name);
    const thresholds: Record<string, ScheduleThresholds> = {};
    for (const s of active) thresholds[s.name] = scheduleThresholds(s.cadence, props.backupDurationWarning);
    this.thresholds = thresholds;

    const backups: ProvenRule[] = [
      backupFailedRule(ctx, names),
      ...active.map((s) => backupDelayedRule(ctx, s.name, thresholds[s.name])),
      ...active.map((s) =>
        backupAbsentRule(
          ctx,
          s.name,
          thresholds[s.name],
          names.filter((n) => n !== s.name),
        ),
      ),
      scrapeDownRule(ctx, names),
      partialFailureRule(ctx, names),
      ...active.map((s) => backupDurationRule(ctx, s.name, thresholds[s.name])),
    ];
    const locations: ProvenRule[] = [storageLocationRule(ctx, names)];
    if (release.csiEnabled || release.snapshotLocations.length > 0) locations.push(snapshotLocationRule(ctx, names));

    this.uncovered = uncoveredNamespaces(schedules, Object.keys(unprotected));
    const coverage = coverageRule(ctx, schedules, Object.keys(unprotected));

    const groups: { name: string; proven: ProvenRule[] }[] = [
      { name: 'velero.backups', proven: backups },
      { name: 'velero.locations', proven: locations },
      ...(coverage ? [{ name: 'velero.coverage', proven: [coverage] }] : []),
    ];
    for (const extra of props.additionalRules ?? []) {
      if (groups.some((g) => g.name === extra.group)) {
        throw new Error(
          `backup alerts: rule group '${extra.group}' is defined twice; give each additionalRules entry its own group`,
        );
      }
      groups.push({
        name: extra.group,
        proven: extra.rules.map((rule) => ({
          rule: { ...rule, labels: { ...ctx.routingLabels, ...rule.labels } },
          tests: [],
        })),
      });
    }
    // The one place every alert gets its runbook link (the kube-prometheus `runbook_url` convention); the rule
    // builders stay free of repository details. Each rule's promtool cases expect the annotation too.
    if (props.runbookUrl) {
      const link = props.runbookUrl;
      const linked = new Map<AlertRule, AlertRule>();
      for (const g of groups)
        for (const p of g.proven)
          linked.set(p.rule, { ...p.rule, annotations: { ...p.rule.annotations, runbook_url: link(p.rule.alert) } });
      for (const g of groups) {
        g.proven = g.proven.map((p) => ({
          rule: linked.get(p.rule)!,
          tests: p.tests.map((t) => ({ ...t, rule: linked.get(t.rule) ?? t.rule })),
        }));
      }
    }
    // additional rules' cases refer to the rules as given; re-point them at the rules with routing labels
    const extraTests = (props.additionalRules ?? []).flatMap((extra) =>
      extra.tests.map((t) => {
        const i = extra.rules.indexOf(t.rule);
        if (i < 0) {
          throw new Error(
            `backup alerts: promtool case '${t.name}' of group '${extra.group}' tests a rule that is not in that group's rules`,
          );
        }
        const g = groups.find((x) => x.name === extra.group)!;
        return { ...t, rule: g.proven[i].rule };
      }),
    );

    this.groups = groups.map((g) => ({ name: g.name, rules: g.proven.map((p) => p.rule) }));
    this.rules = this.groups.flatMap((g) => g.rules);
    this.testCases = [...groups.flatMap((g) => g.proven.flatMap((p) => p.tests)), ...extraTests];

    const catalog = metricsFor(release.version);
    for (const rule of this.rules) {
      this.checkRule(rule);
      checkAlertExpression(rule.alert, rule.expr, { catalog, scrapedSources: SCRAPED });
    }
    this.checkEveryAlertProven();

    this.prometheusRule = new PrometheusRule(this, 'PrometheusRule', {
      metadata: { name: this.name, namespace: this.ruleNamespace, labels: { ...this.ruleLabels } },
      spec: {
        groups: this.groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({
            alert: r.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            ...(r.for ? { for: r.for } : {}),
            labels: { ...r.labels },
            annotations: { ...r.annotations },
          })),
        })),
      },
    });
  }

  private checkSelection(selection: PrometheusRuleSelection): void {
    const subject = `backup alerts: PrometheusRule '${this.name}' in namespace '${this.ruleNamespace}' would not be loaded`;
    if (selection.ruleSelector === null) {
      throw new Error(
        `${subject}: the Prometheus ruleSelector is null, which selects no PrometheusRule; describe the selector it has`,
      );
    }
    if (!selectorMatches(selection.ruleSelector, this.ruleLabels)) {
      throw new Error(
        `${subject}: its labels ${describeLabels(this.ruleLabels)} do not match the Prometheus ruleSelector (${describeSelector(selection.ruleSelector)}); set ruleSelectorLabels to labels the selector matches`,
      );
    }
    const nsSelector = selection.ruleNamespaceSelector === undefined ? {} : selection.ruleNamespaceSelector;
    if (nsSelector === null) {
      const own = selection.prometheusNamespace ?? 'monitoring';
      if (this.ruleNamespace !== own) {
        throw new Error(
          `${subject}: the Prometheus ruleNamespaceSelector is null, so it loads rules from its own namespace '${own}' only; set ruleNamespace to '${own}'`,
        );
      }
      return;
    }
    const nsLabels = { ...(selection.ruleNamespaceLabels ?? {}), 'kubernetes.io/metadata.name': this.ruleNamespace };
    if (!selectorMatches(nsSelector, nsLabels)) {
      throw new Error(
        `${subject}: the namespace does not match the Prometheus ruleNamespaceSelector (${describeSelector(nsSelector)}); set ruleNamespace to a selected namespace or label it`,
      );
    }
  }

  private checkSchedules(release: VeleroRelease, schedules: readonly BackupSchedule[]): void {
    const seen = new Set<string>();
    for (const s of schedules) {
      if (s.release !== release) {
        throw new Error(
          `backup alerts: schedule '${s.name}' belongs to another VeleroRelease; pass the schedules of this release`,
        );
      }
      if (seen.has(s.name))
        throw new Error(`backup alerts: schedule '${s.name}' is passed twice; pass each schedule once`);
      seen.add(s.name);
    }
  }

  private checkUnprotected(schedules: readonly BackupSchedule[], unprotected: Readonly<Record<string, string>>): void {
    for (const [ns, reason] of Object.entries(unprotected)) {
      if (!reason.trim()) {
        throw new Error(
          `backup alerts: unprotected namespace '${ns}' has no reason; say why its volumes are not backed up`,
        );
      }
      const by = isNamespaceProtected(schedules, ns).by;
      if (by.length) {
        throw new Error(
          `backup alerts: namespace '${ns}' is declared unprotected ('${reason}') but schedule '${by[0].name}' protects its volumes; remove it from unprotectedNamespaces`,
        );
      }
    }
  }

  private checkRule(rule: AlertRule): void {
    const subject = `backup alerts: alert '${rule.alert}'`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(rule.alert)) {
      throw new Error(`${subject}: the name is not a valid Prometheus alert name; use letters, digits and '_'`);
    }
    if (!SEVERITIES.includes(rule.labels.severity)) {
      throw new Error(
        `${subject}: label severity '${rule.labels.severity ?? ''}' is not one of ${SEVERITIES.join(', ')}`,
      );
    }
    for (const a of ['summary', 'description']) {
      if (!rule.annotations[a]?.trim())
        throw new Error(
          `${subject}: annotation '${a}' is missing; every alert says what happened and what to run first`,
        );
    }
    if (rule.for !== undefined && !PROM_DURATION.test(rule.for)) {
      throw new Error(`${subject}: for '${rule.for}' is not a Prometheus duration; use e.g. '15m' or '1d6h'`);
    }
  }

  private checkEveryAlertProven(): void {
    for (const alert of [...new Set(this.rules.map((r) => r.alert))]) {
      const cases = this.testCases.filter((c) => c.rule.alert === alert);
      if (!cases.some((c) => c.firing.length > 0)) {
        throw new Error(`backup alerts: alert '${alert}' has no promtool case where it fires; add one to its tests`);
      }
      if (!cases.some((c) => c.firing.length === 0)) {
        throw new Error(
          `backup alerts: alert '${alert}' has no promtool case where it stays silent; add one to its tests`,
        );
      }
    }
  }
}
