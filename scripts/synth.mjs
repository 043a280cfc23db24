#!/usr/bin/env node
// `npm run synth` (and the `app` of cdk8s.yaml): synthesize dist/ in this process.
// Flags: --out DIR (default dist, or $CDK8S_OUTDIR under `cdk8s synth`); --entry FILE (default main.ts,
// any module exporting `main({ outDir })`, e.g. bench/scale-app.ts).
import { resolve } from 'node:path';
import { flag, loadEntry } from './lib/load-entry.mjs';

const args = process.argv.slice(2);
const outDir = flag(args, '--out');
const { main } = loadEntry(flag(args, '--entry') ?? 'main.ts');
process.exitCode = main({ outDir: outDir ? resolve(outDir) : undefined });
