#!/usr/bin/env node
// `npm run validate [-- DIR]`: schema validation (upstream CRDs and core Kubernetes schemas) and the
// output invariants over the rendered files on disk (default dist/). Exit 1 on any problem.
// `--config FILE`: the checks of that config (a velero-cdk8s.yaml, one cluster or a fleet) instead of main.ts's.
import { flag, loadEntry } from './lib/load-entry.mjs';

const args = process.argv.slice(2);
const config = flag(args, '--config');
const dir = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--config')[0];
if (config) process.exitCode = loadEntry('config-app.ts').validateConfigMain(config, dir);
else process.exitCode = loadEntry('main.ts').validateMain(dir);
