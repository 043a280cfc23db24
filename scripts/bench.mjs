#!/usr/bin/env node
// `npm run bench`: paired timing runs of the synth and test toolchains; writes docs/benchmarks.md.
//
// One warm-up round, then N paired rounds (default 5, at least 5): each round runs every command once, in
// the same order, so machine noise hits them alike; the ratios between medians are what the targets are
// about. Every synth writes to a temporary directory, and the outputs of `npm run synth`, `cdk8s synth` and
// the template toolchain T are compared with the committed dist/ byte for byte (a fast but different
// output fails the bench). The "where the time goes" section is measured too: the synth's own step
// timings (VELERO_CDK8S_TIMINGS=1, one extra run per round) and jest's per-file durations.
// Options: --runs N, --skip-template (skip the slow ts-node toolchain T), --skip-test (skip `npm test`),
// --skip-ci (skip timing CI's parts in a fresh clone, see ciParts).
// Set-up: the package as a user installs it (scripts/lib/install-package.mjs: `npm pack`, the tarball installed
// offline into a fresh project), with examples/b2-homelab.yaml as its velero-cdk8s.yaml and, in a second
// project sharing its node_modules, the seed's config (examples/seed.ts) as its main.ts.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { installPackage, seedMainTs } from './lib/install-package.mjs';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const runs = Math.max(5, Number(args[args.indexOf('--runs') + 1]) || 5);
const skipTemplate = args.includes('--skip-template');
const skipTest = args.includes('--skip-test');
const skipCi = args.includes('--skip-ci');
const work = mkdtempSync(join(tmpdir(), 'velero-cdk8s-bench-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const cdk8s = join(root, 'node_modules', '.bin', 'cdk8s');
const out = (name) => join(work, name);
let round = 0;

/** The installed package's projects: `yaml` (velero-cdk8s.yaml) and `ts` (main.ts, node_modules linked). */
function installedProjects() {
  const yaml = installPackage(root, work);
  copyFileSync(join(root, 'examples', 'b2-homelab.yaml'), join(yaml, 'velero-cdk8s.yaml'));
  const ts = join(work, 'project-main-ts');
  mkdirSync(ts);
  symlinkSync(join(yaml, 'node_modules'), join(ts, 'node_modules'));
  writeFileSync(join(ts, 'main.ts'), seedMainTs(root));
  return { yaml, ts };
}
let installed;
try {
  console.error('bench: packing and installing the package into a fresh project');
  installed = installedProjects();
} catch (e) {
  rmSync(work, { recursive: true, force: true });
  throw e;
}
const installedBin = join('node_modules', '.bin', 'velero-cdk8s');

const commands = [
  {
    key: 'node',
    label: '`node -e ""` (a bare Node process)',
    cmd: [process.execPath, '-e', ''],
  },
  {
    key: 'F',
    label: 'F: `node` loading cdk8s + cdk8s-plus-30 (the floor)',
    cmd: [process.execPath, '-e', "require('cdk8s'); require('cdk8s-plus-30')"],
  },
  {
    key: 'synth',
    label: '`npm run synth` (default stack: builds, checks, validates, writes)',
    cmd: [npm, 'run', '-s', 'synth', '--', '--out', out('synth')],
    output: 'synth',
  },
  {
    key: 'synthNode',
    label: '`node scripts/synth.mjs` (what `npm run synth` runs, without npm)',
    cmd: [process.execPath, 'scripts/synth.mjs', '--out', out('synth-node')],
    output: 'synth-node',
  },
  {
    key: 'installedYaml',
    label:
      'the installed package, YAML config: `node node_modules/.bin/velero-cdk8s synth --config velero-cdk8s.yaml` (examples/b2-homelab.yaml); target ≤ 1.3× F',
    cmd: [process.execPath, installedBin, 'synth', '--config', 'velero-cdk8s.yaml', '--out', out('installed-yaml')],
    cwd: installed.yaml,
  },
  {
    key: 'installedTs',
    label:
      "the installed package, the seed's main.ts: `node node_modules/.bin/velero-cdk8s synth` (no --config); target ≤ 1.5× F",
    cmd: [process.execPath, installedBin, 'synth', '--out', out('installed-ts')],
    cwd: installed.ts,
    output: 'installed-ts',
  },
  {
    key: 'synthOff',
    label: 'the same with every cache off (`VELERO_CDK8S_CACHE=off`: bundles rebuilt, no code cache, no results)',
    cmd: [process.execPath, 'scripts/synth.mjs', '--out', out('synth-off')],
    env: { VELERO_CDK8S_CACHE: 'off' },
    output: 'synth-off',
  },
  {
    key: 'synthNoCode',
    label: 'the same with only the V8 code cache off (`VELERO_CDK8S_CACHE=off:code`)',
    cmd: [process.execPath, 'scripts/synth.mjs', '--out', out('synth-no-code')],
    env: { VELERO_CDK8S_CACHE: 'off:code' },
  },
  {
    key: 'synthNoYaml',
    label: 'the same with only the YAML text results off (`VELERO_CDK8S_CACHE=off:yaml`)',
    cmd: [process.execPath, 'scripts/synth.mjs', '--out', out('synth-no-yaml')],
    env: { VELERO_CDK8S_CACHE: 'off:yaml' },
    output: 'synth-no-yaml',
  },
  {
    key: 'scaleNoYaml',
    label: 'the scale config without npm, YAML text results off (`off:yaml`)',
    cmd: [process.execPath, 'scripts/synth.mjs', '--entry', 'bench/scale-app.ts', '--out', out('scale-no-yaml')],
    env: { VELERO_CDK8S_CACHE: 'off:yaml' },
  },
  {
    key: 'scale',
    label: '`npm run synth` of the scale config (100 schedules, 300 namespaces, 5 BSLs)',
    cmd: [npm, 'run', '-s', 'synth', '--', '--entry', 'bench/scale-app.ts', '--out', out('scale')],
  },
  {
    key: 'scaleNode',
    label: 'the scale config without npm (`node scripts/synth.mjs --entry bench/scale-app.ts`)',
    cmd: [process.execPath, 'scripts/synth.mjs', '--entry', 'bench/scale-app.ts', '--out', out('scale-node')],
  },
  {
    key: 'cdk8s',
    label: '`cdk8s synth --no-check-upgrade` (the CLI running the same entry point)',
    cmd: [cdk8s, 'synth', '--no-check-upgrade', '-o', out('cli')],
    output: 'cli',
  },
  {
    key: 'T',
    label: 'T: the template toolchain (`cdk8s synth`, app `npx ts-node bench/template-app.ts`)',
    cmd: [cdk8s, 'synth', '--no-check-upgrade', '--app', 'npx ts-node bench/template-app.ts', '-o', out('template')],
    output: 'template',
    skip: skipTemplate,
  },
  {
    key: 'typecheck',
    label: '`npm run typecheck` (TypeScript 7, part of `npm test`)',
    cmd: [npm, 'run', '-s', 'typecheck'],
    skip: skipTest,
  },
  {
    key: 'validate',
    label: '`npm run validate` (dist/ against the schemas, part of `npm test`)',
    cmd: [npm, 'run', '-s', 'validate'],
    skip: skipTest,
  },
  {
    key: 'test',
    label: '`npm test` (type-check, schema validation, jest incl. promtool)',
    cmd: () => [npm, 'test', '--silent', '--', '--json', `--outputFile=${out(`jest-${round}.json`)}`],
    skip: skipTest,
  },
].filter((c) => !c.skip);

// issue 16: a fleet of 20 clusters x 10 schedules, paired with the same fleet of one cluster (bench/fleet-*.yaml)
const fleetSynth = (n) => [
  process.execPath,
  'scripts/synth.mjs',
  '--config',
  `bench/fleet-${n}.yaml`,
  '--out',
  out(`fleet-${n}`),
];
commands.push(
  {
    key: 'fleet1',
    label: 'the fleet config with 1 cluster × 10 schedules (`--config bench/fleet-1.yaml`)',
    cmd: fleetSynth(1),
  },
  {
    key: 'fleet20',
    label: 'the fleet config with 20 clusters × 10 schedules (`--config bench/fleet-20.yaml`)',
    cmd: fleetSynth(20),
  },
);
const fleetTargets = (m, target) => {
  const marginal = (m.fleet20 - m.fleet1) / 19;
  return [
    target(
      `fleet: marginal cost of a cluster, (fleet of 20 − fleet of 1) / 19 = ${ms(marginal * 1000)} ms, ≤ 0.3× the single-cluster synth (\`node scripts/synth.mjs\`)`,
      marginal / m.synthNode,
      marginal / m.synthNode <= 0.3,
    ),
  ];
};

function run(cmd, env = {}, cwd = root) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, encoding: 'utf8', env: { ...process.env, CI: '', ...env } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`bench: '${cmd.join(' ')}' failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
  return { seconds, stderr: r.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The step timings a synth prints with VELERO_CDK8S_TIMINGS=1 (scripts/synth.mjs, lib/output/synth.ts), merged. */
function synthTimings(entryArgs, name) {
  const { seconds, stderr } = run([process.execPath, 'scripts/synth.mjs', ...entryArgs, '--out', out(name)], {
    VELERO_CDK8S_TIMINGS: '1',
  });
  const pick = (tag) =>
    JSON.parse(
      stderr
        .split('\n')
        .find((l) => l.startsWith(`${tag} `))
        .slice(tag.length + 1),
    );
  return { ...pick('loader-timings'), ...pick('synth-timings'), total: seconds * 1000 };
}

/** Every file under `dir`, relative path -> content. */
function tree(dir) {
  const files = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

function assertSameAsDist(name) {
  const dist = tree(join(root, 'dist'));
  const got = tree(out(name));
  const differ = [...new Set([...dist.keys(), ...got.keys()])].filter((f) => dist.get(f) !== got.get(f));
  if (differ.length) throw new Error(`bench: the output of '${name}' differs from dist/: ${differ.join(', ')}`);
}

/**
 * CI's `.ci/run`, timed by its parts, once, after the rounds above, in a fresh clone of HEAD in a temporary
 * directory (so nothing sits beside it, as on a user's machine): `npm ci`, promtool's install, lint,
 * `npm test` and `npm run check`, under this process's Node. Not `.ci/run` itself: run from here it would
 * time the checkout's own state. A part that fails is reported as failed, with its time.
 */
function ciParts() {
  const clone = join(work, 'ci-clone');
  spawnSync('git', ['clone', '-q', '--no-local', root, clone], { encoding: 'utf8' });
  const parts = [
    ['npm ci', [npm, 'ci', '--no-audit', '--no-fund']],
    ['install promtool', ['bash', 'scripts/install-promtool.sh']],
    ['lint', [npm, 'run', '-s', 'lint']],
    ['npm test', [npm, 'test', '--silent']],
    ['npm run check', [npm, 'run', '-s', 'check']],
  ];
  const times = [];
  for (const [name, cmd] of parts) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd[0], cmd.slice(1), { cwd: clone, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    const label = r.status === 0 ? name : `${name} (**failed**, exit ${r.status})`;
    if (r.status !== 0) console.error(`bench: CI part '${name}' failed:\n${(r.stderr || r.stdout).slice(-2000)}`);
    times.push([label, Number(process.hrtime.bigint() - t0) / 1e9]);
  }
  return times;
}

const KEEP = '<!-- kept by npm run bench: the text below is written by hand -->';
const fmt = (s) => s.toFixed(2);
const ms = (x) => `${Math.round(x)}`;

try {
  const load = loadavg();
  console.error(`bench: warm-up, then ${runs} paired rounds of ${commands.length} commands`);
  const samples = Object.fromEntries(commands.map((c) => [c.key, []]));
  const timings = { default: [], scale: [] };
  for (round = 0; round <= runs; round++) {
    for (const c of commands) {
      const { seconds } = run(typeof c.cmd === 'function' ? c.cmd() : c.cmd, c.env, c.cwd);
      if (round > 0) samples[c.key].push(seconds);
    }
    if (round > 0) {
      timings.default.push(synthTimings([], 'timed'));
      timings.scale.push(synthTimings(['--entry', 'bench/scale-app.ts'], 'timed-scale'));
    }
    console.error(round === 0 ? 'bench: warm-up done' : `bench: round ${round}/${runs} done`);
  }
  for (const c of commands) if (c.output) assertSameAsDist(c.output);
  const ci = skipCi ? undefined : ciParts();
  const ciTest = ci?.find(([name]) => name.startsWith('npm test'))?.[1];

  const m = Object.fromEntries(commands.map((c) => [c.key, median(samples[c.key])]));
  const rows = commands.map(
    (c) =>
      `| ${c.label} | ${fmt(m[c.key])} | ${fmt(Math.min(...samples[c.key]))} – ${fmt(Math.max(...samples[c.key]))} | ${fmt(m[c.key] / m.F)}× |`,
  );
  const target = (name, ratio, ok) => `| ${name} | ${ratio.toFixed(2)} | ${ok ? 'met' : '**missed**'} |`;
  const targets = [
    target('`npm run synth` ≤ 1.3× F', m.synth / m.F, m.synth / m.F <= 1.3),
    target('(the synth process alone, `node scripts/synth.mjs`) ≤ 1.3× F', m.synthNode / m.F, m.synthNode / m.F <= 1.3),
    ...(m.T ? [target('`npm run synth` ≥ 8× faster than T', m.T / m.synth, m.T / m.synth >= 8)] : []),
    target(
      'the installed package synthesising a YAML config (`velero-cdk8s synth --config velero-cdk8s.yaml`) ≤ 1.3× F',
      m.installedYaml / m.F,
      m.installedYaml / m.F <= 1.3,
    ),
    target(
      "the installed package synthesising the seed's main.ts (`velero-cdk8s synth`) ≤ 1.5× F",
      m.installedTs / m.F,
      m.installedTs / m.F <= 1.5,
    ),
    target('scale config ≤ 1.5× default synth (both `npm run synth`)', m.scale / m.synth, m.scale / m.synth <= 1.5),
    target('(both without npm)', m.scaleNode / m.synthNode, m.scaleNode / m.synthNode <= 1.5),
    ...(m.test ? [target('`npm test` ≤ 90× F (issue 27)', m.test / m.F, m.test / m.F <= 90)] : []),
    ...(!m.test && ciTest
      ? [target("`npm test` ≤ 90× F (CI's run in the fresh clone below)", ciTest / m.F, ciTest / m.F <= 90)]
      : []),
    ...fleetTargets(m, target),
  ];

  // where the time goes: medians of the synth's own step timings
  const steps = [
    ['boot', 'Node start-up and the ESM entry (scripts/synth.mjs)'],
    ['bundles', 'checking that the two esbuild bundles are current (source hashes)'],
    [
      'load',
      'running the bundles: cdk8s, cdk8s-plus-30 k8s classes, the app modules and the drill runner text (V8 code cache)',
    ],
    ['build', 'building the constructs (`buildStack`: schedules, alerts incl. their promtool cases, drill)'],
    ['render', 'rendering the charts to JSON (`renderApp`: cdk8s `toJson`, FolderChart)'],
    ['check1', 'output invariants (lib/validation/invariants.ts)'],
    ['check2', 'schema validation (lib/validation/schema.ts)'],
    ['extraFiles', 'BACKUP-PLAN.md (lib/plan/plan.ts)'],
    ['yaml', 'YAML text of every object (`Yaml.stringify`, results cached)'],
    ['write', 'writing the files and swapping the directory in'],
  ];
  const med = (list, key) => median(list.map((t) => t[key] ?? 0));
  const stepRows = steps.map(
    ([key, what]) => `| ${what} | ${ms(med(timings.default, key))} | ${ms(med(timings.scale, key))} |`,
  );
  const accounted = (list) => median(list.map((t) => steps.reduce((a, [k]) => a + (t[k] ?? 0), 0)));
  const breakdown = [
    '## Where the time goes',
    '',
    `Measured in the same run: the synth's own step timings (\`VELERO_CDK8S_TIMINGS=1 node scripts/synth.mjs\`, one extra run per round, medians in ms) and the rows above.`,
    '',
    `- **npm itself** costs ${ms((m.synth - m.synthNode) * 1000)} ms of \`npm run synth\` (${fmt((m.synth - m.synthNode) / m.F)}× F): \`npm run synth\` − \`node scripts/synth.mjs\`. A bare \`node\` process costs ${ms(m.node * 1000)} ms and loading cdk8s + cdk8s-plus-30 on top of it ${ms((m.F - m.node) * 1000)} ms (F − node).`,
    `- **The caches** (scripts/lib/load-entry.mjs, the only ones; schema validation keeps none) save ${ms((m.synthOff - m.synthNode) * 1000)} ms per synth together (\`VELERO_CDK8S_CACHE=off\` − warm): the V8 code cache ${ms((m.synthNoCode - m.synthNode) * 1000)} ms, the YAML text results ${ms((m.synthNoYaml - m.synthNode) * 1000)} ms (${ms((m.scaleNoYaml - m.scaleNode) * 1000)} ms on the scale config), the rest reusing the bundles instead of running esbuild. A cold cache gives the same bytes.`,
    '',
    '| step of `node scripts/synth.mjs` | default stack, ms | scale config, ms |',
    '|---|---|---|',
    ...stepRows,
    `| sum of the steps | ${ms(accounted(timings.default))} | ${ms(accounted(timings.scale))} |`,
    `| whole process (incl. exit) | ${ms(med(timings.default, 'total'))} | ${ms(med(timings.scale, 'total'))} |`,
    '',
  ];

  if (m.test) {
    const files = new Map();
    for (let i = 1; i <= runs; i++) {
      const report = JSON.parse(readFileSync(out(`jest-${i}.json`), 'utf8'));
      for (const t of report.testResults) {
        const name = relative(root, t.name);
        if (!files.has(name)) files.set(name, []);
        files.get(name).push((t.endTime - t.startTime) / 1000);
      }
    }
    const perFile = [...files].map(([name, xs]) => [name, median(xs)]).sort((a, b) => b[1] - a[1]);
    // jest.config.js's projects: the files that start processes, by its scan
    const processes = new Set(
      (await import(join(root, 'jest.config.js'))).default.projects
        .find((p) => p.displayName === 'processes')
        .testMatch.map((f) => relative(root, f)),
    );
    const jestSum = perFile.reduce((a, [, s]) => a + s, 0);
    const promtool = perFile.filter(([n]) => /promtool|restore-drill/.test(n));
    breakdown.push(
      `\`npm test\` (${fmt(m.test)} s): the type-check (${fmt(m.typecheck)} s alone) and \`npm run validate\` (${fmt(m.validate)} s alone) run beside jest (scripts/test.mjs), jest on ${cpus().length} workers; the test files below add up to ${fmt(jestSum)} s, since they run side by side. Per file, median s (project: jest.config.js's scan, \`processes\` = the file starts processes):`,
      '',
      '| test file | project | s |',
      '|---|---|---|',
      ...perFile.map(([n, s]) => `| ${n} | ${processes.has(n) ? 'processes' : 'in-process'} | ${fmt(s)} |`),
      '',
      `The files that run promtool (${promtool.map(([n]) => n).join(', ')}) take ${fmt(promtool.reduce((a, [, s]) => a + s, 0))} s of that, most of it promtool evaluating the month-long VeleroRestoreDrillStale cases.`,
      '',
    );
  }

  const md = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${runs} paired rounds after one warm-up round; load average ${load.map((x) => x.toFixed(2)).join(' ')} at the start.`,
    'Read the ratios, not the seconds: every round runs every command once, so load on the machine hits them alike. Caches are warm (the warm-up round fills them), as in an edit loop where the last synth ran before; the `VELERO_CDK8S_CACHE=off` row shows a synth without them.',
    '',
    '| command | median s | spread (min – max) s | × F |',
    '|---|---|---|---|',
    ...rows,
    '',
    '| target | ratio | |',
    '|---|---|---|',
    ...targets,
    '',
    `Outputs: \`npm run synth\`, \`node scripts/synth.mjs\` (caches on, off, YAML results off), \`cdk8s synth\`${m.T ? ' and T' : ''} and the installed package's synth of the seed's main.ts wrote byte-identical copies of the committed dist/.`,
    '',
    ...breakdown,
    ...(ci
      ? [
          "## CI's `.ci/run`",
          '',
          `Timed by its parts, once, in a fresh \`git clone\` of HEAD (promtool from Debian, already in apt's cache here; Node ${process.version}, so without \`.ci/run\`'s ~5 s Node install where the machine's Node is older). Not \`.ci/run\` itself, which would time this machine's state rather than a clone's.`,
          '',
          '| part | s | × F |',
          '|---|---|---|',
          ...ci.map(([name, s]) => `| ${name} | ${fmt(s)} | ${fmt(s / m.F)}× |`),
          `| whole (sum) | ${fmt(ci.reduce((a, [, s]) => a + s, 0))} | ${fmt(ci.reduce((a, [, s]) => a + s, 0) / m.F)}× |`,
          '',
        ]
      : []),
  ].join('\n');
  mkdirSync(join(root, 'docs'), { recursive: true });
  // what follows KEEP in the current file (a reading of the figures, written by hand) is kept
  const previous = join(root, 'docs', 'benchmarks.md');
  const kept = statSync(previous, { throwIfNoEntry: false })
    ? readFileSync(previous, 'utf8').split(KEEP)[1]
    : undefined;
  writeFileSync(previous, kept === undefined ? md : `${md}\n${KEEP}${kept}`);
  console.log(md);
} finally {
  rmSync(work, { recursive: true, force: true });
}
