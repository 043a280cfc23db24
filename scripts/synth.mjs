#!/usr/bin/env node
// `npm run synth` (and the `app` of cdk8s.yaml): compile main.ts with esbuild (transpile-only, a few
// milliseconds; type-checking is `npm run typecheck`) and synthesize dist/ in this same process.
// Flags: --out DIR (default dist, or $CDK8S_OUTDIR under `cdk8s synth`); --entry FILE (default main.ts,
// any module exporting `main({ outDir })`, e.g. bench/scale-app.ts).
import { buildSync } from 'esbuild';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const entry = resolve(root, flag('--entry') ?? 'main.ts');
const outfile = join(root, '.build', entry.slice(root.length + 1).replace(/\.ts$/, '.js'));
buildSync({
  entryPoints: [entry],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'error',
});
const outDir = flag('--out');
const { main } = createRequire(import.meta.url)(outfile);
process.exitCode = main({ outDir: outDir ? resolve(outDir) : undefined });
