/**
 * Restore scenarios: what to bring back, from which backup, and how to check it came back. The
 * model is plain data so the runbooks (lib/plan/plan.ts), the rendered Restores (constructs/restore-scenario.ts)
 * and `npm run restore` all read one definition.
 */
import type { ResourceModifiers } from './resource-modifiers';
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
  /**
   * Shell lines right after the restore completed: strip ArgoCD's tracking from the namespaces it created
   * (Velero copies their backed-up labels and annotations and never applies resource modifiers to them).
   */
  readonly afterRestore: readonly string[];
  /** Shell lines that show the restore worked. */
  readonly checks: readonly string[];
  /** Shell lines for afterwards (adopting into ArgoCD, deleting an inspection copy). */
  readonly after: readonly string[];
}

/** The label and annotation keys a resource-modifier set removes (JSON-patch `remove` of a label, merge-patch `null` of an annotation). */
export function strippedTrackingKeys(modifiers: ResourceModifiers): { labels: string[]; annotations: string[] } {
  const labels: string[] = [];
  const annotations: string[] = [];
  for (const rule of modifiers.resourceModifierRules) {
    for (const p of rule.patches ?? []) {
      const m = /^\/metadata\/labels\/(.+)$/.exec(p.path);
      if (p.operation === 'remove' && m) labels.push(m[1].replaceAll('~1', '/').replaceAll('~0', '~'));
    }
    for (const mp of rule.mergePatches ?? []) {
      const data = JSON.parse(mp.patchData) as { metadata?: { annotations?: Record<string, unknown> } };
      for (const [k, v] of Object.entries(data.metadata?.annotations ?? {})) if (v === null) annotations.push(k);
    }
  }
  return { labels: [...new Set(labels)], annotations: [...new Set(annotations)] };
}

/**
 * Removes `keys` from namespaces (`target`: a name, or `-l <label>` / `--all`): Velero creates a restore's target
 * namespaces from the backed-up ones, labels and annotations included, and skips resource modifiers for them
 * (pkg/restore/restore.go `processSelectedResource`, docs/pitfalls.md#namespace-tracking).
 */
export function namespaceStripCommands(
  target: string,
  keys: { labels: readonly string[]; annotations: readonly string[] },
): string[] {
  const which = target === '--all' ? 'the namespaces it created' : `namespace ${target}`;
  const lines: string[] = [];
  for (const k of keys.labels) {
    lines.push(
      `kubectl label namespace ${target === '--all' ? `-l ${k}` : target} ${k}-   # Velero made ${which} with the backed-up labels and annotations, and resource modifiers never run on Namespaces: strip ArgoCD's tracking (a sync puts it back where it belongs)`,
    );
  }
  for (const k of keys.annotations) lines.push(`kubectl annotate namespace ${target} ${k}-`);
  return lines;
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
