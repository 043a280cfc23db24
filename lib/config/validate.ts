/**
 * Run-time validation of a `BackupStackConfig`, whatever it came from (a TypeScript literal or a
 * `velero-cdk8s.yaml`): the config is first normalised to plain data (a cdk8s `Duration` becomes its Go
 * duration string), then checked against the JSON Schema generated from lib/config/types.ts
 * (velero-cdk8s.config.schema.json, `npm run config-schema`). So a TypeScript config that would not
 * type-check (`includedNamespaces: 'pihole'`) is refused exactly like the same mistake in YAML, and every
 * message starts with the path of the field: `schedules[2].ttl: ...`.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { Duration } from 'cdk8s';
import { parseGoDuration, shortGoDuration } from '../units/duration';
import { describeValue, millisOf } from '../validation/props';
import schema from '../../velero-cdk8s.config.schema.json';
import { checkUrlSecrets } from './consumer-rules';
import type { BackupStackConfig, DurationValue } from './types';

/** A mistake in the config: `path` is where (`schedules[2].ttl`), the message says what and the fix. */
export class ConfigError extends Error {
  constructor(
    public readonly path: string,
    public readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'ConfigError';
  }
}

/** `schedules`, 2, `ttl` -> `schedules[2].ttl`. */
export function configPath(...parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (p === '') continue;
    // a name, or a path made by configPath/itemPath already (`schedules[2]`, `schedules[2] 'daily'`, `release.nodeAgent`)
    else if (/^[A-Za-z_$][\w$]*(\[\d+\]( '[^']*')?|\.[A-Za-z_$][\w$]*)*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/**
 * The path of a list item, with its name when it has one: `schedules[1] 'weekly-cluster-resources'`, so a
 * message names the item, not only its index (`schedules[1] 'weekly-cluster-resources'.ttl: ...`).
 */
export function itemPath(list: string, index: number, item: unknown): string {
  const name = nameOf(item);
  return `${configPath(list, index)}${name === undefined ? '' : ` '${name}'`}`;
}

/** The name of a list item, when it is a short plain string. */
function nameOf(item: unknown): string | undefined {
  // a schedule, location, hook, restore or cluster by its name; a volume (or volume reference) by its PVC
  const named = item as { name?: unknown; pvc?: unknown } | null;
  const name = named?.name ?? named?.pvc;
  return typeof name === 'string' && name !== '' && name.length <= 63 && !/['\s]/.test(name) ? name : undefined;
}

const isDuration = (v: object): v is Duration =>
  v instanceof Duration ||
  // a second copy of cdk8s (e.g. a linked package): same class, other identity
  (v.constructor?.name === 'Duration' && typeof (v as Duration).toMilliseconds === 'function');

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/**
 * The config as plain JSON data: a cdk8s `Duration` becomes its Go duration string (`720h0m0s`); anything
 * else that is not JSON (a function, a class instance, `undefined` in a list, NaN) is refused with its path.
 * Keys whose value is `undefined` are dropped, as `JSON.stringify` would.
 */
export function normaliseConfig(value: unknown, path = '', ancestors: readonly object[] = []): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(path, `must be a finite number, got ${value}`);
    return value;
  }
  // a config object that contains itself (`c.release.self = c.release`), or absurd nesting: named by path, not a stack
  // overflow (docs/pitfalls.md#yaml)
  const inner = (v: object): readonly object[] => {
    if (ancestors.includes(v)) {
      throw new ConfigError(
        path,
        'refers to itself (an object inside its own value); give the value once (docs/pitfalls.md#yaml)',
      );
    }
    if (ancestors.length >= 32) {
      throw new ConfigError(path, 'is nested deeper than 32 levels, which no field is (docs/pitfalls.md#yaml)');
    }
    return [...ancestors, v];
  };
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      if (item === undefined) throw new ConfigError(configPath(path, i), 'is undefined; remove it or give a value');
      return normaliseConfig(item, itemPath(path, i, item), inner(value));
    });
  }
  if (typeof value === 'object') {
    if (isDuration(value)) {
      // Duration.hours(NaN) would reach the formatter as "cannot be converted to a BigInt"
      if (!Number.isFinite(millisOf(value))) {
        throw new ConfigError(
          path,
          `must be a Duration of a finite amount, e.g. Duration.hours(720), got ${describeValue(value)}`,
        );
      }
      return shortGoDuration(value);
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw new ConfigError(
        path,
        `must be plain data (a string, number, boolean, list or object, or a Duration), got a ${kind}`,
      );
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = normaliseConfig(v, configPath(path, k), inner(value));
    }
    return out;
  }
  throw new ConfigError(path, `must be plain data, got a ${typeof value}`);
}

/**
 * Test seam: validators compiled earlier in this process, as ajv standalone code, by name. jest's environment
 * (test/environment.ts) hands every test file of a worker the same map, so a file evaluates the code (~20 ms)
 * instead of compiling the schema again in its fresh module registry (~0.5 s).
 */
declare const __VELERO_CDK8S_VALIDATORS__: Map<string, string> | undefined;

let ajv: Ajv | undefined;
let validator: ValidateFunction | undefined;
function compiled(): ValidateFunction {
  if (validator) return validator;
  const shared = typeof __VELERO_CDK8S_VALIDATORS__ === 'object' ? __VELERO_CDK8S_VALIDATORS__ : undefined;
  const code = shared?.get('config');
  if (code !== undefined) {
    const module = { exports: {} as { default?: ValidateFunction } };
    new Function('module', 'exports', 'require', code)(module, module.exports, require);
    return (validator = module.exports.default!);
  }
  // the schema is generated and checked by the test suite: no meta-validation, and no optimising pass over
  // the generated code (together 127 -> 54 ms of compile time, a synth pays it once)
  ajv ??= new Ajv({
    allErrors: true,
    strict: false,
    verbose: true,
    validateSchema: false,
    code: { optimize: false, source: shared !== undefined },
  });
  validator = ajv.compile(schema);
  if (shared) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const standalone = require('ajv/dist/standalone').default as typeof import('ajv/dist/standalone').default;
    shared.set('config', standalone(ajv, validator));
  }
  return validator;
}

/** One validator per union branch (a schema node of the generated schema), compiled on first use. */
const branchValidators = new Map<Json, ValidateFunction>();
function branchValidator(branch: Json): ValidateFunction {
  let v = branchValidators.get(branch);
  if (!v) {
    compiled();
    ajv ??= new Ajv({
      allErrors: true,
      strict: false,
      verbose: true,
      validateSchema: false,
      code: { optimize: false },
    });
    v = ajv.compile({ ...branch, definitions: defs });
    branchValidators.set(branch, v);
  }
  return v;
}

/** The value at an ajv instance path (`/schedules/0/ttl`). */
function valueAt(data: unknown, instancePath: string): unknown {
  let value = data;
  for (const raw of instancePath.split('/').slice(1)) {
    const p = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    value = (value as Record<string, unknown> | undefined)?.[p];
  }
  return value;
}

/**
 * A union (`anyOf`) refused as a whole reports every branch's errors; keep only the branch the value meant:
 * the one whose `kind` (the discriminator) matches, then the one with the fewest errors. `{ kind: 'pvc',
 * namespace: 'a' }` is then `target.pvc: is required`, not also every other kind's complaints. Nested unions
 * inside the chosen branch are resolved the same way.
 */
function resolveUnions(errors: readonly ErrorObject[], data: unknown): ErrorObject[] {
  let result = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if');
  const unions = errors
    .filter((e) => e.keyword === 'anyOf')
    .sort((a, b) => a.instancePath.length - b.instancePath.length);
  const done: string[] = [];
  for (const u of unions) {
    const under = (path: string) => path === u.instancePath || path.startsWith(`${u.instancePath}/`);
    if (done.some((d) => u.instancePath === d || u.instancePath.startsWith(`${d}/`))) continue;
    const branches = ((u.parentSchema as Json | undefined)?.anyOf as Json[] | undefined) ?? [];
    if (!branches.length) continue;
    const value = valueAt(data, u.instancePath);
    const scored = branches.map((branch) => {
      const v = branchValidator(branch);
      const own = (v(value) ? [] : (v.errors ?? [])).map((e) => ({
        ...e,
        instancePath: `${u.instancePath}${e.instancePath}`,
      }));
      // the branch's own nested unions resolved first: only what this branch would really report counts
      const resolved = resolveUnions(own, data);
      const kindMismatch = resolved.some(
        (e) => (e.keyword === 'const' || e.keyword === 'enum') && e.instancePath === `${u.instancePath}/kind`,
      );
      return { resolved, score: (kindMismatch ? 1000 : 0) + resolved.length };
    });
    const best = scored.reduce((a, b) => (b.score < a.score ? b : a));
    const kindPath = `${u.instancePath}/kind`;
    const kindErrors = scored.flatMap((x) =>
      x.resolved.filter((e) => (e.keyword === 'const' || e.keyword === 'enum') && e.instancePath === kindPath),
    );
    // no branch takes this `kind`: one line with every kind there is (the enum merge below joins them)
    const allowed = [
      ...new Set(
        kindErrors.flatMap((e) => {
          const params = e.params as { allowedValues?: unknown[]; allowedValue?: unknown };
          return params.allowedValues ?? [params.allowedValue];
        }),
      ),
    ];
    const chosen =
      scored.every((x) => x.score >= 1000) && kindErrors.length
        ? [{ ...kindErrors[0], keyword: 'enum', params: { allowedValues: allowed } } as ErrorObject]
        : best.resolved;
    result = [...result.filter((e) => !under(e.instancePath)), ...chosen];
    done.push(u.instancePath);
  }
  return result;
}

type Json = Record<string, unknown>;
const defs = (schema as { definitions: Record<string, Json> }).definitions;

function resolveRef(node: Json | undefined): Json | undefined {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 10; i++) n = defs[(n.$ref as string).split('/').pop()!];
  return n;
}

const DURATION_PATTERN = (defs.GoDuration as { pattern: string }).pattern;

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

const A_TYPE: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};
const PLURAL: Readonly<Record<string, string>> = {
  string: 'strings',
  number: 'numbers',
  integer: 'whole numbers',
  boolean: 'booleans',
  object: 'objects',
  array: 'lists',
};

/** What a schema node accepts, in words: 'a string', 'an array of strings', 'an object of strings'. */
function typePhrase(node: Json | undefined, fallback: string): string {
  const n = resolveRef(node);
  const types = n && (Array.isArray(n.type) ? (n.type as string[]) : typeof n.type === 'string' ? [n.type] : []);
  if (!n || !types?.length) return A_TYPE[fallback] ?? fallback;
  return types
    .map((t) => {
      const inner = t === 'array' ? resolveRef(n.items as Json | undefined) : undefined;
      const values = t === 'object' ? resolveRef(n.additionalProperties as Json | undefined) : undefined;
      const innerType = typeof inner?.type === 'string' ? inner.type : undefined;
      const valueType = typeof values?.type === 'string' ? values.type : undefined;
      if (t === 'array' && innerType) return `an array of ${PLURAL[innerType] ?? innerType}`;
      if (t === 'object' && valueType && !n.properties) return `an object of ${PLURAL[valueType] ?? valueType}`;
      return A_TYPE[t] ?? t;
    })
    .join(' or ');
}

/** Where the schema's rules are explained; every schema message ends with it (unless it names its own). */
const SCHEMA_DOC = '(docs/pitfalls.md#config-schema)';

/** One ajv error as one line that names the field, the bad value and what would be valid, with its doc. */
function describe(e: ErrorObject, data: unknown): ConfigError {
  const c = describeError(e, data);
  return c.problem.includes('docs/') ? c : new ConfigError(c.path, `${c.problem} ${SCHEMA_DOC}`);
}

function describeError(e: ErrorObject, data: unknown): ConfigError {
  const { path, value } = errorLocation(e, data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const parent = resolveRef(e.parentSchema as Json | undefined);
      const known = Object.keys((parent?.properties as Json) ?? {});
      const near = known.filter((k) => editDistance(k.toLowerCase(), field.toLowerCase()) <= 2);
      const hint = near.length
        ? `; did you mean '${near[0]}'?`
        : known.length
          ? `; valid fields: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ... (velero-cdk8s.config.schema.json)' : ''}`
          : '';
      return new ConfigError(configPath(path, field), `is not a field here${hint}`);
    }
    case 'required':
      return new ConfigError(
        configPath(path, (e.params as { missingProperty: string }).missingProperty),
        'is required; give a value',
      );
    case 'type':
      if ((e.parentSchema as Json | undefined)?.pattern === DURATION_PATTERN) {
        return new ConfigError(
          path,
          `must be a Go duration string such as '720h' (or a cdk8s Duration), got ${quote(value)}`,
        );
      }
      return new ConfigError(
        path,
        `must be ${typePhrase(e.parentSchema as Json | undefined, (e.params as { type: string }).type)}, got ${quote(value)}`,
      );
    case 'enum':
    case 'const': {
      const allowed = (e.params as { allowedValues?: unknown[]; allowedValue?: unknown }).allowedValues ?? [
        (e.params as { allowedValue?: unknown }).allowedValue,
      ];
      // a long list (ArgoCD's sync options) names the first few and where the rest are: one line under 300 characters
      const shown =
        allowed.length > 8
          ? [...allowed.slice(0, 6).map(quote), '... (velero-cdk8s.config.schema.json)']
          : allowed.map(quote);
      return new ConfigError(path, `must be one of ${shown.join(', ')}, got ${quote(value)}`);
    }
    case 'pattern': {
      const pattern = (e.params as { pattern: string }).pattern;
      if (pattern === DURATION_PATTERN && typeof value === 'string') {
        try {
          parseGoDuration(value);
        } catch (err) {
          return new ConfigError(
            path,
            `${(err as Error).message} (docs/pitfalls.md#${path.endsWith('.ttl') ? 'ttl' : 'durations'})`,
          );
        }
      }
      if (pattern.startsWith('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')) {
        return new ConfigError(
          path,
          `${quote(value)} is not a DNS-1123 label; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
        );
      }
      return new ConfigError(path, `${quote(value)} must match ${pattern}`);
    }
    case 'maxLength':
      return new ConfigError(
        path,
        `${quote(value)} is longer than ${(e.params as { limit: number }).limit} characters`,
      );
    default:
      return new ConfigError(path, `${e.message ?? 'is not valid'}, got ${quote(value)}`);
  }
}

/** The config path an ajv error points at (`schedules[2] 'daily'.ttl`) and the value found there. */
function errorLocation(e: ErrorObject, data: unknown): { path: string; value: unknown } {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let value: unknown = data;
  let path = '';
  for (const p of parts) {
    const parent = value as Record<string | number, unknown> | undefined;
    value = parent?.[p];
    path = typeof p === 'number' && Array.isArray(parent) ? itemPath(path, p, value) : configPath(path, p);
  }
  return { path, value };
}

/**
 * Checks plain config data against the generated schema; throws one ConfigError naming every problem
 * (one per line, the first ones), paths first. `source` names the file for a YAML config.
 */
export function validateConfigData(data: unknown, source?: string): BackupStackConfig {
  const validate = compiled();
  if (validate(data)) {
    try {
      checkUrlSecrets(data);
    } catch (e) {
      if (e instanceof ConfigError && source) e.message = `${source}: ${e.message}`;
      throw e;
    }
    return data as BackupStackConfig;
  }
  const errors = resolveUnions(validate.errors ?? [], data);
  // the branches of a union each refuse a `kind` with their own const: one line with every allowed value
  const allowedAt = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword !== 'enum' && e.keyword !== 'const') continue;
    const params = e.params as { allowedValues?: unknown[]; allowedValue?: unknown };
    const list = allowedAt.get(e.instancePath) ?? [];
    for (const v of params.allowedValues ?? [params.allowedValue]) if (!list.includes(v)) list.push(v);
    allowedAt.set(e.instancePath, list);
  }
  const seen = new Set<string>();
  const lines: ConfigError[] = [];
  for (const e of errors) {
    const merged = allowedAt.get(e.instancePath);
    const c = describe(
      merged && (e.keyword === 'enum' || e.keyword === 'const')
        ? ({ ...e, keyword: 'enum', params: { allowedValues: merged } } as ErrorObject)
        : e,
      data,
    );
    if (seen.has(c.message)) continue;
    seen.add(c.message);
    lines.push(c);
  }
  const first = lines[0] ?? new ConfigError('', 'is not a valid config');
  const where = source ? `${source}: ` : '';
  const shown = lines.slice(0, 5).map((l) => `${where}${l.message}`);
  const more = lines.length > 5 ? [`... and ${lines.length - 5} more`] : [];
  const err = new ConfigError(first.path, first.problem);
  err.message = [...shown, ...more].join('\n');
  throw err;
}

/** Normalises a config (TypeScript or parsed YAML) and validates it; returns the plain data. */
export function validateConfig(config: unknown, source?: string): BackupStackConfig {
  let data: unknown;
  try {
    data = normaliseConfig(config);
  } catch (e) {
    if (e instanceof ConfigError && source) e.message = `${source}: ${e.message}`;
    throw e;
  }
  return validateConfigData(data, source);
}

/** A validated duration field as a cdk8s Duration; `path` names it in the error. */
export function toDuration(value: DurationValue, path: string): Duration;
export function toDuration(value: DurationValue | undefined, path: string): Duration | undefined;
export function toDuration(value: DurationValue | undefined, path: string): Duration | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  try {
    return parseGoDuration(value);
  } catch (e) {
    throw new ConfigError(path, (e as Error).message);
  }
}

/** The field names of a config type, as the generated schema lists them (e.g. `ScheduleConfig`). */
export function fieldsOf(definition: string): readonly string[] {
  return Object.keys((resolveRef(defs[definition])?.properties as Json | undefined) ?? {});
}

/** Where the docs explain a field's rule (docs/pitfalls.md). */
const FIELD_DOCS: Readonly<Record<string, string>> = {
  ttl: 'docs/pitfalls.md#ttl',
  schedule: 'docs/pitfalls.md#cron',
  cron: 'docs/pitfalls.md#cron',
  csiSnapshotTimeout: 'docs/pitfalls.md#csi-snapshot-timeout',
  credentials: 'docs/pitfalls.md#credentials',
  resources: 'docs/pitfalls.md#resources',
};

/**
 * Runs `build` (a construct built from the config item at `path`) and turns what it throws into a
 * ConfigError at that path: `schedule 'daily': ttl must be at least 1h, got '30m'` from item 2 of
 * `schedules` becomes `schedules[2] 'daily'.ttl: must be at least 1h, got '30m' (docs/pitfalls.md#ttl)` when the
 * message starts with a field of `fields`, else `schedules[2]: schedule 'daily': ...`.
 */
export function atPath<T>(path: string, fields: readonly string[], build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const message = (e as Error).message;
    const subject = /^[a-z][a-z0-9 -]*(?: '([^']*)')?: ([\s\S]*)$/.exec(message);
    const rest = subject ? subject[2] : message;
    // a list item's name next to its index (`restores[0] 'x'.target.into`), unless the path already names it
    const name = subject?.[1] !== undefined && /\]$/.test(path) ? ` '${subject[1]}'` : '';
    // a field, or a field's nested field (`volumeSnapshotClass.driver`, `tolerations[0].value`, `backupPVC['x']`)
    const field = /^([A-Za-z]+)((?:\[\d+\]|\.[A-Za-z][A-Za-z0-9]*|\['[^']*'\])*)(?: ([\s\S]*))?$/.exec(rest);
    if (field && field[3] && fields.includes(field[1])) {
      // `schedule` is a cron only on a schedule; a restore's or drill's `schedule` names one
      const cron = field[1] !== 'schedule' || /(?:^|\.)schedules\[\d+\](?: '[^']*')?$/.test(path);
      const doc = cron ? (FIELD_DOCS[`${field[1]}${field[2]}`] ?? FIELD_DOCS[field[1]]) : undefined;
      const link = doc && !field[3].includes('docs/') ? ` (${doc})` : '';
      const where = name ? `${path}${name}.${field[1]}` : configPath(path, field[1]);
      const err = new ConfigError(`${where}${field[2]}`, `${field[3]}${link}`);
      err.cause = e;
      throw err;
    }
    // `schedules[2] 'daily'` names the item already: `schedule 'daily': ` would say it twice
    const named = subject?.[1] !== undefined && path.endsWith(` '${subject[1]}'`);
    const err = new ConfigError(path, named ? rest : message);
    err.cause = e;
    throw err;
  }
}
