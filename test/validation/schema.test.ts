import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiObject, JsonPatch } from 'cdk8s';
import { parse } from 'yaml';
import { buildStack } from '../fixtures/seed';
import { synthChecks } from '../../index';
import { goPatternToJs } from '../../lib/validation/crd-schema';
import { synthesize } from '../../lib/output/synth';
import { prune, renderPath, schemaCheck, validateObjects, type ObjectToValidate } from '../../lib/validation/schema';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */

type Json = any;

const ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(__dirname, '..', 'fixtures', 'schema');
const FIXTURE_CRDS = join(FIXTURES, 'crds');

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));

function schedule(): Json {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: {
      name: 'daily',
      namespace: 'velero',
      labels: { 'app.kubernetes.io/name': 'velero' },
      annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
    },
    spec: {
      schedule: '0 2 * * *',
      template: {
        includedNamespaces: ['default', 'loki'],
        metadata: { labels: { 'velero-cdk8s/schedule': 'daily' } },
        snapshotVolumes: true,
        storageLocation: 'default',
        ttl: '720h0m0s',
      },
      useOwnerReferencesInBackup: false,
    },
  };
}

function deployment(): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'velero', namespace: 'velero', labels: { 'app.kubernetes.io/name': 'velero' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'velero' } },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'velero' } },
        spec: {
          containers: [
            {
              name: 'velero',
              image: 'velero/velero:v1.15.0',
              args: ['server'],
              ports: [{ name: 'metrics', containerPort: 8085, protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '200m', memory: '512Mi' } },
              livenessProbe: { httpGet: { path: '/metrics', port: 'metrics' } },
              securityContext: { runAsNonRoot: true, runAsUser: 65532, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [{ name: 'plugins', emptyDir: {} }],
        },
      },
    },
  };
}

function widget(spec: Record<string, unknown> = {}): Json {
  return {
    apiVersion: 'example.velero-cdk8s.test/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'default' },
    spec: { size: 3, ...spec },
  };
}

const SCHEDULE_FILE = 'velero/Schedule_velero.io_velero_daily.yaml';
const DEPLOYMENT_FILE = 'velero/Deployment_apps_velero_velero.yaml';

/** Validates with the committed schemas/ only (what every clone has). */
function upstream(objs: ObjectToValidate[], opts = {}) {
  return validateObjects(objs, { crdDir: false, rootDir: ROOT, ...opts });
}

/** Validates with the hand-written fixture CRDs. */
function fixtures(objs: ObjectToValidate[], opts = {}) {
  return validateObjects(objs, { crdDir: FIXTURE_CRDS, rootDir: ROOT, ...opts });
}

describe('a Velero Schedule against the upstream v1.15.0 CRD', () => {
  test('a valid Schedule passes', () => {
    expect(upstream([{ file: SCHEDULE_FILE, object: schedule() }])).toEqual({
      errors: [],
      celRulesSkipped: [],
      notes: [],
    });
  });

  test('an unknown field fails with its path and the field it probably meant', () => {
    const s = schedule();
    s.spec.template.includedNamespace = ['default'];
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: spec.template.includedNamespace: unknown field (did you mean 'includedNamespaces'?)`,
    ]);
  });

  test('a wrong type fails with the expected and the actual type', () => {
    const s = schedule();
    s.spec.template.ttl = 720;
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: spec.template.ttl: must be string, got integer 720`,
    ]);
  });

  test('a missing required field fails at the path of the field', () => {
    const s = schedule();
    delete s.spec.schedule;
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: spec.schedule: required field is missing`,
    ]);
  });

  test('an unknown top-level field fails (the API server would prune it)', () => {
    const s = schedule();
    s.specs = {};
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: specs: unknown field (did you mean 'spec'?)`,
    ]);
  });

  test('metadata of a custom resource is checked against ObjectMeta', () => {
    const s = schedule();
    s.metadata.label = { a: 'b' };
    s.metadata.labels = { a: 1 };
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: metadata.labels.a: must be string, got integer 1`,
      `${SCHEDULE_FILE}: Schedule velero/daily: metadata.label: unknown field (did you mean 'labels'?)`,
    ]);
  });

  test('a nullable field takes null, and a wrong type still names what it must be', () => {
    const s = schedule();
    s.spec.template.includedNamespaces = null;
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([]);
    s.spec.template.snapshotVolumes = 'yes';
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: spec.template.snapshotVolumes: must be boolean or null, got string "yes"`,
    ]);
  });

  test('an enum names the allowed values (BackupStorageLocation accessMode)', () => {
    const bsl = {
      apiVersion: 'velero.io/v1',
      kind: 'BackupStorageLocation',
      metadata: { name: 'default', namespace: 'velero' },
      spec: { provider: 'aws', objectStorage: { bucket: 'b' }, accessMode: 'RW', config: { region: 'us-east-1' } },
    };
    expect(upstream([{ file: 'bsl.yaml', object: bsl }]).errors).toEqual([
      'bsl.yaml: BackupStorageLocation velero/default: spec.accessMode: must be one of "ReadOnly", "ReadWrite", got "RW"',
    ]);
  });

  test('every problem of one object is reported, not only the first', () => {
    const s = schedule();
    delete s.spec.schedule;
    s.spec.template.ttl = 1;
    s.spec.paused = 'no';
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toHaveLength(3);
  });
});

describe('a core Deployment against the kubernetes-models schema', () => {
  test('a valid Deployment passes', () => {
    expect(upstream([{ file: DEPLOYMENT_FILE, object: deployment() }])).toEqual({
      errors: [],
      celRulesSkipped: [],
      notes: [],
    });
  });

  test('an unknown field in a container fails with its path', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(upstream([{ file: DEPLOYMENT_FILE, object: d }]).errors).toEqual([
      `${DEPLOYMENT_FILE}: Deployment velero/velero: spec.template.spec.containers[0].imagePullPolicyy: unknown field (did you mean 'imagePullPolicy'?)`,
    ]);
  });

  test('a wrong type fails with the expected and the actual type', () => {
    const d = deployment();
    d.spec.replicas = '1';
    expect(upstream([{ file: DEPLOYMENT_FILE, object: d }]).errors).toEqual([
      `${DEPLOYMENT_FILE}: Deployment velero/velero: spec.replicas: must be integer, got string "1"`,
    ]);
  });

  test('a missing required field fails at the path of the field', () => {
    const d = deployment();
    delete d.spec.selector;
    expect(upstream([{ file: DEPLOYMENT_FILE, object: d }]).errors).toEqual([
      `${DEPLOYMENT_FILE}: Deployment velero/velero: spec.selector: required field is missing`,
    ]);
  });

  test('a quantity that is not a quantity fails once, naming the allowed forms', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].resources.limits.cpu = 'two';
    expect(upstream([{ file: DEPLOYMENT_FILE, object: d }]).errors).toEqual([
      `${DEPLOYMENT_FILE}: Deployment velero/velero: spec.template.spec.containers[0].resources.limits.cpu: matches no allowed form: must be number, got string "two"; or must be a valid quantity, got "two"`,
    ]);
  });

  test('labels and annotations are maps: any key is allowed', () => {
    const d = deployment();
    d.metadata.annotations = { 'anything.example.com/goes': 'x' };
    expect(upstream([{ file: DEPLOYMENT_FILE, object: d }]).errors).toEqual([]);
  });

  test('a kind kubernetes-models does not know is an error', () => {
    const d = { ...deployment(), kind: 'Deploymnt' };
    expect(upstream([{ file: DEPLOYMENT_FILE, object: d }]).errors).toEqual([
      `${DEPLOYMENT_FILE}: Deploymnt velero/velero: (root): no schema for apps/v1 Deploymnt in kubernetes-models 5.1.0; check apiVersion and kind`,
    ]);
  });
});

describe('custom resources', () => {
  test('a kind of a known group that schemas/ lacks is an error naming the command that adds it', () => {
    const s = { ...schedule(), kind: 'Schedul' };
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedul velero/daily: (root): no schema for velero.io/v1 Schedul in velero v1.15.0: check apiVersion and kind, or add its CRD to cdk8s.yaml schemas.velero.urls and run npm run import`,
    ]);
  });

  test('a custom kind of an unknown group is an error naming the kind and the command that adds its schema', () => {
    expect(upstream([{ file: 'w.yaml', object: widget() }]).errors).toEqual([
      `w.yaml: Widget default/w: (root): no schema for example.velero-cdk8s.test/v1 Widget: add its CRD to cdk8s.yaml 'schemas:' and run npm run import, or set VELERO_CDK8S_CRDS to a directory holding its CRD YAML (README "The safety net")`,
    ]);
  });

  test('a version the CRD does not serve is an error naming the served one', () => {
    const vsc = {
      apiVersion: 'snapshot.storage.k8s.io/v1beta1',
      kind: 'VolumeSnapshotClass',
      metadata: { name: 'c' },
      driver: 'd',
      deletionPolicy: 'Retain',
    };
    expect(upstream([{ file: 'f.yaml', object: vsc }]).errors).toEqual([
      'f.yaml: VolumeSnapshotClass c: (root): snapshot.storage.k8s.io/v1beta1 VolumeSnapshotClass is not served by its CRD (schemas/external-snapshotter/v8.2.1/volumesnapshotclasses.snapshot.storage.k8s.io.json); use snapshot.storage.k8s.io/v1',
    ]);
  });

  test('the CEL rules of the validated kinds are listed as not evaluated', () => {
    const vs = {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: 's', namespace: 'n' },
      spec: { source: { persistentVolumeClaimName: 'data' }, volumeSnapshotClassName: 'c' },
    };
    const result = upstream([{ file: 'f.yaml', object: vs }]);
    expect(result.errors).toEqual([]);
    expect(result.celRulesSkipped).toContain(
      'snapshot.storage.k8s.io/v1 VolumeSnapshot spec.source: exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set (CEL: (has(self.volumeSnapshotContentName) && !has(self.persistentVolumeClaimName)) || (!has(self.volumeSnapshotContentName) && has(self.persistentVolumeClaimName)))',
    );
    // the v7.0.2 CRDs carry no CEL rules
    expect(
      upstream([{ file: 'f.yaml', object: vs }], { versions: { 'external-snapshotter': 'v7.0.2' } }).celRulesSkipped,
    ).toEqual([]);
  });

  test('list-map keys must be unique (PrometheusRule groups)', () => {
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r', namespace: 'velero' },
      spec: {
        groups: [
          { name: 'velero', rules: [{ alert: 'A', expr: 'up == 0' }] },
          { name: 'velero', rules: [] },
        ],
      },
    };
    expect(upstream([{ file: 'r.yaml', object: rule }]).errors).toEqual([
      'r.yaml: PrometheusRule velero/r: spec.groups: items 0 and 1 have the same name ("velero"); list keys must be unique',
    ]);
  });

  test('the committed dist/ of the default stack validates clean', () => {
    const dist = join(ROOT, 'dist');
    const objs: ObjectToValidate[] = [];
    for (const folder of readdirSync(dist).filter((f) => statSync(join(dist, f)).isDirectory())) {
      for (const file of readdirSync(join(dist, folder)).filter((f) => f.endsWith('.yaml'))) {
        objs.push({ file: `${folder}/${file}`, object: parse(readFileSync(join(dist, folder, file), 'utf8')) });
      }
    }
    expect(objs.length).toBeGreaterThan(10);
    expect(upstream(objs).errors).toEqual([]);
  });
});

describe('Kubernetes schema extensions (fixture CRD)', () => {
  const w = (spec: Record<string, unknown>) => fixtures([{ file: 'w.yaml', object: widget(spec) }]).errors;

  test('x-kubernetes-int-or-string takes an integer or a string, nothing else', () => {
    expect(w({ size: 3 })).toEqual([]);
    expect(w({ size: '50%' })).toEqual([]);
    expect(w({ size: true })).toEqual([
      'w.yaml: Widget default/w: spec.size: must be integer or string, got boolean true',
    ]);
  });

  test('nullable allows null', () => {
    expect(w({ note: null })).toEqual([]);
  });

  test('x-kubernetes-preserve-unknown-fields keeps any field', () => {
    expect(w({ extra: { anything: { nested: [1, 2] } } })).toEqual([]);
  });

  test('x-kubernetes-embedded-resource allows apiVersion, kind and metadata', () => {
    expect(w({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } })).toEqual([]);
  });

  test('an object schema without properties prunes everything: any field is unknown', () => {
    expect(w({ pruned: { a: 1 } })).toEqual(['w.yaml: Widget default/w: spec.pruned.a: unknown field']);
  });

  test('a list-type set must not repeat an item', () => {
    expect(w({ tags: ['a', 'a'] })).toEqual([
      'w.yaml: Widget default/w: spec.tags: must not have duplicate items (items 0 and 1 are identical)',
    ]);
  });

  test('a list-type map must not repeat a key', () => {
    expect(
      w({
        ports: [
          { name: 'a', port: 1 },
          { name: 'a', port: 2 },
        ],
      }),
    ).toEqual([
      'w.yaml: Widget default/w: spec.ports: items 0 and 1 have the same name ("a"); list keys must be unique',
    ]);
  });

  test('a map with additionalProperties checks its values', () => {
    expect(w({ labels: { 'app.kubernetes.io/name': 1 } })).toEqual([
      'w.yaml: Widget default/w: spec.labels[app.kubernetes.io/name]: must be string, got integer 1',
    ]);
  });

  test('formats the API server knows are checked', () => {
    expect(w({ startedAt: 'yesterday' })).toEqual([
      'w.yaml: Widget default/w: spec.startedAt: must be a valid date-time, got "yesterday"',
    ]);
  });

  test("a Go pattern with (?i) is case-insensitive, like the API server's", () => {
    expect(w({ mode: 'Abort' })).toEqual([]);
    expect(w({ mode: 'stop' })).toEqual([
      'w.yaml: Widget default/w: spec.mode: must match ^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$, got "stop"',
    ]);
  });

  test('a Go pattern JavaScript cannot express is skipped and said so in a note', () => {
    const result = fixtures([{ file: 'w.yaml', object: widget({ legacyPattern: 'x' }) }]);
    expect(result.errors).toEqual([]);
    expect(result.notes).toEqual([
      'schema: example.velero-cdk8s.test/v1 Widget spec.legacyPattern: pattern "^(?s).+$" is not a JavaScript regular expression and was not checked',
    ]);
  });

  test('CEL rules are not evaluated and are listed with their path and message', () => {
    expect(fixtures([{ file: 'w.yaml', object: widget() }]).celRulesSkipped).toEqual([
      'example.velero-cdk8s.test/v1 Widget spec.immutableName: self == oldSelf (CEL: self == oldSelf)',
      'example.velero-cdk8s.test/v1 Widget spec: size is required once set (CEL: !has(oldSelf.size) || has(self.size))',
    ]);
  });

  test('kustomization.yaml next to the CRDs is not read as a CRD', () => {
    expect(
      fixtures([
        {
          file: 'k.yaml',
          object: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', metadata: { name: 'k' } },
        },
      ]).errors,
    ).toEqual([
      `k.yaml: Kustomization k: (root): no schema for kustomize.config.k8s.io/v1beta1 Kustomization: add its CRD to cdk8s.yaml 'schemas:' and run npm run import, or set VELERO_CDK8S_CRDS to a directory holding its CRD YAML (README "The safety net")`,
    ]);
  });
});

describe('the schema set follows the pinned releases', () => {
  test('versions picks the Velero line: a field of 1.18 is unknown to the 1.15 schema', () => {
    const s = schedule();
    s.spec.template.volumeGroupSnapshotLabelKey = 'group';
    expect(upstream([{ file: SCHEDULE_FILE, object: s }]).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: spec.template.volumeGroupSnapshotLabelKey: unknown field`,
    ]);
    expect(upstream([{ file: SCHEDULE_FILE, object: s }], { versions: { velero: 'v1.18.1' } }).errors).toEqual([]);
  });

  test.each(['v1.15.0', 'v1.16.2', 'v1.17.2', 'v1.18.1'])('Velero %s has a Schedule schema', (velero) => {
    const s = schedule();
    s.spec.template.ttl = 720;
    expect(upstream([{ file: SCHEDULE_FILE, object: s }], { versions: { velero } }).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: spec.template.ttl: must be string, got integer 720`,
    ]);
  });

  test('a release schemas/ does not hold is an error naming the ones it has and the command', () => {
    expect(upstream([{ file: SCHEDULE_FILE, object: schedule() }], { versions: { velero: 'v1.19.0' } }).errors).toEqual(
      [
        `${SCHEDULE_FILE}: Schedule velero/daily: (root): no schemas for velero v1.19.0 in schemas/ (it has v1.15.0, v1.16.2, v1.17.2, v1.18.1); add the tag to cdk8s.yaml schemas.velero.tags and run npm run import`,
      ],
    );
  });

  test('a component versions names that schemas/ does not know is an error', () => {
    expect(upstream([], { versions: { veleroo: 'v1.15.0' } }).errors).toEqual([
      "schema: versions names 'veleroo', which schemas/ has no schemas for (it has velero, external-snapshotter, argocd, prometheus-operator)",
    ]);
  });
});

describe('on a clone with nothing beside it (schemas/ is committed)', () => {
  test('nothing under lib/, constructs/ or main.ts reads ../shared or the network', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (e.name === 'fixtures' ? [] : files(join(dir, e.name))) : [join(dir, e.name)],
      );
    const sources = [...files(join(ROOT, 'lib')), ...files(join(ROOT, 'constructs')), join(ROOT, 'main.ts')];
    const offenders = sources.filter((f) => /\.\.\/shared|shared\/crds|\bfetch\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('a wrong type in a rendered Schedule is refused by the synth, and nothing is written', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'schema-synth-')), 'dist');
    try {
      let stack: ReturnType<typeof buildStack> | undefined;
      const build = () => {
        stack = buildStack();
        const schedule = stack.app.charts
          .flatMap((c) => c.node.findAll())
          .find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Schedule')!;
        schedule.addJsonPatch(JsonPatch.replace('/spec/template/ttl', 720));
        return stack.app;
      };
      expect(() => synthesize(build, { outDir: out, checks: synthChecks(() => stack!.release) })).toThrow(
        /Schedule velero\/[a-z-]+: spec\.template\.ttl: must be string, got integer 720/,
      );
      expect(() => readdirSync(out)).toThrow();
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  });
  test('a custom kind without a schema stops the synth with the kind and the command, and nothing is written', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'schema-synth-')), 'dist');
    try {
      let stack: ReturnType<typeof buildStack> | undefined;
      const build = () => {
        stack = buildStack();
        new ApiObject(stack.app.charts[0], 'widget', {
          apiVersion: 'example.velero-cdk8s.test/v1',
          kind: 'Widget',
          metadata: { name: 'w', namespace: 'velero' },
        });
        return stack.app;
      };
      expect(() => synthesize(build, { outDir: out, checks: synthChecks(() => stack!.release) })).toThrow(
        "Widget velero/w: (root): no schema for example.velero-cdk8s.test/v1 Widget: add its CRD to cdk8s.yaml 'schemas:' and run npm run import",
      );
      expect(() => readdirSync(out)).toThrow();
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  });
});

describe('extra CRDs (VELERO_CDK8S_CRDS)', () => {
  const saved = process.env.VELERO_CDK8S_CRDS;
  afterEach(() => {
    if (saved === undefined) delete process.env.VELERO_CDK8S_CRDS;
    else process.env.VELERO_CDK8S_CRDS = saved;
  });

  test('VELERO_CDK8S_CRDS adds the kinds of its CRDs', () => {
    process.env.VELERO_CDK8S_CRDS = FIXTURE_CRDS;
    expect(validateObjects([{ file: 'w.yaml', object: widget({ size: true }) }], { rootDir: ROOT }).errors).toEqual([
      'w.yaml: Widget default/w: spec.size: must be integer or string, got boolean true',
    ]);
  });

  test('a VELERO_CDK8S_CRDS that does not exist is an error, not a silent skip', () => {
    process.env.VELERO_CDK8S_CRDS = '/nonexistent/crds';
    expect(validateObjects([{ file: SCHEDULE_FILE, object: schedule() }], { rootDir: ROOT }).errors).toEqual([
      "schema: VELERO_CDK8S_CRDS='/nonexistent/crds' does not exist; point it at a directory of CRD YAML",
    ]);
  });

  test('the generated schemas still validate the pinned groups', () => {
    process.env.VELERO_CDK8S_CRDS = FIXTURE_CRDS;
    const s = schedule();
    s.spec.template.ttl = 1;
    expect(validateObjects([{ file: SCHEDULE_FILE, object: s }], { rootDir: ROOT }).errors).toEqual([
      `${SCHEDULE_FILE}: Schedule velero/daily: spec.template.ttl: must be string, got integer 1`,
    ]);
  });
});

describe('helpers', () => {
  test('paths read like kubectl prints them', () => {
    const data = { spec: { containers: [{ env: [{}] }] }, metadata: { labels: { 'app.kubernetes.io/name': 'x' } } };
    expect(renderPath('/spec/containers/0/env/0/value', data)).toBe('spec.containers[0].env[0].value');
    expect(renderPath('/metadata/labels/app.kubernetes.io~1name', data)).toBe(
      'metadata.labels[app.kubernetes.io/name]',
    );
    expect(renderPath('', data)).toBe('(root)');
  });

  test('Go patterns become JavaScript patterns, or undefined', () => {
    expect(goPatternToJs('^(?i)(abort|warn)?$')).toBe('^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$');
    expect(goPatternToJs('(?i)^[a-f0-9]+$')).toBe('^[a-fA-F0-9]+$');
    expect(goPatternToJs('^(?P<n>x)\\z')).toBe('^(?<n>x)$');
    expect(goPatternToJs('^(?s).+$')).toBeUndefined();
  });

  test('schemaCheck plugs into synthesize({ checks }) and reports notes on the side', () => {
    const reported: string[] = [];
    const check = schemaCheck({ crdDir: FIXTURE_CRDS, rootDir: ROOT }, (r) => reported.push(...r.notes));
    const d = deployment();
    d.spec.replicas = 'x';
    expect(
      check([
        { folder: 'velero', file: 'Deployment_apps_velero_velero.yaml', object: d },
        { folder: 'example', file: 'w.yaml', object: widget({ legacyPattern: 'x' }) },
      ]),
    ).toEqual([`${DEPLOYMENT_FILE}: Deployment velero/velero: spec.replicas: must be integer, got string "x"`]);
    expect(reported).toHaveLength(1);
  });

  test('pruning keeps what can apply to the object, so a missing required field and an unknown one still fail', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      additionalProperties: false,
      properties: { a: { type: 'string' }, b: { type: 'object', properties: { c: { type: 'integer' } } } },
    };
    expect(prune(schema, [{ x: 1 }])).toEqual({ ...schema, properties: {} });
    expect(prune(schema, [{ b: { c: 1 } }]).properties).toEqual({ b: schema.properties.b });
  });

  test('objects are not modified', () => {
    const d = deployment();
    const before = clone(d);
    upstream([{ file: DEPLOYMENT_FILE, object: d }]);
    expect(d).toEqual(before);
  });
});
