/**
 * `velero-cdk8s`, the package's command (bin/velero-cdk8s.js; this repository's npm scripts run the same
 * code through scripts/velero-cdk8s.mjs). Every command finds its config the same way (cli/config.ts:
 * `--config FILE`, else velero-cdk8s.yaml/.yml/.json, else main.ts in the working directory) and any command
 * it suggests names that same config.
 */
import { ConfigError } from '../lib/config/validate';
import type { CliIo } from '../lib/output/cli';
import {
  checkConfig,
  permissionsConfigMain,
  planConfigMain,
  restoreConfigMain,
  synthConfig,
  validateConfigMain,
} from './commands';
import { CONFIG_FILES, findConfigFile, loadConfig, type FoundConfig } from './config';
import { importHelmValuesMain } from './commands';
import { init } from './init';
import { proveAlerts } from './prove-alerts';

/** How the command is invoked, for the commands it suggests. */
export interface CliOptions {
  /** @default 'velero-cdk8s' */
  readonly prog?: string;
  readonly io?: CliIo;
}

const CONFIG_HELP = `  --config FILE   the config (default: the first of ${CONFIG_FILES.join(', ')} in the working directory)`;

/** Each command: its one-line summary, its usage and flags, and what it does with the config. */
const COMMANDS: Readonly<Record<string, { summary: string; usage: string; flags: string[] }>> = {
  synth: {
    summary: 'render the config into dist/ (atomically, after every check) with BACKUP-PLAN.md',
    usage: 'synth [--config FILE] [--out DIR]',
    flags: ['  --out DIR       the output directory (default dist, or $CDK8S_OUTDIR)'],
  },
  check: {
    summary: 'exit 1 (with the diff) when the committed dist/ is not what the config renders',
    usage: 'check [--config FILE] [--out DIR]',
    flags: ['  --out DIR       the committed output directory (default dist)'],
  },
  validate: {
    summary: 'check the files on disk as ArgoCD will read them: schemas and invariants',
    usage: 'validate [--config FILE] [DIR]',
    flags: ['  DIR             the directory to check (default dist)'],
  },
  plan: {
    summary: "write BACKUP-PLAN.md, print a summary, and audit a live cluster's PVCs",
    usage: 'plan [--config FILE] [--cluster NAME] [--inventory pvcs.json [--storage-classes sc.json] [--strict]]',
    flags: [
      '  --inventory F   `kubectl get pvc -A -o json`: every PVC no schedule protects',
      '  --storage-classes F  `kubectl get storageclass -o json`: every PVC no snapshot class can snapshot',
      '  --strict        exit 1 when the inventory finds an unprotected PVC',
      "  --cluster NAME  a fleet's cluster",
    ],
  },
  restore: {
    summary: "list the restore scenarios, or print one's command and Restore (applies nothing)",
    usage: 'restore [--config FILE] [--cluster NAME] [SCENARIO]',
    flags: ["  --cluster NAME  a fleet's cluster"],
  },
  permissions: {
    summary: "write every ServiceAccount's rules and why, as Markdown",
    usage: 'permissions [--config FILE] [--cluster NAME] [--out FILE]',
    flags: [
      '  --out FILE      the document (default docs/permissions.md; a fleet cluster: docs/permissions-<cluster>.md)',
      "  --cluster NAME  a fleet's cluster (default: every cluster, each to its own file)",
    ],
  },
  'prove-alerts': {
    summary: 'prove with promtool that every alert of the config fires and stays silent as it should',
    usage: 'prove-alerts [--config FILE]',
    flags: ['  promtool: $PROMTOOL, else .tools/promtool, else PATH'],
  },
  import: {
    summary: "turn the Velero Helm chart's values (chart 5.x to 12.x) into a config, with a report of every key",
    usage: 'import helm-values VALUES.yaml [--release NAME] [--namespace NS] [--out FILE]',
    flags: [
      '  --release NAME  the Helm release (default velero)',
      '  --namespace NS  its namespace (default velero)',
      '  --out FILE      the config to write (default velero-cdk8s.yaml; never overwritten)',
    ],
  },
  init: {
    summary: 'start a repository: package.json, velero-cdk8s.yaml, .gitignore, README, CI workflows, dist/',
    usage: 'init [DIR]',
    flags: ['  DIR             where (default: the working directory); existing files are never overwritten'],
  },
};

function usage(prog: string): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `usage: ${prog} <command> [--config FILE] [options]   (${prog} <command> --help)`,
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    CONFIG_HELP,
  ].join('\n');
}

function commandHelp(prog: string, name: string): string {
  const c = COMMANDS[name];
  return [`usage: ${prog} ${c.usage}`, '', c.summary, '', CONFIG_HELP, ...c.flags].join('\n');
}

/** Splits `--name value` flags (the given names) from the rest of argv; `--name=value` works too. */
export function takeFlags(
  argv: readonly string[],
  names: readonly string[],
): { flags: Record<string, string>; rest: string[] } {
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!names.includes(name)) {
      rest.push(a);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError('', `${name} needs a value`);
    flags[name] = value;
  }
  return { flags, rest };
}

/**
 * Runs `velero-cdk8s <argv>`; returns the exit code (a promise for prove-alerts). Config mistakes throw (the
 * caller prints one line).
 */
export function runCli(argv: readonly string[], options: CliOptions = {}): number | Promise<number> {
  const prog = options.prog ?? 'velero-cdk8s';
  const io = options.io ?? { log: console.log, error: console.error };
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.log(usage(prog));
    return name === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    io.error(`${prog}: no command '${name}'\n${usage(prog)}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.log(name === 'init' ? commandHelp(prog, name).replace(CONFIG_HELP + '\n', '') : commandHelp(prog, name));
    return 0;
  }
  if (name === 'import') {
    const { flags: f, rest: r } = takeFlags(args, ['--release', '--namespace', '--out']);
    if (r[0] !== 'helm-values' || r.length !== 2) {
      throw new ConfigError('', `import: usage: ${prog} ${COMMANDS.import.usage}`);
    }
    return importHelmValuesMain(
      r[1],
      { releaseName: f['--release'], namespace: f['--namespace'], out: f['--out'] },
      io,
    );
  }
  if (name === 'init') {
    if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
      throw new ConfigError('', `init: unexpected ${args.join(' ')}; see ${prog} init --help`);
    }
    return init(args[0] ?? '.', io);
  }
  const { flags, rest } = takeFlags(args, ['--config', '--out', '--cluster']);
  const found = (): FoundConfig => loadConfig(findConfigFile(flags['--config']));
  const unexpected = (allowed: number) => {
    const extra = rest.filter((a) => a.startsWith('--') || rest.indexOf(a) >= allowed);
    if (extra.length) throw new ConfigError('', `${name}: unexpected ${extra.join(' ')}; see ${prog} ${name} --help`);
  };
  switch (name) {
    case 'synth':
      unexpected(0);
      return synthConfig(found(), { outDir: flags['--out'] }, io);
    case 'check':
      unexpected(0);
      return checkConfig(found(), { outDir: flags['--out'], prog }, io);
    case 'validate':
      unexpected(1);
      return validateConfigMain(found(), rest[0], io);
    case 'plan':
      return planConfigMain(found(), flags['--cluster'] ? [...rest, '--cluster', flags['--cluster']] : rest, io);
    case 'restore':
      unexpected(1);
      return restoreConfigMain(
        found(),
        rest,
        {
          cluster: flags['--cluster'],
          command: `${prog} restore${flags['--config'] ? ` --config ${flags['--config']}` : ''}`,
        },
        io,
      );
    case 'prove-alerts':
      unexpected(0);
      return proveAlerts(found(), io);
    default:
      unexpected(0);
      return permissionsConfigMain(found(), flags['--out'], flags['--cluster']);
  }
}
