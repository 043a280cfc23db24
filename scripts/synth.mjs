#!/usr/bin/env node
// `velero-cdk8s synth` (and the `app` of cdk8s.yaml): scripts/velero-cdk8s.mjs synth, with the same flags
// (--config FILE, --out DIR; default dist, or $CDK8S_OUTDIR under `cdk8s synth`). `--entry FILE` instead runs
// another TypeScript entry that exports `main({ outDir })`, e.g. bench/scale-app.ts.
// VELERO_CDK8S_TIMINGS=1 prints where the time went to stderr (`npm run bench` reads it).
const boot = process.uptime() * 1000;
const { fileURLToPath } = await import('node:url');
const { resolve } = await import('node:path');
const { flag, loadTimings, runEntry } = await import('./lib/load-entry.mjs');

const args = process.argv.slice(2);
const entry = flag(args, '--entry');
const rest = args.filter((a, i) => a !== '--entry' && args[i - 1] !== '--entry');
runEntry(entry ?? 'cli/repo-entry.ts', ({ main }) => {
  if (process.env.VELERO_CDK8S_TIMINGS === '1') {
    process.stderr.write(`loader-timings ${JSON.stringify({ boot, ...loadTimings })}\n`);
  }
  if (entry) {
    const outDir = flag(rest, '--out');
    return main({ outDir: outDir ? resolve(outDir) : undefined });
  }
  return main(['synth', ...rest], fileURLToPath(new URL('..', import.meta.url)));
});
