/**
 * Issue 23, the CSI side: neutral defaults, driver profiles, the cluster's own VolumeSnapshotClass, the
 * external-snapshotter lines v7.0.2-v8.6.0 with the Velero line each suits, and a plan that speaks of the user's
 * storage. Stacks are built from configs as a user's YAML is; the plan and runbooks are read from their output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { snapshotControllerRules } from '../../constructs/csi-snapshot-stack';
import { toPolicyRule } from '../../lib/kube/permissions';
import { BackupStack } from '../../constructs/backup-stack';
import type { BackupStackConfig, CsiConfig } from '../../lib/config/types';
import { renderApp } from '../../lib/output/output';
import { backupPlan, renderPlanMarkdown } from '../../lib/plan/plan';
import {
  CSI_DRIVER_IDS,
  CSI_DRIVER_PROFILES,
  csiDriverProfile,
  snapshotPlacement,
  storageWords,
} from '../../lib/storage/csi-drivers';
import {
  checkSnapshotterCompatibility,
  KNOWN_SNAPSHOTTER_VERSIONS,
  SNAPSHOTTER_RELEASES,
  snapshotterSuitsVelero,
  versionCore,
  veleroLinesSuitedBy,
} from '../../lib/versions/snapshotter-compat';

const LOCATION = { provider: 'backblaze-b2', bucket: 'velero-homelab' } as const;
const DAILY = { name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['apps'] } as const;
const LONGHORN = { volumeSnapshotClass: { driver: 'driver.longhorn.io' } } as const;
const LONGHORN_EXISTING: CsiConfig = {
  controller: 'existing',
  volumeSnapshotClass: { driver: 'driver.longhorn.io', existing: 'longhorn-snapshot-vsc' },
};

const stackOf = (csi: CsiConfig | undefined, release: BackupStackConfig['release'] = {}) =>
  new BackupStack(new App(), 'Stack', {
    storageLocations: [LOCATION],
    schedules: [DAILY],
    release,
    ...(csi ? { csi } : {}),
  });
const objectsOf = (stack: BackupStack) => renderApp(stack.node.scope as App).map((o) => ({ ...o, o: o.object as any }));
const kinds = (stack: BackupStack, folder: string) =>
  objectsOf(stack)
    .filter((x) => x.folder === folder)
    .map((x) => `${x.o.kind}/${x.o.metadata.name}`)
    .sort();
const planOf = (stack: BackupStack) => renderPlanMarkdown(backupPlan(stack.plan));
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('neutral defaults', () => {
  test('a minimal config (one location, one schedule) naming no driver renders no csi-snapshots folder, and its plan says what to put', () => {
    const stack = stackOf(undefined);
    expect(kinds(stack, 'csi-snapshots')).toEqual([]);
    expect(planOf(stack)).toContain(
      '> **Warning:** No CSI driver named, so volume data is not backed up by snapshots. Set `csi.volumeSnapshotClass.driver: <your StorageClass provisioner>`',
    );
  });

  test('an empty driver name is still refused, in one line saying what to put', () => {
    expect(refusal(() => stackOf({ volumeSnapshotClass: { driver: '' } }))).toBe(
      "csi.volumeSnapshotClass.driver: not set; name your PVs' CSI driver, their StorageClass's provisioner (kubectl get storageclass), e.g. 'driver.longhorn.io', or set csi.enabled: false (docs/pitfalls.md#csi-driver)",
    );
  });

  test.each([
    ['naming no driver', undefined, {}],
    ['naming its driver', LONGHORN as CsiConfig, {}],
    ['with CSI off', { enabled: false } as CsiConfig, { csiSnapshots: false }],
  ])('a minimal config %s synthesizes', (_what, csi, release) => {
    expect(objectsOf(stackOf(csi, release)).length).toBeGreaterThan(10);
  });

  test('with only a driver named, the controller runs in a namespace of its own, rendered restricted, and nothing says Synology', () => {
    const stack = stackOf(LONGHORN);
    expect(kinds(stack, 'csi-snapshots')).toEqual([
      'ClusterRole/velero-cdk8s-snapshot-controller-runner',
      'ClusterRoleBinding/velero-cdk8s-snapshot-controller',
      'Deployment/snapshot-controller',
      'Namespace/snapshot-controller',
      'Role/velero-cdk8s-snapshot-controller-leaderelection',
      'RoleBinding/velero-cdk8s-snapshot-controller-leaderelection',
      'ServiceAccount/snapshot-controller',
      'VolumeSnapshotClass/velero-snapshot-class',
    ]);
    const everything = JSON.stringify(objectsOf(stack).map((x) => x.o)) + planOf(stack);
    expect(everything).not.toMatch(/synology|the NAS/i);
  });

  test('a driver whose sidecar version is not given is rendered, its pair reported as unchecked in the plan', () => {
    expect(stackOf(LONGHORN).snapshots!.compatibility.verdict).toBe('unchecked');
    expect(planOf(stackOf(LONGHORN))).toContain('sidecar version is not given, so the pair is not checked');
  });
});

describe('driver profiles', () => {
  test.each(CSI_DRIVER_IDS.map((id) => [id, CSI_DRIVER_PROFILES[id]] as const))(
    '%s: its driver name matches its own profile and no other',
    (id, profile) => {
      expect(csiDriverProfile(profile.driver)?.id).toBe(id);
      expect(CSI_DRIVER_IDS.filter((other) => CSI_DRIVER_PROFILES[other].matches.test(profile.driver))).toEqual([id]);
    },
  );

  test.each([
    ['rook-ceph.rbd.csi.ceph.com', 'rook-ceph-rbd'],
    ['storage.rbd.csi.ceph.com', 'rook-ceph-rbd'],
    ['rook-ceph.cephfs.csi.ceph.com', 'rook-cephfs'],
    ['org.democratic-csi.nfs', 'democratic-csi'],
    ['nfs.csi.k8s.io', undefined],
  ])('driver %s has profile %s', (driver, id) => {
    expect(csiDriverProfile(driver)?.id).toBe(id);
  });

  test.each([
    ['driver.longhorn.io', { type: 'snap' }, 'inside-volume'],
    ['driver.longhorn.io', { type: 'bak' }, 'copied-elsewhere'],
    ['driver.longhorn.io', { type: '' }, 'copied-elsewhere'],
    ['driver.longhorn.io', {}, 'copied-elsewhere'],
    ['driver.longhorn.io', { type: 'bi' }, 'same-storage'],
    ['csi.san.synology.com', {}, 'same-storage'],
    ['ebs.csi.aws.com', {}, 'copied-elsewhere'],
    ['local.csi.openebs.io', {}, 'inside-volume'],
    ['nfs.csi.k8s.io', {}, undefined],
  ])('%s with parameters %j keeps its snapshots %s', (driver, parameters, locality) => {
    expect(snapshotPlacement(driver, parameters)?.locality).toBe(locality);
  });

  test.each([
    ['csi.san.synology.com', 'the Synology NAS'],
    ['driver.longhorn.io', 'Longhorn'],
    ['rook-ceph.rbd.csi.ceph.com', 'the Ceph cluster'],
    ['nfs.csi.k8s.io', 'the storage behind `nfs.csi.k8s.io`'],
  ])('the plan calls the storage of %s %s', (driver, words) => {
    expect(storageWords(driver)).toBe(words);
  });

  test("a Longhorn class without parameters gets Longhorn's `type: snap`, not a Longhorn backup", () => {
    const cls = objectsOf(stackOf(LONGHORN)).find((x) => x.o.kind === 'VolumeSnapshotClass')!.o;
    expect(cls).toMatchObject({ driver: 'driver.longhorn.io', parameters: { type: 'snap' } });
    expect(cls.metadata.labels['velero.io/csi-volumesnapshot-class']).toBe('true');
  });

  test('free-form parameters of a driver without a profile are rendered as given', () => {
    const stack = stackOf({ volumeSnapshotClass: { driver: 'nfs.csi.k8s.io', parameters: { a: '1', 'x.io/b': '' } } });
    expect(objectsOf(stack).find((x) => x.o.kind === 'VolumeSnapshotClass')!.o.parameters).toEqual({
      a: '1',
      'x.io/b': '',
    });
  });
});

describe("the cluster's own VolumeSnapshotClass", () => {
  const stack = stackOf(LONGHORN_EXISTING);

  test('no class is rendered, and with the controller existing too, no csi-snapshots folder or Application', () => {
    expect(objectsOf(stack).filter((x) => x.o.kind === 'VolumeSnapshotClass')).toEqual([]);
    expect(stack.folders).not.toContain('csi-snapshots');
    expect(stack.applications.map((a) => a.name)).toEqual(['backup-crds', 'velero']);
  });

  test("every Schedule names the class for the driver, in Velero's per-driver Backup annotation", () => {
    const schedule = objectsOf(stack).find((x) => x.o.kind === 'Schedule')!.o;
    expect(schedule.metadata.annotations['velero.io/csi-volumesnapshot-class_driver.longhorn.io']).toBe(
      'longhorn-snapshot-vsc',
    );
  });

  test('the unsnapshottable-volume alert and the plan section stay, for the named driver', () => {
    const rules = objectsOf(stack).find((x) => x.o.kind === 'PrometheusRule')!.o;
    expect(JSON.stringify(rules)).toContain('PVCNotSnapshottable');
    expect(planOf(stack)).toContain(
      "provisioner is not one of the stack's VolumeSnapshotClass drivers (`driver.longhorn.io`)",
    );
  });

  test("the plan says the class is the cluster's, and what to check when its parameters are not given", () => {
    const md = planOf(stack);
    expect(md).toContain("the cluster's own VolumeSnapshotClass `longhorn-snapshot-vsc`");
    expect(md).toContain('Where Longhorn keeps its snapshots is not known here');
  });
});

describe('the plan and the runbooks speak of the storage', () => {
  test.each([
    ['a Longhorn `snap` class', LONGHORN as CsiConfig],
    [
      "the cluster's Longhorn class with `type: snap`",
      {
        ...LONGHORN_EXISTING,
        volumeSnapshotClass: { ...LONGHORN_EXISTING.volumeSnapshotClass, parameters: { type: 'snap' } },
      } as CsiConfig,
    ],
  ])(
    '%s: the plan speaks Longhorn and warns that a deleted volume cannot come back from its snapshots',
    (_what, csi) => {
      const md = planOf(stackOf(csi));
      expect(md).not.toContain('NAS');
      expect(md).toContain('live inside the volumes they copy (Longhorn)');
      expect(md).toContain('Longhorn `type: snap` snapshots live inside the Longhorn volume');
      const runbooks = md.slice(md.indexOf('## Runbooks'));
      expect(runbooks.split('### ')[0]).toContain('**A deleted volume cannot be restored from its CSI snapshots.**');
      expect(md).toContain('CSI snapshots live on Longhorn: after losing Longhorn');
    },
  );

  test('a Longhorn `bak` class says the snapshots are Longhorn backups in its backup target', () => {
    const md = planOf(stackOf({ volumeSnapshotClass: { driver: 'driver.longhorn.io', parameters: { type: 'bak' } } }));
    expect(md).toContain("Longhorn `type: bak` snapshots are Longhorn backups in Longhorn's backup target");
    expect(md).not.toContain('A deleted volume cannot be restored');
  });

  test("the profile's deletion policy advice is in the plan when the class differs", () => {
    expect(planOf(stackOf(LONGHORN))).toContain('Longhorn advice: deletionPolicy Delete');
  });
});

describe('external-snapshotter lines', () => {
  test.each([
    ['v7.0.2', false, [], ['1.15', '1.16']],
    ['v8.0.2', false, [], ['1.15', '1.16']],
    ['v8.1.1', false, ['v1alpha1'], ['1.15', '1.16']],
    ['v8.2.1', true, ['v1beta1'], ['1.15', '1.16', '1.17']],
    ['v8.3.0', true, ['v1beta1'], ['1.15', '1.16', '1.17']],
    ['v8.4.0', true, ['v1beta1', 'v1beta2'], ['1.15', '1.16', '1.17', '1.18']],
    ['v8.5.0', true, ['v1beta1', 'v1beta2'], ['1.15', '1.16', '1.17', '1.18']],
    ['v8.6.0', true, ['v1', 'v1beta1', 'v1beta2'], ['1.15', '1.16', '1.17', '1.18']],
  ] as const)(
    '%s: create on volumesnapshots %s, groupsnapshot %j served, suits Velero %j',
    (version, create, served, lines) => {
      const release = SNAPSHOTTER_RELEASES[version];
      expect(release.controllerCreatesVolumeSnapshots).toBe(create);
      expect(release.groupSnapshotServed).toEqual(served);
      expect(veleroLinesSuitedBy(release)).toEqual(lines);
    },
  );

  test('every known release is in the table', () => {
    expect(Object.keys(SNAPSHOTTER_RELEASES).sort()).toEqual([...KNOWN_SNAPSHOTTER_VERSIONS].sort());
  });

  test.each([
    ['1.17.2', 'v8.2.1'],
    ['1.18.2', 'v8.4.0'],
  ])('Velero v%s defaults to snapshotter %s, which serves the groupsnapshot API it lists', (velero, snapshotter) => {
    const stack = stackOf(LONGHORN, { version: `v${velero}` });
    expect(stack.snapshots!.version).toBe(snapshotter);
    expect(snapshotterSuitsVelero(stack.snapshots!.release, velero.slice(0, 4))).toBe(true);
  });

  test('Velero 1.18 with snapshotter v8.2.1 renders, and the plan warns about the restore warning', () => {
    const md = planOf(stackOf({ ...LONGHORN, version: 'v8.2.1' }, { version: 'v1.18.2' }));
    expect(md).toContain(
      'external-snapshotter v8.2.1 does not serve groupsnapshot v1beta2, which Velero 1.18 uses: VolumeGroupSnapshots cannot work, and every restore ends with the warning',
    );
  });

  test('snapshotter v8.6.0 with Velero 1.18.2 renders and validates against the v8.6.0 schemas', () => {
    const stack = stackOf(
      { ...LONGHORN, version: 'v8.6.0', snapshotterSidecarVersion: 'v8.6.0' },
      { version: 'v1.18.2' },
    );
    const objects = renderApp(stack.node.scope as App);
    expect(stack.snapshots!.release.schemaTag).toBe('v8.6.0');
    expect(stack.checks.flatMap((check) => check(objects))).toEqual([]);
    const deployment = objects.find((o) => (o.object as any).kind === 'Deployment' && o.folder === 'csi-snapshots')!;
    expect((deployment.object as any).spec.template.spec.containers[0].image).toBe(
      'registry.k8s.io/sig-storage/snapshot-controller:v8.6.0',
    );
    const crds = objects.find((o) => (o.object as any).metadata.name === 'backup-crds')!.object as any;
    expect(JSON.stringify(crds.spec.sources)).toContain('"targetRevision":"v8.6.0"');
  });
});

describe('vendor sidecar tags compare by their version core', () => {
  test.each([
    ['v8.2.0-20250604', 'v8.2.0'],
    ['v8.4.0-20251226', 'v8.4.0'],
    ['v8.6.0', 'v8.6.0'],
    ['v8.2.0+build.1', 'v8.2.0'],
    ['8.2.0', undefined],
    ['v8.2', undefined],
    ['latest', undefined],
  ])('%s has the core %s', (tag, core) => {
    expect(versionCore(tag)).toBe(core);
  });

  test.each([
    ['v8.2.0-20250604', 'ok'],
    ['v5.0.1-20220101', 'broken'],
  ])('Longhorn-style sidecar %s with snapshotter v8.2.1 is %s', (sidecar, verdict) => {
    expect(checkSnapshotterCompatibility({ version: 'v8.2.1', sidecarVersion: sidecar }).verdict).toBe(verdict);
  });
});

describe('the release facts equal upstream at the tag (needs ../shared, as CI has)', () => {
  const upstream = join(__dirname, '..', '..', '..', 'shared', 'upstream');
  const have = existsSync(upstream);
  const withShared = have ? test.each : test.skip.each;
  const rbacFile: Record<string, string> = {
    'v8.6.0': join(upstream, 'external-snapshotter', 'v8.6.0', 'snapshot-controller', 'rbac-snapshot-controller.yaml'),
    'v8.2.1': join(upstream, 'snapshot-controller', 'v8.2.1', 'rbac-snapshot-controller.yaml'),
    'v7.0.2': join(upstream, 'snapshot-controller', 'v7.0.2', 'rbac-snapshot-controller.yaml'),
  };
  const normalized = (rules: readonly { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[]) =>
    rules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }));

  withShared(Object.keys(rbacFile).map((v) => [v]))(
    '%s: the ClusterRole rules are upstream rbac-snapshot-controller.yaml',
    (version) => {
      const docs = parseAllDocuments(readFileSync(rbacFile[version], 'utf8')).map((d) => d.toJS());
      const role = docs.find((d) => d?.kind === 'ClusterRole');
      const ours = snapshotControllerRules(SNAPSHOTTER_RELEASES[version as 'v8.6.0']).map(toPolicyRule);
      expect(normalized(ours)).toEqual(normalized(role.rules));
    },
  );

  withShared([['v8.6.0']])('%s: the groupsnapshot CRDs serve what the release says', (version) => {
    const crd = parseAllDocuments(
      readFileSync(
        join(
          upstream,
          'external-snapshotter',
          version,
          'crds',
          'groupsnapshot.storage.k8s.io_volumegroupsnapshots.yaml',
        ),
        'utf8',
      ),
    )
      .map((d) => d.toJS())
      .find((d) => d?.kind === 'CustomResourceDefinition');
    const served = crd.spec.versions.filter((v: { served: boolean }) => v.served).map((v: { name: string }) => v.name);
    const storage = crd.spec.versions.find((v: { storage: boolean }) => v.storage).name;
    const release = SNAPSHOTTER_RELEASES[version as 'v8.6.0'];
    expect([...served].sort()).toEqual([...release.groupSnapshotServed].sort());
    expect(storage).toBe(release.groupSnapshotCrds);
  });
});

describe('moving to the next Velero line', () => {
  test.each([
    ['v1.17.2', undefined, true],
    ['v1.17.2', 'v8.2.1', false],
    ['v1.16.2', undefined, false],
  ])('on %s with csi.version %s, the plan says the snapshotter moves to v8.4.0: %s', (velero, version, says) => {
    const md = planOf(stackOf({ ...LONGHORN, ...(version ? { version } : {}) }, { version: velero }));
    expect(
      md.includes(
        'Moving to Velero 1.18 moves the snapshot CRDs and the snapshot-controller to external-snapshotter v8.4.0',
      ),
    ).toBe(says);
  });
});

describe("the controller's namespace", () => {
  test.each([
    ['managed', 'snapshot-controller'],
    ['existing', 'kube-system'],
  ] as const)('with controller %s and no namespace, the alert runbooks read the logs in %s', (controller, ns) => {
    const stack = stackOf({ ...LONGHORN, controller });
    expect(stack.snapshots!.namespace).toBe(ns);
    expect(planOf(stack)).toContain(`kubectl -n ${ns} logs deploy/snapshot-controller`);
  });
});

test("with the cluster's own controller and CRDs, the plan asks for their upgrade before the next Velero line", () => {
  const md = planOf(stackOf(LONGHORN_EXISTING, { version: 'v1.17.2' }));
  expect(md).toContain(
    "Before moving to Velero 1.18, the cluster's own snapshot CRDs and controller must be external-snapshotter v8.4.0 or later",
  );
});
