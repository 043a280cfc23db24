/**
 * Problems found by schema validation and the one line each becomes (lib/validation/schema.ts): kubectl-style
 * paths, a sentence per ajv error, "did you mean" for unknown fields, and the recording proxy that finds the
 * unknown fields kubernetes-models' validators let through.
 */
import type { ErrorObject } from 'ajv';
import type { Collected } from './crd-schema';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Problem {
  /** JSON pointer into the object. */
  readonly pointer: string;
  readonly complaint: string;
}

export function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function describeObject(o: Json): string {
  const kind = typeof o?.kind === 'string' ? o.kind : '<no kind>';
  const name = typeof o?.metadata?.name === 'string' ? o.metadata.name : '<no name>';
  const ns = typeof o?.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  return `${kind} ${ns}${name}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function decodePointer(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function childPointer(pointer: string, key: string): string {
  return `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v: Json = data;
  for (const seg of decodePointer(pointer)) v = v == null ? undefined : v[seg];
  return v;
}

/** JSON pointer -> the path Kubernetes prints: `spec.template.spec.containers[0].image`, `metadata.labels[app.kubernetes.io/name]`. */
export function renderPath(pointer: string, data: unknown): string {
  let out = '';
  let v: Json = data;
  for (const seg of decodePointer(pointer)) {
    if (Array.isArray(v)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${seg}]`;
    v = v == null ? undefined : v[seg];
  }
  return out === '' ? '(root)' : out;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(
        prev[j] + 1,
        prev[j - 1] + 1,
        diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length];
}

function unknownField(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = levenshtein(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  const hint =
    best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean '${best}'?)` : '';
  return `unknown field${hint}`;
}

/** One sentence for one ajv error (compiled here, or by kubernetes-models, which has no messages). */
function complaintOf(e: ErrorObject, data: unknown): string {
  const value = valueAt(data, e.instancePath);
  const p = e.params as Record<string, Json>;
  switch (e.keyword) {
    case 'type':
      return `must be ${String(p.type).split(',').join(' or ')}, got ${typeOf(value)}${value === null || typeof value === 'object' ? '' : ` ${show(value)}`}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}, got ${show(value)}`;
    case 'const':
      return `must be ${show(p.allowedValue)}, got ${show(value)}`;
    case 'format':
      return `must be a valid ${p.format}, got ${show(value)}`;
    case 'pattern':
      return `must match ${p.pattern}, got ${show(value)}`;
    case 'minLength':
    case 'maxLength':
      return `must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${p.limit} characters long, got ${String(value).length}`;
    case 'minItems':
    case 'maxItems':
      return `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${p.limit} item(s), got ${(value as unknown[]).length}`;
    case 'minProperties':
    case 'maxProperties':
      return `must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${p.limit} field(s)`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${p.comparison} ${p.limit}, got ${show(value)}`;
    case 'multipleOf':
      return `must be a multiple of ${p.multipleOf}, got ${show(value)}`;
    case 'uniqueItems':
      return `must not have duplicate items (items ${Math.min(p.i, p.j)} and ${Math.max(p.i, p.j)} are identical)`;
    default:
      return e.message ?? `fails '${e.keyword}' ${show(e.params)}`;
  }
}

/**
 * ajv errors -> problems. Required and unknown fields point at the field itself. The branch errors of an
 * anyOf/oneOf (in a CRD: schemaPath `.../anyOf/0/...`; in kubernetes-models: errors at the same path, e.g.
 * Quantity = number | string with format quantity) fold into one line at the anyOf/oneOf.
 */
export function fromAjvErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  knownAt: (pointer: string) => Iterable<string> = () => [],
): Problem[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath);
  const ownerOf = (e: ErrorObject): string | undefined => {
    if (!alternatives.includes(e.instancePath) && !/Of\/\d+\//.test(e.schemaPath)) return undefined;
    const owners = alternatives.filter((a) => e.instancePath === a || e.instancePath.startsWith(`${a}/`));
    return owners.sort((a, b) => b.length - a.length)[0];
  };
  const out: Problem[] = [];
  const folded = new Map<string, string[]>(alternatives.map((a) => [a, []]));
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    const owner = e.keyword === 'required' || e.keyword === 'additionalProperties' ? undefined : ownerOf(e);
    if (owner !== undefined) {
      const where = e.instancePath === owner ? '' : `${renderPath(e.instancePath, data)}: `;
      folded.get(owner)!.push(`${where}${complaintOf(e, data)}`);
    } else if (e.keyword === 'required') {
      out.push({
        pointer: childPointer(e.instancePath, String((e.params as Json).missingProperty)),
        complaint: 'required field is missing',
      });
    } else if (e.keyword === 'additionalProperties') {
      const name = String((e.params as Json).additionalProperty);
      out.push({ pointer: childPointer(e.instancePath, name), complaint: unknownField(name, knownAt(e.instancePath)) });
    } else {
      out.push({ pointer: e.instancePath, complaint: complaintOf(e, data) });
    }
  }
  for (const [pointer, branches] of folded) {
    const unique = [...new Set(branches)];
    out.push({
      pointer,
      complaint: unique.length > 0 ? `matches no allowed form: ${unique.join('; or ')}` : 'matches no allowed form',
    });
  }
  return out;
}

/** Drops exact repeats; keeps the order. */
export function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.pointer}\u0000${p.complaint}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// core kinds: kubernetes-models validators run on a recording proxy

/** A compiled validator as kubernetes-models ships it (ajv standalone code). */
export type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

interface Visit {
  readonly obj: Record<string, unknown>;
  readonly read: Set<string>;
  enumerated: boolean;
}

/**
 * Runs a kubernetes-models validator on a proxy of `data` that records which fields the validator reads
 * and which objects it enumerates (maps). Type/format/required errors come from the validator; unknown
 * fields come from the record: a field of an object that the validator inspected field by field (it read
 * at least one field and never enumerated the keys) but never read itself.
 */
export function runRecorded(validate: CompiledValidator, data: Record<string, unknown>): Problem[] {
  const visits = new Map<string, Visit>();
  const wrap = (value: unknown, pointer: string): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (!Array.isArray(value) && !visits.has(pointer)) {
      visits.set(pointer, { obj: value as Record<string, unknown>, read: new Set(), enumerated: false });
    }
    const visit = visits.get(pointer);
    return new Proxy(value as object, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return v;
        visit?.read.add(key);
        const own = Object.getOwnPropertyDescriptor(target, key);
        // a frozen property must be returned as is (Proxy invariant); its fields are then not recorded
        if (!own || (!own.configurable && !own.writable)) return v;
        return wrap(v, childPointer(pointer, key));
      },
      has(target, key) {
        if (typeof key === 'string') visit?.read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        if (visit) visit.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
  };
  validate(wrap(data, ''));
  const problems = fromAjvErrors(validate.errors ?? [], data);
  for (const [pointer, visit] of visits) {
    if (visit.enumerated || visit.read.size === 0) continue;
    for (const key of Object.keys(visit.obj)) {
      if (!visit.read.has(key)) {
        problems.push({ pointer: childPointer(pointer, key), complaint: unknownField(key, visit.read) });
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// custom resources

/** The property names the converted schema allows at `pointer` (for "did you mean"). */
export function knownFieldsAt(schema: Json, pointer: string): string[] {
  let node = schema;
  for (const seg of decodePointer(pointer)) {
    if (!isObject(node)) return [];
    if (isObject(node.properties) && seg in node.properties) node = node.properties[seg];
    else if (node.items !== undefined && /^\d+$/.test(seg)) node = node.items;
    else if (isObject(node.additionalProperties)) node = node.additionalProperties;
    else return [];
  }
  return isObject(node) && isObject(node.properties) ? Object.keys(node.properties) : [];
}

/** Duplicate keys in `x-kubernetes-list-type: map` lists, which the API server rejects. */
export function listMapProblems(object: unknown, listMaps: Collected['listMaps']): Problem[] {
  const problems: Problem[] = [];
  const walk = (value: unknown, path: readonly string[], pointer: string, keys: readonly string[]): void => {
    if (path.length === 0) {
      if (!Array.isArray(value)) return;
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        if (!isObject(item)) return;
        const id = JSON.stringify(keys.map((k) => item[k]));
        const first = seen.get(id);
        if (first === undefined) seen.set(id, i);
        else
          problems.push({
            pointer,
            complaint: `items ${first} and ${i} have the same ${keys.join(', ')} (${keys.map((k) => show(item[k])).join(', ')}); list keys must be unique`,
          });
      });
      return;
    }
    const [head, ...rest] = path;
    if (head === '*') {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, rest, childPointer(pointer, String(i)), keys));
      else if (isObject(value))
        for (const [k, v] of Object.entries(value)) walk(v, rest, childPointer(pointer, k), keys);
    } else if (isObject(value) && head in value) {
      walk(value[head], rest, childPointer(pointer, head), keys);
    }
  };
  for (const lm of listMaps) walk(object, lm.path, '', lm.keys);
  return problems;
}
