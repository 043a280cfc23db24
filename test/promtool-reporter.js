/**
 * jest reporter: when promtool could not be installed (test/promtool-setup.ts), the summary ends with a line saying
 * which proofs were skipped (jest does not print the console output of skipped suites), and under CI=true the run
 * fails on it.
 */
class PromtoolReporter {
  onRunComplete(_contexts, results) {
    const missing = process.env.VELERO_CDK8S_PROMTOOL_MISSING;
    if (!missing) return;
    const skipped = results.testResults
      .filter((r) => r.numPendingTests > 0)
      .map((r) => `${r.testFilePath.replace(`${process.cwd()}/`, '')} (${r.numPendingTests})`);
    const ci = process.env.CI === 'true';
    process.stderr.write(
      `\n${ci ? 'FAIL' : 'WARNING'}: the alert rules are NOT proven: ${missing}.\n` +
        `  Skipped proofs: ${skipped.length ? skipped.join(', ') : 'none (they failed instead)'}.\n` +
        '  Install promtool 3.x: bash scripts/install-promtool.sh (or set PROMTOOL=/path/to/promtool).\n',
    );
    if (ci) process.exitCode = 1;
  }
}
module.exports = PromtoolReporter;
