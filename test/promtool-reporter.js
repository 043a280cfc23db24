/**
 * jest reporter: when promtool could not be installed (test/promtool-setup.ts), the summary ends with a line saying
 * which proofs were skipped (jest does not print the console output of skipped suites), and under CI=true the run
 * fails on it.
 */
class PromtoolReporter {
  onRunComplete(_contexts, results) {
    const missing = process.env.VELERO_CDK8S_PROMTOOL_MISSING;
    if (!missing) return;
    // the promtool proofs skipped (test/fixtures/promtool.ts names them so), per file
    const skipped = results.testResults
      .map((r) => [r, r.testResults.filter((a) => a.status === 'pending' && /promtool/.test(a.fullName)).length])
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r.testFilePath.replace(`${process.cwd()}/`, '')} (${n})`);
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
