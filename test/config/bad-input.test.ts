/**
 * The bad-input catalog: every plausible mistake is refused with its exact message, and the previous
 * dist/ stays byte-identical (a half-written or empty dist/ would make ArgoCD prune the cluster).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { synthSeed } from '../fixtures/seed';
import { BackupStack } from '../../constructs/backup-stack';
import { backupPlan, renderPlanMarkdown } from '../../lib/plan/plan';
import { checkInvariants, foldersOf } from '../../lib/validation/invariants';
import { schemaCheck } from '../../lib/validation/schema';
import { synthesize } from '../../lib/output/synth';
import { BAD_INPUTS } from '../fixtures/bad-inputs';
import { EXPECTED } from '../fixtures/bad-input-messages';
import { ROUND_TWO, VALID_EDGES } from '../fixtures/bad-inputs-round-two';
import { CSI_BAD_INPUTS, CSI_VALID_EDGES } from '../fixtures/bad-inputs-csi';

function readTree(dir: string, prefix = ''): Record<string, string> {
  return Object.assign(
    {},
    ...readdirSync(dir).map((n) =>
      statSync(join(dir, n)).isDirectory()
        ? readTree(join(dir, n), `${prefix}${n}/`)
        : { [`${prefix}${n}`]: readFileSync(join(dir, n), 'utf8') },
    ),
  );
}

const checks = [
  (objects: Parameters<typeof foldersOf>[0]) =>
    checkInvariants(foldersOf(objects), { localStackSecretAllowed: true, localStackLocations: ['velero/default'] }),
  schemaCheck(),
];

let work: string;
let dist: string;
let before: Record<string, string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bad-input-'));
  dist = join(work, 'dist');
  expect(synthSeed({ outDir: dist })).toBe(0);
  before = readTree(dist);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the catalog holds at least 190 bad configurations, each with its expected message', () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(190);
  expect(ROUND_TWO.length).toBeGreaterThanOrEqual(100);
  expect(Object.keys(EXPECTED).sort()).toEqual(BAD_INPUTS.map((c) => c.name).sort());
});

describe.each(BAD_INPUTS.map((c) => [c.name, c] as const))('refuses %s', (name, c) => {
  test('with the exact message, writing nothing', () => {
    let message: string | undefined;
    try {
      synthesize(
        () => {
          const app = new App();
          c.build(app);
          return app;
        },
        { outDir: dist, checks },
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(EXPECTED[name]);
    expect(readTree(dist)).toEqual(before);
    expect(readdirSync(work)).toEqual(['dist']);
  });
});

test('every refusal stays one line under 300 characters, but for the output checks and the compatibility notes', () => {
  const long = ROUND_TWO.map((c) => EXPECTED[c.name]).filter((m) => m.includes('\n') || m.length > 300);
  expect(long).toEqual([]);
});

describe('accepts valid edge inputs', () => {
  let edge: string;
  beforeAll(() => {
    edge = mkdtempSync(join(tmpdir(), 'valid-edge-'));
  });
  afterAll(() => rmSync(edge, { recursive: true, force: true }));

  test.each(VALID_EDGES.map((c) => [c.name, c] as const))('%s renders', (_name, c) => {
    const { objects } = synthesize(
      () => {
        const app = new App();
        c.build(app);
        return app;
      },
      { outDir: join(edge, 'dist'), checks },
    );
    expect(objects.length).toBeGreaterThan(0);
  });
});

describe.each(CSI_BAD_INPUTS.map((c) => [c.name, c] as const))('refuses (CSI) %s', (_name, c) => {
  test('with the exact one-line message, writing nothing', () => {
    let message: string | undefined;
    try {
      synthesize(
        () => {
          const app = new App();
          c.build(app);
          return app;
        },
        { outDir: dist, checks },
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(c.message);
    expect(message!.includes('\n') || (!c.compatibility && message!.length > 300)).toBe(false);
    expect(readTree(dist)).toEqual(before);
  });
});

describe('accepts valid CSI edge inputs', () => {
  let edge: string;
  beforeAll(() => {
    edge = mkdtempSync(join(tmpdir(), 'valid-csi-edge-'));
  });
  afterAll(() => rmSync(edge, { recursive: true, force: true }));

  test.each(CSI_VALID_EDGES.map((c) => [c.name, c] as const))('%s renders', (_name, c) => {
    const { objects } = synthesize(
      () => {
        const app = new App();
        c.build(app);
        return app;
      },
      { outDir: join(edge, 'dist'), checks },
    );
    expect(objects.length).toBeGreaterThan(0);
  });

  test.each(CSI_VALID_EDGES.filter((c) => c.planWarning).map((c) => [c.name, c] as const))(
    '%s: BACKUP-PLAN.md opens with its warning',
    (_name, c) => {
      const app = new App();
      c.build(app);
      const stack = app.node.findAll().find((x): x is BackupStack => x instanceof BackupStack)!;
      const plan = renderPlanMarkdown(backupPlan(stack.plan));
      expect(plan.split('## ')[0]).toContain(`> **Warning:** ${c.planWarning}`);
    },
  );
});
