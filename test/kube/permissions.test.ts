/**
 * Least privilege: every rule of every ServiceAccount the default stack renders, against an expected
 * table; the rendered Roles, ClusterRoles and bindings are exactly the declared ones (so docs/permissions.md
 * cannot leave one out); and docs/permissions.md is what `npm run permissions` writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleKeys, renderPermissionsMarkdown, toPolicyRule } from '../../lib/kube/permissions';
import { buildStack, PERMISSIONS_DOC, stackPermissions } from '../fixtures/seed';
import type { K8sObject } from '../helpers';

const stack = buildStack();
const permissions = stackPermissions(stack);
const objs = stack.app.charts.flatMap((c) => c.toJson()) as K8sObject[];
const DRILL = 'restore-drill-daily-critical-pvcs';

describe('every ServiceAccount of the default stack holds exactly the expected rules', () => {
  const KSM = 'monitoring/kube-prometheus-stack-kube-state-metrics';
  test('the ServiceAccounts: the server, the restore drill, the snapshot-controller, and the BSL grant to kube-state-metrics', () => {
    expect(permissions.map((p) => `${p.namespace}/${p.serviceAccount}`)).toEqual([
      'velero/velero',
      `velero/${DRILL}`,
      'synology-csi/snapshot-controller',
      KSM,
    ]);
    // kube-state-metrics' ServiceAccount is kube-prometheus-stack's: bound here, not rendered
    expect(
      objs
        .filter((o) => o.kind === 'ServiceAccount')
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    ).toEqual(
      permissions
        .map((p) => `${p.namespace}/${p.serviceAccount}`)
        .filter((sa) => sa !== KSM)
        .sort(),
    );
  });

  test.each([
    ['velero/velero', ['* */* cluster', '* url:* cluster']],
    [
      'monitoring/kube-prometheus-stack-kube-state-metrics',
      [
        'list velero.io/backupstoragelocations cluster',
        'watch velero.io/backupstoragelocations cluster',
        'list apiextensions.k8s.io/customresourcedefinitions cluster',
        'watch apiextensions.k8s.io/customresourcedefinitions cluster',
      ],
    ],
    [
      `velero/${DRILL}`,
      [
        'create core/namespaces cluster',
        'create core/pods cluster',
        'create velero.io/restores namespace:velero',
        'delete core/namespaces[drill-default,drill-loki,drill-pihole] cluster',
        'delete core/pods cluster',
        'delete snapshot.storage.k8s.io/volumesnapshotcontents cluster',
        'delete velero.io/restores namespace:velero',
        'get core/namespaces[drill-default,drill-loki,drill-pihole] cluster',
        'get core/persistentvolumes cluster',
        'get core/pods cluster',
        'get velero.io/restores namespace:velero',
        'list core/persistentvolumeclaims cluster',
        'list snapshot.storage.k8s.io/volumesnapshotcontents cluster',
        'list velero.io/backups namespace:velero',
        'list velero.io/restores namespace:velero',
        'patch core/persistentvolumes cluster',
      ],
    ],
    [
      'synology-csi/snapshot-controller',
      [
        ...['get', 'list', 'watch'].map((v) => `${v} core/persistentvolumes cluster`),
        ...['get', 'list', 'watch', 'update'].map((v) => `${v} core/persistentvolumeclaims cluster`),
        ...['list', 'watch', 'create', 'update', 'patch'].map((v) => `${v} core/events cluster`),
        ...['get', 'list', 'watch'].map((v) => `${v} snapshot.storage.k8s.io/volumesnapshotclasses cluster`),
        ...['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'].map(
          (v) => `${v} snapshot.storage.k8s.io/volumesnapshotcontents cluster`,
        ),
        'patch snapshot.storage.k8s.io/volumesnapshotcontents/status cluster',
        ...['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'].map(
          (v) => `${v} snapshot.storage.k8s.io/volumesnapshots cluster`,
        ),
        ...['update', 'patch'].map((v) => `${v} snapshot.storage.k8s.io/volumesnapshots/status cluster`),
        ...['get', 'list', 'watch'].map((v) => `${v} groupsnapshot.storage.k8s.io/volumegroupsnapshotclasses cluster`),
        ...['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'].map(
          (v) => `${v} groupsnapshot.storage.k8s.io/volumegroupsnapshotcontents cluster`,
        ),
        'patch groupsnapshot.storage.k8s.io/volumegroupsnapshotcontents/status cluster',
        ...['get', 'list', 'watch', 'update', 'patch'].map(
          (v) => `${v} groupsnapshot.storage.k8s.io/volumegroupsnapshots cluster`,
        ),
        ...['update', 'patch'].map((v) => `${v} groupsnapshot.storage.k8s.io/volumegroupsnapshots/status cluster`),
        ...['get', 'watch', 'list', 'delete', 'update', 'create'].map(
          (v) => `${v} coordination.k8s.io/leases namespace:synology-csi`,
        ),
      ],
    ],
  ])('%s', (sa, expected) => {
    const p = permissions.find((x) => `${x.namespace}/${x.serviceAccount}` === sa)!;
    expect(ruleKeys(p).sort()).toEqual([...expected].sort());
  });

  test('every rule says why it is needed', () => {
    for (const p of permissions) {
      for (const g of p.grants) for (const r of g.rules) expect(r.why.length).toBeGreaterThan(20);
    }
  });

  test("the drill's writes RBAC cannot bound by name are bound by its admission policy", () => {
    const drill = permissions.find((p) => p.serviceAccount === DRILL)!;
    expect(drill.admission?.policies).toHaveLength(5);
    for (const name of drill.admission!.policies) {
      expect(objs.some((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === name)).toBe(true);
    }
  });
});

describe('the rendered RBAC is exactly the declared permissions', () => {
  const bindings = objs.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');

  test('every binding in dist/ binds a declared grant to its declared ServiceAccount', () => {
    const declared = permissions.flatMap((p) =>
      p.grants.map(
        (g) => `${g.binding.kind}/${g.binding.name} ${g.kind}/${g.name} -> ${p.namespace}/${p.serviceAccount}`,
      ),
    );
    const rendered = bindings.map(
      (b) =>
        `${b.kind}/${b.metadata.name} ${b.roleRef.kind}/${b.roleRef.name} -> ${b.subjects
          .map((s: { namespace?: string; name: string }) => `${s.namespace ?? b.metadata.namespace}/${s.name}`)
          .join(',')}`,
    );
    expect(rendered.sort()).toEqual(declared.sort());
  });

  test('every rendered Role and ClusterRole holds exactly the declared rules', () => {
    const roles = objs.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
    const declared = permissions.flatMap((p) => p.grants.filter((g) => g.rendered));
    expect(roles.map((r) => `${r.kind}/${r.metadata.name}`).sort()).toEqual(
      declared.map((g) => `${g.kind}/${g.name}`).sort(),
    );
    for (const g of declared) {
      const role = roles.find((r) => r.kind === g.kind && r.metadata.name === g.name)!;
      expect(role.rules).toEqual(g.rules.map(toPolicyRule));
      if (g.kind === 'Role') expect(role.metadata.namespace).toBe(g.namespace);
    }
  });
});

describe('docs/permissions.md', () => {
  test('is what `npm run permissions` writes from the sources (run it after a change)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', PERMISSIONS_DOC), 'utf8');
    expect(committed).toBe(renderPermissionsMarkdown(permissions));
  });
});
