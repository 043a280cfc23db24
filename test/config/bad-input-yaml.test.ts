/**
 * The bad-input catalog, round three (issue 26), through the CLI as users run it: every case is a YAML file
 * rendered by `npm run synth -- --config FILE --out DIR`'s own loader and entry (scripts/lib/load-entry.mjs,
 * config-app.ts `main`). One child process (test/fixtures/synth-configs.mjs) renders every file one after
 * another: a process per file costs ~0.6 s warm, ~2 minutes for the catalog; a sample also goes through the real
 * scripts/synth.mjs and must print the very same line. A bad case prints exactly its message after the file name,
 * exits 1 and writes nothing; a valid edge renders.
 */
import { NO_REPOSITORY_WARNING } from '../../lib/plan/plan';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUND_THREE, VALID_EDGES_ROUND_THREE, type YamlCase } from '../fixtures/bad-inputs-round-three';
import { EXPECTED_ROUND_THREE } from '../fixtures/bad-input-messages-round-three';
import { type CliRun, ROOT, runCommands } from '../fixtures/checkout';

jest.setTimeout(180_000);

const all = [...ROUND_THREE, ...VALID_EDGES_ROUND_THREE];
/** A file name per case: its index (names differ only in punctuation, e.g. `with ~` and `with ^`). */
const slug = (c: YamlCase) => `case-${all.indexOf(c)}`;
let dir: string;
const file = (c: YamlCase) => join(dir, `${slug(c)}.yaml`);
const out = (c: YamlCase) => join(dir, 'out', slug(c));
const results = new Map<string, CliRun>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bad-input-yaml-'));
  for (const c of all) writeFileSync(file(c), c.yaml);
  runCommands(all.map((c) => ({ argv: ['synth', '--config', file(c), '--out', out(c)] }))).forEach((run, i) =>
    results.set(all[i].name, run),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the CLI printed, without the file's path in front. */
const printed = (c: YamlCase) =>
  results
    .get(c.name)!
    .stderr.trim()
    .replace(`${file(c)}`, '<file>');

test('the catalog holds at least 120 bad configs, each with its message, and 30 valid edges', () => {
  expect(ROUND_THREE.length).toBeGreaterThanOrEqual(120);
  expect(VALID_EDGES_ROUND_THREE.length).toBeGreaterThanOrEqual(30);
  expect(Object.keys(EXPECTED_ROUND_THREE).sort()).toEqual(ROUND_THREE.map((c) => c.name).sort());
  expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
});

test.each(ROUND_THREE.map((c) => [c.name, c] as const))('refuses %s with its message, writing nothing', (_, c) => {
  expect(printed(c)).toBe(EXPECTED_ROUND_THREE[c.name]);
  expect(results.get(c.name)!.code).toBe(1);
  expect(existsSync(out(c))).toBe(false);
});

test.each(VALID_EDGES_ROUND_THREE.map((c) => [c.name, c] as const))('%s renders', (_, c) => {
  // the plan's warning of a config naming no Git repository is not a refusal (docs/pitfalls.md#argocd-repository)
  const lines = results
    .get(c.name)!
    .stderr.split('\n')
    .filter((l) => l !== '');
  expect(lines.filter((l) => l !== `synth: WARNING: ${NO_REPOSITORY_WARNING}`)).toEqual([]);
  expect(results.get(c.name)!.code).toBe(0);
  expect(readdirSync(out(c)).length).toBeGreaterThan(0);
});

test('every message is one line under 300 characters, ending with its docs/pitfalls.md anchor', () => {
  const anchors = new Set(
    readFileSync(join(ROOT, 'docs/pitfalls.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .map((l) =>
        l
          .replace(/^#+\s*/, '')
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
  );
  const bad = Object.entries(EXPECTED_ROUND_THREE).filter(([, m]) => {
    const anchor = /\(docs\/pitfalls\.md#([a-z0-9-]+)\)/.exec(m)?.[1];
    return m.includes('\n') || m.replace('<file>', '').length > 300 || !anchor || !anchors.has(anchor);
  });
  expect(bad).toEqual([]);
});

// a sample through the real CLI, one child process each: the batch above prints exactly what it prints
const SAMPLE = [ROUND_THREE[0], ROUND_THREE[40], ROUND_THREE[ROUND_THREE.length - 3], VALID_EDGES_ROUND_THREE[0]];
test.each(SAMPLE.map((c) => [c.name, c] as const))(
  '`npm run synth -- --config FILE` prints the same for %s',
  (_, c) => {
    const target = join(dir, 'cli', slug(c));
    const r = spawnSync(process.execPath, ['scripts/synth.mjs', '--config', file(c), '--out', target], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, VELERO_CDK8S_DEBUG: '' },
    });
    const batch = results.get(c.name)!;
    expect(r.status).toBe(batch.code);
    expect(r.stderr).toBe(batch.stderr);
    expect(existsSync(target)).toBe(batch.code === 0);
  },
);
