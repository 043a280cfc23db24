import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthChecks } from '../../index';
import { buildStack, synthSeed } from '../fixtures/seed';
import { validateDir } from '../../lib/validation/validate-dist';

describe('npm run validate (the files on disk, as ArgoCD reads them)', () => {
  let work: string;
  let dist: string;
  const stack = buildStack();
  const checks = synthChecks(() => stack.release);
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'validate-'));
    dist = join(work, 'dist');
    expect(synthSeed({ outDir: dist })).toBe(0);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('a fresh synth is valid', () => {
    expect(validateDir(dist, checks)).toEqual([]);
  });

  test('a non-YAML file in a synced folder is a problem', () => {
    writeFileSync(join(dist, 'velero', 'notes.txt'), 'hello');
    expect(validateDir(dist, checks)).toEqual([
      'velero/notes.txt: only Kubernetes YAML files belong in a synced folder',
    ]);
  });

  test('a hand edit that breaks the schema names the file, the object and the path', () => {
    const file = join(dist, 'velero', 'Schedule_velero.io_velero_daily-critical-pvcs.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('snapshotVolumes: true', 'snapshotVolumes: "yes"'));
    expect(validateDir(dist, checks)).toEqual([
      'velero/Schedule_velero.io_velero_daily-critical-pvcs.yaml: Schedule velero/daily-critical-pvcs: spec.template.snapshotVolumes: must be boolean or null, got string "yes"',
    ]);
  });
});
