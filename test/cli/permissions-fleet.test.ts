/**
 * `velero-cdk8s permissions` on a fleet (examples/fleet.yaml, through the real command in a scratch directory):
 * each cluster gets its own document, `docs/permissions-<cluster>.md`, so one cluster's never overwrites
 * another's; each holds what that cluster's stack renders. And the commands a fleet cluster's runbooks tell the
 * user to run (`npm run restore -- ...`, `npm run plan -- ... --inventory`) name the cluster with `--cluster`, as
 * the command needs.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupFleet, buildConfig } from '../../constructs/backup-fleet';
import { loadConfigFile } from '../../lib/config/load';
import { renderPermissionsMarkdown } from '../../lib/kube/permissions';
import { ROOT } from '../fixtures/checkout';

jest.setTimeout(120_000);

const FLEET = join(ROOT, 'examples', 'fleet.yaml');
const fleet = buildConfig(loadConfigFile(FLEET)) as BackupFleet;
const single = buildConfig(loadConfigFile(join(ROOT, 'examples', 'b2-homelab.yaml')));
/** What the renderer says cluster `name`'s document holds. */
const documentOf = (name: string) =>
  renderPermissionsMarkdown([...fleet.clusters.find((c) => c.name === name)!.stack.permissions]);

/** Runs each command in a fresh directory holding the fleet's config; its exit codes, output and docs/. */
function runAll(commands: readonly (readonly string[])[]) {
  const dir = mkdtempSync(join(tmpdir(), 'permissions-fleet-'));
  try {
    cpSync(FLEET, join(dir, 'velero-cdk8s.yaml'));
    const runs = commands.map((args) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'velero-cdk8s.mjs'), 'permissions', ...args], {
        cwd: dir,
        encoding: 'utf8',
      }),
    );
    let docs: Record<string, string> = {};
    try {
      docs = Object.fromEntries(
        readdirSync(join(dir, 'docs'))
          .sort()
          .map((f) => [f, readFileSync(join(dir, 'docs', f), 'utf8')]),
      );
    } catch {
      // no docs/ written
    }
    return { codes: runs.map((r) => r.status), output: runs.map((r) => (r.stdout + r.stderr).trim()), docs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.each<[string, string[][], number[], string[]]>([
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
])("permissions %s writes each named cluster's own document", (_what, commands, codes, files) => {
  const run = runAll(commands);
  expect(run.codes).toEqual(codes);
  expect(Object.keys(run.docs)).toEqual(files);
  for (const f of files) expect(run.docs[f]).toBe(documentOf(/^permissions-(.*)\.md$/.exec(f)![1]));
});

test.each<[string, string[], string]>([
  [
    '--out without --cluster',
    ['--out', 'p.md'],
    'permissions: --out names one file, and this fleet has 2 clusters; add --cluster NAME, or leave --out out for docs/permissions-<cluster>.md each',
  ],
  ['a cluster the fleet does not have', ['--cluster', 'lab'], 'name one of its clusters with --cluster (prod, dr)'],
])('permissions %s is refused, writing nothing', (_what, args, message) => {
  const run = runAll([args]);
  expect(run.codes).toEqual([1]);
  expect(run.output[0]).toContain(message);
  expect(run.docs).toEqual({});
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
