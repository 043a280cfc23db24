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
import type { LabelSelector } from '../kube/label-selector';
import type { PodOptions, PodToleration } from '../kube/pod-options';
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

/**
 * One toleration of the release's pods (e.g. to run the node-agent on control-plane nodes too): documented once, in
 * lib/kube/pod-options.ts, which the VeleroRelease construct takes.
 */
export type TolerationConfig = PodToleration;

/**
 * Where and how a pod of the release runs, as the chart's values set it (README "Chart values"); checked by the
 * API server's rules. Documented once, in lib/kube/pod-options.ts (`PodOptions`), which VeleroRelease takes.
 */
export type PodOptionsConfig = PodOptions;

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
  /**
   * Velero release: any release of a supported line (1.15, 1.16, 1.17, 1.18; lib/versions/velero-lines.ts). The image,
   * the CRDs the CRD Application syncs, the plugin default, the server flags and the alerts follow it.
   * @default VELERO_VERSION (lib/versions/versions.ts)
   */
  readonly version?: string;
  /**
   * velero-plugin-for-aws image tag; must be the line built for the Velero line, or a known-good pairing.
   * @default - the line's plugin (lib/versions/compatibility.ts defaultAwsPluginFor); on Velero 1.18 with Backblaze B2
   * or Cloudflare R2 the known-good v1.13.2
   */
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
  /**
   * Server resources. The CPU limit is what a running backup may use: the server collects every item of every
   * included namespace through the API, runs the plugins' item actions and uploads the tarball, and a 200m limit
   * throttles that to a crawl; the throttled process then also answers its liveness probe late, and a restart
   * mid-backup marks the backup Failed. The limit is upstream `velero install`'s (1000m, pkg/install/resources.go
   * at v1.15.0 and v1.17.2); the request stays small for a homelab node (an idle server needs ~10m), since a
   * request reserves the CPU all day while a limit only caps the bursts.
   * @default requests 100m / 256Mi, limits 1000m / 512Mi
   */
  readonly resources?: ResourcesConfig;
  /** Server `--log-level`. @default 'info' */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'panic';
  /** Metrics Service and ServiceMonitor. @default {} (every field at its default) */
  readonly metrics?: {
    /** Render a ServiceMonitor. @default true */
    readonly serviceMonitor?: boolean;
    /**
     * Labels the Prometheus `serviceMonitorSelector` (and `ruleSelector`) look for. kube-prometheus-stack selects
     * `release: <its release name>` (docs/upstream-facts.md#prometheus-operator).
     * @default { release: 'kube-prometheus-stack' }
     */
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
  /**
   * Credentials of this location (Secret name and key), when not the release's mounted file; the server copies that
   * key into its credentials file store itself. @default - the release's credentials
   */
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
  /** B2 region, e.g. `us-west-004`; the S3 endpoint is derived from it. @default 'us-west-004' */
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
  /** Endpoint of an S3-compatible store, `https://`, or `http://` inside the cluster or on a private network. @default - AWS S3 */
  readonly s3Url?: string;
  /** Path-style addressing (MinIO needs it). @default false */
  readonly s3ForcePathStyle?: boolean;
  /** `''` for stores that reject the default CRC32 checksum. @default - the plugin's (CRC32) */
  readonly checksumAlgorithm?: string;
  /** PEM CA bundle for a private CA (instead of ever skipping TLS verification). @default - the system CAs */
  readonly caCert?: string;
  /** Further velero-plugin-for-aws config keys (e.g. serverSideEncryption, kmsKeyId); credentials are refused. @default {} */
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
  /** USD per TB-month. @default 15 (R2 Standard, $0.015 per GB-month) */
  readonly pricePerTbMonthUsd?: number;
}

/** Wasabi (endpoint from the region; every object billed for at least 90 days). */
export interface WasabiLocationConfig extends StorageLocationBase {
  readonly provider: 'wasabi';
  readonly bucket: string;
  /** Wasabi region, e.g. `us-east-1`, `eu-central-1`. @default 'us-east-1' */
  readonly region?: string;
  /** USD per TB-month. @default 6.99 (pay-as-you-go) */
  readonly pricePerTbMonthUsd?: number;
}

/** What a self-hosted store (MinIO, Ceph RGW, Garage, SeaweedFS) takes. */
export interface SelfHostedLocationFields extends StorageLocationBase, EndpointLocationFields {
  readonly bucket: string;
  /** The endpoint, e.g. `http://minio.minio.svc:9000`. */
  readonly s3Url: string;
  /** @default - the store's: minio 'minio', ceph-rgw 'default', garage 'garage', seaweedfs 'us-east-1' */
  readonly region?: string;
  /** Path-style addressing: none of these stores serves virtual-host buckets without extra DNS setup. @default true */
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

/** A Kubernetes label selector: the one type (lib/kube/label-selector.ts), documented there. `{}` selects everything. */
export type LabelSelectorConfig = LabelSelector;

/** One exec hook: a command run in a container of each selected pod. */
export interface HookExecConfig {
  /** Container to run in. @default - the pod's first container */
  readonly container?: string;
  /** The command and its arguments, e.g. `['/sbin/fsfreeze', '--freeze', '/data']`. */
  readonly command: readonly string[];
  /** `Fail` marks the backup PartiallyFailed when the hook fails; `Continue` ignores it. @default 'Fail' */
  readonly onError?: 'Continue' | 'Fail';
  /** How long to wait for the command. @default '30s' (Velero's) */
  readonly timeout?: DurationValue;
}

/** Backup hooks for a set of pods (Velero `spec.hooks.resources[]`). */
export interface HookConfig {
  /** Hook name, shown in logs. */
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
  /** Run before the pod's volumes are backed up (e.g. freeze a database). @default [] */
  readonly pre?: readonly HookExecConfig[];
  /** Run after (e.g. unfreeze). @default [] */
  readonly post?: readonly HookExecConfig[];
}

/** One declared check of a restored volume. */
export interface DrillVerifyConfig {
  /** Source namespace (as backed up), e.g. `pihole`; must be one the drill restores. */
  readonly namespace: string;
  /** Name of the PVC in the backup. */
  readonly pvc: string;
  /**
   * Path relative to the volume root that must be readable to its end (a directory: listable and not
   * empty), e.g. `test.txt` for the seed's PVC test file (mounted there at `/data/test.txt`).
   */
  readonly path: string;
  /**
   * UID and GID the verify pod reads as, for files only their owner may read; one pod reads all the checks of a PVC.
   * @default - the runAsUser another check of the same PVC names, else 65534 (nobody)
   */
  readonly runAsUser?: number;
}

/** A monthly (by default) restore drill of a schedule's newest backup into scratch namespaces. */
export interface DrillConfig {
  /**
   * Namespaces to restore, each included by the schedule. `*` is not allowed: a drill names what it restores.
   * @default - the schedule's includedNamespaces (an error when that is `*`)
   */
  readonly namespaces?: readonly string[];
  /** Scratch namespace per restored namespace. @default `drill-<namespace>` for each */
  readonly namespaceMapping?: Readonly<Record<string, string>>;
  /**
   * The Restore's `includedResources`. The default restores volume data only, so no workload of the drill
   * starts next to the real one: the PVCs plus what the schedule's data path needs (CSI: the VolumeSnapshots
   * and their contents; snapshot data movement: the DataUploads).
   * @default - derived from the schedule
   */
  readonly includedResources?: readonly string[];
  /** Paths to read from the restored volumes. Every restored PVC must bind and mount in any case. @default [] */
  readonly verify?: readonly DrillVerifyConfig[];
  /**
   * When the drill runs: 5 cron fields, in UTC (the CronJob's timeZone is `Etc/UTC`).
   * @default '0 5 1 * *' (05:00 UTC on the 1st of each month, after the seed's 02:00 daily backup)
   */
  readonly cron?: string;
  /** How long the restore may take. @default '1h' */
  readonly restoreTimeout?: DurationValue;
  /** How long the restored PVCs may take to bind. @default '10m' */
  readonly pvcBoundTimeout?: DurationValue;
  /** How long the verify pods may take. @default '10m' */
  readonly verifyTimeout?: DurationValue;
  /** Runner container resources. @default requests 20m / 64Mi, limits 200m / 128Mi */
  readonly resources?: ResourcesConfig;
  /** Name of the CronJob (and ServiceAccount, Role, ConfigMap prefix). @default `restore-drill-<schedule name>` */
  readonly name?: string;
  /** Suspend the CronJob (the stale alert then fires after a cadence). @default false */
  readonly suspend?: boolean;
}

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

/** One velero.io/v1 Schedule (constructs/backup-schedule.ts); an unset field is Velero's (or the construct's) default. */
export interface ScheduleConfig {
  /**
   * Schedule name, exactly as configured: backups are named `<name>-<YYYYMMDDhhmmss>`, labelled
   * `velero.io/schedule-name=<name>`, and Velero's metrics carry `schedule="<name>"`. Runbooks match on it.
   */
  readonly name: DnsLabel;
  /**
   * Prefix put before `name`. The Velero Helm chart names schedules `velero-<key>` (its `fullname`), so
   * `namePrefix: 'velero-'` keeps a migrated schedule's name, its backups' names and its metric label.
   * @default '' (no prefix)
   */
  readonly namePrefix?: string;
  /**
   * When backups run: 5-field cron (`0 2 * * *`, UTC), a descriptor (`@daily`), `@every <Go duration>`,
   * optionally prefixed `CRON_TZ=<zone> ` (lib/schedule/cron.ts; docs/upstream-facts.md#schedule).
   */
  readonly schedule: string;
  /**
   * How long each backup is kept (`720h`; Velero has no `d`). At least 1h, and not shorter than the schedule's
   * longest interval between runs. @default '720h' (30 days, Velero's own default)
   */
  readonly ttl?: DurationValue;
  /**
   * Accept a ttl shorter than the schedule's longest interval between runs, i.e. times with no restore
   * point at all. @default false
   */
  readonly allowTtlShorterThanCadence?: boolean;
  /**
   * Count-based retention instead of one ttl: `{ daily: 7, weekly: 4, monthly: 12 }` renders the Schedules
   * `<name>-daily`, `<name>-weekly`, `<name>-monthly` at the minute and hour of `schedule`, each with the ttl
   * that keeps that many backups (lib/schedule/retention.ts). Not with `ttl`. @default - one Schedule with `ttl`
   */
  readonly retention?: RetentionConfig;
  /**
   * Accept a ttl shorter than the staleness threshold plus a day (`minimumGuardedTtl`: daily 54h, weekly 9d):
   * the last restore point could expire less than a day after the first alert, so the schedule gets no
   * `VeleroLastRestorePointExpiring` (docs/pitfalls.md#last-restore-point). @default false
   */
  readonly allowTtlWithoutReactionTime?: boolean;
  /** Namespaces to back up; `['*']` is all. Velero reads an empty list as all, so `[]` is refused. @default ['*'] */
  readonly includedNamespaces?: readonly string[];
  /** Namespaces to leave out. @default [] */
  readonly excludedNamespaces?: readonly string[];
  /** Old-style resource filter: resources to back up (`'*'` = all). Not with the new-style filters. @default - all */
  readonly includedResources?: readonly string[];
  /** Old-style resource filter: resources to leave out. Not with the new-style filters. @default [] */
  readonly excludedResources?: readonly string[];
  /**
   * Old-style filter: back up cluster-scoped resources. Not with the new-style filters.
   * @default - Velero decides: all of them when every namespace is included, else those the included objects need
   */
  readonly includeClusterResources?: boolean;
  /** New-style filter: cluster-scoped resources to back up. Not with the old-style filters. @default - Velero decides */
  readonly includedClusterScopedResources?: readonly string[];
  /** New-style filter: cluster-scoped resources to leave out. @default [] */
  readonly excludedClusterScopedResources?: readonly string[];
  /** New-style filter: namespaced resources to back up. Not with the old-style filters. @default - all */
  readonly includedNamespaceScopedResources?: readonly string[];
  /** New-style filter: namespaced resources to leave out. @default [] */
  readonly excludedNamespaceScopedResources?: readonly string[];
  /**
   * Back up only objects with these labels. Volumes of PVCs outside the selector are not backed up, so a
   * schedule with a selector never counts as protecting a namespace's volumes (`protectsVolumesIn`).
   * @default - every object
   */
  readonly labelSelector?: LabelSelectorConfig;
  /**
   * Take CSI snapshots of the PVCs (needs the release's `csiSnapshots`). Always rendered explicitly,
   * because Velero reads an absent value as true. @default release.csiSnapshots
   */
  readonly snapshotVolumes?: boolean;
  /** Back up every pod volume with the node-agent's file-system backup (kopia). Needs the node-agent. @default false */
  readonly defaultVolumesToFsBackup?: boolean;
  /**
   * Upload the CSI snapshots' data to the backup storage location (the data mover), so the backup survives
   * the loss of the storage system. Needs `snapshotVolumes`, CSI and the node-agent. @default false
   */
  readonly snapshotMoveData?: boolean;
  /** Name of the storage location backups go to. @default - the default location */
  readonly storageLocation?: DnsLabel;
  /**
   * How long to wait for a CSI snapshot to become ready; slow storage needs more (docs/pitfalls.md#csi-snapshot-timeout,
   * velero#5413). @default - Velero's 10m (not rendered)
   */
  readonly csiSnapshotTimeout?: DurationValue;
  /** How long to wait for async item operations (data mover uploads). @default - Velero's 4h (not rendered) */
  readonly itemOperationTimeout?: DurationValue;
  /** Pre/post exec hooks. @default [] */
  readonly hooks?: readonly HookConfig[];
  /**
   * Name of a resource-policies ConfigMap in the release namespace (`velero backup create --resource-policies-configmap`):
   * `spec.template.resourcePolicy: { kind: configmap, name }`, e.g. to skip volumes by StorageClass or size. The
   * ConfigMap is yours (Velero refuses the backup when it is missing). @default - none
   */
  readonly resourcePolicy?: string;
  /** Render the Schedule paused (no backups run). @default false */
  readonly paused?: boolean;
  /**
   * Make each Backup a child of the Schedule (an ownerReference with controller: true).
   *
   * Leave it off. It keeps ArgoCD from counting Backups as extraneous, but then the Backups die with the
   * Schedule: renaming this schedule (`name` or `namePrefix`), or removing it from the config, makes ArgoCD
   * delete the old Schedule, and Kubernetes garbage collection deletes every Backup object it owns. The
   * data stays in the bucket, but Velero's backup sync re-creates the objects from it still pointing at the
   * deleted owner, so garbage collection deletes them again: the backups flicker in and out of
   * `velero backup get`, restores from them are unreliable, and their ttl expiry no longer reliably runs
   * (velero#4528, #4625; helm-charts#346 made false the chart default). Recovering needs the
   * ownerReferences removed by hand. The argocd-cm `resource.exclusions` (README) protect Backups without it.
   * @default false
   */
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

/**
 * The VolumeSnapshotClass Velero uses for the CSI driver's volumes: rendered here (labelled
 * `velero.io/csi-volumesnapshot-class`), or one the cluster already has (`existing`), which the stack's Schedules
 * name per driver instead (docs/pitfalls.md#existing-snapshot-class).
 */
export interface VolumeSnapshotClassConfig {
  /** The class the stack renders. @default 'velero-snapshot-class' */
  readonly name?: string;
  /**
   * CSI driver name; must equal the PVs' `spec.csi.driver` (their StorageClass's `provisioner`), e.g.
   * `driver.longhorn.io`. No driver is everyone's: left out, nothing driver-specific is rendered, PVCNotSnapshottable
   * fires for every PVC only CSI snapshots would protect, and the plan warns. Drivers with a profile
   * (lib/storage/csi-drivers.ts) get their parameters checked and the plan's words.
   * @default - none: no snapshots, and the plan says what to put
   */
  readonly driver?: string;
  /**
   * A VolumeSnapshotClass the cluster already has (e.g. Longhorn's `longhorn-snapshot-vsc`): nothing is rendered,
   * and every Schedule carries `velero.io/csi-volumesnapshot-class_<driver>: <existing>`, which Velero reads on the
   * Backup before any label (velero@v1.17.2 pkg/util/csi/volume_snapshot.go GetVolumeSnapshotClass). The class's
   * own fields are the cluster's: `name`, `deletionPolicy`, `isDefaultClass`, `description` and `isLocked` are
   * refused with it; `parameters` then describe it for the plan (never rendered).
   * @default - the stack renders its own class
   */
  readonly existing?: string;
  /**
   * The class's `parameters`, any string map the driver reads; checked against the driver's profile (required
   * keys, accepted values). @default the driver profile's (Longhorn: `type: snap`), else none
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * What happens to the storage snapshot when its VolumeSnapshotContent is released.
   *
   * `Retain` is what Velero's CSI documentation recommends: the snapshot on the storage system survives
   * the loss of the namespace (or cluster) that held the VolumeSnapshot, which is the disaster a backup
   * exists for. It does not leak snapshots: Velero patches the content to `Delete` before it deletes an
   * expired backup, so the snapshot lives exactly as long as the backup (docs/upstream-facts.md#velero-csi). Snapshots taken with
   * this class outside Velero are kept on the storage when their VolumeSnapshot is deleted.
   * @default 'Retain'
   */
  readonly deletionPolicy?: 'Retain' | 'Delete';
  /**
   * Annotate the class `snapshot.storage.kubernetes.io/is-default-class: "true"`, the default for
   * VolumeSnapshots that name no class. Velero picks the class by its label either way. When false the
   * annotation is left out entirely: Velero treats the key as set whatever its value (docs/upstream-facts.md#velero-csi).
   * Keep one default class per driver: without the validation webhook (removed in v8.2.0) two are not
   * refused at admission, but dynamic snapshotting then fails.
   * @default false
   */
  readonly isDefaultClass?: boolean;
  /** Synology `description` parameter: the DSM snapshot description (iSCSI only). @default - not set (empty) */
  readonly description?: string;
  /** Synology `is_locked` parameter: lock the snapshot on DSM. @default - not set (the driver's default, false) */
  readonly isLocked?: boolean;
}

/** The snapshot-controller and the VolumeSnapshotClass (dist/csi-snapshots/, constructs/csi-snapshot-stack.ts). */
export interface CsiConfig {
  /**
   * Who runs the snapshot-controller:
   * - `'managed'`: this stack renders it, with RBAC names of its own (`velero-cdk8s-snapshot-controller-*`), so it
   *   never rewrites the bindings of upstream's default install (`snapshot-controller-runner`,
   *   `snapshot-controller-role`, `snapshot-controller-leaderelection`).
   * - `'existing'`: the cluster already runs one (RKE2, k3s with the snapshot add-on, most managed clusters):
   *   only the VolumeSnapshotClass is rendered; two controllers would both act on every VolumeSnapshot. The
   *   `version`, `snapshotterSidecarVersion` and `preventVolumeModeConversion` then describe the running controller
   *   and CRDs and are still checked as a pair.
   * - `'replace-upstream'`: take over upstream's default install on purpose, under its own names (ClusterRole
   *   `snapshot-controller-runner`, ...) so ArgoCD adopts those objects instead of adding a second controller.
   * @default 'managed'
   */
  readonly controller?: 'managed' | 'existing' | 'replace-upstream';
  /**
   * Whether the CRD Application syncs the snapshot.storage.k8s.io CRDs (`crdSources`). `'existing'` when the
   * cluster (or its distribution) installs them: two sources for one CRD fight over it.
   * @default 'managed' with a managed or replacing controller, 'existing' with an existing one
   */
  readonly crds?: 'managed' | 'existing';
  /** Render dist/csi-snapshots/ and sync the snapshot CRDs. @default release.csiSnapshots (true) */
  readonly enabled?: boolean;
  /**
   * external-snapshotter release: the tag of the snapshot CRDs the CRD Application syncs (`crdSource`) AND of the
   * snapshot-controller image; one of v7.0.2, v8.0.2, v8.1.1, v8.2.1, v8.3.0, v8.4.0, v8.5.0, v8.6.0
   * (lib/versions/snapshotter-compat.ts).
   *
   * `'v7.0.2'` is the way out of the sidecar pair below that keeps the volume mode protection on: its CRDs
   * have no CEL rules. Caveat: its `client/config/crd/kustomization.yaml` lists only the three
   * snapshot.storage.k8s.io CRDs, so moving from v8.2.1 drops the groupsnapshot.storage.k8s.io CRDs from
   * the rendered set. The CRD Application never prunes, so they stay behind unmanaged; under an Application
   * that prunes they, and every VolumeGroupSnapshot, would be deleted (docs/upstream-facts.md#snapshot-controller).
   * @default 'v8.2.1'; 'v8.4.0' on Velero 1.18 (groupsnapshot v1beta2)
   */
  readonly version?: string;
  /**
   * Namespace of the controller, its ServiceAccount and its leader-election lease (and Role). Upstream uses
   * `kube-system`; a namespace of its own keeps it apart from upstream's install.
   * @default 'snapshot-controller' (rendered by the stack); 'kube-system' with controller 'existing'
   */
  readonly namespace?: DnsLabel;
  /**
   * Render the Namespace (Pod Security `restricted`, never pruned or deleted by ArgoCD). Only for a
   * namespace of the controller's own, e.g. `snapshot-controller`: a CSI driver's (e.g. `synology-csi`,
   * whose node plugin needs privileged pods) or the cluster's (`kube-system`) is refused.
   * @default true when the namespace is left at its default and the stack runs the controller, else false
   */
  readonly createNamespace?: boolean;
  /**
   * Image tag of the CSI driver's own `csi-snapshotter` sidecar (deployed with the driver, not here), `vX.Y.Z` or
   * a vendor's `vX.Y.Z-suffix` (compared by its core). Checked against `version`: a known-bad pair is refused at
   * synth (docs/pitfalls.md#source-volume-mode).
   * @default - the sidecar of the driver's only known release (Synology CSI v1.2.1: 'v4.2.1'); else not known, and the pair is not checked
   */
  readonly snapshotterSidecarVersion?: string;
  /**
   * The controller's `--prevent-volume-mode-conversion` (KEP-3141), always rendered explicitly.
   * `false` is the way out of the v8 CRDs + sidecar < v6 pair that keeps the old sidecar: the controller
   * then leaves `spec.sourceVolumeMode` unset, so the CRD rule that breaks the sidecar never applies, at
   * the cost of the protection against restoring a snapshot into a PVC of another volume mode.
   * @default - the release's default: true for v8.2.1 and v7.0.2
   */
  readonly preventVolumeModeConversion?: boolean;
  /** Controller resources. @default requests 10m / 32Mi, limits 50m / 64Mi */
  readonly resources?: ResourcesConfig;
  /**
   * The VolumeSnapshotClass Velero uses. Without a `driver`, CSI on renders no class and no controller, and the plan
   * warns that volume data is not backed up by snapshots (docs/pitfalls.md#csi-driver). @default - none
   */
  readonly volumeSnapshotClass?: VolumeSnapshotClassConfig;
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
  /** Labels the Prometheus `ruleSelector` looks for (docs/pitfalls.md#rule-selector). @default release.metrics.prometheusSelectorLabels */
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
  readonly prometheusRuleSelector?: PrometheusRuleSelectorConfig;
}

/**
 * How the Prometheus that should load the rules selects PrometheusRules (its `spec.ruleSelector` and
 * `spec.ruleNamespaceSelector`; docs/upstream-facts.md#prometheus-operator).
 */
export interface PrometheusRuleSelectorConfig {
  /**
   * The Prometheus' `spec.ruleSelector`. `{}` selects every PrometheusRule, `null` selects none (the
   * prometheus-operator meaning of an unset selector).
   */
  readonly ruleSelector: LabelSelectorConfig | null;
  /**
   * The Prometheus' `spec.ruleNamespaceSelector`. `{}` selects every namespace; `null` only the
   * Prometheus' own namespace.
   * @default {} (every namespace, as kube-prometheus-stack renders it)
   */
  readonly ruleNamespaceSelector?: LabelSelectorConfig | null;
  /** Namespace of the Prometheus object, for a `null` ruleNamespaceSelector. @default 'monitoring' */
  readonly prometheusNamespace?: string;
  /**
   * Labels of the namespace the rules go to, besides `kubernetes.io/metadata.name` (set by Kubernetes).
   * @default {}
   */
  readonly ruleNamespaceLabels?: Labels;
}

/** The heartbeat from outside (constructs/backup-heartbeat.ts): pings a URL while every schedule is fresh. */
export interface HeartbeatConfig {
  /** The Secret in Velero's namespace (created out of band, never rendered) holding the URL to request. */
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
  /**
   * Grafana folder: the value of the `folderAnnotation` annotation, which the Grafana chart's dashboard sidecar
   * reads when `sidecar.dashboards.folderAnnotation` is set to that key. @default - no annotation (Grafana's General folder)
   */
  readonly folder?: string;
  /** The annotation key of `folder` (the sidecar's `folderAnnotation`). @default 'grafana_folder' */
  readonly folderAnnotation?: string;
  /** Namespace of the ConfigMap; kube-prometheus-stack's sidecar searches every namespace. @default release.namespace ('velero') */
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
  /** Runbook heading in BACKUP-PLAN.md. @default - from the target, e.g. 'one PVC lost (default/prometheus-data)' */
  readonly title?: string;
  /** The schedule whose latest backup it restores. @default - the first schedule with a drill, else the first */
  readonly schedule?: DnsLabel;
  readonly target: RestoreTargetConfig;
  /** Namespaces a `cluster` target leaves out. @default [] */
  readonly excludedNamespaces?: readonly string[];
  /**
   * The kinds to restore. The kinds the schedule's volume data needs (CSI: the VolumeSnapshots and their contents;
   * data movement: the DataUploads) are added whenever PVCs are restored.
   * @default - a `pvc` target: `persistentvolumeclaims`; every other target: everything
   */
  readonly includedResources?: readonly string[];
  /** Kinds to leave out. @default [] */
  readonly excludedResources?: readonly string[];
  /**
   * What Velero does with objects that already exist: `none` leaves them (one warning each), `update` patches them to
   * the backed-up state. @default 'none'
   */
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
    /**
     * @default - none: the Applications point at a placeholder (`PLACEHOLDER_REPO_URL`, lib/argocd/argocd-settings.ts)
     * and the plan warns
     */
    readonly repoURL?: string;
    /** Branch, tag or commit ArgoCD follows. @default 'HEAD' */
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
