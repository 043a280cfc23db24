// Compiles a TypeScript entry point with esbuild (transpile-only; type-checking is `npm run typecheck`),
// loads it in this process and reports a failure as one line that names the user's file and line. This is
// the one module that caches anything for the synth (README "Speed"); every cache below is keyed by the
// code that runs, i.e. by the sha256 of the bundle or of every file a bundle is built from:
//   - the bundles under .build/: the app (`.build/main.js`: the entry, the repository modules it imports and
//     the drill runner bundle, npm packages left out) and the vendor bundle (`.build/vendor-<hash>.js`: the
//     npm packages the app imports, each initialized on first use as `require` would). A bundle is reused
//     while every file it was built from is byte-identical (a content hash; for installed package files, the
//     one recorded with their size, mtime, ctime and inode, as git's index does);
//   - the V8 code cache of both bundles (`<cache dir>/v8/`, keyed by the bundle's sha256 and path, the Node version
//     and the architecture; V8 checks its own version and flags too): a warm run parses ~2 MB of JavaScript
//     in a few ms;
//   - results the app asks for (`<cache dir>/results/<app bundle hash>/`, see `resultCache`): the YAML text
//     of each object (lib/output/output.ts).
// `VELERO_CDK8S_CACHE=off` turns every one of them off (each run bundles again, compiles from scratch and
// computes every result); `off:<name>[,<name>]` only the named ones (bundles, code, results = yaml), for
// `npm run bench`. `VELERO_CDK8S_CACHE_DIR` moves the cache directory (default node_modules/.cache/velero-cdk8s).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire, SourceMap } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Script } from 'node:vm';

export const root = resolve(import.meta.dirname, '..', '..');

/** Bump when the bundling below changes: part of every bundle's key. */
const LOADER_VERSION = 3;
/** Packages loaded from node_modules at run time, never bundled (esbuild talks to its native binary). */
const NOT_VENDORED = new Set(['esbuild']);
const buildDir = join(root, '.build');
/** Name of the generated entry of the vendor bundle (stdin). */
const VENDOR_ENTRY = '<vendor entry>';
/** The esbuild options of the drill runner bundle, shared with lib/drill/drill-bundle.ts. */
const DRILL_BUILD_OPTIONS = 'drill/build.json';
const nodeRequire = createRequire(import.meta.url);

/** sha256 (hex) of the parts, length-prefixed so that ('ab', 'c') and ('a', 'bc') differ. */
export function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('hex');
}

/** Writes through a temporary file and a rename, so that a concurrent reader sees the old or the new content. */
export function writeAtomically(file, content) {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The results the app caches (`resultCache`), each a name `VELERO_CDK8S_CACHE=off:<name>` can turn off alone. */
const RESULTS = ['yaml'];
/** The caches that `VELERO_CDK8S_CACHE` turns off: `off` = all, `off:code,results` = those. */
function cachesOff() {
  const v = (process.env.VELERO_CDK8S_CACHE ?? '').trim();
  if (/^(off|0|false|no)$/i.test(v)) return new Set(['bundles', 'code', 'results', ...RESULTS]);
  const names = new Set(v.startsWith('off:') ? v.slice(4).split(',') : []);
  if (names.has('results')) for (const r of RESULTS) names.add(r);
  return names;
}
const off = cachesOff();

/** Where the caches live: $VELERO_CDK8S_CACHE_DIR, else node_modules/.cache/velero-cdk8s. */
export const cacheRoot = process.env.VELERO_CDK8S_CACHE_DIR
  ? resolve(process.env.VELERO_CDK8S_CACHE_DIR)
  : join(root, 'node_modules', '.cache', 'velero-cdk8s');

let esbuildVersionMemo;
function esbuildVersion() {
  esbuildVersionMemo ??= JSON.parse(
    readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8'),
  ).version;
  return esbuildVersionMemo;
}

const inNodeModules = (file) => file.startsWith('node_modules/');
const statKey = (st) => `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

/**
 * The sources hash of a bundle: sha256 of the loader and esbuild versions, `extra`, and every input file
 * (relative to root) with the sha256 of its content; undefined if one is gone. Installed package files
 * (node_modules/, ~4 MB that nobody edits in place) whose size, mtime, ctime and inode are what `known`
 * recorded keep the digest recorded with them, as git's index does; repository files are always read.
 */
function sourcesHash(inputs, extra, known = {}) {
  const parts = [String(LOADER_VERSION), esbuildVersion(), extra];
  const packageFiles = {};
  for (const file of inputs) {
    const abs = join(root, file);
    let digest;
    if (inNodeModules(file)) {
      const st = statSync(abs, { throwIfNoEntry: false });
      if (!st) return { hash: undefined, packageFiles };
      const stat = statKey(st);
      digest = known[file]?.stat === stat && typeof known[file].digest === 'string' ? known[file].digest : undefined;
      digest ??= sha256(readFileSync(abs));
      packageFiles[file] = { stat, digest };
    } else {
      if (!existsSync(abs)) return { hash: undefined, packageFiles };
      digest = sha256(readFileSync(abs));
    }
    parts.push(file, digest);
  }
  return { hash: sha256(...parts), packageFiles };
}

/** The stamp of `outfile` when the bundle is still what its inputs give, else undefined. */
function freshStamp(outfile, extra) {
  if (off.has('bundles')) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(`${outfile}.sources.json`, 'utf8'));
    if (!existsSync(outfile) || !Array.isArray(stamp.inputs) || typeof stamp.hash !== 'string') return undefined;
    const known = stamp.packageFiles && typeof stamp.packageFiles === 'object' ? stamp.packageFiles : {};
    return sourcesHash(stamp.inputs, extra, known).hash === stamp.hash ? stamp : undefined;
  } catch {
    return undefined; // none yet, or torn: build again
  }
}

const esbuildInputs = (metafile) => Object.keys(metafile.inputs).filter((f) => f !== VENDOR_ENTRY);

/** The drill runner bundle (lib/drill/drill-bundle.ts), built with the app; its text and input files. */
function drillRunner(buildSync) {
  const result = buildSync({
    ...JSON.parse(readFileSync(join(root, DRILL_BUILD_OPTIONS), 'utf8')),
    absWorkingDir: root,
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const text = result.outputFiles[0].text;
  if (text.includes(root)) throw new Error(`drill bundle: the bundle contains the absolute path '${root}'`);
  return { text, inputs: [DRILL_BUILD_OPTIONS, ...esbuildInputs(result.metafile)] };
}

function build(options, outfile, extra, more = () => ({})) {
  // esbuild is loaded only when a rebuild is needed
  const { buildSync } = nodeRequire('esbuild');
  const { withDrill, ...esbuildOptions } = options;
  const drill = withDrill ? drillRunner(buildSync) : undefined;
  const result = buildOrOneLine(buildSync, {
    ...esbuildOptions,
    ...(drill ? { define: { __VELERO_CDK8S_DRILL_RUNNER__: JSON.stringify(drill.text) } } : {}),
    absWorkingDir: root,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    sourcemap: 'external',
    sourcesContent: false,
    logLevel: 'silent',
    metafile: true,
    write: false,
  });
  for (const f of result.outputFiles) writeAtomically(f.path, f.contents);
  const inputs = [...new Set([...esbuildInputs(result.metafile), ...(drill?.inputs ?? [])])].sort();
  const { hash, packageFiles } = sourcesHash(inputs, extra);
  const stamp = { inputs, hash, packageFiles, ...more(result.metafile) };
  writeAtomically(`${outfile}.sources.json`, JSON.stringify(stamp));
  return stamp;
}

/** esbuild's build, its first error as one `file:line:col: text` line (not esbuild's multi-line drawing). */
function buildOrOneLine(buildSync, options) {
  try {
    return buildSync(options);
  } catch (e) {
    const first = e?.errors?.[0];
    if (!first) throw e;
    const at = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    throw new EntryError(`${at}${first.text} (TypeScript syntax; \`npm run typecheck\` shows every error)`);
  }
}

const isBuiltin = (id) => id.startsWith('node:') || builtinModules.includes(id);
const packageName = (id) =>
  id
    .split('/')
    .slice(0, id.startsWith('@') ? 2 : 1)
    .join('/');

/** The npm packages (bare specifiers, as written) the app imports or requires by name. */
function packageImports(metafile) {
  const ids = new Set();
  for (const input of Object.values(metafile.inputs)) {
    for (const i of input.imports) {
      if (!i.external || (i.kind !== 'import-statement' && i.kind !== 'require-call')) continue;
      if (i.path.startsWith('.') || i.path.startsWith('/') || isBuiltin(i.path)) continue;
      ids.add(i.path);
    }
  }
  return [...ids].sort();
}

/** The app bundle of `entry` (rebuilt if stale) and the packages it imports. */
function appBundle(entry) {
  const abs = resolve(root, entry);
  const outfile = join(buildDir, relative(root, abs).replace(/\.ts$/, '.js'));
  const extra = `app ${relative(root, abs)}`;
  const stamp =
    freshStamp(outfile, extra) ??
    build({ entryPoints: [abs], packages: 'external', withDrill: true }, outfile, extra, (m) => ({
      packages: packageImports(m),
    }));
  return { outfile, packages: Array.isArray(stamp.packages) ? stamp.packages : [] };
}

/**
 * The vendor bundle of `ids` (rebuilt if stale): `module.exports[id]` is a getter that initializes the
 * package on first use, so the packages a run never touches (e.g. the PromQL grammar's, until the first alert is checked) cost
 * nothing but their share of the (code-cached) parse.
 */
function vendorBundle(ids) {
  const extra = `vendor ${ids.join(' ')}`;
  const outfile = join(buildDir, `vendor-${sha256(extra).slice(0, 16)}.js`);
  if (!freshStamp(outfile, extra)) {
    const contents = [
      'const m = (module.exports = {});',
      ...ids.map(
        (id) =>
          `Object.defineProperty(m, ${JSON.stringify(id)}, { enumerable: true, get: () => require(${JSON.stringify(id)}) });`,
      ),
    ].join('\n');
    build(
      { stdin: { contents, resolveDir: root, sourcefile: VENDOR_ENTRY, loader: 'js' }, external: [...NOT_VENDORED] },
      outfile,
      extra,
    );
  }
  return outfile;
}

const codeCacheDir = join(cacheRoot, 'v8');
const pendingCodeCaches = [];
/** The CommonJS wrapper `runBundle` puts around a bundle (on its first line, so source maps shift there). */
const WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';

/** Runs a CommonJS bundle like `require` would, through a V8 code cache; returns its `module.exports`. */
function runBundle(file, code, requireFn) {
  // keyed by the file too: a code cache compiled under another checkout's path would put that path (and so the
  // wrong file:line) into every stack trace of this one, and the one-line config errors map frames by path
  const cacheFile = join(codeCacheDir, `${sha256(code, file, process.version, process.arch).slice(0, 32)}.bin`);
  let cachedData;
  if (!off.has('code')) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new Script(`${WRAPPER}${code}\n});`, { filename: file, cachedData });
  if (!off.has('code') && (cachedData === undefined || script.cachedDataRejected)) {
    pendingCodeCaches.push({ script, cacheFile });
  }
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script
    .runInThisContext({ displayErrors: true })
    .call(module.exports, module.exports, requireFn, module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

/**
 * Writes the code caches at exit, when the functions the run compiled are in them too, and drops the ones
 * not used for a week (earlier builds); a failure only costs speed.
 */
process.once('exit', () => {
  if (pendingCodeCaches.length === 0) return;
  for (const { script, cacheFile } of pendingCodeCaches) {
    try {
      writeAtomically(cacheFile, script.createCachedData());
    } catch {
      // read-only or full: next time is cold
    }
  }
  pruneOlderThanAWeek(codeCacheDir);
});

function pruneOlderThanAWeek(dir) {
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  try {
    for (const f of readdirSync(dir)) {
      if (statSync(join(dir, f)).mtimeMs < weekAgo) rmSync(join(dir, f), { recursive: true, force: true });
    }
  } catch {
    // another process pruned at the same time
  }
}

/**
 * The result cache the app bundle sees as `globalThis[Symbol.for('velero-cdk8s.result-cache')]`: text
 * results by (name, input), under the sha256 of the app bundle that computes them, so a result is only
 * found by exactly the code that made it. Each file repeats its key and the sha256 of its body; any
 * mismatch (torn, edited, copied) is a miss. Under jest or without this loader there is none, and the app
 * computes everything.
 */
function resultCache(appCode) {
  const dir = join(cacheRoot, 'results', sha256(appCode).slice(0, 32));
  const file = (key) => join(dir, key);
  const keyOf = (name, input) => sha256(name, input);
  let pruned = false;
  return Object.freeze({
    get(name, input) {
      if (off.has(name)) return undefined;
      const key = keyOf(name, input);
      let raw;
      try {
        raw = readFileSync(file(key), 'utf8');
      } catch {
        return undefined;
      }
      const nl = raw.indexOf('\n');
      const body = raw.slice(nl + 1);
      return nl > 0 && raw.slice(0, nl) === `${key} ${sha256(body)}` ? body : undefined;
    },
    set(name, input, text) {
      if (off.has(name)) return;
      const key = keyOf(name, input);
      try {
        writeAtomically(file(key), `${key} ${sha256(text)}\n${text}`);
      } catch {
        return; // read-only or full: only speed is at stake
      }
      if (!pruned) pruneOlderThanAWeek(dirname(dir));
      pruned = true;
    },
  });
}

/** Milliseconds of the last `loadEntry`: `bundles` (checking, or rebuilding, both bundles) and `load` (running them). */
export const loadTimings = {};
/** The app bundle `loadEntry` ran last (for `reportError`). */
let loadedApp;

/** Loads `entry` (relative to the repo root) and returns its exports. */
export function loadEntry(entry) {
  const t0 = performance.now();
  const app = appBundle(entry);
  const ids = app.packages.filter((id) => !NOT_VENDORED.has(packageName(id)));
  const vendorFile = vendorBundle(ids);
  const t1 = performance.now();
  loadTimings.bundles = t1 - t0;
  const vendor = runBundle(vendorFile, readFileSync(vendorFile, 'utf8'), createRequire(vendorFile));
  const appRequire = createRequire(app.outfile);
  const requireFn = Object.assign(
    (id) => (Object.prototype.hasOwnProperty.call(vendor, id) ? vendor[id] : appRequire(id)),
    { resolve: appRequire.resolve, cache: appRequire.cache, main: appRequire.main, extensions: appRequire.extensions },
  );
  const appCode = readFileSync(app.outfile, 'utf8');
  loadedApp = app.outfile;
  if (!off.has('results')) globalThis[Symbol.for('velero-cdk8s.result-cache')] = resultCache(appCode);
  const exports = runBundle(app.outfile, appCode, requireFn);
  loadTimings.load = performance.now() - t1;
  return exports;
}

/**
 * Runs `run(exports of entry)` and sets the exit code it returns. An error thrown while the config is
 * evaluated (at the top level of the entry, in a construct, in the synth's checks) is printed by `reportError`
 * and exits 1; nothing has been written then (lib/output/synth.ts writes only after everything passed).
 */
export function runEntry(entry, run) {
  const fail = (e) => {
    process.stderr.write(`${reportError(e)}\n`);
    process.exitCode = 1;
  };
  try {
    const code = run(withNamedExports(entry, loadEntry(entry)));
    // a command that runs child processes (prove-alerts) returns a promise of its exit code
    if (code && typeof code.then === 'function') code.then((c) => (process.exitCode = c), fail);
    else process.exitCode = code;
  } catch (e) {
    fail(e);
  }
}

/** A mistake in the entry file itself (a syntax error, a missing export): the user's, reported as one line. */
class EntryError extends Error {
  name = 'EntryError';
}

/**
 * The entry's exports, where a function the command needs and the entry does not export (`main` of a user's
 * --entry file) throws an EntryError naming the entry, instead of "TypeError: main is not a function" (a bug?).
 */
function withNamedExports(entry, exports) {
  return new Proxy(exports, {
    get(target, name) {
      if (typeof name !== 'string' || name in target) return target[name];
      return () => {
        throw new EntryError(
          `${entry}: exports no '${name}' function; export it, e.g. export function ${name}(options) { ... } as main.ts does (docs/pitfalls.md#entry)`,
        );
      };
    },
  });
}

/** Errors that are bugs in velero-cdk8s rather than a mistake in the config. */
const INTERNAL = new Set(['TypeError', 'ReferenceError', 'SyntaxError']);

/**
 * The text `runEntry` prints for an error: its message with the user's file and line in front
 * (`main.ts:34: storage: bucket 'Velero_Backups' ...`). The user's file is the first frame of the stack, mapped
 * through the app bundle's source map, that is neither in lib/, constructs/, imports/ nor a package: main.ts,
 * the --entry file, or a config module of theirs. A TypeError, ReferenceError or SyntaxError (or a thrown
 * non-Error) is a bug, not a config mistake: it says so and names the repository file where it happened too.
 * VELERO_CDK8S_DEBUG=1 adds the whole stack, mapped to the TypeScript sources.
 */
export function reportError(e) {
  const error = e instanceof Error ? e : new Error(String(e));
  const frames = mappedFrames(error.stack ?? '');
  const user = frames.find(
    (f) => f.file && !/^(lib|constructs|imports|cli|node_modules|scripts|\.build)\//.test(f.file),
  );
  const where = (f) => `${f.file}:${f.line}`;
  const internal = !(e instanceof Error) || INTERNAL.has(error.name);
  let text;
  if (internal) {
    const at = frames.find((f) => f.file && !f.file.startsWith('node_modules/'));
    const place = [at && `at ${where(at)}`, user && user !== at && `called from ${where(user)}`].filter(Boolean);
    text =
      `internal error (a bug in velero-cdk8s, not in your config): ${error.name}: ${error.message}` +
      (place.length ? ` (${place.join(', ')})` : '') +
      '; VELERO_CDK8S_DEBUG=1 prints the whole stack';
  } else {
    // a config mistake found by the stack is named by its path (ConfigError `path`): point at the value's own line
    const line = user && typeof error.path === 'string' ? valueLine(user.file, error.path) : undefined;
    text = user ? `${user.file}:${line ?? user.line}: ${error.message}` : error.message;
  }
  if (process.env.VELERO_CDK8S_DEBUG === '1') {
    text += `\n${error.name}: ${error.message}\n${frames.map((f) => `    at ${f.fn ? `${f.fn} ` : ''}(${f.file ? where(f) : f.raw})`).join('\n')}`;
  }
  return text;
}

/**
 * The line of the value at config `path` (`schedules[1] 'weekly'.ttl`) in the user's TypeScript `file`, found
 * in order: each key (`ttl:`) and each item by its name (`name: 'weekly'`) after the previous one (else anywhere); undefined
 * unless the last part is found (then the caller keeps the line that built the stack).
 */
function valueLine(file, path) {
  let lines;
  try {
    lines = readFileSync(join(root, file), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = [...path.matchAll(/([A-Za-z_$][\w$]*)|\[\d+\](?: '([^']*)')?|\["([^"]*)"\]/g)]
    .map((m) => m[1] ?? m[3] ?? (m[2] !== undefined ? { item: m[2] } : undefined))
    .filter((x) => x !== undefined);
  let at = 0;
  let found = false;
  for (const part of parts) {
    const re =
      typeof part === 'string'
        ? new RegExp(`(^|[\\s{,])['"]?${esc(part)}['"]?\\s*:`)
        : new RegExp(`\\bname\\s*:\\s*['"\`]${esc(part.item)}['"\`]`);
    // after the previous part, else anywhere (a const defined above the config, e.g. main.ts's SEED_SCHEDULES)
    let i = lines.findIndex((l, n) => n >= at && re.test(l));
    if (i < 0) i = lines.findIndex((l) => re.test(l));
    found = i >= 0;
    if (found) at = i;
  }
  return found ? at + 1 : undefined;
}

let appMap;
/** The stack's frames, those in the app bundle mapped to the TypeScript source (file relative to root). */
function mappedFrames(stack) {
  const frames = [];
  for (const raw of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(raw);
    if (!m) continue;
    const [, fn, path, lineText, colText] = m;
    const line = Number(lineText);
    const column = Number(colText) - (line === 1 ? WRAPPER.length : 0);
    let file;
    let sourceLine = line;
    if (loadedApp && path === loadedApp) {
      appMap ??= new SourceMap(JSON.parse(readFileSync(`${loadedApp}.map`, 'utf8')));
      const entry = appMap.findEntry(line - 1, column - 1);
      if (entry && entry.originalSource) {
        const source = entry.originalSource.replace(/^file:\/\//, '');
        file = relative(root, isAbsolute(source) ? source : resolve(dirname(loadedApp), source));
        sourceLine = entry.originalLine + 1;
      }
    } else if (isAbsolute(path) && !path.startsWith(buildDir)) {
      file = relative(root, path);
    } else if (path.startsWith(buildDir)) {
      file = 'node_modules/'; // the vendor bundle: npm packages
    }
    frames.push({ fn, file, line: sourceLine, raw: `${path}:${line}:${colText}` });
  }
  return frames;
}

/** The value after `name` in argv, if any. */
export function flag(args, name) {
  return args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
}
