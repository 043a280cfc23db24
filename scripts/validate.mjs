#!/usr/bin/env node
// `npm run validate [-- DIR]`: schema validation (upstream CRDs and core Kubernetes schemas) and the
// output invariants over the rendered files on disk (default dist/). Exit 1 on any problem.
// `--config FILE`: the checks of that config (a velero-cdk8s.yaml, one cluster or a fleet) instead of main.ts's.
// A mistake in the config prints one line with its file and line and exits 1 (scripts/lib/load-entry.mjs).
import { flag, runEntry } from './lib/load-entry.mjs';

const args = process.argv.slice(2);
const config = flag(args, '--config');
const dir = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--config')[0];
if (config) runEntry('config-app.ts', ({ validateConfigMain }) => validateConfigMain(config, dir));
else runEntry('main.ts', ({ validateMain }) => validateMain(dir));
