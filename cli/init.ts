/**
 * `velero-cdk8s init [DIR]`: a starter for the user's own repository. It writes package.json (pinning this
 * package), velero-cdk8s.yaml with its `$schema`, .gitignore, a short README, and a CI workflow for GitHub
 * Actions (.github/workflows/, also read by Gitea) and for Forgejo Actions (.forgejo/workflows/) that run the
 * CI steps (CI_STEPS): `check`, `validate` and `prove-alerts` on the user's own config. Then it renders dist/,
 * so that the first commit passes its own CI. An existing file is never overwritten: in a repository with its own
 * package.json (README, .gitignore) init writes the rest; with a velero-cdk8s.yaml it writes nothing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CliIo } from '../lib/output/cli';
import { synthConfig } from './commands';
import { loadConfig } from './config';

/** The commands the starter's CI runs, in order (the workflows run exactly these). */
export const CI_STEPS: readonly string[] = [
  'npx velero-cdk8s check',
  'npx velero-cdk8s validate',
  'npx velero-cdk8s prove-alerts',
];

/** This package's package.json (the installed package's, or this repository's). */
function ownPackage(): {
  name: string;
  version: string;
  peerDependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
} {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === 'velero-cdk8s') return pkg;
    }
    if (dirname(dir) === dir) throw new Error('init: the velero-cdk8s package.json was not found');
  }
}

const CONFIG = `# yaml-language-server: $schema=node_modules/velero-cdk8s/velero-cdk8s.config.schema.json
# Your Velero backup stack. Every field not given here is its stated default (hover a field in an editor
# with the YAML language server). \`npx velero-cdk8s synth\` renders it into dist/; commit dist/.
storageLocations:
  # where backups go: { provider: backblaze-b2, bucket } or any S3: { provider: s3, bucket, region, s3Url }
  - provider: s3
    bucket: velero-backups
    region: us-east-1
    s3Url: https://s3.example.org
schedules:
  - name: daily
    schedule: '0 3 * * *'
    ttl: 720h
    includedNamespaces: ['*']
    includeClusterResources: true
csi:
  # CSI volume snapshots: enable with your driver's VolumeSnapshotClass (csi.volumeSnapshotClass.driver)
  enabled: false
argocd:
  repository:
    # the Git repository ArgoCD syncs dist/ from: this one
    repoURL: https://git.example.org/me/homelab-backups.git
`;

const GITIGNORE = `node_modules/
dist.tmp-*/
dist.old-*/
.tools/
`;

function readme(name: string): string {
  return `# ${name}

The Velero backup stack of this cluster, rendered by [velero-cdk8s](https://www.npmjs.com/package/velero-cdk8s)
from \`velero-cdk8s.yaml\` into \`dist/\`, which ArgoCD syncs.

\`\`\`sh
npm install                     # once; commit package-lock.json (CI runs npm ci)
npx velero-cdk8s synth          # render dist/ after every check; commit it
npx velero-cdk8s plan           # BACKUP-PLAN.md: coverage, retention, restores
kubectl apply -f dist/bootstrap/  # once: the root Application
\`\`\`

CI (\`.github/workflows/\`, \`.forgejo/workflows/\`) runs ${CI_STEPS.map((s) => `\`${s}\``).join(', ')}: dist/ is what the
config renders, every object is valid, and every alert fires and stays silent as it should (promtool).
\`npx velero-cdk8s --help\` lists every command.
`;
}

function workflow(forge: 'github' | 'forgejo'): string {
  const checkout = forge === 'github' ? 'actions/checkout@v4' : 'https://code.forgejo.org/actions/checkout@v4';
  const setupNode = forge === 'github' ? 'actions/setup-node@v4' : 'https://code.forgejo.org/actions/setup-node@v4';
  const runsOn = forge === 'github' ? 'ubuntu-latest' : 'docker';
  return `# velero-cdk8s: dist/ is what velero-cdk8s.yaml renders, valid, and its alerts are proven (velero-cdk8s init)
name: velero-cdk8s
on:
  push:
  pull_request:
jobs:
  check:
    runs-on: ${runsOn}
    steps:
      - uses: ${checkout}
      - uses: ${setupNode}
        with:
          node-version: 24
      - run: npm ci
      - name: promtool (Debian/Ubuntu's prometheus package)
        run: |
          (command -v sudo >/dev/null && sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends prometheus) ||
            (apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus)
${CI_STEPS.map((step) => `      - run: ${step}`).join('\n')}
`;
}

/** The starter's scripts that the user's own package.json lacks, as [name, command]. */
function missingScripts(own: string, starter: string): [string, string][] {
  let scripts: Record<string, unknown> = {};
  try {
    scripts = (JSON.parse(readFileSync(own, 'utf8')) as { scripts?: Record<string, unknown> }).scripts ?? {};
  } catch {
    // not JSON: npm says so itself
  }
  const wanted = (JSON.parse(starter) as { scripts: Record<string, string> }).scripts;
  return Object.entries(wanted).filter(([name]) => scripts[name] === undefined);
}

/** Writes the starter into `dir`; returns the exit code. */
export function init(dir: string, io: CliIo = console): number {
  const root = resolve(dir);
  const pkg = ownPackage();
  const name =
    basename(root)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-') || 'homelab-backups';
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(
      {
        name,
        version: '1.0.0',
        private: true,
        scripts: {
          synth: 'velero-cdk8s synth',
          check: 'velero-cdk8s check',
          validate: 'velero-cdk8s validate',
          'prove-alerts': 'velero-cdk8s prove-alerts',
          plan: 'velero-cdk8s plan',
          // BACKUP-PLAN.md's runbooks say `npm run restore -- <name>`
          restore: 'velero-cdk8s restore',
          permissions: 'velero-cdk8s permissions',
        },
        devDependencies: {
          [pkg.name]: pkg.version,
          cdk8s: pkg.devDependencies?.cdk8s ?? pkg.peerDependencies.cdk8s,
          constructs: pkg.devDependencies?.constructs ?? pkg.peerDependencies.constructs,
        },
      },
      null,
      2,
    )}\n`,
    'velero-cdk8s.yaml': CONFIG,
    '.gitignore': GITIGNORE,
    'README.md': readme(name),
    '.github/workflows/velero-cdk8s.yml': workflow('github'),
    '.forgejo/workflows/velero-cdk8s.yml': workflow('forgejo'),
  };
  const existing = Object.keys(files).filter((f) => existsSync(join(root, f)));
  // a repository that has its own package.json, README or .gitignore gets the rest; one with a config is done
  if (existing.includes('velero-cdk8s.yaml')) {
    io.error(`init: ${existing.join(', ')} already exist in ${root}; nothing was written (init never overwrites)`);
    return 1;
  }
  const written = Object.keys(files).filter((f) => !existing.includes(f));
  for (const file of written) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), files[file]);
  }
  io.log(
    `init: wrote ${written.join(', ')} in ${root}${existing.length ? `; kept your ${existing.join(', ')} (init never overwrites)` : ''}`,
  );
  const missing = existing.includes('package.json')
    ? missingScripts(join(root, 'package.json'), files['package.json'])
    : [];
  if (missing.length) {
    // BACKUP-PLAN.md's runbooks run `npm run restore -- <name>` and `npm run plan -- --inventory ...`
    io.log(
      `init: your package.json has no ${missing.map((m) => `'${m[0]}'`).join(', ')} script; BACKUP-PLAN.md's runbooks run them: npm pkg set ${missing.map(([n, c]) => `scripts.${n}='${c}'`).join(' ')}`,
    );
  }
  const config = loadConfig(join(root, 'velero-cdk8s.yaml'));
  return synthConfig({ file: 'velero-cdk8s.yaml', config: config.config }, { outDir: join(root, 'dist') }, io);
}
