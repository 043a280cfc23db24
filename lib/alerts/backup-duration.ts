/** `VeleroBackupDurationHigh`: backups of a schedule take longer than its threshold. */
import type { AlertRule } from './promtool';
import {
  HOUR,
  type AlertContext,
  type ProvenRule,
  veleroCli,
  firstSteps,
  serverLogs,
  labels,
  increaseOfSum,
} from './rule-kit';
import { stepFor, change, series, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';
import type { ScheduleThresholds } from './thresholds';

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
