#!/usr/bin/env node
// `npm run validate [-- DIR]`: schema validation (upstream CRDs and core Kubernetes schemas) and the
// output invariants over the rendered files on disk (default dist/). Exit 1 on any problem.
// A mistake in the config prints one line with its file and line and exits 1 (scripts/lib/load-entry.mjs).
import { runEntry } from './lib/load-entry.mjs';

runEntry('main.ts', ({ validateMain }) => validateMain(process.argv[2]));
