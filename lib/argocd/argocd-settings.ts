/**
 * What the user's ArgoCD install must carry so that a sync never prunes what Velero creates at run
 * time (docs/pitfalls.md#schedule-labels-on-backups,
 * docs/pitfalls.md#schedule-annotations-on-backups, docs/upstream-facts.md#runtime-objects).
 *
 * Velero copies a Schedule's annotations onto every Backup it creates (no opt-out, velero#5836) and,
 * without `spec.template.metadata.labels`, its labels too. Every Schedule renders template labels, so
 * the label-tracking copy can't happen; ArgoCD 3.x's default annotation tracking ignores a copied
 * tracking-id that does not name the object itself. Excluding Velero's run-time kinds in `argocd-cm`
 * makes this independent of the tracking method and of the ArgoCD version.
 *
 * `resource.exclusions` is ONE key of `argocd-cm`: setting it replaces the list ArgoCD ships in that key
 * (argo-cd v3.5.1 util/settings/settings.go GetResourcesFilter unmarshals the key as the whole list; the
 * shipped list is in manifests/base/config/argocd-cm.yaml). Only the small core list compiled into ArgoCD
 * (util/settings/resources_filter.go coreExcludedResources: events.k8s.io, metrics.k8s.io, core Event,
 * coordination.k8s.io Lease) stays excluded whatever the key says. So the snippet is ArgoCD's shipped list
 * plus Velero's kinds, never Velero's kinds alone.
 */
import { stringify } from 'yaml';

/** velero.io kinds that only the server (or the restore drill) creates; none may ever be rendered into a synced folder. */
export const VELERO_RUNTIME_KINDS = [
  'Backup',
  'BackupRepository',
  'DataDownload',
  'DataUpload',
  'DeleteBackupRequest',
  'DownloadRequest',
  'PodVolumeBackup',
  'PodVolumeRestore',
  'Restore',
  'ServerStatusRequest',
] as const;

/**
 * snapshot.storage.k8s.io kinds Velero creates and deletes during backups and restores (ArgoCD deleting one
 * mid-backup: velero#7905). VolumeSnapshotClass is NOT one of them: it is configuration, rendered into the
 * synced csi-snapshots folder.
 */
export const SNAPSHOT_RUNTIME_KINDS = ['VolumeSnapshot', 'VolumeSnapshotContent'] as const;

/** Every kind created at run time, by API group: what ArgoCD must not track and no synced folder may hold. */
export const RUNTIME_KINDS_BY_GROUP: Readonly<Record<string, readonly string[]>> = {
  'velero.io': VELERO_RUNTIME_KINDS,
  'snapshot.storage.k8s.io': SNAPSHOT_RUNTIME_KINDS,
};

interface ExclusionRule {
  readonly apiGroups: readonly string[];
  readonly kinds: readonly string[];
  readonly clusters?: readonly string[];
}

/**
 * The `resource.exclusions` list ArgoCD v3.5.1 ships in its own `argocd-cm`
 * (argoproj/argo-cd@109ca7ca71139e514114499d294a492e7910a965, manifests/base/config/argocd-cm.yaml), rule by
 * rule and in its order. Renovate does not track it: re-read that file when ArgoCD is upgraded.
 */
export const ARGOCD_DEFAULT_RESOURCE_EXCLUSIONS: readonly ExclusionRule[] = [
  { apiGroups: ['', 'discovery.k8s.io'], kinds: ['Endpoints', 'EndpointSlice'] },
  { apiGroups: ['coordination.k8s.io'], kinds: ['Lease'] },
  {
    apiGroups: ['authentication.k8s.io', 'authorization.k8s.io'],
    kinds: [
      'SelfSubjectReview',
      'TokenReview',
      'LocalSubjectAccessReview',
      'SelfSubjectAccessReview',
      'SelfSubjectRulesReview',
      'SubjectAccessReview',
    ],
  },
  { apiGroups: ['certificates.k8s.io'], kinds: ['CertificateSigningRequest'] },
  { apiGroups: ['cert-manager.io'], kinds: ['CertificateRequest'] },
  { apiGroups: ['cilium.io'], kinds: ['CiliumIdentity', 'CiliumEndpoint', 'CiliumEndpointSlice'] },
  {
    apiGroups: ['kyverno.io', 'reports.kyverno.io', 'wgpolicyk8s.io'],
    kinds: [
      'PolicyReport',
      'ClusterPolicyReport',
      'EphemeralReport',
      'ClusterEphemeralReport',
      'AdmissionReport',
      'ClusterAdmissionReport',
      'BackgroundScanReport',
      'ClusterBackgroundScanReport',
      'UpdateRequest',
    ],
  },
];

/** The ArgoCD release whose shipped exclusions are copied above. */
export const ARGOCD_EXCLUSIONS_VERSION = 'v3.5.1';

/** The rules velero-cdk8s adds: Velero's and the snapshot controller's run-time kinds, on every cluster. */
export const VELERO_RESOURCE_EXCLUSIONS: readonly ExclusionRule[] = Object.entries(RUNTIME_KINDS_BY_GROUP).map(
  ([group, kinds]) => ({ apiGroups: [group], kinds, clusters: ['*'] }),
);

/** The `argocd-cm` `resource.exclusions` value (README "ArgoCD settings"): ArgoCD's shipped list, then Velero's kinds. */
export function argocdResourceExclusions(): string {
  return stringify([...ARGOCD_DEFAULT_RESOURCE_EXCLUSIONS, ...VELERO_RESOURCE_EXCLUSIONS], { lineWidth: 0 });
}

/** How to check a live ArgoCD keeps Velero's kinds out (BACKUP-PLAN.md). */
export function exclusionCheckCommands(argocdNamespace = 'argocd'): string[] {
  return [
    `kubectl -n ${argocdNamespace} get configmap argocd-cm -o jsonpath='{.data.resource\\.exclusions}'   # lists velero.io and snapshot.storage.k8s.io, and still Endpoints, Lease, ...`,
    `kubectl -n ${argocdNamespace} get configmap argocd-cm -o jsonpath='{.data.resource\\.exclusions}' | grep -c -e velero.io -e snapshot.storage.k8s.io -e EndpointSlice   # 3`,
    `kubectl get applications -A -o json | jq -r '.items[].status.resources[]? | select(.group=="velero.io" or (.group=="snapshot.storage.k8s.io" and .kind!="VolumeSnapshotClass")) | .kind + " " + .name'   # prints only Schedules, BackupStorageLocations and VolumeSnapshotLocations`,
  ];
}
