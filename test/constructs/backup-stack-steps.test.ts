/**
 * BackupStack reads like its wiring (issue 27): its constructor is the list of named steps README "How
 * `BackupStack` wires the stack" gives, in that order, and the values the steps resolve once are the stack's
 * readonly fields that the rendered objects agree with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { BackupFleet } from '../../constructs/backup-fleet';
import { BackupStack } from '../../constructs/backup-stack';
import { loadConfigFile } from '../../lib/config/load';
import { renderApp } from '../../lib/output/output';
import { B2_HOMELAB } from '../../examples/b2-homelab';
import { SEED_CONFIG } from '../fixtures/seed';

const ROOT = join(__dirname, '..', '..');
const source = readFileSync(join(ROOT, 'constructs', 'backup-stack.ts'), 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The private methods the constructor calls, in call order. */
function constructorSteps(text: string): string[] {
  const body = /\n {2}constructor\([^)]*\) \{\n([\s\S]*?)\n {2}\}\n/.exec(text)?.[1] ?? '';
  return [...body.matchAll(/\bthis\.(\w+)\(/g)].map((m) => m[1]);
}

/** The step names of README's table, in order (a row may name two). */
function readmeSteps(text: string): string[] {
  const section = text.split('### How `BackupStack` wires the stack')[1]?.split(/\n#{2,3} /)[0] ?? '';
  return [...section.matchAll(/^\| ([^|]+) \|/gm)]
    .map((m) => m[1])
    .filter((cell) => cell.startsWith('`'))
    .flatMap((cell) => [...cell.matchAll(/`(\w+)`/g)].map((m) => m[1]));
}

test("README's step table is the constructor's steps, in the order they run", () => {
  expect(readmeSteps(readme)).toEqual(constructorSteps(source));
});

test('the check reads a constructor and a README table', () => {
  const text = '\n  constructor(a: A) {\n    super();\n    this.x = this.first();\n    this.second();\n  }\n';
  expect(constructorSteps(text)).toEqual(['first', 'second']);
  expect(
    readmeSteps('### How `BackupStack` wires the stack\n|---|\n| `one`, `two` | w | f |\n## Next\n| `three` |'),
  ).toEqual(['one', 'two']);
});

test.each(constructorSteps(source).map((step) => [step]))('step %s is a method of BackupStack', (step) => {
  expect(typeof (BackupStack.prototype as unknown as Record<string, unknown>)[step]).toBe('function');
});

describe.each([
  ['the seed', SEED_CONFIG],
  ['the B2 homelab', B2_HOMELAB],
])('%s: what the steps resolved is what renders', (_, config) => {
  const stack = new BackupStack(new App(), 'Stack', config);
  const objects = renderApp(stack.node.scope as App);
  const application = (name: string) =>
    objects.find((o) => o.object.kind === 'Application' && o.object.metadata?.name === name)?.object as any;

  test('drillSchedules[i] is the schedule drills[i] restores', () => {
    expect(stack.drills.length).toBeGreaterThan(0);
    expect(stack.drillSchedules.map((s) => s.name)).toEqual(stack.drills.map((d) => d.config.schedule));
  });

  test("the root Application syncs `repository`'s applications/, the velero one `clusterRepository`'s velero/", () => {
    expect(application('velero-cdk8s').spec.source).toMatchObject({
      repoURL: stack.repository.repoURL,
      targetRevision: stack.repository.targetRevision,
      path: `${stack.repository.distPath}/applications`,
    });
    expect(application('velero').spec.source.path).toBe(`${stack.clusterRepository.distPath}/velero`);
  });

  test('volumeSnapshots names the CSI stack driver the alerts read', () => {
    expect(stack.volumeSnapshots?.snapshotDrivers).toEqual(stack.snapshots ? [stack.snapshots.driver] : []);
    expect(stack.plan.volumeSnapshots).toBe(stack.volumeSnapshots);
  });
});

test("a fleet cluster's Applications sync its own folder of the fleet's repository", () => {
  const fleet = new BackupFleet(loadConfigFile(join(ROOT, 'examples', 'fleet.yaml')));
  const rows = fleet.clusters.map(({ name, stack, app }) => {
    const velero = renderApp(app).find(
      (o) => o.object.kind === 'Application' && (o.object.spec as any)?.source?.path?.endsWith('/velero'),
    )?.object as any;
    return [name, stack.clusterRepository.distPath, velero?.spec.source.path];
  });
  expect(rows.length).toBeGreaterThan(1);
  for (const [name, distPath, path] of rows) {
    expect([distPath, path]).toEqual([
      `${fleet.clusters[0].stack.repository.distPath}/clusters/${name}`,
      `${distPath}/velero`,
    ]);
  }
});
