/**
 * Run-time checks of construct props: a config that arrives as data, or a `main.ts` that was never
 * type-checked, must get one clear line naming the object, the field and the value instead of garbage in
 * the YAML (`includedNamespaces: 'pihole'` rendered letter by letter) or a crash deep in a constructor
 * (`d.toMilliseconds is not a function`). One spec per construct, checked before anything is derived from it.
 */

/** What one field must be; a trailing `?` allows it to be absent (undefined). */
export type PropKind =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'string[]'
  | 'record'
  | 'object'
  | 'object[]'
  | 'duration'
  | 'Duration'
  | 'function';
export type PropSpec = Readonly<Record<string, PropKind | `${PropKind}?` | readonly string[]>>;

const ANCHOR = 'docs/pitfalls.md#prop-types';

const EXPECTED: Record<PropKind, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'an integer',
  number: 'a finite number',
  'string[]': 'an array of strings',
  record: 'an object of string values, e.g. { team: "backup" }',
  object: 'an object',
  'object[]': 'an array of objects',
  duration: "a cdk8s Duration or a Go duration string, e.g. Duration.hours(720) or '720h'",
  Duration: 'a cdk8s Duration, e.g. Duration.minutes(30)',
  function: 'a function',
};

/** A value for a message: its JS type and a short rendering. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (isDurationLike(value)) return `Duration of ${durationText(value)}`;
  if (Array.isArray(value)) return `array ${short(JSON.stringify(value))}`;
  if (typeof value === 'string') return `string '${short(value)}'`;
  if (typeof value === 'object') return `object ${short(safeJson(value))}`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const short = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** `3600000 ms`, or what cdk8s names the amount when it is not a number of milliseconds (`NaN hours`). */
function durationText(d: { toMilliseconds(): number }): string {
  try {
    return `${d.toMilliseconds()} ms`;
  } catch (e) {
    return /'([^']*)'/.exec((e as Error).message)?.[1] ?? 'no valid amount';
  }
}

/** Milliseconds of a Duration, or NaN when cdk8s cannot convert its amount. */
export function millisOf(d: { toMilliseconds(): number }): number {
  try {
    return d.toMilliseconds();
  } catch {
    return NaN;
  }
}

function isDurationLike(v: unknown): v is { toMilliseconds(): number } {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { toMilliseconds?: unknown }).toMilliseconds === 'function' &&
    typeof (v as { toSeconds?: unknown }).toSeconds === 'function'
  );
}

function matches(kind: PropKind, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return Number.isSafeInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string[]':
      return Array.isArray(v) && v.every((i) => typeof i === 'string');
    case 'record':
      return (
        typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        Object.values(v as object).every((i) => typeof i === 'string')
      );
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'object[]':
      return Array.isArray(v) && v.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i));
    case 'duration':
    case 'Duration': {
      if (typeof v === 'string') return kind === 'duration';
      if (!isDurationLike(v)) return false;
      const ms = millisOf(v);
      return Number.isFinite(ms) && ms >= 0;
    }
    case 'function':
      return typeof v === 'function';
  }
}

/** The error for one field: `<subject>: <field> must be <expected>, got <value> (docs/pitfalls.md#prop-types)`. */
export function propError(subject: string, field: string, expected: string, value: unknown): Error {
  return new Error(`${subject}: ${field} must be ${expected}, got ${describeValue(value)} (${ANCHOR})`);
}

/**
 * Throws the first field of `props` that is not of its kind. A list of strings as the kind means one of them.
 * `prefix` is put before each field name (e.g. `hooks[0].`).
 */
export function checkProps(subject: string, props: unknown, spec: PropSpec, prefix = ''): void {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw propError(subject, prefix ? prefix.replace(/\.$/, '') : 'props', 'an object', props);
  }
  const record = props as Record<string, unknown>;
  for (const [field, kind] of Object.entries(spec)) {
    const value = record[field];
    if (typeof kind !== 'string') {
      if (value !== undefined && !kind.includes(value as string)) {
        throw propError(subject, `${prefix}${field}`, `one of ${kind.map((k) => `'${k}'`).join(', ')}`, value);
      }
      continue;
    }
    const optional = kind.endsWith('?');
    const base = (optional ? kind.slice(0, -1) : kind) as PropKind;
    if (value === undefined && optional) continue;
    if (!matches(base, value)) throw propError(subject, `${prefix}${field}`, EXPECTED[base], value);
  }
}

/** Throws unless `value` is an object with every one of `members` (a construct passed where one is needed). */
export function checkConstruct(subject: string, field: string, value: unknown, what: string, members: string[]): void {
  const ok =
    typeof value === 'object' &&
    value !== null &&
    members.every((m) => (value as Record<string, unknown>)[m] !== undefined);
  if (!ok) throw propError(subject, field, what, value);
}
