/**
 * Velero's cron dialect: what `cron.ParseStandard` of robfig/cron v3.0.1 accepts, as Velero 1.15's schedule
 * controller calls it (docs/upstream-facts.md#schedule), and when such a schedule runs.
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
 * (each one is a row of the 'semantics kept from robfig/cron' table in test/schedule/cron.test.ts):
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
 * needs the matcher itself, which neither exposes. So the project keeps its own parser (here) and its
 * run times and cadence maths (lib/schedule/cron-clock.ts).
 */
import { Duration } from 'cdk8s';
import { describeDuration, durationNanos, exactDuration, parseGoDuration } from '../units/duration';
import { nextRun, offsetChanges, wallClockCadence, zoneOps, type Matcher } from './cron-clock';

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
const HOUR_MS = 3_600_000;
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
