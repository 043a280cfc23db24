// Compiles a TypeScript entry point with esbuild (transpile-only, a few milliseconds; type-checking is
// `npm run typecheck`) into .build/ and loads it in this process.
import { buildSync } from 'esbuild';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');

/** Loads `entry` (relative to the repo root) and returns its exports. */
export function loadEntry(entry) {
  const abs = resolve(root, entry);
  const outfile = join(root, '.build', relative(root, abs).replace(/\.ts$/, '.js'));
  buildSync({
    entryPoints: [abs],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(outfile);
}

/** The value after `name` in argv, if any. */
export function flag(args, name) {
  return args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
}
