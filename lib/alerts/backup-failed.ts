/** `VeleroBackupFailed`, and the event-counter rule it shares with `VeleroPartialBackupFailure`. */
import type { AlertRule } from './promtool';
import {
  HOUR,
  EVENT_WINDOW,
  type AlertContext,
  type ProvenRule,
  sel,
  veleroCli,
  firstSteps,
  serverLogs,
  labels,
} from './rule-kit';
import { constant, change, series, casesFor, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';

/** Every alert of one event counter (failed, partially failed): increase over the last hour, ad-hoc backups out. */
export function counterRule(
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
