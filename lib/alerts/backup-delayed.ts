/** `VeleroBackupDelayed`: the newest Completed backup of a schedule is older than its cadence allows. */
import type { AlertRule } from './promtool';
import { type AlertContext, type ProvenRule, sel, veleroCli, firstSteps, serverLogs, labels } from './rule-kit';
import { intervalFor, stepFor, constant, series, caseOf } from './promtool-cases';
import { promDuration, type ScheduleThresholds } from './thresholds';
import { describeDuration } from '../units/duration';
/** `for:` of the staleness alert: rides out a scrape gap. */
const DELAYED_FOR = 10 * 60;

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
