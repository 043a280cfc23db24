/**
 * `velero-cdk8s permissions` on a fleet (examples/fleet.yaml, through the real command's loader and entry in scratch
 * directories, every case in one child process, one also through scripts/velero-cdk8s.mjs itself):
 * each cluster gets its own document, `docs/permissions-<cluster>.md`, so one cluster's never overwrites
 * another's; each holds what that cluster's stack renders. And the commands a fleet cluster's runbooks tell the
 * user to run (`npm run restore -- ...`, `npm run plan -- ... --inventory`) name the cluster with `--cluster`, as
 * the command needs.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupFleet, buildConfig } from '../../constructs/backup-fleet';
import { loadConfigFile } from '../../lib/config/load';
import { renderPermissionsMarkdown } from '../../lib/kube/permissions';
import { ROOT, runCommands } from '../fixtures/checkout';

jest.setTimeout(120_000);

const FLEET = join(ROOT, 'examples', 'fleet.yaml');
const fleet = buildConfig(loadConfigFile(FLEET)) as BackupFleet;
const single = buildConfig(loadConfigFile(join(ROOT, 'examples', 'b2-homelab.yaml')));
/** What the renderer says cluster `name`'s document holds. */
const documentOf = (name: string) =>
  renderPermissionsMarkdown([...fleet.clusters.find((c) => c.name === name)!.stack.permissions]);

/** Each case: its commands (`permissions ARGS`), run one after another in a fresh directory holding the fleet's config. */
const WRITES: [string, string[][], number[], string[]][] = [
  ['--cluster prod', [['--cluster', 'prod']], [0], ['permissions-prod.md']],
  [
    '--cluster prod, then --cluster dr',
    [
      ['--cluster', 'prod'],
      ['--cluster', 'dr'],
    ],
    [0, 0],
    ['permissions-dr.md', 'permissions-prod.md'],
  ],
  ['no --cluster: every cluster', [[]], [0], ['permissions-dr.md', 'permissions-prod.md']],
];
const REFUSALS: [string, string[], string][] = [
  [
    '--out without --cluster',
    ['--out', 'p.md'],
    'permissions: --out names one file, and this fleet has 2 clusters; add --cluster NAME, or leave --out out for docs/permissions-<cluster>.md each',
  ],
  ['a cluster the fleet does not have', ['--cluster', 'lab'], 'name one of its clusters with --cluster (prod, dr)'],
];

interface CaseRun {
  readonly codes: (number | null)[];
  readonly output: string[];
  readonly docs: Record<string, string>;
}
/** Case name -> its commands' exit codes, output and the docs/ they left. */
const runs = new Map<string, CaseRun>();
let root: string;
/** Every case's commands in ONE child process (runCommands: the loader and entry of scripts/velero-cdk8s.mjs). */
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'permissions-fleet-'));
  const cases: [string, string[][]][] = [
    ...WRITES.map(([what, commands]) => [what, commands] as [string, string[][]]),
    ...REFUSALS.map(([what, args]) => [what, [args]] as [string, string[][]]),
  ];
  const jobs = cases.flatMap(([what, commands], i) => {
    const cwd = join(root, `case-${i}`);
    mkdirSync(cwd);
    cpSync(FLEET, join(cwd, 'velero-cdk8s.yaml'));
    return commands.map((args) => ({ what, cwd, argv: ['permissions', ...args] }));
  });
  const all = runCommands(jobs);
  cases.forEach(([what], i) => {
    const mine = all.filter((_, j) => jobs[j].what === what);
    let docs: Record<string, string> = {};
    try {
      const dir = join(root, `case-${i}`, 'docs');
      docs = Object.fromEntries(
        readdirSync(dir)
          .sort()
          .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
      );
    } catch {
      // no docs/ written
    }
    runs.set(what, { codes: mine.map((r) => r.code), output: mine.map((r) => (r.stdout + r.stderr).trim()), docs });
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test.each(WRITES)("permissions %s writes each named cluster's own document", (what, _commands, codes, files) => {
  const run = runs.get(what)!;
  expect(run.codes).toEqual(codes);
  expect(Object.keys(run.docs)).toEqual(files);
  for (const f of files) expect(run.docs[f]).toBe(documentOf(/^permissions-(.*)\.md$/.exec(f)![1]));
});

test.each(REFUSALS)('permissions %s is refused, writing nothing', (what, _args, message) => {
  const run = runs.get(what)!;
  expect(run.codes).toEqual([1]);
  expect(run.output[0]).toContain(message);
  expect(run.docs).toEqual({});
});

// the real command, a process of its own: `permissions` on a fleet through scripts/velero-cdk8s.mjs
test("`node scripts/velero-cdk8s.mjs permissions --cluster dr` writes that cluster's document", () => {
  const dir = join(root, 'real');
  mkdirSync(dir);
  cpSync(FLEET, join(dir, 'velero-cdk8s.yaml'));
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'velero-cdk8s.mjs'), 'permissions', '--cluster', 'dr'], {
    cwd: dir,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  expect(readdirSync(join(dir, 'docs'))).toEqual(['permissions-dr.md']);
  expect(readFileSync(join(dir, 'docs', 'permissions-dr.md'), 'utf8')).toBe(documentOf('dr'));
});

/** Every `npm run restore|plan -- ...` command a plan tells the user to run. */
const npmCommands = (markdown: string) =>
  [...markdown.matchAll(/npm run (?:restore|plan) -- [^`\n]*/g)].map((m) => m[0]);

test.each(fleet.clusters.map((c) => [c.name] as const))(
  "cluster %s's runbooks name it in every restore and inventory command",
  (name) => {
    const commands = npmCommands(fleet.planFiles()[`clusters/${name}/BACKUP-PLAN.md`]);
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((c) => !c.includes(` --cluster ${name} `))).toEqual([]);
  },
);

test("one cluster's runbooks name no --cluster (the command refuses it there)", () => {
  const commands = npmCommands(single.planMarkdown());
  expect(commands.length).toBeGreaterThan(0);
  expect(commands.filter((c) => c.includes('--cluster'))).toEqual([]);
});
