/** Jest: transpile-only TypeScript through @swc/jest (type-checking is a separate step, `npm run typecheck`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    // the CEL evaluator the admission-policy test runs is ES modules only: compiled to CommonJS for jest
    '/node_modules/@marcbachmann/cel-js/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  // snapshots live in the top-level __snapshots__/ (README "Layout")
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // `npm test` does its own set-up: installs promtool 3.x when missing, and names the proofs it skipped otherwise
  globalSetup: '<rootDir>/test/promtool-setup.ts',
  reporters: ['default', '<rootDir>/test/promtool-reporter.js'],
  // one worker per core (jest's default leaves one idle: 1 worker on a 2-core CI box). The promtool tests spend
  // most of their time in a promtool child process, not in the worker, so a second worker keeps the other core
  // busy with the rest of the suite (~40 s -> ~32 s on 2 cores when it was set).
  maxWorkers: '100%',
};
