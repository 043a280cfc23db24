/**
 * The command `velero-cdk8s` (cli/): every command finds the config the same way (--config, else
 * velero-cdk8s.yaml/.yml/.json, else main.ts), `restore` and `permissions` honour it, `check` suggests only the
 * command that renders the config it checked, and `--help` works on each. Through the real command's loader and
 * entry (scripts/velero-cdk8s.mjs, the repository's way of running cli/main.ts) in a scratch directory: the cases
 * run one after another in ONE child process (runCommands), a stale `check` through scripts/velero-cdk8s.mjs itself.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../cli/main';
import { type CliRun, ROOT, runCommands } from '../fixtures/checkout';

jest.setTimeout(120_000);

const FLEET = join(ROOT, 'examples', 'fleet.yaml');
/** The cases run in one process, in this order (each later one sees what synth wrote): args -> what it did. */
const CASES = [
  ['synth'],
  ['check'],
  ['validate'],
  ['restore'],
  ['permissions', '--out', 'docs/permissions.md'],
  ['restore', '--config', FLEET],
  ['restore', '--config', FLEET, '--cluster', 'dr'],
] as const;
let dir: string;
const runs = new Map<string, CliRun>();
let noConfig: CliRun;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  cpSync(join(ROOT, 'examples', 'b2-homelab.yaml'), join(dir, 'velero-cdk8s.yaml'));
  mkdirSync(join(dir, 'empty'));
  const all = runCommands([...CASES.map((argv) => ({ argv, cwd: dir })), { argv: ['synth'], cwd: join(dir, 'empty') }]);
  CASES.forEach((argv, i) => runs.set(argv.join(' '), all[i]));
  noConfig = all[CASES.length];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `velero-cdk8s ARGS` did in the batch (one of CASES). */
const run = (args: readonly string[]) => runs.get(args.join(' '))!;

const b2 = parse(readFileSync(join(ROOT, 'examples', 'b2-homelab.yaml'), 'utf8'));

describe('every command finds velero-cdk8s.yaml in the working directory', () => {
  test('synth renders it, and check and validate pass on it', () => {
    expect(run(['synth']).stdout).toMatch(/^synth: \d+ objects written to /);
    expect(run(['check']).stdout.trim()).toBe('check: dist/ is up to date with velero-cdk8s.yaml');
    expect(run(['validate']).stdout.trim()).toBe('validate: dist is valid');
  });

  test("restore lists that config's scenarios, not the seed's", () => {
    const r = run(['restore']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('pvc-lost'); // the seed's
    expect(r.stdout).toContain('rebuild-volumes');
  });

  test("permissions writes that config's document where --out says", () => {
    const r = run(['permissions', '--out', 'docs/permissions.md']);
    expect([r.code, r.stdout.trim()]).toEqual([0, 'permissions: docs/permissions.md written']);
    const doc = readFileSync(join(dir, 'docs', 'permissions.md'), 'utf8');
    expect(doc).toContain(`\`${b2.release?.namespace ?? 'velero'}\``);
  });

  test('check of a stale dist/ names the command that renders this same config', () => {
    writeFileSync(join(dir, 'dist', 'velero', 'stray.yaml'), 'kind: ConfigMap\n');
    // the real command, a process of its own
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'velero-cdk8s.mjs'), 'check'], {
      cwd: dir,
      encoding: 'utf8',
    });
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
      ['restore', '--config', FLEET],
      /this config is a fleet; name one of its clusters with --cluster \(prod, dr\)/,
    ],
    ['restore --cluster', ['restore', '--config', FLEET, '--cluster', 'dr'], /^$/],
  ])('%s', (_, args, stderr) => {
    expect(run(args).stderr.trim()).toMatch(stderr);
  });
});

test('with no config anywhere, a command says how to get one and exits 1', () => {
  const r = noConfig;
  expect(r.code).toBe(1);
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
