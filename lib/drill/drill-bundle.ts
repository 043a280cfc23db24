/**
 * The restore-drill runner (drill/runner.ts and its modules) bundled into one CommonJS file for the
 * RestoreDrill ConfigMap, from the source: the code that runs is the code that is tested.
 *
 * Built once, at build time: the package's build (scripts/build.mjs) writes build/generated/drill-runner.js, read
 * here when this module runs from build/lib/drill/. `npm run synth` (scripts/lib/load-entry.mjs) bundles the runner in the same
 * step as the app, with the esbuild options of drill/build.json, and hands the text to the app bundle
 * (`__VELERO_CDK8S_DRILL_RUNNER__`); the app bundle is rebuilt whenever a drill/ file changes, like any other
 * of its inputs. Elsewhere (jest, tsc) this module bundles it itself, once per process, with the same options.
 *
 * Deterministic: esbuild resolves paths against `absWorkingDir`, so its `// drill/runner.ts` comments are
 * relative to the repository root wherever the checkout lives (the result is checked for absolute paths), and
 * the TypeScript settings are given inline (drill/build.json) instead of read from a tsconfig.json. The output
 * changes only with drill/ and the esbuild version (package-lock.json); `npm run check` shows it as a
 * ConfigMap diff.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The runner's entry point, relative to the repository root. */
export const DRILL_RUNNER_ENTRY = 'drill/runner.ts';
/** The esbuild options of the bundle (shared with scripts/lib/load-entry.mjs), relative to the repository root. */
export const DRILL_BUILD_OPTIONS = 'drill/build.json';

/** Set by scripts/lib/load-entry.mjs (esbuild `define`) to the bundle it built with the app. */
declare const __VELERO_CDK8S_DRILL_RUNNER__: string | undefined;
/**
 * Test seam: bundles already made in this process, by options file. jest's environment (test/environment.ts) gives
 * every test file of a worker the same map, so a worker bundles each runner once instead of once per file.
 */
declare const __VELERO_CDK8S_BUNDLES__: Map<string, string> | undefined;

let built: string | undefined;

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

/** The bundled runner (`node runner.js` runs it; `require()` gives `runDrill`/`main`). */
export function bundleDrillRunner(): string {
  if (typeof __VELERO_CDK8S_DRILL_RUNNER__ === 'string') return __VELERO_CDK8S_DRILL_RUNNER__;
  return (built ??= bundleEntry(DRILL_BUILD_OPTIONS));
}

/**
 * The bundle scripts/build.mjs made at build time for the options in `optionsFile`, in the installed package
 * (build/lib/drill/ -> build/generated/<folder>-runner.js, e.g. drill-runner.js, heartbeat-runner.js); undefined
 * in a checkout, where the sources are bundled in memory.
 */
export function prebuiltBundle(optionsFile: string): string | undefined {
  const file = join(__dirname, '..', '..', 'generated', `${dirname(optionsFile)}-runner.js`);
  return basename(resolve(__dirname, '..', '..')) === 'build' && existsSync(file)
    ? readFileSync(file, 'utf8')
    : undefined;
}

/**
 * One entry bundled with the esbuild options in `optionsFile` (relative to the repository root), e.g. the
 * heartbeat runner's (heartbeat/build.json); deterministic, no absolute paths. The installed package reads the
 * bundle made at build time instead (it ships no esbuild).
 */
export function bundleEntry(optionsFile: string): string {
  const prebuilt = prebuiltBundle(optionsFile);
  if (prebuilt !== undefined) return prebuilt;
  const made = typeof __VELERO_CDK8S_BUNDLES__ === 'object' ? __VELERO_CDK8S_BUNDLES__ : undefined;
  const hit = made?.get(optionsFile);
  if (hit !== undefined) return hit;
  const root = repositoryRoot();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const result = buildSync({
    ...(JSON.parse(readFileSync(join(root, optionsFile), 'utf8')) as object),
    absWorkingDir: root,
    write: false,
    logLevel: 'silent',
  });
  if (result.errors.length) {
    throw new Error(`bundle of ${optionsFile}: esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  const text = result.outputFiles[0].text;
  if (text.includes(root)) {
    throw new Error(
      `bundle of ${optionsFile}: the bundle contains the absolute path '${root}'; it would differ per checkout`,
    );
  }
  made?.set(optionsFile, text);
  return text;
}
