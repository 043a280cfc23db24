import { Construct } from 'constructs';
import {
  IntOrString,
  KubeClusterRoleBinding,
  KubeConfigMap,
  KubeDaemonSet,
  KubeDeployment,
  KubeNamespace,
  KubeSecret,
  KubeService,
  KubeServiceAccount,
} from 'cdk8s-plus-30/lib/imports/k8s';
import { ServiceMonitor } from '../imports/monitoring-servicemonitors-monitoring.coreos.com';
import {
  checkPluginProvider,
  checkVeleroPlugin,
  defaultAwsPluginFor,
  providerOf,
  type KnownGoodPairing,
} from '../lib/versions/compatibility';
import { checkFlags, veleroLineOf, type VeleroLine } from '../lib/versions/velero-lines';
import { recommendedLabels } from '../lib/kube/labels';
import { assertDnsLabel, checkSecretKeyRef } from '../lib/kube/names';
import { checkReleaseProps, checkStorageLocationOptions } from '../lib/validation/release-props';
import {
  checkResources,
  restrictedSecurityContext,
  toK8sResources,
  type ComputeResources,
} from '../lib/kube/resources';
import { StorageProfile } from '../lib/storage/storage-profile';
import { CLUSTER_ADMIN_RULES, type ServiceAccountPermissions } from '../lib/kube/permissions';
import { adoptionFor, helmFullname, type Adoption, type VeleroInstaller } from '../lib/kube/installer';
import { repositoryMaintenanceSettings, type RepositoryMaintenanceOptions } from '../lib/versions/repo-maintenance';
import { VELERO_IMAGE, VELERO_PLUGIN_FOR_AWS_IMAGE, VELERO_VERSION } from '../lib/versions/versions';
import { compact } from '../lib/kube/compact';
import { checkPodOptions, type PodOptions, type PodToleration } from '../lib/kube/pod-options';
import { checkNodeAgentConfig } from '../lib/versions/node-agent-config';
import { parseGoDuration } from '../lib/units/duration';
import { isDnsSubdomain } from '../lib/kube/names';
import { BackupStorageLocation } from './backup-storage-location';
import { ExistingVeleroRelease, type ExistingVeleroReleaseProps, type IVeleroRelease } from './existing-velero-release';
import { VolumeSnapshotLocation } from './volume-snapshot-location';
import { RELEASE_DEFAULTS, RESOURCES_DEFAULTS, TOLERATION_OPERATOR_DEFAULT } from '../lib/config/defaults';
import type { NodeAgentConfigOptions, ReleaseConfig, SecretKeyConfig } from '../lib/config/types';

export { BackupStorageLocation, type IBackupStorageLocation } from './backup-storage-location';
export { VolumeSnapshotLocation, type IVolumeSnapshotLocation } from './volume-snapshot-location';
export type { ExistingVeleroReleaseProps, IVeleroRelease } from './existing-velero-release';
export { adoptionFor, helmFullname, type Adoption, type VeleroInstaller } from '../lib/kube/installer';
export type { RepositoryMaintenanceOptions } from '../lib/versions/repo-maintenance';
export { StorageProfile } from '../lib/storage/storage-profile';
export { VELERO_LOG_LEVELS, type VeleroLogLevel } from '../lib/validation/release-props';
export { checkResources, type ComputeResources } from '../lib/kube/resources';

/** A reference to a key of an existing Secret (documented once: lib/config/types.ts `SecretKeyConfig`). */
export type SecretKeyReference = SecretKeyConfig;

/** The node-agent DaemonSet and its ConfigMap (documented once: lib/config/types.ts `NodeAgentConfigOptions`). */
export type NodeAgentOptions = NodeAgentConfigOptions;

/** Server flags the chart sets under `configuration.*`, as Go durations (documented once: `ReleaseConfig`). */
export type ServerDefaultsOptions = Pick<
  ReleaseConfig,
  'defaultBackupTtl' | 'garbageCollectionFrequency' | 'defaultItemOperationTimeout'
>;

/** Where the images come from: a mirror, and the Secrets to pull from it (documented once: `ReleaseConfig`). */
export type ImageOptions = Pick<ReleaseConfig, 'imageRegistry' | 'imagePullSecrets'>;

/** The metrics Service and ServiceMonitor (documented once: `ReleaseConfig.metrics`). */
export type MetricsOptions = NonNullable<ReleaseConfig['metrics']>;

/**
 * The release's props: the config's `ReleaseConfig` fields (each documented, with its default, once in
 * lib/config/types.ts) plus what only the construct takes.
 */
export interface VeleroReleaseProps extends Omit<ReleaseConfig, 'installedBy' | 'repositoryMaintenance'> {
  /**
   * The installer the cluster already runs, adopted in place (`ReleaseConfig.installedBy`, as the construct takes it).
   * @default { kind: 'velero-install' } (selector `deploy: velero`)
   */
  readonly installedBy?: VeleroInstaller;
  /**
   * `--uploader-type` of file-system backups. `restic` is refused from Velero 1.17 (restic backups removed).
   * @default 'kopia'
   */
  readonly uploaderType?: 'kopia' | 'restic';
  /**
   * Repository-maintenance Job settings: server flags up to Velero 1.16, the `--repo-maintenance-job-configmap`
   * ConfigMap from 1.17 (the flags were removed there). @default - Velero's defaults, nothing rendered
   */
  readonly repositoryMaintenance?: RepositoryMaintenanceOptions;
  /** Object store of the default BackupStorageLocation (named `default`). */
  readonly storage: StorageProfile;
  /**
   * Access mode of the default location: `ReadOnly` on a restore-only cluster (Velero's disaster-recovery
   * guide), which then takes no schedule. @default 'ReadWrite'
   */
  readonly storageAccessMode?: 'ReadWrite' | 'ReadOnly';
}

const DEFAULT_SERVER_RESOURCES = RESOURCES_DEFAULTS.server;
/**
 * The server's liveness probe: GET /metrics every 30s, 10s to answer, 10 misses in a row (5 minutes) before
 * the kubelet restarts it. `velero install` renders no probe at all; the chart's (5s timeout, 5 misses = 150s)
 * restarts a server that is busy, not dead, and every restart fails the backups in progress. Readiness keeps
 * the chart's 5 misses: it only takes the pod out of the metrics Service.
 */
const LIVENESS_PROBE = { periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 10 };
const READINESS_PROBE = { periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5 };

const DEFAULT_NODE_AGENT_RESOURCES = RESOURCES_DEFAULTS.nodeAgent;
/** Numeric non-root user: the Velero image declares `USER cnb:cnb` (a name the kubelet can't check); the AWS plugin image runs as 65532. */
const RUN_AS_USER = 65532;
const METRICS_PORT = 8085;
const CREDENTIALS_MOUNT = '/credentials';
/** kopia's HOME and cache, a writable emptyDir (docs/pitfalls.md#kopia-home). */
const KOPIA_HOME = '/home/velero';

/**
 * The credentials Secret the server mounts, unless given: the one the adopted installer already mounts, so the
 * first sync finds it. The chart mounts `credentials.existingSecret`, else `credentials.name`, else the Secret
 * `<fullname>` it creates (charts/velero/templates/_helpers.tpl `velero.secretName` at velero-11.4.0 and
 * velero-12.1.0), key `cloud` (`AWS_SHARED_CREDENTIALS_FILE=/credentials/cloud`); `velero install` creates
 * `cloud-credentials` with key `cloud` (pkg/install/resources.go). With `existingSecret` set in the chart's
 * values, give that name here (docs/pitfalls.md#credentials).
 */
export function defaultCredentials(
  installedBy: VeleroInstaller | undefined,
  given: SecretKeyReference | undefined,
): { readonly name: string; readonly key: string } {
  const installerDefault =
    installedBy?.kind === 'helm'
      ? helmFullname(installedBy.releaseName ?? RELEASE_DEFAULTS.helmReleaseName)
      : RELEASE_DEFAULTS.credentials.name;
  return { name: given?.name ?? installerDefault, key: given?.key ?? RELEASE_DEFAULTS.credentials.key };
}

/**
 * The Velero server as `velero install` v1.15 renders it (docs/upstream-facts.md#velero-install), hardened:
 * Namespace with Pod Security labels, ServiceAccount + cluster-admin binding, the server Deployment with the
 * AWS plugin initContainer, storage and snapshot locations, the optional node-agent, and metrics.
 */
export class VeleroRelease extends Construct implements IVeleroRelease {
  /**
   * A release this stack does not render, e.g. one the Helm chart installed: Schedules, alerts, the drill
   * and the CRD Application can target it; nothing of the server (Deployment, RBAC, locations) is rendered.
   */
  public static fromExisting(scope: Construct, id: string, props: ExistingVeleroReleaseProps): IVeleroRelease {
    return new ExistingVeleroRelease(scope, id, props);
  }

  public readonly namespace: string;
  public readonly version: string;
  /** The Velero line of `version` (flags, support dates, what the next line changes). */
  public readonly line: VeleroLine;
  public readonly awsPluginVersion: string;
  /** Set when the plugin default is a known-good cross-line pairing rather than the line's own plugin. */
  public readonly awsPluginPairing?: KnownGoodPairing;
  public readonly uploaderType: 'kopia' | 'restic';
  /** Name of the repository-maintenance ConfigMap (Velero 1.17+ with `repositoryMaintenance`). */
  public readonly repositoryMaintenanceConfigMap?: string;
  public readonly features: readonly string[];
  public readonly csiEnabled: boolean;
  public readonly nodeAgentEnabled: boolean;
  public readonly serviceAccountName = 'velero';
  /** The adopted installer's selectors and labels, and what to delete before the first sync. */
  public readonly adoption: Adoption;
  /** Name of the server's ClusterRoleBinding (`velero`, or `velero-<namespace>` off the default namespace). */
  public readonly clusterRoleBindingName: string;
  /** Every rule the server's ServiceAccount holds (docs/permissions.md). */
  public readonly permissions: ServiceAccountPermissions;
  public readonly metricsPort = METRICS_PORT;
  /** Name of the metrics Service; it is the Prometheus `job` label of the server's series. */
  public readonly metricsServiceName = 'velero';
  public readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  public readonly credentials: { readonly name: string; readonly key: string };
  public readonly serverArgs: readonly string[];
  /** Args of the node-agent container (rendered only when the node-agent runs). */
  public readonly nodeAgentArgs: readonly string[];
  public readonly defaultStorageLocation: BackupStorageLocation;
  public readonly defaultSnapshotLocation?: VolumeSnapshotLocation;
  private readonly _storageLocations: BackupStorageLocation[] = [];
  private readonly _snapshotLocations: VolumeSnapshotLocation[] = [];
  private readonly labels: Record<string, string>;
  /** The server's and the plugin's image references (`imageRegistry` applied). */
  public readonly images: { readonly velero: string; readonly awsPlugin: string };
  /** Name of the node-agent ConfigMap, when `nodeAgent.config` is given. */
  public readonly nodeAgentConfigMap?: string;

  constructor(scope: Construct, id: string, props: VeleroReleaseProps) {
    super(scope, id);
    checkReleaseProps(props);
    this.namespace = props.namespace ?? RELEASE_DEFAULTS.namespace;
    this.version = props.version ?? VELERO_VERSION;
    this.line = releaseLine(this.version);
    const pluginDefault = defaultAwsPluginFor(this.version, [
      providerOf(props.storage.kind, props.storage.config.s3Url),
    ]);
    this.awsPluginVersion = props.awsPluginVersion ?? pluginDefault.plugin;
    if (props.awsPluginVersion === undefined && pluginDefault.pairing) this.awsPluginPairing = pluginDefault.pairing;
    this.validateVersions();
    this.uploaderType = props.uploaderType ?? 'kopia';
    this.checkUploaderType();
    assertDnsLabel('velero release: namespace', this.namespace);
    this.csiEnabled = props.csiSnapshots ?? RELEASE_DEFAULTS.csiSnapshots;
    const features = [...(this.csiEnabled ? ['EnableCSI'] : []), ...(props.features ?? [])];
    this.features = [...new Set(features)];
    this.nodeAgentEnabled = props.nodeAgent?.enabled ?? false;
    this.prometheusSelectorLabels = {
      ...(props.metrics?.prometheusSelectorLabels ?? RELEASE_DEFAULTS.prometheusSelectorLabels),
    };
    this.adoption = adoptionFor(props.installedBy ?? { kind: 'velero-install' }, this.namespace);
    checkPodLabelsKeepSelectors(props, this.adoption);
    this.credentials = defaultCredentials(props.installedBy, props.credentials);
    checkSecretKeyRef('velero release', 'credentials', this.credentials);
    this.clusterRoleBindingName = this.namespace === 'velero' ? 'velero' : `velero-${this.namespace}`;
    this.permissions = this.serverPermissions();
    const resources = props.resources ?? DEFAULT_SERVER_RESOURCES;
    checkResources('velero server', resources);
    const nodeAgentResources = props.nodeAgent?.resources ?? DEFAULT_NODE_AGENT_RESOURCES;
    if (this.nodeAgentEnabled) checkResources('node-agent', nodeAgentResources);
    checkReleaseKnobs(props, this.line);
    if (props.renderLocalStackCredentials && props.storage.kind !== 'localstack') {
      throw new Error(
        `velero release: renderLocalStackCredentials is only allowed with the LocalStack profile, got profile '${props.storage.kind}'; create the '${this.credentials.name}' Secret out of band (e.g. SealedSecrets or External Secrets) and leave renderLocalStackCredentials off`,
      );
    }
    this.labels = { ...recommendedLabels('velero', this.version), component: 'velero' };

    this.renderNamespace();
    this.renderRbac();
    if (props.renderLocalStackCredentials) this.renderLocalStackSecret();

    this.defaultStorageLocation = this.addBackupStorageLocation('default', {
      profile: props.storage,
      default: true,
      accessMode: props.storageAccessMode,
    });
    if (this.csiEnabled) this.defaultSnapshotLocation = this.renderSnapshotLocation(props);

    if (props.repositoryMaintenance && !this.line.serverFlags.includes('keep-latest-maintenance-jobs')) {
      this.repositoryMaintenanceConfigMap = 'velero-repo-maintenance';
    }
    this.serverArgs = this.serverArgsOf(props);
    this.nodeAgentArgs = ['node-agent', 'server', ...this.featureArgs(), ...this.nodeAgentConfigArgs(props.nodeAgent)];
    this.checkArgs();
    this.images = imagesOf(props.imageRegistry, this.version, this.awsPluginVersion);
    this.renderDeployment(resources, props);
    if (this.nodeAgentEnabled) this.renderNodeAgent(nodeAgentResources, props.nodeAgent ?? {}, props.imagePullSecrets);
    this.renderMetrics(props.metrics);
  }

  private checkUploaderType(): void {
    if (!this.line.uploaderTypes.includes(this.uploaderType)) {
      throw new Error(
        `velero release: uploaderType '${this.uploaderType}' is not accepted by Velero ${this.version} (valid: ${this.line.uploaderTypes.join(', ')}; restic backups were removed in v1.17.0, restic restores work until v1.19); use 'kopia'`,
      );
    }
  }

  /** The server's ServiceAccount: bound to cluster-admin, as `velero install` and the chart bind it. */
  private serverPermissions(): ServiceAccountPermissions {
    return {
      namespace: this.namespace,
      serviceAccount: this.serviceAccountName,
      purpose:
        'The Velero server Deployment and the node-agent DaemonSet (one ServiceAccount, as `velero install` and the chart render them).',
      grants: [
        {
          kind: 'ClusterRole',
          name: 'cluster-admin',
          binding: { kind: 'ClusterRoleBinding', name: this.clusterRoleBindingName },
          rendered: false,
          rules: CLUSTER_ADMIN_RULES,
        },
      ],
    };
  }

  /** The default VolumeSnapshotLocation, for the CSI snapshots. */
  private renderSnapshotLocation(props: VeleroReleaseProps): VolumeSnapshotLocation {
    const location = new VolumeSnapshotLocation(this, 'VolumeSnapshotLocation', {
      release: this,
      region: props.storage.region,
      labels: this.labels,
    });
    this._snapshotLocations.push(location);
    return location;
  }

  private serverArgsOf(props: VeleroReleaseProps): string[] {
    return [
      'server',
      ...this.featureArgs(),
      // the server binary defaults to restic before 1.17; velero install and the chart always pass kopia (docs/upstream-facts.md#velero-install)
      `--uploader-type=${this.uploaderType}`,
      `--log-level=${props.logLevel ?? 'info'}`,
      ...this.repositoryMaintenanceArgs(props.repositoryMaintenance),
      ...serverDefaultsArgs(props),
    ];
  }

  /** A flag the line does not know would stop the server at start-up: never render one. */
  private checkArgs(): void {
    try {
      checkFlags('server', this.version, this.serverArgs);
      if (this.nodeAgentEnabled) checkFlags('node-agent', this.version, this.nodeAgentArgs);
    } catch (e) {
      throw new Error(`velero release: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Every BackupStorageLocation of this release; the first is the default. */
  public get storageLocations(): readonly BackupStorageLocation[] {
    return this._storageLocations;
  }

  /** Every VolumeSnapshotLocation of this release (empty when CSI snapshots are off). */
  public get snapshotLocations(): readonly VolumeSnapshotLocation[] {
    return this._snapshotLocations;
  }

  /** True when the default location is the LocalStack test rig. */
  public get isTestRig(): boolean {
    return this.defaultStorageLocation.profile.isTestRig;
  }

  /**
   * Adds a further BackupStorageLocation (e.g. an off-site copy target). Its credentials, when not the
   * release's mounted file, come from an existing Secret key.
   */
  public addBackupStorageLocation(
    name: string,
    options: {
      profile: StorageProfile;
      default?: boolean;
      credential?: { name: string; key: string };
      accessMode?: 'ReadWrite' | 'ReadOnly';
      /** CA bundle from a Secret key (Velero 1.18+). */
      caCertRef?: { name: string; key: string };
    },
  ): BackupStorageLocation {
    assertDnsLabel('velero release: storage location name', name);
    checkStorageLocationOptions(name, options);
    if (this._storageLocations.some((l) => l.name === name)) {
      throw new Error(`velero release: storage location '${name}' is defined twice; give each location its own name`);
    }
    if (options.default && this._storageLocations.some((l) => l.isDefault)) {
      throw new Error(`velero release: storage location '${name}' cannot be the default: 'default' already is`);
    }
    if (
      options.profile.isTestRig &&
      this._storageLocations.length > 0 &&
      !this._storageLocations[0].profile.isTestRig
    ) {
      throw new Error(
        `velero release: storage location '${name}' uses the LocalStack test profile next to a production default; LocalStack is only for test rigs`,
      );
    }
    try {
      checkPluginProvider(
        this.awsPluginVersion,
        providerOf(options.profile.kind, options.profile.config.s3Url),
        options.profile.config,
        this.version,
      );
    } catch (e) {
      throw new Error(`velero release: storage location '${name}': ${(e as Error).message}`, { cause: e });
    }
    const location = new BackupStorageLocation(this, `BackupStorageLocation-${name}`, {
      release: this,
      name,
      profile: options.profile,
      default: options.default ?? false,
      credential: options.credential,
      accessMode: options.accessMode,
      caCertRef: options.caCertRef,
      labels: this.labels,
    });
    this._storageLocations.push(location);
    return location;
  }

  /** Velero version and plugin line from the compatibility matrix (lib/versions/compatibility.ts). */
  private validateVersions(): void {
    try {
      checkVeleroPlugin(this.version, this.awsPluginVersion);
    } catch (e) {
      throw new Error(`velero release: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Repository-maintenance settings as this line takes them (lib/versions/repo-maintenance.ts). */
  private repositoryMaintenanceArgs(options: RepositoryMaintenanceOptions | undefined): string[] {
    const { args, global } = repositoryMaintenanceSettings(this.line, options);
    if (global === undefined) return [...args];
    const name = this.repositoryMaintenanceConfigMap!;
    new KubeConfigMap(this, 'RepositoryMaintenanceConfig', {
      metadata: { name, namespace: this.namespace, labels: this.labels },
      data: { global: JSON.stringify(global) },
    });
    return [`--repo-maintenance-job-configmap=${name}`];
  }

  /** Renders the node-agent ConfigMap when `nodeAgent.config` is given; the node-agent's flag naming it. */
  private nodeAgentConfigArgs(nodeAgent: NodeAgentOptions | undefined): string[] {
    if (!nodeAgent?.config || !this.nodeAgentEnabled) return [];
    const name = 'node-agent-config';
    (this as { nodeAgentConfigMap?: string }).nodeAgentConfigMap = name;
    new KubeConfigMap(this, 'NodeAgentConfig', {
      metadata: { name, namespace: this.namespace, labels: this.labels },
      // the node-agent reads the JSON of the ConfigMap's only data value (GetConfigs), whatever its key
      data: { 'node-agent-config.json': JSON.stringify(compact(nodeAgent.config, { falseIsDefault: true })) },
    });
    return [`--node-agent-configmap=${name}`];
  }

  private renderNamespace(): void {
    // node-agent needs hostPath mounts and root: the namespace is `privileged` only while it runs (docs/upstream-facts.md#node-agent)
    const level = this.nodeAgentEnabled ? 'privileged' : 'restricted';
    new KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          ...this.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
        // deleting the namespace would delete every Backup, Schedule and BSL in it: never prune it
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
      },
    });
  }

  private renderRbac(): void {
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace: this.namespace, labels: this.labels },
    });
    // the upstream contract: the server SA is bound to cluster-admin (docs/upstream-facts.md#rbac); named velero-<ns> off the default namespace
    new KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: this.clusterRoleBindingName, labels: this.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }],
    });
  }

  private renderLocalStackSecret(): void {
    // LocalStack accepts any key pair; `test`/`test` is its documented default. Test rigs only.
    new KubeSecret(this, 'LocalStackCredentials', {
      metadata: { name: this.credentials.name, namespace: this.namespace, labels: this.labels },
      type: 'Opaque',
      stringData: { [this.credentials.key]: '[default]\naws_access_key_id=test\naws_secret_access_key=test\n' },
    });
  }

  private credentialEnv() {
    const file = `${CREDENTIALS_MOUNT}/${this.credentials.key}`;
    return [
      'GOOGLE_APPLICATION_CREDENTIALS',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AZURE_CREDENTIALS_FILE',
      'ALIBABA_CLOUD_CREDENTIALS_FILE',
    ].map((name) => ({ name, value: file }));
  }

  /** `--features=...` of the server and the node-agent, when there are any. */
  private featureArgs(): string[] {
    return this.features.length ? [`--features=${this.features.join(',')}`] : [];
  }

  /**
   * Mounts the server and the node-agent both have: scratch space, the credentials file, a writable /tmp, and
   * kopia's writable HOME (its repository config `$HOME/udmrepo` and cache `$XDG_CACHE_HOME/kopia`; the maintenance
   * Jobs and the data-mover and fs-backup pods inherit these: docs/pitfalls.md#kopia-home).
   */
  private commonMounts() {
    return [
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'cloud-credentials', mountPath: CREDENTIALS_MOUNT, readOnly: true },
      // the credentials file store writes /tmp/credentials (docs/upstream-facts.md#credentials)
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'home', mountPath: KOPIA_HOME },
    ];
  }

  /** The volumes of `commonMounts`. */
  private commonVolumes() {
    return [
      { name: 'scratch', emptyDir: {} },
      { name: 'cloud-credentials', secret: { secretName: this.credentials.name } },
      { name: 'tmp', emptyDir: {} },
      { name: 'home', emptyDir: {} },
    ];
  }

  /**
   * HOME and the cache dir of kopia on the `home` emptyDir: with a read-only root, runc's `HOME=/` (never empty in a
   * pod) makes kopia's `mkdir /udmrepo` fail, and no BackupRepository becomes Ready (docs/pitfalls.md#kopia-home).
   */
  private kopiaEnv() {
    return [
      { name: 'HOME', value: KOPIA_HOME },
      { name: 'XDG_CACHE_HOME', value: `${KOPIA_HOME}/.cache` },
    ];
  }

  private renderDeployment(resources: ComputeResources, props: VeleroReleaseProps): void {
    const image = this.images.velero;
    const selector = { ...this.adoption.serverSelector };
    const restricted = restrictedSecurityContext(RUN_AS_USER);
    const probe = (p: { periodSeconds: number; timeoutSeconds: number; failureThreshold: number }) => ({
      httpGet: { path: '/metrics', port: IntOrString.fromString('metrics') },
      initialDelaySeconds: 10,
      ...p,
    });
    new KubeDeployment(this, 'Deployment', {
      metadata: { name: 'velero', namespace: this.namespace, labels: this.labels },
      spec: {
        replicas: 1,
        // two servers must never run at once (chart: Recreate)
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...props.podLabels, ...this.serverPodLabels },
            ...compact({ annotations: props.podAnnotations }),
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            restartPolicy: 'Always',
            ...podSchedulingSpec(props, props.imagePullSecrets),
            // a backup in flight gets up to an hour to finish (chart default)
            terminationGracePeriodSeconds: 3600,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RUN_AS_USER,
              runAsGroup: RUN_AS_USER,
              fsGroup: RUN_AS_USER,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            initContainers: [
              {
                // the plugin image has no shell: its entrypoint copies the binary to /target (docs/upstream-facts.md#plugin-init-container)
                name: 'velero-velero-plugin-for-aws',
                image: this.images.awsPlugin,
                imagePullPolicy: 'IfNotPresent',
                volumeMounts: [{ name: 'plugins', mountPath: '/target' }],
                resources: toK8sResources({
                  requests: { cpu: '10m', memory: '32Mi' },
                  limits: { cpu: '100m', memory: '64Mi' },
                }),
                securityContext: restricted,
              },
            ],
            containers: [
              {
                name: 'velero',
                image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/velero'],
                args: [...this.serverArgs],
                ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
                env: [
                  { name: 'VELERO_SCRATCH_DIR', value: '/scratch' },
                  { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'LD_LIBRARY_PATH', value: '/plugins' },
                  ...this.kopiaEnv(),
                  ...this.credentialEnv(),
                  ...extraEnvOf(props.extraEnv),
                ],
                volumeMounts: [{ name: 'plugins', mountPath: '/plugins' }, ...this.commonMounts()],
                resources: toK8sResources(resources),
                livenessProbe: probe(LIVENESS_PROBE),
                readinessProbe: probe(READINESS_PROBE),
                securityContext: restricted,
              },
            ],
            volumes: [{ name: 'plugins', emptyDir: {} }, ...this.commonVolumes()],
          },
        },
      },
    });
  }

  private renderNodeAgent(
    resources: ComputeResources,
    options: NodeAgentOptions,
    imagePullSecrets: readonly string[] | undefined,
  ): void {
    // name, label and single-container shape are looked up by the server (docs/upstream-facts.md#node-agent)
    new KubeDaemonSet(this, 'NodeAgent', {
      metadata: { name: 'node-agent', namespace: this.namespace, labels: this.labels },
      spec: {
        selector: { matchLabels: { name: 'node-agent' } },
        template: {
          metadata: {
            labels: { ...options.podLabels, ...this.labels, ...this.adoption.nodeAgentPodLabels, name: 'node-agent' },
            ...compact({ annotations: options.podAnnotations }),
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            // root reads every pod's volume under /host_pods; restores need root's default capabilities to set ownership
            securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
            tolerations: (options.tolerations ?? []).map(tolerationOf),
            ...podSchedulingSpec({ ...options, tolerations: undefined }, imagePullSecrets),
            containers: [
              {
                name: 'node-agent',
                image: this.images.velero,
                imagePullPolicy: 'IfNotPresent',
                command: ['/velero'],
                args: [...this.nodeAgentArgs],
                ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
                env: [
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'VELERO_SCRATCH_DIR', value: '/scratch' },
                  ...this.kopiaEnv(),
                  ...this.credentialEnv(),
                  ...extraEnvOf(options.extraEnv),
                ],
                volumeMounts: [
                  { name: 'host-pods', mountPath: '/host_pods', mountPropagation: 'HostToContainer' },
                  { name: 'host-plugins', mountPath: '/var/lib/kubelet/plugins', mountPropagation: 'HostToContainer' },
                  ...this.commonMounts(),
                ],
                resources: toK8sResources(resources),
                securityContext: {
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { add: ['DAC_READ_SEARCH'] },
                },
              },
            ],
            volumes: [
              { name: 'host-pods', hostPath: { path: '/var/lib/kubelet/pods' } },
              { name: 'host-plugins', hostPath: { path: '/var/lib/kubelet/plugins' } },
              ...this.commonVolumes(),
            ],
          },
        },
      },
    });
  }

  /** Labels of the server pods: the release's, the installer's, and the selector. */
  public get serverPodLabels(): Record<string, string> {
    return { ...this.labels, ...this.adoption.serverPodLabels, ...this.adoption.serverSelector };
  }

  private renderMetrics(metrics: MetricsOptions | undefined): void {
    const selector = { ...this.adoption.serverSelector };
    const serviceLabels = {
      ...this.labels,
      'app.kubernetes.io/component': 'server',
      ...this.adoption.serviceMonitorSelector,
    };
    new KubeService(this, 'MetricsService', {
      metadata: { name: this.metricsServiceName, namespace: this.namespace, labels: serviceLabels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          { name: 'metrics', port: METRICS_PORT, targetPort: IntOrString.fromString('metrics'), protocol: 'TCP' },
        ],
      },
    });
    if (metrics?.serviceMonitor ?? true) {
      new ServiceMonitor(this, 'ServiceMonitor', {
        metadata: {
          name: 'velero',
          namespace: metrics?.serviceMonitorNamespace ?? this.namespace,
          labels: { ...this.labels, ...this.prometheusSelectorLabels },
        },
        spec: {
          selector: { matchLabels: { ...this.adoption.serviceMonitorSelector } },
          namespaceSelector: { matchNames: [this.namespace] },
          endpoints: [
            { port: 'metrics', path: '/metrics', interval: metrics?.interval ?? '30s', scrapeTimeout: '10s' },
          ],
        },
      });
    }
  }
}

/** Environment variables the release sets itself: extraEnv may not shadow them. */
const RESERVED_ENV = [
  'VELERO_SCRATCH_DIR',
  'VELERO_NAMESPACE',
  'LD_LIBRARY_PATH',
  'NODE_NAME',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AZURE_CREDENTIALS_FILE',
  'ALIBABA_CLOUD_CREDENTIALS_FILE',
];

/** A registry host[:port] with an optional path, as the chart's `image.repository` prefix takes it. */
const IMAGE_REGISTRY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/**
 * The chart's knobs (README "Chart values"): the server's and the node-agent's pod options by the API server's
 * rules, the node-agent ConfigMap by the line's keys, the server duration flags, the image registry and pull Secrets.
 */
export function checkReleaseKnobs(props: VeleroReleaseProps, line: VeleroLine): void {
  const subject = 'velero release';
  checkPodOptions(subject, '', props, RESERVED_ENV);
  if (props.nodeAgent) checkPodOptions(subject, 'nodeAgent.', props.nodeAgent, RESERVED_ENV);
  if (props.nodeAgent?.config) {
    if (!props.nodeAgent.enabled) {
      throw new Error(
        `${subject}: nodeAgent.config is given but the node-agent is off; set nodeAgent.enabled: true or drop nodeAgent.config (docs/pitfalls.md#node-agent-config)`,
      );
    }
    checkNodeAgentConfig(subject, 'nodeAgent.config', line, props.nodeAgent.config);
  }
  for (const flag of ['defaultBackupTtl', 'garbageCollectionFrequency', 'defaultItemOperationTimeout'] as const) {
    const value = props[flag];
    if (value === undefined) continue;
    try {
      parseGoDuration(value);
    } catch (e) {
      throw new Error(`${subject}: ${flag} ${(e as Error).message} (docs/pitfalls.md#durations)`, { cause: e });
    }
  }
  if (props.imageRegistry !== undefined && !IMAGE_REGISTRY.test(props.imageRegistry)) {
    throw new Error(
      `${subject}: imageRegistry '${props.imageRegistry}' is not a registry host with an optional path, e.g. 'registry.lan:5000/dockerhub' (no scheme, no trailing '/') (docs/pitfalls.md#pod-options)`,
    );
  }
  for (const [i, secret] of (props.imagePullSecrets ?? []).entries()) {
    if (typeof secret !== 'string' || !isDnsSubdomain(secret)) {
      throw new Error(
        `${subject}: imagePullSecrets[${i}] ${JSON.stringify(secret)} is not a Secret name (a DNS-1123 subdomain) (docs/pitfalls.md#pod-options)`,
      );
    }
  }
}

/** `--default-backup-ttl`, `--garbage-collection-frequency`, `--default-item-operation-timeout`, when given. */
export function serverDefaultsArgs(options: ServerDefaultsOptions): string[] {
  // the value as written: checkReleaseKnobs parsed it already, and Go's time.ParseDuration reads the same grammar
  const flag = (name: string, value: string | undefined) => (value === undefined ? [] : [`--${name}=${value}`]);
  return [
    ...flag('default-backup-ttl', options.defaultBackupTtl),
    ...flag('garbage-collection-frequency', options.garbageCollectionFrequency),
    ...flag('default-item-operation-timeout', options.defaultItemOperationTimeout),
  ];
}

/** The Velero and plugin images, from Docker Hub or the given registry. */
export function imagesOf(registry: string | undefined, version: string, awsPlugin: string) {
  const prefix = registry ? `${registry}/` : '';
  return {
    velero: `${prefix}${VELERO_IMAGE}:${version}`,
    awsPlugin: `${prefix}${VELERO_PLUGIN_FOR_AWS_IMAGE}:${awsPlugin}`,
  };
}

/** The pod spec fields of `PodOptions` (only those given: an unset one renders nothing). */
export function podSchedulingSpec(options: PodOptions, imagePullSecrets: readonly string[] | undefined) {
  return {
    ...compact({ nodeSelector: options.nodeSelector }),
    ...(options.tolerations?.length && { tolerations: options.tolerations.map(tolerationOf) }),
    ...(options.affinity && { affinity: compact(options.affinity) }),
    ...(options.priorityClassName && { priorityClassName: options.priorityClassName }),
    ...(imagePullSecrets?.length && { imagePullSecrets: imagePullSecrets.map((name) => ({ name })) }),
  };
}

/** A toleration as the pod spec takes it, its operator stated (the API server's default, `Equal`, when not given). */
function tolerationOf(t: PodToleration) {
  return { ...t, operator: t.operator ?? TOLERATION_OPERATOR_DEFAULT };
}

/** The extra env entries as the container takes them. */
export function extraEnvOf(env: PodOptions['extraEnv']) {
  return (env ?? []).map((e) => compact(e, { falseIsDefault: true }));
}

/** podLabels may add labels, never replace the ones the selectors (and the chart's Service) match on. */
function checkPodLabelsKeepSelectors(props: VeleroReleaseProps, adoption: Adoption): void {
  const owned: [string, Readonly<Record<string, string>> | undefined, Readonly<Record<string, string>>][] = [
    ['podLabels', props.podLabels, { ...adoption.serverSelector, ...adoption.serverPodLabels }],
    ['nodeAgent.podLabels', props.nodeAgent?.podLabels, { ...adoption.nodeAgentPodLabels, name: 'node-agent' }],
  ];
  for (const [field, labels, selector] of owned) {
    const clash = Object.keys(labels ?? {}).find((k) => k in selector);
    if (clash) {
      throw new Error(
        `velero release: ${field} key '${clash}' is a selector label the release sets ('${selector[clash]}'); pick another key (docs/pitfalls.md#pod-options)`,
      );
    }
  }
}

function releaseLine(version: string): VeleroLine {
  try {
    return veleroLineOf(version);
  } catch (e) {
    throw new Error(`velero release: ${(e as Error).message}`, { cause: e });
  }
}
