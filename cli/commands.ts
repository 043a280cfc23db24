/**
 * The commands of `velero-cdk8s` (cli/main.ts), for any config: one cluster (a BackupStack) or a fleet
 * (`clusters`: dist/clusters/<name>/ and the ApplicationSet in dist/bootstrap/). Each takes the config the
 * command found (cli/config.ts) and returns the exit code; a mistake in the config throws a ConfigError whose
 * message starts with the config's file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { App } from 'cdk8s';
import { BackupFleet, buildConfig, SingleCluster, type RenderedConfig } from '../constructs/backup-fleet';
import type { BackupStack } from '../constructs/backup-stack';
import { ConfigError } from '../lib/config/validate';
import { runPermissions, runRestore, type CliIo } from '../lib/output/cli';
import { synthesizeObjects } from '../lib/output/synth';
import { planWarnings } from '../lib/plan/plan';
import { runPlanCli } from '../lib/plan/plan-cli';
import { validateDir } from '../lib/validation/validate-dist';
import type { BackupStackConfig } from '../lib/config/types';
import { loadConfig, type FoundConfig } from './config';
import { importHelmValues, renderImportReport } from './import-helm-values';

/** A config as the commands take it: found by the CLI, a file's path, or a config object. */
export type ConfigInput = FoundConfig | string | BackupStackConfig;

function toFound(input: ConfigInput): FoundConfig {
  if (typeof input === 'string') return loadConfig(input);
  const found = input as Partial<FoundConfig>;
  if (typeof found.file === 'string' && found.config !== undefined) return input as FoundConfig;
  return { file: '', config: input as BackupStackConfig }; // in memory: no file to name in a message
}

/** Runs a command: a mistake (in the config, or a refused synth) is printed as its message, exit 1. */
function guarded(io: CliIo, run: () => number): number {
  try {
    return run();
  } catch (e) {
    // a bug, or VELERO_CDK8S_DEBUG=1: the caller's report (with the stack)
    if (!(e instanceof Error) || e.name === 'TypeError' || e.name === 'ReferenceError') throw e;
    if (process.env.VELERO_CDK8S_DEBUG === '1') throw e;
    io.error(e.message);
    return 1;
  }
}

/** The config, built; its file's name in front of a mistake the constructs found, as in front of the schema's. */
export function build(found: FoundConfig): RenderedConfig {
  try {
    return buildConfig(found.config);
  } catch (e) {
    if (e instanceof ConfigError && found.file && !e.message.startsWith(`${found.file}: `)) {
      e.message = `${found.file}: ${e.message}`;
    }
    throw e;
  }
}

/** `synth [--out DIR]`: renders the config into DIR (default dist) atomically, after every check. */
export function synthConfig(input: ConfigInput, options: { outDir?: string } = {}, io: CliIo = console): number {
  return guarded(io, () => synthFound(toFound(input), options, io));
}

function synthFound(found: FoundConfig, options: { outDir?: string }, io: CliIo): number {
  let built: RenderedConfig | undefined;
  const result = synthesizeObjects(
    (lap) => {
      built = build(found);
      lap('build');
      return built.objects;
    },
    {
      outDir: options.outDir,
      checks: [(objects) => built!.checks.flatMap((check) => check(objects))],
      extraFiles: () => built!.planFiles(),
    },
  );
  io.log(`synth: ${result.objects.length} objects written to ${result.outDir}`);
  for (const w of warningsOf(built!)) io.error(`synth: WARNING: ${w}`);
  return 0;
}

/** What BACKUP-PLAN.md warns about, for the terminal too (a fleet's per cluster). */
function warningsOf(built: RenderedConfig): string[] {
  if (built instanceof SingleCluster) return planWarnings(built.stack.plan);
  if (built instanceof BackupFleet)
    return built.clusters.flatMap((c) => planWarnings(c.stack.plan).map((w) => `cluster '${c.name}': ${w}`));
  return [];
}

/** `validate [DIR]`: checks the files in DIR (default dist/) against the config's checks. */
export function validateConfigMain(input: ConfigInput, dir = 'dist', io: CliIo = console): number {
  return guarded(io, () => validateFound(toFound(input), dir, io));
}

function validateFound(found: FoundConfig, dir: string, io: CliIo): number {
  const built = build(found);
  const problems = validateDir(dir, built.checks);
  for (const p of problems) io.error(`validate: ${p}`);
  io.log(problems.length ? `validate: ${problems.length} problem(s) in ${dir}` : `validate: ${dir} is valid`);
  return problems.length ? 1 : 0;
}

/**
 * `check [--out DIR]`: renders the config into a temporary directory and compares it with DIR (default dist/),
 * the committed output; on a difference prints the diff and the one command that renders this same config.
 */
export function checkConfig(
  found: FoundConfig,
  options: { outDir?: string; prog: string },
  io: CliIo = console,
): number {
  const committed = resolve(options.outDir ?? 'dist');
  const work = mkdtempSync(join(tmpdir(), 'velero-cdk8s-check-'));
  const fresh = join(work, 'dist');
  try {
    synthFound(found, { outDir: fresh }, { log: () => undefined, error: io.error });
    const diff = spawnSync('git', ['diff', '--no-index', '--no-prefix', '--stat', '--patch', '--', committed, fresh], {
      encoding: 'utf8',
    });
    const out = options.outDir ? ` --out ${options.outDir}` : '';
    if (diff.status === 0) {
      io.log(`check: ${options.outDir ?? 'dist'}/ is up to date with ${found.file}`);
      return 0;
    }
    if (diff.status === 1) {
      io.error(diff.stdout.replaceAll(fresh, 'dist (fresh synth)').replaceAll(committed, 'dist (committed)'));
      io.error(
        `check: ${options.outDir ?? 'dist'}/ is out of date with ${found.file}: run \`${options.prog} synth --config ${found.file}${out}\` and commit it`,
      );
      return 1;
    }
    io.error(`check: git diff failed: ${diff.stderr || diff.error?.message}`);
    return 2;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `plan [--cluster NAME] [--inventory pvcs.json [--strict]]`: writes the config's BACKUP-PLAN.md (a fleet's: one
 * section per cluster) and prints each cluster's summary. An inventory is one cluster's PVCs: in a fleet,
 * `--cluster NAME` says whose.
 */
export function planConfigMain(input: ConfigInput, argv: readonly string[], io: CliIo = console): number {
  return guarded(io, () => planFound(toFound(input), argv, io));
}

function planFound(found: FoundConfig, argv: readonly string[], io: CliIo): number {
  const built = build(found);
  const at = argv.indexOf('--cluster');
  const cluster = at >= 0 ? argv[at + 1] : undefined;
  const rest = argv.filter((a, i) => a !== '--cluster' && argv[i - 1] !== '--cluster');
  if (built instanceof SingleCluster) {
    if (at >= 0) {
      io.error('plan: --cluster names a cluster of a fleet; this config has no clusters');
      return 2;
    }
    return runPlanCli(rest, built.stack.plan, io);
  }
  if (!(built instanceof BackupFleet)) throw new Error('plan: a config builds one cluster or a fleet');
  const names = built.clusters.map((c) => c.name);
  if (at >= 0 && (!cluster || !names.includes(cluster))) {
    io.error(`plan: --cluster needs one of the fleet's clusters: ${names.join(', ')}`);
    return 2;
  }
  if (rest.includes('--inventory') && !cluster) {
    io.error(`plan: an inventory is one cluster's PVCs; say whose with --cluster (${names.join(', ')})`);
    return 2;
  }
  // the fleet's plan in dist/, each cluster's own in dist/clusters/<name>/ (the same bytes the synth writes)
  const target = resolve('dist', 'BACKUP-PLAN.md');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(`${target}.tmp`, built.planMarkdown());
  renameSync(`${target}.tmp`, target);
  io.log(`fleet plan: ${target}`);
  let code = 0;
  for (const c of built.clusters.filter((x) => !cluster || x.name === cluster)) {
    io.log(`cluster ${c.name} (${c.server}):`);
    code = Math.max(code, runPlanCli(rest, c.stack.plan, { ...io, distDir: join('dist', 'clusters', c.name) }));
  }
  return code;
}

/** The one cluster's stack of a config; a fleet's named by `--cluster NAME`. */
function oneStack(built: RenderedConfig, command: string, cluster: string | undefined): BackupStack {
  if (built instanceof SingleCluster) {
    if (cluster !== undefined)
      throw new ConfigError('', `${command}: --cluster names a cluster of a fleet; this config has no clusters`);
    return built.stack;
  }
  const fleet = built as BackupFleet;
  const names = fleet.clusters.map((c) => c.name);
  const found = fleet.clusters.find((c) => c.name === cluster);
  if (!found)
    throw new ConfigError(
      '',
      `${command}: this config is a fleet; name one of its clusters with --cluster (${names.join(', ')})`,
    );
  return found.stack;
}

/** `restore [--cluster NAME] [SCENARIO]`: the scenarios, or one's command and its Restore, as rendered. */
export function restoreConfigMain(
  input: ConfigInput,
  argv: readonly string[],
  options: { cluster?: string; command: string },
  io: CliIo = console,
): number {
  const found = toFound(input);
  const stack = oneStack(build(found), 'restore', options.cluster);
  return runRestore(
    () => ({ app: stack.node.root as App, restores: stack.restores, plan: stack.plan }),
    argv,
    io,
    options.command,
  );
}

/** Where `permissions` writes a cluster's document by default: a fleet cluster's own file, so none overwrites another. */
export function permissionsFile(cluster?: string): string {
  return cluster === undefined ? 'docs/permissions.md' : `docs/permissions-${cluster}.md`;
}

/**
 * `permissions [--cluster NAME] [--out FILE]`: every ServiceAccount's rules and why, as Markdown. A fleet writes
 * each cluster's own `docs/permissions-<name>.md` (only the one `--cluster` names, when given); `--out` names one
 * file, so in a fleet it needs `--cluster`.
 */
export function permissionsConfigMain(
  input: ConfigInput,
  out: string | undefined,
  cluster: string | undefined,
): number {
  const built = build(toFound(input));
  const targets =
    built instanceof BackupFleet && cluster === undefined
      ? built.clusters.map((c) => ({ name: c.name as string | undefined, stack: c.stack }))
      : [{ name: built instanceof BackupFleet ? cluster : undefined, stack: oneStack(built, 'permissions', cluster) }];
  if (out !== undefined && targets.length > 1) {
    throw new ConfigError(
      '',
      `permissions: --out names one file, and this fleet has ${targets.length} clusters; add --cluster NAME, or leave --out out for docs/permissions-<cluster>.md each`,
    );
  }
  let code = 0;
  for (const t of targets) {
    const file = out ?? permissionsFile(t.name);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    code = Math.max(
      code,
      runPermissions(() => t.stack.permissions, file),
    );
  }
  return code;
}

/**
 * `import helm-values VALUES [--release NAME] [--namespace NS] [--out FILE]`: writes the config the chart's
 * values give (never over an existing file), prints the report, and builds the config: exit 1 when it does not
 * render yet (the report says what to add).
 */
export function importHelmValuesMain(
  valuesFile: string,
  options: { releaseName?: string; namespace?: string; out?: string },
  io: CliIo = console,
): number {
  const out = options.out ?? 'velero-cdk8s.yaml';
  let values: unknown;
  try {
    values = parse(readFileSync(valuesFile, 'utf8'));
  } catch (e) {
    throw new ConfigError('', `import: ${valuesFile}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (existsSync(out)) throw new ConfigError('', `import: ${out} exists; pass --out FILE (import never overwrites)`);
  const result = importHelmValues(values, options);
  io.log(renderImportReport(result, valuesFile));
  writeFileSync(
    out,
    `# yaml-language-server: $schema=node_modules/velero-cdk8s/velero-cdk8s.config.schema.json\n# imported from ${valuesFile} by velero-cdk8s import helm-values: read the report it printed\n${stringify(result.config)}`,
  );
  io.log(`import: wrote ${out}`);
  return guarded(io, () => (build({ file: out, config: result.config }).objects.length ? 0 : 1));
}
