#!/usr/bin/env node
// `npm run plan [-- --inventory pvcs.json [--strict]] [--config FILE]`: writes dist/BACKUP-PLAN.md, prints a
// summary and, with --inventory (the output of `kubectl get pvc -A -o json`), every PVC no schedule protects.
// `--config FILE`: the plan of that config (a velero-cdk8s.yaml; a fleet reports one section per cluster)
// instead of main.ts's.
// A mistake in the config prints one line with its file and line and exits 1 (scripts/lib/load-entry.mjs).
import { flag, runEntry } from './lib/load-entry.mjs';

const args = process.argv.slice(2);
const config = flag(args, '--config');
const rest = args.filter((a, i) => a !== '--config' && args[i - 1] !== '--config');
if (config) runEntry('config-app.ts', ({ planConfigMain }) => planConfigMain(config, rest));
else runEntry('main.ts', ({ planMain }) => planMain(rest));
