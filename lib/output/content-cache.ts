/**
 * Content-addressed caches of schema validation (lib/validation/schema.ts), its only user: the synth's own
 * caches live in scripts/lib/load-entry.mjs, keyed by the code that runs. This module goes when schema
 * validation stops caching (it reads committed, import-time-generated schemas instead).
 *
 * Each cache is a directory `node_modules/.cache/velero-cdk8s-<name>/<fingerprint>/`, one file per entry,
 * named by `sha256(fingerprint, input)`. The fingerprint holds everything besides the input that the result depends
 * on: the source text of the module that computes it and the versions of the libraries it uses. So an entry
 * can only be found for exactly the input and code that produced it; anything else is a miss, and a miss
 * computes the result in full. Each file starts with a header that repeats its key and the sha256 of its
 * body; a file whose header does not match (torn, truncated, renamed, edited) is a miss too. Files are
 * written atomically (temporary file + rename), so concurrent processes (jest workers) only race to write
 * the same bytes.
 *
 * The caches are never committed (node_modules/), are safe to delete at any time, and a cold cache gives
 * byte-identical output. `VELERO_CDK8S_CACHE=off` turns them off (every lookup misses, nothing is written);
 * `VELERO_CDK8S_CACHE_DIR` puts them somewhere else.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Bump when the entry format changes. */
const FORMAT = 'velero-cdk8s-cache/1';

/** sha256 (hex) of the parts, separated so that ('ab', 'c') and ('a', 'bc') differ. */
export function sha256(...parts: readonly (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(typeof p === 'string' ? `${p.length}:` : `b${p.length}:`);
    h.update(p);
  }
  return h.digest('hex');
}

/**
 * The repository this module runs from: the nearest directory above `from` with a package.json and the
 * `lib/` sources (works from lib/ under jest and tsc, and from the esbuild bundle in .build/).
 */
export function sourceRoot(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'lib', 'output', 'content-cache.ts'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The text of a repository source file (e.g. `lib/validation/schema.ts`); undefined when it is not there. */
export function sourceText(file: string, root: string | undefined = sourceRoot()): string | undefined {
  if (!root) return undefined;
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** The `version` of an installed package, looked up from `root` upwards; undefined when not installed. */
export function installedVersion(name: string, root: string | undefined = sourceRoot()): string | undefined {
  if (!root) return undefined;
  for (let dir = root; ; dir = dirname(dir)) {
    try {
      return String(JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version);
    } catch {
      if (dirname(dir) === dir) return undefined;
    }
  }
}

/**
 * Where the caches live: $VELERO_CDK8S_CACHE_DIR if set (tests point it at a temporary directory), else the
 * node_modules/.cache directory that serves `root`; undefined when there is neither.
 */
export function cacheRoot(root: string | undefined = sourceRoot()): string | undefined {
  if (process.env.VELERO_CDK8S_CACHE_DIR) return resolve(process.env.VELERO_CDK8S_CACHE_DIR);
  if (!root) return undefined;
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache');
    if (dirname(dir) === dir) return undefined;
  }
}

/** True when `VELERO_CDK8S_CACHE=off` (or `0`, `false`): the content caches neither read nor write. */
export function cachesDisabled(): boolean {
  return /^(off|0|false|no)$/i.test(process.env.VELERO_CDK8S_CACHE ?? '');
}

export { plainJson } from './plain-json';

export interface ContentCacheOptions {
  /**
   * Everything besides the input that results depend on (source text of the code, library versions).
   * undefined = the fingerprint could not be established: the cache is off.
   */
  readonly fingerprint: string | undefined;
  /** @default velero-cdk8s-<name> under `cacheRoot()` */
  readonly dir?: string;
}

/** Fingerprint directories kept per cache (the most recently used ones); the others are deleted. */
const KEEP_FINGERPRINTS = 8;

/**
 * One content-addressed cache (see the module comment). Entries live in a subdirectory per fingerprint, so
 * that an edit to the code that computes them retires the old entries as a whole: only the
 * `KEEP_FINGERPRINTS` most recently used subdirectories are kept.
 */
export class ContentCache {
  /** Where the entries live; undefined when the cache is off. */
  readonly dir: string | undefined;
  private readonly base: string | undefined;
  private readonly fingerprint: string;
  private used = false;
  private pruned = false;

  constructor(name: string, options: ContentCacheOptions) {
    this.fingerprint = options.fingerprint ?? '';
    const root = cacheRoot();
    this.base =
      options.fingerprint === undefined || cachesDisabled() || (!options.dir && !root)
        ? undefined
        : (options.dir ?? join(root!, `velero-cdk8s-${name}`));
    this.dir = this.base && join(this.base, sha256(FORMAT, this.fingerprint).slice(0, 16));
  }

  /** The key of an input: sha256 of the fingerprint and the input's parts. */
  key(...input: readonly string[]): string {
    return sha256(FORMAT, this.fingerprint, ...input);
  }

  /** The text stored under `key`, or undefined (a miss: none, off, or the entry failed its header check). */
  get(key: string): string | undefined {
    if (!this.dir || !/^[0-9a-f]{64}$/.test(key)) return undefined;
    this.markUsed();
    let raw: string;
    try {
      raw = readFileSync(join(this.dir, key), 'utf8');
    } catch {
      return undefined;
    }
    const nl = raw.indexOf('\n');
    const body = raw.slice(nl + 1);
    if (nl < 0 || raw.slice(0, nl) !== `${FORMAT} ${key} ${sha256(body)}`) return undefined;
    return body;
  }

  /** Stores `text` under `key`; a failure (read-only node_modules, full disk) only costs speed next time. */
  set(key: string, text: string): void {
    if (!this.dir || !/^[0-9a-f]{64}$/.test(key)) return;
    const file = join(this.dir, key);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, `${FORMAT} ${key} ${sha256(text)}\n${text}`);
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
    }
    this.prune();
  }

  /** `get` of a JSON value; undefined on a miss or when the stored text is not JSON. */
  getJson<T>(key: string): T | undefined {
    const text = this.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  setJson(key: string, value: unknown): void {
    this.set(key, JSON.stringify(value));
  }

  /** Once per process: the fingerprint directory's mtime says it is in use (for `prune`). */
  private markUsed(): void {
    if (this.used || !this.dir) return;
    this.used = true;
    try {
      const now = new Date();
      utimesSync(this.dir, now, now);
    } catch {
      // not there yet
    }
  }

  /** Once per process, after a write: deletes all but the most recently used fingerprint directories. */
  private prune(): void {
    if (this.pruned || !this.base) return;
    this.pruned = true;
    try {
      const dirs = readdirSync(this.base, { withFileTypes: true })
        .filter((d) => d.isDirectory() && join(this.base!, d.name) !== this.dir)
        .map((d) => ({ path: join(this.base!, d.name), mtime: statSync(join(this.base!, d.name)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
      for (const d of dirs.slice(KEEP_FINGERPRINTS - 1)) rmSync(d.path, { recursive: true, force: true });
    } catch {
      // another process pruned at the same time: only speed is at stake
    }
  }
}
