#!/usr/bin/env node
// `npm run permissions`: writes docs/permissions.md, every rule of every ServiceAccount the default stack renders
// and why it is needed (test/permissions.test.ts fails when the committed file is not what the sources render).
import { loadEntry } from './lib/load-entry.mjs';

const { permissionsMain } = loadEntry('main.ts');
process.exitCode = permissionsMain();
