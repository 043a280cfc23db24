/**
 * RBAC of the rendered snapshot-controller's ServiceAccount for what the controller calls (issue 22): the calls
 * are the rules of upstream's rbac-snapshot-controller.yaml at the release's tag (`snapshotControllerRules`, which
 * test/storage/csi-drivers.test.ts proves equal to upstream's file; the leader-election Role's lease calls in the
 * controller's own namespace, `--leader-election-namespace` defaulting to the pod's), each verb of each resource.
 * The identity is the rendered Deployment's pod ServiceAccount; the authorizer is the emulated RBAC (rbac.ts) over
 * the rendered Roles, ClusterRoles and bindings. Every config whose stack deploys the controller is in the table.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'cdk8s';
import { buildConfig, type BackupFleet, type SingleCluster } from '../../constructs/backup-fleet';
import type { BackupStack } from '../../constructs/backup-stack';
import { LEADER_ELECTION_RULES, snapshotControllerRules } from '../../constructs/csi-snapshot-stack';
import { loadConfigFile } from '../../lib/config/load';
import type { ExplainedRule } from '../../lib/kube/permissions';
import { renderApp } from '../../lib/output/output';
import { buildStack } from '../fixtures/seed';
import { rbacAllows, serviceAccountUser, type RbacObjects, type RequestAttributes } from './rbac';
import type { KubeObject } from './types';
import { REPO } from './velero/renders';

type Built = { readonly app: App; readonly stack: BackupStack };
const examples = readdirSync(join(REPO, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f): [string, Built][] => {
    const built = buildConfig(loadConfigFile(join(REPO, 'examples', f)));
    return 'clusters' in built
      ? (built as BackupFleet).clusters.map((c): [string, Built] => [`examples/${f} cluster ${c.name}`, c])
      : [[`examples/${f}`, built as SingleCluster]];
  });
const CASES = [['seed', buildStack()] as [string, Built], ...examples].filter(
  ([, b]) => b.stack.snapshots && b.stack.snapshots.controller !== 'existing',
);

const rbacOf = (objects: readonly KubeObject[]): RbacObjects => ({
  roles: objects.filter((o) => o.kind === 'Role'),
  clusterRoles: objects.filter((o) => o.kind === 'ClusterRole'),
  roleBindings: objects.filter((o) => o.kind === 'RoleBinding'),
  clusterRoleBindings: objects.filter((o) => o.kind === 'ClusterRoleBinding'),
});

/** Every call a rule stands for: each verb of each resource of each group, in `namespace` (cluster-wide: none). */
const callsOf = (rules: readonly ExplainedRule[], namespace?: string) =>
  rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((apiGroup) =>
      (r.resources ?? []).flatMap((resource) => r.verbs.map((verb) => ({ verb, apiGroup, resource, namespace }))),
    ),
  );

test('the table is not empty: the seed deploys its own snapshot-controller', () => {
  expect(CASES.map(([name]) => name)).toContain('seed');
});

describe.each(CASES)('%s', (_, { app, stack }) => {
  const objects = renderApp(app).map((o) => o.object as KubeObject);
  const snapshots = stack.snapshots!;
  const deployment = objects.find(
    (o) =>
      o.kind === 'Deployment' &&
      (o.spec as any).template.spec.containers.some((c: { image: string }) =>
        c.image.includes('/snapshot-controller:'),
      ),
  )!;
  const namespace = deployment.metadata.namespace!;
  const user = serviceAccountUser(namespace, (deployment.spec as any).template.spec.serviceAccountName);
  const rbac = rbacOf(objects);
  const refused = (calls: Omit<RequestAttributes, 'user'>[]) =>
    calls.filter((c) => !rbacAllows(rbac, { user, ...c })).map((c) => `${c.verb} ${c.apiGroup}/${c.resource}`);

  test("its ServiceAccount may make every call of upstream's ClusterRole at the release's tag, in every namespace", () => {
    const calls = callsOf(snapshotControllerRules(snapshots.release));
    expect(calls.length).toBeGreaterThan(10);
    expect(refused(calls)).toEqual([]);
  });

  test('and take its leader-election lease in its own namespace, nowhere else', () => {
    expect(refused(callsOf(LEADER_ELECTION_RULES, namespace))).toEqual([]);
    expect(refused(callsOf(LEADER_ELECTION_RULES, 'default'))).toEqual(
      callsOf(LEADER_ELECTION_RULES).map((c) => `${c.verb} ${c.apiGroup}/${c.resource}`),
    );
  });
});
