/**
 * `velero-cdk8s import helm-values values.yaml`: the values of the vmware-tanzu Velero chart (charts 5.x to
 * 12.x, read at velero-5.4.1 ... velero-12.1.0: values.yaml, templates/_helpers.tpl, schedule.yaml,
 * deployment.yaml) turned into a config, with a report of every key: mapped (to which field), not mapped
 * (and why), or empty; and what changes on the cluster when velero-cdk8s takes the release over (selector,
 * ServiceAccount, Secret, RBAC).
 */
import type { BackupStackConfig } from '../lib/config/types';
import { supportedLinesText, veleroLineOf } from '../lib/versions/velero-lines';

/** A parsed YAML value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface HelmImportOptions {
  /** The Helm release name (`helm list -n <namespace>`). @default 'velero' */
  readonly releaseName?: string;
  /** The release's namespace. @default 'velero' */
  readonly namespace?: string;
}

export interface HelmImportResult {
  readonly config: BackupStackConfig;
  /** Each leaf key of the values: its config field. */
  readonly mapped: readonly { readonly key: string; readonly to: string }[];
  /** Each leaf key with a value that has no place in the config, and why. */
  readonly notMapped: readonly { readonly key: string; readonly why: string }[];
  /** Leaf keys with an empty value (null, '', {}, []): nothing to map. */
  readonly empty: readonly string[];
  /** What changes on the cluster when the rendered stack replaces the chart's objects. */
  readonly clusterChanges: readonly string[];
}

/** Why a key has no place in the config, by key prefix (the longest prefix wins). */
const NOT_MAPPED: readonly [string, string][] = [
  ['image', 'velero-cdk8s pins the image from release.version (velero/velero:<version>); set release.version'],
  ['nameOverride', 'velero-cdk8s names its objects itself (the server is `velero`)'],
  ['fullnameOverride', 'velero-cdk8s names its objects itself (the server is `velero`)'],
  ['annotations', 'Deployment annotations are not a config field'],
  ['secretAnnotations', 'velero-cdk8s renders no credentials Secret (never credentials in dist/)'],
  ['labels', 'Deployment labels are not a config field (velero-cdk8s sets the recommended labels)'],
  ['podAnnotations', 'pod annotations are not a config field'],
  ['podLabels', 'pod labels are not a config field (the selector labels are kept: installedBy helm)'],
  ['resources', 'release.resources needs requests and limits, each with cpu and memory'],
  ['resizePolicy', 'not a config field'],
  ['hostAliases', 'not a config field'],
  ['upgradeJobResources', 'no CRD upgrade Job: the backup-crds Application syncs the CRDs'],
  ['upgradeCRDsJob', 'no CRD upgrade Job: the backup-crds Application syncs the CRDs'],
  ['upgradeCRDs', 'no CRD upgrade Job: the backup-crds Application syncs the CRDs'],
  ['cleanUpCRDs', 'the CRDs are never deleted by velero-cdk8s (the CRD Application does not prune)'],
  ['kubectl', 'no kubectl hook Job: the backup-crds Application syncs the CRDs'],
  ['dnsPolicy', 'not a config field'],
  ['dnsConfig', 'not a config field'],
  ['initContainers', 'only the velero-plugin-for-aws init container is read (its tag: release.awsPluginVersion)'],
  ['podSecurityContext', 'velero-cdk8s sets its own restricted security context'],
  ['containerSecurityContext', 'velero-cdk8s sets its own restricted security context'],
  ['lifecycle', 'not a config field'],
  ['priorityClassName', 'not a config field'],
  ['runtimeClassName', 'not a config field'],
  ['terminationGracePeriodSeconds', 'not a config field'],
  ['livenessProbe', 'velero-cdk8s renders its own probes'],
  ['readinessProbe', 'velero-cdk8s renders its own probes'],
  ['tolerations', 'server placement is not a config field (only release.nodeAgent.tolerations)'],
  ['affinity', 'server placement is not a config field'],
  ['nodeSelector', 'server placement is not a config field'],
  ['extraVolumes', 'not a config field'],
  ['extraVolumeMounts', 'not a config field'],
  ['extraObjects', 'not a config field: render your own objects in your own chart'],
  ['namespace', 'namespace labels are not a config field'],
  ['metrics.enabled', 'the metrics endpoint is always on: the alerts need it'],
  ['metrics.scrapeTimeout', 'not a config field'],
  ['metrics.service', 'velero-cdk8s renders its own metrics Service'],
  ['metrics.podAnnotations', 'scraping is by the ServiceMonitor, not annotations'],
  ['metrics.serviceMonitor.autodetect', 'release.metrics.serviceMonitor says whether it is rendered'],
  ['metrics.serviceMonitor.annotations', 'not a config field'],
  ['metrics.serviceMonitor', 'not a config field'],
  ['metrics.nodeAgentPodMonitor', 'not a config field: the alerts read the server metrics'],
  ['metrics.prometheusRule', "velero-cdk8s renders its own alert rules (alerts:); the chart's are replaced"],
  ['configuration.volumeSnapshotLocation', 'velero-cdk8s renders the VolumeSnapshotLocation of CSI snapshots itself'],
  ['configuration.backupStorageLocation', 'not a field of a storage location here'],
  ['configuration', 'a server flag velero-cdk8s does not set (Velero uses its default)'],
  ['rbac', 'velero-cdk8s renders least-privilege RBAC of its own, never cluster-admin'],
  ['serviceAccount', 'velero-cdk8s renders the ServiceAccount `velero`'],
  [
    'credentials.secretContents',
    'never credentials in dist/: keep the Secret the chart made, and name it in release.credentials',
  ],
  ['credentials.extraEnvVars', 'not a config field'],
  ['credentials.extraSecretRef', 'not a config field'],
  ['credentials', 'not a config field'],
  ['backupsEnabled', 'a stack always renders its storage locations'],
  ['snapshotsEnabled', "CSI snapshots are csi.enabled and each schedule's snapshotVolumes"],
  ['nodeAgent', 'not a config field of the node-agent (only enabled, tolerations, resources)'],
  ['schedules', 'not a field of a schedule here'],
  ['configMaps', 'not a config field (the node-agent and restore-helper ConfigMaps are not rendered)'],
  ['podDisruptionBudget', 'not a config field'],
];

/** The leaf keys of `values` with their values (`a.b[0].c`); an empty map or list is a leaf. */
function leaves(values: Json, prefix = ''): [string, Json][] {
  if (Array.isArray(values)) {
    if (!values.length) return [[prefix, values]];
    return values.flatMap((v, i) => leaves(v, `${prefix}[${i}]`));
  }
  if (values !== null && typeof values === 'object') {
    const entries = Object.entries(values);
    if (!entries.length) return [[prefix, values]];
    return entries.flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, values]];
}

const isEmpty = (v: Json) =>
  v === null || v === undefined || v === '' || (typeof v === 'object' && Object.keys(v).length === 0);

const resources = (r: Json) =>
  r?.requests?.cpu && r?.requests?.memory && r?.limits?.cpu && r?.limits?.memory
    ? {
        requests: { cpu: String(r.requests.cpu), memory: String(r.requests.memory) },
        limits: { cpu: String(r.limits.cpu), memory: String(r.limits.memory) },
      }
    : undefined;

const bool = (v: Json) => (typeof v === 'string' ? v === 'true' : Boolean(v));

/** The chart's `velero.fullname` (templates/_helpers.tpl). */
function fullname(values: Json, release: string): string {
  if (values.fullnameOverride) return String(values.fullnameOverride).slice(0, 63).replace(/-$/, '');
  const name = values.nameOverride || 'velero';
  return (release.includes(name) ? release : `${release}-${name}`).slice(0, 63).replace(/-$/, '');
}

/** The import in progress: each key's config field, the keys skipped and why, and what changes on the cluster. */
class ImportState {
  public readonly mapped = new Map<string, string>();
  public readonly skipped = new Map<string, string>();
  public readonly changes: string[] = [];

  constructor(public readonly values: Json) {}

  /** `key` of the values became config field `to`. */
  public map(key: string, to: string): void {
    const before = this.mapped.get(key);
    this.mapped.set(key, before && before !== to ? `${before}, ${to}` : to);
  }

  /** Every non-empty leaf under `prefix` became `to`. */
  public mapUnder(prefix: string, to: string): void {
    for (const [k, val] of leaves(this.values).filter(
      ([k]) => k === prefix || k.startsWith(`${prefix}.`) || k.startsWith(`${prefix}[`),
    ))
      if (!isEmpty(val)) this.map(k, to);
  }
}

/** The server: its version, the AWS plugin's tag, resources, log level and features. */
function importServer(s: ImportState, release: Record<string, Json>): void {
  const v = s.values;
  if (typeof v.image?.tag === 'string' && /^v\d+\.\d+\.\d+$/.test(v.image.tag)) {
    let supported = true;
    try {
      veleroLineOf(v.image.tag);
    } catch {
      supported = false;
    }
    if (supported) {
      release.version = v.image.tag;
      s.map('image.tag', 'release.version');
    } else {
      s.skipped.set(
        'image.tag',
        `Velero ${v.image.tag} is not of a line velero-cdk8s deploys (${supportedLinesText()}): the config takes the pinned release`,
      );
      s.changes.push(
        `server version: the chart runs Velero ${v.image.tag}; the stack deploys the pinned release of a supported line (${supportedLinesText()}): read the upgrade notes of every line in between before you sync`,
      );
    }
  }
  const initContainers: Json[] = Array.isArray(v.initContainers) ? v.initContainers : [];
  initContainers.forEach((c, i) => {
    const m = /velero-plugin-for-aws:(v\d+\.\d+\.\d+)$/.exec(String(c?.image ?? ''));
    if (m) {
      release.awsPluginVersion = m[1];
      s.map(`initContainers[${i}].image`, 'release.awsPluginVersion');
    }
  });
  const serverResources = resources(v.resources);
  if (serverResources) {
    release.resources = serverResources;
    s.mapUnder('resources', 'release.resources');
  }
  const c = v.configuration ?? {};
  if (typeof c.logLevel === 'string' && c.logLevel) {
    release.logLevel = c.logLevel;
    s.map('configuration.logLevel', 'release.logLevel');
  }
  if (typeof c.features === 'string' && c.features) {
    release.features = c.features
      .split(',')
      .map((f: string) => f.trim())
      .filter(Boolean);
    s.map('configuration.features', 'release.features');
  }
}

/** The node-agent (deployNodeAgent, its tolerations and resources) and the metrics (ServiceMonitor, interval). */
function importNodeAgentAndMetrics(s: ImportState, release: Record<string, Json>): void {
  const v = s.values;
  if (v.deployNodeAgent !== undefined) s.map('deployNodeAgent', 'release.nodeAgent.enabled');
  if (bool(v.deployNodeAgent)) {
    release.nodeAgent = { enabled: true };
    if (Array.isArray(v.nodeAgent?.tolerations) && v.nodeAgent.tolerations.length) {
      release.nodeAgent.tolerations = v.nodeAgent.tolerations;
      s.mapUnder('nodeAgent.tolerations', 'release.nodeAgent.tolerations');
    }
    const agentResources = resources(v.nodeAgent?.resources);
    if (agentResources) {
      release.nodeAgent.resources = agentResources;
      s.mapUnder('nodeAgent.resources', 'release.nodeAgent.resources');
    }
  }
  const sm = v.metrics?.serviceMonitor ?? {};
  if (sm.enabled !== undefined) {
    release.metrics = { serviceMonitor: bool(sm.enabled) };
    s.map('metrics.serviceMonitor.enabled', 'release.metrics.serviceMonitor');
    if (!bool(sm.enabled)) {
      s.changes.push(
        "metrics: the chart's ServiceMonitor is off, so release.metrics.serviceMonitor is false: the alerts need Velero's metrics scraped; set it true if your Prometheus Operator selects ServiceMonitors",
      );
    }
  }
  if (sm.additionalLabels && Object.keys(sm.additionalLabels).length) {
    release.metrics = { ...(release.metrics ?? {}), prometheusSelectorLabels: { ...sm.additionalLabels } };
    s.mapUnder('metrics.serviceMonitor.additionalLabels', 'release.metrics.prometheusSelectorLabels');
  }
  if (typeof v.metrics?.scrapeInterval === 'string' && v.metrics.scrapeInterval) {
    release.metrics = { ...(release.metrics ?? {}), interval: v.metrics.scrapeInterval };
    s.map('metrics.scrapeInterval', 'release.metrics.interval');
  }
}

/** Credentials (the chart's Secret is kept, velero-cdk8s only names it), then the selector, ServiceAccount and RBAC. */
function importIdentity(
  s: ImportState,
  release: Record<string, Json>,
  names: { readonly full: string; readonly releaseName: string; readonly namespace: string },
): void {
  const v = s.values;
  if (v.credentials?.useSecret !== false) {
    const secret = v.credentials?.existingSecret || v.credentials?.name || names.full;
    release.credentials = { name: String(secret), key: 'cloud' };
    if (v.credentials?.existingSecret) s.map('credentials.existingSecret', 'release.credentials.name');
    else if (v.credentials?.name) s.map('credentials.name', 'release.credentials.name');
    if (v.credentials?.useSecret !== undefined) s.map('credentials.useSecret', 'release.credentials');
    s.changes.push(
      `Secret: velero-cdk8s renders none; the server reads the existing Secret '${secret}' (key 'cloud')${
        v.credentials?.existingSecret
          ? ''
          : `, which the chart renders: before the chart is uninstalled, remove Helm's ownership of it (kubectl -n ${names.namespace} annotate secret ${secret} helm.sh/resource-policy=keep), or create it yourself`
      }`,
    );
  } else {
    s.changes.push(
      'Secret: the chart uses no Secret (credentials.useSecret: false, e.g. IRSA/workload identity); velero-cdk8s always mounts release.credentials: create that Secret, or keep the chart',
    );
  }
  s.changes.push(
    `selector: kept (app.kubernetes.io/name: velero, app.kubernetes.io/instance: ${names.releaseName}): release.installedBy { kind: helm, releaseName: ${names.releaseName} } adopts the chart's Deployment in place`,
  );
  const chartSa =
    v.serviceAccount?.server?.create === false
      ? String(v.serviceAccount?.server?.name || 'default')
      : String(v.serviceAccount?.server?.name || `${names.full}-server`);
  s.changes.push(
    chartSa === 'velero'
      ? "ServiceAccount: 'velero', as the chart's"
      : `ServiceAccount: the server runs as 'velero' instead of the chart's '${chartSa}' (a new ServiceAccount; update any IRSA/workload-identity annotation or RoleBinding that names '${chartSa}')`,
  );
  if (v.rbac?.clusterAdministrator !== false) {
    s.changes.push(
      `RBAC: the chart binds '${chartSa}' to ${v.rbac?.clusterAdministratorName || 'cluster-admin'}; velero-cdk8s binds 'velero' to a ClusterRole of its own (docs/permissions.md), and the chart's binding goes with the chart`,
    );
  }
}

/**
 * The store profile an endpoint is the signature of (lib/storage/storage-profile.ts: each derives its endpoint
 * from these fields), or undefined for any other S3 API: `https://<accountId>[.<jurisdiction>].r2.cloudflarestorage.com`
 * is Cloudflare R2, `https://s3[.<region>].wasabisys.com` Wasabi, `https://s3.<region>.backblazeb2.com` Backblaze B2.
 */
export function storeProfileOf(s3Url: string): Record<string, string> | undefined {
  let host: string;
  try {
    const url = new URL(s3Url);
    if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.port !== '') return undefined;
    host = url.hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const r2 = /^([0-9a-f]{32})(?:\.(eu|fedramp))?\.r2\.cloudflarestorage\.com$/.exec(host);
  if (r2) return { provider: 'cloudflare-r2', accountId: r2[1], ...(r2[2] ? { jurisdiction: r2[2] } : {}) };
  const wasabi = /^s3(?:\.([a-z]{2}(?:-[a-z]+)+-\d{1,2}))?\.wasabisys\.com$/.exec(host);
  if (wasabi) return { provider: 'wasabi', region: wasabi[1] ?? 'us-east-1' };
  const b2 = /^s3\.([a-z]{2}-[a-z]+-\d{3})\.backblazeb2\.com$/.exec(host);
  if (b2) return { provider: 'backblaze-b2', region: b2[1] };
  return undefined;
}

/** Fields of the chart's `config` the s3 provider takes; a store profile sets its own endpoint and addressing. */
const S3_CONFIG_FIELDS = ['region', 's3Url', 's3ForcePathStyle', 'checksumAlgorithm'];

/** One `configuration.backupStorageLocation[i]` as the location at `index`, or undefined (skipped, with why). */
function importLocation(s: ImportState, b: Json, at: string, index: number): Json | undefined {
  if (!b || (!b.provider && !b.bucket)) {
    s.skipped.set(at, "the chart's placeholder location (no provider, no bucket): nothing to map");
    return undefined;
  }
  if (!/^(velero\.io\/)?aws$/.test(String(b.provider))) {
    s.skipped.set(
      at,
      `provider '${b.provider}': velero-cdk8s renders S3-compatible locations (velero-plugin-for-aws) only`,
    );
    return undefined;
  }
  const cfg = b.config ?? {};
  const to = (f: string) => `storageLocations[${index}].${f}`;
  const profile = typeof cfg.s3Url === 'string' ? storeProfileOf(cfg.s3Url) : undefined;
  const loc: Record<string, Json> = profile
    ? { ...profile, bucket: b.bucket }
    : { provider: 's3', bucket: b.bucket, region: cfg.region ?? 'us-east-1' };
  s.map(`${at}.provider`, to('provider'));
  s.map(`${at}.bucket`, to('bucket'));
  if (!profile && cfg.region) s.map(`${at}.config.region`, to('region'));
  const set = (field: string, value: Json, key: string) => {
    loc[field] = value;
    s.map(key, to(field));
  };
  if (b.name) set('name', b.name, `${at}.name`);
  if (b.prefix) set('prefix', b.prefix, `${at}.prefix`);
  if (b.caCert && !profile) set('caCert', b.caCert, `${at}.caCert`);
  if (b.default !== undefined && b.default !== null) set('default', bool(b.default), `${at}.default`);
  if (b.accessMode) set('accessMode', b.accessMode, `${at}.accessMode`);
  if (b.credential?.name && b.credential?.key) {
    loc.credential = { name: b.credential.name, key: b.credential.key };
    s.map(`${at}.credential.name`, to('credential'));
    s.map(`${at}.credential.key`, to('credential'));
  }
  if (profile) importProfileConfig(s, b, at, index, profile);
  else importS3Config(s, b, at, loc, to);
  if (cfg.insecureSkipTLSVerify !== undefined) {
    s.skipped.set(
      `${at}.config.insecureSkipTLSVerify`,
      'velero-cdk8s verifies TLS outside the LocalStack test rig: give the CA as caCert (docs/pitfalls.md#insecure-tls)',
    );
  }
  return loc;
}

/** The endpoint of a store profile (R2, Wasabi, B2) gives its fields; the rest of its config the profile sets. */
function importProfileConfig(s: ImportState, b: Json, at: string, index: number, profile: Record<string, string>) {
  const cfg = b.config ?? {};
  const fields = Object.keys(profile).filter((k) => k !== 'provider');
  s.map(`${at}.config.s3Url`, fields.map((f) => `storageLocations[${index}].${f}`).join(', '));
  const sets = `the ${profile.provider} profile sets its own endpoint, region and addressing`;
  for (const k of Object.keys(cfg)) {
    if (k !== 's3Url' && k !== 'insecureSkipTLSVerify' && !isEmpty(cfg[k])) s.skipped.set(`${at}.config.${k}`, sets);
  }
  if (b.caCert) s.skipped.set(`${at}.caCert`, `${sets}: its certificate is public, no caCert`);
}

/** Any other S3 API: endpoint, addressing, checksum, and further plugin keys as extraConfig. */
function importS3Config(s: ImportState, b: Json, at: string, loc: Record<string, Json>, to: (f: string) => string) {
  const cfg = b.config ?? {};
  if (cfg.s3Url) {
    loc.s3Url = cfg.s3Url;
    s.map(`${at}.config.s3Url`, to('s3Url'));
  }
  if (cfg.s3ForcePathStyle !== undefined) {
    loc.s3ForcePathStyle = bool(cfg.s3ForcePathStyle);
    s.map(`${at}.config.s3ForcePathStyle`, to('s3ForcePathStyle'));
  }
  if (cfg.checksumAlgorithm !== undefined) {
    loc.checksumAlgorithm = String(cfg.checksumAlgorithm);
    s.map(`${at}.config.checksumAlgorithm`, to('checksumAlgorithm'));
  }
  const extra = Object.entries(cfg).filter(
    ([k, x]) => !S3_CONFIG_FIELDS.includes(k) && k !== 'insecureSkipTLSVerify' && !isEmpty(x),
  );
  if (extra.length) {
    loc.extraConfig = Object.fromEntries(extra.map(([k, x]) => [k, String(x)]));
    for (const [k] of extra) s.map(`${at}.config.${k}`, to(`extraConfig.${k}`));
  }
}

/** The storage locations of `configuration.backupStorageLocation`. */
function importLocations(s: ImportState): Json[] {
  const bsls: Json[] = Array.isArray(s.values.configuration?.backupStorageLocation)
    ? s.values.configuration.backupStorageLocation
    : [];
  const locations: Json[] = [];
  bsls.forEach((b, i) => {
    const loc = importLocation(s, b, `configuration.backupStorageLocation[${i}]`, locations.length);
    if (loc) locations.push(loc);
  });
  if (!locations.length)
    s.changes.push(
      'storage: the values name no AWS/S3 location; the config keeps the default (LocalStack, a test rig): add yours to storageLocations',
    );
  return locations;
}

/** The fields of a Schedule's template the config takes as they are. */
const SCHEDULE_TEMPLATE_FIELDS = [
  'includedNamespaces',
  'excludedNamespaces',
  'includedResources',
  'excludedResources',
  'includeClusterResources',
  'includedClusterScopedResources',
  'excludedClusterScopedResources',
  'includedNamespaceScopedResources',
  'excludedNamespaceScopedResources',
  'labelSelector',
  'snapshotVolumes',
  'storageLocation',
  'defaultVolumesToFsBackup',
  'snapshotMoveData',
  'csiSnapshotTimeout',
  'itemOperationTimeout',
];

/** `schedules.<name>` as the schedule at `index`: the chart names it `<fullname>-<key>`, namePrefix keeps it. */
function importSchedule(s: ImportState, name: string, sc: Json, index: number, full: string): Json {
  const at = `schedules.${name}`;
  const c = s.values.configuration ?? {};
  const t = sc.template ?? {};
  const out: Record<string, Json> = { name, namePrefix: `${full}-`, schedule: sc.schedule };
  const to = (f: string) => `schedules[${index}].${f}`;
  s.map(`${at}.schedule`, to('schedule'));
  for (const f of ['paused', 'useOwnerReferencesInBackup']) {
    if (sc[f] === undefined) continue;
    out[f] = bool(sc[f]);
    s.map(`${at}.${f}`, to(f));
  }
  const ttl = t.ttl ?? c.defaultBackupTTL;
  if (ttl) {
    out.ttl = String(ttl);
    s.map(t.ttl ? `${at}.template.ttl` : 'configuration.defaultBackupTTL', to('ttl'));
  }
  for (const f of SCHEDULE_TEMPLATE_FIELDS) {
    if (t[f] === undefined || t[f] === null) continue;
    out[f] = t[f];
    s.mapUnder(`${at}.template.${f}`, to(f));
  }
  const given = (x: Json) => x !== undefined && x !== null;
  if (t.defaultVolumesToFsBackup === undefined && given(c.defaultVolumesToFsBackup)) {
    out.defaultVolumesToFsBackup = bool(c.defaultVolumesToFsBackup);
    s.map('configuration.defaultVolumesToFsBackup', to('defaultVolumesToFsBackup'));
  }
  if (t.snapshotMoveData === undefined && t.snapshotVolumes !== false && given(c.defaultSnapshotMoveData)) {
    out.snapshotMoveData = bool(c.defaultSnapshotMoveData);
    s.map('configuration.defaultSnapshotMoveData', to('snapshotMoveData'));
  }
  s.map(at, to('name'));
  return out;
}

/** The enabled schedules with a cron expression; the others are reported skipped. */
function importSchedules(s: ImportState, full: string): Json[] {
  const schedules: Json[] = [];
  for (const [name, sc] of Object.entries((s.values.schedules ?? {}) as Record<string, Json>)) {
    if (!sc || bool(sc.disabled) || !sc.schedule) {
      s.skipped.set(
        `schedules.${name}`,
        sc && bool(sc.disabled)
          ? 'a disabled schedule: the chart renders no Schedule for it'
          : 'a schedule without a cron expression',
      );
      continue;
    }
    schedules.push(importSchedule(s, name, sc, schedules.length, full));
  }
  return schedules;
}

/** Every leaf key of the values not mapped: empty, or not mapped with its reason. */
function unmappedKeys(s: ImportState): Pick<HelmImportResult, 'notMapped' | 'empty'> {
  const notMapped: { key: string; why: string }[] = [];
  const empty: string[] = [];
  const under = (key: string, k: string) => key.startsWith(`${k}.`) || key.startsWith(`${k}[`);
  for (const [key, val] of leaves(s.values)) {
    if (!key) continue;
    if (s.mapped.has(key) || [...s.mapped.keys()].some((k) => under(key, k))) continue;
    if (isEmpty(val)) {
      empty.push(key);
      continue;
    }
    const skip = [...s.skipped].find(([k]) => under(key, k) || key === k);
    const why =
      skip?.[1] ??
      NOT_MAPPED.filter(([p]) => key === p || under(key, p)).sort((a, b) => b[0].length - a[0].length)[0]?.[1] ??
      'not a chart value velero-cdk8s knows';
    notMapped.push({ key, why });
  }
  return { notMapped, empty };
}

/** Turns chart values into a config and a report: the server, node-agent and metrics, identity, storage, schedules. */
export function importHelmValues(values: Json, options: HelmImportOptions = {}): HelmImportResult {
  const s = new ImportState(values ?? {});
  const releaseName = options.releaseName ?? 'velero';
  const namespace = options.namespace ?? 'velero';
  const full = fullname(s.values, releaseName);
  const release: Record<string, Json> = { installedBy: { kind: 'helm', releaseName }, namespace };
  importServer(s, release);
  importNodeAgentAndMetrics(s, release);
  importIdentity(s, release, { full, releaseName, namespace });
  const config: Record<string, Json> = { release };
  const locations = importLocations(s);
  if (locations.length) config.storageLocations = locations;
  const schedules = importSchedules(s, full);
  if (schedules.length) config.schedules = schedules;
  // CSI: which driver the cluster snapshots with is not in the chart's values
  config.csi = { enabled: false };
  s.changes.push(
    'CSI snapshots: the values do not say which CSI driver snapshots your volumes; csi.enabled is false: set csi.volumeSnapshotClass.driver (and csi.controller: existing if your cluster runs a snapshot-controller) to render the VolumeSnapshotClass and the snapshottability alert',
  );
  return {
    config: config as BackupStackConfig,
    mapped: [...s.mapped].map(([key, to]) => ({ key, to })),
    ...unmappedKeys(s),
    clusterChanges: s.changes,
  };
}

/** The report as text: mapped, not mapped (grouped by reason), empty, and the cluster changes. */
export function renderImportReport(result: HelmImportResult, source: string): string {
  const lines = [`# import helm-values ${source}`, '', `## mapped (${result.mapped.length})`];
  for (const m of result.mapped) lines.push(`- ${m.key} -> ${m.to}`);
  lines.push('', `## not mapped (${result.notMapped.length})`);
  const byWhy = new Map<string, string[]>();
  for (const n of result.notMapped) byWhy.set(n.why, [...(byWhy.get(n.why) ?? []), n.key]);
  for (const [why, keys] of byWhy) lines.push(`- ${keys.join(', ')}: ${why}`);
  lines.push('', `## empty in the values, nothing to map (${result.empty.length})`, result.empty.join(', ') || '-');
  lines.push('', '## what changes on the cluster', ...result.clusterChanges.map((c) => `- ${c}`), '');
  return lines.join('\n');
}
