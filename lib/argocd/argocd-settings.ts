/**
 * What the user's ArgoCD install must carry so that a sync never prunes what Velero creates at run
 * time (gitops-pitfalls.md rows 1-2, velero-upstream-facts.md "Runtime-created objects").
 *
 * Velero copies a Schedule's annotations onto every Backup it creates (no opt-out, velero#5836) and,
 * without `spec.template.metadata.labels`, its labels too. Every Schedule renders template labels, so
 * the label-tracking copy can't happen; ArgoCD 3.x's default annotation tracking ignores a copied
 * tracking-id that does not name the object itself. Excluding Velero's run-time kinds in `argocd-cm`
 * makes this independent of the tracking method and of the ArgoCD version.
 */

/** velero.io kinds that only the server (or the restore drill) creates; none may ever be rendered. */
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

/** The `argocd-cm` data key and value to add (README "ArgoCD settings"). */
export function argocdResourceExclusions(): string {
  return [
    '- apiGroups:',
    '    - velero.io',
    '  kinds:',
    ...VELERO_RUNTIME_KINDS.map((k) => `    - ${k}`),
    '  clusters:',
    "    - '*'",
    '',
  ].join('\n');
}
