/**
 * Bad input, round three (issue 26): config fields checked against the consumer that reads them, on the
 * validated config data, before any construct is built, so each message names the field's own path and the
 * item's name (`schedules[1] 'weekly'.hooks[0] 'freeze'.pre[0].container: ...`). Every rule cites its consumer
 * in docs/pitfalls.md (the anchor at the end of each message).
 */
import { tolerationProblem } from '../kube/pod-options';
import { isDnsLabel, isDnsSubdomain } from '../kube/names';
import { foreignNamespaceOwner } from '../kube/protected-namespaces';
import { Quantity } from '../units/quantity';
import { parseGoDuration, durationNanos } from '../units/duration';
import { checkVeleroPlugin, VELERO_AWS_PLUGIN_MATRIX } from '../versions/compatibility';
import { VELERO_RELEASE_TAGS, veleroLineOf } from '../versions/velero-lines';
import { looksLikeGlob, namespaceEntryProblem, namespacePatternMatches, veleroMinor } from '../schedule/namespace-glob';
import { VELERO_VERSION } from '../versions/versions';
import { ConfigError, configPath, itemPath } from './validate';
import type { HookConfig, ScheduleConfig, StackConfig, TolerationConfig } from './types';
import { CSI_NAMESPACE_DEFAULT, INCLUDED_NAMESPACES_DEFAULT, RELEASE_DEFAULTS } from './defaults';

const anchor = (a: string) => `(docs/pitfalls.md#${a})`;
const fail = (path: string, problem: string, a: string): never => {
  throw new ConfigError(path, `${problem} ${anchor(a)}`);
};

/**
 * Namespaces of other tenants a homelab commonly runs: the stack renders no Namespace object for them (restricted
 * Pod Security would stop their privileged pods being admitted, e.g. node-exporter in `monitoring`) unless the
 * config says it owns them (`ownedNamespaces`). The cluster's own are refused outright (lib/kube/protected-namespaces.ts).
 */
export const TENANT_NAMESPACES: Readonly<Record<string, string>> = {
  monitoring: 'kube-prometheus-stack (node-exporter needs privileged pods)',
  prometheus: 'Prometheus',
  'cert-manager': 'cert-manager',
  'ingress-nginx': 'ingress-nginx',
  traefik: 'Traefik',
  'longhorn-system': 'Longhorn (its managers need privileged pods)',
  'metallb-system': 'MetalLB (its speakers need host networking)',
  'flux-system': 'Flux',
  'kube-flannel': 'flannel',
  'calico-system': 'Calico',
  'tigera-operator': 'the Tigera operator',
  'cattle-system': 'Rancher',
  'rook-ceph': 'Rook',
  openebs: 'OpenEBS',
  'democratic-csi': 'democratic-csi',
  'local-path-storage': 'local-path-provisioner',
};

/** Why `ref` is not a git ref name (`git check-ref-format` rules), or undefined. */
export function refNameProblem(ref: string): string | undefined {
  if (ref === '') return 'is empty';
  // eslint-disable-next-line no-control-regex -- git refuses control characters (check-ref-format rule 4)
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return 'holds a space, a control character or one of ~ ^ : ? * [ \\';
  if (ref.includes('..')) return "holds '..'";
  if (ref.includes('@{')) return "holds '@{'";
  if (ref === '@') return "is '@'";
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) return "has an empty '/' component";
  if (ref.endsWith('.')) return "ends with '.'";
  const bad = ref.split('/').find((c) => c.startsWith('.') || c.endsWith('.lock'));
  if (bad !== undefined) return `has a component '${bad}' that starts with '.' or ends with '.lock'`;
  return undefined;
}

/** The userinfo (`user:token@`) of a URL that would carry a secret, or undefined. */
export function urlSecret(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#@]*)@/i.exec(url.trim());
  if (!m) return undefined;
  const [, scheme, userinfo] = m;
  // `ssh://git@host/...` names the SSH user only (the key is in ArgoCD's repository Secret); a password is a secret
  if (scheme.toLowerCase() === 'ssh' && !userinfo.includes(':')) return undefined;
  return userinfo;
}

/**
 * Every string of the config that holds a URL with userinfo: refused, naming the field (the stack renders URLs
 * into Applications and alert annotations, i.e. into Git and every notification).
 */
export function checkUrlSecrets(value: unknown, path = ''): void {
  if (typeof value === 'string') {
    if (urlSecret(value) !== undefined) {
      fail(
        path,
        `holds credentials in its URL ('<user>:<token>@'); the stack renders it into dist/ (Git) and alert links: give the URL without them and the credentials to ArgoCD's repository Secret (or the location's credential)`,
        'url-credentials',
      );
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => checkUrlSecrets(v, itemPath(path, i, v)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkUrlSecrets(v, configPath(path, k));
  }
}

/** The server's and the node-agent's tolerations, by the one rule (lib/kube/pod-options.ts tolerationProblem). */
function checkTolerations(config: StackConfig, p: (...parts: (string | number)[]) => string): void {
  const lists: [string, readonly TolerationConfig[] | undefined][] = [
    [p('release', 'tolerations'), config.release?.tolerations],
    [p('release', 'nodeAgent', 'tolerations'), config.release?.nodeAgent?.tolerations],
  ];
  for (const [list, tolerations] of lists) {
    (tolerations ?? []).forEach((t, i) => {
      const wrong = tolerationProblem(t);
      if (wrong) fail(configPath(list, i, wrong.field), wrong.problem, 'tolerations');
    });
  }
}

/** Fields of the release: features, tags, scrape interval. */
function checkRelease(config: StackConfig, p: (...parts: (string | number)[]) => string): void {
  const r = config.release ?? {};
  (r.features ?? []).forEach((f, i) => {
    if (f === '' || /[\s,]/.test(f)) {
      fail(
        configPath(p('release', 'features'), i),
        `'${f}' is not one feature flag: Velero splits --features on ',' without trimming, so a space or comma makes a flag nobody knows; give one name per entry, e.g. 'EnableCSI'`,
        'features',
      );
    }
  });
  // the release's own checks, named by the config's path (not `release: velero release: Velero version ...`)
  try {
    if (r.version !== undefined) veleroLineOf(r.version);
  } catch (e) {
    fail(
      p('release', 'version'),
      (e as Error).message.replace(/^Velero version (must )?/, (_, must: string | undefined) => must ?? ''),
      'release-tags',
    );
  }
  try {
    if (r.awsPluginVersion !== undefined) checkVeleroPlugin(r.version ?? VELERO_VERSION, r.awsPluginVersion);
  } catch (e) {
    fail(p('release', 'awsPluginVersion'), (e as Error).message, 'release-tags');
  }
  if (r.version !== undefined && /^v\d+\.\d+\.\d+$/.test(r.version) && !VELERO_RELEASE_TAGS.includes(r.version)) {
    const line = r.version.split('.').slice(0, 2).join('.');
    const known = VELERO_RELEASE_TAGS.filter((t) => t.startsWith(`${line}.`));
    if (known.length) {
      fail(
        p('release', 'version'),
        `'${r.version}' is not a Velero release (velero/velero:${r.version} does not exist); the ${line} line has ${known.join(', ')}`,
        'release-tags',
      );
    }
  }
  if (r.awsPluginVersion !== undefined) {
    const line = r.awsPluginVersion.split('.').slice(0, 2).join('.');
    const row = VELERO_AWS_PLUGIN_MATRIX.find((x) => `v${x.pluginLine}` === line);
    if (row && row.knownPluginTags.length && !row.knownPluginTags.includes(r.awsPluginVersion)) {
      fail(
        p('release', 'awsPluginVersion'),
        `'${r.awsPluginVersion}' is not a velero-plugin-for-aws release; the ${line} line has ${row.knownPluginTags.join(', ')}`,
        'release-tags',
      );
    }
  }
  const interval = r.metrics?.interval;
  if (interval !== undefined) {
    let seconds: number | undefined;
    try {
      seconds = Number(durationNanos(parseGoDuration(interval))) / 1e9;
    } catch {
      seconds = undefined; // the schema's own message
    }
    if (seconds !== undefined && seconds > 150) {
      fail(
        p('release', 'metrics', 'interval'),
        `'${interval}' is over half of Prometheus' 5m lookback: one missed scrape makes every Velero series stale and the alerts cannot fire; scrape at most every '150s' (e.g. '30s')`,
        'scrape-lookback',
      );
    }
  }
  checkTolerations(config, p);
}

/** Storage locations: what velero-plugin-for-aws and B2 refuse. */
function checkLocations(config: StackConfig, p: (...parts: (string | number)[]) => string): void {
  (config.storageLocations ?? []).forEach((l, i) => {
    const path = itemPath(p('storageLocations'), i, l);
    if (l.provider === 's3') {
      if (l.s3Url !== undefined && l.s3Url !== l.s3Url.trim()) {
        fail(
          configPath(path, 's3Url'),
          `${JSON.stringify(l.s3Url)} has leading or trailing whitespace, which the AWS SDK takes as part of the endpoint; write '${l.s3Url.trim()}'`,
          's3-url',
        );
      }
      const alg = l.checksumAlgorithm;
      if (alg !== undefined && !['', 'CRC32', 'CRC32C', 'SHA1', 'SHA256'].includes(alg)) {
        const upper = alg.toUpperCase();
        const fix = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'].includes(upper)
          ? `write '${upper}'`
          : "use '' (none), 'CRC32', 'CRC32C', 'SHA1' or 'SHA256'";
        fail(
          configPath(path, 'checksumAlgorithm'),
          `'${alg}' is refused by velero-plugin-for-aws ("invalid checksum algorithm", case-sensitive): ${fix}`,
          'checksum-algorithm',
        );
      }
      if (l.caCert !== undefined) checkCaCert(l.caCert, configPath(path, 'caCert'));
    }
    if (l.provider === 'backblaze-b2') {
      const b = l.bucket;
      const why = b.startsWith('b2-')
        ? "starts with 'b2-', which B2 reserves"
        : b.length < 6
          ? 'is shorter than 6 characters'
          : /[^a-z0-9-]/.test(b)
            ? 'holds a character other than lowercase letters, digits and -'
            : undefined;
      if (why) {
        fail(
          configPath(path, 'bucket'),
          `'${b}' is not a B2 bucket name: it ${why}; B2 names are 6-63 letters, digits and -`,
          'b2-bucket',
        );
      }
    }
    if ((l as { pricePerTbMonthUsd?: number }).pricePerTbMonthUsd !== undefined) {
      const price = (l as { pricePerTbMonthUsd: number }).pricePerTbMonthUsd;
      if (price < 0) fail(configPath(path, 'pricePerTbMonthUsd'), `must be 0 or more, got ${price}`, 'plan-inputs');
    }
  });
}

/** A caCert as the BSL takes it: PEM text (the stack base64-encodes it once). */
function checkCaCert(caCert: string, path: string): void {
  if (caCert.includes('-----BEGIN CERTIFICATE-----')) return;
  const decoded = /^[A-Za-z0-9+/=\s]+$/.test(caCert) ? Buffer.from(caCert, 'base64').toString('latin1') : '';
  fail(
    path,
    decoded.includes('-----BEGIN CERTIFICATE-----')
      ? 'is base64 already; the stack encodes it into the BSL, so Velero would read base64 twice: give the PEM text (-----BEGIN CERTIFICATE-----...)'
      : 'is not a PEM certificate (-----BEGIN CERTIFICATE-----...); give the CA bundle as PEM text',
    'ca-cert',
  );
}

/** Does the schedule back up namespace pattern `ns` at all? */
function scheduleCovers(s: ScheduleConfig, ns: string): boolean {
  const inc = s.includedNamespaces ?? INCLUDED_NAMESPACES_DEFAULT;
  const exc = s.excludedNamespaces ?? [];
  if (exc.some((e) => namespacePatternMatches(e, ns))) return false;
  return inc.some((i) => i === ns || namespacePatternMatches(i, ns));
}

/** What a schedule's data paths need of the release, with the fix in the config's own terms. */
function checkScheduleNeeds(config: StackConfig, s: ScheduleConfig, path: string): void {
  const nodeAgent = config.release?.nodeAgent?.enabled ?? false;
  const csi = config.release?.csiSnapshots ?? RELEASE_DEFAULTS.csiSnapshots;
  for (const field of ['snapshotMoveData', 'defaultVolumesToFsBackup'] as const) {
    if (s[field] && !nodeAgent) {
      fail(
        configPath(path, field),
        'true needs the node-agent, which uploads the data; set release.nodeAgent.enabled: true, or drop it',
        'fs-backup',
      );
    }
  }
  if ((s.snapshotVolumes || s.snapshotMoveData) && !csi) {
    fail(
      configPath(path, s.snapshotVolumes ? 'snapshotVolumes' : 'snapshotMoveData'),
      'true needs CSI snapshots (the EnableCSI feature), which release.csiSnapshots: false turns off; set it true, or drop this',
      'fs-backup',
    );
  }
}

/** Hooks: the container a hook runs in, its command, and namespaces the backup includes. */
function checkHooks(s: ScheduleConfig, path: string, minor: number): void {
  (s.hooks ?? []).forEach((h: HookConfig, j) => {
    const hookPath = itemPath(configPath(path, 'hooks'), j, h);
    for (const field of ['includedNamespaces', 'excludedNamespaces'] as const) {
      (h[field] ?? []).forEach((ns) => {
        const problem = ns === '*' || !looksLikeGlob(ns) ? undefined : namespaceEntryProblem(ns, minor);
        if (problem) fail(configPath(hookPath, field), `entry '${ns}' ${problem}`, 'namespace-globs');
      });
    }
    for (const ns of h.includedNamespaces ?? []) {
      if (ns.includes('*') || ns.includes('?') || ns.includes('[')) continue;
      if (!scheduleCovers(s, ns)) {
        fail(
          configPath(hookPath, 'includedNamespaces'),
          `'${ns}' is not a namespace this schedule backs up, so the hook never runs; add it to the schedule's includedNamespaces or drop it here`,
          'hooks',
        );
      }
    }
    for (const phase of ['pre', 'post'] as const) {
      (h[phase] ?? []).forEach((e, k) => {
        const execPath = configPath(hookPath, phase, k);
        if (e.container !== undefined && !isDnsLabel(e.container)) {
          fail(
            configPath(execPath, 'container'),
            `'${e.container}' is not a container name (a DNS-1123 label), so no container matches and the hook fails; use the pod's container name`,
            'hooks',
          );
        }
        if (e.command.length === 0) {
          fail(
            configPath(execPath, 'command'),
            "is empty, so Velero has nothing to run; give the command and its arguments, e.g. ['/bin/sh', '-c', 'sync']",
            'hooks',
          );
        }
        if (e.command[0].trim() === '') {
          fail(
            configPath(execPath, 'command'),
            `starts with a blank entry, which the container runtime cannot execute; give the executable first, e.g. ['/bin/sh', '-c', 'sync']`,
            'hooks',
          );
        }
      });
    }
  });
}

/** The namespaces the stack renders a Namespace object for: none of another tenant's, unless owned. */
function checkOwnedNamespaces(config: StackConfig, p: (...parts: (string | number)[]) => string): void {
  const owned = new Set(config.ownedNamespaces ?? []);
  const rendered: [string, string, string][] = [
    [p('release', 'namespace'), config.release?.namespace ?? RELEASE_DEFAULTS.namespace, 'release.namespace'],
  ];
  if (config.csi?.createNamespace)
    rendered.push([p('csi', 'namespace'), config.csi.namespace ?? CSI_NAMESPACE_DEFAULT, 'csi.namespace']);
  for (const [path, ns] of rendered) {
    const tenant = TENANT_NAMESPACES[ns];
    if (tenant && !owned.has(ns) && !foreignNamespaceOwner(ns)) {
      fail(
        path,
        `'${ns}' usually belongs to ${tenant}; a Namespace object there takes over its Pod Security (restricted) and pruning: use a namespace of the stack's own, or list it in ownedNamespaces`,
        'tenant-namespaces',
      );
    }
  }
}

/** Everything of this module for one stack's config; `p` builds a path under the stack's base. */
export function checkConsumerRules(config: StackConfig, p: (...parts: (string | number)[]) => string): void {
  checkRelease(config, p);
  checkLocations(config, p);
  checkOwnedNamespaces(config, p);
  const ksm = config.alerts?.kubeStateMetrics?.serviceAccountName;
  if (ksm !== undefined && !isDnsSubdomain(ksm)) {
    fail(
      p('alerts', 'kubeStateMetrics', 'serviceAccountName'),
      `'${ksm}' is not a ServiceAccount name (a DNS-1123 subdomain), so the RoleBinding grants nobody; use the name 'kubectl -n monitoring get sa' shows`,
      'kube-state-metrics',
    );
  }
  const revision = config.argocd?.repository?.targetRevision;
  const why = revision === undefined ? undefined : refNameProblem(revision);
  if (why) {
    fail(
      p('argocd', 'repository', 'targetRevision'),
      `'${revision}' is not a git ref name: it ${why}; ArgoCD cannot resolve it: use a branch, tag or commit, e.g. 'main'`,
      'target-revision',
    );
  }
  const warning = config.alerts?.backupDurationWarning;
  if (typeof warning === 'string') {
    let zero = false;
    try {
      zero = durationNanos(parseGoDuration(warning)) === 0n;
    } catch {
      // the schema's own message
    }
    if (zero) {
      fail(
        p('alerts', 'backupDurationWarning'),
        `'${warning}' makes VeleroBackupDurationHigh fire on every backup; give the longest normal backup time, e.g. '1h'`,
        'backup-duration',
      );
    }
  }
  const fs = config.volumeExceptions?.fsBackupVolumes ?? [];
  // without CSI snapshots BackupStack refuses volumeExceptions as a whole
  const csi = config.csi?.enabled ?? config.release?.csiSnapshots ?? RELEASE_DEFAULTS.csiSnapshots;
  if (fs.length && csi && !config.release?.nodeAgent?.enabled) {
    fail(
      p('volumeExceptions', 'fsBackupVolumes'),
      `lists ${fs.length} PVC(s) for file-system backup, but release.nodeAgent is off, so nothing backs them up while the alert stays silent: set release.nodeAgent.enabled: true`,
      'fs-backup',
    );
  }
  (config.schedules ?? []).forEach((s, i) => checkScheduleNeeds(config, s, itemPath(p('schedules'), i, s)));
  const minor = veleroMinor(config.release?.version ?? VELERO_VERSION);
  (config.schedules ?? []).forEach((s, i) => checkHooks(s, itemPath(p('schedules'), i, s), minor));
  (config.volumes ?? []).forEach((v, i) => {
    // what the plan sums: a Kubernetes quantity of whole bytes, at least one (lib/plan/plan.ts quantityBytes)
    const q = Quantity.tryParse(v.size);
    if (q && q.isWhole && !q.isNegative && !q.isZero) return;
    // `20GB` is the usual slip: say the quantity that was meant (binary, as PVCs request, or decimal)
    const unit = /^(\d+(?:\.\d+)?)([KMGTPE])B$/i.exec(v.size.trim());
    const fix = unit
      ? `write '${unit[1]}${unit[2].toUpperCase()}i' (binary, as PVCs do) or '${unit[1]}${unit[2].toUpperCase()}'`
      : "write it as the PVC requests it, e.g. '50Gi'";
    const what =
      q && !q.isNegative
        ? 'a whole number of bytes of at least 1'
        : 'the size of a volume (a positive Kubernetes quantity)';
    fail(configPath(itemPath(p('volumes'), i, v), 'size'), `'${v.size}' is not ${what}; ${fix}`, 'plan-inputs');
  });
  (config.restores ?? []).forEach((r, i) => {
    const title = (r as { title?: string }).title;
    if (title !== undefined && (/[\r\n]/.test(title) || title.trim() === '')) {
      fail(
        configPath(itemPath(p('restores'), i, r), 'title'),
        'must be one non-blank line: it is a runbook heading in BACKUP-PLAN.md and a line of npm run restore',
        'plan-inputs',
      );
    }
  });
}
