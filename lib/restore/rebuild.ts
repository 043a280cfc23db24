/**
 * The rebuild scenario's plan (a lost cluster brought back from its schedules): which restores it is made of,
 * their names, and what the first one leaves to the others. Plain data, read by BackupStack's restores step.
 */
import type { RebuildConfig } from '../config/types';

/** Namespaces a rebuilt cluster gets from elsewhere (the cluster itself, or Git through ArgoCD), never from a restore. */
export const REBUILD_EXCLUDED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

/** The restores when the config states none: a cluster rebuild (when a schedule has cluster resources). */
export const DEFAULT_RESTORES: readonly RebuildConfig[] = [{ rebuild: {} }];

/** What the rebuild reads of a schedule (`BackupSchedule` has all of it). */
export interface RebuildSchedule {
  /** The schedule's includedNamespaces as rendered (`'*'` for every namespace). */
  readonly includedNamespaces: readonly string[];
  /** True when the schedule backs up `namespace` (Velero's glob matching of both lists). */
  includesNamespace(namespace: string): boolean;
}

/**
 * The first restore of a rebuild: cluster resources and the namespaces no volume restore brings back.
 * When the volume schedules cover every namespace the cluster-resources schedule does (`'*'`, or all its names),
 * no namespace can be left to it: Velero refuses `'*'` in an exclude list and an item both included and
 * excluded (restore_controller.go `validateAndComplete`, FailedValidation), so the first restore then takes
 * every namespace but leaves the claims and volumes to the fresher volume restore (restoring them from the
 * other first would create empty volumes that the volume restore then skips as existing).
 */
export function rebuildClusterResourcesLists(
  clusterResources: RebuildSchedule,
  volumes: readonly RebuildSchedule[],
  veleroNamespace: string,
): { excludedNamespaces: string[]; excludedResources?: string[] } {
  const own = clusterResources.includedNamespaces;
  const coversAll =
    volumes.some((v) => v.includedNamespaces.includes('*')) ||
    (!own.includes('*') && own.every((n) => volumes.some((v) => v.includesNamespace(n))));
  const base = [veleroNamespace, ...REBUILD_EXCLUDED_NAMESPACES];
  return coversAll
    ? { excludedNamespaces: base, excludedResources: ['persistentvolumeclaims', 'persistentvolumes'] }
    : { excludedNamespaces: [...base, ...volumes.flatMap((v) => v.includedNamespaces)] };
}

/**
 * The names of a rebuild's volume restores, one per volume schedule (by schedule name, in order):
 * `rebuild-volumes` for the first, `rebuild-volumes-<schedule>` for the others while that fits a
 * scenario's 57 characters (constructs/restore-scenario.ts: generateName adds 6), else `rebuild-volumes-<position>`.
 */
export function rebuildVolumeNames(scheduleNames: readonly string[]): string[] {
  return scheduleNames.map((name, k) =>
    k === 0
      ? 'rebuild-volumes'
      : `rebuild-volumes-${name}`.length <= 57
        ? `rebuild-volumes-${name}`
        : `rebuild-volumes-${k + 1}`,
  );
}
