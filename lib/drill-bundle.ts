/**
 * Bundles the restore-drill runner (drill/runner.ts and its modules) into one CommonJS file for the
 * RestoreDrill ConfigMap, at synth time, from the source: the code that runs is the code that is tested
 * (issue 9). esbuild is a devDependency that `npm run synth` already uses (scripts/synth.mjs).
 *
 * Deterministic: esbuild resolves paths against `absWorkingDir`, so its `// drill/runner.ts` comments are
 * relative to the repository root wherever the checkout lives (the result is checked for absolute paths), and
 * the TypeScript settings are given inline instead of read from a tsconfig.json. The output changes only with
 * drill/*.ts and the esbuild version (package-lock.json); `npm run check` shows it as a ConfigMap diff.
 */
import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

/** The bundled runner (`node runner.js` runs it; `require()` gives `runDrill`/`main`). Memoized. */
export function bundleDrillRunner(): string {
  if (cached !== undefined) return cached;
  const root = repositoryRoot();
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: [DRILL_RUNNER_ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    minify: false,
    legalComments: 'none',
    // explicit, so the output does not depend on which tsconfig.json esbuild would find ("use strict" comes from it)
    tsconfigRaw: { compilerOptions: { strict: true } },
    charset: 'utf8',
    logLevel: 'silent',
  });
  if (result.errors.length) {
    throw new Error(`drill bundle: esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  const text = result.outputFiles[0].text;
  if (text.includes(root)) {
    throw new Error(`drill bundle: the bundle contains the absolute path '${root}'; it would differ per checkout`);
  }
  cached = text;
  return text;
}
