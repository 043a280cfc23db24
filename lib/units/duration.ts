/**
 * Durations: the one place that parses and prints them. Three output forms, one implementation each:
 * - `formatGoDuration`: Go's `time.Duration.String()` (`720h0m0s`), for Velero's fields;
 * - `promDuration`: a Prometheus duration (`1d6h`, `15m`), for PromQL ranges, `for:` and alert text;
 *   `describeDuration` is the same form for any Duration, in messages;
 * - `formatReportDuration`: one unit with a space (`30 d`, `1.5 h`, `30 min`), for the tables of
 *   BACKUP-PLAN.md.
 *
 * Go durations, the way Velero reads and writes them (docs/upstream-facts.md#durations).
 *
 * Velero's `ttl`, `csiSnapshotTimeout`, `itemOperationTimeout` and hook `timeout` are `metav1.Duration`s:
 * parsed with Go's `time.ParseDuration` (units ns, us/µs, ms, s, m, h; no `d`) and serialized with
 * `time.Duration.String()` (`720h0m0s`). We render the `String()` form, because that is what the object
 * holds after any controller writes it back: `720h` in Git against `720h0m0s` live would be a diff forever.
 */
import { Duration } from 'cdk8s';

const NS_PER_MS = 1_000_000n;
const NS_PER_SECOND = 1_000_000_000n;
/** Go's `time.Duration` is an int64 of nanoseconds. */
const MAX_GO_DURATION_NS = 9_223_372_036_854_775_807n;

/** Nanoseconds per Go duration unit (`time.unitMap`). */
const GO_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: NS_PER_MS,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
};

/** The units `parseGoDuration` accepts, for error messages. */
export const GO_DURATION_UNITS = 'ns, us, µs, ms, s, m, h';

/** Exact nanoseconds of a cdk8s Duration (Durations hold milliseconds, possibly fractional). */
export function durationNanos(d: Duration): bigint {
  const ms = d.toMilliseconds({ integral: false });
  const whole = Math.floor(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/**
 * A Duration in the largest unit that holds it exactly (days, hours, minutes, seconds, else milliseconds),
 * so `toHours()`/`toDays()` work on whole values and `toHumanString()` reads well.
 */
export function exactDuration(milliseconds: number): Duration {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) {
    throw new Error(`duration of ${milliseconds}ms is not a non-negative finite number`);
  }
  if (milliseconds % 86_400_000 === 0) return Duration.days(milliseconds / 86_400_000);
  if (milliseconds % 3_600_000 === 0) return Duration.hours(milliseconds / 3_600_000);
  if (milliseconds % 60_000 === 0) return Duration.minutes(milliseconds / 60_000);
  if (milliseconds % 1_000 === 0) return Duration.seconds(milliseconds / 1_000);
  return Duration.millis(milliseconds);
}

function fromNanos(ns: bigint): Duration {
  if (ns % NS_PER_MS === 0n) return exactDuration(Number(ns / NS_PER_MS));
  return Duration.millis(Number(ns) / 1e6);
}

/** `v / 10**prec` with trailing zeros (and the point, if nothing is left) dropped: Go's `fmtFrac`. */
function fraction(v: bigint, prec: number): string {
  const digits = v.toString().padStart(prec, '0').replace(/0+$/, '');
  return digits ? `.${digits}` : '';
}

/**
 * Go's `time.Duration.String()`: `720h0m0s`, `10m0s`, `1h30m0s`, `1.5s`, `500ms`, `0s`.
 * Hours are never folded into days (Go stops at hours because days differ in length).
 */
export function formatGoDuration(d: Duration): string {
  const ns = durationNanos(d);
  if (ns > MAX_GO_DURATION_NS) {
    throw new Error(
      `duration '${describeDuration(d)}' is longer than Go's maximum duration (2562047h47m16.854775807s)`,
    );
  }
  if (ns === 0n) return '0s';
  if (ns < NS_PER_SECOND) {
    if (ns < 1_000n) return `${ns}ns`;
    if (ns < NS_PER_MS) return `${ns / 1_000n}${fraction(ns % 1_000n, 3)}µs`;
    return `${ns / NS_PER_MS}${fraction(ns % NS_PER_MS, 6)}ms`;
  }
  const secondsText = `${(ns / NS_PER_SECOND) % 60n}${fraction(ns % NS_PER_SECOND, 9)}s`;
  const minutes = ns / NS_PER_SECOND / 60n;
  if (minutes === 0n) return secondsText;
  const hours = minutes / 60n;
  return `${hours > 0n ? `${hours}h` : ''}${minutes % 60n}m${secondsText}`;
}

/**
 * The shortest Go duration string of `d`, as a user writes it: `720h`, `1h30m`, `10m`, `90s` (formatGoDuration
 * without its zero tail). Velero parses it back to the same value; messages advise in this form, never in days.
 */
export function shortGoDuration(d: Duration): string {
  return formatGoDuration(d)
    .replace(/h0m0s$/, 'h')
    .replace(/([hm\d])m0s$/, '$1m');
}

function invalid(s: string, why: string): Error {
  return new Error(`'${s}' is not a Go duration: ${why}`);
}

/** Hint for the units people reach for that Go doesn't have. */
function unitHint(s: string, unit: string): string {
  const whole = /^\+?(\d+)(d|w)$/.exec(s);
  if (whole) {
    const n = Number(whole[1]);
    const hours = whole[2] === 'd' ? n * 24 : n * 168;
    return `; write '${hours}h' for ${n} ${whole[2] === 'd' ? 'day' : 'week'}${n === 1 ? '' : 's'}`;
  }
  if (/^(d|day|days|w|wk|week|weeks|y|yr|year|years)$/.test(unit))
    return "; write days and weeks in hours, e.g. '720h' for 30 days";
  return '';
}

/**
 * Go's `time.ParseDuration` (minus negative values, which a cdk8s Duration can't hold): `720h`, `720h0m0s`,
 * `1h30m`, `1.5h`, `90s`, `500ms`, `0`. Throws on anything Go rejects, e.g. `30d`, naming the valid units.
 */
export function parseGoDuration(s: string): Duration {
  if (s === '') throw invalid(s, `it is empty; write e.g. '720h' or '10m'`);
  if (/\s/.test(s)) throw invalid(s, `it contains whitespace; write the parts together, e.g. '1h30m'`);
  let rest = s;
  if (rest[0] === '-') throw new Error(`'${s}' is negative; a duration here must be zero or more`);
  if (rest[0] === '+') rest = rest.slice(1);
  if (rest === '0') return Duration.millis(0);
  if (rest === '') throw invalid(s, `expected a number after the sign`);
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [matched, whole, frac] = m;
    if (whole === '' && !frac) {
      throw invalid(s, `expected a number at '${rest}'; write e.g. '720h', '1h30m' or '10m'`);
    }
    rest = rest.slice(matched.length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') {
      throw invalid(s, `missing unit after '${matched}'; valid units are ${GO_DURATION_UNITS}`);
    }
    const perUnit = GO_UNITS[unit];
    if (perUnit === undefined) {
      throw invalid(s, `unknown unit '${unit}'; valid units are ${GO_DURATION_UNITS}${unitHint(s, unit)}`);
    }
    rest = rest.slice(unit.length);
    total += BigInt(whole || '0') * perUnit;
    if (frac) total += (BigInt(frac) * perUnit) / 10n ** BigInt(frac.length);
    if (total > MAX_GO_DURATION_NS)
      throw invalid(s, `it is longer than Go's maximum duration (2562047h47m16.854775807s)`);
  }
  return fromNanos(total);
}

/**
 * A short human form for messages and reports: the largest units first, zero parts left out:
 * `30d`, `1d12h`, `6h`, `1h30m`, `45s`, `500ms`, `0s`.
 */
export function describeDuration(d: Duration): string {
  let ns = durationNanos(d);
  if (ns === 0n) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400n * NS_PER_SECOND],
    ['h', 3_600n * NS_PER_SECOND],
    ['m', 60n * NS_PER_SECOND],
    ['s', NS_PER_SECOND],
  ] as const) {
    if (ns >= size) {
      parts.push(`${ns / size}${unit}`);
      ns %= size;
    }
  }
  // below a second: milliseconds, with a fraction when there is one
  if (ns > 0n) parts.push(`${Number(ns) / 1e6}ms`);
  return parts.join('');
}

/**
 * A whole-second Prometheus duration (`1d6h`, `15m`, `0s`): the form of describeDuration, which matches the
 * PrometheusRule CRD's duration pattern and reads well in annotations too.
 */
export function promDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`duration of ${seconds}s is not a whole number of seconds`);
  return describeDuration(Duration.seconds(seconds));
}

/** One unit with a space, for report tables: whole days as `30 d`, else hours (`6 h`, `1.5 h`), else `30 min`. */
export function formatReportDuration(d: Duration): string {
  const h = d.toHours({ integral: false });
  if (h >= 24 && h % 24 === 0) return `${h / 24} d`;
  if (h >= 1) return Number.isInteger(h) ? `${h} h` : `${h.toFixed(1)} h`;
  return `${d.toMinutes({ integral: false })} min`;
}

/** `a` compared with `b`: negative, zero or positive (exact, to the nanosecond). */
export function compareDurations(a: Duration, b: Duration): number {
  const x = durationNanos(a);
  const y = durationNanos(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const PROM_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

/** Seconds of a Prometheus duration (`30s`, `1h30m`, `1y`; units in descending order); undefined if it is none. */
export function parsePromDuration(text: string): number | undefined {
  const m = PROM_DURATION.exec(text);
  if (!m || text === '') return undefined;
  const [y, w, d, h, min, sec, ms] = [2, 4, 6, 8, 10, 12, 14].map((i) => Number(m[i] ?? 0));
  return (((y * 365 + w * 7 + d) * 24 + h) * 60 + min) * 60 + sec + ms / 1000;
}
