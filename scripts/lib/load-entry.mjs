// Compiles a TypeScript entry point with esbuild (transpile-only; type-checking is `npm run typecheck`)
// into .build/ and loads it in this process. The bundle is reused while every source file it was
// built from is byte-identical (a content hash, not mtimes), which saves esbuild's ~100 ms start.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');

function sourcesHash(inputs) {
  const h = createHash('sha256');
  for (const file of inputs) {
    h.update(file);
    h.update('\0');
    if (!existsSync(join(root, file))) return undefined;
    h.update(readFileSync(join(root, file)));
  }
  return h.digest('hex');
}

/** Loads `entry` (relative to the repo root) and returns its exports. */
export function loadEntry(entry) {
  const abs = resolve(root, entry);
  const outfile = join(root, '.build', relative(root, abs).replace(/\.ts$/, '.js'));
  const stamp = `${outfile}.sources.json`;
  let fresh = false;
  if (existsSync(stamp) && existsSync(outfile)) {
    const { inputs, hash } = JSON.parse(readFileSync(stamp, 'utf8'));
    fresh = sourcesHash(inputs) === hash;
  }
  if (!fresh) {
    // esbuild is loaded only when a rebuild is needed
    const { buildSync } = createRequire(import.meta.url)('esbuild');
    const result = buildSync({
      entryPoints: [abs],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'error',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    writeFileSync(stamp, JSON.stringify({ inputs, hash: sourcesHash(inputs) }));
  }
  return createRequire(import.meta.url)(outfile);
}

/** The value after `name` in argv, if any. */
export function flag(args, name) {
  return args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
}
