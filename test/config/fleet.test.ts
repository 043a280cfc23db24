/**
 * A fleet (issue 16): one config, several clusters, each in dist/clusters/<name>/, and one ApplicationSet
 * that syncs each cluster's Applications; one writer per bucket + prefix across the fleet.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planConfigMain, synthConfig, validateConfigMain } from '../../cli/commands';
import { BackupFleet, buildConfig } from '../../constructs/backup-fleet';
import { deepMerge } from '../../lib/config/fleet';
import { loadConfigFile } from '../../lib/config/load';
import type { BackupStackConfig, StorageLocationConfig } from '../../lib/config/types';
import type { RenderedObject } from '../../lib/output/output';
import { renderFiles } from '../../lib/output/synth';

const root = join(__dirname, '..', '..');
const FLEET_FILE = join(root, 'examples', 'fleet.yaml');
const b2 = (prefix: string): StorageLocationConfig => ({ provider: 'backblaze-b2', bucket: 'velero-fleet', prefix });
const fleet = (clusters: BackupStackConfig['clusters'], shared: BackupStackConfig = {}): BackupStackConfig => ({
  csi: { preventVolumeModeConversion: false, volumeSnapshotClass: { driver: 'csi.san.synology.com' } },
  schedules: [{ name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['apps'] }],
  ...shared,
  clusters,
});
const failure = (config: BackupStackConfig): string => {
  try {
    new BackupFleet(config);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};
const find = (objects: readonly RenderedObject[], folder: string, kind: string, name?: string) =>
  objects.find((o) => o.folder === folder && o.object.kind === kind && (!name || o.object.metadata.name === name))
    ?.object as any;

describe('the two-cluster fleet of the README', () => {
  const built = buildConfig(loadConfigFile(FLEET_FILE));
  const objects = built.objects;

  test('the README quotes examples/fleet.yaml exactly', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(readFileSync(FLEET_FILE, 'utf8'));
  });

  test('each cluster renders its own folders under clusters/<name>/, plus bootstrap/', () => {
    expect([...new Set(objects.map((o) => o.folder))].sort()).toEqual([
      'bootstrap',
      'clusters/dr/applications',
      'clusters/dr/csi-snapshots',
      'clusters/dr/velero',
      'clusters/prod/applications',
      'clusters/prod/csi-snapshots',
      'clusters/prod/velero',
    ]);
  });

  test('one ApplicationSet, a list generator with one element per cluster', () => {
    const sets = objects.filter((o) => o.object.kind === 'ApplicationSet');
    expect(sets).toHaveLength(1);
    const spec = (sets[0].object as any).spec;
    expect(spec.generators).toEqual([
      {
        list: {
          elements: [
            { cluster: 'prod', server: 'https://prod.k8s.lan:6443', path: 'dist/clusters/prod/applications' },
            { cluster: 'dr', server: 'https://dr.k8s.lan:6443', path: 'dist/clusters/dr/applications' },
          ],
        },
      },
    ]);
    expect(spec.goTemplate).toBe(true);
    expect(spec.template.spec.source.path).toBe('{{.path}}');
    expect(spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true, applicationsSync: 'create-update' });
  });

  test("each cluster's Applications deploy its folders to its API server, named after it", () => {
    const velero = find(objects, 'clusters/dr/applications', 'Application', 'dr-velero');
    expect(velero.spec.destination.server).toBe('https://dr.k8s.lan:6443');
    expect(velero.spec.source.path).toBe('dist/clusters/dr/velero');
    const crds = find(objects, 'clusters/prod/applications', 'Application', 'prod-backup-crds');
    expect(crds.spec.destination.server).toBe('https://prod.k8s.lan:6443');
  });

  test("the DR cluster sees prod's location ReadOnly, next to its own ReadWrite default", () => {
    const bsl = (name: string) => find(objects, 'clusters/dr/velero', 'BackupStorageLocation', name);
    expect(bsl('prod').spec).toMatchObject({
      accessMode: 'ReadOnly',
      objectStorage: { bucket: 'velero-fleet', prefix: 'prod' },
    });
    expect(bsl('default').spec).toMatchObject({ accessMode: 'ReadWrite', objectStorage: { prefix: 'dr' } });
    expect(find(objects, 'clusters/prod/velero', 'BackupStorageLocation', 'dr')).toBeUndefined();
  });

  test('passes every synth check', () => {
    expect(built.checks.flatMap((check) => check(objects))).toEqual([]);
  });

  test('the plan report has one section per cluster', () => {
    const md = built.planMarkdown();
    expect(md.match(/^## Cluster .*$/gm)).toEqual(['## Cluster prod', '## Cluster dr']);
    expect(md).toContain('### Coverage per namespace');
  });

  test('npm run synth -- --config writes the fleet layout', () => {
    const out = mkdtempSync(join(tmpdir(), 'fleet-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(synthConfig(FLEET_FILE, { outDir: join(out, 'dist') })).toBe(0);
      expect(readdirSync(join(out, 'dist')).sort()).toEqual(['BACKUP-PLAN.md', 'bootstrap', 'clusters']);
      expect(readdirSync(join(out, 'dist', 'clusters')).sort()).toEqual(['dr', 'prod']);
      expect(statSync(join(out, 'dist', 'clusters', 'dr', 'velero')).isDirectory()).toBe(true);
      // each cluster's own plan and runbooks next to its folders, where its alerts' runbook_url points
      expect(readdirSync(join(out, 'dist', 'clusters', 'dr')).sort()).toEqual([
        'BACKUP-PLAN.md',
        'applications',
        'csi-snapshots',
        'velero',
      ]);
      expect(readFileSync(join(out, 'dist', 'clusters', 'dr', 'BACKUP-PLAN.md'), 'utf8')).toMatch(/^# Backup plan/);
      // read back from disk, as ArgoCD will read it: every check passes (npm run validate -- --config FILE)
      expect(validateConfigMain(FLEET_FILE, join(out, 'dist'))).toBe(0);
    } finally {
      log.mockRestore();
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('checks across the fleet', () => {
  test('two clusters writing one bucket + prefix are refused, naming both and the location', () => {
    const message = failure(
      fleet(
        [
          { name: 'prod', server: 'https://prod:6443' },
          { name: 'lab', server: 'https://lab:6443' },
        ],
        { storageLocations: [b2('shared')] },
      ),
    );
    expect(message).toContain("cluster 'lab' location 'default' writes bucket 'velero-fleet' prefix 'shared'");
    expect(message).toContain("so does cluster 'prod' location 'default'");
    expect(message).toContain('velero#627, #5509');
  });

  test('a shared location is fine when the second cluster only reads it (restoresFrom)', () => {
    expect(
      () =>
        new BackupFleet(
          fleet([
            { name: 'prod', server: 'https://prod:6443', storageLocations: [b2('prod')] },
            { name: 'dr', server: 'https://dr:6443', storageLocations: [b2('dr')], restoresFrom: 'prod' },
          ]),
        ),
    ).not.toThrow();
  });

  test("a ReadWrite copy of another cluster's location is refused", () => {
    const message = failure(
      fleet([
        { name: 'prod', server: 'https://prod:6443', storageLocations: [b2('prod')] },
        { name: 'dr', server: 'https://dr:6443', storageLocations: [b2('dr'), { ...b2('prod'), name: 'from-prod' }] },
      ]),
    );
    expect(message).toContain("cluster 'dr' location 'from-prod' writes bucket 'velero-fleet' prefix 'prod'");
  });

  test.each<[string, BackupStackConfig['clusters'], string]>([
    [
      'a name that is not a DNS label',
      [{ name: 'Prod', server: 'https://a:6443' }],
      "clusters[0] 'Prod'.name: 'Prod' is not a DNS-1123 label",
    ],
    [
      'a name taken twice',
      [
        { name: 'a', server: 'https://a:6443' },
        { name: 'a', server: 'https://b:6443' },
      ],
      "clusters[1] 'a'.name: 'a' is the name of clusters[0] 'a' too",
    ],
    [
      'two clusters on one API server',
      [
        { name: 'a', storageLocations: [b2('a')] },
        { name: 'b', storageLocations: [b2('b')] },
      ],
      "clusters[1] 'b'.server: 'https://kubernetes.default.svc' is the API server of clusters[0] 'a' too",
    ],
    [
      'restoresFrom naming no cluster',
      [{ name: 'a', server: 'https://a:6443', restoresFrom: 'z' }],
      "clusters[0] 'a'.restoresFrom: 'z' is not a cluster of this fleet",
    ],
    ['an empty fleet', [], 'clusters: is empty'],
  ])('%s', (_what, clusters, message) => {
    expect(failure(fleet(clusters))).toContain(message);
  });

  test("a mistake in one cluster's merged config names the cluster", () => {
    const message = failure(
      fleet([
        { name: 'a', server: 'https://a:6443', storageLocations: [b2('a')] },
        {
          name: 'b',
          server: 'https://b:6443',
          storageLocations: [b2('b')],
          schedules: [{ name: 'x', schedule: '@daily', ttl: '30m' }],
        },
      ]),
    );
    expect(message).toBe("clusters[1] 'b'.schedules[0] 'x'.ttl: must be at least 1h, got '30m' (docs/pitfalls.md#ttl)");
  });
});

describe('per-cluster overrides', () => {
  test('objects merge key by key, lists are replaced whole', () => {
    expect(
      deepMerge(
        {
          alerts: { namespace: 'monitoring', routingLabels: { team: 'a' } },
          schedules: [{ name: 'x' }, { name: 'y' }],
        },
        { alerts: { routingLabels: { team: 'b' } }, schedules: [{ name: 'z' }] },
      ),
    ).toEqual({ alerts: { namespace: 'monitoring', routingLabels: { team: 'b' } }, schedules: [{ name: 'z' }] });
  });

  test('an override reaches only its cluster', () => {
    const { objects } = new BackupFleet(
      fleet(
        [
          { name: 'a', server: 'https://a:6443', storageLocations: [b2('a')] },
          { name: 'b', server: 'https://b:6443', storageLocations: [b2('b')], alerts: { namespace: 'monitoring' } },
        ],
        { alerts: { namespace: 'default' } },
      ),
    );
    expect(find(objects, 'clusters/a/velero', 'PrometheusRule').metadata.namespace).toBe('default');
    expect(find(objects, 'clusters/b/velero', 'PrometheusRule').metadata.namespace).toBe('monitoring');
  });
});

describe('restores and the ApplicationSet schema in a fleet', () => {
  const config = fleet(
    [
      { name: 'prod', server: 'https://prod.k8s.lan:6443', storageLocations: [b2('prod')] },
      { name: 'lab', server: 'https://lab.k8s.lan:6443', storageLocations: [b2('lab')] },
    ],
    {
      schedules: [
        { name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['apps'], drill: {} },
        {
          name: 'weekly',
          schedule: '0 3 * * 0',
          includedNamespaces: ['*'],
          includeClusterResources: true,
          snapshotVolumes: false,
        },
      ],
      restores: [{ name: 'apps-lost', target: { kind: 'namespace', namespace: 'apps' } }, { rebuild: {} }],
    },
  );
  const built = buildConfig(config);
  const objects = built.objects;

  test("each cluster's restores render into clusters/<name>/restores/", () => {
    for (const c of ['prod', 'lab']) {
      expect(
        objects
          .filter((o) => o.folder === `clusters/${c}/restores`)
          .map((o) => o.file)
          .sort(),
      ).toEqual(['apps-lost.yaml', 'rebuild-cluster-resources.yaml', 'rebuild-volumes.yaml']);
    }
  });

  test('no Application syncs a restores folder, and every check passes', () => {
    const paths = objects
      .filter((o) => o.object.kind === 'Application')
      .flatMap((o) => [
        (o.object as any).spec.source?.path,
        ...((o.object as any).spec.sources ?? []).map((s: any) => s.path),
      ])
      .filter(Boolean);
    expect(paths.some((p: string) => p.includes('restores'))).toBe(false);
    expect(built.checks.flatMap((check) => check(objects))).toEqual([]);
  });

  test("a cluster's runbooks name its own files under dist/clusters/<name>/", () => {
    expect(built.planMarkdown()).toContain('dist/clusters/lab/restores/apps-lost.yaml');
    expect(built.planFiles()['clusters/lab/BACKUP-PLAN.md']).toContain('dist/clusters/lab/restores/apps-lost.yaml');
  });

  test("a cluster's alerts link to the runbooks in its own BACKUP-PLAN.md", () => {
    const rule = find(objects, 'clusters/lab/velero', 'PrometheusRule');
    const urls = rule.spec.groups
      .flatMap((g: any) => g.rules.map((r: any) => r.annotations?.runbook_url))
      .filter(Boolean);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url).toMatch(
        /^https:\/\/github\.com\/homelab\/velero-cdk8s\/blob\/HEAD\/dist\/clusters\/lab\/BACKUP-PLAN\.md#alert-/,
      );
    }
  });

  test('an ApplicationSet field ArgoCD does not know is refused by the committed v3.5.1 schema', () => {
    const broken = objects.map((o) =>
      o.object.kind === 'ApplicationSet'
        ? { ...o, object: { ...o.object, spec: { ...(o.object as any).spec, generatorz: [] } } }
        : o,
    );
    expect(built.checks.flatMap((check) => check(broken)).join('\n')).toMatch(/ApplicationSet .*generatorz/);
  });

  test('an invariant broken in one cluster names the cluster folder', () => {
    const broken = objects.map((o) =>
      o.folder === 'clusters/lab/applications' && o.object.metadata.name === 'lab-velero'
        ? {
            ...o,
            object: {
              ...o.object,
              spec: {
                ...(o.object as any).spec,
                source: { ...(o.object as any).spec.source, path: 'dist/clusters/lab/restores' },
              },
            },
          }
        : o,
    );
    expect(built.checks.flatMap((check) => check(broken)).join('\n')).toMatch(
      /^clusters\/lab\/applications\/.*unsynced-folder/m,
    );
  });
});

describe("a cluster's plan file", () => {
  const object = {
    folder: 'clusters/a/velero',
    file: 'x.yaml',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
  };

  test('sits next to the cluster folders', () => {
    expect([...renderFiles([object], { 'clusters/a/BACKUP-PLAN.md': '# a\n' }).keys()]).toEqual([
      'clusters/a/velero/x.yaml',
      'clusters/a/BACKUP-PLAN.md',
    ]);
  });

  test.each([['clusters/a/velero/BACKUP-PLAN.md'], ['docs/BACKUP-PLAN.md']])('is refused at %s', (name) => {
    expect(() => renderFiles([object], { [name]: '# a\n' })).toThrow(
      `output: extra file '${name}' must sit at the top of the output directory or in a fleet's clusters/<name>/`,
    );
  });
});

describe('npm run plan -- --config FILE on a fleet', () => {
  test.each([
    [['--inventory', 'pvcs.json'], "plan: an inventory is one cluster's PVCs; say whose with --cluster (prod, dr)"],
    [['--cluster', 'lab'], "plan: --cluster needs one of the fleet's clusters: prod, dr"],
  ])('%j is refused before anything is written', (argv, message) => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(planConfigMain(FLEET_FILE, argv)).toBe(2);
      expect(error).toHaveBeenCalledWith(message);
    } finally {
      error.mockRestore();
    }
  });
});
