#!/usr/bin/env node
// `npm run check`: synthesize into a temporary directory and compare with the committed dist/.
// Exit 0 when identical; otherwise print a readable diff (`git diff --no-index`) and exit 1.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'velero-cdk8s-check-'));
const fresh = join(work, 'dist');
try {
  // `--config FILE`: dist/ is rendered from that config file (issue 16)
  const args = process.argv.slice(2);
  const config = args.includes('--config') ? ['--config', args[args.indexOf('--config') + 1]] : [];
  execFileSync(process.execPath, [join(root, 'scripts', 'synth.mjs'), ...config, '--out', fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const diff = spawnSync(
    'git',
    ['diff', '--no-index', '--no-prefix', '--stat', '--patch', '--', join(root, 'dist'), fresh],
    { encoding: 'utf8' },
  );
  if (diff.status === 0) {
    console.log('check: dist/ is up to date with the sources');
  } else if (diff.status === 1) {
    console.error(
      diff.stdout.replaceAll(fresh, 'dist (fresh synth)').replaceAll(join(root, 'dist'), 'dist (committed)'),
    );
    console.error('check: dist/ is out of date: run `npm run synth` and commit dist/');
    process.exitCode = 1;
  } else {
    console.error(diff.stderr);
    process.exitCode = 2;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
