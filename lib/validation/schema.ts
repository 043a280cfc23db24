/**
 * Validates rendered objects against upstream schemas before anything reaches dist/ (issue 6).
 *
 * - Custom resources (velero.io, snapshot.storage.k8s.io, monitoring.coreos.com, argoproj.io, ...): the
 *   `openAPIV3Schema` of the upstream CRD at the pinned tag, compiled with ajv. Kubernetes extensions are
 *   mapped to what the API server does with a structural schema: unknown fields are pruned there, so they
 *   are errors here; `x-kubernetes-int-or-string`, `-preserve-unknown-fields`, `-embedded-resource`,
 *   `-list-type`/`-list-map-keys` and `nullable` are honoured; CEL rules (`x-kubernetes-validations`) are
 *   NOT evaluated and are reported per kind. `metadata` is checked against the Kubernetes ObjectMeta schema.
 * - Core kinds: the validators of `kubernetes-models` (generated from the Kubernetes OpenAPI). Those accept
 *   unknown fields, so the validator runs on a recording proxy: a field the validator never looked at, on
 *   an object whose schema has properties and no additionalProperties, is an unknown field.
 *
 * Schema source for custom resources: a local directory of upstream CRD YAML (default `../shared/crds`
 * next to the repo, override with $VELERO_CDK8S_CRDS or `crdDir`), or the pinned upstream URLs of
 * cdk8s.yaml downloaded once into node_modules/.cache (`downloadPinnedCrds`). With neither, custom
 * resources are skipped and the result says so in one note; core kinds are still checked.
 *
 * Speed (the synth runs this every time): nothing is loaded or compiled until a kind appears. Everything
 * expensive is cached in node_modules/.cache, keyed by content: an index of the CRD source (which files can
 * define which kinds, by the hash of each file's text, which a run reads and hashes, ~1 MB, ~2 ms), the
 * parsed and converted CRDs (YAML-parsing the 406 KB ArgoCD Application CRD alone costs ~300 ms), the
 * compiled validators as ajv standalone code (compiling the Schedule schema costs ~50 ms, requiring its code
 * ~2 ms), and the kubernetes-models validators bundled to CommonJS. Only the top-level properties an object
 * has are compiled (the Application's `status` and `operation` are 80% of its schema). On top of that, the
 * passes themselves are remembered (`passCache`): an object validated clean before, with the same JSON
 * under the same schemas and code, is not validated again, so a warm synth loads neither ajv nor any
 * validator. Measured for ~30 objects: cold (empty caches) ~0.8 s, warm with every object remembered ~5 ms.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import {
  cacheRoot as contentCacheRoot,
  ContentCache,
  installedVersion,
  plainJson,
  sha256,
  sourceRoot,
  sourceText,
} from '../output/content-cache';
import { SNAPSHOTTER_VERSION, VELERO_VERSION } from '../versions/versions';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One object to validate, with the file it is (or will be) written to, e.g. `velero/Deployment_apps_velero_velero.yaml`. */
export interface ObjectToValidate {
  readonly file: string;
  readonly object: Json;
}

export interface SchemaValidationOptions {
  /**
   * Directory of upstream CRD YAML, read recursively (`kustomization.yaml` skipped). `false` = no CRD schema
   * source: custom resources are skipped (one note), core kinds are still checked.
   * @default $VELERO_CDK8S_CRDS, else `../shared/crds` next to the repo root, else the download cache of
   * `downloadPinnedCrds()` when it is complete, else none
   */
  readonly crdDir?: string | false;
  /**
   * external-snapshotter release whose CRDs to use where the source has one subdirectory per release
   * (`external-snapshotter/v8.2.1/`, `external-snapshotter/v7.0.2/`). @default SNAPSHOTTER_VERSION
   */
  readonly snapshotterVersion?: string;
  /** Velero release, for a source that keeps Velero CRDs in per-release subdirectories. @default VELERO_VERSION */
  readonly veleroVersion?: string;
  /** Repository root (holds cdk8s.yaml; node_modules is looked up from it). @default found by walking up from this file */
  readonly rootDir?: string;
  /** Where `downloadPinnedCrds` caches the pinned CRDs. @default node_modules/.cache/velero-cdk8s-crds */
  readonly downloadCacheDir?: string;
  /**
   * Directory that remembers passes (see `validateObjects`); `false` = validate every object in full.
   * @default node_modules/.cache/velero-cdk8s-validated (or under $VELERO_CDK8S_CACHE_DIR; off with VELERO_CDK8S_CACHE=off)
   */
  readonly passCacheDir?: string | false;
}

export interface SchemaValidationResult {
  /** One line per problem: `<file>: <Kind> <namespace/name>: <path>: <complaint>`. */
  readonly errors: string[];
  /** The CEL rules (`x-kubernetes-validations`) of the kinds that were validated; they are not evaluated. */
  readonly celRulesSkipped: string[];
  /** Remarks that are not errors, e.g. the one line saying there was no CRD schema source. */
  readonly notes: string[];
}

/** A CEL rule from a CRD, which this validator does not evaluate. */
export interface CelRule {
  /** `group/version Kind`, e.g. `snapshot.storage.k8s.io/v1 VolumeSnapshotContent`. */
  readonly kind: string;
  /** Where the rule sits, e.g. `spec` or `spec.sourceVolumeMode`. */
  readonly path: string;
  readonly rule: string;
  readonly message?: string;
}

/** Bump when the CRD -> ajv conversion changes: it is part of the disk cache key. */
const CONVERTER_VERSION = 4;
/** Bump when the kubernetes-models bundling changes: it is part of the disk cache key. */
const BUNDLER_VERSION = 1;
const CRD_CACHE = 'velero-cdk8s-schemas';
const CORE_CACHE = 'velero-cdk8s-k8s-validators';
/** Where `downloadPinnedCrds` keeps the pinned upstream CRDs. */
export const CRD_DOWNLOAD_CACHE = 'velero-cdk8s-crds';
const VERSION_DIR = /^v\d+\.\d+\.\d+$/;

/**
 * ajv (~30 ms to load) and esbuild are needed only when a cache is cold, so they are loaded on first use;
 * a warm synth only `require`s the cached validators.
 */
function lazy<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// entry point

/**
 * Validates every object against its upstream schema. Never throws for a bad object: every problem is one
 * line in `errors`. Throws only when the schema machinery itself is unusable (e.g. kubernetes-models missing).
 *
 * An object that passed before, with exactly the same JSON text under exactly the same schemas and code, is
 * not validated again (see `passCache`; `passCacheDir: false` or VELERO_CDK8S_CACHE=off turns that off).
 */
export function validateObjects(
  objs: readonly ObjectToValidate[],
  opts: SchemaValidationOptions = {},
): SchemaValidationResult {
  const root = opts.rootDir ? resolve(opts.rootDir) : findRepoRoot();
  const errors: string[] = [];
  const notes: string[] = [];
  const celByKind = new Map<string, readonly CelRule[]>();
  const source = resolveCrdSource(root, opts);
  if (source.error) errors.push(source.error);
  const crds = source.dir ? crdSchemas(root, source.dir, opts) : undefined;
  const core = coreSchemas(root);
  const passes = source.error ? undefined : passCache(root, opts, core, crds);
  let skipped = 0;
  let customResources = 0;
  const skippedKinds = new Set<string>();

  for (const { file, object } of objs) {
    const where = `${file}: ${describeObject(object)}`;
    if (!isObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      errors.push(`${where}: (root): not a Kubernetes object; apiVersion and kind must be strings`);
      continue;
    }
    // an object that passed before, under the same schemas and the same code: what it contributed then
    const json = passes ? plainJson(object) : undefined;
    const passKey = json === undefined ? undefined : passes!.key(json);
    const passed = passKey === undefined ? undefined : passRecord(passes!.getJson<Json>(passKey));
    if (passed?.customResource) {
      customResources++;
      celByKind.set(passed.customResource.kind, passed.customResource.cel);
      for (const n of passed.customResource.notes) if (!notes.includes(n)) notes.push(n);
      continue;
    }
    if (passed) continue;
    const { group, version } = splitApiVersion(object.apiVersion);
    const problems: Problem[] = [];
    let record: PassRecord = {};
    if (core.hasGroup(group)) {
      const validator = core.validator(group, version, object.kind);
      if (!validator) {
        errors.push(
          `${where}: (root): no schema for ${object.apiVersion} ${object.kind} in kubernetes-models ${core.version}; check apiVersion and kind`,
        );
        continue;
      }
      problems.push(...runRecorded(validator, object));
    } else if (!crds) {
      skipped++;
      skippedKinds.add(`${object.apiVersion} ${object.kind}`);
      continue;
    } else {
      customResources++;
      const lookup = crds.validator(group, version, object.kind, object);
      if ('error' in lookup) {
        errors.push(`${where}: (root): ${lookup.error}`);
        continue;
      }
      celByKind.set(`${group}/${version} ${object.kind}`, lookup.cel);
      for (const n of lookup.patternsSkipped) if (!notes.includes(n)) notes.push(n);
      record = {
        customResource: {
          kind: `${group}/${version} ${object.kind}`,
          cel: lookup.cel,
          notes: [...lookup.patternsSkipped],
        },
      };
      problems.push(...lookup.check(object));
      if (isObject(object.metadata)) {
        const meta = runRecorded(core.objectMeta(), object.metadata);
        problems.push(...meta.map((p) => ({ ...p, pointer: `/metadata${p.pointer}` })));
      } else if (object.metadata !== undefined) {
        problems.push({ pointer: '/metadata', complaint: `must be object, got ${typeOf(object.metadata)}` });
      }
    }
    const unique = dedupe(problems);
    for (const p of unique) errors.push(`${where}: ${renderPath(p.pointer, object)}: ${p.complaint}`);
    // only a full validation without a single problem is remembered
    if (unique.length === 0 && passKey !== undefined) passes!.setJson(passKey, { pass: PASS_RECORD, ...record });
  }

  // a source that lacks the requested release: once, and only when custom resources needed it
  if (crds && customResources > 0) errors.unshift(...crds.problems);
  if (!source.dir && !source.error) {
    const what =
      skipped > 0
        ? `${skipped} custom resource(s) (${[...skippedKinds].sort().join(', ')}) were not validated`
        : 'custom resources would not be validated';
    notes.push(
      `schema: no CRD schema source (set VELERO_CDK8S_CRDS to a directory of upstream CRDs, or run downloadPinnedCrds() once with internet); ${what}; core kinds were`,
    );
  }
  const celRulesSkipped = [...celByKind.values()]
    .flat()
    .map((r) => `${r.kind} ${r.path}: ${r.message ?? r.rule} (CEL: ${r.rule})`)
    .sort();
  return { errors, celRulesSkipped, notes };
}

/** What a pass contributes to the result besides "no errors" (custom resources only). */
interface PassRecord {
  readonly customResource?: {
    readonly kind: string;
    readonly cel: readonly CelRule[];
    readonly notes: readonly string[];
  };
}

/** The source of this module as it was when it was loaded: part of the pass cache's fingerprint. */
const SCHEMA_SOURCE = sourceText('lib/validation/schema.ts', sourceRoot());

/** Marks a pass record (a JSON file that does not say this is no pass). */
const PASS_RECORD = 'velero-cdk8s-schema-pass/1';

/** A remembered pass, or undefined when `raw` is not a well-formed one (then the object is validated in full). */
function passRecord(raw: Json): PassRecord | undefined {
  if (!isObject(raw) || raw.pass !== PASS_RECORD) return undefined;
  if (raw.customResource === undefined) return {};
  const cr = raw.customResource;
  const strings = (xs: unknown): boolean => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
  const rules = (xs: unknown): boolean =>
    Array.isArray(xs) &&
    xs.every(
      (r) =>
        isObject(r) &&
        typeof r.kind === 'string' &&
        typeof r.path === 'string' &&
        typeof r.rule === 'string' &&
        (r.message === undefined || typeof r.message === 'string'),
    );
  if (!isObject(cr) || typeof cr.kind !== 'string' || !rules(cr.cel) || !strings(cr.notes)) return undefined;
  return { customResource: { kind: cr.kind, cel: cr.cel, notes: cr.notes } };
}

/**
 * The cache of passes (lib/output/content-cache.ts): a warm synth validates in a few ms and loads neither ajv nor
 * kubernetes-models. The key of an object is its JSON text (plain data only); the fingerprint holds all the
 * rest a result depends on: this file's source, the ajv, ajv-formats and kubernetes-models versions, and the
 * CRD source (every file's path and content, and the source's own problems). Only passes are stored, so an
 * object with a problem is always validated in full, and so is any object the cache has not seen under
 * exactly these schemas and this code. undefined = no cache (off, or the fingerprint is unknown).
 */
function passCache(
  root: string,
  opts: SchemaValidationOptions,
  core: CoreSchemas,
  crds: CrdSchemas | undefined,
): ContentCache | undefined {
  if (opts.passCacheDir === false) return undefined;
  const code = SCHEMA_SOURCE;
  const ajvVersions = ['ajv', 'ajv-formats'].map((p) => `${p} ${installedVersion(p, root)}`);
  if (!code || ajvVersions.some((v) => v.endsWith(' undefined'))) return undefined;
  const fingerprint = sha256(
    PASS_RECORD,
    code,
    ...ajvVersions,
    `core ${core.fingerprint}`,
    crds ? crds.fingerprint : 'no CRD source',
  );
  const dir = opts.passCacheDir
    ? resolve(opts.passCacheDir)
    : join(process.env.VELERO_CDK8S_CACHE_DIR ? contentCacheRoot(root)! : cacheRoot(root), 'velero-cdk8s-validated');
  const cache = new ContentCache('validated', { fingerprint, dir });
  return cache.dir ? cache : undefined;
}

/**
 * `validateObjects` as an `OutputCheck` for `synthesize({ checks })` (lib/output/synth.ts): returns the errors and
 * hands notes and skipped CEL rules to `report` (e.g. to print the one-line "no CRD schema source" note).
 */
export function schemaCheck(
  opts: SchemaValidationOptions = {},
  report: (result: SchemaValidationResult) => void = () => undefined,
): (objects: readonly { folder: string; file: string; object: Json }[]) => string[] {
  return (objects) => {
    const result = validateObjects(
      objects.map((o) => ({ file: `${o.folder}/${o.file}`, object: o.object })),
      opts,
    );
    report(result);
    return result.errors;
  };
}

/** The CEL rules of one kind's CRD (not evaluated by `validateObjects`), e.g. for a report. */
export function celRulesOf(apiVersion: string, kind: string, opts: SchemaValidationOptions = {}): readonly CelRule[] {
  const root = opts.rootDir ? resolve(opts.rootDir) : findRepoRoot();
  const source = resolveCrdSource(root, opts);
  if (!source.dir) return [];
  const { group, version } = splitApiVersion(apiVersion);
  const lookup = crdSchemas(root, source.dir, opts).validator(group, version, kind, {});
  return 'error' in lookup ? [] : lookup.cel;
}

// ---------------------------------------------------------------------------------------------------------------
// problems and their messages

interface Problem {
  /** JSON pointer into the object. */
  readonly pointer: string;
  readonly complaint: string;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeObject(o: Json): string {
  const kind = typeof o?.kind === 'string' ? o.kind : '<no kind>';
  const name = typeof o?.metadata?.name === 'string' ? o.metadata.name : '<no name>';
  const ns = typeof o?.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  return `${kind} ${ns}${name}`;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
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

function childPointer(pointer: string, key: string): string {
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
function fromAjvErrors(
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
function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.pointer}\u0000${p.complaint}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// core kinds: kubernetes-models validators, bundled to CommonJS once, run on a recording proxy

/** A compiled validator as kubernetes-models ships it (ajv standalone code). */
type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

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
function runRecorded(validate: CompiledValidator, data: Record<string, unknown>): Problem[] {
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

interface CoreSchemas {
  readonly version: string;
  /** The installed kubernetes-models packages and the bundling: what core kinds are validated with. */
  readonly fingerprint: string;
  hasGroup(group: string): boolean;
  validator(group: string, version: string, kind: string): CompiledValidator | undefined;
  objectMeta(): CompiledValidator;
}

const coreCache = new Map<string, CoreSchemas>();

function findPackageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(`schema: package '${name}' is not installed (looked upwards from ${from}); run npm ci`);
    }
  }
}

/** node_modules/.cache of the installation that serves `root` (where every cache of this module lives). */
function cacheRoot(root: string): string {
  return join(dirname(findPackageDir('ajv', root)), '.cache');
}

function packageVersion(dir: string): string {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

function writeAtomically(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/**
 * kubernetes-models is ESM-only ("import" export condition) and Jest/CommonJS cannot require it, so each
 * schema module that is needed is bundled once with esbuild into a CommonJS file under
 * node_modules/.cache, keyed by the installed versions. `@kubernetes-models/validate` (the formats,
 * ~180 KB) is bundled once and shared.
 */
function coreSchemas(root: string): CoreSchemas {
  const cached = coreCache.get(root);
  if (cached) return cached;
  const models = findPackageDir('kubernetes-models', root);
  const apimachinery = findPackageDir('@kubernetes-models/apimachinery', models);
  const validateLib = findPackageDir('@kubernetes-models/validate', apimachinery);
  const version = packageVersion(models);
  const key = `${version}-${packageVersion(apimachinery)}-${packageVersion(validateLib)}-b${BUNDLER_VERSION}`;
  const cacheDir = join(cacheRoot(root), CORE_CACHE, key);
  const loaded = new Map<string, CompiledValidator | undefined>();

  const bundle = (entry: string, out: string): void => {
    const { buildSync } = lazy<typeof import('esbuild')>('esbuild');
    const result = buildSync({
      stdin: { contents: entry, resolveDir: models, loader: 'js' },
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
      external: ['@kubernetes-models/validate'],
    });
    const code = result.outputFiles[0].text.replace(
      /require\("@kubernetes-models\/validate"\)/g,
      'require("./k8s-validate.js")',
    );
    writeAtomically(out, code);
  };
  const load = (schemaFile: string): CompiledValidator => {
    const shared = join(cacheDir, 'k8s-validate.js');
    if (!existsSync(shared)) bundle(`export * from ${JSON.stringify(join(validateLib, 'dist', 'index.js'))};`, shared);
    const out = join(cacheDir, basename(schemaFile));
    if (!existsSync(out)) bundle(`export { validate } from ${JSON.stringify(schemaFile)};`, out);
    const mod = lazy<{ validate?: CompiledValidator }>(out);
    if (typeof mod.validate !== 'function') {
      throw new Error(`schema: ${out} does not export a validate function; delete ${cacheDir}`);
    }
    return mod.validate;
  };

  const schemas: CoreSchemas = {
    version,
    fingerprint: key,
    // core = a group kubernetes-models has a directory for; anything else is a custom resource
    hasGroup: (group) =>
      (group === '' || /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(group)) &&
      existsSync(join(models, group === '' ? 'v1' : group)),
    validator(group, apiVersion, kind) {
      const id = `${group}/${apiVersion}/${kind}`;
      if (loaded.has(id)) return loaded.get(id);
      let validator: CompiledValidator | undefined;
      const modelFile = join(models, group, apiVersion, `${kind}.js`);
      if (/^[A-Za-z0-9]+$/.test(kind) && /^[a-z0-9]+$/.test(apiVersion) && existsSync(modelFile)) {
        const m = /from\s*["']((?:\.\.\/)+_schemas\/[A-Za-z0-9]+\.js)["']/.exec(readFileSync(modelFile, 'utf8'));
        if (m) validator = load(resolve(dirname(modelFile), m[1]));
      }
      loaded.set(id, validator);
      return validator;
    },
    objectMeta() {
      const id = 'ObjectMeta';
      if (!loaded.has(id)) {
        loaded.set(id, load(join(apimachinery, '_schemas', 'IoK8sApimachineryPkgApisMetaV1ObjectMeta.js')));
      }
      return loaded.get(id)!;
    },
  };
  coreCache.set(root, schemas);
  return schemas;
}

// ---------------------------------------------------------------------------------------------------------------
// custom resources: CRD schemas

/** Walks up from this file to the directory that holds cdk8s.yaml (works from lib/ and from the esbuild bundle in .build/). */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdk8s.yaml')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`schema: no cdk8s.yaml above ${from}; pass rootDir`);
  }
}

interface ResolvedSource {
  readonly dir?: string;
  readonly error?: string;
}

function resolveCrdSource(root: string, opts: SchemaValidationOptions): ResolvedSource {
  if (opts.crdDir === false) return {};
  if (opts.crdDir !== undefined) {
    const dir = resolve(root, opts.crdDir);
    return existsSync(dir) ? { dir } : { error: `schema: CRD directory '${opts.crdDir}' does not exist` };
  }
  const env = process.env.VELERO_CDK8S_CRDS;
  if (env) {
    const dir = resolve(root, env);
    return existsSync(dir)
      ? { dir }
      : { error: `schema: VELERO_CDK8S_CRDS='${env}' does not exist; point it at a directory of upstream CRD YAML` };
  }
  const shared = resolve(root, '..', 'shared', 'crds');
  if (existsSync(shared)) return { dir: shared };
  try {
    const cache = opts.downloadCacheDir ? resolve(opts.downloadCacheDir) : join(cacheRoot(root), CRD_DOWNLOAD_CACHE);
    const downloaded = downloadDir(cache, pinnedCrdUrls(root, opts.snapshotterVersion ?? SNAPSHOTTER_VERSION));
    if (existsSync(join(downloaded, 'SOURCE.json'))) return { dir: downloaded };
  } catch {
    // no cdk8s.yaml imports: no download cache either
  }
  return {};
}

/** What the conversion of one CRD version collects besides the schema. */
interface Collected {
  readonly cel: { path: string; rule: string; message?: string }[];
  /** Go (RE2) patterns that have no JavaScript equivalent here: not checked, reported in notes. */
  readonly patternsSkipped: { path: string; pattern: string }[];
  /** `x-kubernetes-list-type: map` lists: path segments (`*` = any item or key) and the key fields. */
  readonly listMaps: { path: string[]; keys: string[] }[];
}

interface CrdVersion extends Collected {
  readonly served: boolean;
  /** The openAPIV3Schema converted for ajv (see convertSchema). */
  readonly schema: Record<string, Json>;
}

interface ParsedCrd {
  readonly group: string;
  readonly kind: string;
  readonly file: string;
  /** sha256 of the file's text (and the converter version): the key of everything compiled from it. */
  readonly hash: string;
  readonly versions: Readonly<Record<string, CrdVersion>>;
}

type CrdLookup =
  | {
      check(object: Record<string, unknown>): Problem[];
      readonly cel: readonly CelRule[];
      readonly patternsSkipped: readonly string[];
    }
  | { error: string };

interface CrdSchemas {
  /** Problems of the source itself (e.g. no CRDs for the requested snapshotter release). */
  readonly problems: readonly string[];
  /** sha256 of the source these schemas come from: every CRD file's path and content, and the problems. */
  readonly fingerprint: string;
  validator(group: string, version: string, kind: string, object: Record<string, unknown>): CrdLookup;
}

const crdCache = new Map<string, CrdSchemas>();
let sharedAjv: Ajv | undefined;

/**
 * The ajv instance that compiles CRD schemas, with standalone code on: each compiled validator is also
 * written to node_modules/.cache as a CommonJS module, so the next process only `require`s it (compiling
 * the Schedule schema costs ~50 ms, requiring its code ~2 ms). Loaded only on a cache miss.
 */
function ajv(): Ajv {
  if (sharedAjv) return sharedAjv;
  // validateSchema off: upstream schemas are trusted, and meta-validating the Application CRD costs ~200 ms;
  // optimize off halves compile time
  const ajvModule = lazy<typeof import('ajv')>('ajv');
  const { _ } = ajvModule;
  const instance = new ajvModule.Ajv({
    allErrors: true,
    strict: false,
    validateSchema: false,
    allowUnionTypes: true,
    code: { source: true, optimize: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  const addFormatsModule = lazy<Json>('ajv-formats');
  const addFormats = (addFormatsModule.default ?? addFormatsModule) as (a: Ajv) => Ajv;
  addFormats(instance);
  sharedAjv = instance;
  return instance;
}

/** Formats ajv-formats knows (`fullFormats`); the API server ignores other formats, and so does the conversion. */
function knownFormats(): ReadonlySet<string> {
  return new Set(Object.keys(ajv().formats));
}

const DROPPED_KEYWORDS = new Set([
  'description',
  'example',
  'externalDocs',
  'default',
  'title',
  'nullable',
  'x-kubernetes-validations',
]);

/**
 * One node of a CRD's openAPIV3Schema -> JSON schema for ajv with the API server's structural semantics.
 * CEL rules and list-map keys are collected into `out` with their path.
 */
export function convertSchema(node: Json, path: readonly string[], out: Collected, formats: ReadonlySet<string>): Json {
  if (!isObject(node)) return node;
  const schema: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(k) || k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties' && isObject(v)) {
      schema.properties = Object.fromEntries(
        Object.entries(v).map(([name, sub]) => [name, convertSchema(sub, [...path, name], out, formats)]),
      );
    } else if (k === 'items') {
      schema.items = Array.isArray(v)
        ? v.map((s) => convertSchema(s, [...path, '*'], out, formats))
        : convertSchema(v, [...path, '*'], out, formats);
    } else if (k === 'additionalProperties') {
      schema.additionalProperties = isObject(v) ? convertSchema(v, [...path, '*'], out, formats) : v;
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      schema[k] = v.map((s) => convertSchema(s, path, out, formats));
    } else if (k === 'not') {
      schema.not = convertSchema(v, path, out, formats);
    } else if (k === 'format') {
      if (formats.has(String(v))) schema.format = v;
    } else if (k === 'pattern') {
      const js = goPatternToJs(String(v));
      if (js !== undefined) schema.pattern = js;
      else out.patternsSkipped.push({ path: displayPath(path), pattern: String(v) });
    } else {
      schema[k] = v;
    }
  }
  for (const r of (node['x-kubernetes-validations'] as Json[] | undefined) ?? []) {
    out.cel.push({
      path: displayPath(path),
      rule: String(r.rule),
      ...(r.message ? { message: String(r.message) } : {}),
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
 * anchors. undefined
 * when the result is still not a valid JavaScript pattern.
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

/**
 * The CRD's own `metadata` schema minus the unknown-field check: CRDs say only `type: object` (plus at most
 * name constraints), the API server validates ObjectMeta itself, and so does validateObjects.
 */
function metadataSchema(schema: Json): Json {
  const out = isObject(schema) ? { ...schema } : {};
  delete out.additionalProperties;
  return out;
}

/** The property names the converted schema allows at `pointer` (for "did you mean"). */
function knownFieldsAt(schema: Json, pointer: string): string[] {
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
function listMapProblems(object: unknown, listMaps: Collected['listMaps']): Problem[] {
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

/** Every CRD file under `dir`; in a directory with per-release subdirectories (`v8.2.1/`) only the requested release. */
function listCrdFiles(dir: string, opts: SchemaValidationOptions, problems: string[]): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const versionDirs = entries.filter((e) => e.isDirectory() && VERSION_DIR.test(e.name)).map((e) => e.name);
    if (versionDirs.length > 0) {
      const component = basename(d);
      const wanted =
        component === 'external-snapshotter'
          ? (opts.snapshotterVersion ?? SNAPSHOTTER_VERSION)
          : component === 'velero'
            ? (opts.veleroVersion ?? VELERO_VERSION)
            : undefined;
      const at = relative(dir, d) || basename(d);
      if (wanted === undefined) {
        problems.push(
          `schema: ${at}/ holds releases ${versionDirs.join(', ')} but no release of '${component}' was asked for; keep one release there`,
        );
      } else if (!versionDirs.includes(wanted)) {
        problems.push(`schema: ${at}/ has no CRDs for ${component} ${wanted} (it has ${versionDirs.join(', ')})`);
      } else {
        walk(join(d, wanted));
      }
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!VERSION_DIR.test(e.name) && !e.name.startsWith('.')) walk(p);
      } else if (/\.(ya?ml|json)$/.test(e.name) && !/^kustomization\.ya?ml$/i.test(e.name)) {
        files.push(p);
      }
    }
  };
  walk(dir);
  return files;
}

function crdSchemas(root: string, dir: string, opts: SchemaValidationOptions): CrdSchemas {
  const sourceProblems: string[] = [];
  const files = listCrdFiles(dir, opts, sourceProblems);
  // the source as it is now (~1 MB, read on every call): each file's text and its hash, which keys everything
  // derived from the file (index entry, parsed CRD), so nothing derived from an earlier text is ever used
  const bodies = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const hashes = new Map(
    files.map((f) => [
      f,
      createHash('sha256')
        .update(`${CONVERTER_VERSION}\u0000${bodies.get(f)}`)
        .digest('hex'),
    ]),
  );
  const fingerprint = sha256(
    'crd source',
    JSON.stringify(sourceProblems),
    ...files.flatMap((f) => [relative(dir, f), hashes.get(f)!]),
  );
  const cacheKey = `${root}\u0000${dir}\u0000${opts.snapshotterVersion ?? SNAPSHOTTER_VERSION}\u0000${opts.veleroVersion ?? VELERO_VERSION}\u0000${fingerprint}`;
  const cached = crdCache.get(cacheKey);
  if (cached) return cached;
  const diskCache = join(cacheRoot(root), CRD_CACHE);
  const ajvVersion = packageVersion(findPackageDir('ajv', root));
  const parsed = new Map<string, ParsedCrd[]>();

  // index of the source: per file (by the hash of its text) the kind names it mentions (`kind: X`, a superset
  // of the kinds it defines) and, once parsed, the kinds it defines. A warm run YAML-parses nothing; a cold
  // run parses only the files that can define the kinds it needs.
  type IndexEntry = {
    hash: string;
    mentions: string[];
    defs?: { group: string; kind: string }[];
  };
  const indexFile = join(
    diskCache,
    'index',
    `${createHash('sha256').update(`${CONVERTER_VERSION}\u0000${dir}`).digest('hex').slice(0, 32)}.json`,
  );
  let index: Record<string, IndexEntry> = {};
  try {
    index = JSON.parse(readFileSync(indexFile, 'utf8')) as Record<string, IndexEntry>;
  } catch {
    index = {};
  }
  let indexChanged = false;
  const entry = (f: string): IndexEntry => {
    const e = index[f];
    const hash = hashes.get(f)!;
    if (e && e.hash === hash && Array.isArray(e.mentions)) return e;
    const mentions = new Set<string>();
    for (const m of bodies.get(f)!.matchAll(/kind["']?\s*:\s*["']?([A-Za-z0-9]+)["']?\s*(?:,|}|$)/gm))
      mentions.add(m[1]);
    index[f] = { hash, mentions: [...mentions].sort() };
    indexChanged = true;
    return index[f];
  };

  const parseFile = (f: string): ParsedCrd[] => {
    if (parsed.has(f)) return parsed.get(f)!;
    const known = entry(f);
    const body = bodies.get(f)!;
    const hash = hashes.get(f)!;
    const cacheFile = join(diskCache, 'crds', `${hash}.json`);
    let crds: ParsedCrd[] | undefined;
    if (existsSync(cacheFile)) {
      try {
        crds = (JSON.parse(readFileSync(cacheFile, 'utf8')) as ParsedCrd[]).map((c) => ({ ...c, file: f }));
      } catch {
        crds = undefined; // a torn cache file: parse again
      }
    }
    if (!crds) {
      crds = [];
      const formats = knownFormats();
      const docs = /\.json$/.test(f)
        ? [JSON.parse(body)]
        : lazy<typeof import('yaml')>('yaml')
            .parseAllDocuments(body)
            .map((d) => d.toJS());
      for (const doc of docs) {
        if (!isObject(doc) || doc.kind !== 'CustomResourceDefinition' || !isObject(doc.spec)) continue;
        const versions: Record<string, CrdVersion> = {};
        for (const v of (doc.spec.versions as Json[]) ?? []) {
          const collected: Collected = { cel: [], patternsSkipped: [], listMaps: [] };
          const raw = v?.schema?.openAPIV3Schema;
          const schema = convertSchema(
            isObject(raw) ? raw : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            [],
            collected,
            formats,
          );
          versions[String(v.name)] = { served: v.served !== false, schema, ...collected };
        }
        crds.push({ group: String(doc.spec.group), kind: String(doc.spec.names?.kind), file: f, hash, versions });
      }
      try {
        writeAtomically(cacheFile, JSON.stringify(crds.map(({ file: _file, ...c }) => c)));
      } catch {
        // a read-only node_modules only costs speed
      }
    }
    if (!known.defs) {
      index[f] = { ...known, hash, defs: crds.map((c) => ({ group: c.group, kind: c.kind })) };
      indexChanged = true;
    }
    parsed.set(f, crds);
    return crds;
  };

  const find = (group: string, kind: string): ParsedCrd[] => {
    if (!/^[A-Za-z0-9]+$/.test(kind)) return [];
    const candidates = files.filter((f) => {
      const e = entry(f);
      return e.defs ? e.defs.some((d) => d.group === group && d.kind === kind) : e.mentions.includes(kind);
    });
    const defs = candidates.flatMap(parseFile).filter((c) => c.group === group && c.kind === kind);
    if (indexChanged) {
      try {
        writeAtomically(
          indexFile,
          JSON.stringify(Object.fromEntries(files.filter((f) => index[f]).map((f) => [f, index[f]]))),
        );
        indexChanged = false;
      } catch {
        // only slower next time
      }
    }
    return defs;
  };

  /** A validator for one schema: its standalone code from the disk cache (keyed by the schema itself), else compiled and cached. */
  const compile = (schema: Record<string, Json>): ValidateFunction => {
    const key = createHash('sha256')
      .update(`ajv ${ajvVersion}\u0000${JSON.stringify(schema)}`)
      .digest('hex')
      .slice(0, 32);
    const file = join(diskCache, 'validators', `${key}.js`);
    if (existsSync(file)) {
      try {
        return lazy<ValidateFunction>(file);
      } catch {
        // a torn cache file: compile again
      }
    }
    const validate = ajv().compile(schema);
    try {
      const standaloneCode = lazy<{ default: (a: Ajv, v: ValidateFunction) => string }>('ajv/dist/standalone').default;
      writeAtomically(file, standaloneCode(ajv(), validate));
    } catch {
      // no cache: only slower next time
    }
    return validate;
  };

  const lookups = new Map<string, CrdLookup>();
  const schemas: CrdSchemas = {
    problems: sourceProblems,
    fingerprint,
    validator(group, version, kind, object) {
      const defs = find(group, kind);
      const where = relative(root, dir) || '.';
      if (defs.length === 0) return { error: `no CRD defines ${group} ${kind} in ${where}; check apiVersion and kind` };
      if (defs.length > 1) {
        return {
          error: `${defs.length} CRDs define ${group} ${kind} in ${where} (${defs.map((d) => relative(dir, d.file)).join(', ')}); keep one`,
        };
      }
      const def = defs[0];
      const v = def.versions[version];
      if (!v || !v.served) {
        const served = Object.entries(def.versions)
          .filter(([, x]) => x.served)
          .map(([n]) => `${group}/${n}`);
        return {
          error: `${group}/${version} ${kind} is not served by its CRD (${relative(dir, def.file)}); use ${served.join(' or ')}`,
        };
      }
      // compile only the top-level properties the object has: absent ones cannot fail, and the Application's
      // status/operation schemas are 80% of its size. metadata: ObjectMeta is checked separately.
      const props = isObject(v.schema.properties) ? v.schema.properties : {};
      const present = Object.keys(props)
        .filter((k) => k in object && k !== 'metadata')
        .sort();
      const id = `${group}/${version}/${kind}|${present.join(',')}`;
      let lookup = lookups.get(id);
      if (!lookup) {
        const schema = {
          ...v.schema,
          properties: {
            ...Object.fromEntries(present.map((k) => [k, props[k]])),
            ...('metadata' in props ? { metadata: metadataSchema(props.metadata) } : {}),
          },
        };
        const validate = compile(schema);
        const kindName = `${group}/${version} ${kind}`;
        lookup = {
          cel: v.cel.map((r) => ({ kind: kindName, ...r })),
          patternsSkipped: v.patternsSkipped.map(
            (x) =>
              `schema: ${kindName} ${x.path}: pattern ${JSON.stringify(x.pattern)} is not a JavaScript regular expression and was not checked`,
          ),
          check(o) {
            validate(o);
            return [
              ...fromAjvErrors(validate.errors ?? [], o, (p) => knownFieldsAt(v.schema, p)),
              ...listMapProblems(o, v.listMaps),
            ];
          },
        };
        lookups.set(id, lookup);
      }
      return lookup;
    },
  };
  crdCache.set(cacheKey, schemas);
  return schemas;
}

// ---------------------------------------------------------------------------------------------------------------
// the pinned upstream URLs (cdk8s.yaml `imports:`), downloaded once

/** A minimal fetch: what `downloadPinnedCrds` needs (global `fetch` fits). */
export type FetchLike = (
  url: string,
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

export interface PinnedCrd {
  /** The import name of cdk8s.yaml, e.g. `velero-schedules`. */
  readonly name: string;
  readonly url: string;
}

/**
 * The CRD URLs pinned in cdk8s.yaml `imports:` (`name:=url`). External-snapshotter URLs are moved to
 * `snapshotterVersion` when it differs from the pinned tag, so the v7.0.2 CRDs can be validated too.
 */
export function pinnedCrdUrls(
  root: string = findRepoRoot(),
  snapshotterVersion: string = SNAPSHOTTER_VERSION,
): PinnedCrd[] {
  const config = lazy<typeof import('yaml')>('yaml').parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')) as {
    imports?: unknown[];
  };
  const out: PinnedCrd[] = [];
  for (const entry of config.imports ?? []) {
    const m = /^([^:=]+):=(https?:\/\/\S+)$/.exec(String(entry));
    if (!m) continue;
    const url = m[2].replace(/(\/kubernetes-csi\/external-snapshotter\/)v\d+\.\d+\.\d+\//, `$1${snapshotterVersion}/`);
    out.push({ name: m[1], url });
  }
  if (out.length === 0) throw new Error(`schema: ${join(root, 'cdk8s.yaml')} lists no 'name:=url' imports`);
  return out;
}

function downloadDir(cacheDir: string, crds: readonly PinnedCrd[]): string {
  const key = createHash('sha256')
    .update(crds.map((c) => `${c.name}=${c.url}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return join(cacheDir, key);
}

export interface DownloadOptions {
  /** @default found by walking up from this file */
  readonly rootDir?: string;
  /** @default SNAPSHOTTER_VERSION */
  readonly snapshotterVersion?: string;
  /** Injected for tests and proxies. @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** @default node_modules/.cache/velero-cdk8s-crds */
  readonly downloadCacheDir?: string;
}

/**
 * Downloads the pinned upstream CRDs once into node_modules/.cache/velero-cdk8s-crds/<hash of the URLs>/
 * and returns that directory; `validateObjects` then finds it by itself. Files already there are not
 * fetched again; `SOURCE.json` (written last) marks a complete download.
 */
export async function downloadPinnedCrds(opts: DownloadOptions = {}): Promise<string> {
  const root = opts.rootDir ? resolve(opts.rootDir) : findRepoRoot();
  const crds = pinnedCrdUrls(root, opts.snapshotterVersion ?? SNAPSHOTTER_VERSION);
  const dir = downloadDir(
    opts.downloadCacheDir ? resolve(opts.downloadCacheDir) : join(cacheRoot(root), CRD_DOWNLOAD_CACHE),
    crds,
  );
  const doFetch: FetchLike | undefined = opts.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
  if (!doFetch) throw new Error('schema: no fetch available to download the pinned CRDs; use Node 20+ or pass crdDir');
  if (existsSync(join(dir, 'SOURCE.json'))) return dir;
  for (const crd of crds) {
    const file = join(dir, `${crd.name}.yaml`);
    if (existsSync(file)) continue;
    const response = await doFetch(crd.url);
    if (!response.ok)
      throw new Error(`schema: downloading ${crd.url} failed with HTTP ${response.status}; nothing was cached for it`);
    const body = await response.text();
    if (!/kind:\s*CustomResourceDefinition/.test(body))
      throw new Error(`schema: ${crd.url} is not a CustomResourceDefinition; nothing was cached for it`);
    writeAtomically(file, body);
  }
  writeAtomically(join(dir, 'SOURCE.json'), `${JSON.stringify({ downloaded: crds }, null, 2)}\n`);
  return dir;
}

/** Drops the download cache (e.g. to fetch again after an upstream tag was moved). */
export function clearDownloadedCrds(opts: { rootDir?: string; cacheDir?: string } = {}): void {
  const root = opts.rootDir ? resolve(opts.rootDir) : findRepoRoot();
  rmSync(opts.cacheDir ? resolve(opts.cacheDir) : join(cacheRoot(root), CRD_DOWNLOAD_CACHE), {
    recursive: true,
    force: true,
  });
}

/** For tests: forget compiled validators and parsed CRDs held in memory (the disk caches stay). */
export function resetSchemaCaches(): void {
  coreCache.clear();
  crdCache.clear();
  sharedAjv = undefined;
}
