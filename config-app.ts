/**
 * The entry point of a config file (issue 16): `npm run synth -- --config velero-cdk8s.yaml` renders the
 * config in the file (YAML or JSON, checked against schemas/velero-cdk8s.config.schema.json) into dist/,
 * atomically and after every check, exactly like main.ts renders its TypeScript config. A config with
 * `clusters` renders a fleet (dist/clusters/<name>/ and the ApplicationSet in dist/bootstrap/).
 */
import { buildConfig, type RenderedConfig } from './constructs/backup-fleet';
import { loadConfigFile } from './lib/config/load';
import type { BackupStackConfig } from './lib/config/types';
import { ConfigError } from './lib/config/validate';
import { synthesizeObjects } from './lib/output/synth';
import { validateDir } from './lib/validation/validate-dist';

/** Synthesizes a config (an object, or the path of a file) into `outDir`; returns the exit code. */
export function synthConfig(config: BackupStackConfig | string, options: { outDir?: string } = {}): number {
  try {
    let built: RenderedConfig | undefined;
    const result = synthesizeObjects(
      (lap) => {
        if (typeof config !== 'string') built = buildConfig(config);
        else {
          const data = loadConfigFile(config);
          try {
            built = buildConfig(data);
          } catch (e) {
            // the file's name in front of a mistake the constructs found, as in front of the schema's
            if (e instanceof ConfigError) e.message = `${config}: ${e.message}`;
            throw e;
          }
        }
        lap('build');
        return built.objects;
      },
      {
        outDir: options.outDir,
        checks: [(objects) => built!.checks.flatMap((check) => check(objects))],
        extraFiles: () => ({ 'BACKUP-PLAN.md': built!.planMarkdown() }),
      },
    );
    console.log(`synth: ${result.objects.length} objects written to ${result.outDir}`);
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
    const built = buildConfig(typeof config === 'string' ? loadConfigFile(config) : config);
    const problems = validateDir(dir, built.checks);
    for (const p of problems) console.error(`validate: ${p}`);
    console.log(problems.length ? `validate: ${problems.length} problem(s) in ${dir}` : `validate: ${dir} is valid`);
    return problems.length ? 1 : 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}
