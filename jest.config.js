/** Jest: transpile-only TypeScript through @swc/jest (type-checking is a separate step, `npm run typecheck`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  // snapshots live in the top-level __snapshots__/ (DEVELOPERS.md layout)
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
};
