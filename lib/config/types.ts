/**
 * The one place a user states their backup intent (issue 16): `BackupStackConfig`, read by the
 * `BackupStack` construct (constructs/backup-stack.ts) from TypeScript (main.ts) or from a
 * `velero-cdk8s.yaml` file. Every field is optional and states its default; everything derived from
 * it (alerts for every schedule, the drills' scratch namespaces exempt from coverage, the CRD
 * Application at the chosen versions, the plan report, the synth checks) is wired by the stack.
 *
 * The JSON Schema `velero-cdk8s.config.schema.json` is generated from these types
 * (`npm run config-schema`, scripts/config-schema.mjs); the stack validates every config against it at
 * run time, TypeScript configs included. Keep the types JSON-shaped: strings, numbers, booleans, arrays
 * and plain objects, plus `Duration` where a duration goes (a YAML file writes a Go duration string).
 */
import type { Duration } from 'cdk8s';
import type { PodAffinity, PodEnvVar } from '../kube/pod-options';
import type { NodeAgentConfig } from '../versions/node-agent-config';

/**
 * A duration as Go (and Velero) writes it: `720h`, `1h30m`, `10m`, `90s`. Velero has no `d` unit:
 * write days in hours (30 days = `720h`).
 * @pattern ^[0-9.]+(ns|us|µs|ms|s|m|h)([0-9.]+(ns|us|µs|ms|s|m|h))*$|^0$
 */
export type GoDuration = string;

/** A duration: a cdk8s `Duration` in TypeScript, a Go duration string (`720h`) in either. */
export type DurationValue = Duration | GoDuration;

/**
 * A DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit.
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @maxLength 63
 */
export type DnsLabel = string;

/** A Kubernetes label map (`key: value`). */
export type Labels = Record<string, string>;

/** CPU and memory requests and limits of one container (Kubernetes quantities, e.g. `100m`, `256Mi`). */
export interface ResourcesConfig {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** A reference to a key of an existing Secret: secrets are referenced, never rendered. */
export interface SecretKeyConfig {
  /** @default 'cloud-credentials' */
  readonly name?: string;
  /** @default 'cloud' */
  readonly key?: string;
}

/** One toleration of the node-agent pods (e.g. to run on control-plane nodes too). */
export interface TolerationConfig {
  /** @default - every key (with operator Exists) */
  readonly key?: string;
  /** @default 'Equal' */
  readonly operator?: 'Equal' | 'Exists';
  /** @default - none */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** Seconds a NoExecute taint is tolerated before eviction. @default - for ever */
  readonly tolerationSeconds?: number;
}

/**
 * Where and how a pod of the release runs, as the chart's values set it (README "Chart values"); checked by the
 * API server's rules (lib/kube/pod-options.ts).
 */
export interface PodOptionsConfig {
  /** Node labels the pods must match. @default {} */
  readonly nodeSelector?: Labels;
  /** @default [] */
  readonly tolerations?: readonly TolerationConfig[];
  /** core/v1 Affinity. @default - none */
  readonly affinity?: PodAffinity;
  /** PriorityClass of the pods (a DNS-1123 subdomain). @default - none */
  readonly priorityClassName?: string;
  /** Further pod labels; the selector's labels cannot be replaced. @default {} */
  readonly podLabels?: Labels;
  /** Pod annotations. @default {} */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Further environment variables (e.g. `HTTPS_PROXY`, `NO_PROXY`); a Secret value through `valueFrom.secretKeyRef`.
   * @default []
   */
  readonly extraEnv?: readonly PodEnvVar[];
}

/** The Velero server: image line, credentials, node-agent, metrics. */
export interface ReleaseConfig extends PodOptionsConfig {
  /**
   * The installer the cluster already runs, adopted in place: the server Deployment, metrics Service,
   * ServiceMonitor and node-agent DaemonSet select its pods by its labels. `{ kind: 'none' }` for a fresh
   * cluster; `{ kind: 'helm', releaseName }` for the vmware-tanzu chart. Changing it on a running release is a
   * recreate: the selector is immutable.
   * @default { kind: 'velero-install' } (selector `deploy: velero`)
   */
  readonly installedBy?: InstallerConfig;
  /** Namespace of the server, its locations and schedules. @default 'velero' */
  readonly namespace?: DnsLabel;
  /** Velero image tag; the CRD Application syncs the CRDs at the same tag. @default VELERO_VERSION (lib/versions/versions.ts) */
  readonly version?: string;
  /** velero-plugin-for-aws image tag; must match the Velero line. @default VELERO_PLUGIN_FOR_AWS_VERSION */
  readonly awsPluginVersion?: string;
  /**
   * Existing Secret holding the AWS-style credentials file. With `installedBy: helm` the name defaults to the
   * Secret the chart mounts: its `<fullname>` (the release name if it contains `velero`, else `<release>-velero`);
   * a chart installed with `credentials.existingSecret` needs that name here.
   * @default { name: 'cloud-credentials', key: 'cloud' }
   */
  readonly credentials?: SecretKeyConfig;
  /**
   * Render LocalStack's well-known `test`/`test` credentials Secret; only with the LocalStack provider.
   * @default false
   */
  readonly renderLocalStackCredentials?: boolean;
  /** Take CSI snapshots: `--features=EnableCSI` and a VolumeSnapshotLocation named `default`. @default true */
  readonly csiSnapshots?: boolean;
  /** Further server `--features` flags. @default [] */
  readonly features?: readonly string[];
  /** The node-agent DaemonSet (file-system backup, snapshot data movement). @default - off */
  readonly nodeAgent?: NodeAgentConfigOptions;
  /**
   * Registry (and path) of a mirror the Velero and plugin images are pulled from, e.g. `registry.lan:5000/dockerhub`.
   * @default - Docker Hub
   */
  readonly imageRegistry?: string;
  /** Secrets (in the release namespace) to pull the images with. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** `--default-backup-ttl`: ttl of a Backup that sets none. @default - Velero's 720h */
  readonly defaultBackupTtl?: GoDuration;
  /** `--garbage-collection-frequency`: how often expired backups are deleted. @default - Velero's 1h */
  readonly garbageCollectionFrequency?: GoDuration;
  /** `--default-item-operation-timeout`: async plugin operations (data upload) give up after it. @default - Velero's 4h */
  readonly defaultItemOperationTimeout?: GoDuration;
  /**
   * Repository-maintenance Jobs: server flags up to Velero 1.16, the `--repo-maintenance-job-configmap` ConfigMap
   * from 1.17. @default - Velero's defaults, nothing rendered
   */
  readonly repositoryMaintenance?: {
    /** Finished maintenance Jobs kept per repository. @default - Velero's 3 */
    readonly keepLatestJobs?: number;
    /** Resources of the maintenance Job pods. @default - none set */
    readonly resources?: ResourcesConfig;
  };
  /** Server resources. @default requests 100m / 256Mi, limits 1000m / 512Mi */
  readonly resources?: ResourcesConfig;
  /** Server `--log-level`. @default 'info' */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'panic';
  /** Metrics Service and ServiceMonitor. @default {} (every field at its default) */
  readonly metrics?: {
    /** Render a ServiceMonitor. @default true */
    readonly serviceMonitor?: boolean;
    /** Labels the Prometheus `serviceMonitorSelector` looks for. @default { release: 'kube-prometheus-stack' } */
    readonly prometheusSelectorLabels?: Labels;
    /** Scrape interval. @default '30s' */
    readonly interval?: GoDuration;
    /**
     * Namespace of the ServiceMonitor (the chart's `metrics.serviceMonitor.namespace`): a Prometheus without
     * `serviceMonitorNamespaceSelector` reads its own namespace only. @default - the release namespace
     */
    readonly serviceMonitorNamespace?: DnsLabel;
  };
}

/** The node-agent DaemonSet and its ConfigMap. */
export interface NodeAgentConfigOptions extends PodOptionsConfig {
  /** @default false */
  readonly enabled?: boolean;
  /** @default requests 100m / 256Mi, limits 1000m / 1Gi */
  readonly resources?: ResourcesConfig;
  /**
   * The node-agent ConfigMap (`--node-agent-configmap`), in Velero's JSON field names: loadConcurrency,
   * backupPVC (per source StorageClass: storageClass, readOnly), podResources, ...; only keys the line reads.
   * @default - none rendered
   */
  readonly config?: NodeAgentConfig;
}

/** What every storage location has, whatever its provider. */
export interface StorageLocationBase {
  /**
   * BackupStorageLocation name. The default location is always named `default` (Velero's convention,
   * what `velero backup create` uses without `--storage-location`).
   * @default 'default' for the default location; required for the others
   */
  readonly name?: DnsLabel;
  /** The location backups go to unless a schedule names another; exactly one. @default - the first location */
  readonly default?: boolean;
  /** Key prefix inside the bucket. @default - none (the bucket root) */
  readonly prefix?: string;
  /**
   * `ReadOnly` for a location this cluster only restores from (another cluster writes it).
   * Velero needs one writer per bucket + prefix (velero#627, #5509).
   * @default 'ReadWrite'
   */
  readonly accessMode?: 'ReadWrite' | 'ReadOnly';
  /** Credentials of this location, when not the release's mounted file. @default - the release's credentials */
  readonly credential?: { readonly name: string; readonly key: string };
}

/** LocalStack, a test rig: nothing survives a LocalStack restart. */
export interface LocalStackLocationConfig extends StorageLocationBase {
  readonly provider: 'localstack';
  /** @default 'velero-backups' */
  readonly bucket?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 'http://localstack.localstack:4566' */
  readonly s3Url?: string;
}

/** Backblaze B2 through its S3 API (virtual-host addressing, verified TLS, no CRC32 checksum header). */
export interface BackblazeB2LocationConfig extends StorageLocationBase {
  readonly provider: 'backblaze-b2';
  /** Bucket name, e.g. `velero-backups-<identifier>`. */
  readonly bucket: string;
  /** B2 region; the S3 endpoint is derived from it. @default 'us-west-004' */
  readonly region?: string;
  /** USD per TB-month, for the plan's cost estimate. @default 6 */
  readonly pricePerTbMonthUsd?: number;
}

/** Where an S3-compatible endpoint is, for stores other than AWS S3 itself (lib/storage/endpoint.ts). */
export interface EndpointLocationFields {
  /**
   * True when the endpoint is inside the cluster though its name does not say so (a ClusterIP address, a
   * `<service>.<namespace>` short name); false when a `.svc`-looking host is not a Service of this cluster.
   * An in-cluster store is not off-site: the plan says so, and the rebuild runbook needs the backups elsewhere.
   * @default - from the host: `*.svc`, `*.cluster.local` and single-label hosts are in the cluster
   */
  readonly inCluster?: boolean;
  /**
   * Why plain http to a public host is acceptable. Required for an `http://` s3Url that is neither in the
   * cluster nor on a private network (RFC 1918, loopback, link-local, ULA, `*.lan`, `*.home.arpa`, `*.local`, ...);
   * the plan quotes it (docs/pitfalls.md#plain-http).
   * @default - none (such an endpoint is refused)
   */
  readonly plainHttpReason?: string;
}

/**
 * Any S3 API: AWS S3 (no `s3Url`) or an S3-compatible store (`s3Url`). TLS is verified; `http://` is accepted
 * inside the cluster and on private networks (the plan says the traffic is unencrypted).
 */
export interface S3LocationConfig extends StorageLocationBase, EndpointLocationFields {
  readonly provider: 's3';
  readonly bucket: string;
  readonly region: string;
  /** Endpoint of an S3-compatible store, `https://` or `http://`. @default - AWS S3 */
  readonly s3Url?: string;
  /** Path-style addressing (MinIO needs it). @default false */
  readonly s3ForcePathStyle?: boolean;
  /** `''` for stores that reject the default CRC32 checksum. @default - the plugin's (CRC32) */
  readonly checksumAlgorithm?: string;
  /** PEM CA bundle for a private CA. @default - the system CAs */
  readonly caCert?: string;
  /** Further velero-plugin-for-aws config keys (credentials are refused). @default {} */
  readonly extraConfig?: Record<string, string>;
  /** USD per TB-month, for the plan's cost estimate. @default 23 (AWS S3 Standard) without s3Url, none with one */
  readonly pricePerTbMonthUsd?: number;
}

/** Cloudflare R2 (region `auto`, endpoint from the account ID, free egress). */
export interface CloudflareR2LocationConfig extends StorageLocationBase {
  readonly provider: 'cloudflare-r2';
  readonly bucket: string;
  /** Cloudflare account ID, 32 lowercase hex digits: the endpoint is `https://<accountId>.r2.cloudflarestorage.com`. */
  readonly accountId: string;
  /** A jurisdiction-restricted bucket. @default - none */
  readonly jurisdiction?: 'eu' | 'fedramp';
  /** USD per TB-month. @default 15 */
  readonly pricePerTbMonthUsd?: number;
}

/** Wasabi (endpoint from the region; every object billed for at least 90 days). */
export interface WasabiLocationConfig extends StorageLocationBase {
  readonly provider: 'wasabi';
  readonly bucket: string;
  /** Wasabi region. @default 'us-east-1' */
  readonly region?: string;
  /** USD per TB-month. @default 6.99 */
  readonly pricePerTbMonthUsd?: number;
}

/** What a self-hosted store (MinIO, Ceph RGW, Garage, SeaweedFS) takes. */
export interface SelfHostedLocationFields extends StorageLocationBase, EndpointLocationFields {
  readonly bucket: string;
  /** The endpoint, e.g. `http://minio.minio.svc:9000`. */
  readonly s3Url: string;
  /** @default - the store's: minio 'minio', ceph-rgw 'default', garage 'garage', seaweedfs 'us-east-1' */
  readonly region?: string;
  /** @default true */
  readonly s3ForcePathStyle?: boolean;
  /** `''` for a store that rejects the CRC32 checksum header. @default - the plugin's (CRC32) */
  readonly checksumAlgorithm?: string;
  /** PEM CA bundle for a private CA. @default - the system CAs */
  readonly caCert?: string;
  /** Further velero-plugin-for-aws config keys (credentials are refused). @default {} */
  readonly extraConfig?: Record<string, string>;
  /** What a TB-month costs you, if the plan should say. @default - none (self-hosted: no price unless given) */
  readonly pricePerTbMonthUsd?: number;
}

/** MinIO (Velero's MinIO guide: region `minio`, path-style). */
export interface MinioLocationConfig extends SelfHostedLocationFields {
  readonly provider: 'minio';
}
/** Ceph RGW (region = the zonegroup's api_name, `default` on a fresh cluster; path-style). */
export interface CephRgwLocationConfig extends SelfHostedLocationFields {
  readonly provider: 'ceph-rgw';
}
/** Garage (region = its `s3_region`, `garage` in its documented config; path-style only). */
export interface GarageLocationConfig extends SelfHostedLocationFields {
  readonly provider: 'garage';
}
/** SeaweedFS' S3 gateway (path-style; any region). */
export interface SeaweedFsLocationConfig extends SelfHostedLocationFields {
  readonly provider: 'seaweedfs';
}

/**
 * One BackupStorageLocation; `provider` picks the kind of object store.
 * @discriminator provider
 */
export type StorageLocationConfig =
  | LocalStackLocationConfig
  | BackblazeB2LocationConfig
  | S3LocationConfig
  | CloudflareR2LocationConfig
  | WasabiLocationConfig
  | MinioLocationConfig
  | CephRgwLocationConfig
  | GarageLocationConfig
  | SeaweedFsLocationConfig;

/** A Kubernetes label selector. */
export interface LabelSelectorConfig {
  /** @default {} */
  readonly matchLabels?: Labels;
  /** @default [] */
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    /** @default [] */
    readonly values?: readonly string[];
  }[];
}

/** One exec hook command. */
export interface HookExecConfig {
  /** @default - the pod's first container */
  readonly container?: string;
  /** The command and its arguments. */
  readonly command: readonly string[];
  /** @default 'Fail' */
  readonly onError?: 'Continue' | 'Fail';
  /** @default '30s' */
  readonly timeout?: DurationValue;
}

/** Backup hooks for a set of pods. */
export interface HookConfig {
  readonly name: string;
  /** @default - every namespace of the backup */
  readonly includedNamespaces?: readonly string[];
  /** @default [] */
  readonly excludedNamespaces?: readonly string[];
  /** @default - pods */
  readonly includedResources?: readonly string[];
  /** @default [] */
  readonly excludedResources?: readonly string[];
  /** @default - every pod */
  readonly labelSelector?: LabelSelectorConfig;
  /** @default [] */
  readonly pre?: readonly HookExecConfig[];
  /** @default [] */
  readonly post?: readonly HookExecConfig[];
}

/** One declared check of a restored volume. */
export interface DrillVerifyConfig {
  /** Source namespace (as backed up); one the drill restores. */
  readonly namespace: string;
  /** PVC name in the backup. */
  readonly pvc: string;
  /** Path relative to the volume root that must be readable to its end. */
  readonly path: string;
  /** @default 65534 (nobody) */
  readonly runAsUser?: number;
}

/** A monthly (by default) restore drill of a schedule's newest backup into scratch namespaces. */
export interface DrillConfig {
  /** Namespaces to restore, each included by the schedule. @default the schedule's includedNamespaces (not '*') */
  readonly namespaces?: readonly string[];
  /** Scratch namespace per restored namespace. @default `drill-<namespace>` for each */
  readonly namespaceMapping?: Record<string, string>;
  /** The Restore's includedResources. @default derived from the schedule (volume data only) */
  readonly includedResources?: readonly string[];
  /** Paths to read from the restored volumes. @default [] */
  readonly verify?: readonly DrillVerifyConfig[];
  /** When the drill runs, 5 cron fields in UTC. @default '0 5 1 * *' */
  readonly cron?: string;
  /** @default '1h' */
  readonly restoreTimeout?: DurationValue;
  /** @default '10m' */
  readonly pvcBoundTimeout?: DurationValue;
  /** @default '10m' */
  readonly verifyTimeout?: DurationValue;
  /** @default requests 20m / 64Mi, limits 200m / 128Mi */
  readonly resources?: ResourcesConfig;
  /** @default `restore-drill-<schedule name>` */
  readonly name?: string;
  /** @default false */
  readonly suspend?: boolean;
}

/** One velero.io/v1 Schedule. Unset fields are Velero's (or the construct's) defaults. */
/** Restore points to keep per period (docs/pitfalls.md#retention); an absent or 0 period has no Schedule. */
export interface RetentionConfig {
  /** Hourly backups to keep (ttl count x 1h). @default 0 */
  readonly hourly?: number;
  /** Daily backups to keep (ttl count x 24h). @default 0 */
  readonly daily?: number;
  /** Weekly backups, Sundays (ttl count x 168h). @default 0 */
  readonly weekly?: number;
  /** Monthly backups, on the 1st (ttl count x 744h, the longest month). @default 0 */
  readonly monthly?: number;
  /** Yearly backups, on January 1st (ttl count x 8784h, a leap year). @default 0 */
  readonly yearly?: number;
}

export interface ScheduleConfig {
  /** Schedule name, exactly as configured: backups, metrics and runbooks use it. */
  readonly name: DnsLabel;
  /** Prefix before `name` (the Helm chart's `velero-`). @default '' */
  readonly namePrefix?: string;
  /** Cron (`0 2 * * *`, UTC), a descriptor (`@daily`) or `@every <Go duration>`. */
  readonly schedule: string;
  /** Retention of each backup; at least 1h and not shorter than the cadence. @default '720h' (30 days) */
  readonly ttl?: DurationValue;
  /** @default false */
  readonly allowTtlShorterThanCadence?: boolean;
  /**
   * Count-based retention instead of one ttl: `{ daily: 7, weekly: 4, monthly: 12 }` renders the Schedules
   * `<name>-daily`, `<name>-weekly`, `<name>-monthly` at the minute and hour of `schedule`, each with the ttl
   * that keeps that many backups (lib/schedule/retention.ts). Not with `ttl`. @default - one Schedule with `ttl`
   */
  readonly retention?: RetentionConfig;
  /** Accept a ttl under the staleness threshold plus a day (no last-restore-point guard). @default false */
  readonly allowTtlWithoutReactionTime?: boolean;
  /** Namespaces to back up; `['*']` is all. @default ['*'] */
  readonly includedNamespaces?: readonly string[];
  /** @default [] */
  readonly excludedNamespaces?: readonly string[];
  /** @default - all */
  readonly includedResources?: readonly string[];
  /** @default [] */
  readonly excludedResources?: readonly string[];
  /** @default - Velero decides */
  readonly includeClusterResources?: boolean;
  /** @default - Velero decides */
  readonly includedClusterScopedResources?: readonly string[];
  /** @default [] */
  readonly excludedClusterScopedResources?: readonly string[];
  /** @default - all */
  readonly includedNamespaceScopedResources?: readonly string[];
  /** @default [] */
  readonly excludedNamespaceScopedResources?: readonly string[];
  /** @default - every object */
  readonly labelSelector?: LabelSelectorConfig;
  /** Take CSI snapshots of the PVCs. @default release.csiSnapshots */
  readonly snapshotVolumes?: boolean;
  /** File-system backup of every pod volume (needs the node-agent). @default false */
  readonly defaultVolumesToFsBackup?: boolean;
  /** Move snapshot data to the storage location (needs the node-agent). @default false */
  readonly snapshotMoveData?: boolean;
  /** Name of the storage location backups go to. @default - the default location */
  readonly storageLocation?: DnsLabel;
  /** @default - Velero's 10m */
  readonly csiSnapshotTimeout?: DurationValue;
  /** @default - Velero's 4h */
  readonly itemOperationTimeout?: DurationValue;
  /** @default [] */
  readonly hooks?: readonly HookConfig[];
  /**
   * A resource-policies ConfigMap of the release namespace (`--resource-policies-configmap`): rendered as
   * `spec.template.resourcePolicy: { kind: configmap, name }`; the ConfigMap is yours. @default - none
   */
  readonly resourcePolicy?: string;
  /** @default false */
  readonly paused?: boolean;
  /** Leave it off (constructs/backup-schedule.ts says why). @default false */
  readonly useOwnerReferencesInBackup?: boolean;
  /** A restore drill of this schedule's backups; `{}` for the defaults. @default - no drill */
  readonly drill?: DrillConfig;
}

/** A PVC the plan report sizes and costs. */
export interface VolumeConfig {
  readonly namespace: DnsLabel;
  readonly pvc: string;
  /** Requested size, a Kubernetes quantity (`50Gi`). */
  readonly size: string;
  /** @default - the PVC name */
  readonly app?: string;
}

/** The snapshot-controller and the VolumeSnapshotClass (dist/csi-snapshots/). */
export interface CsiConfig {
  /**
   * Who runs the snapshot-controller: `'managed'` (rendered here), `'existing'` (the cluster's own: nothing
   * rendered, the version pair is still checked), `'replace-upstream'` (rendered here, taking over an upstream
   * install's RBAC names).
   * @default 'managed'
   */
  readonly controller?: 'managed' | 'existing' | 'replace-upstream';
  /**
   * Whether the CRD Application syncs the snapshot.storage.k8s.io CRDs; `'existing'` when the cluster installs them.
   * @default 'managed' with a managed or replacing controller, 'existing' with an existing one
   */
  readonly crds?: 'managed' | 'existing';
  /** Render dist/csi-snapshots/ and sync the snapshot CRDs. @default release.csiSnapshots (true) */
  readonly enabled?: boolean;
  /**
   * external-snapshotter release: CRDs and controller image, one of v7.0.2, v8.0.2, v8.1.1, v8.2.1, v8.3.0, v8.4.0,
   * v8.5.0, v8.6.0 (lib/versions/snapshotter-compat.ts). @default 'v8.2.1'; 'v8.4.0' on Velero 1.18 (groupsnapshot v1beta2)
   */
  readonly version?: string;
  /** Namespace of the snapshot-controller. @default 'snapshot-controller' (rendered by the stack); 'kube-system' with controller 'existing' */
  readonly namespace?: DnsLabel;
  /** Render the Namespace (only for a namespace of the controller's own). @default true for the default namespace, else false */
  readonly createNamespace?: boolean;
  /**
   * Image tag of the CSI driver's csi-snapshotter sidecar, `vX.Y.Z` or a vendor's `vX.Y.Z-suffix` (compared by its core).
   * @default - the driver's only known release's (Synology CSI v1.2.1: 'v4.2.1'); else not known and the pair is not checked
   */
  readonly snapshotterSidecarVersion?: string;
  /** The controller's `--prevent-volume-mode-conversion`. @default - the release's (true) */
  readonly preventVolumeModeConversion?: boolean;
  /** @default requests 10m / 32Mi, limits 50m / 64Mi */
  readonly resources?: ResourcesConfig;
  /**
   * The VolumeSnapshotClass Velero uses. Without a `driver`, CSI on renders no class and no controller, and the plan
   * warns that volume data is not backed up by snapshots (docs/pitfalls.md#csi-driver). @default - none
   */
  readonly volumeSnapshotClass?: {
    /** The class the stack renders. @default 'velero-snapshot-class' */
    readonly name?: string;
    /**
     * CSI driver name, as in the PVs' `spec.csi.driver` (their StorageClass's provisioner), e.g. `driver.longhorn.io`.
     * No driver is everyone's: left out, nothing driver-specific is rendered, PVCNotSnapshottable fires for every PVC
     * only CSI snapshots would protect, and the plan warns. Drivers with a profile (lib/storage/csi-drivers.ts) get
     * their parameters checked and the plan's words.
     * @default - none: no snapshots, and the plan says what to put
     */
    readonly driver?: string;
    /**
     * Use a VolumeSnapshotClass the cluster already has, by name: none is rendered, and every Schedule names it for
     * `driver` (annotation `velero.io/csi-volumesnapshot-class_<driver>`). @default - the stack renders its own class
     */
    readonly existing?: string;
    /**
     * The class's `parameters` (a string map the driver reads, e.g. Longhorn `{ type: snap }`); with `existing`, what
     * the cluster's class has, for the plan only. @default the driver profile's (Longhorn: `type: snap`), else none
     */
    readonly parameters?: Readonly<Record<string, string>>;
    /** @default 'Retain' */
    readonly deletionPolicy?: 'Retain' | 'Delete';
    /** @default false */
    readonly isDefaultClass?: boolean;
    /** Synology's `description` parameter. @default - not set */
    readonly description?: string;
    /** Synology's `is_locked` parameter. @default - not set */
    readonly isLocked?: boolean;
  };
}

/** Who installed the Velero server the release adopts (constructs/velero-release.ts `VeleroInstaller`). */
export type InstallerConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'velero-install' }
  | {
      readonly kind: 'helm';
      /** The Helm release name (`helm list -n <namespace>`). @default 'velero' */
      readonly releaseName?: string;
      /**
       * Field manager of the chart's objects: `helm` from Helm 3.7, `Go-http-client` before (README "Adopting an
       * existing Velero install"). @default 'helm'
       */
      readonly fieldManager?: string;
    };

/** The PrometheusRule of every schedule's (and drill's) alerts. */
export interface AlertsConfig {
  /**
   * The kube-state-metrics that exports the storage locations' phase (Velero 1.15/1.16, whose server has no
   * BSL status metric): where its custom-resource-state ConfigMap goes and which ServiceAccount reads the BSLs.
   * @default { namespace: alerts.namespace or 'monitoring', serviceAccountName: 'kube-prometheus-stack-kube-state-metrics' }
   */
  readonly kubeStateMetrics?: {
    /** @default alerts.namespace when set (kube-state-metrics runs next to that Prometheus), else 'monitoring' */
    readonly namespace?: DnsLabel;
    /** @default 'kube-prometheus-stack-kube-state-metrics' */
    readonly serviceAccountName?: string;
  };
  /** Namespace of the PrometheusRule. @default release.namespace ('velero') */
  readonly namespace?: DnsLabel;
  /** Labels the Prometheus `ruleSelector` looks for. @default release.metrics.prometheusSelectorLabels */
  readonly ruleSelectorLabels?: Labels;
  /** Labels on every alert, for Alertmanager routing. @default { component: 'velero' } */
  readonly routingLabels?: Labels;
  /** `VeleroBackupDurationHigh` threshold. @default '1h' */
  readonly backupDurationWarning?: DurationValue;
  /** Name of the PrometheusRule. @default 'velero-backup-alerts' */
  readonly name?: string;
  /**
   * The Prometheus' actual rule selection; a rule set it would not load is a synth error.
   * @default kube-prometheus-stack's: ruleSelector = ruleSelectorLabels, every namespace
   */
  readonly prometheusRuleSelector?: {
    /** `null`: the Prometheus selects no rules at all. */
    readonly ruleSelector: LabelSelectorConfig | null;
    /** @default {} (every namespace) */
    readonly ruleNamespaceSelector?: LabelSelectorConfig | null;
    /** @default - the rule's namespace */
    readonly prometheusNamespace?: string;
    /** @default {} */
    readonly ruleNamespaceLabels?: Labels;
  };
}

/** The heartbeat from outside (constructs/backup-heartbeat.ts): pings a URL while every schedule is fresh. */
export interface HeartbeatConfig {
  /** The Secret in Velero's namespace holding the URL (created out of band, never rendered). */
  readonly secretName: string;
  /** Key of the URL in the Secret. @default 'url' */
  readonly secretKey?: string;
  /** When the check runs, 5 cron fields in UTC. @default '*\/15 * * * *' */
  readonly cron?: string;
}

/** The Grafana dashboard (constructs/backup-dashboard.ts), in a ConfigMap kube-prometheus-stack's sidecar loads. */
export interface DashboardConfig {
  /** Render the dashboard ConfigMap. @default true */
  readonly enabled?: boolean;
  /** Grafana folder, as the sidecar's folder annotation. @default - no annotation (Grafana's General folder) */
  readonly folder?: string;
  /** The annotation key the sidecar reads the folder from (`sidecar.dashboards.folderAnnotation`). @default 'grafana_folder' */
  readonly folderAnnotation?: string;
  /** Namespace of the ConfigMap. @default release.namespace ('velero') */
  readonly namespace?: DnsLabel;
}

/** An ArgoCD Application-level sync option (docs/upstream-facts.md#argocd-sync). */
export type SyncOption =
  | 'ServerSideApply=true'
  | 'Replace=true'
  | 'CreateNamespace=true'
  | 'PruneLast=true'
  | 'ApplyOutOfSyncOnly=true'
  | 'RespectIgnoreDifferences=true'
  | 'FailOnSharedResource=true'
  | 'Validate=false'
  | 'PrunePropagationPolicy=foreground'
  | 'PrunePropagationPolicy=background'
  | 'PrunePropagationPolicy=orphan';

/** A PVC by namespace and name. */
export interface VolumeReferenceConfig {
  readonly namespace: DnsLabel;
  readonly pvc: string;
}

/**
 * PVCs in snapshot-only namespaces on a StorageClass without a VolumeSnapshotClass driver (the
 * PVCNotSnapshottable alert): opted into file-system backup by name, or deliberately unprotected with a reason.
 */
export interface VolumeExceptionsConfig {
  /** PVCs whose pods carry `backup.velero.io/backup-volumes` (needs the node-agent). @default [] */
  readonly fsBackupVolumes?: readonly VolumeReferenceConfig[];
  /** PVCs deliberately not backed up, each with its reason. @default [] */
  readonly unprotectedVolumes?: readonly (VolumeReferenceConfig & { readonly reason: string })[];
}

/** What a restore scenario brings back (lib/restore/scenario.ts `RestoreTarget`). */
export type RestoreTargetConfig =
  /** One PVC (and its volume data) into its own namespace. */
  | { readonly kind: 'pvc'; readonly namespace: DnsLabel; readonly pvc: string }
  /** A whole namespace, under its own name. */
  | { readonly kind: 'namespace'; readonly namespace: DnsLabel }
  /** A whole namespace into a new one, for inspection (exempt from coverage, with its reason). */
  | { readonly kind: 'namespace-into'; readonly namespace: DnsLabel; readonly into: DnsLabel }
  /** Everything the schedule backed up. */
  | { readonly kind: 'cluster' };

/** One restore scenario: a Restore rendered into dist/restores/ (never synced) and its runbook in BACKUP-PLAN.md. */
export interface RestoreScenarioConfig {
  /** The scenario's name: its file `restores/<name>.yaml` and `npm run restore -- <name>`. */
  readonly name: DnsLabel;
  /** Runbook heading. @default - from the target, e.g. 'one PVC lost (default/prometheus-data)' */
  readonly title?: string;
  /** The schedule whose latest backup it restores. @default - the first schedule with a drill, else the first */
  readonly schedule?: DnsLabel;
  readonly target: RestoreTargetConfig;
  /** Namespaces left out of the restore. @default [] */
  readonly excludedNamespaces?: readonly string[];
  /** Resources restored alone. @default - every resource of the target */
  readonly includedResources?: readonly string[];
  /** Resources left out. @default [] */
  readonly excludedResources?: readonly string[];
  /** What to do with an object that exists already: `none` leaves it (a warning each), `update` patches it. @default 'none' */
  readonly existingResourcePolicy?: 'none' | 'update';
}

/**
 * A cluster rebuild, two scenarios in order: `rebuild-cluster-resources` (cluster resources and every namespace
 * without volume data, from the schedule with cluster resources) and `rebuild-volumes` (the namespaces with
 * volume data, from the fresher volume schedule: restoring their PVCs from the other first would create empty
 * volumes that the second restore then skips as existing).
 */
export interface RebuildConfig {
  readonly rebuild: {
    /** @default - the first schedule with `includeClusterResources: true` */
    readonly clusterResourcesSchedule?: DnsLabel;
    /**
     * The one schedule whose backups bring the volume namespaces back (`rebuild-volumes`).
     * @default - every schedule that keeps volume data, each a restore of its own: the first with a drill (else the
     * first that snapshots volumes) as `rebuild-volumes`, every other as `rebuild-volumes-<schedule>`
     */
    readonly volumesSchedule?: DnsLabel;
  };
}

/** One rendered Application's knobs. */
export interface ApplicationConfig {
  /** Application name. @default 'velero', 'csi-snapshots', 'backup-crds', 'velero-cdk8s' (root) */
  readonly name?: DnsLabel;
  /** Sync wave of the Application. @default crds -10, csiSnapshots -5, velero 0, root 0 */
  readonly syncWave?: number;
  /** Sync options added to the Application's own. @default [] */
  readonly syncOptions?: readonly SyncOption[];
}

/** Where ArgoCD reads dist/ from, and how its Applications sync. */
export interface ArgoCdConfig {
  /** The repository ArgoCD syncs dist/ from. @default {} (every field at its default) */
  readonly repository?: {
    /** @default 'https://github.com/homelab/velero-cdk8s.git' */
    readonly repoURL?: string;
    /** @default 'HEAD' */
    readonly targetRevision?: string;
    /** Path of the rendered output in the repository. @default 'dist' */
    readonly distPath?: string;
  };
  /** ArgoCD project of every Application. @default 'infrastructure' */
  readonly project?: DnsLabel;
  /** Namespace ArgoCD runs in. @default 'argocd' */
  readonly namespace?: DnsLabel;
  /** Sync options added to every Application. @default [] */
  readonly syncOptions?: readonly SyncOption[];
  /**
   * How your ArgoCD tracks its objects (`application.resourceTrackingMethod` in `argocd-cm`): restores strip only
   * what it writes, the label `app.kubernetes.io/instance` for `label`, the annotation `argocd.argoproj.io/tracking-id`
   * for `annotation`, both for `annotation+label` (docs/pitfalls.md#tracking-method).
   * @default 'annotation' (ArgoCD 3.x's default; before 3.0 it was 'label')
   */
  readonly trackingMethod?: 'annotation' | 'label' | 'annotation+label';
  /** The CRD Application (Velero's and the snapshot CRDs, upstream at the chosen tags). @default {} */
  readonly crds?: ApplicationConfig;
  /** The Application of dist/csi-snapshots/. @default {} */
  readonly csiSnapshots?: ApplicationConfig;
  /** The Application of dist/velero/. @default {} */
  readonly velero?: ApplicationConfig;
  /** The app of apps in dist/bootstrap/ (in a fleet: the ApplicationSet). @default {} */
  readonly root?: ApplicationConfig;
}

/** The shared part of a config: everything one cluster's stack needs. */
export interface StackConfig {
  /** The Velero server. @default {} (every field at its default) */
  readonly release?: ReleaseConfig;
  /** Backup storage locations, exactly one default. @default [{ provider: 'localstack' }] (a test rig) */
  readonly storageLocations?: readonly StorageLocationConfig[];
  /** The schedules; each may ask for a restore drill. @default [] */
  readonly schedules?: readonly ScheduleConfig[];
  /** The critical PVCs the plan report sizes and costs. @default [] */
  readonly volumes?: readonly VolumeConfig[];
  /**
   * Namespaces deliberately not backed up, each with its reason; the coverage alert and
   * `npm run plan -- --inventory --strict` accept exactly these (plus the drills' scratch namespaces).
   * @default {}
   */
  readonly unprotectedNamespaces?: Record<string, string>;
  /** PVCs the unsnapshottable-volume alert accepts (file-system backup by name, or unprotected). @default {} */
  readonly volumeExceptions?: VolumeExceptionsConfig;
  /**
   * Restore scenarios (dist/restores/, runbooks in BACKUP-PLAN.md, `npm run restore`); every restore strips
   * ArgoCD's tracking from what it brings back.
   * @default [{ rebuild: {} }] (the rebuild pair, when a schedule has cluster resources; else [])
   */
  readonly restores?: readonly (RestoreScenarioConfig | RebuildConfig)[];
  /** The snapshot-controller and VolumeSnapshotClass. @default {} (every field at its default) */
  readonly csi?: CsiConfig;
  /** The alert rules. @default {} (every field at its default) */
  readonly alerts?: AlertsConfig;
  /** The Grafana dashboard of the backups. @default {} (rendered, no folder) */
  readonly dashboard?: DashboardConfig;
  /** A heartbeat CronJob that pings a URL while every schedule's newest backup is fresh. @default - none */
  readonly heartbeat?: HeartbeatConfig;
  /** ArgoCD: repository, project, waves, sync options. @default {} (every field at its default) */
  readonly argocd?: ArgoCdConfig;
  /**
   * Namespaces that usually belong to another tenant (`monitoring`, `cert-manager`, ...) but are this stack's
   * here: release.namespace (or csi.namespace with createNamespace) may then be one, and the stack renders its
   * Namespace object (docs/pitfalls.md#foreign-namespace).
   * @default []
   */
  readonly ownedNamespaces?: readonly DnsLabel[];
}

/** One cluster of a fleet: its name, API server, and what differs from the shared config. */
export interface ClusterConfig extends StackConfig {
  /** Cluster name: its folder `dist/clusters/<name>/` and its Applications' prefix. */
  readonly name: DnsLabel;
  /** API server URL as registered in ArgoCD. @default 'https://kubernetes.default.svc' (ArgoCD's own cluster) */
  readonly server?: string;
  /**
   * Name of another cluster whose backups this one restores (disaster recovery): its default location
   * is added here as a `ReadOnly` location named after that cluster.
   * @default - none
   */
  readonly restoresFrom?: DnsLabel;
  /**
   * Secret key with credentials that can read the `restoresFrom` location (read-only keys are enough).
   * @default - this cluster's release credentials
   */
  readonly restoresFromCredential?: { readonly name: string; readonly key: string };
}

/**
 * The whole config. Without `clusters` it renders one cluster into dist/; with `clusters`, each
 * cluster renders into dist/clusters/<name>/ from the shared fields deep-merged with its own (objects
 * merge key by key; lists, e.g. `schedules`, are replaced as a whole), and one ApplicationSet in
 * dist/bootstrap/ syncs each to its cluster.
 */
export interface BackupStackConfig extends StackConfig {
  /** A fleet: one entry per cluster. @default - one cluster, rendered into dist/ */
  readonly clusters?: readonly ClusterConfig[];
}
