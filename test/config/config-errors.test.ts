/**
 * A mistake in the user's config prints one line (never a stack trace into a bundle), exits non-zero and
 * leaves dist/ untouched: through the real `npm run synth`, `plan` and `validate`, in a copy of the repository
 * whose config (main.ts, which is the seed of examples/seed.ts) has the mistake (node_modules linked). A
 * mistake thrown while the config module runs names its file and line; one in the config's data names the
 * config (main.ts) and the field, as for a YAML config.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyCheckout, ROOT, tree } from '../fixtures/checkout';

jest.setTimeout(120_000);

let repo: string;
beforeAll(() => {
  repo = copyCheckout('config-errors-');
  // the copy's config is the seed's, whatever this repository's main.ts holds (a fork's own config)
  writeFileSync(join(repo, 'main.ts'), "export { SEED_CONFIG as default } from './examples/seed.ts';\n");
});
afterAll(() => rmSync(join(repo, '..'), { recursive: true, force: true }));

const SEED = 'examples/seed.ts';

/** The seed's config (main.ts's) with `from` replaced by `to`, and the 1-based line of the replacement. */
function breakMain(from: string, to: string): number {
  const original = readFileSync(join(ROOT, SEED), 'utf8');
  expect(original).toContain(from);
  writeFileSync(join(repo, SEED), original.replace(from, to));
  return original.slice(0, original.indexOf(from)).split('\n').length;
}

const run = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, VELERO_CDK8S_DEBUG: '', ...env } });

describe.each([
  [
    'an invalid bucket name at the top level',
    "storageLocations: [{ provider: 'localstack' }]",
    "storageLocations: [{ provider: 'localstack', bucket: 'Velero_Backups' }]",
    `storageLocations[0].bucket: "Velero_Backups" is not a valid S3 bucket name`,
  ],
  [
    'a negative ttl in a top-level const',
    'ttl: Duration.hours(2160)',
    'ttl: Duration.hours(-2160)',
    'Duration amounts cannot be negative. Received: -2160',
  ],
  ['a bad cron expression, refused inside a construct', "schedule: '0 2 * * *'", "schedule: '0 2 * *'", "'0 2 * *'"],
])('%s', (_, from, to, message) => {
  let line: number;
  let dist: Map<string, string>;
  beforeAll(() => {
    line = breakMain(from, to);
    dist = tree(join(repo, 'dist'));
  });

  test('`npm run synth` prints one line naming the config, exits 1, and dist/ is untouched', () => {
    const r = run('npm', ['run', '-s', 'synth']);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(r.stderr).not.toMatch(/\.build|\bat /);
    expect(tree(join(repo, 'dist'))).toEqual(dist);
    // a mistake that throws while the module runs is on the line that was broken; one in the config data (found
    // by BackupStack, named by its path) names the config file, as a YAML config's does
    expect(lines[0]).toMatch(from.startsWith('ttl') ? new RegExp(`^examples/seed\\.ts:${line}: `) : /^main\.ts: /);
  });
});

describe('the same top-level mistake', () => {
  let synthLine: string;
  beforeAll(() => {
    breakMain(
      "storageLocations: [{ provider: 'localstack' }]",
      "storageLocations: [{ provider: 'localstack', bucket: 'Velero_Backups' }]",
    );
    synthLine = run(process.execPath, ['scripts/synth.mjs']).stderr.trim();
  });

  test.each([['plan'], ['validate'], ['restore'], ['permissions']])(
    '`velero-cdk8s %s` prints the same line and exits 1',
    (command) => {
      const r = run(process.execPath, ['scripts/velero-cdk8s.mjs', command]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(synthLine);
    },
  );

  test('VELERO_CDK8S_DEBUG=1 adds the stack, mapped to the TypeScript sources', () => {
    const r = run(process.execPath, ['scripts/synth.mjs'], { VELERO_CDK8S_DEBUG: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(synthLine);
    expect(r.stderr).toMatch(/\n {4}at .*\((lib|constructs)\/[\w/-]+\.ts:\d+\)/);
  });
});

test.each([
  [
    'a syntax error',
    'export const SEED_CONFIG = {',
    'export const SEED_CONFIG = {;',
    // main.ts re-exports the seed (examples/seed.ts): the line named is the broken one, in its own file
    /^examples\/seed\.ts:\d+:\d+: .+ \(TypeScript syntax; `npm run typecheck` shows every error\)$/,
  ],
])('%s in the config is one line naming its file, not an internal error', (_, from, to, message) => {
  breakMain(from, to);
  const r = run(process.execPath, ['scripts/synth.mjs']);
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(message);
});

test('an internal error (a TypeError) says it is a bug and where it happened', () => {
  breakMain('export const SEED_CONFIG', '(undefined as unknown as () => void)();\nexport const SEED_CONFIG');
  const r = run(process.execPath, ['scripts/synth.mjs']);
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(
    /^internal error \(a bug in velero-cdk8s, not in your config\): TypeError: .* \(at examples\/seed\.ts:\d+\); VELERO_CDK8S_DEBUG=1 prints the whole stack$/,
  );
});
