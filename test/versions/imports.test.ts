import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'crds');
const UPSTREAM = join(ROOT, '..', 'shared', 'upstream');

describe('imports/', () => {
  test('cdk8s.yaml pins every CRD at the tags the stack uses', () => {
    const imports: string[] = parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')).imports;
    const urls = imports.map((i) => i.split(':=')[1]);
    expect(urls.filter((u) => u.includes('/vmware-tanzu/velero/v1.15.0/'))).toHaveLength(13);
    expect(urls.filter((u) => u.includes('/external-snapshotter/v8.2.1/'))).toHaveLength(3);
    expect(urls.filter((u) => u.includes('/prometheus-operator/v0.93.0/'))).toHaveLength(2);
    expect(urls.filter((u) => u.includes('/argo-cd/v3.5.1/'))).toHaveLength(2);
  });

  (existsSync(SHARED) ? test : test.skip)(
    'are exactly what cdk8s import generates offline from the pinned CRD files',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'imports-'));
      try {
        execFileSync(
          process.execPath,
          [join(ROOT, 'scripts', 'import.mjs'), '--only', 'imports', '--from', SHARED, '--out', join(out, 'imports')],
          {
            stdio: 'pipe',
          },
        );
        const files = readdirSync(join(ROOT, 'imports')).sort();
        expect(readdirSync(join(out, 'imports')).sort()).toEqual(files);
        for (const f of files) {
          expect(readFileSync(join(out, 'imports', f), 'utf8')).toBe(readFileSync(join(ROOT, 'imports', f), 'utf8'));
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('schemas/', () => {
  const files = (dir: string, at = ''): string[] =>
    readdirSync(join(dir, at), { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(dir, join(at, e.name)) : [join(at, e.name)]))
      .sort();

  test('cdk8s.yaml lists the schema sources of every Velero line and snapshotter release', () => {
    const schemas = parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')).schemas;
    expect(schemas.velero.tags).toEqual(['v1.15.0', 'v1.16.2', 'v1.17.2', 'v1.18.1']);
    expect(schemas['external-snapshotter'].tags).toEqual(['v7.0.2', 'v8.2.1', 'v8.6.0']);
    expect(files(join(ROOT, 'schemas')).filter((f) => f.endsWith('.json') && f !== 'index.json')).toHaveLength(
      13 * 4 + 3 * 3 + 3 + 2,
    );
  });

  (existsSync(SHARED) && existsSync(UPSTREAM) ? test : test.skip)(
    'are exactly what npm run import generates offline from the pinned CRD files',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'schemas-'));
      try {
        execFileSync(
          process.execPath,
          [
            join(ROOT, 'scripts', 'import.mjs'),
            '--only',
            'schemas',
            '--from',
            SHARED,
            '--from',
            UPSTREAM,
            '--schemas-out',
            join(out, 'schemas'),
          ],
          { stdio: 'pipe' },
        );
        const committed = files(join(ROOT, 'schemas'));
        expect(files(join(out, 'schemas'))).toEqual(committed);
        for (const f of committed) {
          expect(readFileSync(join(out, 'schemas', f), 'utf8')).toBe(readFileSync(join(ROOT, 'schemas', f), 'utf8'));
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
