/**
 * The chart's knobs as rendered (issue 23): each config field lands where its consumer reads it, in the
 * server Deployment, the node-agent DaemonSet, the node-agent ConfigMap, the server flags and the Schedule; and
 * adopting the chart makes the velero Application take Helm's fields over (server-side apply + migration).
 */
import { buildConfig } from '../../constructs/backup-fleet';
import { NODE_AGENT_CONFIG_KEYS } from '../../lib/versions/node-agent-config';
import { VELERO_LINES } from '../../lib/versions/velero-lines';
import type { BackupStackConfig } from '../../lib/config/types';

type Json = any;

const BASE: BackupStackConfig = {
  csi: { enabled: false },
  storageLocations: [{ provider: 'minio', bucket: 'velero', s3Url: 'http://minio.minio.svc:9000' }],
  schedules: [{ name: 'daily', schedule: '0 3 * * *', includedNamespaces: ['apps'], resourcePolicy: 'skip-scratch' }],
};

const KNOBS: BackupStackConfig = {
  ...BASE,
  release: {
    version: 'v1.17.2',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'backup', effect: 'NoSchedule' }],
    affinity: {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] },
    },
    priorityClassName: 'system-cluster-critical',
    podLabels: { team: 'ops' },
    podAnnotations: { 'example.com/note': 'hi' },
    extraEnv: [{ name: 'HTTPS_PROXY', value: 'http://proxy.lan:3128' }],
    imageRegistry: 'registry.lan:5000/dockerhub',
    imagePullSecrets: ['mirror-pull'],
    defaultBackupTtl: '168h',
    garbageCollectionFrequency: '6h',
    defaultItemOperationTimeout: '8h',
    nodeAgent: {
      enabled: true,
      nodeSelector: { storage: 'longhorn' },
      priorityClassName: 'system-node-critical',
      extraEnv: [{ name: 'NO_PROXY', value: '.svc' }],
      config: {
        loadConcurrency: { globalConfig: 2 },
        backupPVC: { longhorn: { storageClass: 'longhorn-single-replica', readOnly: true } },
        podResources: { cpuRequest: '100m', memoryLimit: '1Gi' },
      },
    },
  },
};

function render(config: BackupStackConfig) {
  const objects = buildConfig(config).objects.map((o) => o.object as Json);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  return { objects, find };
}

describe('the knobs land where their consumer reads them', () => {
  const { find } = render(KNOBS);
  const server = find('Deployment', 'velero').spec.template;
  const agent = find('DaemonSet', 'node-agent').spec.template;

  test.each([
    ['nodeSelector', server.spec.nodeSelector, { 'kubernetes.io/os': 'linux' }],
    [
      'tolerations',
      server.spec.tolerations,
      [{ key: 'dedicated', operator: 'Equal', value: 'backup', effect: 'NoSchedule' }],
    ],
    [
      'affinity',
      server.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
      [{ topologyKey: 'kubernetes.io/hostname' }],
    ],
    ['priorityClassName', server.spec.priorityClassName, 'system-cluster-critical'],
    ['imagePullSecrets', server.spec.imagePullSecrets, [{ name: 'mirror-pull' }]],
    ['podAnnotations', server.metadata.annotations, { 'example.com/note': 'hi' }],
    ['the server image', server.spec.containers[0].image, 'registry.lan:5000/dockerhub/velero/velero:v1.17.2'],
    [
      'the plugin image',
      server.spec.initContainers[0].image,
      'registry.lan:5000/dockerhub/velero/velero-plugin-for-aws:v1.13.2',
    ],
    ['the node-agent image', agent.spec.containers[0].image, 'registry.lan:5000/dockerhub/velero/velero:v1.17.2'],
    ['the node-agent nodeSelector', agent.spec.nodeSelector, { storage: 'longhorn' }],
    ['the node-agent priorityClassName', agent.spec.priorityClassName, 'system-node-critical'],
    ['the node-agent imagePullSecrets', agent.spec.imagePullSecrets, [{ name: 'mirror-pull' }]],
  ])('%s', (_what, rendered, expected) => {
    expect(rendered).toEqual(expected);
  });

  test('podLabels join the selector labels, which stay', () => {
    expect(server.metadata.labels).toMatchObject({
      team: 'ops',
      ...find('Deployment', 'velero').spec.selector.matchLabels,
    });
  });

  test('extra env follows the release own', () => {
    expect(server.spec.containers[0].env.at(-1)).toEqual({ name: 'HTTPS_PROXY', value: 'http://proxy.lan:3128' });
    expect(agent.spec.containers[0].env.at(-1)).toEqual({ name: 'NO_PROXY', value: '.svc' });
  });

  test('the server flags carry the durations as written', () => {
    expect(server.spec.containers[0].args).toEqual(
      expect.arrayContaining([
        '--default-backup-ttl=168h',
        '--garbage-collection-frequency=6h',
        '--default-item-operation-timeout=8h',
      ]),
    );
  });

  test('the node-agent reads its ConfigMap, whose one value is the JSON Velero unmarshals', () => {
    expect(agent.spec.containers[0].args).toContain('--node-agent-configmap=node-agent-config');
    const data = find('ConfigMap', 'node-agent-config').data;
    expect(Object.keys(data)).toHaveLength(1);
    expect(JSON.parse(data['node-agent-config.json'])).toEqual(KNOBS.release!.nodeAgent!.config);
  });

  test('the schedule names its resource-policies ConfigMap as --resource-policies-configmap does', () => {
    expect(find('Schedule', 'daily').spec.template.resourcePolicy).toEqual({ kind: 'configmap', name: 'skip-scratch' });
  });
});

test('without the knobs nothing of them renders', () => {
  const { find } = render(BASE);
  const spec = find('Deployment', 'velero').spec.template.spec;
  for (const field of ['nodeSelector', 'tolerations', 'affinity', 'priorityClassName', 'imagePullSecrets'])
    expect(spec[field]).toBeUndefined();
  expect(spec.containers[0].image).toBe('velero/velero:' + spec.containers[0].image.split(':')[1]);
});

test.each(VELERO_LINES.map((l) => [l.line, l] as const))(
  'the node-agent ConfigMap keys of Velero %s are read from its own source tag',
  (line) => {
    const own = Object.entries(NODE_AGENT_CONFIG_KEYS)
      .filter(([, since]) => Number(since.split('.')[1]) <= Number(line.split('.')[1]))
      .map(([k]) => k);
    expect(own).toEqual(expect.arrayContaining(['loadConcurrency', 'backupPVC', 'podResources']));
    expect(own.includes('priorityClassName')).toBe(Number(line.split('.')[1]) >= 17);
    expect(own.includes('podLabels')).toBe(Number(line.split('.')[1]) >= 18);
  },
);

describe('adopting the chart', () => {
  const helm = (installedBy: Json, extra: Json = {}) => {
    const { find } = render({ ...BASE, release: { installedBy, ...extra } });
    return { app: find('Application', 'velero'), deployment: find('Deployment', 'velero') };
  };

  test.each([
    ["release 'velero'", { kind: 'helm', releaseName: 'velero' }, 'velero'],
    ["release 'backup'", { kind: 'helm', releaseName: 'backup' }, 'backup-velero'],
    ['velero install', { kind: 'velero-install' }, 'cloud-credentials'],
  ])('%s: the server mounts the Secret its installer made', (_what, installedBy, secret) => {
    const volumes = helm(installedBy).deployment.spec.template.spec.volumes;
    expect(volumes.find((v: Json) => v.name === 'cloud-credentials').secret.secretName).toBe(secret);
  });

  test('credentials given win over the chart default', () => {
    const volumes = helm({ kind: 'helm' }, { credentials: { name: 'minio-creds' } }).deployment.spec.template.spec
      .volumes;
    expect(volumes.find((v: Json) => v.name === 'cloud-credentials').secret.secretName).toBe('minio-creds');
  });

  test.each([
    ['the chart (Helm 3.7+)', { kind: 'helm' }, ['ServerSideApply=true'], 'helm'],
    [
      'the chart (older Helm)',
      { kind: 'helm', fieldManager: 'Go-http-client' },
      ['ServerSideApply=true'],
      'Go-http-client',
    ],
    ['velero install', { kind: 'velero-install' }, [], undefined],
  ])('from %s the velero Application migrates the installer fields to itself', (_what, installedBy, extra, manager) => {
    const { app } = helm(installedBy);
    expect(app.metadata.annotations['argocd.argoproj.io/client-side-apply-migration-manager']).toBe(manager);
    expect(app.spec.syncPolicy.syncOptions).toEqual([
      'CreateNamespace=true',
      'SkipDryRunOnMissingResource=true',
      'PruneLast=true',
      ...extra,
    ]);
  });
});

test.each(VELERO_LINES.map((l) => [l.newestReadTag] as const))(
  'Velero %s knows every flag the knobs render (checked against the line, lib/versions/velero-lines.ts)',
  (version) => {
    const { find } = render({
      ...BASE,
      release: {
        version,
        defaultBackupTtl: '720h',
        garbageCollectionFrequency: '1h',
        defaultItemOperationTimeout: '4h',
        nodeAgent: { enabled: true, config: { loadConcurrency: { globalConfig: 1 } } },
      },
    });
    expect(find('Deployment', 'velero').spec.template.spec.containers[0].args).toContain('--default-backup-ttl=720h');
    expect(find('DaemonSet', 'node-agent').spec.template.spec.containers[0].args).toContain(
      '--node-agent-configmap=node-agent-config',
    );
  },
);
