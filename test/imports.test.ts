import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..');
const SHARED = join(ROOT, '..', 'shared', 'crds');

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
          [join(ROOT, 'scripts', 'import.mjs'), '--from', SHARED, '--out', join(out, 'imports')],
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
