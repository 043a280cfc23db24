#!/usr/bin/env node
// `npm run plan [-- --inventory pvcs.json [--strict]]`: writes dist/BACKUP-PLAN.md, prints a summary and,
// with --inventory (the output of `kubectl get pvc -A -o json`), every PVC no schedule protects.
// A mistake in the config prints one line with its file and line and exits 1 (scripts/lib/load-entry.mjs).
import { runEntry } from './lib/load-entry.mjs';

runEntry('main.ts', ({ planMain }) => planMain(process.argv.slice(2)));
