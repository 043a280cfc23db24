#!/usr/bin/env node
// `npm run plan [-- --inventory pvcs.json [--strict]]`: writes dist/BACKUP-PLAN.md, prints a summary and,
// with --inventory (the output of `kubectl get pvc -A -o json`), every PVC no schedule protects.
import { loadEntry } from './lib/load-entry.mjs';

const { planMain } = loadEntry('main.ts');
process.exitCode = planMain(process.argv.slice(2));
