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

/**
 * The repository the Applications sync when the config names none: a placeholder, never a user's repository. The
 * plan warns while it is in use (docs/pitfalls.md#argocd-repository).
 */
export const PLACEHOLDER_REPO_URL = 'https://github.com/homelab/velero-cdk8s.git';

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

/**
 * ArgoCD health checks for Velero's kinds (`argocd-cm` keys `resource.customizations.health.velero.io_<Kind>`).
 * ArgoCD ships none up to v3.5.1 (argo-cd PR #28464 adds Backup, Restore and Schedule later, not the
 * BackupStorageLocation), so a `velero` Application shows Healthy while its location is Unavailable or its
 * Schedules fail validation. argo-cd@v3.5.1 util/settings/settings.go `appendResourceOverridesFromSplitKeys`
 * splits the key at its first three dots (`convertToOverrideKey`: `velero.io_Schedule` -> `velero.io/Schedule`);
 * util/lua/lua.go `runLua` sets the object as the global `obj` (absent fields are nil) and opens only the base,
 * table, package and a safe os library (no `string`, so the scripts concatenate with `..`), and
 * `ExecuteHealthLua` reads the returned table's `status` (Healthy, Progressing, Degraded, Suspended, Missing or
 * Unknown; anything else becomes Unknown) and `message`.
 *
 * The phases are the CRDs' status enums at v1.15.0..v1.18.1 (1.18 adds Backup `Queued` and `ReadyToStart`);
 * test/argocd/argocd-health.test.ts runs every script on a Lua VM against every phase of every line's schema.
 * Backups and Restores are in `resource.exclusions` above, so their checks take effect only where they are
 * tracked (an Application that syncs a Restore manifest, an install without those exclusions).
 */
const LUA_MESSAGE_OF_LIST = `local function joined(list)
  if list == nil or #list == 0 then return "" end
  return ": " .. table.concat(list, "; ")
end`;

/**
 * A script mapping `obj.status.phase` through `cases` ([comma-separated phases, status, Lua message]), with a
 * no-status case (`none`) and Unknown for a phase it does not know; `opening` and `closing` are Lua run
 * before and after the mapping.
 */
function phaseHealthLua(
  opening: string,
  none: string,
  cases: readonly (readonly [string, string, string])[],
  closing = '',
): string {
  return [
    LUA_MESSAGE_OF_LIST,
    'local hs = { status = "Progressing", message = ' + JSON.stringify(none) + ' }',
    'if obj.status == nil or obj.status.phase == nil or obj.status.phase == "" then return hs end',
    'local phase = obj.status.phase',
    opening,
    ...cases.map(
      ([phases, status, message], i) =>
        `${i === 0 ? 'if' : 'elseif'} ${phases
          .split(',')
          .map((p) => `phase == "${p}"`)
          .join(' or ')} then\n  hs.status = "${status}"\n  hs.message = ${message}`,
    ),
    'else\n  hs.status = "Unknown"\n  hs.message = "unknown phase " .. phase',
    'end',
    closing,
    'return hs',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}

const BACKUP_RUNNING =
  'New,Queued,ReadyToStart,InProgress,WaitingForPluginOperations,WaitingForPluginOperationsPartiallyFailed,Finalizing,FinalizingPartiallyFailed';
const RESTORE_RUNNING =
  'New,InProgress,WaitingForPluginOperations,WaitingForPluginOperationsPartiallyFailed,Finalizing,FinalizingPartiallyFailed';
const FAILURE =
  '"phase " .. phase .. (obj.status.failureReason and (": " .. obj.status.failureReason) or joined(obj.status.validationErrors))';

/** Kind -> Lua health script, in the order the README lists them. */
export const VELERO_HEALTH_LUA: Readonly<Record<string, string>> = {
  BackupStorageLocation: phaseHealthLua(
    'local detail = obj.status.message and (": " .. obj.status.message) or ""',
    'not validated yet',
    [
      ['Available', 'Healthy', '"Available"'],
      ['Unavailable', 'Degraded', '"Unavailable" .. detail'],
    ],
  ),
  Schedule: phaseHealthLua(
    '',
    'not validated yet',
    [
      ['Enabled', 'Healthy', '"Enabled"'],
      ['FailedValidation', 'Degraded', '"FailedValidation" .. joined(obj.status.validationErrors)'],
      ['New', 'Progressing', '"New"'],
    ],
    // a paused Schedule stays Enabled; ArgoCD shows it Suspended
    'if hs.status == "Healthy" and obj.spec ~= nil and obj.spec.paused == true then\n  hs.status = "Suspended"\n  hs.message = "paused"\nend',
  ),
  Backup: phaseHealthLua('', 'not started', [
    ['Completed', 'Healthy', '"Completed"'],
    ['PartiallyFailed,Failed,FailedValidation', 'Degraded', FAILURE],
    [`${BACKUP_RUNNING},Deleting`, 'Progressing', 'phase'],
  ]),
  Restore: phaseHealthLua('', 'not started', [
    ['Completed', 'Healthy', '"Completed"'],
    ['PartiallyFailed,Failed,FailedValidation', 'Degraded', FAILURE],
    [RESTORE_RUNNING, 'Progressing', 'phase'],
  ]),
};

/** The `argocd-cm` key of a Velero kind's health check. */
export function veleroHealthKey(kind: string): string {
  return `resource.customizations.health.velero.io_${kind}`;
}

/** The `argocd-cm` data entries of the health checks, as YAML under `data:` (README "ArgoCD settings"). */
export function argocdHealthCustomizations(): string {
  return Object.entries(VELERO_HEALTH_LUA)
    .map(([kind, lua]) => `${veleroHealthKey(kind)}: |\n${lua.replace(/^(?=.)/gm, '  ')}`)
    .join('');
}
