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

/** Turns chart values into a config and a report. */
export function importHelmValues(values: Json, options: HelmImportOptions = {}): HelmImportResult {
  const v = values ?? {};
  const releaseName = options.releaseName ?? 'velero';
  const namespace = options.namespace ?? 'velero';
  const mapped = new Map<string, string>();
  const map = (key: string, to: string) => {
    const before = mapped.get(key);
    mapped.set(key, before && before !== to ? `${before}, ${to}` : to);
  };
  const mapUnder = (prefix: string, to: string) => {
    for (const [k, val] of leaves(v).filter(
      ([k]) => k === prefix || k.startsWith(`${prefix}.`) || k.startsWith(`${prefix}[`),
    ))
      if (!isEmpty(val)) map(k, to);
  };
  const config: Record<string, Json> = {};
  const release: Record<string, Json> = { installedBy: { kind: 'helm', releaseName }, namespace };
  const changes: string[] = [];
  const skipped = new Map<string, string>();
  const full = fullname(v, releaseName);

  // the server
  if (typeof v.image?.tag === 'string' && /^v\d+\.\d+\.\d+$/.test(v.image.tag)) {
    let supported = true;
    try {
      veleroLineOf(v.image.tag);
    } catch {
      supported = false;
    }
    if (supported) {
      release.version = v.image.tag;
      map('image.tag', 'release.version');
    } else {
      skipped.set(
        'image.tag',
        `Velero ${v.image.tag} is not of a line velero-cdk8s deploys (${supportedLinesText()}): the config takes the pinned release`,
      );
      changes.push(
        `server version: the chart runs Velero ${v.image.tag}; the stack deploys the pinned release of a supported line (${supportedLinesText()}): read the upgrade notes of every line in between before you sync`,
      );
    }
  }
  const initContainers: Json[] = Array.isArray(v.initContainers) ? v.initContainers : [];
  initContainers.forEach((c, i) => {
    const m = /velero-plugin-for-aws:(v\d+\.\d+\.\d+)$/.exec(String(c?.image ?? ''));
    if (m) {
      release.awsPluginVersion = m[1];
      map(`initContainers[${i}].image`, 'release.awsPluginVersion');
    }
  });
  const serverResources = resources(v.resources);
  if (serverResources) {
    release.resources = serverResources;
    mapUnder('resources', 'release.resources');
  }
  const c = v.configuration ?? {};
  if (typeof c.logLevel === 'string' && c.logLevel) {
    release.logLevel = c.logLevel;
    map('configuration.logLevel', 'release.logLevel');
  }
  if (typeof c.features === 'string' && c.features) {
    release.features = c.features
      .split(',')
      .map((f: string) => f.trim())
      .filter(Boolean);
    map('configuration.features', 'release.features');
  }
  if (v.deployNodeAgent !== undefined) map('deployNodeAgent', 'release.nodeAgent.enabled');
  if (bool(v.deployNodeAgent)) {
    release.nodeAgent = { enabled: true };
    if (Array.isArray(v.nodeAgent?.tolerations) && v.nodeAgent.tolerations.length) {
      release.nodeAgent.tolerations = v.nodeAgent.tolerations;
      mapUnder('nodeAgent.tolerations', 'release.nodeAgent.tolerations');
    }
    const agentResources = resources(v.nodeAgent?.resources);
    if (agentResources) {
      release.nodeAgent.resources = agentResources;
      mapUnder('nodeAgent.resources', 'release.nodeAgent.resources');
    }
  }
  const sm = v.metrics?.serviceMonitor ?? {};
  if (sm.enabled !== undefined) {
    release.metrics = { serviceMonitor: bool(sm.enabled) };
    map('metrics.serviceMonitor.enabled', 'release.metrics.serviceMonitor');
    if (!bool(sm.enabled)) {
      changes.push(
        "metrics: the chart's ServiceMonitor is off, so release.metrics.serviceMonitor is false: the alerts need Velero's metrics scraped; set it true if your Prometheus Operator selects ServiceMonitors",
      );
    }
  }
  if (sm.additionalLabels && Object.keys(sm.additionalLabels).length) {
    release.metrics = { ...(release.metrics ?? {}), prometheusSelectorLabels: { ...sm.additionalLabels } };
    mapUnder('metrics.serviceMonitor.additionalLabels', 'release.metrics.prometheusSelectorLabels');
  }
  if (typeof v.metrics?.scrapeInterval === 'string' && v.metrics.scrapeInterval) {
    release.metrics = { ...(release.metrics ?? {}), interval: v.metrics.scrapeInterval };
    map('metrics.scrapeInterval', 'release.metrics.interval');
  }

  // credentials: the chart's Secret is kept, velero-cdk8s only names it
  const useSecret = v.credentials?.useSecret !== false;
  if (useSecret) {
    const secret = v.credentials?.existingSecret || v.credentials?.name || full;
    release.credentials = { name: String(secret), key: 'cloud' };
    if (v.credentials?.existingSecret) map('credentials.existingSecret', 'release.credentials.name');
    else if (v.credentials?.name) map('credentials.name', 'release.credentials.name');
    if (v.credentials?.useSecret !== undefined) map('credentials.useSecret', 'release.credentials');
    changes.push(
      `Secret: velero-cdk8s renders none; the server reads the existing Secret '${secret}' (key 'cloud')${
        v.credentials?.existingSecret
          ? ''
          : `, which the chart renders: before the chart is uninstalled, remove Helm's ownership of it (kubectl -n ${namespace} annotate secret ${secret} helm.sh/resource-policy=keep), or create it yourself`
      }`,
    );
  } else {
    changes.push(
      'Secret: the chart uses no Secret (credentials.useSecret: false, e.g. IRSA/workload identity); velero-cdk8s always mounts release.credentials: create that Secret, or keep the chart',
    );
  }
  changes.push(
    `selector: kept (app.kubernetes.io/name: velero, app.kubernetes.io/instance: ${releaseName}): release.installedBy { kind: helm, releaseName: ${releaseName} } adopts the chart's Deployment in place`,
  );
  const chartSa =
    v.serviceAccount?.server?.create === false
      ? String(v.serviceAccount?.server?.name || 'default')
      : String(v.serviceAccount?.server?.name || `${full}-server`);
  changes.push(
    chartSa === 'velero'
      ? "ServiceAccount: 'velero', as the chart's"
      : `ServiceAccount: the server runs as 'velero' instead of the chart's '${chartSa}' (a new ServiceAccount; update any IRSA/workload-identity annotation or RoleBinding that names '${chartSa}')`,
  );
  if (v.rbac?.clusterAdministrator !== false) {
    changes.push(
      `RBAC: the chart binds '${chartSa}' to ${v.rbac?.clusterAdministratorName || 'cluster-admin'}; velero-cdk8s binds 'velero' to a ClusterRole of its own (docs/permissions.md), and the chart's binding goes with the chart`,
    );
  }
  config.release = release;

  // storage locations
  const locations: Json[] = [];
  const bsls: Json[] = Array.isArray(c.backupStorageLocation) ? c.backupStorageLocation : [];
  bsls.forEach((b, i) => {
    const at = `configuration.backupStorageLocation[${i}]`;
    if (!b || (!b.provider && !b.bucket)) {
      skipped.set(at, "the chart's placeholder location (no provider, no bucket): nothing to map");
      return;
    }
    if (!/^(velero\.io\/)?aws$/.test(String(b.provider))) {
      skipped.set(
        at,
        `provider '${b.provider}': velero-cdk8s renders S3-compatible locations (velero-plugin-for-aws) only`,
      );
      return;
    }
    const cfg = b.config ?? {};
    const loc: Record<string, Json> = { provider: 's3', bucket: b.bucket, region: cfg.region ?? 'us-east-1' };
    map(`${at}.provider`, `storageLocations[${locations.length}].provider`);
    map(`${at}.bucket`, `storageLocations[${locations.length}].bucket`);
    const to = (f: string) => `storageLocations[${locations.length}].${f}`;
    if (cfg.region) map(`${at}.config.region`, to('region'));
    const set = (field: string, value: Json, key: string) => {
      loc[field] = value;
      map(key, to(field));
    };
    if (b.name) set('name', b.name, `${at}.name`);
    if (b.prefix) set('prefix', b.prefix, `${at}.prefix`);
    if (b.caCert) set('caCert', b.caCert, `${at}.caCert`);
    if (b.default !== undefined && b.default !== null) set('default', bool(b.default), `${at}.default`);
    if (b.accessMode) set('accessMode', b.accessMode, `${at}.accessMode`);
    if (b.credential?.name && b.credential?.key) {
      loc.credential = { name: b.credential.name, key: b.credential.key };
      map(`${at}.credential.name`, to('credential'));
      map(`${at}.credential.key`, to('credential'));
    }
    if (cfg.s3Url) set('s3Url', cfg.s3Url, `${at}.config.s3Url`);
    if (cfg.s3ForcePathStyle !== undefined) {
      loc.s3ForcePathStyle = bool(cfg.s3ForcePathStyle);
      map(`${at}.config.s3ForcePathStyle`, to('s3ForcePathStyle'));
    }
    if (cfg.checksumAlgorithm !== undefined) {
      loc.checksumAlgorithm = String(cfg.checksumAlgorithm);
      map(`${at}.config.checksumAlgorithm`, to('checksumAlgorithm'));
    }
    const known = new Set(['region', 's3Url', 's3ForcePathStyle', 'checksumAlgorithm']);
    if (cfg.insecureSkipTLSVerify !== undefined) {
      skipped.set(
        `${at}.config.insecureSkipTLSVerify`,
        'velero-cdk8s verifies TLS outside the LocalStack test rig: give the CA as caCert (docs/pitfalls.md#insecure-tls)',
      );
      known.add('insecureSkipTLSVerify');
    }
    const extra = Object.entries(cfg).filter(([k, x]) => !known.has(k) && !isEmpty(x));
    if (extra.length) {
      loc.extraConfig = Object.fromEntries(extra.map(([k, x]) => [k, String(x)]));
      for (const [k] of extra) map(`${at}.config.${k}`, to(`extraConfig.${k}`));
    }
    locations.push(loc);
  });
  if (locations.length) config.storageLocations = locations;
  else
    changes.push(
      'storage: the values name no AWS/S3 location; the config keeps the default (LocalStack, a test rig): add yours to storageLocations',
    );

  // schedules: the chart names each Schedule `<fullname>-<key>`; namePrefix keeps those names
  const schedules: Json[] = [];
  for (const [name, s] of Object.entries((v.schedules ?? {}) as Record<string, Json>)) {
    const at = `schedules.${name}`;
    if (!s || bool(s.disabled) || !s.schedule) {
      skipped.set(
        at,
        s && bool(s.disabled)
          ? 'a disabled schedule: the chart renders no Schedule for it'
          : 'a schedule without a cron expression',
      );
      continue;
    }
    const t = s.template ?? {};
    const out: Record<string, Json> = { name, namePrefix: `${full}-`, schedule: s.schedule };
    const to = (f: string) => `schedules[${schedules.length}].${f}`;
    map(`${at}.schedule`, to('schedule'));
    if (s.paused !== undefined) {
      out.paused = bool(s.paused);
      map(`${at}.paused`, to('paused'));
    }
    if (s.useOwnerReferencesInBackup !== undefined) {
      out.useOwnerReferencesInBackup = bool(s.useOwnerReferencesInBackup);
      map(`${at}.useOwnerReferencesInBackup`, to('useOwnerReferencesInBackup'));
    }
    const ttl = t.ttl ?? c.defaultBackupTTL;
    if (ttl) {
      out.ttl = String(ttl);
      map(t.ttl ? `${at}.template.ttl` : 'configuration.defaultBackupTTL', to('ttl'));
    }
    const direct = [
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
    for (const f of direct) {
      if (t[f] === undefined || t[f] === null) continue;
      out[f] = t[f];
      mapUnder(`${at}.template.${f}`, to(f));
    }
    if (
      t.defaultVolumesToFsBackup === undefined &&
      c.defaultVolumesToFsBackup !== undefined &&
      c.defaultVolumesToFsBackup !== null
    ) {
      out.defaultVolumesToFsBackup = bool(c.defaultVolumesToFsBackup);
      map('configuration.defaultVolumesToFsBackup', to('defaultVolumesToFsBackup'));
    }
    if (
      t.snapshotMoveData === undefined &&
      t.snapshotVolumes !== false &&
      c.defaultSnapshotMoveData !== undefined &&
      c.defaultSnapshotMoveData !== null
    ) {
      out.snapshotMoveData = bool(c.defaultSnapshotMoveData);
      map('configuration.defaultSnapshotMoveData', to('snapshotMoveData'));
    }
    map(at, to('name'));
    schedules.push(out);
  }
  if (schedules.length) config.schedules = schedules;

  // CSI: which driver the cluster snapshots with is not in the chart's values
  config.csi = { enabled: false };
  changes.push(
    'CSI snapshots: the values do not say which CSI driver snapshots your volumes; csi.enabled is false: set csi.volumeSnapshotClass.driver (and csi.controller: existing if your cluster runs a snapshot-controller) to render the VolumeSnapshotClass and the snapshottability alert',
  );

  // the report: every leaf key of the values
  const notMapped: { key: string; why: string }[] = [];
  const empty: string[] = [];
  for (const [key, val] of leaves(v)) {
    if (!key) continue;
    const to = mapped.get(key) ?? [...mapped].find(([k]) => key.startsWith(`${k}.`) || key.startsWith(`${k}[`))?.[1];
    if (to) continue;
    if (isEmpty(val)) {
      empty.push(key);
      continue;
    }
    const skip = [...skipped].find(([k]) => key.startsWith(`${k}.`) || key.startsWith(`${k}[`) || key === k);
    const why =
      skip?.[1] ??
      NOT_MAPPED.filter(([p]) => key === p || key.startsWith(`${p}.`) || key.startsWith(`${p}[`)).sort(
        (a, b) => b[0].length - a[0].length,
      )[0]?.[1] ??
      'not a chart value velero-cdk8s knows';
    notMapped.push({ key, why });
  }
  return {
    config: config as BackupStackConfig,
    mapped: [...mapped].map(([key, to]) => ({ key, to })),
    notMapped,
    empty,
    clusterChanges: changes,
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
