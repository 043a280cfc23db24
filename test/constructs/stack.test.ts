import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { synthConfig } from '../../cli/commands';
import { render } from '../fixtures/renders';
import { buildApp, repoConfig } from '../fixtures/seed';
import { renderApp, toYaml } from '../../lib/output/output';
import { synthesize } from '../../lib/output/synth';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)).map((f) => `${n}/${f}`) : [n],
  );
}

function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(walk(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('the default stack', () => {
  test('renders the same objects as the snapshot', () => {
    const files = Object.fromEntries(render().map((r) => [`${r.folder}/${r.file}`, r.object]));
    expect(files).toMatchSnapshot();
  });

  test("adopts a velero install: the seed's server, metrics Service and node-agent select as upstream does (deploy: velero)", () => {
    const files = Object.fromEntries(render().map((r) => [`${r.folder}/${r.file}`, r.object]));
    const deployment = files['velero/Deployment_apps_velero_velero.yaml'] as any;
    expect(deployment.spec.selector).toEqual({ matchLabels: { deploy: 'velero' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ deploy: 'velero', component: 'velero' });
    expect((files['velero/Service_core_velero_velero.yaml'] as any).spec.selector).toEqual({ deploy: 'velero' });
  });

  test("the snapshot alert's first steps read the controller's logs where the CSI stack runs it (synology-csi)", () => {
    const rule = render().find((r) => r.object.kind === 'PrometheusRule')!.object as unknown as {
      spec: { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] };
    };
    const snapshot = rule.spec.groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === 'VeleroVolumeSnapshotLocationUnavailable')!;
    expect(snapshot.annotations!.description).toContain('kubectl -n synology-csi logs deploy/snapshot-controller');
    expect(snapshot.annotations!.description).not.toContain('kube-system');
  });

  test('two renders are byte-identical', () => {
    const a = renderApp(buildApp()).map((r) => toYaml(r.object));
    const b = renderApp(buildApp()).map((r) => toYaml(r.object));
    expect(a).toEqual(b);
  });

  test('dist/ holds exactly the objects the app built, one per file, nothing lost or merged', () => {
    const out = mkdtempSync(join(tmpdir(), 'stack-'));
    try {
      const { objects } = synthesize(() => buildApp(), { outDir: join(out, 'dist') });
      const onDisk = walk(join(out, 'dist'))
        .filter((f) => f.endsWith('.yaml'))
        .flatMap((f) =>
          parseAllDocuments(readFileSync(join(out, 'dist', f), 'utf8')).map((d) => ({ file: f, object: d.toJSON() })),
        );
      expect(onDisk).toHaveLength(objects.length);
      const byFile = (list: { file: string; object: unknown }[]) =>
        Object.fromEntries(list.map((d) => [d.file, d.object]));
      expect(byFile(onDisk)).toEqual(byFile(objects.map((o) => ({ file: `${o.folder}/${o.file}`, object: o.object }))));
      for (const d of onDisk) expect(d.file.split('/')).toHaveLength(2); // folder/file: no nesting ArgoCD would skip
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('object names are explicit: no cdk8s hash suffixes', () => {
    for (const r of render())
      expect(r.object.metadata.name ?? r.object.metadata.generateName).not.toMatch(/-c8[0-9a-f]{6,}$/);
  });

  test("the committed dist/ is what this repository's config (main.ts) renders", () => {
    const out = mkdtempSync(join(tmpdir(), 'stack-'));
    try {
      const io = { log: () => undefined, error: console.error };
      expect(synthConfig({ file: 'main.ts', config: repoConfig() }, { outDir: join(out, 'dist') }, io)).toBe(0);
      expect(readTree(join(__dirname, '..', '..', 'dist'))).toEqual(readTree(join(out, 'dist')));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('atomic synth', () => {
  test('a failing build leaves the previous output byte-identical', () => {
    const out = mkdtempSync(join(tmpdir(), 'stack-'));
    const dist = join(out, 'dist');
    try {
      synthesize(() => buildApp(), { outDir: dist });
      writeFileSync(join(dist, 'marker.txt'), 'previous');
      const before = readTree(dist);
      expect(() =>
        synthesize(
          () => {
            throw new Error("schedule 'daily': ttl must be at least 1h, got '30m'");
          },
          { outDir: dist },
        ),
      ).toThrow("schedule 'daily': ttl must be at least 1h, got '30m'");
      expect(readTree(dist)).toEqual(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('a failing check leaves the previous output byte-identical and names every problem', () => {
    const out = mkdtempSync(join(tmpdir(), 'stack-'));
    const dist = join(out, 'dist');
    try {
      synthesize(() => buildApp(), { outDir: dist });
      const before = readTree(dist);
      expect(() =>
        synthesize(() => buildApp(), { outDir: dist, checks: [() => ['first problem', 'second problem']] }),
      ).toThrow('synth refused: 2 problem(s); nothing was written\n  - first problem\n  - second problem');
      expect(readTree(dist)).toEqual(before);
      expect(readdirSync(out)).toEqual(['dist']); // no temporary directories left behind
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('a first synth creates the output directory', () => {
    const out = mkdtempSync(join(tmpdir(), 'stack-'));
    try {
      synthesize(() => buildApp(), { outDir: join(out, 'dist') });
      expect(existsSync(join(out, 'dist', 'velero'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
