/**
 * Invariants of the rendered output, checked on every synth before anything reaches dist/. Each rule guards against a way the stack fails silently under ArgoCD with
 * prune and selfHeal (docs/pitfalls.md). Messages: `<folder>/<file>: <Kind> <namespace/name>: <rule>: <why>`.
 */
import { RUNTIME_KINDS_BY_GROUP } from '../argocd/argocd-settings';
import { CRD_GROUPS, UNSYNCED_FOLDERS } from '../output/folder-chart';
import { ARGOCD_TRACKING_ANNOTATION, ARGOCD_TRACKING_LABEL } from '../restore/resource-modifiers';
import type { RenderedObject } from '../output/output';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One rendered object and the file it goes to inside its folder. */
export interface FolderEntry {
  readonly file: string;
  readonly object: Json;
}

/** Synced folder (`dist/<folder>/`) -> its objects. */
export type RenderedFolders = ReadonlyMap<string, readonly FolderEntry[]>;

export interface InvariantOptions {
  /** The config asked for LocalStack's `test`/`test` credentials Secret (VeleroRelease `renderLocalStackCredentials`). */
  readonly localStackSecretAllowed: boolean;
  /**
   * BackupStorageLocations rendered from the LocalStack test profile, as `namespace/name`: only these may
   * use plain http and `insecureSkipTLSVerify`. @default [] (none)
   */
  readonly localStackLocations?: readonly string[];
  /**
   * BackupStorageLocations whose plain-http s3Url the config accepted (inside the cluster, on a private network,
   * or with a stated `plainHttpReason`; lib/storage/endpoint.ts), as `namespace/name`. @default [] (none)
   */
  readonly plainHttpLocations?: readonly string[];
  /** Path of the output directory inside the repository, as Applications reference it. @default 'dist' */
  readonly distPath?: string;
}

/** Every rule, by the name messages use, with what it guards against. */
export const INVARIANT_RULES = {
  'no-secret-data':
    "no Secret is rendered except LocalStack's test/test credentials when asked for: ArgoCD owns what it syncs, so a rendered Secret puts real credentials in Git or, pruned, deletes the live one",
  'no-credentials':
    'no credential-looking string anywhere (AWS access keys, secret keys, private keys, Backblaze B2 keys, inline secret env values)',
  'no-insecure-tls': 'no insecureSkipTLSVerify outside the LocalStack test profile',
  'no-plain-http':
    'no plain-http s3Url/publicUrl outside the LocalStack test profile and the locations whose http the config accepted (in the cluster, a private network, or a stated reason)',
  'pinned-images': 'every container image has a version tag (not latest, not untagged)',
  'container-resources': 'every container has requests and limits for cpu and memory',
  'crs-after-crds':
    'every custom resource carries SkipDryRunOnMissingResource=true, so a first sync into an empty cluster waits for its CRD (docs/pitfalls.md#crd-ordering)',
  'no-crd-in-pruning-app':
    'no CustomResourceDefinition in a folder whose Application prunes: pruning a CRD deletes every object of its kind (docs/pitfalls.md#crd-pruning)',
  'crd-app-no-prune': 'an Application that syncs CRDs has prune off (docs/pitfalls.md#crd-pruning)',
  'schedule-template-labels':
    'every Schedule sets spec.template.metadata.labels, or Velero copies its labels (ArgoCD tracking included) onto every Backup and ArgoCD prunes them (docs/pitfalls.md#schedule-labels-on-backups)',
  'no-skip-immediately':
    'no Schedule sets skipImmediately: Velero rewrites it to false and selfHeal loops (docs/pitfalls.md#skip-immediately)',
  'folder-not-empty':
    'every synced folder holds at least one object: with prune on, an empty folder deletes everything (docs/pitfalls.md#empty-render)',
  'kubernetes-objects-only':
    'every synced file is a Kubernetes object (apiVersion, kind, metadata.name) in a *.yaml file the Application includes, and no file switches ArgoCD to Kustomize or Helm',
  'unsynced-folder':
    'no Application syncs a folder that is applied by hand (dist/restores/): ArgoCD would create every Restore on each sync and prune the ones Velero keeps',
  'runtime-kinds-unsynced':
    'no kind Velero or the snapshot controller creates at run time (Backup, Restore, DataUpload, VolumeSnapshot, ...) is rendered into a synced folder: ArgoCD would own and prune it (velero#2975, #7905)',
  'schedule-no-tracking':
    "no Schedule or its template carries ArgoCD's tracking label or annotation: Velero copies them onto every Backup, which ArgoCD then claims and prunes (velero#2975)",
} as const;

export type InvariantRule = keyof typeof INVARIANT_RULES;

const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/** Files whose presence makes ArgoCD treat a directory as Kustomize or Helm (docs/upstream-facts.md#argocd-directory). */
const TOOL_FILES = /^(kustomization\.ya?ml|Kustomization|Chart\.ya?ml)$/;

// ---------------------------------------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function groupOf(o: Json): string {
  const apiVersion = typeof o?.apiVersion === 'string' ? o.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

function describe(o: Json): string {
  const kind = typeof o?.kind === 'string' ? o.kind : '<no kind>';
  const name =
    typeof o?.metadata?.name === 'string'
      ? o.metadata.name
      : typeof o?.metadata?.generateName === 'string'
        ? `${o.metadata.generateName}<generated>`
        : '<no name>';
  return `${kind} ${typeof o?.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : ''}${name}`;
}

function syncOptions(o: Json): string[] {
  const raw = o?.metadata?.annotations?.[SYNC_OPTIONS];
  return typeof raw === 'string'
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

// ---------------------------------------------------------------------------------------------------------------
// credentials

/** Patterns of credentials that must never be in Git; each says what it found. */
const CREDENTIAL_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: 'an AWS access key id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
  { what: 'an aws_secret_access_key assignment', re: /\baws_secret_access_key\s*[=:]\s*\S/i },
  { what: 'an aws_session_token assignment', re: /\baws_session_token\s*[=:]\s*\S/i },
  { what: 'a private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  // Backblaze B2 application keys: K + 3 digits + 27 base64 characters (31 in all)
  { what: 'a Backblaze B2 application key', re: /(?<![A-Za-z0-9+/])K\d{3}[A-Za-z0-9+/]{27}(?![A-Za-z0-9+/])/ },
  // Backblaze B2 application key ids: 25 hex digits starting with the account's 00
  { what: 'a Backblaze B2 application key id', re: /(?<![0-9A-Za-z])00[0-9a-f]{23}(?![0-9A-Za-z])/ },
  { what: 'a B2 application key assignment', re: /\bb2_application_key(?:_id)?\s*[=:]\s*\S/i },
];

/** Map keys that name a credential; a literal string value under one is a credential in Git. */
const CREDENTIAL_KEYS = new Set([
  'accesskey',
  'accesskeyid',
  'secretkey',
  'secretaccesskey',
  'awsaccesskeyid',
  'awssecretaccesskey',
  'sessiontoken',
  'awssessiontoken',
  'applicationkey',
  'applicationkeyid',
  'b2applicationkey',
  'b2applicationkeyid',
  'password',
  'passwd',
  'apikey',
  'apitoken',
  'token',
  'clientsecret',
  'privatekey',
]);

/** Env var names that hold a secret: their value must come from a Secret (valueFrom), never inline. */
const SECRET_ENV = /(SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|APPLICATION_KEY|PRIVATE_KEY|API_KEY)/i;

/** A cheap first test: a string that matches none of these cannot match a credential pattern. */
const CREDENTIAL_HINT =
  /AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA|aws_s|PRIVATE KEY|K\d{3}|00[0-9a-f]{23}|b2_app/i;

function credentialProblems(o: unknown): string[] {
  const out: string[] = [];
  const test = (s: string, where: string): void => {
    if (!CREDENTIAL_HINT.test(s)) return;
    for (const p of CREDENTIAL_PATTERNS) if (p.re.test(s)) out.push(`${where} holds ${p.what}`);
  };
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') test(v, path);
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`);
    else if (isObject(v)) {
      for (const k of Object.keys(v)) {
        const x = v[k];
        const p = /^[A-Za-z_][\w-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${k}]`;
        test(k, `${p} (the key)`);
        if (typeof x === 'string' && x !== '' && CREDENTIAL_KEYS.has(k.toLowerCase().replace(/[-_]/g, '')))
          out.push(`${p} holds a literal credential`);
        walk(x, p);
      }
    }
  };
  walk(o, '');
  return [...new Set(out)];
}

/** The text of every entry of a Secret (stringData as is, data base64-decoded). */
function secretEntries(secret: Json): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(isObject(secret.stringData) ? secret.stringData : {})) out.push([k, String(v)]);
  for (const [k, v] of Object.entries(isObject(secret.data) ? secret.data : {}))
    out.push([k, Buffer.from(String(v), 'base64').toString('utf8')]);
  return out;
}

/** LocalStack's well-known test credentials file and nothing else (constructs/velero-release.ts renderLocalStackSecret). */
function isLocalStackTestSecret(secret: Json): boolean {
  const entries = secretEntries(secret);
  if (entries.length !== 1) return false;
  const lines = entries[0][1]
    .split('\n')
    .map((l) => l.replace(/\s+/g, ''))
    .filter((l) => l !== '' && !l.startsWith('#'));
  return (
    lines.length === 3 &&
    lines[0] === '[default]' &&
    lines.includes('aws_access_key_id=test') &&
    lines.includes('aws_secret_access_key=test')
  );
}

// ---------------------------------------------------------------------------------------------------------------
// containers

/** Every container list of an object (Pod, workload templates, CronJob job templates: found by shape). */
function* containers(v: unknown, path: string): Generator<[string, Json]> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* containers(v[i], `${path}[${i}]`);
    return;
  }
  if (!isObject(v)) return;
  for (const [k, x] of Object.entries(v)) {
    const p = path ? `${path}.${k}` : k;
    if (
      (k === 'containers' || k === 'initContainers' || k === 'ephemeralContainers') &&
      Array.isArray(x) &&
      x.every((c) => isObject(c) && 'name' in c)
    ) {
      for (let i = 0; i < x.length; i++) yield [`${p}[${i}]`, x[i]];
    } else {
      yield* containers(x, p);
    }
  }
}

const VERSION_TAG = /^v?\d+(\.\d+){0,3}([-+_.][0-9A-Za-z.-]+)?$/;

/** Why an image reference is not pinned to a version tag, or undefined when it is. */
export function imagePinProblem(image: unknown): string | undefined {
  if (typeof image !== 'string' || image === '') return 'has no image';
  const [name] = image.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  if (tag === undefined) return `image '${image}' has no tag; pin a version tag, e.g. '${name}:v1.2.3'`;
  if (tag === 'latest')
    return `image '${image}' uses 'latest'; pin a version tag, e.g. '${name.slice(0, colon)}:v1.2.3'`;
  if (!VERSION_TAG.test(tag))
    return `image '${image}' has tag '${tag}', which is not a version; pin a version tag, e.g. '${name.slice(0, colon)}:v1.2.3'`;
  return undefined;
}

function resourceProblem(c: Json): string | undefined {
  const missing: string[] = [];
  for (const side of ['requests', 'limits'] as const) {
    for (const r of ['cpu', 'memory'] as const) {
      const q = c?.resources?.[side]?.[r];
      if (q === undefined || q === null || q === '') missing.push(`${side}.${r}`);
    }
  }
  return missing.length > 0
    ? `has no resources ${missing.join(', ')}; set requests and limits for cpu and memory`
    : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Applications

interface AppInfo {
  readonly where: string;
  readonly app: Json;
  readonly prunes: boolean;
  /** Local folders (dist/<folder>) it syncs. */
  readonly folders: string[];
  /** Its sources look like CRDs (a path segment or chart named crd/crds/-crd/-crds). */
  readonly crdSources: string[];
}

function sourcesOf(app: Json): Json[] {
  const spec = isObject(app?.spec) ? app.spec : {};
  return [
    ...(isObject(spec.source) ? [spec.source] : []),
    ...(Array.isArray(spec.sources) ? spec.sources.filter(isObject) : []),
  ];
}

const CRD_SEGMENT = /(^|[-_.])crds?$/i;

function applications(folders: RenderedFolders, distPath: string): AppInfo[] {
  const out: AppInfo[] = [];
  const prefix = distPath.replace(/^\.\//, '').replace(/\/+$/, '');
  for (const [folder, entries] of folders) {
    for (const { file, object } of entries) {
      if (groupOf(object) !== 'argoproj.io' || object?.kind !== 'Application') continue;
      const sources = sourcesOf(object);
      const local = sources
        .map((s) => (typeof s.path === 'string' ? s.path.replace(/^\.\//, '').replace(/\/+$/, '') : ''))
        .filter((p) => p.startsWith(`${prefix}/`) && !p.slice(prefix.length + 1).includes('/'))
        .map((p) => p.slice(prefix.length + 1));
      const crdSources = sources
        .map((s) => [typeof s.path === 'string' ? s.path : '', typeof s.chart === 'string' ? s.chart : ''])
        .filter(
          ([path, chart]) => path.split('/').some((seg: string) => CRD_SEGMENT.test(seg)) || CRD_SEGMENT.test(chart),
        )
        .map(([path, chart]) => path || chart);
      out.push({
        where: `${folder}/${file}`,
        app: object,
        prunes: object?.spec?.syncPolicy?.automated?.prune === true,
        folders: local,
        crdSources,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// the check

/** Checks every invariant; returns one message per violation (empty = fine), in folder and file order. */
export function checkInvariants(folders: RenderedFolders, opts: InvariantOptions): string[] {
  const errors: string[] = [];
  const localStack = new Set(opts.localStackLocations ?? []);
  const plainHttp = new Set(opts.plainHttpLocations ?? []);
  const apps = applications(folders, opts.distPath ?? 'dist');
  const fail: Fail = (where, o, rule, why) => {
    errors.push(`${where}: ${describe(o)}: ${rule}: ${why}`);
  };
  const ctx: CheckContext = { opts, localStack, plainHttp, fail };

  for (const folder of [...folders.keys()].sort()) {
    const entries = folders.get(folder) ?? [];
    if (entries.length === 0) {
      errors.push(
        `${folder}/: folder-not-empty: the folder has no objects; with prune on, ArgoCD would delete everything it synced from there`,
      );
      continue;
    }
    checkFolder(folder, entries, apps, ctx);
  }
  checkCrdApplications(folders, apps, fail);
  return errors;
}

/** Reports one violation: where, the object, the rule it breaks, and why. */
type Fail = (where: string, o: Json, rule: InvariantRule, why: string) => void;

/** What every object check reads: the options, the accepted locations, and where violations go. */
interface CheckContext {
  readonly opts: InvariantOptions;
  /** `<namespace>/<name>` of the LocalStack test-rig storage locations. */
  readonly localStack: ReadonlySet<string>;
  /** `<namespace>/<name>` of the storage locations whose plain http is accepted. */
  readonly plainHttp: ReadonlySet<string>;
  readonly fail: Fail;
}

/** The invariants of one non-empty folder: who syncs it, and each of its objects. */
function checkFolder(
  folder: string,
  entries: readonly FolderEntry[],
  apps: readonly AppInfo[],
  ctx: CheckContext,
): void {
  const { fail } = ctx;
  const prunedBy = apps.filter((a) => a.prunes && a.folders.includes(folder));
  const unsynced = UNSYNCED_FOLDERS.includes(folder);
  if (unsynced) {
    for (const a of apps.filter((x) => x.folders.includes(folder))) {
      fail(
        a.where,
        a.app,
        'unsynced-folder',
        `it syncs dist folder '${folder}', which holds what a person applies by hand with 'kubectl create -f'; leave it out of every Application`,
      );
    }
  }
  for (const { file, object: o } of entries) {
    const where = `${folder}/${file}`;
    if (!checkObjectShape(where, file, o, unsynced, fail)) continue;
    const group = groupOf(o);

    const exemptSecret = checkSecret(where, o, group, ctx.opts, fail);
    // no-credentials
    if (!exemptSecret)
      for (const p of credentialProblems(o)) fail(where, o, 'no-credentials', `${p}; credentials never go into Git`);

    checkLocationConfig(where, o, group, ctx);
    checkContainers(where, o, fail);
    checkSyncOrder(where, o, group, unsynced, prunedBy, fail);
    if (group === 'velero.io' && o.kind === 'Schedule') checkSchedule(where, o, fail);
  }
}

/** kubernetes-objects-only: a top-level '*.yaml' file holding a Kubernetes object; false when it is none. */
function checkObjectShape(where: string, file: string, o: Json, unsynced: boolean, fail: Fail): boolean {
  // kubernetes-objects-only
  if (!/\.yaml$/.test(file) || file.includes('/')) {
    fail(
      where,
      o,
      'kubernetes-objects-only',
      "only top-level '*.yaml' files are synced (the Applications include '*.yaml' without recursion)",
    );
  }
  if (TOOL_FILES.test(file.split('/').pop() ?? '')) {
    fail(
      where,
      o,
      'kubernetes-objects-only',
      `a file named '${file}' makes ArgoCD treat the folder as Kustomize or Helm instead of plain YAML`,
    );
  }
  if (
    !isObject(o) ||
    typeof o.apiVersion !== 'string' ||
    o.apiVersion === '' ||
    typeof o.kind !== 'string' ||
    o.kind === '' ||
    !(
      (typeof o.metadata?.name === 'string' && o.metadata.name !== '') ||
      (unsynced && typeof o.metadata?.generateName === 'string' && o.metadata.generateName !== '')
    )
  ) {
    fail(
      where,
      o,
      'kubernetes-objects-only',
      'not a Kubernetes object: apiVersion, kind and metadata.name must be non-empty strings',
    );
    return false;
  }
  return true;
}

/** no-secret-data (and the LocalStack opt-in); true when the Secret is LocalStack's exempt test Secret. */
function checkSecret(where: string, o: Json, group: string, opts: InvariantOptions, fail: Fail): boolean {
  let exemptSecret = false;
  if (o.kind === 'Secret' && group === '') {
    const hasData = secretEntries(o).length > 0;
    if (opts.localStackSecretAllowed && isLocalStackTestSecret(o)) {
      exemptSecret = true;
    } else if (hasData) {
      fail(
        where,
        o,
        'no-secret-data',
        opts.localStackSecretAllowed
          ? "a Secret with data is rendered that is not LocalStack's test/test credentials file, the only one allowed; reference an existing Secret instead"
          : 'a Secret with data is rendered; credentials are referenced by name (an existing Secret), never rendered',
      );
    } else {
      fail(
        where,
        o,
        'no-secret-data',
        'a Secret is rendered; ArgoCD would own the live Secret of that name and, with prune, delete it; create Secrets out of band',
      );
    }
  }
  return exemptSecret;
}

/** no-insecure-tls / no-plain-http (BSL and VSL config). */
function checkLocationConfig(where: string, o: Json, group: string, ctx: CheckContext): void {
  const { localStack, plainHttp, fail } = ctx;
  if (group === 'velero.io' && isObject(o.spec?.config)) {
    const id = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const isTestRig = o.kind === 'BackupStorageLocation' && localStack.has(id);
    const insecure = o.spec.config.insecureSkipTLSVerify;
    if (insecure !== undefined && String(insecure).toLowerCase() !== 'false' && !isTestRig) {
      fail(
        where,
        o,
        'no-insecure-tls',
        `spec.config.insecureSkipTLSVerify is ${JSON.stringify(insecure)}; only the LocalStack test profile may skip TLS verification (give caCert for a private CA)`,
      );
    }
    for (const key of ['s3Url', 'publicUrl']) {
      const url = o.spec.config[key];
      const accepted = o.kind === 'BackupStorageLocation' && plainHttp.has(id);
      if (typeof url === 'string' && /^http:\/\//i.test(url.trim()) && !isTestRig && !accepted) {
        fail(
          where,
          o,
          'no-plain-http',
          `spec.config.${key} '${url}' is plain http; only the LocalStack test profile may use http, use https`,
        );
      }
    }
  }
}

/** pinned-images / container-resources, and no inline credential in a container's env. */
function checkContainers(where: string, o: Json, fail: Fail): void {
  for (const [path, c] of containers(o, '')) {
    const label = `${path} '${typeof c.name === 'string' ? c.name : '?'}'`;
    for (const [i, e] of (Array.isArray(c.env) ? c.env : []).entries()) {
      if (
        isObject(e) &&
        typeof e.name === 'string' &&
        SECRET_ENV.test(e.name) &&
        typeof e.value === 'string' &&
        e.value !== ''
      ) {
        fail(
          where,
          o,
          'no-credentials',
          `${path}.env[${i}] sets ${e.name} inline; take it from a Secret with valueFrom.secretKeyRef`,
        );
      }
    }
    const pin = imagePinProblem(c.image);
    if (pin) fail(where, o, 'pinned-images', `${label} ${pin}`);
    const res = resourceProblem(c);
    if (res) fail(where, o, 'container-resources', `${label} ${res}`);
  }
}

/** runtime-kinds-unsynced, crs-after-crds and no-crd-in-pruning-app: what ArgoCD syncs, in what order, and prunes. */
function checkSyncOrder(
  where: string,
  o: Json,
  group: string,
  unsynced: boolean,
  prunedBy: readonly AppInfo[],
  fail: Fail,
): void {
  // runtime-kinds-unsynced
  if (!unsynced && (RUNTIME_KINDS_BY_GROUP[group] ?? []).includes(o.kind)) {
    fail(
      where,
      o,
      'runtime-kinds-unsynced',
      `${group} ${o.kind} is created by Velero or the snapshot controller at run time; render it into an unsynced folder (${UNSYNCED_FOLDERS.join(', ')}) or not at all`,
    );
  }

  // crs-after-crds (ArgoCD's first sync; an unsynced folder is applied by hand after the CRDs exist)
  if (!unsynced && CRD_GROUPS.includes(group) && !syncOptions(o).includes('SkipDryRunOnMissingResource=true')) {
    fail(
      where,
      o,
      'crs-after-crds',
      `a ${group} custom resource without '${SYNC_OPTIONS}: SkipDryRunOnMissingResource=true' fails the first sync into an empty cluster, before the CRD Application has installed its CRD`,
    );
  }

  // no-crd-in-pruning-app
  if (o.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') {
    for (const a of prunedBy) {
      fail(
        where,
        o,
        'no-crd-in-pruning-app',
        `the folder is synced by Application '${a.app.metadata?.name}' (${a.where}) with prune on; pruning a CRD deletes every object of its kind`,
      );
    }
  }
}

/** schedule-template-labels / schedule-no-tracking / no-skip-immediately, on a velero.io Schedule. */
function checkSchedule(where: string, o: Json, fail: Fail): void {
  const labels = o.spec?.template?.metadata?.labels;
  if (!isObject(labels) || Object.keys(labels).length === 0) {
    fail(
      where,
      o,
      'schedule-template-labels',
      "spec.template.metadata.labels is not set; Velero then copies the Schedule's labels, ArgoCD's tracking label included, onto every Backup and ArgoCD prunes those Backups",
    );
  }
  for (const [path, meta] of [
    ['metadata', o.metadata],
    ['spec.template.metadata', o.spec?.template?.metadata],
  ] as const) {
    const tracked = [
      ...(isObject(meta?.labels) && ARGOCD_TRACKING_LABEL in meta.labels
        ? [`${path}.labels[${ARGOCD_TRACKING_LABEL}]`]
        : []),
      ...(isObject(meta?.annotations) && ARGOCD_TRACKING_ANNOTATION in meta.annotations
        ? [`${path}.annotations[${ARGOCD_TRACKING_ANNOTATION}]`]
        : []),
    ];
    for (const t of tracked) {
      fail(
        where,
        o,
        'schedule-no-tracking',
        `${t} is set; Velero copies it onto every Backup and ArgoCD then owns and prunes them; ArgoCD adds its own tracking, never render it`,
      );
    }
  }
  if (isObject(o.spec) && 'skipImmediately' in o.spec) {
    fail(
      where,
      o,
      'no-skip-immediately',
      `spec.skipImmediately is set (${JSON.stringify(o.spec.skipImmediately)}); Velero rewrites it after use and selfHeal flips it back forever; leave it out`,
    );
  }
}

/** crd-app-no-prune: Applications whose sources are CRDs (upstream paths or local folders holding CRDs). */
function checkCrdApplications(folders: RenderedFolders, apps: readonly AppInfo[], fail: Fail): void {
  for (const a of apps) {
    const localCrds = a.folders.filter((f) =>
      (folders.get(f) ?? []).some((e) => e.object?.kind === 'CustomResourceDefinition'),
    );
    const what = [...a.crdSources, ...localCrds.map((f) => `dist folder '${f}'`)];
    if (what.length > 0 && a.prunes) {
      fail(
        a.where,
        a.app,
        'crd-app-no-prune',
        `it syncs CRDs (${what.join(', ')}) with spec.syncPolicy.automated.prune true; set prune: false, or a CRD that leaves the source deletes every object of its kind`,
      );
    }
  }
}

/** Groups rendered objects by folder (the shape `checkInvariants` takes). */
export function foldersOf(objects: readonly RenderedObject[]): Map<string, FolderEntry[]> {
  const folders = new Map<string, FolderEntry[]>();
  for (const o of objects) {
    const list = folders.get(o.folder) ?? [];
    list.push({ file: o.file, object: o.object });
    folders.set(o.folder, list);
  }
  return folders;
}

/** `checkInvariants` as an `OutputCheck` for `synthesize({ checks })` (lib/output/synth.ts). */
export function invariantsCheck(opts: InvariantOptions): (objects: readonly RenderedObject[]) => string[] {
  return (objects) => checkInvariants(foldersOf(objects), opts);
}
