#!/usr/bin/env node
// Regenerates, from the CRDs pinned in cdk8s.yaml, the two generated folders (never edited by hand):
//   - imports/  the TypeScript classes of `imports:` (`cdk8s import`);
//   - schemas/  the JSON Schemas validation reads (`schemas:`, every tag listed): per CRD the openAPIV3Schema of
//               each served version, converted by lib/validation/crd-schema.ts, plus schemas/index.json.
//
//   npm run import                                        # fetch the pinned URLs (needs internet)
//   npm run import -- --from ../shared/crds --from ../shared/upstream
//                                                         # offline: local copies of the same files
//   ... --only imports | --only schemas                   # regenerate one of the two
//   ... --out DIR / --schemas-out DIR                     # write elsewhere (the tests and CI compare)
//
// With --from (repeatable), every pinned URL is mapped to the local file under one of the directories whose
// name is the URL's file name and whose folders fit the URL: a folder named like a tag (v1.16.2) must be the
// URL's tag, and among the rest the file whose folder names appear most in the URL wins
// (`.../external-snapshotter/v8.2.1/client/config/crd/x.yaml` -> `<dir>/external-snapshotter/v8.2.1/x.yaml`).
// A URL with no local file, or with two equally good ones, is an error. Nothing is written unless every
// file was found and converted; then each folder is replaced whole.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const TAG = /^v\d+\.\d+\.\d+$/;

function option(name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  if (!args[i + 1] || args[i + 1].startsWith('--')) fail(`${name} needs a value`);
  return args[i + 1];
}
function fail(message) {
  console.error(`import: ${message}`);
  process.exit(2);
}

const froms = args.flatMap((a, i) => (a === '--from' ? [args[i + 1]] : []));
if (froms.some((f) => !f || f.startsWith('--'))) fail('--from needs a directory, e.g. --from ../shared/crds');
const fromDirs = froms.map((f) => resolve(f));
for (const d of fromDirs)
  if (!statSync(d, { throwIfNoEntry: false })?.isDirectory()) fail(`--from ${d}: no such directory`);
const only = option('--only', undefined);
if (only !== undefined && only !== 'imports' && only !== 'schemas')
  fail(`--only takes 'imports' or 'schemas', got '${only}'`);
const importsOut = resolve(option('--out', join(root, 'imports')));
const schemasOut = resolve(option('--schemas-out', join(root, 'schemas')));

const config = parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8'));

function walk(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}
const localFiles = fromDirs.flatMap((d) =>
  walk(d).map((file) => ({ file, dirs: relative(d, dirname(file)).split(sep) })),
);

/** The local copy of `url` under the --from directories (see the top of this file). */
function localFor(url) {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const name = parts[parts.length - 1];
  const candidates = localFiles.filter(
    (c) => c.file.endsWith(sep + name) && c.dirs.every((d) => !TAG.test(d) || parts.includes(d)),
  );
  if (candidates.length === 0) throw new Error(`no local file for ${url} under ${froms.join(', ')}`);
  const score = (c) => c.dirs.filter((d) => parts.includes(d)).length;
  candidates.sort((a, b) => score(b) - score(a));
  if (candidates.length > 1 && score(candidates[0]) === score(candidates[1])) {
    throw new Error(`${url} matches several local files: ${candidates.map((c) => c.file).join(', ')}`);
  }
  return candidates[0].file;
}

async function textOf(url) {
  if (fromDirs.length > 0) return readFileSync(localFor(url), 'utf8');
  const response = await fetch(url);
  if (!response.ok) throw new Error(`downloading ${url} failed with HTTP ${response.status}`);
  return response.text();
}

/** imports/: `cdk8s import` of cdk8s.yaml `imports:` (local paths with --from), into `work`. */
function generateImports(work) {
  const specs = (config.imports ?? []).map((s) => {
    const [name, url] = s.split(':=');
    return fromDirs.length > 0 ? `${name}:=${localFor(url)}` : s;
  });
  writeFileSync(
    join(work, 'cdk8s.yaml'),
    `language: typescript\napp: "true"\nimports:\n${specs.map((i) => `  - ${i}`).join('\n')}\n`,
  );
  execFileSync(join(root, 'node_modules', '.bin', 'cdk8s'), ['import', '--no-check-upgrade', '--output', 'imports'], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return join(work, 'imports');
}

/** The converter of lib/validation/crd-schema.ts, compiled in memory (the same code schema.ts runs). */
function loadConverter() {
  const { buildSync } = createRequire(import.meta.url)('esbuild');
  const code = buildSync({
    entryPoints: [join(root, 'lib', 'validation', 'crd-schema.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  }).outputFiles[0].text;
  const module = { exports: {} };
  new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(join(root, 'package.json')));
  return module.exports;
}

// compact: the ApplicationSet schema alone is 1.3 MB indented, 0.4 MB compact
const json = (value) => `${JSON.stringify(value)}\n`;

/** schemas/: one JSON file per CRD and tag, and index.json (component -> tag -> `group/Kind` -> file), into `work`. */
async function generateSchemas(work) {
  const { convertCrd } = loadConverter();
  const out = join(work, 'schemas');
  const components = {};
  const groupOwner = {};
  for (const [component, source] of Object.entries(config.schemas ?? {})) {
    if (!Array.isArray(source?.tags) || !Array.isArray(source?.urls)) {
      throw new Error(`cdk8s.yaml schemas.${component} needs tags: [...] and urls: [...]`);
    }
    const entry = { groups: [], tags: {} };
    for (const tag of source.tags) {
      const kinds = {};
      for (const template of source.urls) {
        const url = template.replaceAll('{tag}', tag);
        const text = await textOf(url);
        const docs = parseAllDocuments(text).map((d) => d.toJS());
        const crds = docs.filter((d) => d?.kind === 'CustomResourceDefinition');
        if (crds.length !== 1) throw new Error(`${url} holds ${crds.length} CustomResourceDefinitions, expected 1`);
        const converted = convertCrd(crds[0]);
        const owner = groupOwner[converted.group];
        if (owner !== undefined && owner !== component) {
          throw new Error(`${url}: group ${converted.group} belongs to schemas.${owner} already`);
        }
        groupOwner[converted.group] = component;
        if (!entry.groups.includes(converted.group)) entry.groups.push(converted.group);
        const file = `${component}/${tag}/${crds[0].metadata.name}.json`;
        const id = `${converted.group}/${converted.kind}`;
        if (kinds[id]) throw new Error(`${url}: ${id} is defined twice for ${component} ${tag}`);
        kinds[id] = file;
        mkdirSync(dirname(join(out, file)), { recursive: true });
        writeFileSync(
          join(out, file),
          json({
            generated: 'by `npm run import` from cdk8s.yaml `schemas:`; do not edit',
            source: url,
            sha256: createHash('sha256').update(text).digest('hex'),
            ...converted,
          }),
        );
      }
      entry.tags[tag] = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)));
    }
    entry.groups.sort();
    components[component] = entry;
  }
  writeFileSync(
    join(out, 'index.json'),
    `${JSON.stringify({ generated: 'by `npm run import` from cdk8s.yaml `schemas:`; do not edit', components }, null, 2)}\n`,
  );
  writeFileSync(
    join(out, 'README.md'),
    [
      '# schemas/ (generated)',
      '',
      'The JSON Schemas validation reads (lib/validation/schema.ts), one folder per component and tag of',
      'cdk8s.yaml `schemas:`: per CRD the `openAPIV3Schema` of each served version, converted once by',
      'lib/validation/crd-schema.ts. Generated by `npm run import` (offline: `npm run import -- --from',
      '../shared/crds --from ../shared/upstream`); never edit by hand, regenerate.',
      '',
    ].join('\n'),
  );
  return out;
}

function replace(generated, target) {
  rmSync(target, { recursive: true, force: true });
  cpSync(generated, target, { recursive: true });
}

const work = mkdtempSync(join(tmpdir(), 'velero-cdk8s-import-'));
try {
  // generate both before replacing either: a failure leaves both folders as they were
  const imports = only === 'schemas' ? undefined : generateImports(work);
  const schemas = only === 'imports' ? undefined : await generateSchemas(work);
  const source = fromDirs.length > 0 ? froms.join(', ') : 'the pinned URLs';
  if (imports) {
    replace(imports, importsOut);
    console.log(
      `${relative(root, importsOut) || importsOut}: ${readdirSync(importsOut).length} modules from ${source}`,
    );
  }
  if (schemas) {
    replace(schemas, schemasOut);
    const count = walk(schemasOut).filter((f) => f.endsWith('.json') && !f.endsWith('index.json')).length;
    console.log(`${relative(root, schemasOut) || schemasOut}: ${count} CRD schemas from ${source}`);
  }
} catch (e) {
  console.error(`import: ${e.message}; nothing was written`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
