/**
 * The entry point of a config file (issue 16): `npm run synth -- --config velero-cdk8s.yaml` renders the
 * config in the file (YAML or JSON, checked against velero-cdk8s.config.schema.json) into dist/,
 * atomically and after every check, exactly like main.ts renders its TypeScript config. A config with
 * `clusters` renders a fleet (dist/clusters/<name>/ and the ApplicationSet in dist/bootstrap/).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BackupFleet, buildConfig, SingleCluster, type RenderedConfig } from './constructs/backup-fleet';
import { loadConfigFile } from './lib/config/load';
import type { BackupStackConfig } from './lib/config/types';
import { ConfigError } from './lib/config/validate';
import { planWarnings } from './lib/plan/plan';
import { runPlanCli } from './lib/plan/plan-cli';
import { synthesizeObjects } from './lib/output/synth';
import { validateDir } from './lib/validation/validate-dist';

/** The config of a file, built; the file's name in front of a mistake the constructs found, as in front of the schema's. */
function buildFile(file: string): RenderedConfig {
  const data = loadConfigFile(file);
  try {
    return buildConfig(data);
  } catch (e) {
    if (e instanceof ConfigError) e.message = `${file}: ${e.message}`;
    throw e;
  }
}

/** What BACKUP-PLAN.md warns about, for the terminal too (a fleet's per cluster). */
function warningsOf(built: RenderedConfig): string[] {
  if (built instanceof SingleCluster) return planWarnings(built.stack.plan);
  if (built instanceof BackupFleet)
    return built.clusters.flatMap((c) => planWarnings(c.stack.plan).map((w) => `cluster '${c.name}': ${w}`));
  return [];
}

/** Synthesizes a config (an object, or the path of a file) into `outDir`; returns the exit code. */
export function synthConfig(config: BackupStackConfig | string, options: { outDir?: string } = {}): number {
  try {
    let built: RenderedConfig | undefined;
    const result = synthesizeObjects(
      (lap) => {
        built = typeof config === 'string' ? buildFile(config) : buildConfig(config);
        lap('build');
        return built.objects;
      },
      {
        outDir: options.outDir,
        checks: [(objects) => built!.checks.flatMap((check) => check(objects))],
        extraFiles: () => built!.planFiles(),
      },
    );
    console.log(`synth: ${result.objects.length} objects written to ${result.outDir}`);
    for (const w of warningsOf(built!)) console.error(`synth: WARNING: ${w}`);
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/** `scripts/synth.mjs --config FILE`: the entry's `main`. */
export function main(options: { outDir?: string; config?: string } = {}): number {
  if (!options.config) {
    console.error('synth: --config FILE is required with this entry (config-app.ts)');
    return 2;
  }
  return synthConfig(options.config, options);
}

/** `npm run validate -- --config FILE [DIR]`: checks the files in DIR (default dist/) against the config's checks. */
export function validateConfigMain(config: BackupStackConfig | string, dir = 'dist'): number {
  try {
    const built = typeof config === 'string' ? buildFile(config) : buildConfig(config);
    const problems = validateDir(dir, built.checks);
    for (const p of problems) console.error(`validate: ${p}`);
    console.log(problems.length ? `validate: ${problems.length} problem(s) in ${dir}` : `validate: ${dir} is valid`);
    return problems.length ? 1 : 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/**
 * `npm run plan -- --config FILE [--cluster NAME] [--inventory pvcs.json [--strict]]`: writes the config's
 * BACKUP-PLAN.md (a fleet's: one section per cluster) and prints each cluster's summary. An inventory is one
 * cluster's PVCs: in a fleet, `--cluster NAME` says whose. Returns the exit code.
 */
export function planConfigMain(config: BackupStackConfig | string, argv: readonly string[]): number {
  const io = { log: console.log, error: console.error };
  try {
    const built = typeof config === 'string' ? buildFile(config) : buildConfig(config);
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
  } catch (e) {
    io.error((e as Error).message);
    return 1;
  }
}
