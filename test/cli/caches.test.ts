/**
 * The synth's caches (scripts/lib/load-entry.mjs) cannot lie: they are keyed by the code that runs, so an edit
 * to a library file shows in the next synth by every documented way of running it, a damaged entry is a
 * miss, and `VELERO_CDK8S_CACHE=off` gives the same bytes without writing any cache. The tests work in a
 * copy of the repository (node_modules linked), through real processes; one cold synth (beforeAll) fills a cache,
 * and each test starts from a copy of it (a warm shared one, or its own).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyCheckout, tree } from '../fixtures/checkout';

jest.setTimeout(120_000);

let repo: string;
let cache: string;
/** Files edited by the current test, with their original text (restored after it). */
const edited = new Map<string, string>();
const cacheDir = (name: string) => join(repo, '..', name);
beforeEach(() => {
  cache = cacheDir('cache'); // shared: warm from the start and after each test, as in an edit loop
});
/** A cache of the test's own, as the one cold synth (beforeAll) left it: a copy, so that each starts the same. */
const copyOfCold = (name: string) => {
  cpSync(cacheDir('cold'), cacheDir(name), { recursive: true });
  cache = cacheDir(name);
};
afterEach(() => {
  for (const [file, text] of edited) writeFileSync(join(repo, file), text);
  edited.clear();
});
/** The one cold synth (an empty cache, out `cold`), whose cache every test starts from. */
beforeAll(() => {
  repo = copyCheckout('caches-');
  cache = cacheDir('cold');
  synth('cold');
  cpSync(cacheDir('cold'), cacheDir('cache'), { recursive: true });
});
afterAll(() => rmSync(join(repo, '..'), { recursive: true, force: true }));

function run(cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, VELERO_CDK8S_CACHE_DIR: cache, VELERO_CDK8S_CACHE: '', ...env },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
const synth = (out: string, env?: Record<string, string>) =>
  run(process.execPath, ['scripts/synth.mjs', '--out', join(repo, out)], env);

const yamlFiles = (dir: string) => [...tree(join(repo, dir))].filter(([f]) => f.endsWith('.yaml'));

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(join(repo, file), 'utf8');
  if (!edited.has(file)) edited.set(file, text);
  expect(text).toContain(from);
  writeFileSync(join(repo, file), text.replace(from, to));
}
const EDITED_TO_YAML = [
  'const text = Yaml.stringify(object);',
  'const text = `# edited\n${Yaml.stringify(object)}`;',
] as const;

test('an edit to toYaml is in every file of the next synth, by every documented way of running it', () => {
  synth('warm'); // warm: bundles, code cache and results are there (the cold synth's)
  edit('lib/output/output.ts', ...EDITED_TO_YAML);
  // what the issue reproduced: the old bundle run by hand, then `npm run synth`
  run(process.execPath, ['.build/cli/repo-entry.js']);
  const ways: [string, () => void][] = [
    ['npm run synth', () => run('npm', ['run', '-s', 'synth', '--', '--out', join(repo, 'npm')])],
    ['node scripts/synth.mjs', () => synth('node')],
    [
      'cdk8s synth',
      () => run(join(repo, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '-o', 'out-cdk8s-cli']),
    ],
  ];
  for (const [way, go] of ways) {
    go();
    const dir = { 'npm run synth': 'npm', 'node scripts/synth.mjs': 'node', 'cdk8s synth': 'out-cdk8s-cli' }[way]!;
    const files = yamlFiles(dir);
    // every object of the committed dist/ (the same sources render it)
    expect([way, files.length]).toEqual([way, yamlFiles('dist').length]);
    expect([way, files.filter(([, text]) => !text.startsWith('# edited\n')).map(([f]) => f)]).toEqual([way, []]);
  }
});

test('an edit to the drill runner is in the next synth of its ConfigMap', () => {
  // the shared cache holds the unedited runner's results already (the cold synth's)
  edit('drill/config.ts', '`${name} is not set`', '`${name} is missing (edited)`');
  synth('edited');
  const configMap = [...tree(join(repo, 'edited'))].find(([f]) => /ConfigMap_.*runner\.yaml$/.test(f))!;
  expect(configMap[1]).toContain('is missing (edited)');
  expect(configMap[1]).not.toContain('} is not set`');
});

test('a cold synth, a warm synth and a synth with every cache off write the committed dist/, and off writes no cache', () => {
  synth('warm'); // `cold` is the one cold synth's (beforeAll)
  expect(readdirSync(join(cache, 'results')).length).toBeGreaterThan(0);
  expect(readdirSync(join(cache, 'v8')).length).toBeGreaterThan(0);
  cache = join(repo, '..', 'cache-off');
  synth('off', { VELERO_CDK8S_CACHE: 'off' });
  expect(() => readdirSync(cache)).toThrow();
  const dist = tree(join(repo, 'dist'));
  for (const out of ['cold', 'warm', 'off']) expect(tree(join(repo, out))).toEqual(dist);
});

test('a damaged YAML text entry is a miss, not wrong output', () => {
  copyOfCold('cache-damaged'); // what the cold synth wrote
  const dir = join(cache, 'results', readdirSync(join(cache, 'results'))[0]);
  for (const f of readdirSync(dir)) {
    const raw = readFileSync(join(dir, f), 'utf8');
    // a valid-looking body behind the old header
    writeFileSync(join(dir, f), `${raw.slice(0, raw.indexOf('\n') + 1)}kind: Secret\n`);
  }
  synth('again');
  expect(tree(join(repo, 'again'))).toEqual(tree(join(repo, 'dist')));
});

test('a result is keyed by the app bundle: an edit to any bundled file retires every entry', () => {
  copyOfCold('cache-keyed'); // what the cold synth wrote
  const before = readdirSync(join(cache, 'results'));
  edit('lib/output/output.ts', ...EDITED_TO_YAML);
  synth('second');
  const after = readdirSync(join(cache, 'results'));
  expect(before).toHaveLength(1);
  expect(after).toHaveLength(2);
  expect(after).toEqual(expect.arrayContaining(before));
});
