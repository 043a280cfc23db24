/**
 * Durations of the backup alerts: the Prometheus duration format the rules use, and the thresholds of one
 * schedule's alerts, all derived from its cadence (shared with the restore drill's alerts).
 */
import { Duration } from 'cdk8s';
import { exactDuration } from '../units/duration';

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

function clampSeconds(s: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, s));
}

/**
 * The thresholds for a schedule with this cadence (docs/pitfalls.md#staleness-threshold: one threshold for all
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
