import { cadenceOf, describeCadence, nextRuns, parseCron } from '../../lib/schedule/cron';

const hours = (expr: string) => cadenceOf(expr).toHours({ integral: false });
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('cadence: the longest interval between two runs', () => {
  test('0 2 * * * runs every day', () => {
    expect(cadenceOf('0 2 * * *').toDays()).toBe(1);
  });

  test('0 3 * * 0 runs every 7 days', () => {
    expect(cadenceOf('0 3 * * 0').toDays()).toBe(7);
  });

  test('0 */6 * * * runs every 6 hours', () => {
    expect(cadenceOf('0 */6 * * *').toHours()).toBe(6);
  });

  test('@every 36h runs every 36 hours', () => {
    expect(cadenceOf('@every 36h').toHours()).toBe(36);
  });

  test('0 2 1 * * has 31 days between its longest-apart runs', () => {
    expect(cadenceOf('0 2 1 * *').toDays()).toBe(31);
  });

  test('the gap over the weekend counts for a weekday schedule', () => {
    expect(hours('0 9-17 * * MON-FRI')).toBe(64);
  });

  test('uneven hours: the longest gap, including the one across midnight', () => {
    expect(hours('0 1,4,20 * * *')).toBe(16);
    expect(hours('30 22 * * *')).toBe(24);
  });

  test('a/step on day-of-month restarts every month', () => {
    expect(cadenceOf('0 0 1/10 * *').toDays()).toBe(10);
  });

  test('descriptors', () => {
    expect(cadenceOf('@hourly').toHours()).toBe(1);
    expect(cadenceOf('@daily').toDays()).toBe(1);
    expect(cadenceOf('@midnight').toDays()).toBe(1);
    expect(cadenceOf('@weekly').toDays()).toBe(7);
    expect(cadenceOf('@monthly').toDays()).toBe(31);
    expect(cadenceOf('@yearly').toDays()).toBe(366);
    expect(cadenceOf('@annually').toDays()).toBe(366);
  });

  test('February 29th: leap years over the 400-year cycle, 2100 included', () => {
    expect(cadenceOf('0 0 29 2 *').toDays()).toBe(8 * 365 + 1);
  });

  test('every minute', () => {
    expect(cadenceOf('* * * * *').toMinutes()).toBe(1);
  });

  test('with CRON_TZ in a zone without DST it equals UTC', () => {
    expect(cadenceOf('CRON_TZ=Asia/Tokyo 0 2 * * *').toDays()).toBe(1);
    expect(cadenceOf('CRON_TZ=UTC 0 2 * * *').toDays()).toBe(1);
  });

  test('with CRON_TZ, a daily run in the hour a spring-forward day skips is missed that day (robfig/cron)', () => {
    expect(hours('CRON_TZ=Europe/Berlin 30 2 * * *')).toBe(47);
  });

  test('with CRON_TZ, a fall-back day makes a monthly run an hour later', () => {
    expect(hours('CRON_TZ=Europe/Berlin 0 2 1 * *')).toBe(31 * 24 + 1);
  });

  test('TZ= works like CRON_TZ=', () => {
    expect(hours('TZ=America/New_York 30 1 * * *')).toBe(24);
  });

  test('takes a parsed schedule too', () => {
    expect(cadenceOf(parseCron('0 3 * * 0')).toDays()).toBe(7);
  });

  test('describeCadence is short', () => {
    expect(describeCadence('0 2 * * *')).toBe('1d');
    expect(describeCadence('@every 36h')).toBe('1d12h');
  });
});

/**
 * Where the maintained JS cron libraries (cron-parser 5.10.7, croner 11.0.1) read an expression differently
 * from robfig/cron v3, the parser Velero uses; lib/schedule/cron.ts says why it is not built on them.
 * Each row is what Velero does, and what this module must keep doing.
 */
describe('semantics kept from robfig/cron where cron-parser and croner differ', () => {
  const refused: [string, string][] = [
    ['a seconds field (the libraries read 6 fields as seconds first)', '0 0 2 * * *'],
    ['day-of-week 7 (the libraries read it as Sunday)', '0 0 * * 7'],
    ['L, the last day of the month (the libraries accept it)', '0 0 L * *'],
    ['#, the nth weekday of the month (the libraries accept it)', '0 0 * * 1#2'],
    ['W, the nearest weekday (croner accepts it)', '0 0 15W * *'],
  ];
  test.each(refused)('refuses %s', (_what, expression) => {
    expect(() => parseCron(expression)).toThrow();
  });

  const accepted: [string, string, string][] = [
    ['@every with a Go duration (both libraries refuse it)', '@every 36h', '1d12h'],
    ['@midnight (cron-parser refuses it)', '@midnight', '1d'],
    // the spring-forward day has no 02:00 in Berlin: that day's run is skipped, so the longest gap is 1d23h
    [
      'a CRON_TZ= prefix (both libraries refuse it, taking the zone as an option)',
      'CRON_TZ=Europe/Berlin 0 2 * * *',
      '1d23h',
    ],
    ['a TZ= prefix', 'TZ=UTC 0 2 * * *', '1d'],
  ];
  test.each(accepted)('accepts %s', (_what, expression, cadence) => {
    expect(describeCadence(expression)).toBe(cadence);
  });

  test('a day-of-month step of 1 keeps the star bit: with a day-of-week it runs on those weekdays only', () => {
    // the libraries OR the two day fields here and run every day
    expect(iso(nextRuns('0 0 */1 * MON', new Date('2026-01-01T00:00:00Z'), 3))).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-12T00:00:00.000Z',
      '2026-01-19T00:00:00.000Z',
    ]);
  });

  test('a run in the hour a spring-forward day skips is missed that day, not moved', () => {
    // cron-parser runs it at 03:30 CEST (01:30Z) on 2025-03-30, croner at 03:00 CEST (01:00Z)
    const runs = iso(nextRuns('CRON_TZ=Europe/Berlin 30 2 * * *', new Date('2025-03-28T12:00:00Z'), 2));
    expect(runs).toEqual(['2025-03-29T01:30:00.000Z', '2025-03-31T00:30:00.000Z']);
  });

  test('a run in the hour a fall-back day repeats runs twice', () => {
    // both libraries run it once (05:30Z), then the next day
    const runs = iso(nextRuns('CRON_TZ=America/New_York 30 1 * * *', new Date('2025-11-01T12:00:00Z'), 2));
    expect(runs).toEqual(['2025-11-02T05:30:00.000Z', '2025-11-02T06:30:00.000Z']);
  });
});

describe("robfig/cron's day rule", () => {
  test('day-of-month and day-of-week both restricted: a day matching either runs', () => {
    // 2025-09-01 is a Monday; 2025-10-01 a Wednesday
    expect(iso(nextRuns('0 0 1 * MON', new Date('2025-09-25T00:00:00Z'), 3))).toEqual([
      '2025-09-29T00:00:00.000Z',
      '2025-10-01T00:00:00.000Z',
      '2025-10-06T00:00:00.000Z',
    ]);
  });

  test('day-of-week * : the day-of-month alone decides', () => {
    expect(iso(nextRuns('0 0 1 * *', new Date('2025-09-25T00:00:00Z'), 2))).toEqual([
      '2025-10-01T00:00:00.000Z',
      '2025-11-01T00:00:00.000Z',
    ]);
  });

  test('? works like * in the day fields', () => {
    expect(iso(nextRuns('0 0 ? * MON', new Date('2025-09-25T00:00:00Z'), 2))).toEqual([
      '2025-09-29T00:00:00.000Z',
      '2025-10-06T00:00:00.000Z',
    ]);
    expect(parseCron('0 0 ? * MON').fields!.dayOfMonthIsStar).toBe(true);
  });

  test('*/2 in day-of-month is restricted (robfig v3): OR with day-of-week', () => {
    const f = parseCron('0 0 */2 * MON').fields!;
    expect(f.dayOfMonthIsStar).toBe(false);
    expect(f.daysOfMonth).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]);
  });
});

describe('parseCron accepts what Velero accepts', () => {
  test('lists, ranges, steps and names', () => {
    const f = parseCron('0,30 8-18/2 1-7 JAN,jul-Sep mon-FRI').fields!;
    expect(f.minutes).toEqual([0, 30]);
    expect(f.hours).toEqual([8, 10, 12, 14, 16, 18]);
    expect(f.daysOfMonth).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(f.months).toEqual([1, 7, 8, 9]);
    expect(f.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
  });

  test('a/n means a-max/n', () => {
    expect(parseCron('5/20 * * * *').fields!.minutes).toEqual([5, 25, 45]);
  });

  test('extra whitespace between fields', () => {
    expect(parseCron('0  2 * *\t*').fields!.hours).toEqual([2]);
  });

  test('CRON_TZ= and TZ= prefixes keep the zone', () => {
    expect(parseCron('CRON_TZ=Europe/Berlin 0 2 * * *').timeZone).toBe('Europe/Berlin');
    expect(parseCron('TZ=UTC @daily').timeZone).toBe('UTC');
    expect(parseCron('0 2 * * *').timeZone).toBeUndefined();
  });

  test('@every keeps its duration', () => {
    expect(parseCron('@every 1h30m').every!.toMinutes()).toBe(90);
  });

  test('descriptors are fields underneath', () => {
    const s = parseCron('@weekly');
    expect(s.descriptor).toBe('@weekly');
    expect(s.fields!.daysOfWeek).toEqual([0]);
    expect(s.fields!.hours).toEqual([0]);
  });
});

describe('parseCron refuses what Velero refuses or would misread', () => {
  const refused: [string, string, string][] = [
    ['minute out of range', '61 2 * * *', "minute field '61' is out of range 0-59"],
    ['hour out of range', '0 24 * * *', "hour field '24' is out of range 0-23"],
    ['day-of-month 0', '0 0 0 * *', "day-of-month field '0' is out of range 1-31"],
    ['month 13', '0 0 1 13 *', "month field '13' is out of range 1-12"],
    ['day-of-week 7', '0 0 * * 7', "day-of-week field '7' is out of range 0-6 (Sunday is 0)"],
    ['range end out of range', '0 0 * * 1-7', "day-of-week field '1-7' is out of range 0-6 (Sunday is 0)"],
    ['list element out of range', '0,60 * * * *', "minute field '60' is out of range 0-59"],
    [
      'seconds field (6 fields)',
      '0 0 2 * * *',
      "expected exactly 5 fields (minute hour day-of-month month day-of-week), got 6: '0 0 2 * * *'",
    ],
    ['4 fields', '0 2 * *', "expected exactly 5 fields (minute hour day-of-month month day-of-week), got 4: '0 2 * *'"],
    ['empty', '', "cron expression is empty; write e.g. '0 2 * * *' or '@daily'"],
    ['not a number', '0 x * * *', "hour field 'x' is not a number; use 0-23"],
    ['bad month name', '0 0 * JANX *', "month field 'JANX' is not a number or a name; use 1-12 or JAN-DEC"],
    ['bad day name', '0 0 * * MOX', "day-of-week field 'MOX' is not a number or a name; use 0-6 or SUN-SAT"],
    ['names in the wrong field', '0 0 MON * *', "day-of-month field 'MON' is not a number; use 1-31"],
    ['leading +', '+5 * * * *', "minute field '+5' is not a number; use 0-59"],
    [
      'backwards range',
      '0 22-2 * * *',
      "hour field '22-2' is a range that ends before it starts; ranges don't wrap around, write '22-23,0-2'",
    ],
    ['step 0', '*/0 * * * *', "minute field '*/0' has step 0; use a step of 1 or more"],
    ['step not a number', '*/x * * * *', "minute field '*/x' has step 'x', which is not a number"],
    ['two slashes', '*/5/2 * * * *', "minute field '*/5/2' has more than one '/'; write a step as '*/15' or '0-30/5'"],
    ['two hyphens', '1-2-3 * * * *', "minute field '1-2-3' has more than one '-'; write a range as 'a-b'"],
    ['star in a range', '*-5 * * * *', "minute field '*-5' mixes '*' into a range; use '*' alone or a range 'a-b'"],
    [
      '? outside the day fields',
      '? * * * *',
      "minute field '?' uses '?', which only day-of-month and day-of-week accept; use '*'",
    ],
    [
      'empty list element',
      '1,,2 * * * *',
      "minute field '1,,2' has an empty list element; separate values with single commas",
    ],
    ['a day that never comes', '0 0 30 2 *', "'0 0 30 2 *' never runs: day-of-month '30' does not occur in month '2'"],
    [
      '31st in short months',
      '0 0 31 4,6,9,11 *',
      "'0 0 31 4,6,9,11 *' never runs: day-of-month '31' does not occur in month '4,6,9,11'",
    ],
    [
      'unknown descriptor',
      '@fortnightly',
      "unknown descriptor '@fortnightly'; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or '@every <duration>' (e.g. '@every 6h')",
    ],
    [
      'descriptors are case-sensitive',
      '@Daily',
      "unknown descriptor '@Daily'; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or '@every <duration>' (e.g. '@every 6h')",
    ],
    [
      '@every in days',
      '@every 1d',
      "@every '1d' is not a Go duration: unknown unit 'd'; valid units are ns, us, µs, ms, s, m, h; write '24h' for 1 day",
    ],
    ['@every below a minute', '@every 30s', "@every '30s' is shorter than 1m; Velero checks schedules once a minute"],
    [
      '@every with a fraction of a second',
      '@every 90.5s',
      "@every '90.5s' has a fraction of a second, which robfig/cron drops; use whole seconds",
    ],
    [
      'unknown zone',
      'CRON_TZ=Mars/Base 0 2 * * *',
      "time zone 'Mars/Base' is not an IANA time zone; use e.g. 'UTC' or 'Europe/Berlin'",
    ],
    [
      'zone in the wrong case',
      'CRON_TZ=europe/berlin 0 2 * * *',
      "time zone 'europe/berlin' must be written 'Europe/Berlin'; Go looks zones up case-sensitively",
    ],
    [
      'zone alias in lower case',
      'CRON_TZ=us/eastern 0 2 * * *',
      "time zone 'us/eastern' is not spelled as in the IANA database; Go looks zones up case-sensitively, use e.g. 'UTC' or 'Europe/Berlin'",
    ],
    [
      'zone prefix without schedule',
      'CRON_TZ=UTC',
      "time zone prefix 'CRON_TZ=UTC' must be followed by a space and the schedule, e.g. 'CRON_TZ=UTC 0 2 * * *'",
    ],
    [
      'empty zone',
      'TZ= 0 2 * * *',
      "time zone prefix 'TZ=' names no zone; write e.g. 'CRON_TZ=Europe/Berlin 0 2 * * *', or leave it out for UTC",
    ],
    [
      'zone prefix followed by blanks only',
      'CRON_TZ=UTC  ',
      "time zone prefix 'CRON_TZ=UTC' is followed by no schedule; write e.g. 'CRON_TZ=UTC 0 2 * * *'",
    ],
  ];
  test.each(refused)('%s: %s', (_what, expr, message) => {
    expect(() => parseCron(expr)).toThrow(message);
  });
});

describe('nextRuns: the run times Velero computes', () => {
  test('daily at 02:00 UTC, strictly after from', () => {
    expect(iso(nextRuns('0 2 * * *', new Date('2025-03-01T02:00:00Z'), 3))).toEqual([
      '2025-03-02T02:00:00.000Z',
      '2025-03-03T02:00:00.000Z',
      '2025-03-04T02:00:00.000Z',
    ]);
  });

  test('weekly on Sunday 03:00', () => {
    // 2025-03-02 is a Sunday
    expect(iso(nextRuns('0 3 * * 0', new Date('2025-03-01T00:00:00Z'), 2))).toEqual([
      '2025-03-02T03:00:00.000Z',
      '2025-03-09T03:00:00.000Z',
    ]);
  });

  test('monthly on the 31st skips short months', () => {
    expect(iso(nextRuns('0 0 31 * *', new Date('2025-01-31T12:00:00Z'), 2))).toEqual([
      '2025-03-31T00:00:00.000Z',
      '2025-05-31T00:00:00.000Z',
    ]);
  });

  test('@every counts from the previous run, whole seconds', () => {
    expect(iso(nextRuns('@every 36h', new Date('2025-03-01T02:00:00.500Z'), 2))).toEqual([
      '2025-03-02T14:00:00.000Z',
      '2025-03-04T02:00:00.000Z',
    ]);
  });

  test('in a zone: wall-clock time, and the spring-forward day skips a run in the missing hour', () => {
    // Europe/Berlin jumps from 02:00 CET to 03:00 CEST on 2025-03-30
    expect(iso(nextRuns('CRON_TZ=Europe/Berlin 30 2 * * *', new Date('2025-03-28T12:00:00Z'), 3))).toEqual([
      '2025-03-29T01:30:00.000Z',
      '2025-03-31T00:30:00.000Z',
      '2025-04-01T00:30:00.000Z',
    ]);
  });

  test('in a zone: the repeated hour of a fall-back day runs twice', () => {
    // America/New_York falls back from 02:00 EDT to 01:00 EST on 2025-11-02
    expect(iso(nextRuns('CRON_TZ=America/New_York 30 1 * * *', new Date('2025-11-01T12:00:00Z'), 3))).toEqual([
      '2025-11-02T05:30:00.000Z',
      '2025-11-02T06:30:00.000Z',
      '2025-11-03T06:30:00.000Z',
    ]);
  });
});
