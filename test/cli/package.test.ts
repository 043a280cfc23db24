/**
 * The package as a user gets it: `npm pack` (which builds it), installed from the tarball OFFLINE into a
 * fresh project (cdk8s and constructs, the peers, from npm's local cache, as `npm ci` left them), then used
 * three ways under this Node (24): a TypeScript consumer compiled with the cdk8s template's tsconfig, a plain
 * JavaScript consumer, and `npx velero-cdk8s synth` of a YAML config. The consumers each render a chart of
 * their own next to the stack; every Application the stack renders points at files that exist. The project
 * gets neither TypeScript nor any devDependency of this repository (its compiler is the consumer's own tool,
 * here this repository's tsc run from outside the project).
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { findPromtool } from '../../lib/alerts/promtool';
import { ROOT } from '../fixtures/checkout';

jest.setTimeout(300_000);

const FIXTURE = join(__dirname, '..', 'fixtures', 'consumer');
const ownPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
let work: string;
let project: string;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const npm = (args: string[], cwd: string) => run('npm', args, cwd);

/** Every file under `dir`, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? files(join(dir, n)).map((f) => `${n}/${f}`) : [n],
  );
}

/** Every object of the YAML files under `dir`. */
function objectsUnder(dir: string): { file: string; object: any }[] {
  return files(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => ({ file: f, object: d.toJS() })));
}

/** The files of the project each Application of `dir` syncs: `path` + `directory.include`, as ArgoCD reads them. */
function synced(dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { object } of objectsUnder(join(project, dir))) {
    if (object?.kind !== 'Application' || !object.spec.source?.path) continue;
    const { path, directory } = object.spec.source;
    const folder = join(project, path);
    const glob = new RegExp(`^${String(directory.include).replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
    out[object.metadata.name] = existsSync(folder)
      ? readdirSync(folder).filter((f) => glob.test(f) && statSync(join(folder, f)).isFile())
      : [];
  }
  return out;
}

type LockEntry = { version?: string; dependencies?: Record<string, string>; [k: string]: unknown };

/**
 * The lock entries (this repository's package-lock.json) of `roots` and everything they depend on, at the
 * same paths, as a fresh project's lockfile would hold them: `npm ci --offline` then installs exactly these
 * versions from the tarballs npm's cache holds since this repository's own `npm ci` (an offline install
 * without a lockfile would need the registry's package documents, which `npm ci` never fetches).
 */
function lockClosure(roots: readonly string[]): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages as Record<string, LockEntry>;
  const out: Record<string, LockEntry> = {};
  const resolvePath = (from: string, name: string): string => {
    for (let base = from; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (lock[candidate]) return candidate;
      if (!base) throw new Error(`package-lock.json has no ${name} for ${from || 'the root'}`);
    }
  };
  const queue = roots.map((name) => resolvePath('', name));
  while (queue.length) {
    const path = queue.pop()!;
    if (out[path]) continue;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the repository's dev/peer flags are not the project's
    const { dev, devOptional, peer, ...entry } = lock[path] as LockEntry & {
      dev?: boolean;
      devOptional?: boolean;
      peer?: boolean;
    };
    out[path] = entry;
    const meta = (entry.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>;
    const peers = Object.keys((entry.peerDependencies ?? {}) as Record<string, string>).filter(
      (n) => !meta[n]?.optional,
    );
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...peers]) queue.push(resolvePath(path, name));
    for (const nested of Object.keys(lock).filter((p) => p.startsWith(`${path}/node_modules/`) && lock[p].inBundle)) {
      out[nested] = lock[nested];
    }
  }
  return out;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'package-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT))[0];
  project = join(work, 'project');
  cpSync(FIXTURE, project, { recursive: true });
  const manifest = {
    name: 'homelab',
    version: '1.0.0',
    private: true,
    dependencies: {
      'velero-cdk8s': `file:../${packed.filename}`,
      cdk8s: ownPackage.devDependencies.cdk8s,
      constructs: ownPackage.devDependencies.constructs,
    },
    // the cdk8s template's own devDependency for its tsconfig (node types)
    devDependencies: { '@types/node': ownPackage.devDependencies['@types/node'] },
  };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  const { name, version, license, dependencies, peerDependencies, bin, engines } = ownPackage;
  const packages = {
    '': manifest,
    'node_modules/velero-cdk8s': {
      version,
      resolved: `file:../${packed.filename}`,
      integrity: packed.integrity,
      license,
      dependencies,
      peerDependencies,
      bin,
      engines,
    },
    ...lockClosure([...Object.keys(dependencies), 'cdk8s', 'constructs', '@types/node']),
  };
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify(
      { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages },
      null,
      2,
    ),
  );
  expect(name).toBe('velero-cdk8s');
  npm(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the tarball', () => {
  test('holds the compiled library with its types, the schemas, the command, LICENSE and CHANGELOG, and no sources or tests', () => {
    const installed = join(project, 'node_modules', 'velero-cdk8s');
    const all = files(installed);
    for (const f of [
      'build/index.js',
      'build/index.d.ts',
      'build/generated/drill-runner.js',
      'build/generated/core-validators.js',
      'bin/velero-cdk8s.js',
      'schemas/index.json',
      'velero-cdk8s.config.schema.json',
      'LICENSE',
      'CHANGELOG.md',
      'README.md',
    ]) {
      expect([f, all.includes(f)]).toEqual([f, true]);
    }
    expect(all.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(all.filter((f) => /^(test|dist|bench|scripts|\.ci)\//.test(f))).toEqual([]);
  });

  test('brings no TypeScript, esbuild, kubernetes-models or other devDependency of this repository, and one cdk8s', () => {
    const modules = readdirSync(join(project, 'node_modules'));
    const dev = Object.keys(ownPackage.devDependencies).filter(
      (d) => !['cdk8s', 'constructs', '@types/node'].includes(d),
    );
    expect(dev.filter((d) => existsSync(join(project, 'node_modules', d)))).toEqual([]);
    expect(modules).not.toContain('typescript');
    const copies = npm(['ls', 'cdk8s', 'constructs', '--all', '--parseable'], project)
      .split('\n')
      .filter(Boolean)
      .map((p) => relative(project, p));
    expect(copies.sort()).toEqual(['node_modules/cdk8s', 'node_modules/constructs']);
  });
});

describe('a TypeScript consumer (the cdk8s template tsconfig), compiled and run', () => {
  beforeAll(() => {
    cpSync(
      join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app', 'tsconfig.json'),
      join(project, 'tsconfig.json'),
    );
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project);
    run(process.execPath, ['main.js'], project);
  });

  test('renders its own chart and the stack next to it, each in its own file', () => {
    const out = files(join(project, 'dist-ts'));
    expect(out).toContain('applications.k8s.yaml');
    const velero = out.find((f) => /^backups-velero-[0-9a-f]+\.k8s\.yaml$/.test(f));
    expect(velero).toBeDefined();
    const kinds = objectsUnder(join(project, 'dist-ts'))
      .filter((o) => o.file === velero)
      .map((o) => o.object.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'BackupStorageLocation', 'PrometheusRule']));
  });

  test("every Application syncs exactly its chart's file, and none the user's", () => {
    const byApp = synced('dist-ts');
    expect(Object.keys(byApp).sort()).toEqual(['velero', 'velero-cdk8s']);
    for (const [, list] of Object.entries(byApp)) {
      expect(list).toHaveLength(1);
      expect(list[0]).not.toBe('applications.k8s.yaml');
    }
  });
});

describe('a plain JavaScript consumer, one folder per chart', () => {
  beforeAll(() => {
    run(process.execPath, ['app.js'], project);
  });

  test("every Application syncs its chart's folder, and the user's chart 'velero' keeps its own", () => {
    const byApp = synced('dist-js');
    expect(Object.keys(byApp).sort()).toEqual(['velero', 'velero-cdk8s']);
    for (const list of Object.values(byApp)) expect(list.length).toBeGreaterThan(0);
    expect(files(join(project, 'dist-js', 'velero'))).toEqual(['ConfigMap.mine.k8s.yaml']);
  });
});

describe('npx velero-cdk8s with a YAML config', () => {
  test('synth finds velero-cdk8s.yaml and writes one folder per Application with BACKUP-PLAN.md', () => {
    expect(run('npx', ['--offline', 'velero-cdk8s', 'synth'], project)).toMatch(/^synth: \d+ objects written to /);
    expect(readdirSync(join(project, 'dist')).sort()).toEqual(
      ['BACKUP-PLAN.md', 'applications', 'bootstrap', 'velero'].sort(),
    );
    for (const list of Object.values(synced('dist'))) expect(list.length).toBeGreaterThan(0);
  });

  test.each([['check'], ['validate']])('%s passes on what synth wrote', (command) => {
    run(process.execPath, [join(project, 'node_modules', '.bin', 'velero-cdk8s'), command], project);
  });
});

/** The README's TypeScript quick start: its code blocks headed `// main.mts`, verbatim (the typed config, the construct). */
const README_MTS = [
  ...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^( *)```ts\n\1\/\/ main\.mts\n([\s\S]*?)^\1```$/gm),
].map((m) =>
  m[2]
    .split('\n')
    .map((l) => l.slice(m[1].length))
    .join('\n'),
);

describe('the README\'s TypeScript quick start, in a project `npm init -y` made (npm 11: "type": "commonjs")', () => {
  const bin = () => join(project, 'node_modules', '.bin', 'velero-cdk8s');
  /** A fresh `npm init -y` project under the installed one (whose node_modules it resolves), with `file` written. */
  const scratch = (name: string, file: string, text: string): string => {
    const dir = join(project, name);
    mkdirSync(dir);
    npm(['init', '-y'], dir);
    writeFileSync(join(dir, file), text);
    return dir;
  };

  test('the README has the two blocks: a typed config and a construct in an App', () => {
    expect(README_MTS).toHaveLength(2);
    expect(README_MTS[0]).toMatch(/^export default \{$/m);
    expect(README_MTS[1]).toMatch(/^app\.synth\(\);$/m);
  });

  test('npm init -y writes "type": "commonjs", the case the quick start is for', () => {
    const dir = scratch('readme-init', 'README.md', '');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type).toBe('commonjs');
  });

  test('the typed config main.mts: velero-cdk8s synth finds it and renders', () => {
    const dir = scratch('readme-config', 'main.mts', README_MTS[0]);
    expect(run(process.execPath, [bin(), 'synth'], dir)).toMatch(/^synth: \d+ objects written to /);
    expect(readdirSync(join(dir, 'dist'))).toContain('BACKUP-PLAN.md');
  });

  test('the construct main.mts: node main.mts renders the stack next to the chart', () => {
    const dir = scratch('readme-app', 'main.mts', README_MTS[1]);
    run(process.execPath, ['main.mts'], dir);
    expect(files(join(dir, 'dist')).filter((f) => /^backups-velero-[0-9a-f]+\.k8s\.yaml$/.test(f))).toHaveLength(1);
  });

  test('the typed config as main.ts (a "commonjs" package): velero-cdk8s synth loads it as an ES module and renders', () => {
    const dir = scratch('readme-main-ts', 'main.ts', README_MTS[0]);
    const r = spawnSync(process.execPath, [bin(), 'synth'], { cwd: dir, encoding: 'utf8' });
    // no syntax error, no Node warning: only the plan's own warning (the quick start names no CSI driver)
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/SyntaxError|ExperimentalWarning|MODULE_TYPELESS|Failed to load/);
    expect(readdirSync(join(dir, 'dist'))).toContain('BACKUP-PLAN.md');
  });

  test('a main.ts that imports its schedules from ./schedules.ts (both ES syntax, a "commonjs" package) renders them', () => {
    const dir = scratch(
      'readme-main-ts-import',
      'schedules.ts',
      "export const schedules = [{ name: 'nightly', schedule: '0 2 * * *', includedNamespaces: ['apps'] }];\n",
    );
    writeFileSync(
      join(dir, 'main.ts'),
      "import { schedules } from './schedules.ts';\nexport default { storageLocations: [{ provider: 's3', bucket: 'velero', region: 'us-east-1' }], schedules };\n",
    );
    const r = spawnSync(process.execPath, [bin(), 'synth'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(files(join(dir, 'dist')).some((f) => f.includes('nightly'))).toBe(true);
  });
});

describe('velero-cdk8s init: a starter repository', () => {
  let starter: string;
  const promtool = findPromtool();
  beforeAll(() => {
    starter = join(project, 'starter');
    run(process.execPath, [join(project, 'node_modules', '.bin', 'velero-cdk8s'), 'init', 'starter'], project);
  });

  test('pins the package, states the $schema, and renders dist/', () => {
    const manifest = JSON.parse(readFileSync(join(starter, 'package.json'), 'utf8'));
    expect(manifest.devDependencies['velero-cdk8s']).toBe(ownPackage.version);
    expect(readFileSync(join(starter, 'velero-cdk8s.yaml'), 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=node_modules\/velero-cdk8s\/velero-cdk8s\.config\.schema\.json\n/,
    );
    expect(existsSync(join(project, 'node_modules', 'velero-cdk8s', 'velero-cdk8s.config.schema.json'))).toBe(true);
    expect(readdirSync(join(starter, 'dist'))).toContain('BACKUP-PLAN.md');
  });

  test('passes the steps of its own CI workflows (GitHub/Gitea and Forgejo), the same in both', () => {
    const steps = (file: string): string[] =>
      parse(readFileSync(join(starter, file), 'utf8'))
        .jobs.check.steps.map((step: { run?: string }) => step.run)
        .filter((cmd: string | undefined) => cmd?.startsWith('npx velero-cdk8s '));
    const github = steps('.github/workflows/velero-cdk8s.yml');
    expect(steps('.forgejo/workflows/velero-cdk8s.yml')).toEqual(github);
    expect(github.map((c) => c.split(' ')[2])).toEqual(['check', 'validate', 'prove-alerts']);
    if (!promtool && process.env.CI === 'true') throw new Error('promtool not found under CI=true');
    for (const step of github.filter((c) => promtool || !c.endsWith('prove-alerts'))) {
      const r = spawnSync(
        process.execPath,
        [join(project, 'node_modules', '.bin', 'velero-cdk8s'), ...step.split(' ').slice(2)],
        { cwd: starter, encoding: 'utf8', env: { ...process.env, PROMTOOL: promtool ?? '' } },
      );
      expect([step, r.status, r.stderr]).toEqual([step, 0, '']);
    }
  });

  test('never overwrites: a second init writes nothing and exits 1', () => {
    const before = readFileSync(join(starter, 'velero-cdk8s.yaml'), 'utf8');
    const r = spawnSync(process.execPath, [join(project, 'node_modules', '.bin', 'velero-cdk8s'), 'init', 'starter'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^init: package\.json, velero-cdk8s\.yaml, .* already exist/);
    expect(readFileSync(join(starter, 'velero-cdk8s.yaml'), 'utf8')).toBe(before);
  });
});
