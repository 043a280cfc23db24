#!/usr/bin/env node
// `npm run synth` (and the `app` of cdk8s.yaml): synthesize dist/ in this process.
// Flags: --out DIR (default dist, or $CDK8S_OUTDIR under `cdk8s synth`); --entry FILE (default main.ts,
// any module exporting `main({ outDir })`, e.g. bench/scale-app.ts); --config FILE (a velero-cdk8s.yaml or .json:
// the config comes from the file instead of main.ts, through config-app.ts).
// A mistake in the config prints one line with its file and line (`main.ts:34: ...`, or the config file's path
// and the field's path) and exits 1, writing nothing (scripts/lib/load-entry.mjs `reportError`;
// VELERO_CDK8S_DEBUG=1 adds the stack).
// VELERO_CDK8S_TIMINGS=1 prints where the time went to stderr (`npm run bench` reads it).
const boot = process.uptime() * 1000;
const { resolve } = await import('node:path');
const { flag, loadTimings, runEntry } = await import('./lib/load-entry.mjs');

const args = process.argv.slice(2);
const outDir = flag(args, '--out');
const config = flag(args, '--config');
runEntry(flag(args, '--entry') ?? (config ? 'config-app.ts' : 'main.ts'), ({ main }) => {
  if (process.env.VELERO_CDK8S_TIMINGS === '1') {
    process.stderr.write(`loader-timings ${JSON.stringify({ boot, ...loadTimings })}\n`);
  }
  return main({ outDir: outDir ? resolve(outDir) : undefined, config: config ? resolve(config) : undefined });
});
