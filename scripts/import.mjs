#!/usr/bin/env node
// Regenerates imports/ with `cdk8s import` from the CRD URLs pinned in cdk8s.yaml.
//
//   npm run import                          # fetch the pinned URLs (needs internet)
//   npm run import -- --from ../shared/crds # offline: use local copies of the same files
//   ... --out DIR                           # write somewhere else than imports/ (the tests compare)
//
// With --from, every pinned URL is mapped to the local file whose path ends with the URL's
// last path segments (so `.../v8.2.1/client/config/crd/x.yaml` matches `<dir>/**/v8.2.1/x.yaml`
// before a plain `<dir>/**/x.yaml`). A URL with no local file is an error: nothing is imported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const fromIdx = args.indexOf('--from');
const from = fromIdx >= 0 ? resolve(args[fromIdx + 1] ?? '') : undefined;
const outIdx = args.indexOf('--out');
const outDir = outIdx >= 0 ? resolve(args[outIdx + 1] ?? '') : join(root, 'imports');
if (fromIdx >= 0 && !args[fromIdx + 1]) {
  console.error('import: --from needs a directory, e.g. --from ../shared/crds');
  process.exit(2);
}

const config = parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8'));
const specs = config.imports ?? [];

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function localFor(url, files) {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const name = parts[parts.length - 1];
  const candidates = files.filter((f) => f.endsWith(sep + name));
  if (candidates.length === 0) throw new Error(`import: no local file for ${url} under ${from}`);
  // prefer the candidate whose folder names appear in the URL (version folders such as v8.2.1)
  const score = (f) =>
    relative(from, f)
      .split(sep)
      .slice(0, -1)
      .filter((d) => parts.includes(d)).length;
  candidates.sort((a, b) => score(b) - score(a) || a.localeCompare(b));
  if (candidates.length > 1 && score(candidates[0]) === score(candidates[1])) {
    throw new Error(`import: ${url} matches several local files: ${candidates.join(', ')}`);
  }
  return candidates[0];
}

const work = mkdtempSync(join(tmpdir(), 'velero-cdk8s-import-'));
try {
  let imports = specs;
  if (from) {
    const files = walk(from);
    imports = specs.map((s) => {
      const [name, url] = s.split(':=');
      return `${name}:=${localFor(url, files)}`;
    });
  }
  writeFileSync(
    join(work, 'cdk8s.yaml'),
    `language: typescript\napp: "true"\nimports:\n${imports.map((i) => `  - ${i}`).join('\n')}\n`,
  );
  execFileSync(join(root, 'node_modules', '.bin', 'cdk8s'), ['import', '--no-check-upgrade', '--output', 'imports'], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // replace imports/ only after every import succeeded
  rmSync(outDir, { recursive: true, force: true });
  cpSync(join(work, 'imports'), outDir, { recursive: true });
  console.log(
    `${relative(root, outDir) || outDir}: ${readdirSync(outDir).length} modules from ${from ?? 'the pinned URLs'}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
