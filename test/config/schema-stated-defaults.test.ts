/**
 * Every default the config schema states as a value (velero-cdk8s.config.schema.json, generated from
 * lib/config/types.ts: a `"default"` of the field's own type) is what renders: for each one, a config where the
 * field is absent and the same config with the field set to the stated default render the same objects and the
 * same BACKUP-PLAN.md. The schema is walked generically; PLACES says where each definition stands in one of the
 * base configs below, so a default with no place (a new definition, a new variant) fails the first test.
 * (A default the schema states as prose, `Default: ...` in a description, is not a value: the resources ones are
 * checked by test/config/schema-defaults.test.ts.)
 */
import { buildConfig } from '../../constructs/backup-fleet';
import type { BackupStackConfig, StackConfig } from '../../lib/config/types';
import { ConfigError, validateConfig } from '../../lib/config/validate';
import { SEED_CONFIG } from '../../examples/seed';
import schema from '../../velero-cdk8s.config.schema.json';

/** A schema node or a config as plain data: untyped by nature. */
type Json = any;

/** Every `default` the schema states as a value: its JSON pointer (in the schema) and the value. */
function statedDefaults(node: Json, path: string): [string, unknown][] {
  if (Array.isArray(node)) return node.flatMap((n, i) => statedDefaults(n, `${path}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  const own: [string, unknown][] = 'default' in node ? [[path, node.default]] : [];
  const inner = Object.entries(node).flatMap(([k, v]: [string, Json]) =>
    // the keys of `properties` are field names (a location has a field called `default`), their values schemas
    k === 'properties'
      ? Object.entries(v).flatMap(([name, field]) => statedDefaults(field, `${path}/properties/${name}`))
      : k === 'default' || k === 'const' || k === 'enum'
        ? []
        : statedDefaults(v, `${path}/${k}`),
  );
  return [...own, ...inner];
}

/** A deep copy as plain data (structuredClone's objects are another realm's under jest: not plain to the schema). */
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** The seed's config as plain data (durations as Go strings). */
const seed = validateConfig(SEED_CONFIG) as StackConfig;
const seedSchedules = seed.schedules ?? [];
/** The seed without its restores (whose schedules a top-level default may take away). */
const top: StackConfig = { ...seed, restores: undefined };

/** One selector requirement that takes no values (so `values: []` is valid). */
const exists = { key: 'backup.example/skip', operator: 'Exists' } as const;
const nodeSelectorTerm = {
  matchExpressions: [exists],
  matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] as const,
};
const podAffinityTerm = {
  labelSelector: { matchLabels: { app: 'velero' }, matchExpressions: [exists] },
  topologyKey: 'kubernetes.io/hostname',
};

/** The seed, with every optional part a default lives in present (each set to something other than its default). */
const stack: StackConfig = {
  ...seed,
  release: {
    credentials: {},
    tolerations: [{ key: 'dedicated', value: 'backup', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nodeSelectorTerm] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: nodeSelectorTerm }],
      },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [podAffinityTerm],
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm }],
      },
    },
    extraEnv: [
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'proxy', key: 'url' } } },
      { name: 'FROM_CONFIGMAP', valueFrom: { configMapKeyRef: { name: 'proxy', key: 'no-proxy' } } },
    ],
    metrics: { interval: '60s' },
    nodeAgent: { enabled: true, tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
  },
  storageLocations: [
    ...(seed.storageLocations ?? []),
    { provider: 'backblaze-b2', name: 'b2', bucket: 'velero-b2' },
    { provider: 's3', name: 's3', bucket: 'velero-s3', region: 'eu-west-1' },
    { provider: 'cloudflare-r2', name: 'r2', bucket: 'velero-r2', accountId: '0123456789abcdef0123456789abcdef' },
    { provider: 'wasabi', name: 'wasabi', bucket: 'velero-wasabi' },
    { provider: 'minio', name: 'minio', bucket: 'velero', s3Url: 'http://minio.minio.svc:9000' },
    { provider: 'ceph-rgw', name: 'ceph', bucket: 'velero', s3Url: 'http://rgw.ceph.svc:8080' },
    { provider: 'garage', name: 'garage', bucket: 'velero', s3Url: 'http://garage.garage.svc:3900' },
    { provider: 'seaweedfs', name: 'seaweedfs', bucket: 'velero', s3Url: 'http://seaweedfs.seaweedfs.svc:8333' },
  ],
  schedules: [
    {
      ...seedSchedules[0],
      drill: { verify: [{ namespace: 'default', pvc: 'prometheus-data', path: 'wal' }] },
    },
    {
      ...seedSchedules[1],
      labelSelector: { matchLabels: { backup: 'weekly' }, matchExpressions: [exists] },
      hooks: [
        {
          name: 'freeze',
          labelSelector: { matchLabels: { app: 'db' } },
          pre: [{ command: ['sync'] }],
          post: [{ command: ['true'] }],
        },
      ],
    },
    { name: 'counted', schedule: '0 4 * * *', includedNamespaces: ['loki'], retention: { daily: 7, weekly: 4 } },
  ],
  volumeExceptions: {
    unprotectedVolumes: [{ namespace: 'default', pvc: 'grafana-data', reason: 'dashboards live in Git' }],
  },
  alerts: {
    kubeStateMetrics: {},
    prometheusRuleSelector: { ruleSelector: { matchLabels: { release: 'kube-prometheus-stack' } } },
  },
  dashboard: {},
  heartbeat: { secretName: 'heartbeat' },
  argocd: { ...seed.argocd, velero: {} },
};

/** The seed adopting a Helm install (the installer's own defaults). */
const helm: StackConfig = { ...seed, release: { installedBy: { kind: 'helm' } } };

/** The seed on Velero 1.18 with the node-agent's ConfigMap (its keys are per line). */
const v118: StackConfig = {
  ...seed,
  release: {
    version: 'v1.18.2',
    nodeAgent: {
      enabled: true,
      config: {
        loadConcurrency: { globalConfig: 2 },
        restorePVC: {},
        podAnnotations: { a: 'b' },
        podLabels: { a: 'b' },
        privilegedFsBackup: true,
      },
    },
  },
};

/** A fleet whose shared part is empty: a cluster's field falls back to the field's default. */
const fleet: BackupStackConfig = { clusters: [{ ...top, name: 'home', server: 'https://home.lan:6443' }] };

const BASES = { top, stack, helm, v118, fleet } as const;

/** Where each schema node with defaults stands: a base config and the JSON pointer of an instance in it. */
const PLACES: Record<string, [keyof typeof BASES, string]> = {
  '/definitions/BackupStackConfig': ['top', ''],
  '/definitions/ClusterConfig': ['fleet', '/clusters/0'],
  '/definitions/ReleaseConfig': ['stack', '/release'],
  '/definitions/SecretKeyConfig': ['stack', '/release/credentials'],
  '/definitions/PodToleration': ['stack', '/release/tolerations/0'],
  '/definitions/PodAffinity': ['stack', '/release/affinity'],
  '/definitions/NodeSelectorTerm': [
    'stack',
    '/release/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0',
  ],
  '/definitions/NodeSelectorRequirement': [
    'stack',
    '/release/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0',
  ],
  '/definitions/PodAffinityTerms': ['stack', '/release/affinity/podAntiAffinity'],
  '/definitions/LabelSelector': [
    'stack',
    '/release/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/labelSelector',
  ],
  '/definitions/LabelSelectorRequirement': [
    'stack',
    '/release/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/labelSelector/matchExpressions/0',
  ],
  '/definitions/PodEnvVar': ['stack', '/release/extraEnv/0'],
  '/definitions/PodEnvVar/properties/valueFrom/properties/configMapKeyRef': [
    'stack',
    '/release/extraEnv/1/valueFrom/configMapKeyRef',
  ],
  '/definitions/InstallerConfig/anyOf/2': ['helm', '/release/installedBy'],
  '/definitions/NodeAgentConfigOptions': ['stack', '/release/nodeAgent'],
  '/definitions/NodeAgentConfig': ['v118', '/release/nodeAgent/config'],
  '/definitions/LocalStackLocationConfig': ['stack', '/storageLocations/0'],
  '/definitions/BackblazeB2LocationConfig': ['stack', '/storageLocations/1'],
  '/definitions/S3LocationConfig': ['stack', '/storageLocations/2'],
  '/definitions/CloudflareR2LocationConfig': ['stack', '/storageLocations/3'],
  '/definitions/WasabiLocationConfig': ['stack', '/storageLocations/4'],
  '/definitions/MinioLocationConfig': ['stack', '/storageLocations/5'],
  '/definitions/CephRgwLocationConfig': ['stack', '/storageLocations/6'],
  '/definitions/GarageLocationConfig': ['stack', '/storageLocations/7'],
  '/definitions/SeaweedFsLocationConfig': ['stack', '/storageLocations/8'],
  '/definitions/ScheduleConfig': ['stack', '/schedules/1'],
  '/definitions/RetentionConfig': ['stack', '/schedules/2/retention'],
  '/definitions/HookConfig': ['stack', '/schedules/1/hooks/0'],
  '/definitions/HookExecConfig': ['stack', '/schedules/1/hooks/0/pre/0'],
  '/definitions/DrillConfig': ['stack', '/schedules/0/drill'],
  '/definitions/DrillVerifyConfig': ['stack', '/schedules/0/drill/verify/0'],
  '/definitions/VolumeExceptionsConfig': ['stack', '/volumeExceptions'],
  '/definitions/RestoreScenarioConfig': ['stack', '/restores/0'],
  '/definitions/CsiConfig': ['stack', '/csi'],
  '/definitions/VolumeSnapshotClassConfig': ['stack', '/csi/volumeSnapshotClass'],
  '/definitions/AlertsConfig': ['stack', '/alerts'],
  '/definitions/PrometheusRuleSelectorConfig': ['stack', '/alerts/prometheusRuleSelector'],
  '/definitions/DashboardConfig': ['stack', '/dashboard'],
  '/definitions/HeartbeatConfig': ['stack', '/heartbeat'],
  '/definitions/ArgoCdConfig': ['stack', '/argocd'],
  '/definitions/ApplicationConfig': ['stack', '/argocd/velero'],
};

/**
 * A default's place: the longest PLACES key its schema path starts with, and the config path of the field below
 * it (`/properties/a/items/properties/b` -> a, 0, b). Undefined when the table has none.
 */
function placeOf(
  schemaPath: string,
): { base: keyof typeof BASES; parent: (string | number)[]; field: string } | undefined {
  const key = Object.keys(PLACES)
    .filter((k) => schemaPath.startsWith(`${k}/`))
    .sort((a, b) => b.length - a.length)[0];
  if (key === undefined) return undefined;
  const rest = schemaPath.slice(key.length).split('/').slice(1);
  const steps: (string | number)[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === 'properties') steps.push(rest[++i]);
    else if (rest[i] === 'items') steps.push(0);
    else return undefined;
  }
  const [base, at] = PLACES[key];
  const parent = [...at.split('/').slice(1), ...steps.slice(0, -1)].map((s) => (/^\d+$/.test(`${s}`) ? Number(s) : s));
  return { base, parent, field: `${steps[steps.length - 1]}` };
}

/** What a config renders: every object with its folder, and the plan files; or the mistake it is refused with. */
const renders = new Map<string, unknown>();
function render(config: Json): unknown {
  const key = JSON.stringify(config);
  if (!renders.has(key)) {
    let out: unknown;
    try {
      const built = buildConfig(config);
      out = { objects: built.objects.map((o) => [o.folder, o.object]), plan: built.planFiles() };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      out = { refused: e.message };
    }
    renders.set(key, out);
  }
  return renders.get(key);
}

/** The base with the fields of `defaults` (all of one parent) absent, and with each set to its stated default. */
function variants(defaults: readonly (readonly [string, unknown])[]): [Json, Json] {
  const places = defaults.map(([path]) => {
    const place = placeOf(path);
    if (!place) throw new Error(`${path}: no place in PLACES`);
    return place;
  });
  const { base, parent } = places[0];
  const parentIn = (config: Json) => {
    let node = config;
    for (const step of parent) {
      node = node?.[step];
      if (node === undefined) throw new Error(`${defaults[0][0]}: base '${base}' has nothing at ${parent.join('.')}`);
    }
    return node;
  };
  const absent = clone(BASES[base]);
  const explicit = clone(BASES[base]);
  places.forEach(({ field }, i) => {
    delete parentIn(absent)[field];
    parentIn(explicit)[field] = clone(defaults[i][1]);
  });
  return [absent, explicit];
}

const DEFAULTS = Object.entries(schema.definitions).flatMap(([name, def]) =>
  statedDefaults(def, `/definitions/${name}`),
);

/**
 * The defaults of one parent object are first tried together (one render pair for all of them); a group whose pair
 * differs, or whose config without any of them is refused, is split in halves and each tried again, down to one
 * default (whose own pair the test then compares, with the diff).
 */
const parentKey = (path: string) => {
  const place = placeOf(path);
  return place && `${place.base}:${place.parent.join('/')}`;
};
const settled = new Set<string>();
function settle(group: readonly (readonly [string, unknown])[]): void {
  const [absent, explicit] = variants(group);
  const left = render(absent);
  if (!(left as Json).refused && JSON.stringify(render(explicit)) === JSON.stringify(left)) {
    for (const [path] of group) settled.add(path);
  } else if (group.length > 1) {
    settle(group.slice(0, group.length >> 1));
    settle(group.slice(group.length >> 1));
  }
}
const tried = new Set<string>();
function sameAsLeftOut(path: string): boolean {
  const key = parentKey(path);
  if (key !== undefined && !tried.has(key)) {
    tried.add(key);
    settle(DEFAULTS.filter(([other]) => parentKey(other) === key));
  }
  return settled.has(path);
}

test('every default the schema states has a place in a base config', () => {
  expect(DEFAULTS.map(([path]) => path).filter((path) => !placeOf(path))).toEqual([]);
});

test.each(Object.keys(BASES))('the base config %s renders', (base) => {
  expect(render(clone(BASES[base as keyof typeof BASES]))).not.toHaveProperty('refused');
});

test.each(DEFAULTS)('%s: the stated default %j renders as the field left out', (path, value) => {
  if (sameAsLeftOut(path)) return;
  const [absent, explicit] = variants([[path, value]]);
  const left = render(absent);
  expect(left).not.toHaveProperty('refused');
  expect(render(explicit)).toEqual(left);
});
