/**
 * Velero's cron dialect: what `cron.ParseStandard` of robfig/cron v3.0.1 accepts, as Velero 1.15's schedule
 * controller calls it (velero-upstream-facts.md §1d, §3 G11), and when such a schedule runs.
 *
 * Accepted:
 * - exactly 5 fields: minute (0-59), hour (0-23), day-of-month (1-31), month (1-12 or JAN-DEC),
 *   day-of-week (0-6 or SUN-SAT; 7 is not Sunday here). Each field is a comma list of `*`, `n`, `a-b`, `* /n`
 *   (without the space), `a-b/n` or `a/n` (= `a-max/n`); names are case-insensitive; `?` means `*` in the
 *   two day fields.
 * - robfig's day rule: when day-of-month or day-of-week is `*` or `?` (a step of 1 included), a day must match
 *   both; when both are restricted, a day matching EITHER runs (`0 0 1 * MON` = the 1st and every Monday).
 * - descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, and
 *   `@every <Go duration>` (e.g. `@every 36h`; it counts from the previous backup).
 * - an optional `CRON_TZ=<IANA zone> ` or `TZ=<IANA zone> ` prefix; without it the server's clock, UTC.
 *   The zone is looked up in the server image's zoneinfo (Velero doesn't embed tzdata): plain UTC is safest.
 *
 * Stricter than robfig where robfig silently reads a typo as something else: empty list elements (`1,,2`),
 * `*-5` (robfig ignores the `-5`), `?` outside the day fields, a leading `+`, a zone spelled in another case
 * (Go's lookup is case-sensitive), a day-of-month that never occurs in the chosen months (`0 0 30 2 *`
 * parses, then never runs), and `@every` below 1m or with a fraction of a second (the schedule controller
 * looks at schedules once a minute; robfig drops sub-second parts).
 *
 * Why not a library: the two maintained JS cron parsers were weighed, cron-parser 5.10.7 and croner 11.0.1
 * (both MIT, both on the npm registry, both active). Both read Vixie/Quartz cron, not robfig's, and tried
 * on the same expressions they differ from what Velero runs in ways that change when backups happen
 * (each one is a row of the 'semantics kept from robfig/cron' table in test/cron.test.ts):
 * - they accept a seconds field (6 fields), day-of-week 7 as Sunday, and `L`, `#` (croner also `W`):
 *   `cron.ParseStandard` refuses all of them, so Velero would refuse the Schedule;
 * - they refuse `@every <duration>` and a `CRON_TZ=`/`TZ=` prefix, and cron-parser refuses `@midnight`,
 *   all of which Velero accepts;
 * - they read `* /1` (without the space) in a day field as restricted, so day-of-month OR day-of-week;
 *   robfig keeps the star bit for a step of 1, so day-of-month `* /1` with day-of-week `MON` runs on
 *   Mondays only;
 * - on a spring-forward day a run in the missing hour moves (cron-parser to 03:30, croner to 03:00);
 *   robfig skips it that day. On a fall-back day a run in the repeated hour runs once; robfig runs twice.
 * Using one would take a pre-parser for the strictness rules, translation of descriptors and zones, and
 * corrections for the day rule and daylight-saving time: more code than the parser, with a dependency
 * whose semantics may drift further. The cadence maths (the longest gap, exact over the 400-year cycle)
 * needs the matcher itself, which neither exposes. So this module keeps its own parser and maths.
 */
import { Duration } from 'cdk8s';
import { describeDuration, durationNanos, exactDuration, parseGoDuration } from '../units/duration';

export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/** The values each field matches, sorted, plus robfig's "star bit" of the two day fields. */
export interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  /** 0 = Sunday. */
  readonly daysOfWeek: readonly number[];
  /** Day-of-month was `*` or `?` (step 1): then a day must match both day fields. */
  readonly dayOfMonthIsStar: boolean;
  /** Day-of-week was `*` or `?` (step 1): then a day must match both day fields. */
  readonly dayOfWeekIsStar: boolean;
}

interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
  /** What valid values look like, for messages. */
  readonly valid: string;
  /** `?` is allowed (the day fields). */
  readonly question: boolean;
}

const MONTH_NAMES = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAY_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELD_SPECS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, valid: '0-59', question: false },
  { name: 'hour', min: 0, max: 23, valid: '0-23', question: false },
  { name: 'day-of-month', min: 1, max: 31, valid: '1-31', question: true },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, valid: '1-12 or JAN-DEC', question: false },
  { name: 'day-of-week', min: 0, max: 6, names: DAY_NAMES, valid: '0-6 or SUN-SAT', question: true },
];
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Velero's schedule controller re-checks every Schedule once a minute. */
const MIN_EVERY = Duration.minutes(1);

/** One field's matches as a lookup table, and whether it was `*`/`?`. */
interface ParsedField {
  readonly set: readonly boolean[];
  readonly star: boolean;
}

/** A parsed Velero cron schedule. Make one with `parseCron`. */
export class CronSchedule {
  /** Memoized: `cadenceOf` is asked for the same few expressions by every construct that reads a schedule. */
  private cadenceCache?: Duration;

  /** @internal use `parseCron` */
  constructor(
    /** The expression exactly as written. */
    public readonly expression: string,
    /** The IANA zone of a `CRON_TZ=`/`TZ=` prefix, as written; undefined = UTC. */
    public readonly timeZone: string | undefined,
    /** `@daily` etc. when the expression (after the prefix) is a descriptor. */
    public readonly descriptor: string | undefined,
    /** The field form (also for descriptors other than `@every`). */
    public readonly fields: CronFields | undefined,
    /** The interval of an `@every` schedule. */
    public readonly every: Duration | undefined,
    private readonly match: Matcher | undefined,
    /** The five field texts, for messages. */
    private readonly texts: readonly string[],
  ) {}

  /** The first run strictly after `after` (robfig's `Next`), or undefined when none comes within 5 years. */
  public next(after: Date): Date | undefined {
    if (this.every) {
      return new Date(Math.floor(after.getTime() / 1000) * 1000 + Number(durationNanos(this.every) / 1_000_000n));
    }
    const t = nextRun(this.match!, zoneOps(this.timeZone), after.getTime());
    return t === undefined ? undefined : new Date(t);
  }

  /** The longest interval between two consecutive runs (see `cadenceOf`). */
  public cadence(): Duration {
    if (!this.cadenceCache) this.cadenceCache = exactDuration(this.computeCadence());
    return this.cadenceCache;
  }

  private computeCadence(): number {
    if (this.every) return Number(durationNanos(this.every) / 1_000_000n);
    const wall = wallClockCadence(this.match!);
    if (!this.timeZone) return wall;
    // between two offset changes a zone is UTC shifted; around each change robfig's Next is replayed
    let longest = wall;
    const ops = zoneOps(this.timeZone);
    for (const change of offsetChanges(this.timeZone)) {
      const until = change + wall + 3 * HOUR_MS;
      let previous = nextRun(this.match!, ops, change - wall - 3 * HOUR_MS);
      while (previous !== undefined && previous <= until) {
        const run = nextRun(this.match!, ops, previous);
        if (run === undefined) break;
        longest = Math.max(longest, run - previous);
        previous = run;
      }
    }
    return longest;
  }

  /** The field texts (minute hour day-of-month month day-of-week) as written; empty for descriptors. */
  public get fieldTexts(): readonly string[] {
    return this.texts;
  }
}

interface Matcher {
  readonly minute: readonly boolean[];
  readonly hour: readonly boolean[];
  readonly dom: readonly boolean[];
  readonly month: readonly boolean[];
  readonly dow: readonly boolean[];
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

function fieldError(spec: FieldSpec, value: string, why: string): Error {
  return new Error(`${spec.name} field '${value}' ${why}`);
}

function parseValue(spec: FieldSpec, text: string, element: string): number {
  if (spec.names) {
    const named = spec.names[text.toLowerCase() as keyof typeof spec.names];
    if (named !== undefined) return named;
  }
  if (!/^\d+$/.test(text)) {
    throw fieldError(spec, element, `is not ${spec.names ? 'a number or a name' : 'a number'}; use ${spec.valid}`);
  }
  return Number(text);
}

/** One comma-separated element: `*`, `?`, `n`, `a-b`, with an optional `/step`. */
function parseElement(spec: FieldSpec, element: string, set: boolean[]): boolean {
  const slashParts = element.split('/');
  if (slashParts.length > 2)
    throw fieldError(spec, element, `has more than one '/'; write a step as '*/15' or '0-30/5'`);
  const [range, stepText] = slashParts;
  const dashParts = range.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (range === '*' || range === '?') {
    if (range === '?' && !spec.question) {
      throw fieldError(spec, element, `uses '?', which only day-of-month and day-of-week accept; use '*'`);
    }
    start = spec.min;
    end = spec.max;
    star = true;
  } else {
    if (dashParts.length > 2) throw fieldError(spec, element, `has more than one '-'; write a range as 'a-b'`);
    if (dashParts.includes('*') || dashParts.includes('?')) {
      throw fieldError(spec, element, `mixes '*' into a range; use '*' alone or a range 'a-b'`);
    }
    start = parseValue(spec, dashParts[0], element);
    end = dashParts.length === 2 ? parseValue(spec, dashParts[1], element) : start;
  }
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText)) throw fieldError(spec, element, `has step '${stepText}', which is not a number`);
    step = Number(stepText);
    // robfig: "N/step" means "N-max/step"
    if (!star && dashParts.length === 1) end = spec.max;
    // robfig v3: a step above 1 makes the field restricted
    if (step > 1) star = false;
  }
  if (start < spec.min || end > spec.max) {
    const sunday = spec.name === 'day-of-week' && end === 7 ? ' (Sunday is 0)' : '';
    throw fieldError(spec, element, `is out of range ${spec.min}-${spec.max}${sunday}`);
  }
  if (start > end) {
    throw fieldError(
      spec,
      element,
      `is a range that ends before it starts; ranges don't wrap around, write '${start}-${spec.max},${spec.min}-${end}'`,
    );
  }
  if (step === 0) throw fieldError(spec, element, `has step 0; use a step of 1 or more`);
  for (let v = start; v <= end; v += step) set[v] = true;
  return star;
}

function parseField(spec: FieldSpec, text: string): ParsedField {
  const set: boolean[] = new Array(spec.max + 1).fill(false);
  let star = false;
  for (const element of text.split(',')) {
    if (element === '') throw fieldError(spec, text, `has an empty list element; separate values with single commas`);
    if (parseElement(spec, element, set)) star = true;
  }
  return { set, star };
}

function values(set: readonly boolean[]): number[] {
  const out: number[] = [];
  set.forEach((on, v) => on && out.push(v));
  return out;
}

/** `set` with exactly `v`; for descriptors. */
function only(spec: FieldSpec, v: number): ParsedField {
  const set: boolean[] = new Array(spec.max + 1).fill(false);
  set[v] = true;
  return { set, star: false };
}

function all(spec: FieldSpec): ParsedField {
  const set: boolean[] = new Array(spec.max + 1).fill(false);
  for (let v = spec.min; v <= spec.max; v++) set[v] = true;
  return { set, star: true };
}

/** robfig's parseDescriptor. */
function descriptorFields(descriptor: string): ParsedField[] | undefined {
  const [mi, h, dom, mon, dow] = FIELD_SPECS;
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return [only(mi, 0), only(h, 0), only(dom, 1), only(mon, 1), all(dow)];
    case '@monthly':
      return [only(mi, 0), only(h, 0), only(dom, 1), all(mon), all(dow)];
    case '@weekly':
      return [only(mi, 0), only(h, 0), all(dom), all(mon), only(dow, 0)];
    case '@daily':
    case '@midnight':
      return [only(mi, 0), only(h, 0), all(dom), all(mon), all(dow)];
    case '@hourly':
      return [only(mi, 0), all(h), all(dom), all(mon), all(dow)];
    default:
      return undefined;
  }
}

/** Validates an IANA zone name the way Go's `time.LoadLocation` will see it. */
function checkZone(zone: string, prefix: string): void {
  if (zone === '') {
    throw new Error(
      `time zone prefix '${prefix}' names no zone; write e.g. 'CRON_TZ=Europe/Berlin 0 2 * * *', or leave it out for UTC`,
    );
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`time zone '${zone}' is not an IANA time zone; use e.g. 'UTC' or 'Europe/Berlin'`);
  }
  if (zone !== resolved && zone.toLowerCase() === resolved.toLowerCase()) {
    throw new Error(`time zone '${zone}' must be written '${resolved}'; Go looks zones up case-sensitively`);
  }
  if (!/[A-Z]/.test(zone)) {
    throw new Error(
      `time zone '${zone}' is not spelled as in the IANA database; Go looks zones up case-sensitively, use e.g. 'UTC' or 'Europe/Berlin'`,
    );
  }
}

const parsed = new Map<string, CronSchedule>();

/**
 * Parses a Velero schedule (see the file comment for the dialect). Throws with the field, the bad value and
 * the valid range: `minute field '61' is out of range 0-59`.
 */
export function parseCron(expression: string): CronSchedule {
  const cached = parsed.get(expression);
  if (cached) return cached;
  const schedule = parse(expression);
  parsed.set(expression, schedule);
  return schedule;
}

function parse(expression: string): CronSchedule {
  if (expression.trim() === '') throw new Error(`cron expression is empty; write e.g. '0 2 * * *' or '@daily'`);
  let spec = expression;
  let timeZone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    if (space < 0) {
      throw new Error(
        `time zone prefix '${spec}' must be followed by a space and the schedule, e.g. 'CRON_TZ=UTC 0 2 * * *'`,
      );
    }
    timeZone = spec.slice(spec.indexOf('=') + 1, space);
    checkZone(timeZone, spec.slice(0, space));
    spec = spec.slice(space).trim();
    if (spec === '')
      throw new Error(
        `time zone prefix 'CRON_TZ=${timeZone}' is followed by no schedule; write e.g. 'CRON_TZ=${timeZone} 0 2 * * *'`,
      );
  }

  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) {
      const text = spec.slice('@every '.length);
      let every: Duration;
      try {
        every = parseGoDuration(text);
      } catch (e) {
        throw new Error(`@every ${(e as Error).message}`, { cause: e });
      }
      if (durationNanos(every) % 1_000_000_000n !== 0n) {
        throw new Error(`@every '${text}' has a fraction of a second, which robfig/cron drops; use whole seconds`);
      }
      if (durationNanos(every) < durationNanos(MIN_EVERY)) {
        throw new Error(`@every '${text}' is shorter than 1m; Velero checks schedules once a minute`);
      }
      return new CronSchedule(expression, timeZone, undefined, undefined, every, undefined, []);
    }
    const fields = descriptorFields(spec);
    if (!fields) {
      throw new Error(
        `unknown descriptor '${spec}'; use one of ${DESCRIPTORS.join(', ')} or '@every <duration>' (e.g. '@every 6h')`,
      );
    }
    return build(expression, timeZone, spec, fields, []);
  }

  const texts = spec.split(/\s+/).filter(Boolean);
  if (texts.length !== 5) {
    throw new Error(
      `expected exactly 5 fields (minute hour day-of-month month day-of-week), got ${texts.length}: '${spec}'`,
    );
  }
  const fields = texts.map((text, i) => parseField(FIELD_SPECS[i], text));
  return build(expression, timeZone, undefined, fields, texts);
}

/** Longest month of each month number, leap years included. */
const MAX_MONTH_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function build(
  expression: string,
  timeZone: string | undefined,
  descriptor: string | undefined,
  parsedFields: ParsedField[],
  texts: string[],
): CronSchedule {
  const [minute, hour, dom, month, dow] = parsedFields;
  const match: Matcher = {
    minute: minute.set,
    hour: hour.set,
    dom: dom.set,
    month: month.set,
    dow: dow.set,
    domStar: dom.star,
    dowStar: dow.star,
  };
  // robfig parses `0 0 30 2 *` fine, then never finds a run: refuse it here
  if (match.domStar || match.dowStar) {
    const occurs = values(month.set).some((m) => values(dom.set).some((d) => d <= MAX_MONTH_DAYS[m]));
    if (!occurs) {
      throw new Error(`'${expression}' never runs: day-of-month '${texts[2]}' does not occur in month '${texts[3]}'`);
    }
  }
  const fields: CronFields = {
    minutes: values(minute.set),
    hours: values(hour.set),
    daysOfMonth: values(dom.set),
    months: values(month.set),
    daysOfWeek: values(dow.set),
    dayOfMonthIsStar: dom.star,
    dayOfWeekIsStar: dow.star,
  };
  return new CronSchedule(expression, timeZone, descriptor, fields, undefined, match, texts);
}

function dayMatches(m: Matcher, day: number, weekday: number): boolean {
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

function wallClockCadence(m: Matcher): number {
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

interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

interface ZoneOps {
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

function zoneOps(zone: string | undefined): ZoneOps {
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

function offsetChanges(zone: string): number[] {
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

function nextRun(m: Matcher, ops: ZoneOps, after: number): number | undefined {
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

// ---------------------------------------------------------------------------------------------------------

/**
 * The longest interval between two consecutive runs: `0 2 * * *` 1 day, `0 3 * * 0` 7 days, `0 2 1 * *`
 * 31 days, `@every 36h` 36 hours. Exact over the 400-year Gregorian cycle (leap years, month lengths). With a
 * zone, DST is included as the server's robfig/cron sees it (a daily run inside the skipped hour of a
 * spring-forward day doesn't happen that day), from the zone's offset changes in 2025 and 2026.
 */
export function cadenceOf(expression: string | CronSchedule): Duration {
  return (typeof expression === 'string' ? parseCron(expression) : expression).cadence();
}

/** The next `count` runs strictly after `from`, as Velero's robfig/cron computes them (in UTC or the zone). */
export function nextRuns(expression: string | CronSchedule, from: Date, count: number): Date[] {
  const schedule = typeof expression === 'string' ? parseCron(expression) : expression;
  const runs: Date[] = [];
  let t: Date | undefined = from;
  while (runs.length < count) {
    t = schedule.next(t);
    if (!t) break;
    runs.push(t);
  }
  return runs;
}

/** A one-line description of a cadence for messages, e.g. `1d` or `6h` (see describeDuration). */
export function describeCadence(expression: string | CronSchedule): string {
  return describeDuration(cadenceOf(expression));
}
