#!/usr/bin/env node
// `npm run restore [-- <scenario>]`: lists the restore scenarios, or prints one's command and its Restore
// (the same YAML as dist/restores/<scenario>.yaml). It applies nothing.
import { loadEntry } from './lib/load-entry.mjs';

const { restoreMain } = loadEntry('main.ts');
process.exitCode = restoreMain(process.argv.slice(2));
