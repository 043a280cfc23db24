import { Duration } from 'cdk8s';
import { labelKeyProblem, labelValueProblem } from '../../lib/kube/labels';
import { foreignNamespaceOwner } from '../../lib/kube/protected-namespaces';
import { isSecretKey } from '../../lib/kube/names';
import { includesExcludesProblem } from '../../lib/validation/includes-excludes';
import { checkProps, describeValue } from '../../lib/validation/props';

const thrown = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
};

describe('run-time prop checks', () => {
  test.each([
    ['string', 'pihole', "string 'pihole'"],
    ['number', 720, 'number 720'],
    ['array', ['a', 1], 'array ["a",1]'],
    ['undefined', undefined, 'undefined'],
    ['Duration of NaN hours', Duration.hours(NaN), 'Duration of NaN hours'],
    ['Duration of one hour', Duration.hours(1), 'Duration of 3600000 ms'],
  ])('a value is described by its JS type: %s', (_name, value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  test('a field of the wrong kind names the object, the field and the value', () => {
    expect(thrown(() => checkProps("schedule 'x'", { ttl: 720 }, { ttl: 'duration?' }))).toBe(
      "schedule 'x': ttl must be a cdk8s Duration or a Go duration string, e.g. Duration.hours(720) or '720h', got number 720 (docs/pitfalls.md#prop-types)",
    );
  });

  test('a Duration string is refused where only a cdk8s Duration is taken', () => {
    expect(thrown(() => checkProps('drill', { t: '1h' }, { t: 'Duration' }))).toMatch(/t must be a cdk8s Duration/);
  });

  test('absent optional fields pass, absent required ones do not', () => {
    expect(thrown(() => checkProps('x', {}, { a: 'string?', b: 'boolean?' }))).toBeUndefined();
    expect(thrown(() => checkProps('x', {}, { a: 'string' }))).toBe(
      'x: a must be a string, got undefined (docs/pitfalls.md#prop-types)',
    );
  });

  test('a one-of field lists the values it takes', () => {
    expect(thrown(() => checkProps('x', { mode: 'auto' }, { mode: ['a', 'b'] }))).toBe(
      "x: mode must be one of 'a', 'b', got string 'auto' (docs/pitfalls.md#prop-types)",
    );
  });
});

describe('Kubernetes label grammar', () => {
  test.each(['a', 'app.kubernetes.io/name', 'A_b-c.d', `${'p'.repeat(253)}/x`, `x/${'n'.repeat(63)}`])(
    'label key %s is accepted',
    (key) => expect(labelKeyProblem(key)).toBeUndefined(),
  );
  test.each(['', '-a', 'a-', 'a b', 'Example.com/a', `${'p'.repeat(254)}/x`, 'n'.repeat(64), 'a/b/c'])(
    'label key %s is refused',
    (key) => expect(labelKeyProblem(key)).toBeDefined(),
  );
  test.each(['', 'v', 'v1.2_3-x', 'v'.repeat(63)])('label value %s is accepted', (v) =>
    expect(labelValueProblem(v)).toBeUndefined(),
  );
  test.each(['-v', 'a/b', 'v'.repeat(64), 'a b'])('label value %s is refused', (v) =>
    expect(labelValueProblem(v)).toBeDefined(),
  );
});

describe('Secret data keys', () => {
  test.each(['cloud', 'aws_credentials.ini', '.dotfile', 'a-b'])('%s is a key', (k) =>
    expect(isSecretKey(k)).toBe(true),
  );
  test.each(['', '.', '..', 'a/b', 'a b'])('%s is not', (k) => expect(isSecretKey(k)).toBe(false));
});

describe("Velero's include/exclude validation", () => {
  test.each([
    ['plain', ['*'], ['loki'], undefined],
    ['plain', [], ['loki'], undefined],
    ['plain', ['*', 'loki'], [], "mixes '*'"],
    ['plain', ['loki'], ['*'], "holds '*'"],
    ['plain', ['loki'], ['loki'], "'loki' is in both"],
    ['scoped', [], ['*'], undefined],
    ['scoped', ['pv'], ['*'], 'refuses includes'],
    ['scoped', [], ['*', 'nodes'], "mixes '*'"],
  ] as const)('%s includes %j excludes %j', (kind, inc, exc, problem) => {
    const found = includesExcludesProblem(kind, 'inc', inc, 'exc', exc);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

test.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'argocd', 'synology-csi'])(
  'namespace %s belongs to someone else',
  (ns) => expect(foreignNamespaceOwner(ns)).toBeDefined(),
);
test.each(['velero', 'snapshot-controller', 'constructor', 'toString'])('namespace %s may be ours', (ns) =>
  expect(foreignNamespaceOwner(ns)).toBeUndefined(),
);
