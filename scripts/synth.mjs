#!/usr/bin/env node
// `npm run synth` (and the `app` of cdk8s.yaml): compile main.ts with esbuild (transpile-only, a few
// milliseconds; type-checking is `npm run typecheck`) and synthesize dist/ in this same process.
// Flags: --out DIR (default dist, or $CDK8S_OUTDIR under `cdk8s synth`).
import { buildSync } from 'esbuild';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outfile = join(root, '.build', 'main.js');
buildSync({
  entryPoints: [join(root, 'main.ts')],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'error',
});
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outDir = outIdx >= 0 ? args[outIdx + 1] : undefined;
const { main } = createRequire(import.meta.url)(outfile);
process.exitCode = main({ outDir: outDir ? resolve(outDir) : undefined });
