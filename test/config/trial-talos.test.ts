/**
 * Newcomer trial 5 (Talos, TopoLVM or OpenEBS LVM-LocalPV, AWS S3 + Wasabi, Velero 1.16 adopted from the chart, ArgoCD
 * in `gitops`): what that user reads and runs must be true of that user's config, not of the seed's.
 * Fixtures: examples/talos-topolvm-s3-wasabi.yaml, rendered by the renderer (and the packaged command where it says so).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { init } from '../../cli/init';
import { buildConfig } from '../../constructs/backup-fleet';
import { loadConfigFile } from '../../lib/config/load';
import type { BackupStackConfig } from '../../lib/config/types';

const root = join(__dirname, '..', '..');
const example: BackupStackConfig = loadConfigFile(join(root, 'examples', 'talos-topolvm-s3-wasabi.yaml'));
const planOf = (config: BackupStackConfig) => buildConfig(config).planFiles()['BACKUP-PLAN.md'];
const plan = planOf(example);

describe('BACKUP-PLAN.md of ArgoCD in gitops', () => {
  test.each([
    [
      'the rebuild runbook',
      "kubectl -n gitops get configmap argocd-cm -o jsonpath='{.data.resource\\.exclusions}' | grep",
    ],
    [
      'the exclusion check',
      "kubectl -n gitops get configmap argocd-cm -o jsonpath='{.data.resource\\.exclusions}'   #",
    ],
  ])('%s reads argocd-cm in gitops', (_, line) => {
    expect(plan).toContain(line);
  });

  test('no command reads argocd-cm in a namespace ArgoCD does not run in', () => {
    expect(plan).not.toMatch(/kubectl -n argocd /);
  });
});

describe('the schedule table describes each cron over the whole reference week', () => {
  test.each([
    ['15 * * * *', 'every day at 24 times a day UTC'],
    ['*/10 * * * *', 'every day at 144 times a day UTC'],
    ['0 */6 * * 1-5', 'Mon, Tue, Wed, Thu, Fri at 00:00, 06:00, 12:00, 18:00 UTC'],
  ])("'%s' runs %s", (schedule, runs) => {
    const [first, ...rest] = example.schedules!;
    const config = { ...example, schedules: [{ ...first, schedule }, ...rest] };
    const row = planOf(config)
      .split('\n')
      .find((l) => l.startsWith('| hourly-postgres |'));
    expect(row).toContain(`| ${runs} |`);
  });
});

describe('the rebuild runbook brings back every storage location the rebuild reads', () => {
  test.each([
    [
      "the server's Secret",
      'kubectl -n velero create secret generic velero-aws-iam --from-file=credentials=./credentials-velero',
    ],
    [
      "the Wasabi location's own Secret",
      'kubectl -n velero create secret generic velero-wasabi --from-file=cloud=./credentials-wasabi',
    ],
    [
      'the default location Available',
      "kubectl -n velero wait backupstoragelocation/default --for=jsonpath='{.status.phase}'=Available --timeout=10m",
    ],
    [
      'the location of weekly-cluster (the cluster-resources restore) Available',
      "kubectl -n velero wait backupstoragelocation/wasabi --for=jsonpath='{.status.phase}'=Available --timeout=10m",
    ],
  ])('%s', (_, line) => {
    const rebuild = plan.slice(plan.indexOf('### Disaster: the whole cluster rebuilt'));
    const steps = rebuild.slice(0, rebuild.indexOf('Restore 1 of'));
    expect(steps).toContain(line);
  });

  test('a location sharing the server Secret under another key gets both keys in one Secret', () => {
    const locations = [
      example.storageLocations![0],
      { ...example.storageLocations![1], credential: { name: 'velero-aws-iam', key: 'wasabi' } },
    ];
    const text = planOf({ ...example, storageLocations: locations });
    expect(text).toContain(
      'kubectl -n velero create secret generic velero-aws-iam --from-file=credentials=./credentials-velero --from-file=wasabi=./credentials-wasabi',
    );
    expect(text).not.toContain('create secret generic velero-wasabi');
  });
});

describe("the README's TypeScript path: main.ts with `export default ... satisfies BackupStackConfig`", () => {
  const mainTs = [
    "import type { BackupStackConfig } from 'velero-cdk8s';",
    '',
    'export default {',
    "  storageLocations: [{ provider: 's3', bucket: 'homelab-velero-eu-7c21', region: 'eu-central-1' }],",
    "  schedules: [{ name: 'daily', schedule: '30 2 * * *', ttl: '720h', includedNamespaces: ['postgres'] }],",
    "  argocd: { namespace: 'gitops', repository: { repoURL: 'https://github.com/me/talos-homelab.git' } },",
    '} satisfies BackupStackConfig;',
    '',
  ].join('\n');
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test.each([
    ['"type": "commonjs" (npm init -y from npm 11)', { type: 'commonjs' }],
    ['no "type"', {}],
    ['"type": "module"', { type: 'module' }],
  ])('loads beside a package.json with %s, and Node warns of nothing', (_, type) => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-talos-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'homelab', version: '1.0.0', ...type }));
    writeFileSync(join(dir, 'main.ts'), mainTs);
    // under Node itself (jest has its own module loader): cli/config.ts through the repository's loader
    const script = [
      `import { loadEntry } from ${JSON.stringify(join(root, 'scripts', 'lib', 'load-entry.mjs'))};`,
      `const { loadConfig } = loadEntry('cli/config.ts');`,
      `console.log(JSON.stringify(loadConfig('main.ts', ${JSON.stringify(dir)}).config.argocd));`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual({
      namespace: 'gitops',
      repository: { repoURL: 'https://github.com/me/talos-homelab.git' },
    });
  });
});

describe('OpenEBS LVM-LocalPV creates no volume from a snapshot: the plan says what cannot be restored', () => {
  const lvm: BackupStackConfig = {
    ...example,
    csi: { ...example.csi, volumeSnapshotClass: { driver: 'local.csi.openebs.io', name: 'lvm-snapclass' } },
  };
  const lvmPlan = planOf(lvm);
  const row = (text: string, ns: string) => text.split('\n').find((l) => l.startsWith(`| ${ns} |`));

  test.each([
    [
      'the warning at the top names the schedule and where upstream says so',
      "so the volume data of 'hourly-postgres' (snapshot data movement) cannot be restored",
    ],
    ['the warning cites the driver at its tag', 'openebs/lvm-localpv@v1.5.0 pkg/driver/controller.go CreateVolume'],
    [
      'the runbooks say no volume comes back from a CSI snapshot',
      '**No volume can be restored from its CSI snapshots.**',
    ],
    [
      'the smoke test backs up by file-system backup',
      'backup-test-pvc --include-namespaces backup-test --default-volumes-to-fs-backup --wait',
    ],
  ])('%s', (_, text) => {
    expect(lvmPlan).toContain(text);
  });

  test.each([
    ['LVM-LocalPV: postgres has the RPO of its file-system backup', lvmPlan, '| 1 d |'],
    ['TopoLVM (the example): postgres has the RPO of its hourly data mover', plan, '| 1 h |'],
  ])('%s', (_, text, rpo) => {
    expect(row(text, 'postgres')).toContain(rpo);
  });

  test.each([
    ['LVM-LocalPV: the data mover stores nothing (its DataUploads fail)', false, lvmPlan],
    ['TopoLVM: the data mover stores the volume', true, plan],
  ])('%s: hourly-postgres has a volume-data cost line: %s', (_, costed, text) => {
    const line = text.split('\n').find((l) => l.startsWith('| hourly-postgres |') && l.includes('volume data'));
    expect(line !== undefined).toBe(costed);
  });

  test('TopoLVM, which restores from its snapshots, gets no such warning', () => {
    expect(plan).not.toContain('creates no volume from a snapshot');
  });
});

describe('a plain prometheus-operator reads ServiceMonitors of its own namespace only: the ServiceMonitor goes there', () => {
  const serviceMonitor = (config: BackupStackConfig) =>
    buildConfig(config).objects.find((o) => o.object.kind === 'ServiceMonitor')!.object as unknown as {
      metadata: { namespace: string; labels: Record<string, string> };
      spec: { namespaceSelector: { matchNames: string[] } };
    };
  const metrics = { ...example.release!.metrics!, serviceMonitorNamespace: undefined };
  test.each([
    ['metrics.serviceMonitorNamespace: monitoring (the example)', example, 'monitoring'],
    ['no serviceMonitorNamespace', { ...example, release: { ...example.release, metrics } }, 'velero'],
  ])('%s: the ServiceMonitor is in %s and scrapes the Service in velero', (_, config, namespace) => {
    const sm = serviceMonitor(config);
    expect([sm.metadata.namespace, sm.spec.namespaceSelector.matchNames, sm.metadata.labels.role]).toEqual([
      namespace,
      ['velero'],
      'service-monitors',
    ]);
  });
});

describe("init beside the package.json of `npm init -y`: BACKUP-PLAN.md's `npm run restore` and `npm run plan` must exist", () => {
  const NPM_INIT = { name: 't27', version: '1.0.0', scripts: { test: 'echo "Error: no test specified" && exit 1' } };
  const WITH_ALL = {
    ...NPM_INIT,
    scripts: Object.fromEntries(
      ['synth', 'check', 'validate', 'prove-alerts', 'plan', 'restore', 'permissions'].map((s) => [s, 'true']),
    ),
  };
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const initIn = (pkg: object) => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-talos-init-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    const lines: string[] = [];
    const code = init(dir, { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) });
    return { dir, code, hint: lines.find((l) => l.includes('npm pkg set')) };
  };

  test("the hint it prints, run verbatim, adds the scripts and keeps the user's own", () => {
    const { dir, code, hint } = initIn(NPM_INIT);
    expect(code).toBe(0);
    const command = hint!.slice(hint!.indexOf('npm pkg set'));
    const r = spawnSync('sh', ['-c', command], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
    });
    expect(r.status).toBe(0);
    const scripts = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts;
    expect([scripts.restore, scripts.plan, scripts.test]).toEqual([
      'velero-cdk8s restore',
      'velero-cdk8s plan',
      NPM_INIT.scripts.test,
    ]);
  });

  test.each([
    ['no script of its own but test', true, NPM_INIT],
    ['every script already', false, WITH_ALL],
  ])('a package.json with %s: prints the hint: %s', (_, printed, pkg) => {
    expect(initIn(pkg).hint !== undefined).toBe(printed);
  });
});

describe('a YAML config is not main.ts: what the user reads names no file of the seed', () => {
  const rule = buildConfig(example).objects.find((o) => o.object.kind === 'PrometheusRule')!.object;
  test.each([
    ['BACKUP-PLAN.md', plan],
    ['the PrometheusRule', JSON.stringify(rule)],
  ])('%s does not mention main.ts', (_, text) => {
    expect(text).not.toContain('main.ts');
  });
});

describe('a drill of a file-system backup schedule: its pod volumes are never snapshotted, so PVCs alone come back empty', () => {
  const [hourly, daily, weekly] = example.schedules!;
  const drilled = (schedule: object) => ({
    ...example,
    schedules: [{ ...hourly, drill: undefined }, { ...daily, ...schedule }, weekly],
  });
  const drillResources = (config: BackupStackConfig) => {
    const cronJob = buildConfig(config).objects.find(
      (o) => o.object.kind === 'CronJob' && o.object.metadata.name === 'restore-drill-daily-apps',
    )!.object as unknown as {
      spec: {
        jobTemplate: { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } };
      };
    };
    return cronJob.spec.jobTemplate.spec.template.spec.containers[0].env.find(
      (e) => e.name === 'DRILL_INCLUDED_RESOURCES',
    )!.value;
  };

  test.each([
    ['with CSI snapshots on (the release default)', { drill: {} }],
    ['with snapshotMoveData too', { drill: {}, snapshotMoveData: true }],
  ])('%s: refused, naming the schedule and what to set', (_, schedule) => {
    expect(() => buildConfig(drilled(schedule))).toThrow(
      "schedules[1] 'daily-apps'.drill: restore drill 'restore-drill-daily-apps': schedule 'daily-apps' keeps volume data by file-system backup",
    );
  });

  test.each([
    [
      'the pods, as the refusal says',
      { drill: { includedResources: ['persistentvolumeclaims', 'pods'] } },
      'persistentvolumeclaims,pods',
    ],
  ])('with includedResources %s: renders them', (_, schedule, resources) => {
    expect(drillResources(drilled(schedule))).toBe(resources);
  });
});

describe('a schedule with file-system backup and snapshotMoveData keeps pod volumes by file-system backup', () => {
  const [hourly, daily, weekly] = example.schedules!;
  const both: BackupStackConfig = {
    ...example,
    schedules: [hourly, { ...daily, snapshotMoveData: true }, weekly],
    restores: [
      {
        name: 'paperless-pvc',
        schedule: 'daily-apps',
        target: { kind: 'pvc', namespace: 'paperless', pvc: 'paperless-media' },
      },
    ],
  };

  test('a PVC restore from it is refused: the PVC alone would come back empty', () => {
    const refusal = () => {
      try {
        buildConfig(both);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(refusal()).toBe(
      "restores[0] 'paperless-pvc'.schedule: 'daily-apps' keeps volume data by file-system backup, which Velero restores only through the restored pods; use a 'namespace' target instead of 'pvc' (docs/pitfalls.md#drill-fs-backup)",
    );
  });

  test("the plan's schedule table says file-system backup", () => {
    const row = planOf({ ...both, restores: [] })
      .split('\n')
      .find((l) => l.startsWith('| daily-apps |'));
    expect(row).toContain('| file-system backup |');
  });
});

describe("Velero 1.16's storage-location alert reads the BSL phase through the user's own kube-state-metrics", () => {
  const release = (text: string) =>
    text.slice(text.indexOf('## Velero release'), text.indexOf('## Coverage per namespace'));
  const kubePrometheusStack: BackupStackConfig = {
    ...example,
    alerts: { ...example.alerts, kubeStateMetrics: undefined },
  };

  test.each([
    [
      'a plain kube-state-metrics (the example)',
      plan,
      'Your kube-state-metrics (ServiceAccount `kube-state-metrics`) loads it',
      '\nextraArgs:\n',
    ],
    [
      'kube-prometheus-stack (no kubeStateMetrics)',
      planOf(kubePrometheusStack),
      'kube-prometheus-stack loads it with these values',
      '\nkube-state-metrics:\n  extraArgs:\n',
    ],
  ])('%s: the plan says who loads the config, with values for it', (_, text, who, values) => {
    expect(release(text)).toContain(who);
    expect(release(text)).toContain(values);
  });

  test('the ConfigMap is named in the namespace it renders into', () => {
    const other = planOf({
      ...example,
      alerts: {
        ...example.alerts,
        kubeStateMetrics: { namespace: 'observability', serviceAccountName: 'kube-state-metrics' },
      },
    });
    expect(release(other)).toContain('(ConfigMap `velero-kube-state-metrics-config` in `observability`');
  });
});
