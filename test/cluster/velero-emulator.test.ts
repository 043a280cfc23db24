/**
 * The emulated Velero's rules, one behaviour each, on fixtures from the renderer: the seed's cluster
 * (seed-cluster.ts, generated from the committed dist/), backed up by the rendered Schedules, restored with the
 * rendered Restores of dist/restores/ changed in the one field a case is about.
 */
import { restoreListsProblem } from '../../lib/validation/includes-excludes';
import type { KubeObject, RestoreOutcome } from './types';
import { emulateBackup } from './velero/backup';
import { BACKUP_TIME, populated } from './velero/harness';
import { MemoryCluster } from './velero/memory-cluster';
import { committedSeed } from './velero/renders';
import { emulateRestore } from './velero/restore';
import { words } from './velero/runbook-runner';
import { HELM_INSTANCE_LABEL, seedCluster, TRACKING_ANNOTATION } from './velero/seed-cluster';
import { veleroCreate } from './velero/velero-cli';

const SEED = committedSeed();
const rendered = (file: string): KubeObject => ({
  ...structuredClone(SEED.files[`dist/restores/${file}.yaml`][0]),
  metadata: { name: `${file}-test`, namespace: 'velero' },
});
const withSpec = (file: string, spec: Record<string, unknown>): KubeObject => {
  const r = rendered(file);
  return { ...r, spec: { ...(r.spec as object), ...spec } };
};

function restore(
  r: KubeObject,
  version = 'v1.15.0',
  prepare?: (c: MemoryCluster) => void,
): RestoreOutcome & { cluster: MemoryCluster } {
  const { cluster, backups } = populated(SEED);
  prepare?.(cluster);
  return { ...emulateRestore({ restore: r, backups, cluster, veleroVersion: version }), cluster };
}

describe("the restore controller's validation (validateAndComplete)", () => {
  test.each([
    [
      "'*' mixed with names",
      { includedNamespaces: ['*', 'loki'] },
      [
        "Invalid included/excluded namespace lists: includes list must either contain '*' only, or a non-empty list of items",
      ],
    ],
    [
      "'*' in the excluded namespaces",
      { includedNamespaces: ['*'], excludedNamespaces: ['*', 'loki'] },
      [
        "Invalid included/excluded namespace lists: excludes list cannot contain '*'",
        'Invalid included/excluded namespace lists: excludes list cannot contain an item in the includes list: *',
      ],
    ],
    [
      'a namespace both included and excluded',
      { excludedNamespaces: ['loki'] },
      ['Invalid included/excluded namespace lists: excludes list cannot contain an item in the includes list: loki'],
    ],
    [
      'a non-restorable kind',
      { includedResources: ['nodes'] },
      [
        'nodes are non-restorable resources',
        'Invalid included/excluded resource lists: excludes list cannot contain an item in the includes list: nodes',
      ],
    ],
    [
      'both a backup and a schedule',
      { backupName: 'x' },
      ['Either a backup or schedule must be specified as a source for the restore, but not both'],
    ],
    [
      'a schedule without backups',
      { scheduleName: 'nope' },
      ['No backups found for schedule', 'No completed backups found for schedule'],
    ],
    [
      'a missing modifier ConfigMap',
      { resourceModifier: { kind: 'ConfigMap', name: 'nope' } },
      ['failed to get resource modifiers configmap velero/nope'],
    ],
  ])("%s ends FailedValidation with Velero's messages", (_what, spec, messages) => {
    const out = restore(withSpec('namespace-inspect', spec));
    expect([out.phase, out.validationErrors, out.created]).toEqual(['FailedValidation', messages, []]);
  });
});

describe('namespaces (processSelectedResource, getNamespace)', () => {
  test('a target namespace is created with the backed-up labels and annotations, and the modifiers never touch it', () => {
    const out = restore(rendered('namespace-inspect'));
    const ns = out.cluster.get('v1', 'Namespace', undefined, 'loki-inspect')!;
    expect(ns.metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'baseline' });
    expect(ns.metadata.annotations?.[TRACKING_ANNOTATION]).toBe('loki:/Namespace:/loki');
  });

  test('an existing namespace is reused as it is', () => {
    const out = restore(rendered('namespace-inspect'), 'v1.15.0', (c) =>
      c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'loki-inspect', labels: { mine: 'yes' } } }),
    );
    expect(out.cluster.get('v1', 'Namespace', undefined, 'loki-inspect')!.metadata.labels).toEqual({ mine: 'yes' });
    expect(out.created.filter((o) => o.kind === 'Namespace')).toEqual([]);
  });
});

describe('items (restoreItem)', () => {
  const inspect = restore(rendered('namespace-inspect'));
  const deployment = inspect.cluster.get('apps/v1', 'Deployment', 'loki-inspect', 'loki')!;

  test("the rendered modifiers strip the seed's tracking (annotation) from every other item, and keep its own instance label", () => {
    expect(SEED.trackingMethod).toBe('annotation');
    expect([
      deployment.metadata.annotations?.[TRACKING_ANNOTATION],
      deployment.metadata.labels?.[HELM_INSTANCE_LABEL],
    ]).toEqual([undefined, 'loki']);
  });

  test('restored items carry velero.io/restore-name and velero.io/backup-name', () => {
    expect(deployment.metadata.labels).toMatchObject({
      'velero.io/restore-name': 'namespace-inspect-test',
      'velero.io/backup-name': 'daily-critical-pvcs-20261201020000',
    });
  });

  test('the restore priorities order the items: snapshots, then claims, then config, then workloads', () => {
    const kinds = [...new Set(inspect.created.map((o) => o.kind))];
    expect(kinds).toEqual([
      'Namespace',
      'VolumeSnapshotContent',
      'VolumeSnapshot',
      'PersistentVolumeClaim',
      'ConfigMap',
      'Service',
      'Deployment',
    ]);
  });

  test.each([
    ['none', 'leaves it and warns', 'v0'],
    ['update', 'patches it to the backed-up state', 'name=pi-hole'],
  ])("existingResourcePolicy '%s' on a changed object %s", (policy, _what, value) => {
    const out = restore(withSpec('namespace-lost', { existingResourcePolicy: policy }), 'v1.15.0', (c) => {
      const cm = c.get('v1', 'ConfigMap', 'pihole', 'pi-hole-config')!;
      c.update({ ...cm, data: { 'app.conf': 'v0' } });
    });
    expect(out.cluster.get('v1', 'ConfigMap', 'pihole', 'pi-hole-config')!.data).toEqual({ 'app.conf': value });
    expect(out.warnings.some((w) => w.includes('ConfigMap "pi-hole-config" already exists'))).toBe(policy === 'none');
  });
});

describe('CSI (pvc_action.go, volumesnapshot_action.go)', () => {
  test('a PVC restored without its VolumeSnapshot errors: the restore ends PartiallyFailed with the claim missing', () => {
    const out = restore(withSpec('pvc-lost', { includedResources: ['persistentvolumeclaims'] }), 'v1.15.0', (c) =>
      c.delete('v1', 'PersistentVolumeClaim', 'default', 'prometheus-data'),
    );
    expect(out.phase).toBe('PartiallyFailed');
    expect(out.errors.join('\n')).toContain(
      'Failed to get Volumesnapshot default/velero-prometheus-data-20000 to restore PVC default/prometheus-data',
    );
    expect(out.cluster.get('v1', 'PersistentVolumeClaim', 'default', 'prometheus-data')).toBeUndefined();
  });

  test.each([
    ['v1.15.0', 'a new content, statically bound', /^velero-loki-data-20000-/],
    ['v1.18.1', 'the backed-up content, remapped', /^snapcontent-loki-velero-loki-data-20000$/],
  ])('on %s the mapped VolumeSnapshot binds %s', (version, _what, name) => {
    const out = restore(rendered('namespace-inspect'), version);
    const vs = out.cluster.get(
      'snapshot.storage.k8s.io/v1',
      'VolumeSnapshot',
      'loki-inspect',
      'velero-loki-data-20000',
    )!;
    const vscName = (vs.spec as { source: { volumeSnapshotContentName: string } }).source.volumeSnapshotContentName;
    expect(vscName).toMatch(name);
    const vsc = out.cluster.get('snapshot.storage.k8s.io/v1', 'VolumeSnapshotContent', undefined, vscName)!;
    expect(vsc.spec).toMatchObject({ deletionPolicy: 'Retain', volumeSnapshotRef: { namespace: 'loki-inspect' } });
  });
});

describe('backup (item_collector.go, GlobalIncludesExcludes)', () => {
  const objects = seedCluster({ rendered: SEED.objects, volumes: SEED.volumes, trackingMethod: SEED.trackingMethod });
  const schedule = SEED.objects.find((o) => o.kind === 'Schedule' && o.metadata.name === 'daily-critical-pvcs')!;
  const backup = (template: Record<string, unknown>) =>
    emulateBackup({
      source: { ...schedule, spec: { template: { ...(schedule.spec as { template: object }).template, ...template } } },
      objects,
      startTimestamp: BACKUP_TIME,
    });
  const clusterKinds = (t: Record<string, unknown>) =>
    [
      ...new Set(
        backup(t)
          .items.filter((i) => !i.metadata.namespace)
          .map((i) => i.kind),
      ),
    ].sort();

  test.each([
    ['named namespaces, includeClusterResources unset', {}, ['Namespace', 'PersistentVolume', 'VolumeSnapshotContent']],
    [
      'named namespaces, includeClusterResources true',
      { includeClusterResources: true },
      ['ClusterRole', 'Namespace', 'PersistentVolume', 'StorageClass', 'VolumeSnapshotClass', 'VolumeSnapshotContent'],
    ],
    ['named namespaces, includeClusterResources false', { includeClusterResources: false }, []],
    [
      "'*', includeClusterResources unset",
      { includedNamespaces: ['*'] },
      ['ClusterRole', 'Namespace', 'PersistentVolume', 'StorageClass', 'VolumeSnapshotClass', 'VolumeSnapshotContent'],
    ],
  ])('%s: cluster-scoped kinds %j', (_what, t, kinds) => {
    expect(clusterKinds(t)).toEqual(kinds);
  });

  test.each([
    [true, ['velero-loki-data-20000']],
    [false, []],
  ])('snapshotVolumes %s: a CSI claim brings its VolumeSnapshot %j', (snapshotVolumes, names) => {
    const items = backup({ snapshotVolumes }).items;
    expect(
      items.filter((i) => i.kind === 'VolumeSnapshot' && i.metadata.namespace === 'loki').map((i) => i.metadata.name),
    ).toEqual(names);
  });

  test('a Schedule whose lists Velero refuses backs up nothing: FailedValidation', () => {
    const b = backup({ includedNamespaces: ['*'], excludedNamespaces: ['*'] });
    expect([(b.backup.status as { phase: string }).phase, b.items]).toEqual(['FailedValidation', []]);
  });
});

describe('the synth check and the emulated restore controller agree on every list (two readings of the same source)', () => {
  test.each([
    [['loki'], [], [], []],
    [['*'], ['kube-system'], [], []],
    [['*', 'loki'], [], [], []],
    [['*'], ['*'], [], []],
    [['loki'], ['loki'], [], []],
    [['loki'], [], ['nodes'], []],
    [['loki'], [], ['events.events.k8s.io', 'configmaps'], []],
    [['loki'], [], ['*', 'secrets'], []],
    [['loki'], [], ['secrets'], ['secrets']],
    [['loki'], [], [], ['nodes']],
    [['loki'], [], ['persistentvolumeclaims', 'volumesnapshots.snapshot.storage.k8s.io'], []],
  ])('namespaces %j except %j, resources %j except %j', (inc, exc, res, resExc) => {
    const synth = restoreListsProblem({
      includedNamespaces: ['n', inc],
      excludedNamespaces: ['xn', exc],
      includedResources: ['r', res],
      excludedResources: ['xr', resExc],
    });
    const out = restore(
      withSpec('namespace-inspect', {
        includedNamespaces: inc,
        excludedNamespaces: exc,
        includedResources: res,
        excludedResources: resExc,
      }),
    );
    expect([synth !== undefined, out.phase === 'FailedValidation']).toEqual([
      out.phase === 'FailedValidation',
      synth !== undefined,
    ]);
  });
});

describe('velero restore create, as the CLI builds the Restore (pkg/cmd/cli/restore/create.go)', () => {
  test.each([
    [
      'from a schedule, two namespaces, one mapped',
      'velero -n velero restore create inspect --from-schedule daily-critical-pvcs --include-namespaces loki,pihole --namespace-mappings loki:loki-x',
      {
        scheduleName: 'daily-critical-pvcs',
        includedNamespaces: ['loki', 'pihole'],
        namespaceMapping: { loki: 'loki-x' },
      },
    ],
    [
      'from a backup, every namespace by default, named after it',
      'velero restore create --from-backup b1 --exclude-resources secrets --existing-resource-policy update --wait',
      { backupName: 'b1', includedNamespaces: ['*'], excludedResources: ['secrets'], existingResourcePolicy: 'update' },
    ],
  ])('%s', (_what, line, spec) => {
    const restore = veleroCreate(words(line, {}).slice(1), '2026-12-02T09:00:00Z');
    expect(restore.spec).toEqual(spec);
    expect(restore.metadata.namespace).toBe('velero');
    expect(restore.metadata.name).toMatch(/^(inspect|b1-20261202090000)$/);
  });

  test('a restore created that way runs on the emulated Velero and maps the namespace', () => {
    const line =
      'velero restore create x --from-schedule daily-critical-pvcs --include-namespaces loki --namespace-mappings loki:loki-x';
    const out = restore(veleroCreate(words(line, {}).slice(1), '2026-12-02T09:00:00Z'));
    expect([out.phase, out.cluster.get('apps/v1', 'Deployment', 'loki-x', 'loki') !== undefined]).toEqual([
      'Completed',
      true,
    ]);
  });
});

describe('cluster-scoped items on restore (getOrderedResourceCollection)', () => {
  test.each([
    ['true', { includeClusterResources: true }, ['ClusterRole', 'StorageClass']],
    ['false', { includeClusterResources: false }, []],
    ['unset, with excluded namespaces', { includeClusterResources: undefined }, []],
    [
      'unset, every namespace',
      { includeClusterResources: undefined, excludedNamespaces: [] },
      ['ClusterRole', 'StorageClass'],
    ],
  ])('includeClusterResources %s: %j', (_what, spec, kinds) => {
    const r = withSpec('rebuild-cluster-resources', { resourceModifier: undefined, ...spec });
    const out = restore(r, 'v1.15.0', (c) => {
      c.delete('storage.k8s.io/v1', 'StorageClass', undefined, 'csi-san-synology-com-sc');
      c.delete('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'homelab-reader');
    });
    expect(out.phase).toBe('Completed');
    expect(
      [
        ...new Set(out.created.filter((o) => ['ClusterRole', 'StorageClass'].includes(o.kind)).map((o) => o.kind)),
      ].sort(),
    ).toEqual(kinds);
  });
});
