#!/usr/bin/env node
// `npm run validate [-- DIR]`: schema validation (upstream CRDs and core Kubernetes schemas) and the
// output invariants over the rendered files on disk (default dist/). Exit 1 on any problem.
import { loadEntry } from './lib/load-entry.mjs';

const { validateMain } = loadEntry('main.ts');
process.exitCode = validateMain(process.argv[2]);
