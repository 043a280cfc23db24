/**
 * The commands behind `npm run synth`, `npm run plan` and `npm run validate`, for any stack: an entry point
 * (main.ts, bench/scale-app.ts, a user's own) builds its stack and hands the builder to these.
 */
import type { App } from 'cdk8s';
import { backupPlan, renderPlanMarkdown, type PlanInput } from '../plan/plan';
import { runPlanCli } from '../plan/plan-cli';
import { validateDir } from '../validation/validate-dist';
import { synthChecks, type CheckedRelease } from './checks';
import { synthesize } from './synth';

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
  const result = synthesize(
    () => {
      stack = build();
      return stack.app;
    },
    {
      outDir: options.outDir,
      checks: synthChecks(() => stack!.release),
      extraFiles: (): Record<string, string> =>
        stack!.plan ? { 'BACKUP-PLAN.md': renderPlanMarkdown(backupPlan(stack!.plan)) } : {},
    },
  );
  console.log(`synth: ${result.objects.length} objects written to ${result.outDir}`);
  return 0;
}

/** `npm run plan`: the report, a summary, and the live-inventory check; returns the exit code. */
export function runPlan(build: () => CliStack, argv: readonly string[]): number {
  // a mistake in the config throws out of build(): scripts/plan.mjs reports it with its file and line
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
