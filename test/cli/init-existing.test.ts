/**
 * `velero-cdk8s init` in a repository that already has its own package.json (newcomer trial 4: the README's
 * `npm install ./velero-cdk8s-*.tgz` first, then `npx velero-cdk8s init`): it writes the rest, keeps the user's files,
 * and still writes nothing once a config exists.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '../../cli/init';

const OWN = '{ "name": "homelab", "dependencies": { "velero-cdk8s": "file:velero-cdk8s-0.2.0.tgz" } }\n';
let dir: string;
const lines: string[] = [];
const io = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'init-existing-'));
  lines.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test.each([['package.json'], ['README.md'], ['.gitignore']])(
  'with your own %s: keeps it, writes the config and dist/, exits 0',
  (own) => {
    writeFileSync(join(dir, own), OWN);
    expect(init(dir, io)).toBe(0);
    expect(readFileSync(join(dir, own), 'utf8')).toBe(OWN);
    expect([existsSync(join(dir, 'velero-cdk8s.yaml')), existsSync(join(dir, 'dist', 'BACKUP-PLAN.md'))]).toEqual([
      true,
      true,
    ]);
    expect(lines[0]).toMatch(new RegExp(`; kept your ${own.replace('.', '\\.')} \\(init never overwrites\\)$`));
  },
);

test('with a velero-cdk8s.yaml: writes nothing and exits 1', () => {
  writeFileSync(join(dir, 'velero-cdk8s.yaml'), 'schedules: []\n');
  expect(init(dir, io)).toBe(1);
  expect([existsSync(join(dir, 'package.json')), lines]).toEqual([
    false,
    [expect.stringMatching(/^init: velero-cdk8s\.yaml already exist in .*; nothing was written/)],
  ]);
});

test("the starter's package.json has the npm scripts BACKUP-PLAN.md's runbooks name", () => {
  expect(init(dir, io)).toBe(0);
  const scripts = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts;
  const named = [...readFileSync(join(dir, 'dist', 'BACKUP-PLAN.md'), 'utf8').matchAll(/npm run (\w[\w-]*)/g)].map(
    (m) => m[1],
  );
  expect(named.length).toBeGreaterThan(0);
  expect([...new Set(named)].filter((s) => !scripts[s])).toEqual([]);
});
