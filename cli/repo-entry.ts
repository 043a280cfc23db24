/**
 * The CLI as this repository's npm scripts run it (scripts/velero-cdk8s.mjs bundles this module with main.ts
 * through scripts/lib/load-entry.mjs): the same commands as the package's `velero-cdk8s`, with main.ts
 * already loaded, so that a mistake in it is reported with its file and line from the source map.
 */
import { resolve } from 'node:path';
import config from '../main';
import { preloadConfig } from './config';
import { runCli } from './main';

/**
 * Runs a command with this repository's main.ts already loaded, under its own path (`root`: the repository, which
 * scripts/ pass): a command run from another folder finds that folder's config, never this repository's seed.
 */
export function main(argv: readonly string[], root = process.cwd()): number | Promise<number> {
  preloadConfig(resolve(root, 'main.ts'), config);
  return runCli(argv, { prog: 'node scripts/velero-cdk8s.mjs' });
}
