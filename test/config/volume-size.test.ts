/**
 * A volume's size that is not a Kubernetes quantity (newcomer trial 4: `size: 20GB`) is refused in one line
 * naming the file, the path and the PVC, the value, the fix and the docs anchor; nothing is written.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthConfig } from '../../cli/commands';

const dir = mkdtempSync(join(tmpdir(), 'volume-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (size: string) => `schedules: [{ name: daily, schedule: '0 3 * * *', includedNamespaces: [forgejo] }]
volumes:
  - { namespace: forgejo, pvc: forgejo-data, size: 20Gi }
  - { namespace: forgejo, pvc: data-forgejo-postgresql-0, size: '${size}' }
`;

test.each([
  [
    '20GB',
    "'20GB' is not the size of a volume (a positive Kubernetes quantity); write '20Gi' (binary, as PVCs do) or '20G'",
  ],
  [
    '1.5tb',
    "'1.5tb' is not the size of a volume (a positive Kubernetes quantity); write '1.5Ti' (binary, as PVCs do) or '1.5T'",
  ],
  [
    '20 Gi',
    "'20 Gi' is not the size of a volume (a positive Kubernetes quantity); write it as the PVC requests it, e.g. '50Gi'",
  ],
  ['100m', "'100m' is not a whole number of bytes of at least 1; write it as the PVC requests it, e.g. '50Gi'"],
])('size %j', (size, problem) => {
  const file = join(dir, `${size.replace(/\W/g, '_')}.yaml`);
  writeFileSync(file, config(size));
  const out = join(dir, `out-${size.replace(/\W/g, '_')}`);
  const errors: string[] = [];
  const code = synthConfig(file, { outDir: out }, { log: () => undefined, error: (l) => errors.push(l) });
  const line = `${file}: volumes[1] 'data-forgejo-postgresql-0'.size: ${problem} (docs/pitfalls.md#plan-inputs)`;
  expect([code, errors, existsSync(out)]).toEqual([1, [line], false]);
  expect(line.length - file.length).toBeLessThan(300);
});
