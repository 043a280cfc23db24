#!/usr/bin/env node
// `npm test`: the type-check (`npm run typecheck`, TypeScript 7), the schema validation of dist/ (`npm run validate`)
// and jest, side by side instead of one after the other: the two short steps run while jest starts its workers.
// Arguments go to jest (`npm test -- --json --outputFile=f`, `npm test -- test/alerts`). The short steps' output is
// printed when jest is done (at once when one fails); the exit code is non-zero when any of the three fails.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** Runs `args` under this Node; resolves to its exit code and output (inherited when `inherit`). */
function run(args, inherit = false) {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: inherit ? 'inherit' : 'pipe' });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const steps = [
  ['typecheck', ['node_modules/typescript7/bin/tsc', '-p', '.']],
  ['validate', ['scripts/velero-cdk8s.mjs', 'validate']],
].map(([name, args]) =>
  run(args).then((r) => {
    if (r.code !== 0) process.stderr.write(`\nnpm test: ${name} failed (exit ${r.code}):\n${r.output}\n`);
    return { name, ...r };
  }),
);
const jest = await run(['node_modules/jest/bin/jest.js', '--ci', ...process.argv.slice(2)], true);
const done = await Promise.all(steps);
for (const s of done)
  if (s.code === 0)
    process.stderr.write(`npm test: ${s.name} passed${s.output.trim() ? ` (${s.output.trim()})` : ''}\n`);
const failed = [...done.filter((s) => s.code !== 0).map((s) => s.name), ...(jest.code !== 0 ? ['jest'] : [])];
if (failed.length) process.stderr.write(`npm test: FAILED: ${failed.join(', ')}\n`);
process.exitCode = failed.length ? 1 : 0;
