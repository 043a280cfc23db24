// Compiles a TypeScript entry point with esbuild (transpile-only; type-checking is `npm run typecheck`) and
// loads it in this process, as two bundles under .build/:
//   - the app (`.build/main.js`): the entry and the repository modules it imports, npm packages left out;
//     rebuilt when one of its files changes (~0.1 s, mostly starting esbuild);
//   - the vendor bundle (`.build/vendor-<hash>.js`): the npm packages the app imports (cdk8s, constructs,
//     cdk8s-plus-30's k8s classes, ...), each initialized on first use as `require` would; rebuilt only when
//     the set of packages or one of their files changes.
// A bundle is reused while every file it was built from is byte-identical (a content hash; for installed
// package files, the one recorded with their size, mtime, ctime and inode, as git's index does), and
// both are compiled with a V8 code cache in node_modules/.cache/velero-cdk8s-v8/ (keyed by the bundle's
// sha256, the Node version and the architecture; V8 checks its own version and flags too). So a warm run
// neither starts esbuild, nor resolves and reads ~100 package files one by one, nor parses ~2 MB of
// JavaScript. VELERO_CDK8S_CACHE=off turns the code cache off (the bundles are still reused).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Script } from 'node:vm';

export const root = resolve(import.meta.dirname, '..', '..');

/** Bump when the bundling below changes: part of every bundle's key. */
const LOADER_VERSION = 2;
/** Packages loaded from node_modules at run time, never bundled (esbuild talks to its native binary). */
const NOT_VENDORED = new Set(['esbuild']);
const buildDir = join(root, '.build');
/** Name of the generated entry of the vendor bundle (stdin). */
const VENDOR_ENTRY = '<vendor entry>';
const nodeRequire = createRequire(import.meta.url);

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('hex');
}

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
 * Returns the hash and the records of the package files for the next run.
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
  const stampFile = `${outfile}.sources.json`;
  if (!existsSync(stampFile) || !existsSync(outfile)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (!Array.isArray(stamp.inputs) || typeof stamp.hash !== 'string') return undefined;
    const known = stamp.packageFiles && typeof stamp.packageFiles === 'object' ? stamp.packageFiles : {};
    return sourcesHash(stamp.inputs, extra, known).hash === stamp.hash ? stamp : undefined;
  } catch {
    return undefined; // a torn stamp: build again
  }
}

function build(options, outfile, extra, more = () => ({})) {
  // esbuild is loaded only when a rebuild is needed
  const { buildSync } = nodeRequire('esbuild');
  const result = buildSync({
    ...options,
    absWorkingDir: root,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    logLevel: 'error',
    metafile: true,
    write: false,
  });
  // atomically, so that a concurrent run reads either the old bundle or the new one
  writeAtomically(outfile, result.outputFiles[0].contents);
  // the generated entry of the vendor bundle is not a file; its content is part of `extra`
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => f !== VENDOR_ENTRY)
    .sort();
  const { hash, packageFiles } = sourcesHash(inputs, extra);
  const stamp = { inputs, hash, packageFiles, ...more(result.metafile) };
  writeAtomically(`${outfile}.sources.json`, JSON.stringify(stamp));
  return stamp;
}

function writeAtomically(file, content) {
  const tmp = `${file}.${process.pid}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(tmp, content);
  renameSync(tmp, file);
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
    build({ entryPoints: [abs], packages: 'external' }, outfile, extra, (m) => ({ packages: packageImports(m) }));
  return { outfile, packages: Array.isArray(stamp.packages) ? stamp.packages : [] };
}

/**
 * The vendor bundle of `ids` (rebuilt if stale): `module.exports[id]` is a getter that initializes the
 * package on first use, so the packages a run never touches (e.g. the PromQL grammar on a warm cache) cost
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

const codeCacheOff = /^(off|0|false|no)$/i.test(process.env.VELERO_CDK8S_CACHE ?? '');
const codeCacheDir = join(
  process.env.VELERO_CDK8S_CACHE_DIR
    ? resolve(process.env.VELERO_CDK8S_CACHE_DIR)
    : join(root, 'node_modules', '.cache'),
  'velero-cdk8s-v8',
);
const pendingCodeCaches = [];

/** Runs a CommonJS bundle like `require` would, through a V8 code cache; returns its `module.exports`. */
function runBundle(file, requireFn) {
  const code = readFileSync(file, 'utf8');
  const prefix = `${relative(buildDir, file).replace(/[\\/]/g, '_')}-${process.version}-${process.arch}-`;
  const cacheFile = join(codeCacheDir, `${prefix}${sha256(code).slice(0, 32)}.bin`);
  let cachedData;
  if (!codeCacheOff) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // the same wrapper as Node's CommonJS loader
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${code}\n});`, {
    filename: file,
    cachedData,
  });
  if (!codeCacheOff && (cachedData === undefined || script.cachedDataRejected)) {
    pendingCodeCaches.push({ script, cacheFile, prefix });
  }
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script
    .runInThisContext({ displayErrors: true })
    .call(module.exports, module.exports, requireFn, module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

/** Writes the code caches at exit, when the functions the run compiled are in them too; only costs speed if it fails. */
process.once('exit', () => {
  for (const { script, cacheFile, prefix } of pendingCodeCaches) {
    try {
      writeAtomically(cacheFile, script.createCachedData());
      // one code cache per bundle name: drop the ones of earlier builds
      for (const f of readdirSync(codeCacheDir)) {
        if (f.startsWith(prefix) && f !== basename(cacheFile)) rmSync(join(codeCacheDir, f), { force: true });
      }
    } catch {
      rmSync(`${cacheFile}.${process.pid}.tmp`, { force: true });
    }
  }
});

/** Milliseconds of the last `loadEntry`: `bundles` (checking, or rebuilding, both bundles) and `load` (running them). */
export const loadTimings = {};

/** Loads `entry` (relative to the repo root) and returns its exports. */
export function loadEntry(entry) {
  const t0 = performance.now();
  const app = appBundle(entry);
  const ids = app.packages.filter((id) => !NOT_VENDORED.has(packageName(id)));
  const vendorFile = vendorBundle(ids);
  const t1 = performance.now();
  loadTimings.bundles = t1 - t0;
  const vendor = runBundle(vendorFile, createRequire(vendorFile));
  const appRequire = createRequire(app.outfile);
  const requireFn = Object.assign(
    (id) => (Object.prototype.hasOwnProperty.call(vendor, id) ? vendor[id] : appRequire(id)),
    { resolve: appRequire.resolve, cache: appRequire.cache, main: appRequire.main, extensions: appRequire.extensions },
  );
  const exports = runBundle(app.outfile, requireFn);
  loadTimings.load = performance.now() - t1;
  return exports;
}

/** The value after `name` in argv, if any. */
export function flag(args, name) {
  return args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
}
