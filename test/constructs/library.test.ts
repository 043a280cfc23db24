/**
 * BackupStack inside a user's own cdk8s App (issue 24): next to the user's charts, the stack's checks apply to
 * its own charts only, a user's chart cannot merge into one of the stack's folders, and under the App's own
 * `app.synth()` the Applications point at the files cdk8s writes (one folder or one file per chart), while the
 * layouts that mix every chart into one folder are refused.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { BackupStack } from '../../constructs/backup-stack';
import type { BackupStackConfig } from '../../lib/config/types';
import { runSynth } from '../../lib/output/cli';
import { renderApp } from '../../lib/output/output';

const CONFIG: BackupStackConfig = {
  storageLocations: [{ provider: 'localstack' }],
  csi: { enabled: false },
  argocd: { repository: { repoURL: 'https://git.example.org/me/homelab.git', distPath: 'out' } },
};

/** A user's chart with a Deployment on a `latest` image (which the stack's own invariants refuse). */
function userChart(app: App, id: string): Chart {
  const chart = new Chart(app, id);
  new ApiObject(chart, 'Whoami', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'whoami', namespace: 'apps' },
    spec: {
      selector: { matchLabels: { app: 'whoami' } },
      template: {
        metadata: { labels: { app: 'whoami' } },
        spec: { containers: [{ name: 'whoami', image: 'traefik/whoami:latest' }] },
      },
    },
  });
  return chart;
}

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'library-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

describe("the package's own writer (runSynth)", () => {
  test("checks the stack's folders only: a user's chart on a `latest` image is written as it is", () => {
    const app = new App();
    userChart(app, 'whoami');
    const stack = new BackupStack(app, 'backups', CONFIG);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(runSynth(() => ({ app, release: stack.release, plan: stack.plan }), { outDir: join(out, 'out') })).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(readdirSync(join(out, 'out', 'whoami'))).toEqual(['Deployment_apps_apps_whoami.yaml']);
  });

  test("refuses a user's chart named like one of the stack's folders instead of merging it", () => {
    const app = new App();
    userChart(app, 'applications');
    new BackupStack(app, 'backups', CONFIG);
    expect(() => renderApp(app)).toThrow(
      "output: charts 'applications' and 'backups/applications' both render into the folder 'applications/'; a chart's id is its folder, so rename one of them",
    );
  });
});

/** Every Application's synced files under the App's output directory: `path` + `directory.include`. */
function syncedFiles(root: string): Record<string, string[]> {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(d, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
    );
  const synced: Record<string, string[]> = {};
  for (const f of files(join(root, 'out'))) {
    for (const doc of parseAllDocuments(readFileSync(join(root, 'out', f), 'utf8'))) {
      const o = doc.toJS();
      if (o?.kind !== 'Application' || !o.spec.source?.path) continue;
      const dir = join(root, o.spec.source.path);
      const glob = new RegExp(`^${o.spec.source.directory.include.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
      synced[o.metadata.name] = existsSync(dir) ? readdirSync(dir).filter((n) => glob.test(n)) : [];
    }
  }
  return synced;
}

describe("the App's own synth (app.synth(), cdk8s synth)", () => {
  test.each([
    [
      'FILE_PER_CHART',
      YamlOutputType.FILE_PER_CHART,
      { velero: ['backups-velero-c83e2ea9.k8s.yaml'], 'velero-cdk8s': ['backups-applications-c8f9e3f3.k8s.yaml'] },
    ],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, undefined],
  ])("with %s, every Application syncs exactly its chart's files, never the user's", (_, yamlOutputType, expected) => {
    const app = new App({ outdir: join(out, 'out'), yamlOutputType });
    userChart(app, 'velero');
    new BackupStack(app, 'backups', CONFIG);
    const cwd = process.cwd();
    process.chdir(out); // the Applications' paths are relative to the repository root
    try {
      app.synth();
    } finally {
      process.chdir(cwd);
    }
    const synced = syncedFiles(out);
    expect(Object.keys(synced).sort()).toEqual(['velero', 'velero-cdk8s']);
    if (expected) expect(synced).toEqual(expected);
    for (const list of Object.values(synced)) {
      expect(list.length).toBeGreaterThan(0);
      expect(list.some((f) => /whoami/i.test(f))).toBe(false);
    }
  });

  test.each([
    ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
    ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE],
  ])("refuses %s: no Application could sync the stack apart from the user's charts", (name, yamlOutputType) => {
    const app = new App({ outdir: join(out, 'out'), yamlOutputType });
    new BackupStack(app, 'backups', CONFIG);
    expect(() => app.synth()).toThrow(
      `the App's yamlOutputType ${name} writes every chart into one folder, which no ArgoCD Application can sync apart`,
    );
  });

  const secret = (chart: Chart) =>
    new ApiObject(chart, 'Creds', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'velero' },
      stringData: { cloud: 'aws_secret_access_key=x' },
    });
  test.each([
    ["in the user's own chart: written as it is", false],
    ["in the stack's velero chart: refused, nothing written", true],
  ])("runs the stack's checks on its own charts only: a credentials Secret %s", (_, inStack) => {
    const app = new App({ outdir: join(out, 'out') });
    const mine = userChart(app, 'whoami');
    const stack = new BackupStack(app, 'backups', CONFIG);
    secret(inStack ? stack.charts.find((c) => c.node.id === 'velero')! : mine);
    if (inStack) {
      expect(() => app.synth()).toThrow(/Secret/);
      expect(existsSync(join(out, 'out', 'backups-velero-c83e2ea9.k8s.yaml'))).toBe(false);
    } else {
      expect(() => app.synth()).not.toThrow();
    }
  });
});
