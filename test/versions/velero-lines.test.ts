/**
 * Every supported Velero line: the seed's stack built with one release of each line synthesizes,
 * validates against that line's committed schemas (schemas/velero/<tag>), renders only flags the
 * line knows, and its alerts pass promtool; changing `version` alone moves image, CRDs, plugin, flags and alerts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStack, type StackOptions } from '../fixtures/seed';
import { synthChecks } from '../../index';
import { App, Chart } from 'cdk8s';
import { StorageProfile, VeleroRelease, type VeleroReleaseProps } from '../../constructs';
import { renderApp } from '../../lib/output/output';
import { schemaCheck } from '../../lib/validation/schema';
import { checkRules, promtoolTestFiles, testRulesFilesAsync } from '../../lib/alerts/promtool';
import { metricsFor } from '../../lib/alerts/metrics-catalog';
import { kubePrometheusStackValues } from '../../lib/alerts/storage-location-status';
import { renderPlanMarkdown, backupPlan } from '../../lib/plan/plan';
import {
  MAINTENANCE_JOB_FLAGS,
  VELERO_LINES,
  checkFlags,
  flagNames,
  veleroLineOf,
} from '../../lib/versions/velero-lines';
import { promtool, testPromtool } from '../fixtures/promtool';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */
type Json = any;

const B2 = () => ({ provider: 'backblaze-b2', bucket: 'velero-backups-homelab' }) as const;

function build(options: StackOptions) {
  const stack = buildStack(options);
  const objects = renderApp(stack.app);
  const all = (kind: string) => objects.filter((o) => o.object.kind === kind).map((o) => o.object as Json);
  const one = (kind: string, name: string) => all(kind).find((o) => o.metadata.name === name);
  return { stack, objects, all, one };
}

const LINES = [
  // version, plugin default, storage-location metric, node-agent repo-maintenance alert
  ['v1.15.2', 'v1.11.1', 'kube_customresource_velero_bsl_phase', false],
  ['v1.16.2', 'v1.12.2', 'kube_customresource_velero_bsl_phase', false],
  ['v1.17.2', 'v1.13.2', 'velero_backup_location_status_gauge', false],
  ['v1.18.2', 'v1.14.2', 'velero_backup_location_status_gauge', true],
] as const;

describe.each(LINES)('the seed stack on Velero %s', (version, plugin, bslMetric, repoAlert) => {
  // node-agent on, so the node-agent flags and the repository alerts are exercised too
  const built = build({ version, nodeAgent: true });
  const deployment = built.one('Deployment', 'velero');
  const server = deployment.spec.template.spec.containers[0];
  const line = veleroLineOf(version);

  test('the image, the CRD Application and the labels follow the version', () => {
    expect(server.image).toBe(`velero/velero:${version}`);
    expect(built.one('DaemonSet', 'node-agent').spec.template.spec.containers[0].image).toBe(
      `velero/velero:${version}`,
    );
    const crds = built.one('Application', 'backup-crds');
    expect(crds.spec.sources.slice(0, 2).map((s: Json) => `${s.targetRevision} ${s.path}`)).toEqual([
      `${version} config/crd/v1/bases`,
      `${version} config/crd/v2alpha1/bases`,
    ]);
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe(version);
  });

  test("the AWS plugin defaults to the line's own release", () => {
    expect(deployment.spec.template.spec.initContainers[0].image).toBe(`velero/velero-plugin-for-aws:${plugin}`);
    expect(built.stack.release.awsPluginPairing).toBeUndefined();
  });

  test('the server and node-agent render only flags the line knows', () => {
    expect(flagNames(server.args)).toEqual(['features', 'uploader-type', 'log-level']);
    for (const f of flagNames(server.args)) expect(line.serverFlags).toContain(f);
    const agentArgs = built.one('DaemonSet', 'node-agent').spec.template.spec.containers[0].args;
    for (const f of flagNames(agentArgs)) expect(line.nodeAgentFlags).toContain(f);
    expect(server.args).toContain('--features=EnableCSI');
    expect(server.args).toContain('--uploader-type=kopia');
  });

  test('the storage-location alert watches what the line exports', () => {
    const rule = built.stack.alerts.rules.find((r) => r.alert === 'VeleroBackupStorageLocationUnavailable')!;
    expect(rule.expr).toContain(bslMetric);
    expect(built.one('ConfigMap', 'velero-kube-state-metrics-config') !== undefined).toBe(
      bslMetric === 'kube_customresource_velero_bsl_phase',
    );
    for (const r of built.stack.alerts.rules) expect(r.expr).not.toContain('velero_backup_validation_failure_total');
  });

  test(`repository-maintenance failures are ${repoAlert ? '' : 'not '}alerted`, () => {
    const alerts = built.stack.alerts.rules.map((r) => r.alert);
    expect(alerts.includes('VeleroRepositoryMaintenanceFailed')).toBe(repoAlert);
    expect(metricsFor(version).resolve('velero_repo_maintenance_failure_total').status).toBe(
      repoAlert ? 'ok' : 'not-yet',
    );
  });

  test('the invariants hold and every object is valid against the schemas of the line', () => {
    const [invariants] = synthChecks(() => built.stack.release);
    expect(invariants(built.objects)).toEqual([]);
    expect(schemaCheck({ versions: { velero: version } })(built.objects)).toEqual([]);
  });

  test('the plan report names the line and what the next line changes', () => {
    const md = renderPlanMarkdown(backupPlan(built.stack.plan));
    expect(md).toContain(`**Velero ${version}** (line v${line.line}, released ${line.released})`);
    const next = VELERO_LINES[VELERO_LINES.indexOf(line) + 1];
    if (next) {
      expect(md).toContain(`Moving to v${next.line}`);
      for (const c of next.changesFromPrevious) expect(md).toContain(c);
    } else {
      expect(md).toContain(`v${line.line} is the newest line this project knows.`);
    }
    if (line.endOfSupport) expect(md).toContain(`upstream support ended ${line.endOfSupport}`);
  });

  testPromtool(
    'promtool checks the rules, and every alert fires on its cause and stays silent when healthy',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), `promtool-${version}-`));
      try {
        const rule = built.one('PrometheusRule', 'velero-backup-alerts');
        const ruleFile = { groups: rule.spec.groups };
        writeFileSync(join(dir, 'rules.yaml'), JSON.stringify(ruleFile));
        const checked = checkRules(promtool!, join(dir, 'rules.yaml'));
        if (!checked.ok) throw new Error(checked.output);
        const drill = new Set(built.stack.drill.alertRules.rules.map((r) => r.alert));
        const cases = built.stack.alerts.testCases.filter((c) => !drill.has(c.rule.alert));
        for (const alert of new Set(cases.map((c) => c.rule.alert))) {
          expect(cases.some((c) => c.rule.alert === alert && c.firing.length > 0)).toBe(true);
          expect(cases.some((c) => c.rule.alert === alert && c.firing.length === 0)).toBe(true);
        }
        const files = promtoolTestFiles(ruleFile, cases);
        for (const f of files) {
          writeFileSync(join(dir, f.rulesName), f.rules);
          writeFileSync(join(dir, f.testsName), f.tests);
        }
        const results = await testRulesFilesAsync(
          promtool!,
          files.map((f) => join(dir, f.testsName)),
        );
        const failed = [...results].filter(([, r]) => !r.ok);
        if (failed.length) throw new Error(failed.map(([f, r]) => `${f}\n${r.output}`).join('\n'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});

describe('changing version alone moves everything that must move', () => {
  test('v1.15.2 -> v1.18.2: image, CRD tag, plugin, storage-location metric, kube-state-metrics objects', () => {
    const before = build({ version: 'v1.15.2' });
    const after = build({ version: 'v1.18.2' });
    const summary = (b: ReturnType<typeof build>) => ({
      image: b.one('Deployment', 'velero').spec.template.spec.containers[0].image,
      plugin: b.one('Deployment', 'velero').spec.template.spec.initContainers[0].image,
      crds: b.one('Application', 'backup-crds').spec.sources[0].targetRevision,
      bsl: b.stack.alerts.rules.find((r) => r.alert === 'VeleroBackupStorageLocationUnavailable')!.expr.split('{')[0],
      ksm: b.all('ConfigMap').some((c) => c.metadata.name === 'velero-kube-state-metrics-config'),
    });
    expect(summary(before)).toEqual({
      image: 'velero/velero:v1.15.2',
      plugin: 'velero/velero-plugin-for-aws:v1.11.1',
      crds: 'v1.15.2',
      bsl: 'max by (namespace, backup_location_name) (kube_customresource_velero_bsl_phase',
      ksm: true,
    });
    expect(summary(after)).toEqual({
      image: 'velero/velero:v1.18.2',
      plugin: 'velero/velero-plugin-for-aws:v1.14.2',
      crds: 'v1.18.2',
      bsl: 'max by (namespace, backup_location_name) (velero_backup_location_status_gauge',
      ksm: false,
    });
  });
});

describe('Velero 1.18 on Backblaze B2', () => {
  test('with plugin v1.13.2 the stack synthesizes and validates', () => {
    const built = build({ version: 'v1.18.2', awsPluginVersion: 'v1.13.2', storage: B2() });
    expect(built.one('Deployment', 'velero').spec.template.spec.initContainers[0].image).toBe(
      'velero/velero-plugin-for-aws:v1.13.2',
    );
    expect(built.one('BackupStorageLocation', 'default').spec.config.checksumAlgorithm).toBe('');
  });

  test('with plugin v1.14.1 it is refused for the tagging header, suggesting v1.13.2', () => {
    expect(() => buildStack({ version: 'v1.18.2', awsPluginVersion: 'v1.14.1', storage: B2() })).toThrow(
      /velero-plugin-for-aws v1\.14\.1 does not work with Backblaze B2: it sends an empty x-amz-tagging header.*e\.g\. v1\.13\.2, the known-good pairing for Velero v1\.18\.x/,
    );
  });

  test('with no plugin given it defaults to the known-good v1.13.2, and the plan report says why', () => {
    const built = build({ version: 'v1.18.2', storage: B2() });
    expect(built.stack.release.awsPluginVersion).toBe('v1.13.2');
    expect(built.stack.release.awsPluginPairing?.providers).toEqual(['backblaze-b2', 'cloudflare-r2']);
    const md = renderPlanMarkdown(backupPlan(built.stack.plan));
    expect(md).toContain("velero-plugin-for-aws **v1.13.2**, the known-good pairing instead of the line's own v1.14.2");
    expect(md).toContain('empty x-amz-tagging header');
  });

  test('Cloudflare R2 on 1.18 gets the same default; AWS S3 keeps the line plugin', () => {
    const r2 = {
      provider: 's3',
      bucket: 'velero',
      region: 'us-east-1',
      s3Url: 'https://0123456789abcdef.r2.cloudflarestorage.com',
    } as const;
    expect(buildStack({ version: 'v1.18.2', storage: r2 }).release.awsPluginVersion).toBe('v1.13.2');
    const aws = { provider: 's3', bucket: 'velero', region: 'eu-central-1' } as const;
    expect(buildStack({ version: 'v1.18.2', storage: aws }).release.awsPluginVersion).toBe('v1.14.2');
  });
});

describe('CRD fields a line does not have', () => {
  test('caCertRef renders on 1.18, validates against the 1.18 CRDs, and is refused on 1.17 naming the first line', () => {
    const stack = buildStack({ version: 'v1.18.2', storage: B2() });
    stack.release.addBackupStorageLocation('offsite', {
      profile: StorageProfile.backblazeB2({ bucket: 'velero-backups-homelab' }),
      caCertRef: { name: 'offsite-ca', key: 'ca.crt' },
    });
    const objects = renderApp(stack.app);
    const bsl = objects.find((o) => o.object.kind === 'BackupStorageLocation' && o.object.metadata.name === 'offsite')!;
    expect((bsl.object as Json).spec.objectStorage.caCertRef).toEqual({ name: 'offsite-ca', key: 'ca.crt' });
    expect(schemaCheck({ versions: { velero: 'v1.18.2' } })(objects)).toEqual([]);
    // the same object against the line before: the schema has no such field
    expect(schemaCheck({ versions: { velero: 'v1.17.2' } })([bsl]).join('\n')).toMatch(/caCertRef/);
    const older = buildStack({ version: 'v1.17.2', storage: B2() });
    expect(() =>
      older.release.addBackupStorageLocation('offsite', {
        profile: StorageProfile.backblazeB2({ bucket: 'velero-backups-homelab' }),
        caCertRef: { name: 'offsite-ca', key: 'ca.crt' },
      }),
    ).toThrow(
      "velero release: storage location 'offsite': spec.objectStorage.caCertRef needs Velero v1.18 or later (the field first appears in the v1.18.0 BackupStorageLocation CRD); got v1.17.2: drop it or raise the VeleroRelease version",
    );
  });
});

describe('server contract per line', () => {
  test.each([
    ['v1.15.2', 'restic', true],
    ['v1.16.2', 'restic', true],
    ['v1.17.2', 'restic', false],
    ['v1.18.2', 'restic', false],
    ['v1.18.2', 'kopia', true],
  ] as const)('Velero %s with uploader %s is accepted: %s', (version, uploaderType, ok) => {
    const attempt = () => buildStackWith(version, { uploaderType });
    if (ok) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(/uploaderType 'restic' is not accepted by Velero v1\.1[78]\.2/);
  });

  test.each(['v1.15.2', 'v1.16.2'])('%s takes repository-maintenance settings as server flags', (version) => {
    const release = buildStackWith(version, {
      repositoryMaintenance: {
        keepLatestJobs: 2,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      },
    });
    expect(release.serverArgs).toEqual(
      expect.arrayContaining([
        '--keep-latest-maintenance-jobs=2',
        '--maintenance-job-cpu-request=100m',
        '--maintenance-job-mem-request=256Mi',
        '--maintenance-job-cpu-limit=1',
        '--maintenance-job-mem-limit=1Gi',
      ]),
    );
    expect(release.repositoryMaintenanceConfigMap).toBeUndefined();
  });

  test.each(['v1.17.2', 'v1.18.2'])(
    '%s takes them from the repo-maintenance ConfigMap (the flags are gone)',
    (version) => {
      const { app, release } = buildStackWith(
        version,
        {
          repositoryMaintenance: {
            keepLatestJobs: 2,
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
          },
        },
        true,
      );
      expect(release.serverArgs).toContain('--repo-maintenance-job-configmap=velero-repo-maintenance');
      expect(release.serverArgs.some((a) => a.startsWith('--keep-latest') || a.startsWith('--maintenance-job-'))).toBe(
        false,
      );
      const cm = renderApp(app).find(
        (o) => o.object.kind === 'ConfigMap' && o.object.metadata.name === 'velero-repo-maintenance',
      )!;
      expect(JSON.parse((cm.object as Json).data.global)).toEqual({
        keepLatestMaintenanceJobs: 2,
        podResources: { cpuRequest: '100m', memoryRequest: '256Mi', cpuLimit: '1', memoryLimit: '1Gi' },
      });
    },
  );

  test('a flag the line does not know is refused, naming the lines that know it', () => {
    expect(() => checkFlags('server', 'v1.17.2', ['server', '--keep-latest-maintenance-jobs=3'])).toThrow(
      'velero server v1.17.2 has no flag --keep-latest-maintenance-jobs (read from pkg/cmd at v1.17.2); only v1.15.x, v1.16.x know it',
    );
    expect(() => checkFlags('server', 'v1.17.2', ['server', '--concurrent-backups=2'])).toThrow(
      /only v1\.18\.x know it/,
    );
    expect(() =>
      checkFlags('node-agent', 'v1.17.2', ['node-agent', 'server', '--backup-repository-configmap=x']),
    ).toThrow(/velero node-agent server v1\.17\.2 has no flag --backup-repository-configmap/);
  });

  test('the flag sets differ exactly where the changelogs say', () => {
    const [l15, l16, l17, l18] = VELERO_LINES;
    const diff = (a: readonly string[], b: readonly string[]) => ({
      added: b.filter((f) => !a.includes(f)),
      removed: a.filter((f) => !b.includes(f)),
    });
    expect(diff(l15.serverFlags, l16.serverFlags)).toEqual({ added: ['item-block-worker-count'], removed: [] });
    expect(diff(l16.serverFlags, l17.serverFlags)).toEqual({
      added: ['volume-group-snapshot-label-key'],
      removed: [...MAINTENANCE_JOB_FLAGS],
    });
    expect(diff(l17.serverFlags, l18.serverFlags)).toEqual({ added: ['concurrent-backups'], removed: [] });
    expect(diff(l17.nodeAgentFlags, l18.nodeAgentFlags)).toEqual({
      added: ['backup-repository-configmap'],
      removed: [],
    });
    for (const l of VELERO_LINES)
      expect(l.serverFlags).toEqual(expect.arrayContaining(['features', 'uploader-type', 'log-level']));
  });
});

/** A bare release of `version` (LocalStack), with extra props. */
function buildStackWith(version: string, props: Partial<VeleroReleaseProps>): VeleroRelease;
function buildStackWith(
  version: string,
  props: Partial<VeleroReleaseProps>,
  withApp: true,
): { app: App; release: VeleroRelease };
function buildStackWith(version: string, props: Partial<VeleroReleaseProps>, withApp?: true) {
  const app = new App();
  const release = new VeleroRelease(new Chart(app, 'c'), 'Velero', {
    storage: StorageProfile.localStack(),
    version,
    ...props,
  });
  return withApp ? { app, release } : release;
}

describe('README', () => {
  test('the kube-prometheus-stack values in the README are the ones the plan report renders', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(kubePrometheusStackValues());
  });
});
