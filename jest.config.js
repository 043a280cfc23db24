/**
 * Jest: transpile-only TypeScript through @swc/jest (type-checking is a separate step, `npm run typecheck`).
 * Two projects, split by a rule (a static scan, not a list): `processes`, the test files that start processes
 * (node:child_process, promtool, a copy of the checkout: they wait on a child most of the time), and
 * `in-process`, the rest. jest runs both in one pool of workers, side by side, the slowest files first.
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const TEST = join(__dirname, 'test');
/** A file that starts a process itself: child_process, or promtool (lib/alerts/promtool.ts runs it). */
const STARTS_PROCESSES = /\bnode:child_process\b|\bfindPromtool\b/;

/** Whether `file` starts processes, itself or through a test/ module it imports (fixtures, harnesses). */
function startsProcesses(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (STARTS_PROCESSES.test(text)) return true;
  // `import type` loads nothing
  const loads = text.replace(/^import type [^;]*;/gm, '');
  for (const [, spec] of loads.matchAll(/(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const base = resolve(dirname(file), spec);
    if (!base.startsWith(`${TEST}/`)) continue;
    const found = ['', '.ts', '.js', '.mjs', '/index.ts'].map((ext) => base + ext).find((f) => isFile(f));
    if (found && startsProcesses(found, seen)) return true;
  }
  return false;
}
const isFile = (f) => statSync(f, { throwIfNoEntry: false })?.isFile() ?? false;

/** Every test file under test/, relative to the repository root. */
function testFiles(dir = TEST) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}
const processes = testFiles().filter((f) => startsProcesses(f));

const base = {
  testEnvironment: '<rootDir>/test/environment.ts',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    // the CEL evaluator the admission-policy test runs is ES modules only: compiled to CommonJS for jest
    '/node_modules/@marcbachmann/cel-js/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  // snapshots live in the top-level __snapshots__/, in test/'s folders (README "Layout")
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'processes', testMatch: processes },
    {
      ...base,
      displayName: 'in-process',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        ...processes.map((f) => `^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      ],
    },
  ],
  // `npm test` does its own set-up: installs promtool 3.x when missing, and names the proofs it skipped otherwise
  globalSetup: '<rootDir>/test/promtool-setup.ts',
  reporters: ['default', '<rootDir>/test/promtool-reporter.js'],
  // one worker per core, and one more: a `processes` file spends most of its time waiting on its child, which
  // does the work on a core of its own, so a third worker keeps both cores busy with the in-process files.
  maxWorkers: '100%',
};
