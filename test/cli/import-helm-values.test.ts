/**
 * `velero-cdk8s import helm-values`: the vmware-tanzu chart's values into a config. On the chart's own default
 * values at one tag of several majors (test/fixtures/helm-values/chart-defaults.json, derived from the chart
 * by scripts/helm-values-fixture.mjs) and on a homelab's values written for this test: every key of the values
 * is reported (mapped, not mapped with its reason, or empty), the config renders, and the report says what
 * changes on the cluster.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { importHelmValues } from '../../cli/import-helm-values';
import { buildConfig } from '../../constructs/backup-fleet';
import { validateConfig } from '../../lib/config/validate';
import { ROOT } from '../fixtures/checkout';

const CHART_DEFAULTS = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'helm-values', 'chart-defaults.json'), 'utf8'),
) as Record<string, unknown>;
const HOMELAB_FILE = join(__dirname, '..', 'fixtures', 'helm-values', 'homelab-values.yaml');
const HOMELAB = parse(readFileSync(HOMELAB_FILE, 'utf8'));

/** The leaf keys of values, as the report names them. */
function leafKeys(values: unknown, prefix = ''): string[] {
  if (Array.isArray(values)) return values.length ? values.flatMap((v, i) => leafKeys(v, `${prefix}[${i}]`)) : [prefix];
  if (values !== null && typeof values === 'object') {
    const entries = Object.entries(values);
    return entries.length ? entries.flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k)) : [prefix];
  }
  return [prefix];
}

const covered = (key: string, keys: readonly string[]) =>
  keys.some((k) => key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}[`));

describe.each(Object.keys(CHART_DEFAULTS))("the chart's default values at %s", (tag) => {
  const values = CHART_DEFAULTS[tag];
  const result = importHelmValues(values);

  test('every key is reported once: mapped, not mapped with a reason, or empty', () => {
    const reported = [...result.mapped.map((m) => m.key), ...result.notMapped.map((n) => n.key), ...result.empty];
    expect(leafKeys(values).filter((k) => !covered(k, reported))).toEqual([]);
    expect(result.notMapped.filter((n) => n.why === 'not a chart value velero-cdk8s knows')).toEqual([]);
  });

  test('the server version is mapped (or said to be of an older line), and the config renders with every check passing', () => {
    const mappedVersion = result.mapped.some((m) => m.key === 'image.tag' && m.to === 'release.version');
    const older = result.notMapped.find((n) => n.key === 'image.tag');
    expect(mappedVersion || /is not of a line velero-cdk8s deploys/.test(older?.why ?? '')).toBe(true);
    validateConfig(result.config);
    const built = buildConfig(result.config);
    expect(built.checks.flatMap((check) => check(built.objects))).toEqual([]);
  });

  test('the report says what changes: selector kept, the ServiceAccount, the Secret, no storage yet', () => {
    const text = result.clusterChanges.join('\n');
    expect(text).toMatch(
      /^selector: kept \(app\.kubernetes\.io\/name: velero, app\.kubernetes\.io\/instance: velero\)/m,
    );
    expect(text).toContain("the server runs as 'velero' instead of the chart's 'velero-server'");
    expect(text).toContain("the existing Secret 'velero' (key 'cloud'), which the chart renders");
    expect(text).toContain('the values name no AWS/S3 location');
  });
});

describe("a homelab's values (chart 11.x: MinIO, node-agent data mover, kube-prometheus-stack)", () => {
  const result = importHelmValues(HOMELAB, { releaseName: 'velero', namespace: 'velero' });
  const config = result.config as any;

  test.each([
    [
      'the storage location',
      config.storageLocations,
      [
        {
          provider: 's3',
          bucket: 'velero',
          region: 'minio',
          name: 'default',
          default: true,
          s3Url: 'https://minio.minio.svc:9000',
          s3ForcePathStyle: true,
        },
      ],
    ],
    [
      'the server',
      {
        version: config.release.version,
        awsPluginVersion: config.release.awsPluginVersion,
        credentials: config.release.credentials,
        installedBy: config.release.installedBy,
      },
      {
        version: 'v1.17.2',
        awsPluginVersion: 'v1.13.2',
        credentials: { name: 'velero-minio-credentials', key: 'cloud' },
        installedBy: { kind: 'helm', releaseName: 'velero' },
      },
    ],
    ['the node-agent', config.release.nodeAgent, { enabled: true, tolerations: HOMELAB.nodeAgent.tolerations }],
    [
      'the metrics',
      config.release.metrics,
      { serviceMonitor: true, prometheusSelectorLabels: { release: 'kube-prometheus-stack' } },
    ],
    [
      'the schedules (the disabled one left out)',
      config.schedules.map((s: any) => [s.namePrefix + s.name, s.schedule, s.ttl, s.snapshotMoveData]),
      [
        ['velero-daily-apps', '0 3 * * *', '720h', true],
        ['velero-weekly-cluster', '0 4 * * 0', '2160h', undefined],
      ],
    ],
  ])('maps %s', (_, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  test('the Schedules keep the names the chart gave them (<fullname>-<key>)', () => {
    const built = buildConfig(result.config);
    const names = built.objects.filter((o) => o.object.kind === 'Schedule').map((o) => o.object.metadata.name);
    expect(names.sort()).toEqual(['velero-daily-apps', 'velero-weekly-cluster']);
    expect(built.checks.flatMap((check) => check(built.objects))).toEqual([]);
  });

  test.each([
    ['tolerations[0].key', 'server placement is not a config field (only release.nodeAgent.tolerations)'],
    ['configuration.uploaderType', 'a server flag velero-cdk8s does not set (Velero uses its default)'],
    ['schedules.old-experiment.schedule', 'a disabled schedule: the chart renders no Schedule for it'],
    [
      'configuration.backupStorageLocation[0].config.insecureSkipTLSVerify',
      'velero-cdk8s verifies TLS outside the LocalStack test rig: give the CA as caCert (docs/pitfalls.md#insecure-tls)',
    ],
  ])('says why %s is not mapped', (key, why) => {
    expect(result.notMapped).toContainEqual({ key, why });
  });
});

describe('the command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-helm-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'scripts', 'velero-cdk8s.mjs'), ...args], { cwd: dir, encoding: 'utf8' });

  test('writes the config with its $schema, prints the report, and never overwrites', () => {
    writeFileSync(join(dir, 'values.yaml'), readFileSync(HOMELAB_FILE));
    const r = run('import', 'helm-values', 'values.yaml');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^# import helm-values values\.yaml\n\n## mapped \(\d+\)\n/);
    expect(r.stdout).toContain('## what changes on the cluster');
    const written = readFileSync(join(dir, 'velero-cdk8s.yaml'), 'utf8');
    expect(written).toMatch(
      /^# yaml-language-server: \$schema=node_modules\/velero-cdk8s\/velero-cdk8s\.config\.schema\.json\n/,
    );
    expect(parse(written)).toEqual(importHelmValues(HOMELAB).config);
    const again = run('import', 'helm-values', 'values.yaml');
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toBe('import: velero-cdk8s.yaml exists; pass --out FILE (import never overwrites)');
  });
});
