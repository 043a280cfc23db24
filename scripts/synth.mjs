#!/usr/bin/env node
// `npm run synth` (and the `app` of cdk8s.yaml): synthesize dist/ in this process.
// Flags: --out DIR (default dist, or $CDK8S_OUTDIR under `cdk8s synth`); --entry FILE (default main.ts,
// any module exporting `main({ outDir })`, e.g. bench/scale-app.ts); --config FILE (a velero-cdk8s.yaml or .json:
// the config comes from the file instead of main.ts, through config-app.ts).
// VELERO_CDK8S_TIMINGS=1 prints where the time went to stderr (`npm run bench` reads it).
const boot = process.uptime() * 1000;
const { resolve } = await import('node:path');
const { flag, loadEntry, loadTimings } = await import('./lib/load-entry.mjs');

const args = process.argv.slice(2);
const outDir = flag(args, '--out');
const config = flag(args, '--config');
const { main } = loadEntry(flag(args, '--entry') ?? (config ? 'config-app.ts' : 'main.ts'));
if (process.env.VELERO_CDK8S_TIMINGS === '1') {
  process.stderr.write(`loader-timings ${JSON.stringify({ boot, ...loadTimings })}\n`);
}
process.exitCode = main({ outDir: outDir ? resolve(outDir) : undefined, config: config ? resolve(config) : undefined });
