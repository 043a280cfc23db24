/**
 * The restore drill's ValidatingAdmissionPolicies (one per kind), their CEL evaluated by a real CEL
 * implementation (@marcbachmann/cel-js) against admission requests shaped as the API server sends them:
 * `request`, `object` (null on DELETE), `oldObject` (null on CREATE). The Restore is the one the runner builds
 * from the rendered CronJob's env (restoreSpec(drillRestoreRequest(configFromEnv(env)))), never written by hand.
 */
import { parse } from '@marcbachmann/cel-js';
import { configFromEnv, drillRestoreRequest, DRILL_LABEL } from '../../drill/config';
import { verifyPodManifest } from '../../drill/verify-pod';
import { DRILL_POLICY_LABEL, drillPolicies, serviceAccountUsername } from '../../lib/drill/drill-policy';
import { restoreSpec } from '../../lib/restore/restore-spec';
import { validateObjects } from '../../lib/validation/schema';
import { buildStack } from '../fixtures/seed';
import { find, type K8sObject } from '../helpers';

const stack = buildStack();
const drill = stack.drill;
const policies = drillPolicies(drill.policyInput);
const SA = serviceAccountUsername(drill.namespace, drill.name);
const IMAGE = drill.image;
const rendered = stack.app.charts.flatMap((c) => c.toJson()) as K8sObject[];
/** The env of the rendered CronJob's container, as the runner reads it. */
const cronJobEnv = Object.fromEntries(
  (
    find(rendered, 'CronJob', drill.name).spec.jobTemplate.spec.template.spec.containers[0].env as {
      name: string;
      value: string;
    }[]
  ).map((e) => [e.name, e.value]),
);
const runnerConfig = configFromEnv(cronJobEnv);

type Obj = Record<string, unknown> | null;
interface Request {
  readonly group?: string;
  readonly resource: string;
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly namespace?: string;
  readonly name: string;
  readonly object?: Obj;
  readonly oldObject?: Obj;
  readonly username?: string;
}

const compiled = policies.map((p) => ({
  rule: p.spec.matchConstraints.resourceRules[0],
  match: p.spec.matchConditions.map((m) => parse(m.expression)),
  validations: p.spec.validations.map((v) => ({ run: parse(v.expression), message: v.message })),
}));

/** What the API server does with the request: skipped (another user), allowed, or denied with the messages. */
function admit(r: Request): { matched: boolean; denied: string[]; errors: string[] } {
  const policy = compiled.filter(
    (p) =>
      p.rule.apiGroups.includes(r.group ?? '') &&
      (p.rule.resources as string[]).includes(r.resource) &&
      p.rule.operations.includes(r.operation),
  );
  if (policy.length !== 1) throw new Error(`${policy.length} policies match ${r.resource} ${r.operation}`);
  const vars = {
    request: {
      operation: r.operation,
      namespace: r.namespace ?? '',
      name: r.name,
      resource: { group: r.group ?? '', version: 'v1', resource: r.resource },
      userInfo: { username: r.username ?? SA },
    },
    object: r.object ?? null,
    oldObject: r.oldObject ?? null,
  };
  const matched = policy[0].match.every((m) => m(vars) === true);
  if (!matched) return { matched, denied: [], errors: [] };
  // failurePolicy Fail: an evaluation error refuses the request too; the tests want none (a refusal must be a false)
  const errors: string[] = [];
  const denied = policy[0].validations
    .filter((v) => {
      try {
        return v.run(vars) !== true;
      } catch (e) {
        errors.push(`${v.message}: ${(e as Error).message}`);
        return true;
      }
    })
    .map((v) => v.message);
  return { matched, denied, errors };
}

const own = { [DRILL_LABEL]: drill.name };
const namespace = (name: string, labels: Record<string, string> = own) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const verifyPod = (ns: string, patch: (p: Record<string, any>) => void = () => undefined) => {
  const pod = verifyPodManifest({
    name: 'verify-0-storage-loki-0',
    namespace: ns,
    pvc: 'storage-loki-0',
    paths: ['/chunks'],
    image: IMAGE,
    drillName: drill.name,
    deadlineSeconds: 1200,
  }) as Record<string, any>;
  patch(pod);
  return pod;
};
const pv = (claimNamespace: string, policy: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pvc-1234' },
  spec: {
    persistentVolumeReclaimPolicy: policy,
    claimRef: { kind: 'PersistentVolumeClaim', namespace: claimNamespace, name: 'storage-loki-0', uid: 'u-1' },
    csi: { driver: 'csi.san.synology.com', volumeHandle: 'h-1' },
  },
});
const content = (refNamespace: string, deletionPolicy = 'Retain') => ({
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshotContent',
  metadata: { name: 'velero-storage-loki-0-abcde' },
  spec: {
    deletionPolicy,
    driver: 'csi.san.synology.com',
    source: { snapshotHandle: 'snap-1' },
    volumeSnapshotRef: { kind: 'VolumeSnapshot', namespace: refNamespace, name: 'velero-storage-loki-0-abcde' },
  },
});
/** The runner's Restore (drill/runner.ts create-restore), from the rendered CronJob's env, with `specPatch` over it. */
const restore = (specPatch: Record<string, unknown> = {}, labels: Record<string, string> = own) => ({
  apiVersion: 'velero.io/v1',
  kind: 'Restore',
  metadata: { name: 'drill-daily-critical-pvcs-20260101050000', namespace: 'velero', labels },
  spec: JSON.parse(
    JSON.stringify({
      ...restoreSpec(drillRestoreRequest(runnerConfig, 'daily-critical-pvcs-20260101020000')),
      ...specPatch,
    }),
  ),
});
const MODIFIER = drill.config.resourceModifier!;

describe("the restore drill's admission policy refuses what it does not own", () => {
  test.each<[string, Request]>([
    [
      'DELETE of namespace kube-system',
      { resource: 'namespaces', operation: 'DELETE', name: 'kube-system', oldObject: namespace('kube-system', {}) },
    ],
    [
      'DELETE of the real namespace loki',
      { resource: 'namespaces', operation: 'DELETE', name: 'loki', oldObject: namespace('loki', {}) },
    ],
    [
      'CREATE of namespace prod',
      { resource: 'namespaces', operation: 'CREATE', name: 'prod', object: namespace('prod') },
    ],
    [
      'CREATE of a scratch namespace without its label',
      { resource: 'namespaces', operation: 'CREATE', name: 'drill-loki', object: namespace('drill-loki', {}) },
    ],
    [
      'DELETE of a scratch-named namespace it did not create (no label)',
      { resource: 'namespaces', operation: 'DELETE', name: 'drill-loki', oldObject: namespace('drill-loki', {}) },
    ],
    [
      'a privileged pod in drill-loki',
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-loki',
        name: 'x',
        object: verifyPod('drill-loki', (p) => (p.spec.containers[0].securityContext.privileged = true)),
      },
    ],
    [
      'a hostPath pod in drill-loki',
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-loki',
        name: 'x',
        object: verifyPod('drill-loki', (p) => p.spec.volumes.push({ name: 'root', hostPath: { path: '/' } })),
      },
    ],
    [
      'a hostNetwork pod in drill-loki',
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-loki',
        name: 'x',
        object: verifyPod('drill-loki', (p) => (p.spec.hostNetwork = true)),
      },
    ],
    [
      'a hostPID pod in drill-loki',
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-loki',
        name: 'x',
        object: verifyPod('drill-loki', (p) => (p.spec.hostPID = true)),
      },
    ],
    [
      'a pod with another image in drill-loki',
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-loki',
        name: 'x',
        object: verifyPod('drill-loki', (p) => (p.spec.containers[0].image = 'alpine:3')),
      },
    ],
    [
      'a pod with a service-account token in drill-loki',
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-loki',
        name: 'x',
        object: verifyPod('drill-loki', (p) => delete p.spec.automountServiceAccountToken),
      },
    ],
    [
      'a pod with an added capability in drill-loki',
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-loki',
        name: 'x',
        object: verifyPod('drill-loki', (p) => (p.spec.containers[0].securityContext.capabilities.add = ['SYS_ADMIN'])),
      },
    ],
    [
      'the verify pod in kube-system',
      { resource: 'pods', operation: 'CREATE', namespace: 'kube-system', name: 'x', object: verifyPod('kube-system') },
    ],
    [
      'DELETE of a pod in loki',
      { resource: 'pods', operation: 'DELETE', namespace: 'loki', name: 'loki-0', oldObject: verifyPod('loki') },
    ],
    [
      'DELETE of an unlabelled pod in drill-loki',
      {
        resource: 'pods',
        operation: 'DELETE',
        namespace: 'drill-loki',
        name: 'x',
        oldObject: verifyPod('drill-loki', (p) => (p.metadata.labels = {})),
      },
    ],
    [
      'PV patch of a PV bound in loki',
      {
        resource: 'persistentvolumes',
        operation: 'UPDATE',
        name: 'pvc-1234',
        oldObject: pv('loki', 'Retain'),
        object: pv('loki', 'Delete'),
      },
    ],
    [
      'PV patch that rebinds a scratch PV to loki',
      {
        resource: 'persistentvolumes',
        operation: 'UPDATE',
        name: 'pvc-1234',
        oldObject: pv('drill-loki', 'Retain'),
        object: pv('loki', 'Delete'),
      },
    ],
    [
      'PV patch of a scratch PV to Retain',
      {
        resource: 'persistentvolumes',
        operation: 'UPDATE',
        name: 'pvc-1234',
        oldObject: pv('drill-loki', 'Delete'),
        object: pv('drill-loki', 'Retain'),
      },
    ],
    [
      'DELETE of a VolumeSnapshotContent of loki',
      {
        group: 'snapshot.storage.k8s.io',
        resource: 'volumesnapshotcontents',
        operation: 'DELETE',
        name: 'c',
        oldObject: content('loki'),
      },
    ],
    [
      'DELETE of a scratch VolumeSnapshotContent with deletionPolicy Delete',
      {
        group: 'snapshot.storage.k8s.io',
        resource: 'volumesnapshotcontents',
        operation: 'DELETE',
        name: 'c',
        oldObject: content('drill-loki', 'Delete'),
      },
    ],
    [
      'a Restore into the real namespaces (no namespaceMapping)',
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore({ namespaceMapping: {} }),
      },
    ],
    [
      'a Restore mapping loki onto pihole',
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore({ namespaceMapping: { ...drill.namespaceMapping, loki: 'pihole' } }),
      },
    ],
    [
      'a Restore of cluster resources',
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore({ includeClusterResources: true }),
      },
    ],
    [
      'a Restore with hooks',
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore({ hooks: { resources: [] } }),
      },
    ],
    ...(
      [
        ['another ConfigMap', { kind: 'ConfigMap', name: 'evil-patches' }],
        ['its ConfigMap under another kind', { kind: 'Secret', name: 'restore-strip-argocd-tracking' }],
        [
          'its ConfigMap in another API group',
          { apiGroup: 'example.com', kind: 'ConfigMap', name: 'restore-strip-argocd-tracking' },
        ],
      ] as const
    ).map(([what, resourceModifier]): [string, Request] => [
      `a Restore naming ${what} as its resource modifier`,
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore({ resourceModifier }),
      },
    ]),
    [
      "DELETE of a Restore that is not the drill's",
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'DELETE',
        namespace: 'velero',
        name: 'r',
        oldObject: restore({}, {}),
      },
    ],
  ])('%s is refused', (_, request) => {
    const { matched, denied, errors } = admit(request);
    expect(matched).toBe(true);
    expect(errors).toEqual([]);
    expect(denied).toHaveLength(1);
  });

  test('the refusal names the rule: deleting kube-system', () => {
    expect(
      admit({
        resource: 'namespaces',
        operation: 'DELETE',
        name: 'kube-system',
        oldObject: namespace('kube-system', {}),
      }).denied,
    ).toEqual([
      `the restore drill may delete only its scratch namespaces (drill-default, drill-loki, drill-pihole) that carry ${DRILL_POLICY_LABEL}=${drill.name}`,
    ]);
  });
});

describe("the restore drill's admission policy allows its own", () => {
  test.each<[string, Request]>([
    [
      'CREATE of drill-loki with its label',
      { resource: 'namespaces', operation: 'CREATE', name: 'drill-loki', object: namespace('drill-loki') },
    ],
    [
      'DELETE of drill-loki with its label',
      { resource: 'namespaces', operation: 'DELETE', name: 'drill-loki', oldObject: namespace('drill-loki') },
    ],
    [
      "the runner's verify pod in drill-loki",
      { resource: 'pods', operation: 'CREATE', namespace: 'drill-loki', name: 'x', object: verifyPod('drill-loki') },
    ],
    [
      "the runner's verify pod as the API server stores it (serviceAccountName defaulted)",
      {
        resource: 'pods',
        operation: 'CREATE',
        namespace: 'drill-pihole',
        name: 'x',
        object: verifyPod('drill-pihole', (p) => (p.spec.serviceAccountName = 'default')),
      },
    ],
    [
      'DELETE of its verify pod',
      { resource: 'pods', operation: 'DELETE', namespace: 'drill-loki', name: 'x', oldObject: verifyPod('drill-loki') },
    ],
    [
      'PV patch to Delete of a PV bound in drill-loki',
      {
        resource: 'persistentvolumes',
        operation: 'UPDATE',
        name: 'pvc-1234',
        oldObject: pv('drill-loki', 'Retain'),
        object: pv('drill-loki', 'Delete'),
      },
    ],
    [
      'DELETE of a Retain VolumeSnapshotContent of drill-pihole',
      {
        group: 'snapshot.storage.k8s.io',
        resource: 'volumesnapshotcontents',
        operation: 'DELETE',
        name: 'c',
        oldObject: content('drill-pihole'),
      },
    ],
    [
      "the runner's Restore",
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore(),
      },
    ],
    [
      "the runner's Restore naming the tracking strip with apiGroup ''",
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore({ resourceModifier: { apiGroup: '', kind: 'ConfigMap', name: MODIFIER } }),
      },
    ],
    [
      'a Restore without a resource modifier',
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'CREATE',
        namespace: 'velero',
        name: 'r',
        object: restore({ resourceModifier: undefined }),
      },
    ],
    [
      'DELETE of its Restore',
      {
        group: 'velero.io',
        resource: 'restores',
        operation: 'DELETE',
        namespace: 'velero',
        name: 'r',
        oldObject: restore(),
      },
    ],
  ])('%s is allowed', (_, request) => {
    expect(admit(request)).toEqual({ matched: true, denied: [], errors: [] });
  });

  test('another user (the Velero server itself) is not matched at all', () => {
    const r = admit({
      resource: 'namespaces',
      operation: 'DELETE',
      name: 'kube-system',
      oldObject: namespace('kube-system', {}),
      username: 'system:serviceaccount:velero:velero',
    });
    expect(r.matched).toBe(false);
  });
});

describe("the runner's Restore", () => {
  test("names the stack's tracking-strip ConfigMap as its resource modifier (what the Restore rule must allow)", () => {
    expect(restore().spec.resourceModifier).toEqual({ kind: 'ConfigMap', name: MODIFIER });
    expect(MODIFIER).toBe(stack.trackingModifiers.name);
  });
});

describe('the rendered policies', () => {
  const objs = rendered.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'));

  test.each(policies.map((p) => [p.name, p] as const))(
    '%s is admissionregistration.k8s.io/v1, fails closed, matches one kind at a pinned version, and the drill ServiceAccount only',
    (name, p) => {
      const policy = find(objs, 'ValidatingAdmissionPolicy', name);
      expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(policy.spec.failurePolicy).toBe('Fail');
      expect(policy.spec.matchConditions).toEqual([
        {
          name: 'restore-drill-service-account',
          expression: `request.userInfo.username == 'system:serviceaccount:velero:restore-drill-daily-critical-pvcs'`,
        },
      ]);
      const rules = policy.spec.matchConstraints.resourceRules;
      expect(rules).toHaveLength(1);
      expect(rules[0].resources).toEqual([p.resource]);
      expect(rules[0].apiVersions).toEqual(['v1']);
      expect(policy.spec).toEqual(JSON.parse(JSON.stringify(p.spec)));
    },
  );

  test('are one per kind the drill writes', () => {
    expect(objs.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => o.metadata.name)).toEqual(
      ['namespaces', 'pods', 'persistentvolumes', 'volumesnapshotcontents', 'restores'].map(
        (r) => `${drill.clusterRoleName}-${r}`,
      ),
    );
  });

  test('validate against kubernetes-models (admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy, Kubernetes 1.30+)', () => {
    const asFiles = (list: K8sObject[]) => list.map((object) => ({ file: `velero/${object.kind}.yaml`, object }));
    expect(validateObjects(asFiles(objs), { crdDir: false }).errors).toEqual([]);
    const broken = objs.map((o) =>
      o.kind === 'ValidatingAdmissionPolicy' ? { ...o, spec: { ...o.spec, validation: [] } } : o,
    );
    expect(validateObjects(asFiles(broken), { crdDir: false }).errors.join('\n')).toMatch(
      /ValidatingAdmissionPolicy .*spec\.validation/,
    );
  });

  test.each(policies.map((p) => [p.name] as const))(
    '%s is bound by its own binding with validationActions Deny',
    (name) => {
      const binding = find(objs, 'ValidatingAdmissionPolicyBinding', name);
      expect(binding.spec).toEqual({ policyName: name, validationActions: ['Deny'] });
    },
  );

  test('see every write the drill ServiceAccount is granted (RBAC verbs create, delete, patch)', () => {
    const granted = new Set<string>();
    for (const g of drill.permissions.grants) {
      for (const r of g.rules) {
        for (const v of r.verbs.filter((x) => ['create', 'delete', 'patch', 'update'].includes(x))) {
          for (const res of r.resources ?? [])
            granted.add(`${r.apiGroups?.[0] ?? ''}/${res} ${v === 'patch' ? 'UPDATE' : v.toUpperCase()}`);
        }
      }
    }
    const matched = new Set(
      policies.flatMap((p) =>
        p.spec.matchConstraints.resourceRules.flatMap((r) =>
          r.resources.flatMap((res) => r.operations.map((o) => `${r.apiGroups[0]}/${res} ${o}`)),
        ),
      ),
    );
    expect([...granted].sort()).toEqual([...matched].sort());
  });
});
