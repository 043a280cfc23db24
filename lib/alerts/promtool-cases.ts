/**
 * The promtool case DSL of the alert families: sample steps, promtool's expanding value notation, series
 * selectors, and lazily built cases (time in seconds from the start of the test).
 */
import type { AlertRule, AlertTestCase, InputSeries } from './promtool';
import { promDuration } from '../units/duration';

const HOUR = 3600;
const DAY = 86_400;

export interface Step {
  /** Sample interval in seconds. */
  readonly interval: number;
  /** Number of samples. */
  readonly samples: number;
}

/** Sample (and rule evaluation) interval for cases spanning `span` seconds: promtool evaluates every rule at every step. */
export function intervalFor(span: number): number {
  // samples and evaluations coincide, so an hour between samples is exact for these gauges
  if (span > 3 * DAY) return HOUR;
  return span > 6 * HOUR ? 300 : 60;
}

export function stepFor(horizon: number, interval = intervalFor(horizon)): Step {
  return { interval, samples: Math.ceil(horizon / interval) + 1 };
}

/** `t` rounded up to a multiple of `step`. */
export function gridCeil(t: number, step: number): number {
  return Math.ceil(t / step) * step;
}

/** `t` rounded down to a multiple of `step`. */
export function gridFloor(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

/**
 * promtool values: a timestamp gauge (a last-success time) that is `age` seconds old at `at` seconds.
 * promtool's clock starts at 0, so a month-old timestamp is a negative value, and a staleness case
 * (`time() - ts > threshold`, with its `for:`) needs only the minutes around its evaluation at a fine
 * interval, not the month before it: exact, and a few hundred evaluations instead of tens of thousands.
 */
export function aged(age: number, at: number, step: Step): string {
  return constant(at - age, step);
}

/** promtool values: `v` for the whole horizon. */
export function constant(v: number, step: Step): string {
  return `${v}x${step.samples - 1}`;
}

/** promtool's expanding notation for `count` samples of `v`: `vxN` is N+1 samples, `_xN` is N. */
export function repeat(v: number | '_', count: number): string {
  return v === '_' ? `_x${count}` : `${v}x${count - 1}`;
}

/** promtool values: `before` until `at` seconds, then `after` (`_` = no sample). */
export function change(before: number | '_', after: number | '_', at: number, step: Step): string {
  const n = Math.round(at / step.interval);
  return `${repeat(before, n)} ${repeat(after, step.samples - n)}`;
}

/** promtool values: `v`, then `blip` for `length` seconds from `at`, then `v` again. */
export function blip(v: number, other: number, at: number, length: number, step: Step): string {
  const a = Math.round(at / step.interval);
  const b = Math.round(length / step.interval);
  return `${repeat(v, a)} ${repeat(other, b)} ${repeat(v, step.samples - a - b)}`;
}

/** promtool values: a timestamp gauge that always says "just now" (a healthy schedule). */
export function fresh(step: Step): string {
  return `0+${step.interval}x${step.samples - 1}`;
}

export function series(name: string, l: Record<string, string>): string {
  return `${name}{${Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

/** The schedules a global rule's cases are generated for: every schedule, or an example when there is none. */
export function casesFor(scheduleNames: readonly string[]): readonly string[] {
  return scheduleNames.length ? scheduleNames : ['any-schedule'];
}

/**
 * A promtool case whose input series are built on first read: the synth never reads them (only the
 * promtool tests do), and for many schedules building them up front dominated the synth.
 */
export function caseOf(
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
