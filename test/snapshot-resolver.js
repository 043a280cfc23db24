// Keeps jest snapshots in the top-level __snapshots__/ folder: test/foo.test.ts -> __snapshots__/foo.test.ts.snap
const path = require('path');
const root = path.resolve(__dirname, '..');
module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(root, '__snapshots__', path.basename(testPath) + ext),
  resolveTestPath: (snapPath, ext) => path.join(root, 'test', path.basename(snapPath, ext)),
  testPathForConsistencyCheck: path.join(root, 'test', 'example.test.ts'),
};
