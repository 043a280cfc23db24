import type { VeleroReleaseProps } from '../../constructs/velero-release';
import { find, objects, testChart, testRelease } from '../helpers';
import { StorageProfile } from '../../lib/storage/storage-profile';

const deployment = (opts: Parameters<typeof testRelease>[1] = {}) => {
  const { chart } = testChart();
  testRelease(chart, opts);
  return find(objects(chart), 'Deployment', 'velero');
};
const veleroContainer = (d: any) => d.spec.template.spec.containers.find((c: any) => c.name === 'velero');

describe('VeleroRelease server Deployment', () => {
  test('runs /velero server with EnableCSI and kopia', () => {
    const c = veleroContainer(deployment());
    expect(c.command).toEqual(['/velero']);
    expect(c.args).toEqual(['server', '--features=EnableCSI', '--uploader-type=kopia', '--log-level=info']);
  });

  test('drops the EnableCSI feature flag when CSI snapshots are off', () => {
    const c = veleroContainer(deployment({ csiSnapshots: false }));
    expect(c.args).not.toContainEqual(expect.stringContaining('--features'));
    expect(c.args).toContain('--uploader-type=kopia');
  });

  test('uses the pinned image and exposes the metrics port 8085', () => {
    const c = veleroContainer(deployment());
    expect(c.image).toBe('velero/velero:v1.15.0');
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 8085, protocol: 'TCP' }]);
  });

  test('sets the install contract env: scratch dir, namespace, plugin library path, kopia home and credential files', () => {
    const env = veleroContainer(deployment()).env;
    expect(env).toEqual([
      { name: 'VELERO_SCRATCH_DIR', value: '/scratch' },
      { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'LD_LIBRARY_PATH', value: '/plugins' },
      { name: 'HOME', value: '/home/velero' },
      { name: 'XDG_CACHE_HOME', value: '/home/velero/.cache' },
      { name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/credentials/cloud' },
      { name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/credentials/cloud' },
      { name: 'AZURE_CREDENTIALS_FILE', value: '/credentials/cloud' },
      { name: 'ALIBABA_CLOUD_CREDENTIALS_FILE', value: '/credentials/cloud' },
    ]);
  });

  test("mounts plugins, scratch, the credentials Secret, a writable /tmp and kopia's home", () => {
    const d = deployment();
    expect(veleroContainer(d).volumeMounts).toEqual([
      { name: 'plugins', mountPath: '/plugins' },
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'cloud-credentials', mountPath: '/credentials', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'home', mountPath: '/home/velero' },
    ]);
    expect(d.spec.template.spec.volumes).toEqual([
      { name: 'plugins', emptyDir: {} },
      { name: 'scratch', emptyDir: {} },
      { name: 'cloud-credentials', secret: { secretName: 'cloud-credentials' } },
      { name: 'tmp', emptyDir: {} },
      { name: 'home', emptyDir: {} },
    ]);
  });

  test('the AWS plugin initContainer (v1.11.x for Velero 1.15) copies into plugins at /target', () => {
    const init = deployment().spec.template.spec.initContainers;
    expect(init).toHaveLength(1);
    expect(init[0].image).toBe('velero/velero-plugin-for-aws:v1.11.1');
    expect(init[0].volumeMounts).toEqual([{ name: 'plugins', mountPath: '/target' }]);
    expect(init.map((c: any) => c.image)).not.toContainEqual(expect.stringContaining('velero-plugin-for-csi'));
  });

  test("gets a backup's CPU: requests 100m/256Mi, limits 1000m (upstream velero install's) /512Mi", () => {
    expect(veleroContainer(deployment()).resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '1000m', memory: '512Mi' },
    });
  });

  test('a busy server gets 5 minutes of missed liveness probes (10 x 30s, 10s each) before a restart', () => {
    const c = veleroContainer(deployment());
    expect(c.livenessProbe).toMatchObject({ periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 10 });
    expect(c.livenessProbe.periodSeconds * c.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    expect(c.readinessProbe).toMatchObject({ periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5 });
  });

  test('probes /metrics for liveness and readiness and replaces pods with Recreate', () => {
    const d = deployment();
    const c = veleroContainer(d);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('every container runs non-root with numeric ids, no escalation, no capabilities, RuntimeDefault and a read-only root', () => {
    const spec = deployment().spec.template.spec;
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
  });

  test('fails when a resource limit is below its request', () => {
    expect(() =>
      deployment({
        resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '200m', memory: '512Mi' } },
      }),
    ).toThrow(
      "velero server: resources.limits.cpu '200m' is below resources.requests.cpu '500m'; raise the limit or lower the request",
    );
  });

  test('fails on a Velero version outside the supported lines', () => {
    expect(() => deployment({ version: 'v1.19.0' })).toThrow(
      "velero release: Velero version 'v1.19.0' is not of a line this project deploys; supported lines: v1.15.x, v1.16.x, v1.17.x, v1.18.x (any release of them, e.g. 'v1.18.1')",
    );
  });

  test('fails on an AWS plugin from another Velero line', () => {
    expect(() => deployment({ awsPluginVersion: 'v1.10.1' })).toThrow(
      'velero release: velero-plugin-for-aws v1.10.1 does not work with Velero v1.15.0: use v1.11.x (v1.11.1)',
    );
  });
});

describe('VeleroRelease namespace and RBAC', () => {
  test('namespace is restricted while the node-agent is off', () => {
    const { chart } = testChart();
    testRelease(chart);
    const ns = find(objects(chart), 'Namespace', 'velero');
    for (const mode of ['enforce', 'audit', 'warn'])
      expect(ns.metadata.labels![`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
  });

  test('namespace is privileged only when the node-agent is on', () => {
    const { chart } = testChart();
    testRelease(chart, { nodeAgent: { enabled: true } });
    const ns = find(objects(chart), 'Namespace', 'velero');
    for (const mode of ['enforce', 'audit', 'warn'])
      expect(ns.metadata.labels![`pod-security.kubernetes.io/${mode}`]).toBe('privileged');
  });

  test('the namespace is never pruned or deleted by ArgoCD', () => {
    const { chart } = testChart();
    testRelease(chart);
    expect(find(objects(chart), 'Namespace', 'velero').metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
    });
  });

  test('ServiceAccount velero is bound to cluster-admin', () => {
    const { chart } = testChart();
    testRelease(chart);
    const objs = objects(chart);
    find(objs, 'ServiceAccount', 'velero');
    const crb = find(objs, 'ClusterRoleBinding', 'velero');
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'velero', namespace: 'velero' }]);
  });

  test('every object carries the recommended labels', () => {
    const { chart } = testChart();
    testRelease(chart, { nodeAgent: { enabled: true } });
    for (const o of objects(chart)) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'velero',
        'app.kubernetes.io/part-of': 'velero-cdk8s',
        'app.kubernetes.io/managed-by': 'velero-cdk8s',
        'app.kubernetes.io/version': 'v1.15.0',
      });
    }
  });
});

describe('VeleroRelease storage profiles', () => {
  const bsl = (storage: StorageProfile) => {
    const { chart } = testChart();
    testRelease(chart, { storage });
    return find(objects(chart), 'BackupStorageLocation', 'default');
  };

  test('LocalStack: path-style, plain http endpoint and insecure TLS, bucket velero-backups', () => {
    const b = bsl(StorageProfile.localStack());
    expect(b.spec).toEqual({
      default: true,
      provider: 'aws',
      accessMode: 'ReadWrite',
      objectStorage: { bucket: 'velero-backups' },
      config: {
        region: 'us-east-1',
        s3ForcePathStyle: 'true',
        s3Url: 'http://localstack.localstack:4566',
        insecureSkipTLSVerify: 'true',
      },
    });
  });

  test('Backblaze B2: region endpoint, no path-style, verified TLS, empty checksumAlgorithm', () => {
    const b = bsl(StorageProfile.backblazeB2({ bucket: 'velero-backups-homelab' }));
    expect(b.spec.objectStorage).toEqual({ bucket: 'velero-backups-homelab' });
    expect(b.spec.config).toEqual({
      region: 'us-west-004',
      s3Url: 'https://s3.us-west-004.backblazeb2.com',
      checksumAlgorithm: '',
    });
  });

  test('generic S3 (MinIO) takes the same typed keys', () => {
    const b = bsl(
      StorageProfile.s3({
        bucket: 'velero',
        region: 'us-east-1',
        s3Url: 'https://minio.lan:9000',
        s3ForcePathStyle: true,
      }),
    );
    expect(b.spec.config).toEqual({ region: 'us-east-1', s3Url: 'https://minio.lan:9000', s3ForcePathStyle: 'true' });
  });

  test('the default BSL is marked default: true', () => {
    expect(bsl(StorageProfile.localStack()).spec.default).toBe(true);
  });

  test('fails on a bucket name S3 would reject', () => {
    expect(() => StorageProfile.backblazeB2({ bucket: 'Velero_Backups' })).toThrow(
      'storage profile \'backblaze-b2\': bucket "Velero_Backups" is not a valid S3 bucket name: it may hold only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit',
    );
  });

  test('fails on plain http to a public host without plainHttpReason', () => {
    expect(() =>
      StorageProfile.s3({ bucket: 'velero', region: 'us-east-1', s3Url: 'http://s3.example.com:9000' }),
    ).toThrow(
      "storage profile 's3': s3Url \"http://s3.example.com:9000\" is plain http to a public host (host 's3.example.com' is a public name): backups cross the internet unencrypted; use https, set inCluster: true for a Service, or give plainHttpReason (docs/pitfalls.md#plain-http)",
    );
  });

  test.each([
    ['a Service in the cluster', 'http://minio.minio.svc:9000', {}, 'in-cluster'],
    ['a *.lan host', 'http://minio.lan:9000', {}, 'private-network'],
    ['an RFC 1918 address', 'http://192.168.1.20:9000', {}, 'private-network'],
    ['a ClusterIP marked inCluster', 'http://10.43.0.17:9000', { inCluster: true }, 'in-cluster'],
    ['a public host with plainHttpReason', 'http://s3.example.com', { plainHttpReason: 'WireGuard tunnel' }, 'public'],
  ] as const)('accepts plain http to %s', (_what, s3Url, extra, placement) => {
    const profile = StorageProfile.s3({ bucket: 'velero', region: 'minio', s3Url, ...extra });
    expect(profile.config.s3Url).toBe(s3Url);
    expect(profile.endpoint).toMatchObject({ encrypted: false, placement });
  });

  test('fails when s3Url names another region than region', () => {
    expect(() =>
      StorageProfile.s3({ bucket: 'velero', region: 'us-east-1', s3Url: 'https://s3.eu-central-1.wasabisys.com' }),
    ).toThrow(
      "storage profile 's3': s3Url \"https://s3.eu-central-1.wasabisys.com\" names region 'eu-central-1' but region is 'us-east-1'; make them agree",
    );
  });

  test('fails on insecure TLS outside LocalStack', () => {
    expect(() =>
      StorageProfile.s3({ bucket: 'velero', region: 'us-east-1', extraConfig: { insecureSkipTLSVerify: 'true' } }),
    ).toThrow(
      'storage profile \'s3\': extraConfig.insecureSkipTLSVerify "true" is only allowed with the LocalStack test profile; give caCert for a private CA',
    );
  });

  test('fails on credentials given inline', () => {
    expect(() =>
      StorageProfile.s3({ bucket: 'velero', region: 'us-east-1', extraConfig: { secretAccessKey: 'abc' } }),
    ).toThrow(
      "storage profile 's3': extraConfig.secretAccessKey \"<redacted>\" looks like a credential; credentials are referenced through a Secret (VeleroRelease 'credentials'), never written into the BSL",
    );
  });
});

describe('VeleroRelease credentials', () => {
  test('references cloud-credentials/cloud and renders no Secret by default', () => {
    const { chart } = testChart();
    testRelease(chart);
    const objs = objects(chart);
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(find(objs, 'Deployment', 'velero').spec.template.spec.volumes).toContainEqual({
      name: 'cloud-credentials',
      secret: { secretName: 'cloud-credentials' },
    });
  });

  test('an existing Secret with another name and key is mounted by reference', () => {
    const { chart } = testChart();
    testRelease(chart, {
      storage: StorageProfile.backblazeB2({ bucket: 'velero-backups-x' }),
      credentials: { name: 'b2', key: 'credentials' },
    });
    const d = find(objects(chart), 'Deployment', 'velero');
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'cloud-credentials', secret: { secretName: 'b2' } });
    expect(veleroContainer(d).env).toContainEqual({
      name: 'AWS_SHARED_CREDENTIALS_FILE',
      value: '/credentials/credentials',
    });
  });

  test('the LocalStack test Secret renders only when asked for, under LocalStack', () => {
    const { chart } = testChart();
    testRelease(chart, { renderLocalStackCredentials: true });
    const secrets = objects(chart).filter((o) => o.kind === 'Secret');
    expect(secrets).toHaveLength(1);
    expect(secrets[0].stringData).toEqual({ cloud: '[default]\naws_access_key_id=test\naws_secret_access_key=test\n' });
  });

  test('fails when the LocalStack Secret is asked for under Backblaze B2', () => {
    const { chart } = testChart();
    expect(() =>
      testRelease(chart, {
        storage: StorageProfile.backblazeB2({ bucket: 'velero-backups-x' }),
        renderLocalStackCredentials: true,
      }),
    ).toThrow(
      "velero release: renderLocalStackCredentials is only allowed with the LocalStack profile, got profile 'backblaze-b2'; create the 'cloud-credentials' Secret out of band (e.g. SealedSecrets or External Secrets) and leave renderLocalStackCredentials off",
    );
  });
});

describe('VeleroRelease snapshot locations', () => {
  test('renders a VolumeSnapshotLocation when CSI snapshots are on', () => {
    const { chart } = testChart();
    const release = testRelease(chart);
    expect(find(objects(chart), 'VolumeSnapshotLocation', 'default').spec).toEqual({
      provider: 'aws',
      config: { region: 'us-east-1' },
    });
    expect(release.snapshotLocations.map((l) => l.name)).toEqual(['default']);
  });

  test('renders none when CSI snapshots are off', () => {
    const { chart } = testChart();
    const release = testRelease(chart, { csiSnapshots: false });
    expect(objects(chart).filter((o) => o.kind === 'VolumeSnapshotLocation')).toEqual([]);
    expect(release.snapshotLocations).toEqual([]);
  });
});

describe('VeleroRelease node-agent', () => {
  test('is off by default', () => {
    const { chart } = testChart();
    testRelease(chart);
    expect(objects(chart).filter((o) => o.kind === 'DaemonSet')).toEqual([]);
  });

  test('follows the upstream contract: name, label, one container, host mounts', () => {
    const { chart } = testChart();
    testRelease(chart, { nodeAgent: { enabled: true } });
    const ds = find(objects(chart), 'DaemonSet', 'node-agent');
    expect(ds.spec.selector).toEqual({ matchLabels: { name: 'node-agent' } });
    expect(ds.spec.template.metadata.labels.name).toBe('node-agent');
    const spec = ds.spec.template.spec;
    expect(spec.containers).toHaveLength(1);
    expect(spec.securityContext.runAsUser).toBe(0);
    const c = spec.containers[0];
    expect(c.args).toEqual(['node-agent', 'server', '--features=EnableCSI']);
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'host-pods', mountPath: '/host_pods', mountPropagation: 'HostToContainer' },
        { name: 'host-plugins', mountPath: '/var/lib/kubelet/plugins', mountPropagation: 'HostToContainer' },
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'cloud-credentials', mountPath: '/credentials', readOnly: true },
      ]),
    );
    expect(spec.volumes).toEqual(
      expect.arrayContaining([
        { name: 'host-pods', hostPath: { path: '/var/lib/kubelet/pods' } },
        { name: 'host-plugins', hostPath: { path: '/var/lib/kubelet/plugins' } },
      ]),
    );
  });

  test('is unprivileged with only DAC_READ_SEARCH added', () => {
    const { chart } = testChart();
    testRelease(chart, { nodeAgent: { enabled: true } });
    const c = find(objects(chart), 'DaemonSet', 'node-agent').spec.template.spec.containers[0];
    expect(c.securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['DAC_READ_SEARCH'] },
    });
  });

  test('takes configurable resources and tolerations', () => {
    const { chart } = testChart();
    testRelease(chart, {
      nodeAgent: {
        enabled: true,
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
      },
    });
    const spec = find(objects(chart), 'DaemonSet', 'node-agent').spec.template.spec;
    expect(spec.containers[0].resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    });
    expect(spec.tolerations).toEqual([
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });
});

describe('VeleroRelease adopts the installer the cluster runs', () => {
  const render = (installedBy?: VeleroReleaseProps['installedBy'], nodeAgent = true) => {
    const { chart } = testChart();
    const release = testRelease(chart, { ...(installedBy ? { installedBy } : {}), nodeAgent: { enabled: nodeAgent } });
    return { release, objs: objects(chart) };
  };

  test("by default velero install's: selector deploy: velero, pods labelled component: velero", () => {
    const { objs } = render();
    const d = find(objs, 'Deployment', 'velero');
    expect(d.spec.selector).toEqual({ matchLabels: { deploy: 'velero' } });
    expect(d.spec.template.metadata.labels).toMatchObject({ deploy: 'velero', component: 'velero' });
    expect(d.metadata.labels).toMatchObject({ component: 'velero' });
    expect(find(objs, 'Service', 'velero').spec.selector).toEqual({ deploy: 'velero' });
  });

  test("the Helm chart's: selector app.kubernetes.io/name + app.kubernetes.io/instance of the release", () => {
    const { objs, release } = render({ kind: 'helm', releaseName: 'backup' });
    const selector = { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/instance': 'backup' };
    const d = find(objs, 'Deployment', 'velero');
    expect(d.spec.selector).toEqual({ matchLabels: selector });
    expect(d.spec.template.metadata.labels).toMatchObject({ ...selector, name: 'velero' });
    expect(find(objs, 'Service', 'velero').spec.selector).toEqual(selector);
    expect(find(objs, 'ServiceMonitor', 'velero').spec.selector).toEqual({ matchLabels: selector });
    expect(find(objs, 'Service', 'velero').metadata.labels).toMatchObject(selector);
    expect(release.adoption.deleteBeforeSync).toEqual([
      'Job/backup-velero-upgrade-crds',
      'ClusterRoleBinding/backup-velero-upgrade-crds',
      'ClusterRole/backup-velero-upgrade-crds',
      'ServiceAccount/backup-velero-server-upgrade-crds',
      'Job/backup-velero-cleanup-crds',
      'Secret/sh.helm.release.v1.backup.*',
      'PrometheusRule/backup-velero',
      'ConfigMap/velero-repo-maintenance',
    ]);
  });

  test("the Helm release name defaults to 'velero', whose chart objects are named velero-*", () => {
    const { objs, release } = render({ kind: 'helm' });
    expect(find(objs, 'Deployment', 'velero').spec.selector.matchLabels['app.kubernetes.io/instance']).toBe('velero');
    expect(release.adoption.deleteBeforeSync[0]).toBe('Job/velero-upgrade-crds');
  });

  test("none: the release's own selector", () => {
    const { objs } = render({ kind: 'none' });
    expect(find(objs, 'Deployment', 'velero').spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/component': 'server' },
    });
  });

  test.each([[{ kind: 'none' } as const], [{ kind: 'velero-install' } as const], [{ kind: 'helm' } as const]])(
    "%j: the node-agent keeps upstream's selector name: node-agent, and every selector matches its pods",
    (installedBy) => {
      const { objs } = render(installedBy);
      const ds = find(objs, 'DaemonSet', 'node-agent');
      expect(ds.spec.selector).toEqual({ matchLabels: { name: 'node-agent' } });
      expect(ds.spec.template.metadata.labels).toMatchObject({ name: 'node-agent', role: 'node-agent' });
      const d = find(objs, 'Deployment', 'velero');
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      expect(d.spec.template.metadata.labels).toMatchObject(find(objs, 'Service', 'velero').spec.selector);
      expect(find(objs, 'Service', 'velero').metadata.labels).toMatchObject(
        find(objs, 'ServiceMonitor', 'velero').spec.selector.matchLabels,
      );
    },
  );

  test('a release name that is no Helm release name is refused', () => {
    expect(() => render({ kind: 'helm', releaseName: 'Velero_1' })).toThrow(
      "velero release: installedBy.releaseName 'Velero_1' is not a Helm release name (a DNS-1123 label of at most 53 characters); use the name 'helm list -n velero' shows",
    );
  });
});

describe('VeleroRelease metrics', () => {
  test('a Service exposes 8085 as metrics for the server pods', () => {
    const { chart } = testChart();
    testRelease(chart);
    const objs = objects(chart);
    const svc = find(objs, 'Service', 'velero');
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 8085, targetPort: 'metrics', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(find(objs, 'Deployment', 'velero').spec.selector.matchLabels);
  });

  test('the ServiceMonitor carries the Prometheus selector label and selects the Service', () => {
    const { chart } = testChart();
    testRelease(chart);
    const objs = objects(chart);
    const sm = find(objs, 'ServiceMonitor', 'velero');
    expect(sm.metadata.labels!.release).toBe('kube-prometheus-stack');
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    const svcLabels = find(objs, 'Service', 'velero').metadata.labels!;
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svcLabels[k]).toBe(v);
  });

  test('the selector label is configurable', () => {
    const { chart } = testChart();
    testRelease(chart, { metrics: { prometheusSelectorLabels: { release: 'prometheus' } } });
    expect(find(objects(chart), 'ServiceMonitor', 'velero').metadata.labels!.release).toBe('prometheus');
  });
});
