/** `VeleroBackupMetricAbsent`: a schedule that never completed a backup, and a server that is not scraped. */
import type { AlertRule, InputSeries } from './promtool';
import { HOUR, type AlertContext, type ProvenRule, sel, veleroCli, firstSteps, serverLogs, labels } from './rule-kit';
import { type Step, intervalFor, stepFor, constant, change, blip, fresh, series, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';
import type { ScheduleThresholds } from './thresholds';
/** `for:` of the scrape-health alert: a `Recreate` rollout or a node drain takes a few minutes. */
const SCRAPE_DOWN_FOR = 15 * 60;

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
