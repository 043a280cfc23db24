/**
 * One typed config (issue 16): BackupStack wires everything from it, from TypeScript or from YAML, with
 * the same run-time validation, and every mistake names its path.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration } from 'cdk8s';
import { synthConfig } from '../../cli/commands';
import { buildConfig } from '../../constructs/backup-fleet';
import { BackupStack } from '../../constructs/backup-stack';
import { B2_HOMELAB } from '../../examples/b2-homelab';
import { loadConfigFile, parseConfigText } from '../../lib/config/load';
import type { BackupStackConfig, ScheduleConfig } from '../../lib/config/types';
import { renderApp } from '../../lib/output/output';
import { render } from '../fixtures/renders';
import { SEED_CONFIG } from '../fixtures/seed';

const root = join(__dirname, '..', '..');
const CSI_OK = {
  namespace: 'synology-csi',
  snapshotterSidecarVersion: 'v4.2.1',
  preventVolumeModeConversion: false,
  volumeSnapshotClass: { name: 'synology-snapshot-class', driver: 'csi.san.synology.com' },
} as const;
const THREE: ScheduleConfig[] = [
  { name: 'hourly', schedule: '0 * * * *', ttl: '72h', includedNamespaces: ['postgres'] },
  { name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['apps'] },
  { name: 'weekly', schedule: '0 3 * * 0', ttl: '2160h' },
];
const withThird = (third: Record<string, unknown>): BackupStackConfig => ({
  csi: CSI_OK,
  schedules: [THREE[0], THREE[1], { ...THREE[2], ...third } as ScheduleConfig],
});
const stackOf = (config: unknown) => new BackupStack(new App(), 'Stack', config as BackupStackConfig);
const failure = (build: () => unknown): string => {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('BackupStack wires the derived parts', () => {
  const stack = stackOf({
    csi: CSI_OK,
    schedules: [
      { name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['apps', 'db'], drill: {} },
      { name: 'weekly', schedule: '0 3 * * 0', ttl: '2160h', includedNamespaces: ['media'], drill: {} },
    ],
    unprotectedNamespaces: { cache: 'rebuilt on start' },
  });

  test('the alerts watch every schedule and carry every drill rule group', () => {
    expect(Object.keys(stack.alerts.thresholds).sort()).toEqual(['daily', 'weekly']);
    const groups = stack.alerts.groups.map((g) => g.name);
    for (const drill of stack.drills) expect(groups).toContain(drill.alertRules.group);
  });

  test('every drill scratch namespace is exempt from coverage, next to the configured reasons', () => {
    expect(stack.unprotectedNamespaces).toEqual({
      cache: 'rebuilt on start',
      'drill-apps': 'scratch copy made and deleted by the restore drill',
      'drill-db': 'scratch copy made and deleted by the restore drill',
      'drill-media': 'scratch copy made and deleted by the restore drill',
    });
    expect(stack.plan.unprotectedNamespaces).toBe(stack.unprotectedNamespaces);
  });

  test('the CRD Application follows the release and snapshotter versions', () => {
    const app = renderApp(stack.node.scope as App).find((o) => o.object.metadata.name === 'backup-crds')!;
    const sources = (app.object.spec as { sources: { targetRevision: string; path: string }[] }).sources;
    expect(sources.map((s) => s.targetRevision)).toEqual([
      stack.release.version,
      stack.release.version,
      stack.snapshots!.version,
    ]);
  });
});

describe('ArgoCD knobs', () => {
  test('sync options and waves reach the Applications', () => {
    const app = new App();
    new BackupStack(app, 'Stack', {
      csi: CSI_OK,
      argocd: {
        syncOptions: ['ServerSideApply=true'],
        velero: { syncWave: 3, syncOptions: ['RespectIgnoreDifferences=true'] },
        project: 'backups',
      },
    });
    const velero = renderApp(app).find((o) => o.object.kind === 'Application' && o.object.metadata.name === 'velero')!
      .object as unknown as {
      metadata: { annotations: Record<string, string> };
      spec: { project: string; syncPolicy: { syncOptions: string[] } };
    };
    expect(velero.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('3');
    expect(velero.spec.project).toBe('backups');
    expect(velero.spec.syncPolicy.syncOptions).toEqual([
      'CreateNamespace=true',
      'SkipDryRunOnMissingResource=true',
      'PruneLast=true',
      'ServerSideApply=true',
      'RespectIgnoreDifferences=true',
    ]);
  });
});

describe('a mistake names its path', () => {
  test.each<[string, Record<string, unknown>, string]>([
    [
      'a ttl under 1h',
      { ttl: '30m' },
      "schedules[2] 'weekly'.ttl: must be at least 1h, got '30m' (docs/pitfalls.md#ttl)",
    ],
    [
      'a Duration ttl under 1h',
      { ttl: Duration.minutes(30) },
      "schedules[2] 'weekly'.ttl: must be at least 1h, got '30m' (docs/pitfalls.md#ttl)",
    ],
    ['a day unit', { ttl: '30d' }, "schedules[2] 'weekly'.ttl: '30d' is not a Go duration"],
    [
      'a string for a list',
      { includedNamespaces: 'pihole' },
      "schedules[2] 'weekly'.includedNamespaces: must be an array of strings, got 'pihole'",
    ],
    ['a typo', { tll: '1h' }, "schedules[2] 'weekly'.tll: is not a field here; did you mean 'ttl'?"],
    [
      'a Duration of NaN hours',
      { ttl: Duration.hours(NaN) },
      "schedules[2] 'weekly'.ttl: must be a Duration of a finite amount, e.g. Duration.hours(720), got Duration of NaN hours",
    ],
    [
      'an object shaped like a Duration',
      { ttl: { amount: 3, unit: 'hours' } },
      "schedules[2] 'weekly'.ttl: must be a Go duration string such as '720h' (or a cdk8s Duration)",
    ],
    ['a bad cron', { schedule: '0 2 * *' }, "schedules[2] 'weekly'.schedule: '0 2 * *' is not valid"],
    [
      'a missing storage location',
      { storageLocation: 'offsite' },
      "schedules[2] 'weekly'.storageLocation: 'offsite' is not",
    ],
    ['a drill of every namespace', { drill: {} }, "schedules[2] 'weekly'.drill: restore drill 'restore-drill-weekly'"],
  ])('%s', (_what, third, message) => {
    expect(failure(() => stackOf(withThird(third)))).toContain(message);
  });

  test.each<[string, unknown, string]>([
    [
      'an unknown provider',
      { storageLocations: [{ provider: 'b2', bucket: 'x' }] },
      'storageLocations[0].provider: must be one of',
    ],
    [
      'a B2 location without a bucket',
      { storageLocations: [{ provider: 'backblaze-b2' }] },
      'storageLocations[0].bucket: is required',
    ],
    [
      'a B2 region that is not one',
      { csi: CSI_OK, storageLocations: [{ provider: 'backblaze-b2', bucket: 'velero-x', region: 'mars' }] },
      'storageLocations[0].region: "mars" is not a Backblaze B2 region',
    ],
    [
      'two defaults',
      {
        storageLocations: [
          { provider: 'localstack', default: true },
          { provider: 'localstack', name: 'b', default: true },
        ],
      },
      'storageLocations[1].default: storageLocations[0] is the default already',
    ],
    [
      'two writers of one bucket + prefix in one cluster',
      {
        csi: CSI_OK,
        storageLocations: [
          { provider: 'backblaze-b2', bucket: 'velero-x', prefix: 'p' },
          { provider: 'backblaze-b2', bucket: 'velero-x', prefix: 'p', name: 'copy' },
        ],
      },
      "storageLocations[1] 'copy': location 'copy' writes bucket 'velero-x' prefix 'p', and so does location 'default'",
    ],
    [
      'a reason left empty',
      { csi: CSI_OK, unprotectedNamespaces: { cache: ' ' } },
      'unprotectedNamespaces.cache: has no reason',
    ],
    ['a function', { csi: CSI_OK, volumes: [() => 1] }, 'volumes[0]: must be plain data'],
  ])('%s', (_what, config, message) => {
    expect(failure(() => stackOf(config))).toContain(message);
  });

  test('a YAML config gets the same message, after the file name', () => {
    const yaml =
      "csi: { preventVolumeModeConversion: false, volumeSnapshotClass: { driver: csi.san.synology.com } }\nschedules:\n  - { name: a, schedule: '0 2 * * *', includedNamespaces: pihole }\n";
    expect(failure(() => parseConfigText(yaml, 'velero-cdk8s.yaml'))).toBe(
      "velero-cdk8s.yaml: schedules[0] 'a'.includedNamespaces: must be an array of strings, got 'pihole' (docs/pitfalls.md#config-schema)",
    );
  });

  test('broken YAML is one line naming the file and the place', () => {
    expect(failure(() => parseConfigText('schedules: [\n', 'velero-cdk8s.yaml'))).toMatch(
      /^velero-cdk8s\.yaml: not valid YAML: .*line 2, column 1$/,
    );
  });

  test('a mistake the constructs find in a file names the file too, and nothing is written', () => {
    const out = mkdtempSync(join(tmpdir(), 'config-'));
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    try {
      const file = join(out, 'velero-cdk8s.yaml');
      writeFileSync(
        file,
        "csi: { preventVolumeModeConversion: false, volumeSnapshotClass: { driver: csi.san.synology.com } }\nschedules: [{ name: a, schedule: '@daily', ttl: 30m }]\n",
      );
      expect(synthConfig(file, { outDir: join(out, 'dist') })).toBe(1);
      expect(errors).toEqual([`${file}: schedules[0] 'a'.ttl: must be at least 1h, got '30m' (docs/pitfalls.md#ttl)`]);
      expect(existsSync(join(out, 'dist'))).toBe(false);
    } finally {
      spy.mockRestore();
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the seed config', () => {
  test('main.ts builds the seed from its config literal alone', () => {
    const app = new App();
    new BackupStack(app, 'Seed', SEED_CONFIG);
    expect(renderApp(app)).toEqual(render());
  });
});

describe('the B2 homelab example (README)', () => {
  const yamlFile = join(root, 'examples', 'b2-homelab.yaml');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  test('the YAML file and the TypeScript literal render the same objects', () => {
    expect(buildConfig(loadConfigFile(yamlFile)).objects).toEqual(buildConfig(B2_HOMELAB).objects);
  });

  test('is under 40 lines of config, in either form', () => {
    expect(readFileSync(yamlFile, 'utf8').trimEnd().split('\n').length).toBeLessThan(40);
    const ts = readFileSync(join(root, 'examples', 'b2-homelab.ts'), 'utf8');
    expect(ts.slice(ts.indexOf('export const')).trimEnd().split('\n').length).toBeLessThan(40);
  });

  test('the README quotes the YAML file exactly', () => {
    expect(readme).toContain(readFileSync(yamlFile, 'utf8'));
  });

  test('three schedules, B2, alerts in default, snapshot-controller in synology-csi', () => {
    const objects = buildConfig(B2_HOMELAB).objects.map((o) => o.object as unknown as Record<string, any>);
    expect(
      objects
        .filter((o) => o.kind === 'Schedule')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['daily-apps', 'hourly-databases', 'weekly-cluster']);
    const bsl = objects.find((o) => o.kind === 'BackupStorageLocation')!;
    expect(bsl.spec.objectStorage.bucket).toBe('velero-backups-homelab-7f3a');
    expect(bsl.spec.config.s3Url).toBe('https://s3.eu-central-003.backblazeb2.com');
    expect(objects.find((o) => o.kind === 'PrometheusRule')!.metadata.namespace).toBe('default');
    expect(
      objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'snapshot-controller')!.metadata.namespace,
    ).toBe('synology-csi');
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  test('passes every synth check (invariants, schemas)', () => {
    const built = buildConfig(B2_HOMELAB);
    expect(built.checks.flatMap((check) => check(built.objects))).toEqual([]);
  });
});

describe('the JSON Schema is generated from the types', () => {
  test('every optional field of the config states its default (@default): a value, or prose in its description', () => {
    type Node = {
      properties?: Record<string, Node & { default?: unknown; description?: string }>;
      required?: string[];
      items?: Node;
    };
    const schema = JSON.parse(readFileSync(join(root, 'velero-cdk8s.config.schema.json'), 'utf8')) as {
      definitions: Record<string, Node>;
    };
    const missing: string[] = [];
    const walk = (node: Node | undefined, path: string): void => {
      if (!node) return;
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        const stated = child.default !== undefined || / Default: /.test(` ${child.description ?? ''}`);
        if (!(node.required ?? []).includes(key) && !stated) missing.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
      }
      walk(node.items, `${path}[]`);
    };
    for (const [name, node] of Object.entries(schema.definitions)) walk(node, name);
    expect(missing).toEqual([]);
  });

  test("every `default` in the schema is a value of its field's own type (an editor offers it as is)", () => {
    const schema = JSON.parse(readFileSync(join(root, 'velero-cdk8s.config.schema.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allowUnionTypes: true, validateSchema: false });
    addFormats(ajv);
    const wrong: string[] = [];
    const walk = (node: any, path: string): void => {
      if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${path}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (['properties', 'definitions'].includes(k))
          for (const [n, c] of Object.entries(v as object)) walk(c, `${path}.${n}`);
        else if (!['default', 'const', 'enum'].includes(k)) walk(v, path);
      }
      if (!('default' in node)) return;
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { default: value, description, ...rest } = node;
      if (!ajv.compile({ ...rest, definitions: schema.definitions })(value))
        wrong.push(`${path}: ${JSON.stringify(value)}`);
    };
    walk(schema, '');
    expect(wrong).toEqual([]);
    // the prose of a default is in the description: no default left that reads as a remark
    expect(JSON.stringify(schema)).not.toMatch(/"default":"- /);
  });

  test('the schema names its address in the published package, at this version, and the package exports it', () => {
    const schema = JSON.parse(readFileSync(join(root, 'velero-cdk8s.config.schema.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(schema.$id).toBe(`https://cdn.jsdelivr.net/npm/velero-cdk8s@${pkg.version}/velero-cdk8s.config.schema.json`);
    expect(pkg.exports['./velero-cdk8s.config.schema.json']).toBe('./velero-cdk8s.config.schema.json');
    expect(pkg.files).toContain('velero-cdk8s.config.schema.json');
  });

  test('velero-cdk8s.config.schema.json is what `npm run config-schema` writes', () => {
    const out = execFileSync(process.execPath, [join(root, 'scripts', 'config-schema.mjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain('up to date');
  }, 120_000);
});
