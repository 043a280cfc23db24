/**
 * Bundles the restore-drill runner (drill/runner.ts and its modules) into one CommonJS file for the
 * RestoreDrill ConfigMap, at synth time, from the source: the code that runs is the code that is tested
 * (issue 9). esbuild is a devDependency that `npm run synth` already uses (scripts/synth.mjs).
 *
 * Deterministic: esbuild resolves paths against `absWorkingDir`, so its `// drill/runner.ts` comments are
 * relative to the repository root wherever the checkout lives (the result is checked for absolute paths), and
 * the TypeScript settings are given inline instead of read from a tsconfig.json. The output changes only with
 * drill/*.ts and the esbuild version (package-lock.json); `npm run check` shows it as a ConfigMap diff.
 *
 * Cached (issue 7): starting esbuild costs ~100 ms of every synth, so the bundle is kept in
 * node_modules/.cache/velero-cdk8s-drill-bundle/, keyed by the sha256 of the esbuild version, the build
 * options, the checkout's path and the content of every file the last build read (its metafile inputs).
 * Any change to one of those files, or an esbuild upgrade, is a miss and bundles again; a cold cache gives
 * the same bytes. Self-contained on purpose (a copy of this file with drill/ must work, see the tests).
 */
import type { BuildOptions } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The runner's entry point, relative to the repository root. */
export const DRILL_RUNNER_ENTRY = 'drill/runner.ts';

let cached: string | undefined;

/**
 * The repository root: the nearest directory above this file that holds drill/runner.ts. Works from
 * lib/ (jest, tsc) and from .build/ (the esbuild bundle `npm run synth` runs).
 */
export function repositoryRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, DRILL_RUNNER_ENTRY))) return dir;
    if (dirname(dir) === dir) throw new Error(`drill bundle: ${DRILL_RUNNER_ENTRY} not found above '${from}'`);
  }
}

/** The esbuild options of the bundle, relative to `root` (part of the cache key). */
function buildOptions(root: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [DRILL_RUNNER_ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    write: false,
    minify: false,
    legalComments: 'none',
    // explicit, so the output does not depend on which tsconfig.json esbuild would find ("use strict" comes from it)
    tsconfigRaw: { compilerOptions: { strict: true } },
    charset: 'utf8',
    logLevel: 'silent',
    metafile: true,
  };
}

const CACHE_FORMAT = 'velero-cdk8s-drill-bundle/1';

function sha256(...parts: readonly (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('hex');
}

/** Where the cache lives (node_modules/.cache of the checkout), or undefined when it is off or impossible. */
function cacheDir(root: string): string | undefined {
  if (/^(off|0|false|no)$/i.test(process.env.VELERO_CDK8S_CACHE ?? '')) return undefined;
  if (process.env.VELERO_CDK8S_CACHE_DIR)
    return join(resolve(process.env.VELERO_CDK8S_CACHE_DIR), 'velero-cdk8s-drill-bundle');
  return existsSync(join(root, 'node_modules'))
    ? join(root, 'node_modules', '.cache', 'velero-cdk8s-drill-bundle')
    : undefined;
}

/** The cache key of a build from exactly these input files (relative to root) as they are now; undefined if one is gone. */
function cacheKey(root: string, inputs: readonly string[]): string | undefined {
  let esbuildVersion: string;
  try {
    esbuildVersion = String(JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version);
  } catch {
    return undefined;
  }
  const parts: (string | Buffer)[] = [CACHE_FORMAT, esbuildVersion, JSON.stringify(buildOptions(root)), root];
  for (const input of inputs) {
    try {
      parts.push(input, readFileSync(join(root, input)));
    } catch {
      return undefined;
    }
  }
  return sha256(...parts);
}

function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true }); // a read-only node_modules only costs speed
  }
}

/** Drops entries not written for a week (e.g. of temporary checkouts); only on a miss, so it costs nothing warm. */
function pruneCache(dir: string): void {
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  try {
    for (const f of readdirSync(dir)) {
      if (statSync(join(dir, f)).mtimeMs < weekAgo) rmSync(join(dir, f), { force: true });
    }
  } catch {
    // another process pruned at the same time
  }
}

/** The cached bundle for the inputs of the last build, if those files are unchanged; checked against its header. */
function fromCache(root: string, dir: string): string | undefined {
  try {
    const { inputs } = JSON.parse(readFileSync(join(dir, `inputs-${sha256(root).slice(0, 16)}.json`), 'utf8')) as {
      inputs: string[];
    };
    const key = Array.isArray(inputs) ? cacheKey(root, inputs) : undefined;
    if (!key) return undefined;
    const raw = readFileSync(join(dir, `${key}.js`), 'utf8');
    const nl = raw.indexOf('\n');
    const text = raw.slice(nl + 1);
    return nl > 0 && raw.slice(0, nl) === `// ${CACHE_FORMAT} ${key} ${sha256(text)}` ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The bundled runner (`node runner.js` runs it; `require()` gives `runDrill`/`main`). Memoized, and cached on disk. */
export function bundleDrillRunner(): string {
  if (cached !== undefined) return cached;
  const root = repositoryRoot();
  const dir = cacheDir(root);
  let text = dir ? fromCache(root, dir) : undefined;
  if (text === undefined) {
    // esbuild is loaded (and its service started) only on a cache miss
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const result = buildSync(buildOptions(root));
    if (result.errors.length) {
      throw new Error(`drill bundle: esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
    }
    text = result.outputFiles![0].text;
    const inputs = Object.keys(result.metafile!.inputs).sort();
    const key = dir ? cacheKey(root, inputs) : undefined;
    if (dir && key && !text.includes(root)) {
      writeAtomically(join(dir, `${key}.js`), `// ${CACHE_FORMAT} ${key} ${sha256(text)}\n${text}`);
      writeAtomically(join(dir, `inputs-${sha256(root).slice(0, 16)}.json`), JSON.stringify({ root, inputs }));
      pruneCache(dir);
    }
  }
  if (text.includes(root)) {
    throw new Error(`drill bundle: the bundle contains the absolute path '${root}'; it would differ per checkout`);
  }
  cached = text;
  return text;
}
