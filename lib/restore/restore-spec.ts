/**
 * The one function that builds a Velero `Restore` spec: the rendered scenarios in dist/restores/,
 * the runbooks in BACKUP-PLAN.md and the restore drill's runner (drill/runner.ts, which runs in the cluster)
 * all call `restoreSpec`, so what a person applies in an incident is what the drill proves every month.
 *
 * Pure data, no cdk8s: the drill bundle imports this file. Field names are Velero's own
 * (pkg/apis/velero/v1/restore_types.go at v1.15.0).
 */

/** CSI snapshot kinds a restore of a CSI-snapshotted PVC needs (see `dataPathResources`). */
export const CSI_SNAPSHOT_RESOURCES = [
  'volumesnapshots.snapshot.storage.k8s.io',
  'volumesnapshotcontents.snapshot.storage.k8s.io',
] as const;

/** What the drill restores of a data-mover backup besides the PVCs. */
export const DATA_MOVER_RESOURCES = ['datauploads.velero.io'] as const;

/** How a schedule keeps volume data; decides which kinds a volume restore must include. */
export type VolumeDataPath = 'csi-snapshot' | 'snapshot-data-movement' | 'file-system-backup' | 'none';

/**
 * The kinds a restore must include, besides the PVCs, for the volume data to come back along `path`.
 *
 * - CSI snapshots: Velero's CSI PVC restore action looks the PVC's VolumeSnapshot up in the target namespace
 *   (pkg/restore/actions/csi/pvc_action.go `restoreFromVolumeSnapshot`, v1.15.0) and Velero filters even the
 *   additional items of restore actions by `includedResources` (pkg/restore/restore.go `restoreItem`), so a
 *   restore of `persistentvolumeclaims` alone errors and brings nothing back. VolumeSnapshotContents are
 *   included too (the VolumeSnapshot action re-creates its content; restoring the backed-up one is harmless).
 *   `volumesnapshotclasses` is deliberately not added: the class is cluster configuration that lives in Git
 *   (the `csi-snapshots` Application), and the restored VolumeSnapshot binds statically to its content.
 * - snapshot data movement: the PVC action reads the DataUpload result that the DataUpload restore action
 *   publishes, so `datauploads.velero.io` must be restored.
 * - file-system backup: data comes back through the restored pods (PodVolumeRestores), nothing to add here.
 */
export function dataPathResources(path: VolumeDataPath): readonly string[] {
  switch (path) {
    case 'csi-snapshot':
      return CSI_SNAPSHOT_RESOURCES;
    case 'snapshot-data-movement':
      return DATA_MOVER_RESOURCES;
    default:
      return [];
  }
}

/** `existingResourcePolicy`: `none` skips objects that exist (a warning each), `update` patches them. */
export type ExistingResourcePolicy = 'none' | 'update';

/** One Velero restore hook (`spec.hooks.resources[]`): init containers or exec commands for restored pods. */
export interface RestoreHookSpec {
  readonly name: string;
  readonly includedNamespaces?: readonly string[];
  readonly excludedNamespaces?: readonly string[];
  readonly includedResources?: readonly string[];
  readonly excludedResources?: readonly string[];
  readonly labelSelector?: { readonly matchLabels?: Readonly<Record<string, string>> };
  readonly postHooks: readonly RestorePostHook[];
}

export type RestorePostHook =
  | {
      readonly exec: {
        readonly container?: string;
        readonly command: readonly string[];
        readonly onError?: 'Continue' | 'Fail';
        /** Go duration, e.g. `30s`. */
        readonly execTimeout?: string;
        /** Go duration, e.g. `5m`. */
        readonly waitTimeout?: string;
        readonly waitForReady?: boolean;
      };
    }
  | {
      readonly init: {
        /** Container specs (core/v1 Container), added in front of the pod's init containers. */
        readonly initContainers: readonly Readonly<Record<string, unknown>>[];
        /** Go duration, e.g. `5m`. */
        readonly timeout?: string;
      };
    };

/** Everything a Restore spec is built from. Exactly one of `backupName` and `scheduleName`. */
export interface RestoreRequest {
  /** A named backup. */
  readonly backupName?: string;
  /** The schedule whose most recent Completed backup Velero picks at restore time. */
  readonly scheduleName?: string;
  /** Source namespaces (as backed up); `[]` or `['*']` = every namespace of the backup. */
  readonly includedNamespaces: readonly string[];
  readonly excludedNamespaces?: readonly string[];
  /** Source -> target namespace. */
  readonly namespaceMapping?: Readonly<Record<string, string>>;
  /** `[]` = everything. */
  readonly includedResources?: readonly string[];
  readonly excludedResources?: readonly string[];
  /** `true` restores cluster-scoped resources too, `false` none, unset: only those related to the namespaced ones. */
  readonly includeClusterResources?: boolean;
  readonly existingResourcePolicy: ExistingResourcePolicy;
  /** Name of the resource-modifier ConfigMap in the Velero namespace. */
  readonly resourceModifier?: string;
  readonly hooks?: readonly RestoreHookSpec[];
}

/** `spec` of a velero.io/v1 Restore, as it is written to YAML or sent to the API server. */
export interface RestoreSpecJson {
  readonly backupName?: string;
  readonly scheduleName?: string;
  readonly includedNamespaces: string[];
  readonly excludedNamespaces?: string[];
  readonly namespaceMapping?: Record<string, string>;
  readonly includedResources?: string[];
  readonly excludedResources?: string[];
  readonly includeClusterResources?: boolean;
  readonly restorePVs: true;
  readonly existingResourcePolicy: ExistingResourcePolicy;
  readonly resourceModifier?: { readonly kind: 'ConfigMap'; readonly name: string };
  readonly hooks?: { readonly resources: RestoreHookSpec[] };
}

const sorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

/**
 * The Restore spec of `request`: deterministic (lists deduplicated and sorted, empty fields left out), with
 * `restorePVs: true` always (a restore that silently skips volume data is the failure this project prevents).
 */
export function restoreSpec(request: RestoreRequest): RestoreSpecJson {
  if (!!request.backupName === !!request.scheduleName) {
    // Velero's own rule (restore_controller.go backupXorScheduleProvided)
    throw new Error('restore: set exactly one of backupName and scheduleName');
  }
  const namespaces = request.includedNamespaces.length ? sorted(request.includedNamespaces) : ['*'];
  const mapping = Object.entries(request.namespaceMapping ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return {
    ...(request.backupName ? { backupName: request.backupName } : { scheduleName: request.scheduleName }),
    includedNamespaces: namespaces,
    ...(request.excludedNamespaces?.length ? { excludedNamespaces: sorted(request.excludedNamespaces) } : {}),
    ...(mapping.length ? { namespaceMapping: Object.fromEntries(mapping) } : {}),
    ...(request.includedResources?.length ? { includedResources: sorted(request.includedResources) } : {}),
    ...(request.excludedResources?.length ? { excludedResources: sorted(request.excludedResources) } : {}),
    ...(request.includeClusterResources !== undefined
      ? { includeClusterResources: request.includeClusterResources }
      : {}),
    restorePVs: true,
    existingResourcePolicy: request.existingResourcePolicy,
    ...(request.resourceModifier ? { resourceModifier: { kind: 'ConfigMap', name: request.resourceModifier } } : {}),
    ...(request.hooks?.length ? { hooks: { resources: request.hooks.map((h) => ({ ...h })) } } : {}),
  };
}
