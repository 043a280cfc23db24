/**
 * The metrics an alert may use, per Velero line: Velero's own (server and node-agent), the
 * kube-state-metrics series the alerts read, and Prometheus' own series. lib/alerts/promql.ts checks every
 * rendered expression against `metricsFor(release.version)`, so an alert on a metric the running
 * version does not export fails the synth instead of never firing (docs/pitfalls.md#missing-metrics).
 *
 * Velero's metrics are generated, one list per line, from that line's pkg/metrics/metrics.go
 * (lib/alerts/velero-metrics.generated.ts, written by scripts/metrics-catalog.mjs; test/versions/line-data.test.ts
 * regenerates and compares). `since` is the `.0` release of the first catalogued line that registers a
 * family. What alerting needs beyond metrics.go (behaviour read from the controllers) is the `doNotAlert` note.
 */
import { VELERO_METRICS_BY_LINE } from './velero-metrics.generated';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Who exports the series. */
export type MetricSource = 'velero-server' | 'node-agent' | 'kube-state-metrics' | 'prometheus';

/** Exporters the stack scrapes: the server's ServiceMonitor, kube-state-metrics, Prometheus. The node-agent has no scrape config. */
export const SCRAPED_SOURCES: readonly MetricSource[] = ['velero-server', 'kube-state-metrics', 'prometheus'];

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
export const CATALOG_OLDEST = `v${VELERO_METRICS_BY_LINE[0].line}.0`;
export const CATALOG_NEWEST_LINE = VELERO_METRICS_BY_LINE[VELERO_METRICS_BY_LINE.length - 1].line;

const V115 = 'v1.15.0';
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;
export type HistogramSuffix = (typeof HISTOGRAM_SUFFIXES)[number];

function ksm(name: string, labels: string[], help: string): MetricDefinition {
  // kube-state-metrics exports these as gauges; the version gate is Velero's, so `since` is the oldest line
  return { name, type: 'gauge', labels, since: V115, source: 'kube-state-metrics', help };
}

/** What the controllers' behaviour adds to a generated family (docs/upstream-facts.md#metrics). */
const DO_NOT_ALERT: Readonly<Record<string, string>> = {
  velero_backup_last_status:
    'it is reset to 1 every minute by the schedule controller (docs/upstream-facts.md#metrics, velero#9374); use velero_backup_last_successful_timestamp or increase(velero_backup_failure_total[...])',
};

/** Velero's families of every catalogued line, each once, `since` its first line. */
function veleroMetrics(): MetricDefinition[] {
  const seen = new Map<string, MetricDefinition>();
  for (const line of VELERO_METRICS_BY_LINE) {
    for (const m of line.metrics) {
      if (seen.has(m.name)) continue;
      seen.set(m.name, {
        name: m.name,
        type: m.type,
        labels: m.labels,
        since: `v${line.line}.0`,
        source: m.source,
        help: m.help,
        ...(DO_NOT_ALERT[m.name] ? { doNotAlert: DO_NOT_ALERT[m.name] } : {}),
      });
    }
  }
  return [...seen.values()];
}

/**
 * The kube-state-metrics custom-resource-state metric of a BackupStorageLocation's `.status.phase`
 * (lib/alerts/storage-location-status.ts renders the config): one series per location and phase, 1 for the
 * current phase.
 */
export const BSL_PHASE_METRIC = 'kube_customresource_velero_bsl_phase';

/** Every catalogued metric of every catalogued version; `metricsFor` filters by line. */
export const ALL_METRICS: readonly MetricDefinition[] = [
  ...veleroMetrics(),

  // kube-state-metrics: PVC coverage and the restore drill's Job / CronJob
  ksm(
    'kube_persistentvolumeclaim_info',
    ['namespace', 'persistentvolumeclaim', 'storageclass', 'volumename', 'volumemode'],
    'one series per PVC',
  ),
  // PVCNotSnapshottable: the provisioner of each StorageClass
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
  ksm(
    BSL_PHASE_METRIC,
    [
      'namespace',
      'backup_location_name',
      'phase',
      'customresource_group',
      'customresource_version',
      'customresource_kind',
    ],
    "BackupStorageLocation .status.phase (custom-resource-state StateSet): 1 for the location's current phase",
  ),

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
      `metrics catalog: Velero ${veleroVersion} is newer than the catalog (up to v${CATALOG_NEWEST_LINE}.x); add the line to scripts/metrics-catalog.mjs (its pkg/metrics/metrics.go) and regenerate`,
    );
  }
  const lineMetrics = new Set(
    VELERO_METRICS_BY_LINE.find((l) => l.line === `${v[0]}.${v[1]}`)?.metrics.map((m) => m.name) ?? [],
  );
  const available = ALL_METRICS.filter((m) =>
    m.source === 'velero-server' || m.source === 'node-agent'
      ? lineMetrics.has(m.name)
      : compare(parseVersion(m.since), v) <= 0,
  );
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
