import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { render } from '../fixtures/renders';
import { buildApp } from '../fixtures/seed';
import { ArgoCdApplication } from '../../constructs/argocd-application';
import { CrdApplication } from '../../constructs/crd-application';
import { parse } from 'yaml';
import {
  ARGOCD_DEFAULT_RESOURCE_EXCLUSIONS,
  argocdResourceExclusions,
  RUNTIME_KINDS_BY_GROUP,
  VELERO_RUNTIME_KINDS,
} from '../../lib/argocd/argocd-settings';
import { CRD_GROUPS, FolderChart, UNSYNCED_FOLDERS } from '../../lib/output/folder-chart';
import { renderApp } from '../../lib/output/output';
import { find, objects, testChart, testRelease, type K8sObject } from '../helpers';

const rendered = render();
/** What ArgoCD syncs: every folder but the ones applied by hand (dist/restores/). */
const synced = rendered.filter((r) => !UNSYNCED_FOLDERS.includes(r.folder));
const inFolder = (folder: string) => rendered.filter((r) => r.folder === folder).map((r) => r.object as K8sObject);
const applications = inFolder('applications');
const syncOptions = (o: K8sObject) => (o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',');

describe('Application velero', () => {
  const app = find(applications, 'Application', 'velero');

  test('syncs dist/velero of the seed repo at HEAD into the velero namespace of the project infrastructure', () => {
    expect(app.metadata.namespace).toBe('argocd');
    expect(app.spec.project).toBe('infrastructure');
    expect(app.spec.source).toEqual({
      repoURL: 'https://github.com/homelab/velero-cdk8s.git',
      targetRevision: 'HEAD',
      path: 'dist/velero',
      directory: { recurse: false, include: '*.yaml' },
    });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'velero' });
  });

  test('syncs automatically with prune and selfHeal, never on an empty render, with a retry backoff', () => {
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
    expect(app.spec.syncPolicy.syncOptions).toEqual(
      expect.arrayContaining(['CreateNamespace=true', 'SkipDryRunOnMissingResource=true']),
    );
    expect(app.spec.syncPolicy.retry).toEqual({ limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } });
  });

  test('has no cascade-delete finalizer, so deleting the Application orphans instead of deleting backups config', () => {
    for (const a of applications) expect(a.metadata).not.toHaveProperty('finalizers');
  });

  test('repo URL, revision and path are configurable', () => {
    const objs = renderApp(
      buildApp({
        repository: { repoURL: 'https://git.lan/ops/backup.git', targetRevision: 'main', distPath: 'rendered' },
      }),
    );
    const a = objs.find((r) => r.object.kind === 'Application' && r.object.metadata.name === 'velero')!
      .object as K8sObject;
    expect(a.spec.source).toMatchObject({
      repoURL: 'https://git.lan/ops/backup.git',
      targetRevision: 'main',
      path: 'rendered/velero',
    });
  });
});

describe('CRD Application', () => {
  const crds = find(applications, 'Application', 'backup-crds');

  test('pulls all 13 Velero CRDs (v1 and v2alpha1) from upstream git at the image tag', () => {
    expect(crds.spec.sources).toEqual(
      expect.arrayContaining([
        {
          repoURL: 'https://github.com/vmware-tanzu/velero.git',
          targetRevision: 'v1.15.0',
          path: 'config/crd/v1/bases',
        },
        {
          repoURL: 'https://github.com/vmware-tanzu/velero.git',
          targetRevision: 'v1.15.0',
          path: 'config/crd/v2alpha1/bases',
        },
      ]),
    );
  });

  test('never prunes and applies server-side', () => {
    expect(crds.spec.syncPolicy.automated.prune).toBe(false);
    expect(crds.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  });

  test('syncs in an earlier wave than every Application with custom resources', () => {
    const wave = (a: K8sObject) => Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    for (const a of applications.filter((x) => x.metadata.name !== 'backup-crds'))
      expect(wave(crds)).toBeLessThan(wave(a));
  });

  test('the CRD tag is derived from the release version: one knob', () => {
    const { chart } = testChart();
    const release = testRelease(chart, { version: 'v1.15.2' });
    new CrdApplication(chart, 'Crds', { release });
    const app = find(objects(chart), 'Application', 'backup-crds');
    expect(new Set(app.spec.sources.map((s: any) => s.targetRevision))).toEqual(new Set(['v1.15.2']));
    expect(find(objects(chart), 'Deployment', 'velero').spec.template.spec.containers[0].image).toBe(
      'velero/velero:v1.15.2',
    );
  });
});

describe('first sync into an empty cluster', () => {
  test('every custom resource skips the dry run while its CRD is missing', () => {
    const custom = synced.filter((r) => CRD_GROUPS.includes(r.object.apiVersion.split('/')[0]));
    expect(custom.length).toBeGreaterThan(0);
    for (const r of custom) expect(syncOptions(r.object as K8sObject)).toContain('SkipDryRunOnMissingResource=true');
  });

  test('FolderChart keeps sync options an object already has', () => {
    const { app } = testChart();
    const chart = new FolderChart(app, 'x');
    testRelease(chart as Chart);
    const ns = chart.toJson().find((o: K8sObject) => o.kind === 'Namespace');
    expect(ns.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });
});

describe('ArgoCD never prunes what Velero creates at run time', () => {
  test('no synced object is of a kind Velero or the snapshot controller creates at run time', () => {
    for (const r of synced) {
      const group = r.object.apiVersion.split('/')[0];
      expect(RUNTIME_KINDS_BY_GROUP[group] ?? []).not.toContain(r.object.kind);
    }
  });

  test('the rendered Restores sit in dist/restores/, which no Application syncs', () => {
    const restores = rendered.filter((r) => r.object.kind === 'Restore');
    expect(restores.map((r) => `${r.folder}/${r.file}`)).toEqual([
      'restores/namespace-inspect.yaml',
      'restores/namespace-lost.yaml',
      'restores/pvc-lost.yaml',
      'restores/rebuild-cluster-resources.yaml',
      'restores/rebuild-volumes.yaml',
    ]);
    const paths = rendered
      .filter((r) => r.object.kind === 'Application')
      .flatMap((r) => [(r.object as K8sObject).spec.source, ...((r.object as K8sObject).spec.sources ?? [])])
      .filter(Boolean)
      .map((src: { path?: string }) => src.path);
    expect(paths).not.toContain('dist/restores');
    expect(paths).toContain('dist/velero');
  });

  test('the argocd-cm exclusions keep every rule ArgoCD v3.5.1 ships and add the run-time kinds on every cluster', () => {
    const rules = parse(argocdResourceExclusions());
    expect(rules.slice(0, ARGOCD_DEFAULT_RESOURCE_EXCLUSIONS.length)).toEqual(ARGOCD_DEFAULT_RESOURCE_EXCLUSIONS);
    expect(rules[0]).toEqual({ apiGroups: ['', 'discovery.k8s.io'], kinds: ['Endpoints', 'EndpointSlice'] });
    expect(rules).toContainEqual({ apiGroups: ['coordination.k8s.io'], kinds: ['Lease'] });
    expect(rules.slice(-2)).toEqual([
      { apiGroups: ['velero.io'], kinds: [...VELERO_RUNTIME_KINDS], clusters: ['*'] },
      { apiGroups: ['snapshot.storage.k8s.io'], kinds: ['VolumeSnapshot', 'VolumeSnapshotContent'], clusters: ['*'] },
    ]);
    for (const kind of ['Backup', 'Restore', 'DataUpload', 'DataDownload', 'PodVolumeBackup', 'PodVolumeRestore'])
      expect(VELERO_RUNTIME_KINDS).toContain(kind);
    // VolumeSnapshotClass is configuration in Git (csi-snapshots): excluding it would stop ArgoCD syncing it
    expect(JSON.stringify(rules)).not.toContain('VolumeSnapshotClass');
  });

  test('the README gives the argocd-cm resource.exclusions for exactly those kinds', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(
      argocdResourceExclusions()
        .split('\n')
        .map((l) => (l ? `    ${l}` : l))
        .join('\n'),
    );
  });

  test('the bootstrap Application syncs dist/applications', () => {
    const root = find(inFolder('bootstrap'), 'Application', 'velero-cdk8s');
    expect(root.spec.source.path).toBe('dist/applications');
    expect(root.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
  });

  /** A bare Application `a` of version v1 in a fresh chart, rendered (dist/a is a folder of the app). */
  const bareApplication = () => {
    const { app, chart } = testChart();
    new FolderChart(app, 'a');
    new ArgoCdApplication(chart, 'A', {
      name: 'a',
      folder: 'a',
      version: 'v1',
      destinationNamespace: 'a',
      repository: { repoURL: 'https://git.lan/ops/backup.git' },
    });
    return find(objects(chart), 'Application', 'a');
  };

  test('an Application needs the version it deploys', () => {
    expect(bareApplication().metadata.labels!['app.kubernetes.io/version']).toBe('v1');
  });

  test('an Application follows HEAD of the repository and syncs dist/<folder> unless told otherwise', () => {
    expect(bareApplication().spec.source).toMatchObject({
      repoURL: 'https://git.lan/ops/backup.git',
      targetRevision: 'HEAD',
      path: 'dist/a',
    });
  });
});

test('an Application of a folder the app does not render is refused, naming the folders there are', () => {
  const { chart } = testChart();
  new ArgoCdApplication(chart, 'A', {
    name: 'a',
    folder: 'veleroo',
    version: 'v1',
    destinationNamespace: 'a',
    repository: { repoURL: 'https://git.lan/ops/backup.git' },
  });
  expect(() => objects(chart)).toThrow(
    "argocd application 'a': folder 'veleroo' is not a rendered folder, so the Application would sync nothing; use one of 'test' (docs/pitfalls.md#argocd-application)",
  );
});
