/**
 * Restore scenarios: what to bring back, from which backup, and how to check it came back. The
 * model is plain data so the runbooks (lib/plan/plan.ts), the rendered Restores (constructs/restore-scenario.ts)
 * and `npm run restore` all read one definition.
 */
import type { ExistingResourcePolicy, RestoreHookSpec, RestoreSpecJson, VolumeDataPath } from './restore-spec';

/** What a scenario brings back. */
export type RestoreTarget =
  /** One PVC (and its volume data) into its own namespace, next to the running workload's other objects. */
  | { readonly kind: 'pvc'; readonly namespace: string; readonly pvc: string }
  /** A whole namespace, under its own name. */
  | { readonly kind: 'namespace'; readonly namespace: string }
  /** A whole namespace into a new one, for inspection next to the live one. */
  | { readonly kind: 'namespace-into'; readonly namespace: string; readonly into: string }
  /** Everything the schedule backed up (a rebuilt cluster). */
  | { readonly kind: 'cluster' };

/** Label on every rendered Restore: the scenario it came from (`kubectl get restores -l ...`). */
export const SCENARIO_LABEL = 'velero-cdk8s.io/restore-scenario';

/** Folder of dist/ that holds the rendered Restores; no Application syncs it. */
export const RESTORES_FOLDER = 'restores';

/** A scenario as the runbook and `npm run restore` need it. */
export interface ScenarioSummary {
  readonly name: string;
  readonly title: string;
  readonly target: RestoreTarget;
  /** The schedule the backup comes from. */
  readonly scheduleName: string;
  /** A named backup, or the latest Completed one of the schedule (Velero's `scheduleName`). */
  readonly backupName?: string;
  readonly dataPath: VolumeDataPath;
  readonly existingResourcePolicy: ExistingResourcePolicy;
  readonly veleroNamespace: string;
  readonly spec: RestoreSpecJson;
  readonly hooks: readonly RestoreHookSpec[];
  /** Path of the rendered Restore relative to the repo root, e.g. `dist/restores/pvc-lost.yaml`. */
  readonly file: string;
  /** Shell lines to run before the restore (stop the workload, remove the broken claim, ...). */
  readonly before: readonly string[];
  /** Shell lines that show the restore worked. */
  readonly checks: readonly string[];
  /** Shell lines for afterwards (adopting into ArgoCD, deleting an inspection copy). */
  readonly after: readonly string[];
}

/** `kubectl create` (not `apply`: a generateName object gets a fresh name on every create). */
export function applyCommand(s: Pick<ScenarioSummary, 'file'>): string {
  return `kubectl create -f ${s.file}`;
}

/** The name of the Restore the last `kubectl create` of a scenario made. */
export function latestRestoreCommand(s: Pick<ScenarioSummary, 'name' | 'veleroNamespace'>): string {
  return `RESTORE=$(kubectl -n ${s.veleroNamespace} get restores -l ${SCENARIO_LABEL}=${s.name} --sort-by=.metadata.creationTimestamp -o jsonpath='{.items[-1:].metadata.name}')`;
}

/** Waits for the Restore to finish and shows what it did. */
export function waitCommands(s: Pick<ScenarioSummary, 'veleroNamespace'>): string[] {
  const ns = s.veleroNamespace;
  return [
    `kubectl -n ${ns} wait restore/"$RESTORE" --for=jsonpath='{.status.phase}'=Completed --timeout=1h`,
    `velero -n ${ns} restore describe "$RESTORE" --details   # phase Completed, 0 errors; read every warning`,
  ];
}

/** The GitHub-style anchor of a Markdown heading (lowercase, punctuation dropped, spaces to `-`). */
export function headingAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}
