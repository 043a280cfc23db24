#!/usr/bin/env node
// `velero-cdk8s <command>` in this repository (npm run synth/check/validate/plan/restore/permissions): the CLI of
// cli/main.ts, run from the TypeScript sources through scripts/lib/load-entry.mjs with main.ts bundled in; the
// installed package runs the same code compiled (bin/velero-cdk8s.js). `node scripts/velero-cdk8s.mjs --help`.
// VELERO_CDK8S_TIMINGS=1 prints where the time went to stderr (`npm run bench` reads it).
const boot = process.uptime() * 1000;
const { fileURLToPath } = await import('node:url');
const { loadTimings, runEntry } = await import('./lib/load-entry.mjs');

runEntry('cli/repo-entry.ts', ({ main }) => {
  if (process.env.VELERO_CDK8S_TIMINGS === '1') {
    process.stderr.write(`loader-timings ${JSON.stringify({ boot, ...loadTimings })}\n`);
  }
  return main(process.argv.slice(2), fileURLToPath(new URL('..', import.meta.url)));
});
