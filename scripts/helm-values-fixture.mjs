#!/usr/bin/env node
// Derives test/fixtures/helm-values/chart-defaults.json from the vmware-tanzu Helm charts repository: the
// default values of the Velero chart at one tag of each tested major (charts/velero/values.yaml, parsed: the
// comments dropped), which test/cli/import-helm-values.test.ts imports. The upstream file is never copied.
//   node scripts/helm-values-fixture.mjs --from <git dir of github.com/vmware-tanzu/helm-charts>
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The last release of each chart major the importer supports (chart 5.x to 12.x). */
export const TAGS = ['velero-5.4.1', 'velero-7.2.2', 'velero-9.2.0', 'velero-11.4.0', 'velero-12.1.0'];

const args = process.argv.slice(2);
const from = args.includes('--from') ? resolve(args[args.indexOf('--from') + 1]) : undefined;
if (!from) {
  console.error('usage: node scripts/helm-values-fixture.mjs --from <helm-charts git dir>');
  process.exit(2);
}
const out = {};
for (const tag of TAGS) {
  const text = execFileSync('git', ['--git-dir', from, 'show', `refs/tags/${tag}:charts/velero/values.yaml`], {
    encoding: 'utf8',
  });
  out[tag] = parse(text);
}
const file = join(import.meta.dirname, '..', 'test', 'fixtures', 'helm-values', 'chart-defaults.json');
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
// the repository's formatting (prettier --check is part of npm run lint)
execFileSync(process.execPath, [
  join(import.meta.dirname, '..', 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
  '--write',
  file,
]);
console.log(`helm-values-fixture: ${TAGS.length} tags into ${file}`);
