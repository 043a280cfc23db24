// The package as a user gets it, for `npm run bench` (scripts/bench.mjs): `npm pack` (prepack builds it) into
// `work`, then the tarball installed OFFLINE into a fresh project `work/project`, with a lockfile derived from
// this repository's package-lock.json (the approach of test/cli/package.test.ts, which keeps its own TypeScript copy
// for now: sharing this ES module with a jest test file is left for later, to keep this change small).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(args, cwd) {
  const r = spawnSync(npm, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The lock entries of `roots` and everything they depend on (peers included), at the same paths, dev flags dropped. */
export function lockClosure(root, roots) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  const out = {};
  const resolvePath = (from, name) => {
    for (let base = from; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (lock[candidate]) return candidate;
      if (!base) throw new Error(`package-lock.json has no ${name} for ${from || 'the root'}`);
    }
  };
  const queue = roots.map((name) => resolvePath('', name));
  while (queue.length) {
    const path = queue.pop();
    if (out[path]) continue;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the repository's dev/peer flags are not the project's
    const { dev, devOptional, peer, ...entry } = lock[path];
    out[path] = entry;
    const meta = entry.peerDependenciesMeta ?? {};
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((n) => !meta[n]?.optional);
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...peers]) queue.push(resolvePath(path, name));
    for (const nested of Object.keys(lock).filter((p) => p.startsWith(`${path}/node_modules/`) && lock[p].inBundle)) {
      out[nested] = lock[nested];
    }
  }
  return out;
}

/**
 * Packs the repository at `root` into `work` and installs the tarball, with cdk8s and constructs (the peers),
 * into `work/project` (`npm ci --offline`: npm's cache holds every tarball since the repository's own `npm ci`).
 * Returns the project's directory.
 */
export function installPackage(root, work) {
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const packed = JSON.parse(run(['pack', '--json', '--pack-destination', work], root))[0];
  const project = join(work, 'project');
  mkdirSync(project, { recursive: true });
  const tarball = `file:../${packed.filename}`;
  const manifest = {
    name: 'homelab',
    version: '1.0.0',
    private: true,
    dependencies: {
      'velero-cdk8s': tarball,
      cdk8s: own.devDependencies.cdk8s,
      constructs: own.devDependencies.constructs,
    },
  };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  const { version, license, dependencies, peerDependencies, bin, engines } = own;
  const packages = {
    '': manifest,
    'node_modules/velero-cdk8s': {
      version,
      resolved: tarball,
      integrity: packed.integrity,
      license,
      dependencies,
      peerDependencies,
      bin,
      engines,
    },
    ...lockClosure(root, [...Object.keys(dependencies ?? {}), 'cdk8s', 'constructs']),
  };
  const lockfile = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
  run(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
  return project;
}

/**
 * The seed's config (examples/seed.ts) as a user's main.ts: its imports from this repository's sources become
 * imports from the package (type-only, so Node strips them), and SEED_CONFIG is the default export.
 */
export function seedMainTs(root) {
  const seed = readFileSync(join(root, 'examples', 'seed.ts'), 'utf8');
  return `${seed.replace(/from '\.\.\/[^']+'/g, "from 'velero-cdk8s'")}\nexport default SEED_CONFIG;\n`;
}
