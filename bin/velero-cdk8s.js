#!/usr/bin/env node
// `velero-cdk8s <command>`: the installed package's command (build/cli/main.js, compiled from cli/main.ts).
'use strict';
const { enableCompileCache } = require('node:module');
// Node's own on-disk cache of compiled code (node_modules/.cache or $NODE_COMPILE_CACHE): no cache of ours
if (enableCompileCache) enableCompileCache();
const { runCli } = require('../build/cli/main.js');
const { reportError } = require('../build/cli/report.js');
const fail = (e) => {
  process.stderr.write(`${reportError(e)}\n`);
  process.exitCode = 1;
};
try {
  Promise.resolve(runCli(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
  }, fail);
} catch (e) {
  fail(e);
}
