/**
 * Count-based retention (`retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 2 }`), as every
 * non-Velero backup tool offers it, expanded into the set of Velero Schedules that keeps that many restore
 * points of each period. Velero has one ttl per schedule and deletes each backup when its own ttl runs out
 * (pkg/controller/gc_controller.go), so "keep N of period P" is a schedule running once per P with ttl
 * N x (the longest interval between its runs): at any time the last N runs are kept (N+1 for up to an hour
 * after a run, until the hourly garbage collection), i.e. `retentionDepth` N (docs/pitfalls.md#retention).
 *
 * The members run at the minute and hour of the schedule's own cron (its zone prefix kept): hourly at that
 * minute, daily at that time, weekly on Sundays, monthly on the 1st, yearly on January 1st. They are named
 * `<name>-<period>`; each is an ordinary Schedule, with its own alerts, plan line and cost.
 */
import { Duration } from 'cdk8s';
import { parseCron } from './cron';
import { compareDurations, durationNanos, formatGoDuration } from '../units/duration';
import { scheduleThresholds } from '../alerts/thresholds';
import { minimumGuardedTtl } from '../alerts/last-restore-point';
import type { RetentionConfig, ScheduleConfig } from '../config/types';

/** The periods, most frequent first. */
export const RETENTION_PERIODS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type RetentionPeriod = (typeof RETENTION_PERIODS)[number];

/** How many restore points of each period to keep; an absent or 0 period has no schedule. */
export type Retention = RetentionConfig;

/** One Schedule of a retention set. */
export interface RetentionMember {
  readonly period: RetentionPeriod;
  /** `<name>-<period>`. */
  readonly name: string;
  /** The member's cron, with the schedule's `CRON_TZ=` prefix. */
  readonly schedule: string;
  /** count x the longest interval between its runs, a Go duration (`168h0m0s`). */
  readonly ttl: string;
  /** Restore points it keeps. */
  readonly count: number;
  /** The longest-lived member: the set's last restore point, which `VeleroLastRestorePointExpiring` guards. */
  readonly guarded: boolean;
}

/** The cron fields of each period, from the minute and hour of the schedule's cron. */
const FIELDS: Readonly<Record<RetentionPeriod, (m: number, h: number) => string>> = {
  hourly: (m) => `${m} * * * *`,
  daily: (m, h) => `${m} ${h} * * *`,
  weekly: (m, h) => `${m} ${h} * * 0`,
  monthly: (m, h) => `${m} ${h} 1 * *`,
  yearly: (m, h) => `${m} ${h} 1 1 *`,
};

/** Why `retention` can't be expanded (a message starting with the field), or undefined. */
function retentionProblem(retention: Retention, schedule: string): string | undefined {
  const unknown = Object.keys(retention).find((k) => !(RETENTION_PERIODS as readonly string[]).includes(k));
  if (unknown) return `retention ${unknown} is not a period; use ${RETENTION_PERIODS.join(', ')}`;
  for (const [period, count] of Object.entries(retention)) {
    if (!Number.isInteger(count) || (count as number) < 0) {
      return `retention ${period} must be a whole number of restore points, got '${count}'`;
    }
  }
  if (!RETENTION_PERIODS.some((p) => (retention[p] ?? 0) > 0)) {
    return 'retention keeps nothing; give at least one period a count, e.g. { daily: 7 }';
  }
  const cron = parseCron(schedule);
  const f = cron.fields;
  const needsHour = RETENTION_PERIODS.some((p) => p !== 'hourly' && (retention[p] ?? 0) > 0);
  if (!f || cron.every || f.minutes.length !== 1 || (needsHour && f.hours.length !== 1)) {
    return `schedule '${schedule}' must name one minute${needsHour ? ' and one hour' : ''} for retention, e.g. '0 2 * * *' (the members run at that time)`;
  }
  return undefined;
}

/**
 * The Schedules `retention` expands into, most frequent first. Throws `schedule '<name>': retention...`
 * (or `schedule '<name>': schedule ...`) when it can't.
 */
export function expandRetention(
  name: string,
  schedule: string,
  retention: Retention,
  allowTtlWithoutReactionTime = false,
): RetentionMember[] {
  const fail = (problem: string): never => {
    throw new Error(`schedule '${name}': ${problem} (docs/pitfalls.md#retention)`);
  };
  const problem = retentionProblem(retention, schedule);
  if (problem) fail(problem);
  const cron = parseCron(schedule);
  const prefix = cron.timeZone ? `CRON_TZ=${cron.timeZone} ` : '';
  const [m, h] = [cron.fields!.minutes[0], cron.fields!.hours[0]];
  const members = RETENTION_PERIODS.filter((p) => (retention[p] ?? 0) > 0).map((period) => {
    const count = retention[period]!;
    const memberCron = `${prefix}${FIELDS[period](m, h)}`;
    const cadence = parseCron(memberCron).cadence();
    const ttl = Duration.millis(Number((durationNanos(cadence) * BigInt(count)) / 1_000_000n));
    return { period, name: `${name}-${period}`, schedule: memberCron, ttl, cadence, count };
  });
  // the set's last restore point is its longest-lived member's: that one needs the time to react
  const last = [...members].sort((a, b) => compareDurations(b.ttl, a.ttl))[0];
  const minimum = minimumGuardedTtl(scheduleThresholds(last.cadence));
  if (compareDurations(last.ttl, minimum) < 0 && !allowTtlWithoutReactionTime) {
    const needed = Math.ceil(minimum.toSeconds() / last.cadence.toSeconds());
    fail(
      `retention ${last.period} keeps its last restore point ${Math.round(last.ttl.toSeconds() / 3600)}h, less than a day after VeleroBackupDelayed; keep at least ${needed} ${last.period} backups, or set allowTtlWithoutReactionTime`,
    );
  }
  return members.map(({ period, name: n, schedule: c, ttl, count }) => ({
    period,
    name: n,
    schedule: c,
    ttl: formatGoDuration(ttl),
    count,
    guarded: period === last.period,
  }));
}

/**
 * A schedule of the config as the Schedules it renders: itself, or the members of its `retention`, each
 * with the member's name, cron and ttl; the drill restores the most frequent member's backups, and only
 * the longest-lived member keeps the time-to-react rule (the others' restore points are not the last).
 */
export function scheduleConfigsOf(s: ScheduleConfig): ScheduleConfig[] {
  if (!s.retention) return [s];
  if (s.ttl !== undefined) {
    throw new Error(
      `schedule '${s.name}': ttl '${String(s.ttl)}' cannot go with retention, which sets each member's ttl; remove ttl (docs/pitfalls.md#retention)`,
    );
  }
  return expandRetention(s.name, s.schedule, s.retention, s.allowTtlWithoutReactionTime).map((m, i) => ({
    ...s,
    retention: undefined,
    name: m.name,
    schedule: m.schedule,
    ttl: m.ttl,
    allowTtlWithoutReactionTime: s.allowTtlWithoutReactionTime || !m.guarded,
    drill: i === 0 ? s.drill : undefined,
  }));
}
