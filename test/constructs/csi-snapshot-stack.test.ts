import { Chart, Testing } from 'cdk8s';
import { CsiSnapshotStack, type CsiSnapshotStackProps } from '../../constructs/csi-snapshot-stack';
import {
  checkSnapshotterCompatibility,
  compareVersionTags,
  KNOWN_SNAPSHOTTER_VERSIONS,
  SIDECAR_COMPATIBILITY,
  sidecarCompatibilityRule,
  SNAPSHOTTER_RELEASES,
} from '../../lib/versions/snapshotter-compat';
import { SNAPSHOTTER_VERSION } from '../../lib/versions/versions';
import { find, type K8sObject } from '../helpers';

/** The seed's working configuration: v8.2.1 with Synology's v4.2.1 sidecar needs the flag mitigation. */
const SEED: CsiSnapshotStackProps = { preventVolumeModeConversion: false };

/** The seed's Synology choices (main.ts states them), under `props`: the stack's own defaults are neutral. */
const synology = (props: CsiSnapshotStackProps): CsiSnapshotStackProps => ({
  namespace: 'synology-csi',
  snapshotterSidecarVersion: 'v4.2.1',
  ...props,
  volumeSnapshotClass: {
    name: 'synology-snapshot-class',
    driver: 'csi.san.synology.com',
    ...props.volumeSnapshotClass,
  },
});

function render(props: CsiSnapshotStackProps = SEED): { stack: CsiSnapshotStack; objs: K8sObject[] } {
  const chart = Testing.chart();
  const stack = new CsiSnapshotStack(chart, 'CsiSnapshots', synology(props));
  return { stack, objs: Testing.synth(chart) as K8sObject[] };
}

/** The message of the error `fn` throws, to assert it exactly (`toThrow(string)` only checks a substring). */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, none was thrown');
}

const build = (props: CsiSnapshotStackProps) => () =>
  new CsiSnapshotStack(new Chart(Testing.app(), 'test'), 'X', synology(props));
const deployment = (props?: CsiSnapshotStackProps) => find(render(props).objs, 'Deployment', 'snapshot-controller');
const container = (props?: CsiSnapshotStackProps) => deployment(props).spec.template.spec.containers[0];
const snapshotClass = (props?: CsiSnapshotStackProps) =>
  find(render(props).objs, 'VolumeSnapshotClass', props?.volumeSnapshotClass?.name ?? 'synology-snapshot-class');

const CORE_AND_SNAPSHOT_RULES = (volumesnapshotsVerbs: string[]) => [
  { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'update'] },
  { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch', 'create', 'update', 'patch'] },
  { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotclasses'], verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: ['snapshot.storage.k8s.io'],
    resources: ['volumesnapshotcontents'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'],
  },
  { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents/status'], verbs: ['patch'] },
  { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: volumesnapshotsVerbs },
  { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots/status'], verbs: ['update', 'patch'] },
  {
    apiGroups: ['groupsnapshot.storage.k8s.io'],
    resources: ['volumegroupsnapshotclasses'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['groupsnapshot.storage.k8s.io'],
    resources: ['volumegroupsnapshotcontents'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'],
  },
  { apiGroups: ['groupsnapshot.storage.k8s.io'], resources: ['volumegroupsnapshotcontents/status'], verbs: ['patch'] },
  {
    apiGroups: ['groupsnapshot.storage.k8s.io'],
    resources: ['volumegroupsnapshots'],
    verbs: ['get', 'list', 'watch', 'update', 'patch'],
  },
  {
    apiGroups: ['groupsnapshot.storage.k8s.io'],
    resources: ['volumegroupsnapshots/status'],
    verbs: ['update', 'patch'],
  },
];

const V8_BAD_PAIR =
  "csi snapshot stack: snapshotter v8.2.1 with the CSI driver's csi-snapshotter sidecar v4.2.1 is a known-bad pair: " +
  'sidecars before v6.0.0 drop spec.sourceVolumeMode, which these CRDs require once set, so snapshots never become ready; ' +
  "use snapshotterSidecarVersion >= v6.0.0 (with patch RBAC), preventVolumeModeConversion: false, or version: 'v7.0.2' " +
  '(docs/pitfalls.md#source-volume-mode)';

describe('CsiSnapshotStack snapshot-controller RBAC', () => {
  test('GIVEN v8.2.1 WHEN rendered THEN the ClusterRole has exactly the upstream v8.2.1 rules, with create on volumesnapshots', () => {
    const role = find(render().objs, 'ClusterRole', 'velero-cdk8s-snapshot-controller-runner');
    expect(role.rules).toEqual(
      CORE_AND_SNAPSHOT_RULES(['create', 'get', 'list', 'watch', 'update', 'patch', 'delete']),
    );
  });

  test('GIVEN v7.0.2 WHEN rendered THEN the ClusterRole has exactly the upstream v7.0.2 rules, without create on volumesnapshots', () => {
    const role = find(render({ version: 'v7.0.2' }).objs, 'ClusterRole', 'velero-cdk8s-snapshot-controller-runner');
    expect(role.rules).toEqual(CORE_AND_SNAPSHOT_RULES(['get', 'list', 'watch', 'update', 'patch', 'delete']));
  });

  test("GIVEN controller 'replace-upstream' in kube-system WHEN rendered THEN upstream's own names bind the runner role to the controller ServiceAccount", () => {
    const { objs } = render({ ...SEED, namespace: 'kube-system', controller: 'replace-upstream' });
    expect(find(objs, 'ClusterRoleBinding', 'snapshot-controller-role')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'snapshot-controller-runner' },
      subjects: [{ kind: 'ServiceAccount', name: 'snapshot-controller', namespace: 'kube-system' }],
    });
    expect(find(objs, 'ServiceAccount', 'snapshot-controller').metadata.namespace).toBe('kube-system');
  });

  test('GIVEN the default namespace WHEN rendered THEN the leader-election Role and RoleBinding live in synology-csi with a leases-only rule', () => {
    const { objs } = render();
    const role = find(objs, 'Role', 'velero-cdk8s-snapshot-controller-leaderelection');
    expect(role.metadata.namespace).toBe('synology-csi');
    expect(role.rules).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'watch', 'list', 'delete', 'update', 'create'],
      },
    ]);
    const binding = find(objs, 'RoleBinding', 'velero-cdk8s-snapshot-controller-leaderelection');
    expect(binding.metadata.namespace).toBe('synology-csi');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'velero-cdk8s-snapshot-controller-leaderelection',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'snapshot-controller', namespace: 'synology-csi' },
    ]);
  });

  test('GIVEN another namespace WHEN rendered THEN every namespaced object and the lease namespace flag move with it', () => {
    const { objs } = render({ ...SEED, namespace: 'snapshot-controller' });
    const namespaced = objs.filter(
      (o) => !['ClusterRole', 'ClusterRoleBinding', 'VolumeSnapshotClass'].includes(o.kind),
    );
    expect(namespaced.map((o) => `${o.kind}/${o.metadata.namespace}`).sort()).toEqual([
      'Deployment/snapshot-controller',
      'Role/snapshot-controller',
      'RoleBinding/snapshot-controller',
      'ServiceAccount/snapshot-controller',
    ]);
    const args = find(objs, 'Deployment', 'snapshot-controller').spec.template.spec.containers[0].args;
    expect(args).toContain('--leader-election-namespace=snapshot-controller');
  });
});

describe('CsiSnapshotStack snapshot-controller Deployment', () => {
  test('GIVEN v8.2.1 WHEN rendered THEN the image is pinned to v8.2.1, not the v8.2.0 of the upstream manifest', () => {
    expect(container().image).toBe('registry.k8s.io/sig-storage/snapshot-controller:v8.2.1');
  });

  test('GIVEN v7.0.2 WHEN rendered THEN the image is pinned to v7.0.2, not the v6.3.1 of the upstream manifest', () => {
    expect(container({ version: 'v7.0.2' }).image).toBe('registry.k8s.io/sig-storage/snapshot-controller:v7.0.2');
  });

  test('GIVEN no version WHEN rendered THEN image tag and CRD source tag both come from SNAPSHOTTER_VERSION', () => {
    const { stack } = render();
    expect(stack.version).toBe(SNAPSHOTTER_VERSION);
    expect(stack.image).toBe(`registry.k8s.io/sig-storage/snapshot-controller:${SNAPSHOTTER_VERSION}`);
    expect(stack.crdSource).toEqual({
      repoURL: 'https://github.com/kubernetes-csi/external-snapshotter.git',
      targetRevision: SNAPSHOTTER_VERSION,
      path: 'client/config/crd',
    });
  });

  test('GIVEN v7.0.2 WHEN rendered THEN the CRD source follows the same tag', () => {
    expect(render({ version: 'v7.0.2' }).stack.crdSource.targetRevision).toBe('v7.0.2');
  });

  test('GIVEN the seed mitigation WHEN rendered THEN args enable leader election in the explicit namespace and turn volume mode conversion protection off', () => {
    expect(container().args).toEqual([
      '--v=5',
      '--leader-election=true',
      '--leader-election-namespace=synology-csi',
      '--retry-crd-interval-max=30s',
      '--prevent-volume-mode-conversion=false',
    ]);
  });

  test('GIVEN a compatible pair without mitigation WHEN rendered THEN the protection flag is rendered explicitly true', () => {
    expect(container({ snapshotterSidecarVersion: 'v8.2.1' }).args).toContain('--prevent-volume-mode-conversion=true');
  });

  test('GIVEN any version WHEN rendered THEN 2 replicas roll one at a time and become available only after the 30s CRD retry window', () => {
    const d = deployment();
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.minReadySeconds).toBe(35);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(d.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'snapshot-controller' } });
    expect(d.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'snapshot-controller' });
    expect(d.spec.template.spec.serviceAccountName).toBe('snapshot-controller');
  });

  test("GIVEN no resources WHEN rendered THEN the controller gets the seed's 10m/32Mi requests and 50m/64Mi limits", () => {
    expect(container().resources).toEqual({
      requests: { cpu: '10m', memory: '32Mi' },
      limits: { cpu: '50m', memory: '64Mi' },
    });
  });

  test('GIVEN limits below requests WHEN constructed THEN it is refused', () => {
    expect(
      thrown(
        build({
          ...SEED,
          resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '50m', memory: '64Mi' } },
        }),
      ),
    ).toBe(
      "snapshot-controller: resources.limits.cpu '50m' is below resources.requests.cpu '100m'; raise the limit or lower the request",
    );
  });

  test('GIVEN any version WHEN rendered THEN pod and container run as numeric non-root 65532, read-only, no capabilities, RuntimeDefault seccomp', () => {
    const d = deployment();
    expect(d.spec.template.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(d.spec.template.spec.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});

describe('CsiSnapshotStack namespace', () => {
  test('GIVEN the default WHEN rendered THEN no Namespace is rendered: synology-csi belongs to the CSI driver', () => {
    expect(render().objs.filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test('GIVEN createNamespace for a namespace of its own WHEN rendered THEN it is restricted and never pruned', () => {
    const ns = find(
      render({ ...SEED, namespace: 'snapshot-controller', createNamespace: true }).objs,
      'Namespace',
      'snapshot-controller',
    );
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(ns.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
  });

  test("GIVEN createNamespace for synology-csi WHEN constructed THEN it is refused: the driver's namespace is not ours", () => {
    expect(thrown(build({ ...SEED, createNamespace: true }))).toBe(
      "csi snapshot stack: createNamespace cannot render namespace 'synology-csi': it belongs to the Synology CSI driver, whose node plugin needs privileged pods; leave createNamespace off or run the controller in a namespace of its own, e.g. 'snapshot-controller' (docs/pitfalls.md#foreign-namespace)",
    );
  });

  test('GIVEN createNamespace for kube-system WHEN constructed THEN it is refused', () => {
    expect(thrown(build({ ...SEED, namespace: 'kube-system', createNamespace: true }))).toBe(
      "csi snapshot stack: createNamespace cannot render namespace 'kube-system': it belongs to the cluster; leave createNamespace off or run the controller in a namespace of its own, e.g. 'snapshot-controller' (docs/pitfalls.md#foreign-namespace)",
    );
  });

  test('GIVEN an invalid namespace WHEN constructed THEN it is refused', () => {
    expect(thrown(build({ ...SEED, namespace: 'Synology_CSI' }))).toBe(
      "csi snapshot stack: namespace 'Synology_CSI' is not a valid DNS-1123 label; use lowercase letters, digits and '-'",
    );
  });
});

describe('CsiSnapshotStack VolumeSnapshotClass', () => {
  test('GIVEN defaults WHEN rendered THEN synology-snapshot-class targets the Synology driver, carries the Velero label and retains snapshots', () => {
    const cls = snapshotClass();
    expect(cls.apiVersion).toBe('snapshot.storage.k8s.io/v1');
    expect(cls.driver).toBe('csi.san.synology.com');
    expect(cls.deletionPolicy).toBe('Retain');
    expect(cls.metadata.labels?.['velero.io/csi-volumesnapshot-class']).toBe('true');
    expect(cls.parameters).toBeUndefined();
  });

  test('GIVEN isDefaultClass false WHEN rendered THEN the default-class annotation is absent, since Velero checks only for the key', () => {
    expect(
      snapshotClass({ ...SEED, volumeSnapshotClass: { isDefaultClass: false } }).metadata.annotations,
    ).toBeUndefined();
  });

  test('GIVEN isDefaultClass WHEN rendered THEN the snapshot default-class annotation is "true" (not the StorageClass key)', () => {
    expect(snapshotClass({ ...SEED, volumeSnapshotClass: { isDefaultClass: true } }).metadata.annotations).toEqual({
      'snapshot.storage.kubernetes.io/is-default-class': 'true',
    });
  });

  test('GIVEN description and isLocked WHEN rendered THEN they become the Synology string parameters', () => {
    const cls = snapshotClass({ ...SEED, volumeSnapshotClass: { description: 'velero', isLocked: true } });
    expect(cls.parameters).toEqual({ description: 'velero', is_locked: 'true' });
  });

  test('GIVEN a custom name, driver and Delete policy WHEN rendered THEN the class uses them', () => {
    const props = {
      ...SEED,
      volumeSnapshotClass: { name: 'nfs-snaps', driver: 'nfs.csi.k8s.io', deletionPolicy: 'Delete' as const },
    };
    const { stack, objs } = render(props);
    const cls = find(objs, 'VolumeSnapshotClass', 'nfs-snaps');
    expect(cls.driver).toBe('nfs.csi.k8s.io');
    expect(cls.deletionPolicy).toBe('Delete');
    expect([stack.snapshotClassName, stack.driver, stack.deletionPolicy]).toEqual([
      'nfs-snaps',
      'nfs.csi.k8s.io',
      'Delete',
    ]);
  });

  test('GIVEN an invalid driver name WHEN constructed THEN it is refused', () => {
    expect(thrown(build({ ...SEED, volumeSnapshotClass: { driver: 'Synology CSI' } }))).toBe(
      "csi snapshot stack: volumeSnapshotClass.driver 'Synology CSI' is not a CSI driver name; use the driver's DNS-style name (at most 63 characters), e.g. 'csi.san.synology.com'",
    );
  });

  test('GIVEN an invalid class name WHEN constructed THEN it is refused', () => {
    expect(thrown(build({ ...SEED, volumeSnapshotClass: { name: 'Synology_Class' } }))).toBe(
      "csi snapshot stack: volumeSnapshotClass.name 'Synology_Class' is not a valid DNS-1123 subdomain; use lowercase letters, digits, '-' and '.'",
    );
  });

  test('GIVEN an untyped deletionPolicy WHEN constructed THEN it is refused', () => {
    const volumeSnapshotClass = { deletionPolicy: 'retain' } as unknown as CsiSnapshotStackProps['volumeSnapshotClass'];
    expect(thrown(build({ ...SEED, volumeSnapshotClass }))).toBe(
      "csi snapshot stack: volumeSnapshotClass.deletionPolicy 'retain' is not valid; use 'Retain' or 'Delete'",
    );
  });
});

describe('CsiSnapshotStack version x sidecar pairs', () => {
  test('GIVEN v8.2.1 and sidecar v4.2.1 without mitigation (the default props) WHEN constructed THEN it is refused with the reason and the three ways out', () => {
    expect(thrown(build({}))).toBe(V8_BAD_PAIR);
  });

  test('GIVEN v8.2.1 and sidecar v4.2.1 with preventVolumeModeConversion true WHEN constructed THEN it is refused the same way', () => {
    expect(thrown(build({ preventVolumeModeConversion: true }))).toBe(V8_BAD_PAIR);
  });

  test('GIVEN v8.2.1 and sidecar v5.0.1 WHEN constructed THEN it is refused too (still before v6.0.0)', () => {
    expect(thrown(build({ snapshotterSidecarVersion: 'v5.0.1' }))).toBe(
      V8_BAD_PAIR.replace('csi-snapshotter sidecar v4.2.1', 'csi-snapshotter sidecar v5.0.1'),
    );
  });

  test('GIVEN v8.2.1 and sidecar v4.2.1 with preventVolumeModeConversion false WHEN rendered THEN it is mitigated and the flag is in the args', () => {
    const { stack, objs } = render({ preventVolumeModeConversion: false });
    expect(stack.compatibility.verdict).toBe('mitigated');
    expect(stack.compatibility.message).toBe(
      "snapshotter v8.2.1 with the CSI driver's csi-snapshotter sidecar v4.2.1 works only because --prevent-volume-mode-conversion=false keeps spec.sourceVolumeMode unset, so the CRD rule never applies; KEP-3141 volume mode conversion protection stays off until the sidecar is v6.0.0 or later",
    );
    const args = find(objs, 'Deployment', 'snapshot-controller').spec.template.spec.containers[0].args;
    expect(args).toContain('--prevent-volume-mode-conversion=false');
  });

  test('GIVEN v8.2.1 and sidecar v6.0.0 WHEN rendered THEN it is accepted with the protection on', () => {
    const { stack } = render({ snapshotterSidecarVersion: 'v6.0.0' });
    expect(stack.compatibility.verdict).toBe('ok');
    expect(stack.preventVolumeModeConversion).toBe(true);
  });

  test('GIVEN v8.2.1 and sidecar v8.2.1 WHEN rendered THEN it is accepted', () => {
    expect(render({ snapshotterSidecarVersion: 'v8.2.1' }).stack.compatibility.verdict).toBe('ok');
  });

  test('GIVEN v7.0.2 and sidecar v4.2.1 WHEN rendered THEN it is accepted with the protection flag left on', () => {
    const { stack, objs } = render({ version: 'v7.0.2' });
    expect(stack.compatibility.verdict).toBe('ok');
    const args = find(objs, 'Deployment', 'snapshot-controller').spec.template.spec.containers[0].args;
    expect(args).toContain('--prevent-volume-mode-conversion=true');
  });

  test('GIVEN a sidecar before v4.0.0 WHEN constructed THEN it is refused for the v1beta1 API, and the flag does not help', () => {
    expect(thrown(build({ snapshotterSidecarVersion: 'v3.0.3', preventVolumeModeConversion: false }))).toBe(
      "csi snapshot stack: snapshotter v8.2.1 with the CSI driver's csi-snapshotter sidecar v3.0.3 is a known-bad pair: sidecars before v4.0.0 use the snapshot.storage.k8s.io/v1beta1 API, which these CRDs no longer serve (v1beta1 served: false; kubernetes-csi/external-snapshotter:CHANGELOG/CHANGELOG-4.0.md, PR #425); ways out: (1) upgrade the sidecar to v6.0.0 or later (ideally v8.2.1) and set snapshotterSidecarVersion",
    );
  });

  test('GIVEN v7.0.2 and a sidecar before v4.0.0 WHEN constructed THEN it is refused for the v1beta1 API', () => {
    expect(thrown(build({ version: 'v7.0.2', snapshotterSidecarVersion: 'v3.0.3' }))).toBe(
      "csi snapshot stack: snapshotter v7.0.2 with the CSI driver's csi-snapshotter sidecar v3.0.3 is a known-bad pair: sidecars before v4.0.0 use the snapshot.storage.k8s.io/v1beta1 API, which these CRDs no longer serve (v1beta1 served: false; kubernetes-csi/external-snapshotter:CHANGELOG/CHANGELOG-4.0.md, PR #425); ways out: (1) upgrade the sidecar to v4.0.0 or later and set snapshotterSidecarVersion (from v6.0.0, version 'v8.2.1' works too)",
    );
  });

  test('GIVEN an unknown version WHEN constructed THEN it is refused naming the known ones', () => {
    expect(thrown(build({ ...SEED, version: 'v8.3.1' }))).toBe(
      "csi snapshot stack: version 'v8.3.1' is not a known external-snapshotter release; known: v8.6.0, v8.5.0, v8.4.0, v8.3.0, v8.2.1, v8.1.1, v8.0.2, v7.0.2 (a new one needs its RBAC, image and sidecar compatibility in lib/versions/snapshotter-compat.ts)",
    );
  });

  test.each(['latest', '4.2.1', 'v4.2', 'v4.2.1_1', ''])(
    'GIVEN the sidecar version %p WHEN constructed THEN it is refused as not a version tag',
    (bad) => {
      expect(thrown(build({ ...SEED, snapshotterSidecarVersion: bad }))).toBe(
        `csi snapshot stack: snapshotterSidecarVersion '${bad}' is not a version tag; use the sidecar image's tag, vX.Y.Z or a vendor's vX.Y.Z-suffix, e.g. 'v8.2.0' or 'v8.2.0-20250604'`,
      );
    },
  );
});

describe('snapshotter compatibility table', () => {
  test('GIVEN the pinned SNAPSHOTTER_VERSION WHEN looked up THEN it is a known release', () => {
    expect(KNOWN_SNAPSHOTTER_VERSIONS).toContain(SNAPSHOTTER_VERSION);
  });

  test('GIVEN each known release WHEN sidecar versions across all ranges are looked up THEN exactly one row matches each', () => {
    const samples = [
      'v0.0.1',
      'v3.9.9',
      'v4.0.0',
      'v4.2.1',
      'v5.0.1',
      'v5.99.99',
      'v6.0.0',
      'v6.3.3',
      'v8.2.1',
      'v99.0.0',
    ];
    for (const version of KNOWN_SNAPSHOTTER_VERSIONS) {
      for (const sidecar of samples) {
        const rows = SIDECAR_COMPATIBILITY.filter(
          (r) =>
            r.snapshotterVersion === version &&
            (r.sidecarFrom === undefined || compareVersionTags(sidecar, r.sidecarFrom) >= 0) &&
            (r.sidecarBelow === undefined || compareVersionTags(sidecar, r.sidecarBelow) < 0),
        );
        expect(rows).toEqual([sidecarCompatibilityRule(version, sidecar)]);
      }
    }
  });

  test('GIVEN every broken row WHEN listed THEN it names at least one way out', () => {
    for (const row of SIDECAR_COMPATIBILITY.filter((r) => r.verdict === 'broken')) {
      expect(row.waysOut?.length).toBeGreaterThan(0);
    }
  });

  test('GIVEN the release facts WHEN compared THEN only v8.2.1 carries the CEL rule and both controllers default the protection on', () => {
    expect(SNAPSHOTTER_RELEASES['v8.2.1']).toMatchObject({
      sourceVolumeModeRule: true,
      preventVolumeModeConversionDefault: true,
    });
    expect(SNAPSHOTTER_RELEASES['v7.0.2']).toMatchObject({
      sourceVolumeModeRule: false,
      preventVolumeModeConversionDefault: true,
    });
  });

  test('GIVEN a broken pair WHEN checked directly THEN the function returns broken instead of throwing, for the matrix', () => {
    const result = checkSnapshotterCompatibility({ version: 'v8.2.1', sidecarVersion: 'v4.2.1' });
    expect(result.verdict).toBe('broken');
    expect(`csi snapshot stack: ${result.message}`).toBe(V8_BAD_PAIR);
  });
});

describe('CsiSnapshotStack rendered objects', () => {
  test('GIVEN the seed configuration WHEN rendered THEN it matches the snapshot', () => {
    const { objs } = render();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/snapshot-controller',
      'ClusterRole/velero-cdk8s-snapshot-controller-runner',
      'ClusterRoleBinding/velero-cdk8s-snapshot-controller',
      'Role/velero-cdk8s-snapshot-controller-leaderelection',
      'RoleBinding/velero-cdk8s-snapshot-controller-leaderelection',
      'Deployment/snapshot-controller',
      'VolumeSnapshotClass/synology-snapshot-class',
    ]);
    expect(objs).toMatchSnapshot();
  });

  test('GIVEN v7.0.2 WHEN rendered THEN it matches the snapshot', () => {
    expect(render({ version: 'v7.0.2' }).objs).toMatchSnapshot();
  });
});

describe('CsiSnapshotStack next to an existing snapshot-controller', () => {
  const upstreamNames = [
    'snapshot-controller-runner',
    'snapshot-controller-role',
    'snapshot-controller-leaderelection',
  ];

  test("GIVEN controller 'existing' WHEN rendered THEN only the VolumeSnapshotClass is rendered and no CRDs are synced", () => {
    const { objs, stack } = render({ ...SEED, controller: 'existing' });
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['VolumeSnapshotClass/synology-snapshot-class']);
    expect(stack.crdSources).toEqual([]);
    expect(stack.permissions).toBeUndefined();
  });

  test("GIVEN controller 'existing' with crds 'managed' WHEN rendered THEN the CRD Application still syncs the CRDs", () => {
    const { stack } = render({ ...SEED, controller: 'existing', crds: 'managed' });
    expect(stack.crdSources).toEqual([stack.crdSource]);
  });

  test("GIVEN the default (managed) WHEN rendered THEN no cluster-scoped name collides with upstream's default install", () => {
    const { objs, stack } = render();
    expect(stack.crdSources).toEqual([stack.crdSource]);
    const names = objs
      .filter((o) => o.kind.startsWith('Cluster') || o.kind.startsWith('Role'))
      .map((o) => o.metadata.name);
    for (const n of upstreamNames) expect(names).not.toContain(n);
  });

  test("GIVEN controller 'managed' in kube-system WHEN constructed THEN it is refused: it would overwrite upstream's install", () => {
    expect(thrown(build({ ...SEED, namespace: 'kube-system' }))).toBe(
      "csi snapshot stack: namespace 'kube-system' with controller 'managed' would overwrite upstream's default install (Deployment and ServiceAccount kube-system/snapshot-controller); set controller: 'replace-upstream' to take it over on purpose, 'existing' to keep it, or run in another namespace",
    );
  });
});
