/**
 * A CustomResourceDefinition -> the JSON Schemas validation needs, one per served version.
 *
 * `npm run import` (scripts/import.mjs) runs this once per pinned CRD and commits the result under schemas/;
 * lib/validation/schema.ts runs it only for the extra CRDs of $VELERO_CDK8S_CRDS (a user's own kinds).
 *
 * The conversion gives ajv the API server's structural-schema semantics: unknown fields are pruned there, so
 * they are errors here (`additionalProperties: false` on every object node that does not say otherwise);
 * `x-kubernetes-int-or-string`, `-preserve-unknown-fields`, `-embedded-resource` and `-list-type: set` become
 * plain JSON Schema; `nullable` adds `null`; Go (RE2) patterns become JavaScript patterns where they can.
 * What JSON Schema cannot say is collected beside the schema: CEL rules (`x-kubernetes-validations`, not
 * evaluated, listed per kind), `-list-type: map` keys (checked by schema.ts) and the patterns JavaScript
 * cannot express (not checked, listed in a note). Descriptions and defaults are dropped: validation does not
 * read them. The root `metadata` schema loses its unknown-field check: CRDs say only `type: object` there,
 * and schema.ts checks metadata against the Kubernetes ObjectMeta schema.
 */
import { fullFormats } from 'ajv-formats/dist/formats';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** What the conversion of one CRD version collects besides the schema. */
export interface Collected {
  /** CEL rules, not evaluated; `path` is where the rule sits, e.g. `spec.source`. */
  readonly cel: { path: string; rule: string; message?: string }[];
  /** Go (RE2) patterns that have no JavaScript equivalent here: not checked, reported in notes. */
  readonly patternsSkipped: { path: string; pattern: string }[];
  /** `x-kubernetes-list-type: map` lists: path segments (`*` = any item or key) and the key fields. */
  readonly listMaps: { path: string[]; keys: string[] }[];
}

/** One served version of a CRD, ready for ajv. */
export interface ConvertedVersion extends Collected {
  /** The openAPIV3Schema converted for ajv. */
  readonly schema: Record<string, Json>;
}

/** A CRD as validation needs it: group, kind and every served version (unserved ones are left out). */
export interface ConvertedCrd {
  readonly group: string;
  readonly kind: string;
  readonly versions: Readonly<Record<string, ConvertedVersion>>;
}

/** Formats ajv-formats knows (`fullFormats`); the API server ignores other formats, and so does the conversion. */
const FORMATS: ReadonlySet<string> = new Set(Object.keys(fullFormats));

const DROPPED_KEYWORDS = new Set([
  'description',
  'example',
  'externalDocs',
  'default',
  'title',
  'nullable',
  'x-kubernetes-validations',
]);

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A parsed `CustomResourceDefinition` -> its converted served versions; undefined when `doc` is not a CRD.
 * A version without a schema accepts anything (the API server does the same with `preserve-unknown-fields`).
 */
export function convertCrd(doc: Json): ConvertedCrd | undefined {
  if (!isObject(doc) || doc.kind !== 'CustomResourceDefinition' || !isObject(doc.spec)) return undefined;
  const versions: Record<string, ConvertedVersion> = {};
  for (const v of Array.isArray(doc.spec.versions) ? doc.spec.versions : []) {
    if (!isObject(v) || v.served === false) continue;
    const collected: Collected = { cel: [], patternsSkipped: [], listMaps: [] };
    const raw = v.schema?.openAPIV3Schema;
    const schema = convertSchema(
      isObject(raw) ? raw : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      [],
      collected,
    );
    if (isObject(schema.properties) && 'metadata' in schema.properties) {
      schema.properties.metadata = metadataSchema(schema.properties.metadata);
    }
    versions[String(v.name)] = { schema, ...collected };
  }
  return { group: String(doc.spec.group), kind: String(doc.spec.names?.kind), versions };
}

/**
 * One node of a CRD's openAPIV3Schema -> JSON schema for ajv with the API server's structural semantics.
 * CEL rules, list-map keys and untranslatable patterns are collected into `out` with their path.
 */
export function convertSchema(node: Json, path: readonly string[], out: Collected): Json {
  if (!isObject(node)) return node;
  const schema: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(k) || k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties' && isObject(v)) {
      schema.properties = Object.fromEntries(
        Object.entries(v).map(([name, sub]) => [name, convertSchema(sub, [...path, name], out)]),
      );
    } else if (k === 'items') {
      schema.items = Array.isArray(v)
        ? v.map((s) => convertSchema(s, [...path, '*'], out))
        : convertSchema(v, [...path, '*'], out);
    } else if (k === 'additionalProperties') {
      schema.additionalProperties = isObject(v) ? convertSchema(v, [...path, '*'], out) : v;
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      schema[k] = v.map((s) => convertSchema(s, path, out));
    } else if (k === 'not') {
      schema.not = convertSchema(v, path, out);
    } else if (k === 'format') {
      if (FORMATS.has(String(v))) schema.format = v;
    } else if (k === 'pattern') {
      const js = goPatternToJs(String(v));
      if (js !== undefined) schema.pattern = js;
      else out.patternsSkipped.push({ path: displayPath(path), pattern: String(v) });
    } else {
      schema[k] = v;
    }
  }
  for (const r of Array.isArray(node['x-kubernetes-validations']) ? node['x-kubernetes-validations'] : []) {
    out.cel.push({
      path: displayPath(path),
      rule: String(r?.rule),
      ...(r?.message ? { message: String(r.message) } : {}),
    });
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    const plain =
      Array.isArray(schema.anyOf) &&
      schema.anyOf.every(
        (s: Json) => isObject(s) && Object.keys(s).length === 1 && (s.type === 'integer' || s.type === 'string'),
      );
    if (plain) delete schema.anyOf;
    schema.type = ['integer', 'string'];
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    schema.type = 'object';
    schema.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...(schema.properties ?? {}),
    };
  }
  if (node['x-kubernetes-list-type'] === 'set') schema.uniqueItems = true;
  if (node['x-kubernetes-list-type'] === 'map' && Array.isArray(node['x-kubernetes-list-map-keys'])) {
    out.listMaps.push({ path: [...path], keys: node['x-kubernetes-list-map-keys'].map(String) });
  }
  // structural schemas prune what they do not describe: an object node without properties, additionalProperties
  // or preserve-unknown-fields keeps nothing, so every field there is unknown
  const objectNode = schema.type === 'object' || schema.properties !== undefined;
  if (
    objectNode &&
    schema.additionalProperties === undefined &&
    node['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema.additionalProperties = false;
  }
  if (node.nullable === true) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    else if (Array.isArray(schema.type) && !schema.type.includes('null')) schema.type = [...schema.type, 'null'];
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  }
  return schema;
}

/**
 * A Go RE2 pattern (what the API server evaluates) as a JavaScript pattern with the `u` flag (what ajv
 * uses): `(?i)` case-folds the letters of the whole pattern, `(?P<name>` is a named group, `\A`/`\z` are
 * anchors. undefined when the result is still not a valid JavaScript pattern.
 */
export function goPatternToJs(pattern: string): string | undefined {
  let p = pattern
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$');
  if (/\(\?i\)/.test(p)) {
    const body = p.replace(/\(\?i\)/g, '');
    let folded = '';
    let inClass = false;
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c === '\\') {
        folded += body.slice(i, i + 2);
        i++;
      } else if (c === '[' && !inClass) {
        inClass = true;
        folded += c;
      } else if (c === ']' && inClass) {
        inClass = false;
        folded += c;
      } else if (/[a-zA-Z]/.test(c)) {
        const other = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
        if (inClass && body[i + 1] === '-' && /[a-zA-Z]/.test(body[i + 2] ?? '')) {
          const to = body[i + 2];
          const otherTo = to === to.toLowerCase() ? to.toUpperCase() : to.toLowerCase();
          folded += `${c}-${to}${other}-${otherTo}`;
          i += 2;
        } else {
          folded += inClass ? `${c}${other}` : `[${c}${other}]`;
        }
      } else {
        folded += c;
      }
    }
    p = folded;
  }
  try {
    new RegExp(p, 'u');
    return p;
  } catch {
    return undefined;
  }
}

function displayPath(path: readonly string[]): string {
  return path.length === 0 ? '(root)' : path.map((p, i) => (p === '*' ? '[*]' : i === 0 ? p : `.${p}`)).join('');
}

/** The CRD's own `metadata` schema minus the unknown-field check (ObjectMeta is checked on its own). */
function metadataSchema(schema: Json): Json {
  const out = isObject(schema) ? { ...schema } : {};
  delete out.additionalProperties;
  return out;
}
