/**
 * Newcomer trial 4 (a two-cluster fleet, home + lab): what a fleet's user runs must name the fleet's own files.
 * Fixtures: the README's fleet example and a single-cluster example, rendered by the renderer.
 */
import { join } from 'node:path';
import { alertStacks, stackRuleFile } from '../../cli/prove-alerts';
import { buildConfig } from '../../constructs/backup-fleet';
import { loadConfigFile } from '../../lib/config/load';

const root = join(__dirname, '..', '..');
const rendered = (example: string) => buildConfig(loadConfigFile(join(root, 'examples', example)));

describe.each([['fleet.yaml'], ['b2-homelab.yaml']])('%s', (example) => {
  const built = rendered(example);
  const folders = new Set(built.objects.map((o) => `dist/${o.folder}`.replace(/\/$/, '')));

  test.each(Object.keys(built.planFiles()))("%s: every 'kubectl apply -f DIR/' names a rendered folder", (file) => {
    const dirs = [...built.planFiles()[file].matchAll(/kubectl apply -f (\S+)\/(?:\s|$)/g)].map((m) => m[1]);
    expect(dirs.filter((d) => !folders.has(d))).toEqual([]);
  });

  test('prove-alerts proves each stack on its own rules: no group twice', () => {
    const groups = alertStacks(built, example).map((s) => stackRuleFile(built, s).groups.map((g) => g.name));
    expect(groups.filter((names) => new Set(names).size !== names.length)).toEqual([]);
    expect(groups.every((names) => names.length > 0)).toBe(true);
  });
});
