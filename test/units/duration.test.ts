import { Duration } from 'cdk8s';
import {
  compareDurations,
  describeDuration,
  exactDuration,
  formatGoDuration,
  formatReportDuration,
  parseGoDuration,
  promDuration,
} from '../../lib/units/duration';

describe('formatGoDuration renders what Go time.Duration.String() prints', () => {
  test.each([
    ['Duration.hours(720)', '720h0m0s', Duration.hours(720)],
    ['Duration.days(30)', '720h0m0s', Duration.days(30)],
    ['Duration.hours(2160)', '2160h0m0s', Duration.hours(2160)],
    ['Duration.minutes(10)', '10m0s', Duration.minutes(10)],
    ['Duration.minutes(90)', '1h30m0s', Duration.minutes(90)],
    ['Duration.hours(1)', '1h0m0s', Duration.hours(1)],
    ['Duration.seconds(90)', '1m30s', Duration.seconds(90)],
    ['Duration.seconds(30)', '30s', Duration.seconds(30)],
    ['Duration.millis(1500)', '1.5s', Duration.millis(1500)],
    ['Duration.millis(3_600_500)', '1h0m0.5s', Duration.millis(3_600_500)],
    ['Duration.millis(500)', '500ms', Duration.millis(500)],
    ['Duration.millis(1.5)', '1.5ms', Duration.millis(1.5)],
    ['Duration.millis(0.25)', '250µs', Duration.millis(0.25)],
    ['Duration.millis(0.0005)', '500ns', Duration.millis(0.0005)],
    ['Duration.millis(0)', '0s', Duration.millis(0)],
  ])('%s -> %s', (_label, expected, d) => {
    expect(formatGoDuration(d)).toBe(expected);
  });

  test('never folds hours into days (Velero rejects d)', () => {
    expect(formatGoDuration(Duration.days(365))).toBe('8760h0m0s');
  });

  test('refuses a duration Go cannot hold', () => {
    expect(() => formatGoDuration(Duration.days(200_000))).toThrow(
      "duration '200000d' is longer than Go's maximum duration (2562047h47m16.854775807s)",
    );
  });
});

describe('parseGoDuration accepts what Go time.ParseDuration accepts', () => {
  test.each([
    ['720h', 720 * 3_600_000],
    ['720h0m0s', 720 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
    ['.5h', 30 * 60_000],
    ['1.h', 3_600_000],
    ['90s', 90_000],
    ['10m', 600_000],
    ['500ms', 500],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
    ['+5m', 300_000],
    ['0', 0],
    ['0s', 0],
  ])('%s', (text, ms) => {
    expect(parseGoDuration(text).toMilliseconds({ integral: false })).toBe(ms);
  });

  test('round-trips with formatGoDuration', () => {
    for (const text of ['720h0m0s', '2160h0m0s', '10m0s', '4h0m0s', '1h30m0s', '30s', '1.5s', '500ms']) {
      expect(formatGoDuration(parseGoDuration(text))).toBe(text);
    }
  });

  test('returns the Duration in its largest exact unit', () => {
    expect(parseGoDuration('720h').toDays()).toBe(30);
    expect(parseGoDuration('36h').toHours()).toBe(36);
    expect(parseGoDuration('90m').toMinutes()).toBe(90);
  });

  test('days are refused, naming the valid units and the hours to write', () => {
    expect(() => parseGoDuration('30d')).toThrow(
      "'30d' is not a Go duration: unknown unit 'd'; valid units are ns, us, µs, ms, s, m, h; write '720h' for 30 days",
    );
  });

  test('weeks are refused the same way', () => {
    expect(() => parseGoDuration('1w')).toThrow(
      "'1w' is not a Go duration: unknown unit 'w'; valid units are ns, us, µs, ms, s, m, h; write '168h' for 1 week",
    );
  });

  test('days inside a compound duration get the general hint', () => {
    expect(() => parseGoDuration('3d12h')).toThrow(
      "'3d12h' is not a Go duration: unknown unit 'd'; valid units are ns, us, µs, ms, s, m, h; write days and weeks in hours, e.g. '720h' for 30 days",
    );
  });

  test('an unknown unit is refused', () => {
    expect(() => parseGoDuration('5x')).toThrow(
      "'5x' is not a Go duration: unknown unit 'x'; valid units are ns, us, µs, ms, s, m, h",
    );
  });

  test('a number without unit is refused', () => {
    expect(() => parseGoDuration('720')).toThrow(
      "'720' is not a Go duration: missing unit after '720'; valid units are ns, us, µs, ms, s, m, h",
    );
  });

  test('an empty string is refused', () => {
    expect(() => parseGoDuration('')).toThrow("'' is not a Go duration: it is empty; write e.g. '720h' or '10m'");
  });

  test('whitespace is refused', () => {
    expect(() => parseGoDuration('1h 30m')).toThrow(
      "'1h 30m' is not a Go duration: it contains whitespace; write the parts together, e.g. '1h30m'",
    );
  });

  test('a unit without number is refused', () => {
    expect(() => parseGoDuration('h')).toThrow(
      "'h' is not a Go duration: expected a number at 'h'; write e.g. '720h', '1h30m' or '10m'",
    );
    expect(() => parseGoDuration('.s')).toThrow(
      "'.s' is not a Go duration: expected a number at '.s'; write e.g. '720h', '1h30m' or '10m'",
    );
  });

  test('negative durations are refused', () => {
    expect(() => parseGoDuration('-1h')).toThrow("'-1h' is negative; a duration here must be zero or more");
  });

  test('durations beyond int64 nanoseconds are refused', () => {
    expect(() => parseGoDuration('2562048h')).toThrow(
      "'2562048h' is not a Go duration: it is longer than Go's maximum duration (2562047h47m16.854775807s)",
    );
  });
});

describe('describeDuration gives short human forms', () => {
  test.each([
    ['Duration.hours(720)', '30d', Duration.hours(720)],
    ['Duration.days(7)', '7d', Duration.days(7)],
    ['Duration.hours(36)', '1d12h', Duration.hours(36)],
    ['Duration.hours(1)', '1h', Duration.hours(1)],
    ['Duration.minutes(30)', '30m', Duration.minutes(30)],
    ['Duration.minutes(90)', '1h30m', Duration.minutes(90)],
    ['Duration.seconds(45)', '45s', Duration.seconds(45)],
    ['Duration.millis(1500)', '1s500ms', Duration.millis(1500)],
    ['Duration.millis(0)', '0s', Duration.millis(0)],
  ])('%s -> %s', (_label, expected, d) => {
    expect(describeDuration(d)).toBe(expected);
  });
});

describe('helpers', () => {
  test('exactDuration picks the largest exact unit', () => {
    expect(exactDuration(86_400_000).unitLabel()).toBe('days');
    expect(exactDuration(3 * 3_600_000).unitLabel()).toBe('hours');
    expect(exactDuration(90_000).unitLabel()).toBe('seconds');
    expect(exactDuration(1.5).unitLabel()).toBe('millis');
  });

  test('compareDurations compares across units', () => {
    expect(compareDurations(Duration.hours(24), Duration.days(1))).toBe(0);
    expect(compareDurations(Duration.minutes(59), Duration.hours(1))).toBe(-1);
    expect(compareDurations(Duration.hours(720), Duration.days(7))).toBe(1);
  });
});

describe('promDuration gives the Prometheus duration of whole seconds', () => {
  test.each([
    [30 * 3600, '1d6h'],
    [8 * 86_400, '8d'],
    [7.5 * 3600, '7h30m'],
    [900, '15m'],
    [90, '1m30s'],
    [0, '0s'],
  ])('%ss -> %s', (seconds, expected) => {
    expect(promDuration(seconds)).toBe(expected);
  });

  test('the output matches the PrometheusRule CRD duration pattern', () => {
    const pattern = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
    for (const s of [1, 59, 61, 3599, 3601, 86_399, 86_401, 30 * 86_400]) expect(promDuration(s)).toMatch(pattern);
  });

  test.each([[1.5], [-1], [Number.NaN]])('%s seconds is refused', (seconds) => {
    expect(() => promDuration(seconds)).toThrow(`duration of ${seconds}s is not a whole number of seconds`);
  });
});

describe('formatReportDuration gives one spaced unit for the plan tables', () => {
  test.each([
    ['Duration.hours(720)', '30 d', Duration.hours(720)],
    ['Duration.days(1)', '1 d', Duration.days(1)],
    ['Duration.hours(36)', '36 h', Duration.hours(36)],
    ['Duration.hours(6)', '6 h', Duration.hours(6)],
    ['Duration.minutes(90)', '1.5 h', Duration.minutes(90)],
    ['Duration.minutes(30)', '30 min', Duration.minutes(30)],
  ])('%s -> %s', (_label, expected, d) => {
    expect(formatReportDuration(d)).toBe(expected);
  });
});
