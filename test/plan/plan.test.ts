import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStack } from '../fixtures/seed';
import { uncoveredNamespaces } from '../../lib/schedule/coverage';
import { checkInventory, parseInventory } from '../../lib/plan/inventory';
import { backupPlan, renderPlanMarkdown, type PlanInput } from '../../lib/plan/plan';
import { runPlanCli } from '../../lib/plan/plan-cli';

const FIXTURE = join(__dirname, '..', 'fixtures', 'plan', 'pvcs.json');
const seed = buildStack().plan;
const seedPlan = backupPlan(seed);
const ns = (name: string) => seedPlan.namespaces.find((n) => n.namespace === name)!;

function cli(argv: string[], input: PlanInput = seed) {
  const out: string[] = [];
  const err: string[] = [];
  const dist = mkdtempSync(join(tmpdir(), 'plan-'));
  try {
    const code = runPlanCli(argv, input, {
      log: (l) => out.push(l),
      error: (l) => err.push(l),
      now: new Date('2026-11-27T12:00:00Z'),
      distDir: dist,
    });
    return { code, out: out.join('\n'), err: err.join('\n'), dist };
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}

describe('the backup plan of the default stack', () => {
  test('the daily schedule gives the critical namespaces a 24 h RPO with 30 restore points', () => {
    for (const name of ['default', 'loki', 'pihole']) {
      expect(ns(name).rpo!.toHours()).toBe(24);
      expect(ns(name).restorePoints).toBe(30);
      expect(ns(name).coveredBy).toContainEqual({ schedule: 'daily-critical-pvcs', how: 'CSI snapshot' });
    }
  });

  test('the weekly schedule keeps 13 restore points of cluster resources', () => {
    const weekly = seed.schedules.find((s) => s.name === 'weekly-cluster-resources')!;
    expect(weekly.retentionDepth).toBe(13);
    expect(ns('loki').coveredBy).toContainEqual({ schedule: 'weekly-cluster-resources', how: 'resources only' });
  });

  test('the oldest restore point of a volume namespace is the daily ttl, 30 days', () => {
    expect(ns('loki').oldestRestorePoint!.toDays()).toBe(30);
  });

  test("the seed's data stays on the NAS: nothing is off-site", () => {
    for (const n of seedPlan.namespaces) expect(n.offSite).toBe(false);
    const md = renderPlanMarkdown(seedPlan);
    expect(md).toContain('**CSI snapshots are not off-site.**');
    expect(md).toContain('**The storage location is LocalStack: a test rig, not a backup.**');
  });

  test("costs $0.01 a month at B2's $6/TB-month: only resource backups reach object storage", () => {
    expect(seedPlan.cost.pricePerTbMonthUsd).toBe(6);
    expect(seedPlan.cost.lines).toEqual([
      { schedule: 'daily-critical-pvcs', bytes: 30 * 20 * 2 ** 20, what: '30 resource backups × 20.0 MiB' },
      { schedule: 'weekly-cluster-resources', bytes: 13 * 20 * 2 ** 20, what: '13 resource backups × 20.0 MiB' },
    ]);
    expect(renderPlanMarkdown(seedPlan)).toContain('| **total** | **860.0 MiB** | **$0.01 per month** |');
  });

  test('with snapshot data movement the daily volume data (80 GiB, 2 %/day) goes to object storage: $0.82 a month', () => {
    const moved = backupPlan(buildStack({ snapshotMoveData: true }).plan);
    const data = moved.cost.lines.find((l) => l.what.startsWith('volume data'))!;
    expect(data.schedule).toBe('daily-critical-pvcs');
    expect(data.bytes).toBeCloseTo(80 * 2 ** 30 * (1 + 29 * 0.02), 0);
    expect(moved.cost.usdPerMonth!.toFixed(2)).toBe('0.82');
    for (const name of ['default', 'loki', 'pihole'])
      expect(moved.namespaces.find((n) => n.namespace === name)!.offSite).toBe(true);
  });

  test('the report is deterministic and matches the snapshot', () => {
    const md = renderPlanMarkdown(seedPlan);
    expect(renderPlanMarkdown(backupPlan(buildStack().plan))).toBe(md);
    expect(md).toMatchSnapshot();
  });

  test('has a Mermaid chart of a week of runs and copy-pasteable runbooks with the real names', () => {
    const md = renderPlanMarkdown(seedPlan);
    expect(md).toContain('```mermaid\ngantt');
    expect(md).toContain('run 7 : milestone, daily-critical-pvcs-run7, 2024-01-07 02:00, 0m');
    expect(md).toContain('restore point lives 90 d : weekly-cluster-resources-life');
    // restores are the rendered scenarios; Velero picks the schedule's newest Completed backup (spec.scheduleName)
    expect(md).toContain('kubectl create -f dist/restores/pvc-lost.yaml');
    expect(md).toContain('# restore: the newest Completed backup of daily-critical-pvcs');
    expect(md).toContain('kubectl apply -f dist/bootstrap/');
    expect(md).toContain('### Test: ConfigMap backup and restore');
    expect(md).toContain('kubectl -n backup-test exec writer -- cat /data/test.txt');
  });
});

describe('coverage against the live PVC list', () => {
  const declared: PlanInput = { ...seed, unprotectedNamespaces: { scratch: 'build caches, re-creatable' } };

  test('lists uncovered PVCs with size and storage class, and declared ones with their reason', () => {
    const result = checkInventory(declared, parseInventory(readFileSync(FIXTURE, 'utf8')));
    expect(result.protectedCount).toBe(2);
    expect(result.unprotected).toEqual([
      { namespace: 'paperless', name: 'data-paperless', size: '10Gi', storageClass: 'synology-iscsi' },
    ]);
    expect(result.declaredUnprotected).toEqual([
      {
        namespace: 'scratch',
        name: 'cache',
        size: '2Gi',
        storageClass: '(default)',
        reason: 'build caches, re-creatable',
      },
    ]);
  });

  test('uses the same rule as the PVCNotCoveredByBackup alert', () => {
    const pvcs = parseInventory(readFileSync(FIXTURE, 'utf8'));
    const alert = uncoveredNamespaces(declared.schedules, Object.keys(declared.unprotectedNamespaces!));
    const alertFires = (n: string) =>
      alert.kind === 'all' ||
      (alert.kind === 'only' && alert.namespaces.includes(n)) ||
      (alert.kind === 'allExcept' && !alert.namespaces.includes(n));
    const unprotected = new Set(checkInventory(declared, pvcs).unprotected.map((p) => p.namespace));
    for (const p of pvcs) expect(alertFires(p.namespace)).toBe(unprotected.has(p.namespace));
  });

  test('--strict exits non-zero when an undeclared PVC is unprotected', () => {
    const r = cli(['--inventory', FIXTURE, '--strict'], declared);
    expect(r.code).toBe(1);
    expect(r.out).toContain('NOT PROTECTED: paperless/data-paperless 10Gi storageClass=synology-iscsi');
    expect(r.out).toContain('deliberately unprotected: scratch/cache 2Gi ((default)): build caches, re-creatable');
  });

  test('--strict passes when every unprotected PVC is declared', () => {
    const r = cli(['--inventory', FIXTURE, '--strict'], {
      ...seed,
      unprotectedNamespaces: { scratch: 'caches', paperless: 'documents are in the NAS share backup' },
    });
    expect(r.code).toBe(0);
  });

  test('without --strict the report lists but does not fail', () => {
    expect(cli(['--inventory', FIXTURE], declared).code).toBe(0);
  });
});

describe('malformed inventory input', () => {
  const withFile = (content: string, run: (file: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'inv-'));
    try {
      writeFileSync(join(dir, 'pvcs.json'), content);
      run(join(dir, 'pvcs.json'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('not JSON', () => {
    withFile('NAMESPACE NAME STATUS\n', (f) => {
      const r = cli(['--inventory', f]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^plan: inventory '.*pvcs\.json': not JSON \(.*\); produce it with 'kubectl get pvc -A -o json > pvcs\.json'$/,
      );
    });
  });

  test('JSON that is not a List', () => {
    withFile('{"kind":"PersistentVolumeClaim"}', (f) => {
      expect(cli(['--inventory', f]).err).toBe(
        `plan: inventory '${f}': expected a Kubernetes List with an 'items' array, as 'kubectl get pvc -A -o json' prints`,
      );
    });
  });

  test('a list of something else', () => {
    withFile('{"items":[{"kind":"Pod","metadata":{"name":"x","namespace":"y"}}]}', (f) => {
      expect(cli(['--inventory', f]).err).toBe(
        `plan: inventory '${f}': items[0] is a Pod, not a PersistentVolumeClaim; list PVCs with 'kubectl get pvc -A -o json'`,
      );
    });
  });

  test('items without a namespace', () => {
    withFile('{"items":[{"kind":"PersistentVolumeClaim","metadata":{"name":"x"}}]}', (f) => {
      expect(cli(['--inventory', f]).err).toBe(
        `plan: inventory '${f}': items[0] has no metadata.namespace or metadata.name; list PVCs with -A so every item carries its namespace`,
      );
    });
  });

  test('a missing file', () => {
    expect(cli(['--inventory', '/nonexistent/pvcs.json']).err).toBe(
      "plan: inventory '/nonexistent/pvcs.json' does not exist; create it with 'kubectl get pvc -A -o json > /nonexistent/pvcs.json'",
    );
  });

  test('--strict without an inventory and unknown options are usage errors', () => {
    expect(cli(['--strict']).code).toBe(2);
    expect(cli(['--bogus']).err).toContain('plan: unknown option --bogus');
  });
});
