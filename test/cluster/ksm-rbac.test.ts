/**
 * RBAC of kube-state-metrics' ServiceAccount for what its custom-resource-state reader calls (issue 22): the
 * calls come from the rendered config (each `spec.resources[].groupVersionKind`, resolved through the emulated
 * discovery), never written by hand. kube-state-metrics lists and watches each configured resource across all
 * namespaces (kubernetes/kube-state-metrics@v2.17.0 pkg/customresourcestate/custom_resource_metrics.go
 * `customResourceMetrics.ListWatch`: the dynamic client's `List` and `Watch` of the resource in `ns`, all
 * namespaces when kube-state-metrics is given none). The rendered
 * ClusterRole and binding must allow exactly those calls, through the emulated RBAC authorizer (rbac.ts).
 */
import { parse } from 'yaml';
import { buildConfig, type SingleCluster } from '../../constructs/backup-fleet';
import type { BackupStack } from '../../constructs/backup-stack';
import { KSM_CONFIG_KEY, KSM_CONFIG_MAP } from '../../lib/alerts/storage-location-status';
import { loadConfigFile } from '../../lib/config/load';
import { renderApp } from '../../lib/output/output';
import { VELERO_LINES } from '../../lib/versions/velero-lines';
import { buildStack } from '../fixtures/seed';
import { rbacAllows, serviceAccountUser, type RbacObjects } from './rbac';
import type { KubeObject } from './types';
import { resourceOfObject } from './velero/discovery';
import { REPO } from './velero/renders';
import { join } from 'node:path';

interface KsmRender {
  readonly stack: BackupStack;
  readonly objects: readonly KubeObject[];
}

const b2 = buildConfig(loadConfigFile(join(REPO, 'examples', 'b2-homelab.yaml'))) as SingleCluster;
const RENDERS: [string, KsmRender][] = [
  ...VELERO_LINES.map((l): [string, KsmRender] => {
    const s = buildStack({ version: l.newestReadTag });
    return [
      `seed on ${l.newestReadTag}`,
      { stack: s.stack, objects: renderApp(s.app).map((o) => o.object as KubeObject) },
    ];
  }),
  ['examples/b2-homelab.yaml', { stack: b2.stack, objects: b2.objects.map((o) => o.object as KubeObject) }],
];
const CASES = RENDERS.filter(([, r]) => r.stack.alerts.storageLocationMetrics);

const rbacOf = (objects: readonly KubeObject[]): RbacObjects => ({
  roles: objects.filter((o) => o.kind === 'Role'),
  clusterRoles: objects.filter((o) => o.kind === 'ClusterRole'),
  roleBindings: objects.filter((o) => o.kind === 'RoleBinding'),
  clusterRoleBindings: objects.filter((o) => o.kind === 'ClusterRoleBinding'),
});

/** The list and watch calls of the custom-resource-state reader, from the rendered config. */
function readerCalls(r: KsmRender): { verb: string; apiGroup: string; resource: string }[] {
  const ksm = r.stack.alerts.storageLocationMetrics!;
  const cm = r.objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.namespace === ksm.namespace && o.metadata.name === KSM_CONFIG_MAP,
  );
  const config = parse((cm!.data as Record<string, string>)[KSM_CONFIG_KEY]) as {
    spec: { resources: { groupVersionKind: { group: string; version: string; kind: string } }[] };
  };
  return config.spec.resources.flatMap(({ groupVersionKind: g }) => {
    const res = resourceOfObject({ apiVersion: `${g.group}/${g.version}`, kind: g.kind });
    return ['list', 'watch'].map((verb) => ({ verb, apiGroup: res.group, resource: res.resource }));
  });
}

test('the table holds the Velero lines without the storage-location gauge and the B2 example', () => {
  expect(CASES.map(([name]) => name)).toEqual(['seed on v1.15.2', 'seed on v1.16.2', 'examples/b2-homelab.yaml']);
});

describe.each(CASES)('%s', (_, r) => {
  const ksm = r.stack.alerts.storageLocationMetrics!;
  const user = serviceAccountUser(ksm.namespace, ksm.serviceAccountName);
  const rbac = rbacOf(r.objects);

  test("kube-state-metrics' ServiceAccount may list and watch every resource its custom-resource-state config reads", () => {
    const calls = readerCalls(r);
    expect(calls.map((c) => `${c.verb} ${c.apiGroup}/${c.resource}`)).toEqual([
      'list velero.io/backupstoragelocations',
      'watch velero.io/backupstoragelocations',
    ]);
    expect(calls.filter((c) => !rbacAllows(rbac, { user, ...c }))).toEqual([]);
  });

  test.each([
    ['get', '', 'secrets'],
    ['create', 'velero.io', 'backupstoragelocations'],
    ['list', 'velero.io', 'backups'],
  ])('and nothing else: %s %s/%s is refused', (verb, apiGroup, resource) => {
    expect(rbacAllows(rbac, { user, verb, apiGroup, resource })).toBe(false);
  });
});
