/**
 * When a parsed Velero cron schedule runs (lib/schedule/cron.ts parses it): robfig/cron's `Next` on the wall
 * clock of the schedule's zone, and the cadence maths, the longest interval between two runs, exact over
 * the 400-year Gregorian cycle and replayed around every offset change of the zone.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The fields of a schedule as lookup tables, and robfig's star bits of the two day fields. */
export interface Matcher {
  readonly minute: readonly boolean[];
  readonly hour: readonly boolean[];
  readonly dom: readonly boolean[];
  readonly month: readonly boolean[];
  readonly dow: readonly boolean[];
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

export function dayMatches(m: Matcher, day: number, weekday: number): boolean {
  const domMatch = m.dom[day];
  const dowMatch = m.dow[weekday];
  return m.domStar || m.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
}

// ---------------------------------------------------------------------------------------------------------
// Cadence on the wall clock: the same times of day run on every matching day, so the longest interval is
// either the longest gap between two times of one day, or the longest gap between two matching days minus
// the span of the day's times. The Gregorian calendar repeats every 400 years (146097 days, a whole number
// of weeks), so scanning one cycle month by month is exact.

const CYCLE_YEARS = 400;
const CYCLE_DAYS = 146_097;
/** 2000-01-01 was a Saturday. */
const CYCLE_START_WEEKDAY = 6;

const THIRTY_DAY_MONTHS: readonly boolean[] = [
  false,
  false,
  false,
  false,
  true,
  false,
  true,
  false,
  false,
  true,
  false,
  true,
];

function monthLength(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return THIRTY_DAY_MONTHS[month] ? 30 : 31;
}

/**
 * The common case without the calendar walk: every month, and the day-of-month field is `*` (so only the
 * weekdays decide, robfig's star rule). The longest gap between matching days is then the longest cyclic
 * gap between the allowed weekdays (1 when every day matches). Undefined when the fast path doesn't apply.
 */
function weekdayOnlyDayGap(m: Matcher): number | undefined {
  if (!m.domStar) return undefined;
  for (let month = 1; month <= 12; month++) if (!m.month[month]) return undefined;
  const days: number[] = [];
  for (let d = 0; d < 7; d++) if (m.dow[d]) days.push(d);
  if (days.length === 0) return undefined;
  let gap = days[0] + 7 - days[days.length - 1];
  for (let i = 1; i < days.length; i++) gap = Math.max(gap, days[i] - days[i - 1]);
  return gap;
}

interface MonthMatches {
  readonly first: number;
  readonly last: number;
  readonly longestGap: number;
}

function longestDayGap(m: Matcher): number {
  const fast = weekdayOnlyDayGap(m);
  if (fast !== undefined) return fast;
  // matching days of a month depend only on the month, its length and the weekday of its 1st
  const memo = new Map<number, MonthMatches | null>();
  let dayIndex = 0;
  let firstMatch: number | undefined;
  let previous: number | undefined;
  let longest = 0;
  for (let year = 2000; year < 2000 + CYCLE_YEARS; year++) {
    for (let month = 1; month <= 12; month++) {
      const length = monthLength(year, month);
      if (m.month[month]) {
        const weekdayOfFirst = (CYCLE_START_WEEKDAY + dayIndex) % 7;
        const key = month * 1000 + length * 10 + weekdayOfFirst;
        let matches = memo.get(key);
        if (matches === undefined) {
          const days: number[] = [];
          for (let d = 1; d <= length; d++) if (dayMatches(m, d, (weekdayOfFirst + d - 1) % 7)) days.push(d);
          let gap = 0;
          for (let i = 1; i < days.length; i++) gap = Math.max(gap, days[i] - days[i - 1]);
          matches = days.length ? { first: days[0], last: days[days.length - 1], longestGap: gap } : null;
          memo.set(key, matches);
        }
        if (matches) {
          const first = dayIndex + matches.first - 1;
          if (previous === undefined) firstMatch = first;
          else longest = Math.max(longest, first - previous);
          longest = Math.max(longest, matches.longestGap);
          previous = dayIndex + matches.last - 1;
        }
      }
      dayIndex += length;
    }
  }
  // build() refuses schedules without a matching day, so there is one
  return Math.max(longest, firstMatch! + CYCLE_DAYS - previous!);
}

export function wallClockCadence(m: Matcher): number {
  const times: number[] = [];
  m.hour.forEach((h, hour) => h && m.minute.forEach((on, minute) => on && times.push(hour * 60 + minute)));
  let withinDay = 0;
  for (let i = 1; i < times.length; i++) withinDay = Math.max(withinDay, times[i] - times[i - 1]);
  const span = times[times.length - 1] - times[0];
  return Math.max(withinDay, longestDayGap(m) * 1440 - span) * MINUTE_MS;
}

// ---------------------------------------------------------------------------------------------------------
// robfig's SpecSchedule.Next, step for step, on epoch milliseconds, so DST behaves as on the server: a run in
// the skipped hour of a spring-forward day is skipped that day, one in the repeated hour of a fall-back
// day runs twice.

export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

export interface ZoneOps {
  /** Wall-clock fields of an instant. */
  local(t: number): LocalTime;
  /** Go's `time.Date(y, mo, d, h, mi, s, 0, loc)`: normalizes overflow; in a gap or overlap, Go's choice. */
  date(year: number, month: number, day: number, hour: number, minute: number, second: number): number;
}

function utcFields(t: number): LocalTime {
  const d = new Date(t);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

const UTC_OPS: ZoneOps = {
  local: utcFields,
  date: (y, mo, d, h, mi, s) => Date.UTC(y, mo - 1, d, h, mi, s),
};

const zones = new Map<string, ZoneOps>();
const offsets = new Map<string, (t: number) => number>();
const OFFSET_BUCKET_MS = 15 * MINUTE_MS;

/** Offset (local minus UTC, ms) of an IANA zone at an instant, through Intl; cached in 15-minute buckets. */
function offsetFunction(zone: string): (t: number) => number {
  const known = offsets.get(zone);
  if (known) return known;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const exact = (t: number): number => {
    const second = Math.floor(t / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(new Date(second))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - second;
  };
  const buckets = new Map<number, number>();
  const offsetAt = (t: number) => {
    const bucket = Math.floor(t / OFFSET_BUCKET_MS);
    let offset = buckets.get(bucket);
    if (offset === undefined) {
      const start = bucket * OFFSET_BUCKET_MS;
      const a = exact(start);
      offset = a === exact(start + OFFSET_BUCKET_MS - 1000) ? a : NaN;
      buckets.set(bucket, offset);
    }
    // NaN: the offset changes inside this bucket
    return Number.isNaN(offset) ? exact(t) : offset;
  };
  offsets.set(zone, offsetAt);
  return offsetAt;
}

export function zoneOps(zone: string | undefined): ZoneOps {
  if (!zone) return UTC_OPS;
  let ops = zones.get(zone);
  if (!ops) {
    const offsetAt = offsetFunction(zone);
    ops = {
      local: (t) => utcFields(t + offsetAt(t)),
      date: (y, mo, d, h, mi, s) => {
        // time.Date: look the offset up at the wall time read as UTC; if the result falls outside that
        // offset's period, use the offset at the result instead
        const wall = Date.UTC(y, mo - 1, d, h, mi, s);
        const guess = offsetAt(wall);
        if (guess === 0) return wall;
        const other = offsetAt(wall - guess);
        return wall - (other === guess ? guess : other);
      },
    };
    zones.set(zone, ops);
  }
  return ops;
}

/** Offset changes of a zone in the reference years, to the minute. */
const REFERENCE_START = Date.UTC(2025, 0, 1);
const REFERENCE_END = Date.UTC(2027, 0, 1);
const changes = new Map<string, number[]>();

export function offsetChanges(zone: string): number[] {
  let found = changes.get(zone);
  if (found) return found;
  found = [];
  const offset = offsetFunction(zone);
  for (let t = REFERENCE_START; t < REFERENCE_END; t += DAY_MS) {
    if (offset(t) === offset(t + DAY_MS)) continue;
    let lo = t;
    let hi = t + DAY_MS;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  changes.set(zone, found);
  return found;
}

export function nextRun(m: Matcher, ops: ZoneOps, after: number): number | undefined {
  // start at the earliest possible time: the upcoming second
  let t = Math.floor(after / 1000) * 1000 + 1000;
  let l = ops.local(t);
  let added = false;
  const yearLimit = l.year + 5;
  const set = (next: number) => {
    t = next;
    l = ops.local(t);
  };
  wrap: for (;;) {
    if (l.year > yearLimit) return undefined;
    while (!m.month[l.month]) {
      if (!added) {
        added = true;
        set(ops.date(l.year, l.month, 1, 0, 0, 0));
      }
      set(ops.date(l.year, l.month + 1, l.day, l.hour, l.minute, l.second));
      if (l.month === 1) continue wrap;
    }
    while (!dayMatches(m, l.day, l.weekday)) {
      if (!added) {
        added = true;
        set(ops.date(l.year, l.month, l.day, 0, 0, 0));
      }
      set(ops.date(l.year, l.month, l.day + 1, l.hour, l.minute, l.second));
      // DST moved midnight: back to 00:00
      if (l.hour !== 0) set(t + (l.hour > 12 ? 24 - l.hour : -l.hour) * HOUR_MS);
      if (l.day === 1) continue wrap;
    }
    while (!m.hour[l.hour]) {
      if (!added) {
        added = true;
        set(ops.date(l.year, l.month, l.day, l.hour, 0, 0));
      }
      set(t + HOUR_MS);
      if (l.hour === 0) continue wrap;
    }
    while (!m.minute[l.minute]) {
      if (!added) {
        added = true;
        set(Math.floor(t / MINUTE_MS) * MINUTE_MS);
      }
      set(t + MINUTE_MS);
      if (l.minute === 0) continue wrap;
    }
    if (l.second !== 0) {
      // only second 0 matches: robfig steps a second at a time to the next minute, then starts over
      added = true;
      set(Math.floor(t / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
      continue wrap;
    }
    return t;
  }
}
