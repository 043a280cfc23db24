/**
 * The metrics an alert may use, per Velero version: Velero's own (server and node-agent), the
 * kube-state-metrics series the alerts read, and Prometheus' own series. lib/alerts/promql.ts checks every
 * rendered expression against `metricsFor(release.version)`, so an alert on a metric the running
 * version does not export fails the synth instead of never firing (gitops-pitfalls.md row 12).
 *
 * Source: velero-upstream-facts.md §1b (pkg/metrics/metrics.go @ v1.15.0; identical through v1.15.2) and
 * §3 G1. Later lines: only the additions that reference records (`velero_backup_location_status_gauge`,
 * commit a550910f3, first released in v1.17.0). Metrics whose first release is not verified
 * (`velero_schedule_expected_interval_seconds`, `velero_repo_maintenance_*`) are deliberately left out:
 * an expression using them fails as unknown until someone adds them here with their first version.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Who exports the series. */
export type MetricSource = 'velero-server' | 'node-agent' | 'kube-state-metrics' | 'prometheus';

export interface MetricDefinition {
  /** The family name; a histogram's series are `<name>_bucket`, `<name>_sum` and `<name>_count`. */
  readonly name: string;
  readonly type: MetricType;
  /** The metric's own labels (without target labels such as `job`, and without `le`). */
  readonly labels: readonly string[];
  /** True when any label may appear (e.g. `ALERTS` carries the alert's labels). */
  readonly anyLabels?: boolean;
  /** First Velero version that exports it (`v1.15.0` = the oldest catalogued line, possibly earlier). */
  readonly since: string;
  readonly source: MetricSource;
  readonly help: string;
  /** Set when alerting on the metric is wrong in every catalogued version; says why and what to use. */
  readonly doNotAlert?: string;
}

/**
 * Labels Prometheus attaches to every scraped series: target labels of a ServiceMonitor / PodMonitor
 * scrape (prometheus-operator) and the standard `job` / `instance`.
 */
export const TARGET_LABELS: readonly string[] = [
  'job',
  'instance',
  'namespace',
  'service',
  'pod',
  'container',
  'endpoint',
];

/** The oldest and the newest Velero minor line this catalog describes. */
export const CATALOG_OLDEST = 'v1.15.0';
export const CATALOG_NEWEST_LINE = '1.18';

const V115 = 'v1.15.0';
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;
export type HistogramSuffix = (typeof HISTOGRAM_SUFFIXES)[number];

function velero(name: string, type: MetricType, labels: string[], help: string, since = V115): MetricDefinition {
  return { name, type, labels, since, source: 'velero-server', help };
}
function nodeAgent(name: string, type: MetricType, labels: string[], help: string): MetricDefinition {
  return { name, type, labels, since: V115, source: 'node-agent', help };
}
function ksm(name: string, labels: string[], help: string): MetricDefinition {
  // kube-state-metrics exports these as gauges; the version gate is Velero's, so `since` is the oldest line
  return { name, type: 'gauge', labels, since: V115, source: 'kube-state-metrics', help };
}

const S = ['schedule'];
const CSI = ['schedule', 'backupName'];
const POD_VOLUME_OP = ['node', 'operation', 'backupName', 'pod_volume_backup'];

/** Every catalogued metric of every catalogued version; `metricsFor` filters by `since`. */
export const ALL_METRICS: readonly MetricDefinition[] = [
  // velero server, velero-upstream-facts.md §1b (28 families in v1.15)
  velero('velero_backup_tarball_size_bytes', 'gauge', S, 'size of a backup tarball'),
  velero('velero_backup_total', 'gauge', [], 'number of Backup CRs, recomputed every minute'),
  velero('velero_backup_attempt_total', 'counter', S, 'backups attempted'),
  velero('velero_backup_success_total', 'counter', S, 'backups Completed'),
  velero('velero_backup_partial_failure_total', 'counter', S, 'backups PartiallyFailed'),
  velero('velero_backup_failure_total', 'counter', S, 'backups Failed'),
  velero('velero_backup_validation_failure_total', 'counter', S, 'backups FailedValidation'),
  velero(
    'velero_backup_duration_seconds',
    'histogram',
    S,
    'backup duration; buckets 60,300,600,900,1800,3600,7200,10800,14400 s',
  ),
  velero('velero_backup_deletion_attempt_total', 'counter', S, 'backup deletions attempted'),
  velero('velero_backup_deletion_success_total', 'counter', S, 'backup deletions succeeded'),
  velero('velero_backup_deletion_failure_total', 'counter', S, 'backup deletions failed'),
  velero(
    'velero_backup_last_successful_timestamp',
    'gauge',
    S,
    'unix time of the newest Completed backup per schedule, rebuilt from the Backup CRs every minute',
  ),
  velero('velero_backup_items_total', 'gauge', S, 'items in the last backup'),
  velero('velero_backup_items_errors', 'gauge', S, 'item errors in the last backup'),
  velero('velero_backup_warning_total', 'counter', S, 'backups with warnings'),
  {
    ...velero('velero_backup_last_status', 'gauge', S, '1 = last backup succeeded, 0 = failed'),
    doNotAlert:
      'it is reset to 1 every minute by the schedule controller (velero-upstream-facts.md §1b, velero#9374); use velero_backup_last_successful_timestamp or increase(velero_backup_failure_total[...])',
  },
  velero('velero_restore_total', 'gauge', [], 'number of Restore CRs'),
  velero('velero_restore_attempt_total', 'counter', S, 'restores attempted'),
  velero('velero_restore_validation_failed_total', 'counter', S, 'restores FailedValidation'),
  velero('velero_restore_success_total', 'counter', S, 'restores Completed'),
  velero('velero_restore_partial_failure_total', 'counter', S, 'restores PartiallyFailed'),
  velero('velero_restore_failed_total', 'counter', S, 'restores Failed'),
  velero(
    'velero_volume_snapshot_attempt_total',
    'counter',
    S,
    'volume snapshots (VolumeSnapshotLocation plugins) attempted',
  ),
  velero('velero_volume_snapshot_success_total', 'counter', S, 'volume snapshots succeeded'),
  velero('velero_volume_snapshot_failure_total', 'counter', S, 'volume snapshots failed'),
  velero('velero_csi_snapshot_attempt_total', 'counter', CSI, 'CSI snapshots attempted; one series per backup'),
  velero('velero_csi_snapshot_success_total', 'counter', CSI, 'CSI snapshots succeeded; one series per backup'),
  velero('velero_csi_snapshot_failure_total', 'counter', CSI, 'CSI snapshots failed; one series per backup'),
  // later lines (velero-upstream-facts.md §1b "NO metric in 1.15")
  velero(
    'velero_backup_location_status_gauge',
    'gauge',
    ['backup_location_name'],
    'BackupStorageLocation availability: 1 = Available, 0 = Unavailable',
    'v1.17.0',
  ),

  // node-agent DaemonSet (prefix podVolume_, also port 8085)
  nodeAgent('podVolume_pod_volume_backup_enqueue_count', 'counter', ['node'], 'pod volume backups enqueued'),
  nodeAgent('podVolume_pod_volume_backup_dequeue_count', 'counter', ['node'], 'pod volume backups dequeued'),
  nodeAgent(
    'podVolume_pod_volume_operation_latency_seconds',
    'histogram',
    POD_VOLUME_OP,
    'pod volume operation latency',
  ),
  nodeAgent(
    'podVolume_pod_volume_operation_latency_seconds_gauge',
    'gauge',
    POD_VOLUME_OP,
    'last pod volume operation latency',
  ),
  nodeAgent('podVolume_data_upload_success_total', 'counter', ['node'], 'data uploads succeeded'),
  nodeAgent('podVolume_data_upload_failure_total', 'counter', ['node'], 'data uploads failed'),
  nodeAgent('podVolume_data_upload_cancel_total', 'counter', ['node'], 'data uploads cancelled'),
  nodeAgent('podVolume_data_download_success_total', 'counter', ['node'], 'data downloads succeeded'),
  nodeAgent('podVolume_data_download_failure_total', 'counter', ['node'], 'data downloads failed'),
  nodeAgent('podVolume_data_download_cancel_total', 'counter', ['node'], 'data downloads cancelled'),

  // kube-state-metrics: PVC coverage (issue 5) and the restore drill's Job / CronJob (issue 9)
  ksm(
    'kube_persistentvolumeclaim_info',
    ['namespace', 'persistentvolumeclaim', 'storageclass', 'volumename', 'volumemode'],
    'one series per PVC',
  ),
  // PVCNotSnapshottable (issue 18): the provisioner of each StorageClass
  ksm(
    'kube_storageclass_info',
    ['storageclass', 'provisioner', 'reclaim_policy', 'volume_binding_mode'],
    'one series per StorageClass',
  ),
  ksm('kube_job_status_failed', ['namespace', 'job_name', 'reason'], 'failed pods of a Job'),
  ksm('kube_job_status_succeeded', ['namespace', 'job_name'], 'succeeded pods of a Job'),
  ksm('kube_job_status_active', ['namespace', 'job_name'], 'active pods of a Job'),
  ksm('kube_job_status_start_time', ['namespace', 'job_name'], 'unix time a Job started'),
  ksm('kube_job_status_completion_time', ['namespace', 'job_name'], 'unix time a Job completed'),
  ksm('kube_job_complete', ['namespace', 'job_name', 'condition'], 'Job Complete condition'),
  ksm('kube_job_failed', ['namespace', 'job_name', 'condition'], 'Job Failed condition'),
  ksm(
    'kube_job_owner',
    ['namespace', 'job_name', 'owner_kind', 'owner_name', 'owner_is_controller'],
    'owner (e.g. the CronJob) of a Job',
  ),
  ksm('kube_cronjob_info', ['namespace', 'cronjob', 'schedule', 'concurrency_policy', 'timezone'], 'CronJob info'),
  ksm('kube_cronjob_spec_suspend', ['namespace', 'cronjob'], '1 when the CronJob is suspended'),
  ksm('kube_cronjob_status_last_schedule_time', ['namespace', 'cronjob'], 'unix time the CronJob last started a Job'),
  ksm(
    'kube_cronjob_status_last_successful_time',
    ['namespace', 'cronjob'],
    'unix time a Job of the CronJob last completed',
  ),
  ksm('kube_cronjob_next_schedule_time', ['namespace', 'cronjob'], 'unix time of the next scheduled run'),

  // Prometheus itself
  {
    name: 'up',
    type: 'gauge',
    labels: [],
    since: V115,
    source: 'prometheus',
    help: '1 when the last scrape of the target succeeded',
  },
  {
    name: 'ALERTS',
    type: 'gauge',
    labels: ['alertname', 'alertstate'],
    anyLabels: true,
    since: V115,
    source: 'prometheus',
    help: 'pending and firing alerts',
  },
];

/** Result of looking up a series name as written in PromQL. */
export type ResolvedSeries =
  | {
      readonly status: 'ok';
      readonly metric: MetricDefinition;
      /** Set for a histogram's `_bucket` / `_sum` / `_count` series. */
      readonly suffix?: HistogramSuffix;
      /** The series' own labels (a `_bucket` adds `le`). */
      readonly labels: readonly string[];
      /** The series' effective type: a histogram's `_bucket`, `_sum` and `_count` behave as counters. */
      readonly seriesType: 'counter' | 'gauge';
    }
  /** A histogram's family name, which has no series of its own. */
  | { readonly status: 'bare-histogram'; readonly metric: MetricDefinition }
  /** Exported only from a later version than the one configured. */
  | { readonly status: 'not-yet'; readonly metric: MetricDefinition }
  | { readonly status: 'unknown' };

export interface MetricCatalog {
  /** The Velero version the catalog was built for, e.g. `v1.15.0`. */
  readonly veleroVersion: string;
  /** Every metric available with that version. */
  readonly metrics: readonly MetricDefinition[];
  /** Looks up a series name as it appears in an expression. */
  resolve(seriesName: string): ResolvedSeries;
}

type Semver = [number, number, number];

function parseVersion(version: string): Semver {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`metrics catalog: version '${version}' is not a Velero release tag; use e.g. 'v1.15.0'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compare(a: Semver, b: Semver): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The metrics Velero `veleroVersion` exports, plus the kube-state-metrics and Prometheus series. */
export function metricsFor(veleroVersion: string): MetricCatalog {
  const v = parseVersion(veleroVersion);
  const [newestMajor, newestMinor] = CATALOG_NEWEST_LINE.split('.').map(Number);
  if (compare(v, parseVersion(CATALOG_OLDEST)) < 0) {
    throw new Error(
      `metrics catalog: Velero ${veleroVersion} is older than the catalog, which starts at ${CATALOG_OLDEST}`,
    );
  }
  if (v[0] > newestMajor || (v[0] === newestMajor && v[1] > newestMinor)) {
    throw new Error(
      `metrics catalog: Velero ${veleroVersion} is newer than the catalog (up to v${CATALOG_NEWEST_LINE}.x); add its metrics to lib/alerts/metrics-catalog.ts from pkg/metrics/metrics.go at that tag`,
    );
  }
  const available = ALL_METRICS.filter((m) => compare(parseVersion(m.since), v) <= 0);
  const byName = new Map(available.map((m) => [m.name, m]));
  const all = new Map(ALL_METRICS.map((m) => [m.name, m]));

  const resolve = (seriesName: string): ResolvedSeries => {
    const direct = byName.get(seriesName);
    if (direct) {
      if (direct.type === 'histogram') return { status: 'bare-histogram', metric: direct };
      return {
        status: 'ok',
        metric: direct,
        labels: direct.labels,
        seriesType: direct.type === 'counter' ? 'counter' : 'gauge',
      };
    }
    for (const suffix of HISTOGRAM_SUFFIXES) {
      if (!seriesName.endsWith(suffix)) continue;
      const family = byName.get(seriesName.slice(0, -suffix.length));
      if (family?.type === 'histogram') {
        const labels = suffix === '_bucket' ? [...family.labels, 'le'] : family.labels;
        return { status: 'ok', metric: family, suffix, labels, seriesType: 'counter' };
      }
    }
    // not exported by this version: is it a metric (or a histogram series) of a later one?
    const family = HISTOGRAM_SUFFIXES.filter((x) => seriesName.endsWith(x)).map((x) =>
      all.get(seriesName.slice(0, -x.length)),
    );
    const later = all.get(seriesName) ?? family.find((m) => m?.type === 'histogram');
    if (later) return { status: 'not-yet', metric: later };
    return { status: 'unknown' };
  };

  return { veleroVersion, metrics: available, resolve };
}
