import {
  INVARIANT_RULES,
  checkInvariants,
  foldersOf,
  imagePinProblem,
  invariantsCheck,
  type FolderEntry,
  type InvariantOptions,
} from '../../lib/validation/invariants';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */

type Json = any;

const SKIP_DRY_RUN = { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' };
const RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '200m', memory: '512Mi' } };
const LOCALSTACK: InvariantOptions = { localStackSecretAllowed: false, localStackLocations: ['velero/default'] };

function application(name: string, prune: boolean, source: Record<string, unknown> | Record<string, unknown>[]): Json {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'infrastructure',
      ...(Array.isArray(source) ? { sources: source } : { source }),
      destination: { server: 'https://kubernetes.default.svc', namespace: 'velero' },
      syncPolicy: { automated: { prune, selfHeal: true, allowEmpty: false } },
    },
  };
}

function container(name: string, image: string): Json {
  return {
    name,
    image,
    resources: RESOURCES,
    env: [{ name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/credentials/cloud' }],
  };
}

/** A small valid output: the applications folder and the velero folder, like dist/. */
function folders(): Map<string, FolderEntry[]> {
  return new Map<string, FolderEntry[]>([
    [
      'applications',
      [
        {
          file: 'Application_argoproj.io_argocd_backup-crds.yaml',
          object: application('backup-crds', false, [
            {
              repoURL: 'https://github.com/vmware-tanzu/velero.git',
              path: 'config/crd/v1/bases',
              targetRevision: 'v1.15.0',
            },
            {
              repoURL: 'https://github.com/kubernetes-csi/external-snapshotter.git',
              path: 'client/config/crd',
              targetRevision: 'v8.2.1',
            },
          ]),
        },
        {
          file: 'Application_argoproj.io_argocd_velero.yaml',
          object: application('velero', true, {
            repoURL: 'https://github.com/homelab/velero-cdk8s.git',
            path: 'dist/velero',
            directory: { include: '*.yaml' },
          }),
        },
      ],
    ],
    [
      'velero',
      [
        {
          file: 'Namespace_core_-_velero.yaml',
          object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'velero' } },
        },
        {
          file: 'Deployment_apps_velero_velero.yaml',
          object: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'velero', namespace: 'velero', annotations: { 'checksum/config': 'a'.repeat(64) } },
            spec: {
              template: {
                spec: {
                  initContainers: [container('velero-velero-plugin-for-aws', 'velero/velero-plugin-for-aws:v1.11.1')],
                  containers: [container('velero', 'velero/velero:v1.15.0')],
                  volumes: [{ name: 'cloud-credentials', secret: { secretName: 'cloud-credentials' } }],
                },
              },
            },
          },
        },
        {
          file: 'BackupStorageLocation_velero.io_velero_default.yaml',
          object: {
            apiVersion: 'velero.io/v1',
            kind: 'BackupStorageLocation',
            metadata: { name: 'default', namespace: 'velero', annotations: SKIP_DRY_RUN },
            spec: {
              provider: 'aws',
              default: true,
              objectStorage: { bucket: 'velero-backups' },
              config: {
                region: 'us-east-1',
                s3ForcePathStyle: 'true',
                s3Url: 'http://localstack.localstack:4566',
                insecureSkipTLSVerify: 'true',
              },
            },
          },
        },
        {
          file: 'Schedule_velero.io_velero_daily.yaml',
          object: {
            apiVersion: 'velero.io/v1',
            kind: 'Schedule',
            metadata: { name: 'daily', namespace: 'velero', annotations: SKIP_DRY_RUN },
            spec: {
              schedule: '0 2 * * *',
              template: { metadata: { labels: { 'velero-cdk8s/schedule': 'daily' } }, ttl: '720h0m0s' },
            },
          },
        },
        {
          file: 'PrometheusRule_monitoring.coreos.com_velero_alerts.yaml',
          object: {
            apiVersion: 'monitoring.coreos.com/v1',
            kind: 'PrometheusRule',
            metadata: { name: 'alerts', namespace: 'velero', annotations: SKIP_DRY_RUN },
            spec: {
              groups: [
                {
                  name: 'velero',
                  rules: [
                    {
                      alert: 'VeleroBackupFailed',
                      expr: 'increase(velero_backup_failure_total[1h]) > 0',
                      annotations: {
                        description: 'check the secret and the access key of the storage location; token expired?',
                      },
                    },
                  ],
                },
              ],
            },
          },
        },
      ],
    ],
  ]);
}

type Folders = ReturnType<typeof folders>;
const get = (f: Folders, folder: string, file: string): Json => f.get(folder)!.find((e) => e.file === file)!.object;
const DEPLOYMENT = 'Deployment_apps_velero_velero.yaml';
const BSL = 'BackupStorageLocation_velero.io_velero_default.yaml';
const SCHEDULE = 'Schedule_velero.io_velero_daily.yaml';
const VELERO_APP = 'Application_argoproj.io_argocd_velero.yaml';
const CRD_APP = 'Application_argoproj.io_argocd_backup-crds.yaml';

function withObject(file: string, object: unknown, folder = 'velero'): Folders {
  const f = folders();
  f.set(folder, [...(f.get(folder) ?? []), { file, object }]);
  return f;
}

test('the valid output passes every rule', () => {
  expect(checkInvariants(folders(), LOCALSTACK)).toEqual([]);
});

describe('no-secret-data', () => {
  const localStackSecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cloud-credentials', namespace: 'velero' },
    type: 'Opaque',
    stringData: { cloud: '[default]\naws_access_key_id=test\naws_secret_access_key=test\n' },
  };
  const FILE = 'Secret_core_velero_cloud-credentials.yaml';

  test("LocalStack's test/test Secret passes when it was asked for", () => {
    expect(
      checkInvariants(withObject(FILE, localStackSecret), { ...LOCALSTACK, localStackSecretAllowed: true }),
    ).toEqual([]);
  });

  test('the same Secret base64-encoded in data passes too', () => {
    const encoded = {
      ...localStackSecret,
      stringData: undefined,
      data: { cloud: Buffer.from(localStackSecret.stringData.cloud).toString('base64') },
    };
    expect(checkInvariants(withObject(FILE, encoded), { ...LOCALSTACK, localStackSecretAllowed: true })).toEqual([]);
  });

  test('without the opt-in even the test Secret fails', () => {
    expect(checkInvariants(withObject(FILE, localStackSecret), LOCALSTACK)).toEqual([
      `velero/${FILE}: Secret velero/cloud-credentials: no-secret-data: a Secret with data is rendered; credentials are referenced by name (an existing Secret), never rendered`,
      `velero/${FILE}: Secret velero/cloud-credentials: no-credentials: stringData.cloud holds an aws_secret_access_key assignment; credentials never go into Git`,
    ]);
  });

  test('with the opt-in, any other Secret with data fails', () => {
    const real = {
      ...localStackSecret,
      stringData: { cloud: '[default]\naws_access_key_id=test\naws_secret_access_key=hunter2\n' },
    };
    expect(checkInvariants(withObject(FILE, real), { ...LOCALSTACK, localStackSecretAllowed: true })).toEqual([
      `velero/${FILE}: Secret velero/cloud-credentials: no-secret-data: a Secret with data is rendered that is not LocalStack's test/test credentials file, the only one allowed; reference an existing Secret instead`,
      `velero/${FILE}: Secret velero/cloud-credentials: no-credentials: stringData.cloud holds an aws_secret_access_key assignment; credentials never go into Git`,
    ]);
  });

  test('an empty Secret fails too: ArgoCD would own the live one', () => {
    const empty = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cloud-credentials', namespace: 'velero' } };
    expect(checkInvariants(withObject(FILE, empty), LOCALSTACK)).toEqual([
      `velero/${FILE}: Secret velero/cloud-credentials: no-secret-data: a Secret is rendered; ArgoCD would own the live Secret of that name and, with prune, delete it; create Secrets out of band`,
    ]);
  });
});

describe('no-credentials', () => {
  const configMap = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'velero' },
    data,
  });
  const FILE = 'ConfigMap_core_velero_c.yaml';
  const one = (data: Record<string, string>) => checkInvariants(withObject(FILE, configMap(data)), LOCALSTACK);

  test('an AWS access key id fails', () => {
    expect(one({ file: 'key=AKIAIOSFODNN7EXAMPLE' })).toEqual([
      `velero/${FILE}: ConfigMap velero/c: no-credentials: data.file holds an AWS access key id; credentials never go into Git`,
    ]);
  });

  test.each([
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'an aws_secret_access_key assignment'],
    ['aws_session_token=IQoJb3JpZ2luX2VjEXAMPLE', 'an aws_session_token assignment'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----', 'a private key'],
    ['-----BEGIN PRIVATE KEY-----', 'a private key'],
    ['K005abcdefghijklmnopqrstuvwxyz0', 'a Backblaze B2 application key'],
    ['keyID 0014a1b2c3d4e5f0000000001 here', 'a Backblaze B2 application key id'],
    ['B2_APPLICATION_KEY=whatever', 'a B2 application key assignment'],
  ])('%s fails as %s', (value, what) => {
    expect(one({ file: value })).toContain(
      `velero/${FILE}: ConfigMap velero/c: no-credentials: data.file holds ${what}; credentials never go into Git`,
    );
  });

  test('a literal value under a credential key fails', () => {
    expect(one({ secretAccessKey: 'abc' })).toEqual([
      `velero/${FILE}: ConfigMap velero/c: no-credentials: data.secretAccessKey holds a literal credential; credentials never go into Git`,
    ]);
  });

  test('a secret env var set inline fails; from a Secret it passes', () => {
    const f = folders();
    const c = get(f, 'velero', DEPLOYMENT).spec.template.spec.containers[0];
    c.env.push({ name: 'AWS_SECRET_ACCESS_KEY', value: 'x' });
    c.env.push({ name: 'B2_APPLICATION_KEY', valueFrom: { secretKeyRef: { name: 'b2', key: 'key' } } });
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `velero/${DEPLOYMENT}: Deployment velero/velero: no-credentials: spec.template.spec.containers[0].env[1] sets AWS_SECRET_ACCESS_KEY inline; take it from a Secret with valueFrom.secretKeyRef`,
    ]);
  });

  test('ordinary YAML that talks about secrets, keys and tokens passes', () => {
    expect(
      one({
        secretName: 'cloud-credentials',
        credentialsFile: '/credentials/cloud',
        note: 'the secret key and the access key live in the cloud-credentials Secret; rotate the token yearly',
        digest: 'sha256:' + '0'.repeat(64),
        uid: '0014a1b2c3d4e5f00000000012345',
        word: 'K9000 is not a key',
      }),
    ).toEqual([]);
  });
});

describe('no-insecure-tls and no-plain-http', () => {
  test('the LocalStack location may use both', () => {
    expect(checkInvariants(folders(), LOCALSTACK)).toEqual([]);
  });

  test('any other location may use neither', () => {
    expect(checkInvariants(folders(), { localStackSecretAllowed: false })).toEqual([
      `velero/${BSL}: BackupStorageLocation velero/default: no-insecure-tls: spec.config.insecureSkipTLSVerify is "true"; only the LocalStack test profile may skip TLS verification (give caCert for a private CA)`,
      `velero/${BSL}: BackupStorageLocation velero/default: no-plain-http: spec.config.s3Url 'http://localstack.localstack:4566' is plain http; only the LocalStack test profile may use http, use https`,
    ]);
  });

  test('https and insecureSkipTLSVerify "false" pass', () => {
    const f = folders();
    get(f, 'velero', BSL).spec.config = {
      region: 'us-west-004',
      s3Url: 'https://s3.us-west-004.backblazeb2.com',
      insecureSkipTLSVerify: 'false',
    };
    expect(checkInvariants(f, { localStackSecretAllowed: false })).toEqual([]);
  });
});

describe('pinned-images and container-resources', () => {
  test.each([
    [
      'velero/velero:latest',
      "image 'velero/velero:latest' uses 'latest'; pin a version tag, e.g. 'velero/velero:v1.2.3'",
    ],
    ['velero/velero', "image 'velero/velero' has no tag; pin a version tag, e.g. 'velero/velero:v1.2.3'"],
    [
      'localhost:5000/velero',
      "image 'localhost:5000/velero' has no tag; pin a version tag, e.g. 'localhost:5000/velero:v1.2.3'",
    ],
    [
      'velero/velero:main',
      "image 'velero/velero:main' has tag 'main', which is not a version; pin a version tag, e.g. 'velero/velero:v1.2.3'",
    ],
    [
      'velero/velero@sha256:' + 'a'.repeat(64),
      `image 'velero/velero@sha256:${'a'.repeat(64)}' has no tag; pin a version tag, e.g. 'velero/velero:v1.2.3'`,
    ],
  ])('%s is not pinned', (image, why) => {
    expect(imagePinProblem(image)).toBe(why);
  });

  test.each([
    'velero/velero:v1.15.0',
    'registry.k8s.io/sig-storage/snapshot-controller:v8.2.1',
    'localhost:5000/x:1.2.3-alpine',
    `velero/velero:v1.15.0@sha256:${'a'.repeat(64)}`,
  ])('%s is pinned', (image) => {
    expect(imagePinProblem(image)).toBeUndefined();
  });

  test('an initContainer with an unpinned image fails with its path', () => {
    const f = folders();
    get(f, 'velero', DEPLOYMENT).spec.template.spec.initContainers[0].image = 'velero/velero-plugin-for-aws:latest';
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `velero/${DEPLOYMENT}: Deployment velero/velero: pinned-images: spec.template.spec.initContainers[0] 'velero-velero-plugin-for-aws' image 'velero/velero-plugin-for-aws:latest' uses 'latest'; pin a version tag, e.g. 'velero/velero-plugin-for-aws:v1.2.3'`,
    ]);
  });

  test('a container without limits fails, naming what is missing', () => {
    const f = folders();
    get(f, 'velero', DEPLOYMENT).spec.template.spec.containers[0].resources = { requests: { cpu: '100m' } };
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `velero/${DEPLOYMENT}: Deployment velero/velero: container-resources: spec.template.spec.containers[0] 'velero' has no resources requests.memory, limits.cpu, limits.memory; set requests and limits for cpu and memory`,
    ]);
  });

  test('containers of a CronJob are found too', () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'drill', namespace: 'velero' },
      spec: {
        schedule: '0 5 * * 0',
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'drill', image: 'x/drill:v1.0.0' }] } } } },
      },
    };
    expect(checkInvariants(withObject('CronJob_batch_velero_drill.yaml', cronJob), LOCALSTACK)).toEqual([
      "velero/CronJob_batch_velero_drill.yaml: CronJob velero/drill: container-resources: spec.jobTemplate.spec.template.spec.containers[0] 'drill' has no resources requests.cpu, requests.memory, limits.cpu, limits.memory; set requests and limits for cpu and memory",
    ]);
  });
});

describe('crs-after-crds', () => {
  test('a custom resource without SkipDryRunOnMissingResource=true fails', () => {
    const f = folders();
    delete get(f, 'velero', SCHEDULE).metadata.annotations;
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `velero/${SCHEDULE}: Schedule velero/daily: crs-after-crds: a velero.io custom resource without 'argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true' fails the first sync into an empty cluster, before the CRD Application has installed its CRD`,
    ]);
  });

  test('the option among others passes', () => {
    const f = folders();
    get(f, 'velero', SCHEDULE).metadata.annotations = {
      'argocd.argoproj.io/sync-options': 'Prune=false, SkipDryRunOnMissingResource=true',
    };
    expect(checkInvariants(f, LOCALSTACK)).toEqual([]);
  });

  test('Applications (argoproj.io, installed with ArgoCD) need no such option', () => {
    expect(get(folders(), 'applications', VELERO_APP).metadata.annotations).toBeUndefined();
    expect(checkInvariants(folders(), LOCALSTACK)).toEqual([]);
  });
});

describe('no-crd-in-pruning-app and crd-app-no-prune', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'schedules.velero.io' },
    spec: {},
  };
  const FILE = 'CustomResourceDefinition_apiextensions.k8s.io_-_schedules.velero.io.yaml';

  test('a CRD in a folder whose Application prunes fails, and so does the Application', () => {
    expect(checkInvariants(withObject(FILE, crd), LOCALSTACK)).toEqual([
      `velero/${FILE}: CustomResourceDefinition schedules.velero.io: no-crd-in-pruning-app: the folder is synced by Application 'velero' (applications/${VELERO_APP}) with prune on; pruning a CRD deletes every object of its kind`,
      `applications/${VELERO_APP}: Application argocd/velero: crd-app-no-prune: it syncs CRDs (dist folder 'velero') with spec.syncPolicy.automated.prune true; set prune: false, or a CRD that leaves the source deletes every object of its kind`,
    ]);
  });

  test('a CRD in a folder whose Application does not prune passes', () => {
    const f = withObject(FILE, crd, 'crds');
    f.get('applications')!.push({
      file: 'Application_argoproj.io_argocd_crds.yaml',
      object: application('crds', false, { path: 'dist/crds', repoURL: 'r' }),
    });
    expect(checkInvariants(f, LOCALSTACK)).toEqual([]);
  });

  test('an Application whose sources are upstream CRDs must not prune', () => {
    const f = folders();
    get(f, 'applications', CRD_APP).spec.syncPolicy.automated.prune = true;
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `applications/${CRD_APP}: Application argocd/backup-crds: crd-app-no-prune: it syncs CRDs (config/crd/v1/bases, client/config/crd) with spec.syncPolicy.automated.prune true; set prune: false, or a CRD that leaves the source deletes every object of its kind`,
    ]);
  });

  test('a CRD Helm chart counts as CRDs too', () => {
    const app = application('prom-crds', true, {
      repoURL: 'https://prometheus-community.github.io/helm-charts',
      chart: 'prometheus-operator-crds',
      targetRevision: '24.0.0',
    });
    expect(
      checkInvariants(withObject('Application_argoproj.io_argocd_prom-crds.yaml', app, 'applications'), LOCALSTACK),
    ).toEqual([
      'applications/Application_argoproj.io_argocd_prom-crds.yaml: Application argocd/prom-crds: crd-app-no-prune: it syncs CRDs (prometheus-operator-crds) with spec.syncPolicy.automated.prune true; set prune: false, or a CRD that leaves the source deletes every object of its kind',
    ]);
  });
});

describe('schedule-template-labels and no-skip-immediately', () => {
  test('a Schedule without template labels fails', () => {
    const f = folders();
    delete get(f, 'velero', SCHEDULE).spec.template.metadata;
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `velero/${SCHEDULE}: Schedule velero/daily: schedule-template-labels: spec.template.metadata.labels is not set; Velero then copies the Schedule's labels, ArgoCD's tracking label included, onto every Backup and ArgoCD prunes those Backups`,
    ]);
  });

  test('empty template labels count as not set', () => {
    const f = folders();
    get(f, 'velero', SCHEDULE).spec.template.metadata.labels = {};
    expect(checkInvariants(f, LOCALSTACK)).toHaveLength(1);
  });

  test('skipImmediately fails whatever its value', () => {
    const f = folders();
    get(f, 'velero', SCHEDULE).spec.skipImmediately = false;
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `velero/${SCHEDULE}: Schedule velero/daily: no-skip-immediately: spec.skipImmediately is set (false); Velero rewrites it after use and selfHeal flips it back forever; leave it out`,
    ]);
  });
});

describe('folder-not-empty and kubernetes-objects-only', () => {
  test('an empty synced folder fails', () => {
    const f = folders();
    f.set('csi-snapshots', []);
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      'csi-snapshots/: folder-not-empty: the folder has no objects; with prune on, ArgoCD would delete everything it synced from there',
    ]);
  });

  test('an object without metadata.name fails', () => {
    expect(
      checkInvariants(withObject('x.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), LOCALSTACK),
    ).toEqual([
      'velero/x.yaml: ConfigMap <no name>: kubernetes-objects-only: not a Kubernetes object: apiVersion, kind and metadata.name must be non-empty strings',
    ]);
  });

  test('something that is not an object at all fails', () => {
    expect(checkInvariants(withObject('notes.yaml', 'just text'), LOCALSTACK)).toEqual([
      'velero/notes.yaml: <no kind> <no name>: kubernetes-objects-only: not a Kubernetes object: apiVersion, kind and metadata.name must be non-empty strings',
    ]);
  });

  test('a .yml file fails: the Applications include *.yaml only', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'velero' } };
    expect(checkInvariants(withObject('c.yml', cm), LOCALSTACK)).toEqual([
      "velero/c.yml: ConfigMap velero/c: kubernetes-objects-only: only top-level '*.yaml' files are synced (the Applications include '*.yaml' without recursion)",
    ]);
  });

  test('a kustomization.yaml fails: ArgoCD would switch the folder to Kustomize', () => {
    const k = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', metadata: { name: 'k' } };
    expect(checkInvariants(withObject('kustomization.yaml', k), LOCALSTACK)).toEqual([
      "velero/kustomization.yaml: Kustomization k: kubernetes-objects-only: a file named 'kustomization.yaml' makes ArgoCD treat the folder as Kustomize or Helm instead of plain YAML",
    ]);
  });
});

describe('wiring', () => {
  test('invariantsCheck runs on rendered objects grouped by folder', () => {
    const objects = [...folders()].flatMap(([folder, entries]) =>
      entries.map((e) => ({ folder, file: e.file, object: e.object })),
    );
    expect(foldersOf(objects).get('velero')).toHaveLength(5);
    expect(invariantsCheck({ localStackSecretAllowed: false })(objects)).toHaveLength(2);
  });

  test('every rule has a description', () => {
    expect(Object.keys(INVARIANT_RULES)).toHaveLength(16);
  });
});

describe('restores: an unsynced folder, run-time kinds, Schedules without ArgoCD tracking', () => {
  const restore = {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: { generateName: 'pvc-lost-', namespace: 'velero' },
    spec: { scheduleName: 'daily', includedNamespaces: ['default'] },
  };

  test('a Restore with generateName in dist/restores/ passes: not synced, applied by hand', () => {
    expect(checkInvariants(withObject('pvc-lost.yaml', restore, 'restores'), LOCALSTACK)).toEqual([]);
  });

  test('the same Restore in a synced folder fails twice: no name, and a run-time kind ArgoCD would prune', () => {
    const named = { ...restore, metadata: { ...restore.metadata, name: 'r', annotations: SKIP_DRY_RUN } };
    expect(checkInvariants(withObject('Restore_velero.io_velero_r.yaml', named), LOCALSTACK)).toEqual([
      'velero/Restore_velero.io_velero_r.yaml: Restore velero/r: runtime-kinds-unsynced: velero.io Restore is created by Velero or the snapshot controller at run time; render it into an unsynced folder (restores) or not at all',
    ]);
    expect(checkInvariants(withObject('r.yaml', restore), LOCALSTACK)[0]).toMatch(/kubernetes-objects-only/);
  });

  test('a VolumeSnapshot in a synced folder fails; a VolumeSnapshotClass (configuration) passes', () => {
    const snap = (kind: string) => ({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind,
      metadata: { name: 's', namespace: 'velero', annotations: SKIP_DRY_RUN },
    });
    expect(checkInvariants(withObject('VolumeSnapshot_x.yaml', snap('VolumeSnapshot')), LOCALSTACK)).toHaveLength(1);
    expect(checkInvariants(withObject('VolumeSnapshotClass_x.yaml', snap('VolumeSnapshotClass')), LOCALSTACK)).toEqual(
      [],
    );
  });

  test('an Application that syncs dist/restores fails', () => {
    const f = withObject('pvc-lost.yaml', restore, 'restores');
    f.get('applications')!.push({
      file: 'Application_argoproj.io_argocd_restores.yaml',
      object: application('restores', true, { repoURL: 'https://git.lan/x.git', path: 'dist/restores' }),
    });
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      "applications/Application_argoproj.io_argocd_restores.yaml: Application argocd/restores: unsynced-folder: it syncs dist folder 'restores', which holds what a person applies by hand with 'kubectl create -f'; leave it out of every Application",
    ]);
  });

  test.each([
    ['metadata', 'labels', 'app.kubernetes.io/instance'],
    ['spec.template.metadata', 'labels', 'app.kubernetes.io/instance'],
    ['metadata', 'annotations', 'argocd.argoproj.io/tracking-id'],
    ['spec.template.metadata', 'annotations', 'argocd.argoproj.io/tracking-id'],
  ])("a Schedule with ArgoCD's tracking in %s.%s[%s] fails", (where, map, key) => {
    const f = folders();
    const schedule = get(f, 'velero', SCHEDULE);
    const meta = where === 'metadata' ? schedule.metadata : schedule.spec.template.metadata;
    meta[map] = { ...(meta[map] ?? {}), [key]: 'velero:velero.io/Schedule:velero/daily' };
    expect(checkInvariants(f, LOCALSTACK)).toEqual([
      `velero/${SCHEDULE}: Schedule velero/daily: schedule-no-tracking: ${where}.${map}[${key}] is set; Velero copies it onto every Backup and ArgoCD then owns and prunes them; ArgoCD adds its own tracking, never render it`,
    ]);
  });
});
