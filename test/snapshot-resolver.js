// Keeps jest snapshots in the top-level __snapshots__/ folder, mirroring test/'s folders:
// test/alerts/backup-alerts.test.ts -> __snapshots__/alerts/backup-alerts.test.ts.snap
const path = require('path');
const root = path.resolve(__dirname, '..');
const tests = path.join(root, 'test');
const snapshots = path.join(root, '__snapshots__');
module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(snapshots, path.relative(tests, testPath) + ext),
  resolveTestPath: (snapPath, ext) => path.join(tests, path.relative(snapshots, snapPath).slice(0, -ext.length)),
  testPathForConsistencyCheck: path.join(tests, 'units', 'example.test.ts'),
};
