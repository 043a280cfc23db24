/**
 * jest globalSetup: the alert proofs need promtool 3.x. When it is missing (or of another line), run
 * scripts/install-promtool.sh once (idempotent; Debian's archive), so that the README's `npm test` does its own
 * set-up. When that fails too, record why in VELERO_CDK8S_PROMTOOL_MISSING: test/promtool-reporter.js prints it,
 * with the proofs skipped, as the summary's last line (failing under CI=true).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findPromtool } from '../lib/alerts/promtool';

function problem(): string | undefined {
  try {
    return findPromtool() ? undefined : 'promtool not found';
  } catch (e) {
    return (e as Error).message;
  }
}

export default function promtoolSetup(): void {
  if (!problem()) return;
  const script = join(__dirname, '..', 'scripts', 'install-promtool.sh');
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  const left = problem();
  if (left) {
    process.env.VELERO_CDK8S_PROMTOOL_MISSING = `${left}; scripts/install-promtool.sh exited ${r.status ?? r.error?.message}`;
  }
}
