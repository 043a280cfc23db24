#!/usr/bin/env node
// `npm run build` (also `prepack`): the package's JavaScript, made once so that a user needs neither TypeScript
// nor esbuild nor kubernetes-models at run time.
//   build/**.js + .d.ts       tsc (tsconfig.build.json): index.ts, constructs/, lib/, imports/, cli/, as CommonJS
//   build/generated/drill-runner.js     the restore-drill runner (drill/runner.ts) bundled with the options of
//                                       drill/build.json: the exact text the RestoreDrill ConfigMap carries
//   build/generated/heartbeat-runner.js the heartbeat runner (heartbeat/runner.ts), likewise (heartbeat/build.json)
//   build/generated/core-validators.js  the validators of every core kind of kubernetes-models (ES modules,
//                                       bundled to one CommonJS file; each kind initialized on first use)
// The sources stay TypeScript; jest and the repository's own scripts run them directly (lib/ falls back to
// building both generated files in memory when build/generated/ is not beside it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'build');
const require = createRequire(import.meta.url);
const { buildSync } = require('esbuild');

rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript7', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
mkdirSync(join(out, 'generated'), { recursive: true });

// the runners shipped in ConfigMaps (the restore drill, the heartbeat): the same options and checks as
// lib/drill/drill-bundle.ts's in-memory build, written where its prebuiltBundle() looks (<folder>-runner.js)
for (const folder of ['drill', 'heartbeat']) {
  const bundle = buildSync({
    ...JSON.parse(readFileSync(join(root, folder, 'build.json'), 'utf8')),
    absWorkingDir: root,
    write: false,
    logLevel: 'silent',
  });
  const runner = bundle.outputFiles[0].text;
  if (runner.includes(root)) throw new Error(`build: the ${folder} bundle contains the absolute path '${root}'`);
  writeFileSync(join(out, 'generated', `${folder}-runner.js`), runner);
}

// the core kinds: `<group or v1>/<version>/<Kind>` -> the file of its validator, read from each model's import
const models = join(root, 'node_modules', 'kubernetes-models');
const modelsVersion = JSON.parse(readFileSync(join(models, 'package.json'), 'utf8')).version;
const kinds = {};
for (const group of readdirSync(models, { withFileTypes: true })) {
  if (!group.isDirectory() || group.name.startsWith('_')) continue;
  const groupDir = join(models, group.name);
  const versions = group.name === 'v1' ? [''] : readdirSync(groupDir);
  for (const version of versions) {
    const dir = join(groupDir, version);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) {
      if (!/^[A-Za-z0-9]+\.js$/.test(f)) continue;
      const m = /from\s*["']((?:\.\.\/)+_schemas\/[A-Za-z0-9]+\.js)["']/.exec(readFileSync(join(dir, f), 'utf8'));
      if (!m) continue;
      const key = group.name === 'v1' ? `/v1/${f.slice(0, -3)}` : `${group.name}/${version}/${f.slice(0, -3)}`;
      kinds[key] = resolve(dir, m[1]);
    }
  }
}
const objectMeta = join(
  root,
  'node_modules',
  '@kubernetes-models',
  'apimachinery',
  '_schemas',
  'IoK8sApimachineryPkgApisMetaV1ObjectMeta.js',
);
const entries = Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b));
const contents = [
  `exports.version = ${JSON.stringify(modelsVersion)};`,
  'const kinds = (exports.kinds = {});',
  ...entries.map(
    ([key, file]) =>
      `Object.defineProperty(kinds, ${JSON.stringify(key)}, { enumerable: true, get: () => require(${JSON.stringify(file)}).validate });`,
  ),
  `exports.objectMeta = () => require(${JSON.stringify(objectMeta)}).validate;`,
].join('\n');
const core = buildSync({
  stdin: { contents, resolveDir: root, sourcefile: 'core-validators', loader: 'js' },
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  // uri-js asks for Node's deprecated punycode module (a warning on every run); the npm package is the same code
  alias: { punycode: 'punycode/' },
  legalComments: 'none',
  write: false,
  logLevel: 'error',
});
writeFileSync(
  join(out, 'generated', 'core-validators.js'),
  `// The validators of kubernetes-models ${modelsVersion} (MIT, https://github.com/tommy351/kubernetes-models-ts), bundled by scripts/build.mjs\n${core.outputFiles[0].text}`,
);
console.error(`build: ${entries.length} core kinds, the drill and heartbeat runners, into ${out}`);
