/**
 * `VeleroLastRestorePointExpiring`: the newest Completed backup of a schedule will be garbage-collected soon.
 *
 * Velero deletes a backup when its expiration passes whether or not newer backups succeeded (velero#9061):
 * after a month of failures on a 30-day ttl the last good restore point is gone, and the other alerts only
 * ever said "backups failing". Velero's GC controller reads `status.expiration` alone
 * (velero-io/velero@v1.15.0..v1.18.1:pkg/controller/gc_controller.go, `gcReconciler.Reconcile`), which the
 * backup controller sets once, when the backup starts, to start + `spec.ttl`
 * (backup_controller.go, `prepareBackupRequest`); `velero_backup_last_successful_timestamp` is the newest
 * Completed backup's completion time (backup_controller.go `getLastSuccessBySchedule`). So the expiration
 * of the last good backup is at most completion + ttl, earlier by its run time (docs/pitfalls.md#last-restore-point).
 */
import type { Duration } from 'cdk8s';
import type { AlertRule } from './promtool';
import { type AlertContext, type ProvenRule, sel, veleroCli, firstSteps, labels, HOUR } from './rule-kit';
import { aged, stepFor, series, caseOf } from './promtool-cases';
import { describeDuration, exactDuration, promDuration } from '../units/duration';
import type { ScheduleThresholds } from './thresholds';

/** `for:` of the guard: rides out a scrape gap, like `VeleroBackupDelayed`. */
const GUARD_FOR = 10 * 60;
/**
 * The least time the guard leaves between its first notification and the loss of the last restore point:
 * a person must see it and run one kubectl command, and kube-prometheus-stack's Alertmanager repeats a
 * firing alert every 12h (`repeat_interval`), so a day gives at least two notifications.
 */
export const REACTION_TIME_SECONDS = 24 * HOUR;
/** The most warning the guard gives: three days (a long weekend away). */
const MAX_MARGIN = 72 * HOUR;

/** When the guard of one schedule fires. */
export interface RestorePointGuard {
  /** The guard fires when the newest Completed backup expires within this. */
  readonly margin: Duration;
  /** ... i.e. when it is older than this: ttl - margin. */
  readonly fireAge: Duration;
}

/**
 * The shortest ttl the guard can protect: the staleness threshold (cadence + slack, when
 * `VeleroBackupDelayed` fires) plus a day to react. Below it the guard would fire before
 * `VeleroBackupDelayed` (so on late but healthy runs), and less than a day would separate the first alert
 * from the loss of the last restore point. Daily: 54h; hourly: 26h; weekly: 9d.
 */
export function minimumGuardedTtl(t: Pick<ScheduleThresholds, 'delayed'>): Duration {
  return exactDuration((Math.round(t.delayed.toSeconds()) + REACTION_TIME_SECONDS) * 1000);
}

/**
 * The guard of a schedule with this ttl: half the time between the staleness threshold and the expiry,
 * at least a day and at most three; undefined when the ttl is below `minimumGuardedTtl` (only with
 * `allowTtlShorterThanCadence` or `allowTtlWithoutReactionTime`, which accept that risk). 30-day ttl, daily: 72h
 * margin, fires after 27 days; 72h ttl, hourly: 35h margin.
 */
export function restorePointGuard(
  ttl: Duration,
  t: Pick<ScheduleThresholds, 'delayed'>,
): RestorePointGuard | undefined {
  const ttlS = Math.round(ttl.toSeconds());
  const delayed = Math.round(t.delayed.toSeconds());
  if (ttlS < delayed + REACTION_TIME_SECONDS) return undefined;
  const margin = Math.min(MAX_MARGIN, Math.max(REACTION_TIME_SECONDS, Math.floor((ttlS - delayed) / 2)));
  return { margin: exactDuration(margin * 1000), fireAge: exactDuration((ttlS - margin) * 1000) };
}

/** One `VeleroLastRestorePointExpiring` per schedule with a guardable ttl. */
export function lastRestorePointRule(
  ctx: AlertContext,
  schedule: string,
  ttl: Duration,
  guard: RestorePointGuard,
): ProvenRule {
  const fireAge = Math.round(guard.fireAge.toSeconds());
  const ns = ctx.namespace;
  const rule: AlertRule = {
    alert: 'VeleroLastRestorePointExpiring',
    expr: `time() - max by (namespace, schedule) (velero_backup_last_successful_timestamp{${sel(ctx, `schedule="${schedule}"`)}}) > ${fireAge}`,
    for: promDuration(GUARD_FOR),
    labels: labels(ctx, 'critical', { schedule }),
    annotations: {
      summary: `The last restore point of schedule '{{ $labels.schedule }}' expires within ${promDuration(Math.round(guard.margin.toSeconds()))}`,
      description: [
        `The newest Completed backup of Schedule '{{ $labels.schedule }}' completed more than ${promDuration(fireAge)} ago and its ttl is ${describeDuration(ttl)}: Velero's garbage collection deletes it within ${describeDuration(guard.margin)} (sooner by the backup's run time: the expiration counts from its start), whether or not a newer backup succeeded, and then this schedule has nothing to restore. Keep it first, then fix the failing backups (VeleroBackupDelayed). Velero's GC reads only status.expiration (set once from spec.ttl when the backup started): patch status.expiration, not spec.ttl. Backups are not in Git, so ArgoCD leaves the patch alone; a backup re-synced from the bucket comes back with its old expiration.`,
        firstSteps([
          veleroCli(ctx, 'backup get --selector velero.io/schedule-name={{ $labels.schedule }}'),
          `kubectl -n ${ns} get backups -l velero.io/schedule-name={{ $labels.schedule }} --sort-by=.status.completionTimestamp -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,EXPIRES:.status.expiration`,
          `kubectl -n ${ns} patch backup <newest Completed backup> --type merge -p "{\\"status\\":{\\"expiration\\":\\"$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)\\"}}"`,
          veleroCli(ctx, 'backup describe <newest Completed backup>'),
        ]),
      ].join('\n'),
    },
  };
  // the backup's age is the sample value (promtool-cases.ts aged): silent just below the threshold and at
  // 2 days, firing once past it for `for:` (plus two evaluation steps)
  const now = 30 * 60;
  const step = stepFor(now, 60);
  const ts = series('velero_backup_last_successful_timestamp', { job: ctx.job, namespace: ns, schedule });
  const at = (age: number, firing: boolean) => (s: typeof step) => ({
    series: [{ series: ts, values: aged(age, now, s) }],
    evalAt: now,
    firing: firing ? [{ namespace: ns, schedule }] : [],
  });
  const below = fireAge - GUARD_FOR;
  const past = fireAge + GUARD_FOR + 2 * 60;
  const tests = [
    caseOf(
      `VeleroLastRestorePointExpiring ${schedule}: ${promDuration(below)} after the last success stays silent`,
      rule,
      step,
      at(below, false),
    ),
    caseOf(
      `VeleroLastRestorePointExpiring ${schedule}: past ${promDuration(fireAge)} (expiry within ${promDuration(Math.round(guard.margin.toSeconds()))}) fires`,
      rule,
      step,
      at(past, true),
    ),
  ];
  return { rule, tests };
}
