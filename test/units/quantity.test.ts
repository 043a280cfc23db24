import { Quantity, QuantityError } from '../../lib/units/quantity';
import { checkResources } from '../../lib/kube/resources';
import { quantityBytes } from '../../lib/plan/plan';

describe('Quantity.parse reads the Kubernetes quantity grammar exactly', () => {
  test.each([
    ['.5', 1n, 2n, 'DecimalSI'],
    ['1.', 1n, 1n, 'DecimalSI'],
    ['1e9', 1_000_000_000n, 1n, 'DecimalExponent'],
    ['1E3', 1000n, 1n, 'DecimalExponent'],
    ['1e-3', 1n, 1000n, 'DecimalExponent'],
    ['2e+2', 200n, 1n, 'DecimalExponent'],
    ['1.5Gi', 1_610_612_736n, 1n, 'BinarySI'],
    ['500Mi', 524_288_000n, 1n, 'BinarySI'],
    ['1Ki', 1024n, 1n, 'BinarySI'],
    ['1Pi', 2n ** 50n, 1n, 'BinarySI'],
    ['1Ei', 2n ** 60n, 1n, 'BinarySI'],
    ['100m', 1n, 10n, 'DecimalSI'],
    ['250u', 1n, 4000n, 'DecimalSI'],
    ['5n', 1n, 200_000_000n, 'DecimalSI'],
    ['2', 2n, 1n, 'DecimalSI'],
    ['+1', 1n, 1n, 'DecimalSI'],
    ['-1', -1n, 1n, 'DecimalSI'],
    ['0', 0n, 1n, 'DecimalSI'],
    ['500M', 500_000_000n, 1n, 'DecimalSI'],
    ['1k', 1000n, 1n, 'DecimalSI'],
    ['1P', 10n ** 15n, 1n, 'DecimalSI'],
    ['1E', 10n ** 18n, 1n, 'DecimalSI'],
    ['0.1', 1n, 10n, 'DecimalSI'],
  ])('%s is %s/%s (%s)', (text, numerator, denominator, format) => {
    const q = Quantity.parse(text);
    expect([q.numerator, q.denominator, q.format]).toEqual([numerator, denominator, format]);
  });

  test.each([
    ['1.5.5', 'it has more than one decimal point'],
    ['Gi', 'it does not start with a number'],
    ['.', 'it does not start with a number'],
    ['', 'it is empty'],
    ['1iB', "unknown suffix 'iB'"],
    ['1 Gi', 'it contains whitespace'],
    [' 1', 'it contains whitespace'],
    ['1GB', "unknown suffix 'GB'; did you mean 'G' or 'Gi'?"],
    ['1GiB', "unknown suffix 'GiB'; did you mean 'Gi'?"],
    ['1K', "unknown suffix 'K'; did you mean 'k' (kilo, 1000) or 'Ki' (kibi, 1024)?"],
    ['1gi', "unknown suffix 'gi'; did you mean 'Gi'?"],
    ['1e1.5', "the exponent 'e1.5' is not a whole number"],
    ['1e', "the exponent 'e' is not a whole number"],
    ['1Mi5', "unknown suffix 'Mi5'"],
    ['--1', 'it does not start with a number'],
    ['1Gi ', 'it contains whitespace'],
  ])('%j is refused: %s', (text, reason) => {
    expect(() => Quantity.parse(text)).toThrow(new QuantityError(text, reason));
    expect(Quantity.tryParse(text)).toBeUndefined();
  });

  test('the message names the text, the reason and valid forms', () => {
    expect(() => Quantity.parse('1GB')).toThrow(
      "'1GB' is not a Kubernetes quantity: unknown suffix 'GB'; did you mean 'G' or 'Gi'?; write e.g. '100m', '1.5Gi', '500M' or '1e9'",
    );
  });

  test('precision is not lost beyond 2^53', () => {
    expect(Quantity.parse('8Ei').numerator).toBe(8n * 2n ** 60n);
    expect(Quantity.parse('9007199254740993').numerator).toBe(9_007_199_254_740_993n);
    expect(Quantity.parse('0.000000001').compare(Quantity.parse('1n'))).toBe(0);
  });
});

describe('Quantity compares exactly across suffixes', () => {
  test.each([
    ['1Gi', '1073741824', 0],
    ['1G', '1Gi', -1],
    ['1000m', '1', 0],
    ['0.5', '500m', 0],
    ['1e3', '1k', 0],
    ['1.5Gi', '1536Mi', 0],
    ['1Ti', '1T', 1],
    ['-1', '0', -1],
    ['100m', '99m', 1],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(Quantity.parse(a).compare(Quantity.parse(b))).toBe(expected);
  });

  test.each([
    ['100m', 100n],
    ['1.5', 1500n],
    ['2', 2000n],
    ['0.0005', undefined],
    ['1u', undefined],
  ])('%s is %s millis', (text, millis) => {
    expect(Quantity.parse(text).millis).toBe(millis);
  });

  test('toNumber approximates fractions and toBigInt refuses them', () => {
    expect(Quantity.parse('100m').toNumber()).toBeCloseTo(0.1, 12);
    expect(Quantity.parse('1.5Gi').toBigInt()).toBe(1_610_612_736n);
    expect(() => Quantity.parse('1.5').toBigInt()).toThrow("quantity '1.5' is not a whole number");
  });
});

describe('a PVC size is a whole number of bytes, at least 1', () => {
  test.each([
    ['50Gi', 50 * 2 ** 30],
    ['500M', 500e6],
    ['1Pi', 2 ** 50],
    ['1073741824', 2 ** 30],
    ['1e9', 1e9],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['+1', 1],
  ])('%s is %d bytes', (size, bytes) => {
    expect(quantityBytes(size, 'volume default/data size')).toBe(bytes);
  });

  test.each(['1.5.5', 'Gi', '1iB', '1 Gi', '50GB'])('%j is not a quantity', (size) => {
    expect(() => quantityBytes(size, 'volume default/data size')).toThrow(
      `volume default/data size '${size}' is not a Kubernetes storage quantity; use e.g. '50Gi' or '500M'`,
    );
  });

  test.each(['-1', '0', '100m', '0.5', '1e-3'])('%j is not a whole number of bytes of at least 1', (size) => {
    expect(() => quantityBytes(size, 'volume default/data size')).toThrow(
      `volume default/data size '${size}' is not a whole number of bytes of at least 1; use e.g. '50Gi' or '500M'`,
    );
  });
});

describe('container resources: a CPU may be millicores, memory is whole bytes', () => {
  const resources = (cpu: string, memory: string) => ({
    requests: { cpu, memory },
    limits: { cpu: '2', memory: '4Gi' },
  });

  test.each([
    ['100m', '256Mi'],
    ['0.5', '1Gi'],
    ['1', '1e9'],
    ['.25', '1.5Gi'],
  ])('cpu %s and memory %s are accepted', (cpu, memory) => {
    expect(() => checkResources('velero server', resources(cpu, memory))).not.toThrow();
  });

  test.each([
    [
      '100 m',
      '256Mi',
      "velero server: resources.requests.cpu '100 m' is not a Kubernetes quantity; use e.g. '100m' or '256Mi'",
    ],
    ['-1', '256Mi', "velero server: resources.requests.cpu '-1' is negative; use e.g. '100m' or '0.5'"],
    [
      '100u',
      '256Mi',
      "velero server: resources.requests.cpu '100u' is finer than 1m (one millicore); use e.g. '100m' or '0.5'",
    ],
    [
      '100m',
      '256m',
      "velero server: resources.requests.memory '256m' is not a whole number of bytes ('m' is a thousandth; mebibytes are 'Mi'); use e.g. '256Mi' or '1Gi'",
    ],
    [
      '100m',
      '0.5',
      "velero server: resources.requests.memory '0.5' is not a whole number of bytes; use e.g. '256Mi' or '1Gi'",
    ],
    [
      '3',
      '256Mi',
      "velero server: resources.limits.cpu '2' is below resources.requests.cpu '3'; raise the limit or lower the request",
    ],
    [
      '100m',
      '5Gi',
      "velero server: resources.limits.memory '4Gi' is below resources.requests.memory '5Gi'; raise the limit or lower the request",
    ],
  ])('cpu %j, memory %j is refused', (cpu, memory, message) => {
    expect(() => checkResources('velero server', resources(cpu, memory))).toThrow(message);
  });

  test('a limit equal to the request in another suffix is accepted', () => {
    expect(() =>
      checkResources('velero server', {
        requests: { cpu: '1000m', memory: '1024Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      }),
    ).not.toThrow();
  });
});
