/** `VeleroBackupDelayed`: the newest Completed backup of a schedule is older than its cadence allows. */
import type { AlertRule } from './promtool';
import { type AlertContext, type ProvenRule, sel, veleroCli, firstSteps, serverLogs, labels } from './rule-kit';
import { aged, stepFor, series, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';
import type { ScheduleThresholds } from './thresholds';
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
  // the backup's age is the sample value (lib/alerts/promtool-cases.ts aged): half an hour at 1m shows it
  // just below the threshold, and once past it for `for:` (plus two evaluation steps), exactly
  const now = 30 * 60;
  const step = stepFor(now, 60);
  const below = threshold - DELAYED_FOR;
  const overdue = threshold + DELAYED_FOR + 2 * 60;
  const ts = series('velero_backup_last_successful_timestamp', { job: ctx.job, namespace: ctx.namespace, schedule });
  const tests = [
    caseOf(
      `VeleroBackupDelayed ${schedule}: ${promDuration(below)} after the last backup stays silent`,
      rule,
      step,
      (step) => ({ series: [{ series: ts, values: aged(below, now, step) }], evalAt: now, firing: [] }),
    ),
    caseOf(
      `VeleroBackupDelayed ${schedule}: past ${promDuration(threshold)} and for ${promDuration(DELAYED_FOR)} fires`,
      rule,
      step,
      (step) => ({
        series: [{ series: ts, values: aged(overdue, now, step) }],
        evalAt: now,
        firing: [{ namespace: ctx.namespace, schedule }],
      }),
    ),
  ];
  return { rule, tests };
}
