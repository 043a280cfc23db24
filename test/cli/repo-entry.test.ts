/**
 * The repository's scripts (scripts/velero-cdk8s.mjs, scripts/synth.mjs) bundle this repository's main.ts with the
 * CLI and hand it over preloaded under the repository's own path (cli/repo-entry.ts): run from another folder, a
 * command renders that folder's main.ts, never this repository's seed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../fixtures/checkout';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'repo-entry-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "elsewhere", "type": "module" }\n');
  writeFileSync(
    join(dir, 'main.ts'),
    "export default { storageLocations: [{ provider: 's3', bucket: 'elsewhere', region: 'us-east-1' }], schedules: [{ name: 'elsewhere-nightly', schedule: '0 2 * * *', includedNamespaces: ['apps'] }] };\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each([['scripts/velero-cdk8s.mjs', 'synth'], ['scripts/synth.mjs']])(
  'node %s, run from another folder with its own main.ts, renders that main.ts',
  (script, ...args) => {
    const out = join(dir, `out-${script.replace(/\W/g, '-')}`);
    const r = spawnSync(process.execPath, [join(ROOT, script), ...args, '--out', out], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const velero = readdirSync(join(out, 'velero'));
    expect(velero).toContain('Schedule_velero.io_velero_elsewhere-nightly.yaml');
    expect(velero.some((f) => f.includes('daily-critical-pvcs'))).toBe(false); // the seed's
  },
);
