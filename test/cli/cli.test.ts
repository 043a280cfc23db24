/**
 * The command `velero-cdk8s` (cli/): every command finds the config the same way (--config, else
 * velero-cdk8s.yaml/.yml/.json, else main.ts), `restore` and `permissions` honour it, `check` suggests only the
 * command that renders the config it checked, and `--help` works on each. Through the real command
 * (scripts/velero-cdk8s.mjs, the repository's way of running cli/main.ts) in a scratch directory.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../cli/main';
import { ROOT } from '../fixtures/checkout';

jest.setTimeout(120_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  cpSync(join(ROOT, 'examples', 'b2-homelab.yaml'), join(dir, 'velero-cdk8s.yaml'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], cwd = dir) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'velero-cdk8s.mjs'), ...args], { cwd, encoding: 'utf8' });

const b2 = parse(readFileSync(join(ROOT, 'examples', 'b2-homelab.yaml'), 'utf8'));

describe('every command finds velero-cdk8s.yaml in the working directory', () => {
  test('synth renders it, and check and validate pass on it', () => {
    expect(run(['synth']).stdout).toMatch(/^synth: \d+ objects written to /);
    expect(run(['check']).stdout.trim()).toBe('check: dist/ is up to date with velero-cdk8s.yaml');
    expect(run(['validate']).stdout.trim()).toBe('validate: dist is valid');
  });

  test("restore lists that config's scenarios, not the seed's", () => {
    const r = run(['restore']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('pvc-lost'); // the seed's
    expect(r.stdout).toContain('rebuild-volumes');
  });

  test("permissions writes that config's document where --out says", () => {
    const r = run(['permissions', '--out', 'docs/permissions.md']);
    expect([r.status, r.stdout.trim()]).toEqual([0, 'permissions: docs/permissions.md written']);
    const doc = readFileSync(join(dir, 'docs', 'permissions.md'), 'utf8');
    expect(doc).toContain(`\`${b2.release?.namespace ?? 'velero'}\``);
  });

  test('check of a stale dist/ names the command that renders this same config', () => {
    writeFileSync(join(dir, 'dist', 'velero', 'stray.yaml'), 'kind: ConfigMap\n');
    const r = run(['check']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      'check: dist/ is out of date with velero-cdk8s.yaml: run `node scripts/velero-cdk8s.mjs synth --config velero-cdk8s.yaml` and commit it',
    );
    rmSync(join(dir, 'dist', 'velero', 'stray.yaml'));
  });
});

describe('--config wins over the files of the working directory', () => {
  test.each([
    [
      'restore',
      ['restore', '--config', join(ROOT, 'examples', 'fleet.yaml')],
      /this config is a fleet; name one of its clusters with --cluster \(prod, dr\)/,
    ],
    ['restore --cluster', ['restore', '--config', join(ROOT, 'examples', 'fleet.yaml'), '--cluster', 'dr'], /^$/],
  ])('%s', (_, args, stderr) => {
    expect(run(args).stderr.trim()).toMatch(stderr);
  });
});

test('with no config anywhere, a command says how to get one and exits 1', () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const r = run(['synth'], empty);
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toMatch(/^no config in .*empty: pass --config FILE, or create velero-cdk8s\.yaml/);
});

test.each([
  ['synth'],
  ['check'],
  ['validate'],
  ['plan'],
  ['restore'],
  ['permissions'],
  ['prove-alerts'],
  ['init'],
  ['import'],
])('`%s --help` prints its usage and exits 0', (command) => {
  const out: string[] = [];
  const code = runCli([command, '--help'], { io: { log: (l) => out.push(l), error: (l) => out.push(l) } });
  expect([code, out.join('\n').split('\n')[0]]).toEqual([
    0,
    expect.stringMatching(new RegExp(`^usage: velero-cdk8s ${command}\\b`)),
  ]);
});
