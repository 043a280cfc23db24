import { buildStack } from '../fixtures/seed';
import { backupPlan, renderPlanMarkdown } from '../../lib/plan/plan';
import { renderApp } from '../../lib/output/output';
import { alertAnchor, alertRunbookUrl, runbookDocumentUrl } from '../../lib/restore/runbook';
import { headingAnchor } from '../../lib/restore/scenario';
import type { K8sObject } from '../helpers';

const stack = buildStack();
const md = renderPlanMarkdown(backupPlan(stack.plan));
const rule = renderApp(stack.app).find((r) => r.object.kind === 'PrometheusRule')!.object as K8sObject;
const rules: { alert: string; annotations: Record<string, string> }[] = rule.spec.groups.flatMap(
  (g: { rules: unknown[] }) => g.rules,
);
/** `### heading` -> its anchor, for every heading of the report. */
const anchors = new Set([...md.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1])));
const section = (heading: string) => {
  const start = md.indexOf(`### ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = md.indexOf('\n### ', start + 4);
  const nextTop = md.indexOf('\n## ', start + 4);
  return md.slice(start, Math.min(...[next, nextTop].filter((i) => i > 0), md.length));
};

describe('the runbooks come from the restore scenarios', () => {
  test.each(stack.restores.map((r) => [r.name, r]))('%s: the runbook runs its rendered file', (_name, r) => {
    expect(md).toContain(`kubectl create -f dist/restores/${r.name}.yaml`);
    expect(md).toContain(`velero-cdk8s.io/restore-scenario=${r.name}`);
  });

  test('every disaster runbook is a scenario: the four seed runbooks and nothing hand-written', () => {
    const disasters = [...md.matchAll(/^### Disaster: (.+)$/gm)].map((m) => m[1]);
    expect(disasters).toEqual([
      'one PVC lost (default/prometheus-data)',
      'one namespace lost (pihole)',
      'namespace loki restored into loki-inspect for inspection',
      'the whole cluster rebuilt',
    ]);
    // only the smoke tests (ad-hoc backups of a throw-away namespace, no schedule) create restores by hand
    expect(md.slice(0, md.indexOf('## Smoke tests'))).not.toMatch(/velero -n \S+ restore create/);
    expect(md.indexOf('## Smoke tests')).toBeGreaterThan(md.indexOf('### Disaster: the whole cluster rebuilt'));
  });

  test('one PVC lost restores the VolumeSnapshots with the claim (the rendered file says so)', () => {
    const s = section('Disaster: one PVC lost (default/prometheus-data)');
    expect(s).toContain(
      'only persistentvolumeclaims, volumesnapshotcontents.snapshot.storage.k8s.io, volumesnapshots.snapshot.storage.k8s.io',
    );
    expect(s).toContain('kubectl -n default get pvc prometheus-data');
  });

  test('the rebuild does every step a bare cluster needs, in order', () => {
    const s = section('Disaster: the whole cluster rebuilt');
    const order = [
      'argocd-cm',
      'kubectl -n velero create secret generic cloud-credentials --from-file=cloud=',
      'kubectl apply -f dist/bootstrap/',
      'application/backup-crds',
      'application/velero',
      "backupstoragelocation/default --for=jsonpath='{.status.phase}'=Available",
      'kubectl create -f dist/restores/rebuild-cluster-resources.yaml',
      'kubectl create -f dist/restores/rebuild-volumes.yaml',
    ];
    const at = order.map((needle) => s.indexOf(needle));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  test("durations point at the drill's last run, honestly: none for a schedule no drill restores", () => {
    expect(section('Disaster: one PVC lost (default/prometheus-data)')).toContain("grep 'drill result='");
    expect(md).toContain('not measured; no drill restores backups of `weekly-cluster-resources`');
  });

  test('says how to check that ArgoCD excludes what Velero creates', () => {
    expect(md).toContain("kubectl -n argocd get configmap argocd-cm -o jsonpath='{.data.resource\\.exclusions}'");
  });
});

describe('every alert links its runbook section', () => {
  test('every rule of the PrometheusRule has a runbook_url into BACKUP-PLAN.md of the configured repository', () => {
    expect(rules.length).toBeGreaterThan(8);
    for (const r of rules) {
      expect(r.annotations.runbook_url).toBe(
        `https://github.com/homelab/velero-cdk8s/blob/HEAD/dist/BACKUP-PLAN.md#${alertAnchor(r.alert)}`,
      );
    }
  });

  test('each link target exists as a heading in the rendered report', () => {
    for (const r of rules) expect(anchors).toContain(r.annotations.runbook_url.split('#')[1]);
  });

  test("the snapshot-location runbook reads the snapshot-controller's logs where the CSI stack runs it", () => {
    expect(stack.snapshots.namespace).toBe('synology-csi');
    const s = section('Alert: VeleroVolumeSnapshotLocationUnavailable');
    expect(s).toContain('kubectl -n synology-csi logs deploy/snapshot-controller');
    expect(s).not.toContain('kube-system');
  });

  test.each([
    [
      { repoURL: 'https://github.com/o/r.git', targetRevision: 'main', distPath: 'dist' },
      'https://github.com/o/r/blob/main/dist/BACKUP-PLAN.md',
    ],
    [
      { repoURL: 'git@gitlab.lan:ops/backup.git', targetRevision: 'v2', distPath: 'rendered/' },
      'https://gitlab.lan/ops/backup/blob/v2/rendered/BACKUP-PLAN.md',
    ],
    [
      { repoURL: 'ssh://git@git.lan:2222/ops/backup', targetRevision: 'HEAD', distPath: 'dist' },
      'https://git.lan/ops/backup/blob/HEAD/dist/BACKUP-PLAN.md',
    ],
  ])('%j -> %s', (repo, url) => {
    expect(runbookDocumentUrl(repo)).toBe(url);
    expect(alertRunbookUrl(repo)('VeleroBackupFailed')).toBe(`${url}#alert-velerobackupfailed`);
  });
});
