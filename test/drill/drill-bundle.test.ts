/** The bundled restore-drill runner the ConfigMap ships, and the verify pod script it runs. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill, VERIFY_SCRIPT } from '../../drill/runner';
import { bundleDrillRunner } from '../../lib/drill/drill-bundle';
import { runScenario, SCENARIOS } from '../fixtures/drill/fake-kube';

const NOW = new Date('2025-06-05T05:00:00Z');
const at = { now: () => NOW };

describe('the bundled runner (what the ConfigMap ships)', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drill-bundle-'));
    file = join(dir, 'runner.js');
    writeFileSync(file, bundleDrillRunner());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('passes the same drill against the fake API', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(file) as { runDrill: typeof runDrill };
    const { result, fake } = await runScenario(SCENARIOS.passing, {}, { ...at, run: bundled.runDrill });
    expect(result.passed).toBe(true);
    expect(fake.callsTo('delete', 'namespaces')).toHaveLength(2);
  });

  test('fails the same way on a PartiallyFailed restore', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(file) as { runDrill: typeof runDrill };
    const { result } = await runScenario(
      SCENARIOS['restore ends PartiallyFailed'],
      {},
      { ...at, run: bundled.runDrill },
    );
    expect(result.failedStep).toBe('wait-restore');
  });

  test('is byte-identical when built from a checkout somewhere else', () => {
    const other = mkdtempSync(join(tmpdir(), 'drill-checkout-'));
    try {
      mkdirSync(join(other, 'drill'));
      mkdirSync(join(other, 'lib', 'drill'), { recursive: true });
      mkdirSync(join(other, 'lib', 'kube'));
      mkdirSync(join(other, 'lib', 'restore'));
      for (const f of readdirSync(join(__dirname, '..', '..', 'drill'))) {
        copyFileSync(join(__dirname, '..', '..', 'drill', f), join(other, 'drill', f));
      }
      for (const f of ['drill/drill-bundle.ts', 'kube/names.ts', 'restore/restore-spec.ts'])
        copyFileSync(join(__dirname, '..', '..', 'lib', f), join(other, 'lib', f));
      symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(other, 'node_modules'));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const copy = require(join(other, 'lib', 'drill', 'drill-bundle.ts')) as {
        bundleDrillRunner: () => string;
        repositoryRoot: () => string;
      };
      expect(copy.repositoryRoot()).toBe(other);
      expect(copy.bundleDrillRunner()).toBe(bundleDrillRunner());
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('run as `node runner.js` without config, exits 1 and names the step', () => {
    const run = spawnSync(process.execPath, [file], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      'drill step=config status=failed msg="DRILL_SCHEDULE is not set"',
      'drill result=failed step=config msg="DRILL_SCHEDULE is not set"',
    ]);
  });
});

describe('the verify pod script (run with the local /bin/sh)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'drill-volume-'));
    writeFileSync(join(root, 'test.txt'), 'hello\n');
    mkdirSync(join(root, 'chunks'));
    writeFileSync(join(root, 'chunks', 'c1'), 'x');
    mkdirSync(join(root, 'empty'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const verify = (...paths: string[]) =>
    spawnSync('/bin/sh', ['-c', VERIFY_SCRIPT, 'verify', root, ...paths], { encoding: 'utf8' });

  test('passes for a readable file and a non-empty directory, with or without a leading slash', () => {
    const run = verify('test.txt', '/chunks');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('test.txt: readable\n/chunks: readable\n');
  });

  test('fails for a path that does not exist', () => {
    const run = verify('test.txt', 'missing.db');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('missing.db: does not exist in the restored volume\n');
  });

  test('fails for an empty directory', () => {
    const run = verify('empty');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('empty: directory is empty\n');
  });

  test('treats a path with shell syntax as a plain name', () => {
    const run = verify('$(touch pwned); test.txt');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('$(touch pwned); test.txt: does not exist in the restored volume\n');
  });

  test('without declared paths, only checks that the volume root lists', () => {
    const run = verify();
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('volume mounted and listable\n');
  });
});
