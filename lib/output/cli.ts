/**
 * The commands behind `npm run synth`, `npm run plan`, `npm run validate`, `npm run permissions` and
 * `npm run restore`, for any stack: an entry point (main.ts, bench/scale-app.ts, a user's own) builds its stack
 * and hands the builder to these.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { App } from 'cdk8s';
import { renderPermissionsMarkdown, type ServiceAccountPermissions } from '../kube/permissions';
import { applyCommand, RESTORES_FOLDER, type ScenarioSummary } from '../restore/scenario';
import { renderApp, toYaml } from './output';
import { backupPlan, renderPlanMarkdown, type PlanInput } from '../plan/plan';
import { runPlanCli } from '../plan/plan-cli';
import { validateDir } from '../validation/validate-dist';
import { synthChecks, type CheckedRelease } from './checks';
import { isStackChart } from './layout';
import { synthesize } from './synth';
import { ARGOCD_DEFAULTS } from '../config/defaults';

/** What an entry point builds: the app, the release the checks read, and what the plan report reads. */
export interface CliStack {
  readonly app: App;
  readonly release: CheckedRelease;
  /** The plan report's input; with it, the synth writes BACKUP-PLAN.md next to the folders. @default - no report */
  readonly plan?: PlanInput;
}

/**
 * Synthesizes the stack into `outDir` after every check, atomically; returns the exit code. A mistake in the
 * config throws, and nothing is written: scripts/synth.mjs prints it as one line with the file and line of
 * the mistake (scripts/lib/load-entry.mjs `reportError`).
 */
export function runSynth(build: () => CliStack, options: { outDir?: string } = {}): number {
  let stack: CliStack | undefined;
  let stackFolders = new Set<string>();
  const result = synthesize(
    () => {
      stack = build();
      // an app with no BackupStack (a hand-built one, e.g. bench/scale-app.ts): every chart is the stack's
      const own = stack.app.charts.filter(isStackChart);
      stackFolders = new Set((own.length ? own : stack.app.charts).map((c) => c.node.id));
      return stack.app;
    },
    {
      outDir: options.outDir,
      // the stack's checks on the stack's own folders: a user's charts next to it follow their own rules
      checks: synthChecks(() => stack!.release).map(
        (check) => (objects) => check(objects.filter((o) => stackFolders.has(o.folder))),
      ),
      extraFiles: (): Record<string, string> =>
        stack!.plan ? { 'BACKUP-PLAN.md': renderPlanMarkdown(backupPlan(stack!.plan)) } : {},
    },
  );
  console.log(`synth: ${result.objects.length} objects written to ${result.outDir}`);
  return 0;
}

/** `npm run plan`: the report, a summary, and the live-inventory check; returns the exit code. */
export function runPlan(build: () => CliStack, argv: readonly string[]): number {
  // a mistake in the config throws out of build(): the CLI (cli/main.ts) reports it with its file and line
  const { plan } = build();
  if (!plan) throw new Error('plan: this stack declares no plan input; return `plan` from its builder');
  try {
    return runPlanCli(argv, plan, { log: console.log, error: console.error });
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
}

/** `npm run validate`: checks the files in `dir` as ArgoCD will read them; returns the exit code. */
export function runValidate(build: () => CliStack, dir = 'dist'): number {
  const stack = build();
  const problems = validateDir(
    dir,
    synthChecks(() => stack.release),
  );
  for (const p of problems) console.error(`validate: ${p}`);
  console.log(problems.length ? `validate: ${problems.length} problem(s) in ${dir}` : `validate: ${dir} is valid`);
  return problems.length ? 1 : 0;
}

/** Where a command prints. */
export interface CliIo {
  log(s: string): void;
  error(s: string): void;
}

/** `npm run permissions`: writes the permissions document at `path` (atomically); returns the exit code. */
export function runPermissions(permissions: () => readonly ServiceAccountPermissions[], path: string): number {
  try {
    writeFileSync(`${path}.tmp`, renderPermissionsMarkdown([...permissions()]));
    renameSync(`${path}.tmp`, path);
    console.log(`permissions: ${path} written`);
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/** What `npm run restore` reads of a stack: its app, its scenarios, and where dist/ sits in the repository. */
export interface RestoreCliStack {
  readonly app: App;
  readonly restores: readonly { readonly name: string; readonly title: string; readonly summary: ScenarioSummary }[];
  readonly plan: { readonly runbooks?: { readonly distPath: string } };
}

/**
 * `npm run restore [-- <scenario>]`: without an argument the scenarios, one a line; with one, the command that
 * applies it and its Restore, exactly as rendered into restores/. Returns the exit code.
 */
export function runRestore(
  build: () => RestoreCliStack,
  argv: readonly string[],
  io: CliIo = { log: console.log, error: console.error },
  command = 'npm run restore --',
): number {
  try {
    const stack = build();
    const distPath = stack.plan.runbooks?.distPath ?? ARGOCD_DEFAULTS.repository.distPath;
    const byName = new Map(stack.restores.map((r) => [r.name, r]));
    const [name, ...rest] = argv;
    if (name === undefined) {
      for (const r of stack.restores) io.log(`${r.name.padEnd(28)} ${r.title}`);
      io.log(`\n${command} <scenario> prints its command and Restore`);
      return 0;
    }
    const scenario = byName.get(name);
    if (!scenario || rest.length) {
      io.error(
        `restore: ${scenario ? `one scenario at a time, got ${argv.join(' ')}` : `no scenario '${name}'`}; scenarios: ${[...byName.keys()].join(', ')}`,
      );
      return 2;
    }
    const object = renderApp(stack.app).find(
      (o) => o.folder === RESTORES_FOLDER && o.file === `${scenario.name}.yaml`,
    )!;
    const { before, afterRestore } = scenario.summary;
    io.log(
      [
        `# ${scenario.title}`,
        ...(before.length ? ['# before', ...before] : []),
        '# apply (a new Restore each time):',
        applyCommand({ file: `${distPath}/${scenario.summary.file}` }),
        ...(afterRestore.length ? ['# once it is Completed', ...afterRestore] : []),
        `# or pipe this to 'kubectl create -f -':\n${toYaml(object.object)}`,
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    io.error((e as Error).message);
    return 2;
  }
}
