/**
 * The plan report's "Velero release" section: the line, its upstream support, where the plugin
 * default came from, how the storage-location and repository-maintenance alerts see this line, and what
 * moving to the next line changes. Deterministic: support is stated against the newest release known here,
 * never against the clock.
 */
import type { StorageProfile } from '../storage/storage-profile';
import type { KnownGoodPairing } from '../versions/compatibility';
import { exportsStorageLocationGauge, kubeStateMetricsLoading } from '../alerts/storage-location-status';
import { repoMaintenanceAlertApplies } from '../alerts/repo-maintenance';
import { defaultAwsPluginFor, providerOf } from '../versions/compatibility';
import { VELERO_LINES, nextLine, upstreamSupportedLines, veleroLineOf } from '../versions/velero-lines';
import { MONITORING_NAMESPACE_DEFAULT } from '../config/defaults';

/** The newest release this project read, and the lines upstream supported then. */
function supportState(): { newest: string; date: string; supported: string[] } {
  const newest = VELERO_LINES[VELERO_LINES.length - 1];
  const date = VELERO_LINES.map((l) => l.released).sort()[VELERO_LINES.length - 1];
  return { newest: newest.newestReadTag, date, supported: upstreamSupportedLines(date).map((l) => l.line) };
}

/** What the release section reads of the Velero server (a `VeleroRelease` construct is one). */
export interface PlanReleaseLine {
  readonly version: string;
  readonly nodeAgentEnabled: boolean;
  /** The plugin this stack renders; undefined for a release it does not render (`VeleroRelease.fromExisting`). */
  readonly awsPluginVersion?: string;
  readonly awsPluginPairing?: KnownGoodPairing;
  readonly storageLocations: readonly { readonly profile: StorageProfile }[];
}

/** The kube-state-metrics that exports the locations' phase on Velero 1.15/1.16 (constructs/storage-location-metrics.ts). */
export interface PlanKubeStateMetrics {
  readonly namespace: string;
  readonly serviceAccountName: string;
}

export function releaseSectionMarkdown(release: PlanReleaseLine, ksm?: PlanKubeStateMetrics): string[] {
  const line = veleroLineOf(release.version);
  const support = supportState();
  const out: string[] = ['## Velero release', ''];
  const eos = line.endOfSupport
    ? `upstream support ended ${line.endOfSupport}, when v${VELERO_LINES[VELERO_LINES.indexOf(line) + 2].line}.0 came out`
    : `upstream supports it until the second line after it is released (date not known yet)`;
  out.push(
    `- **Velero ${release.version}** (line v${line.line}, released ${line.released}): ${eos}. Upstream gives best-effort support to the current and the previous minor line (velero-io/velero@v1.18.1:site/content/docs/main/support-process.md); with ${support.newest} the newest known release, that is ${support.supported.map((l) => `v${l}`).join(' and ')}.`,
  );
  const plugin = release.awsPluginPairing
    ? `velero-plugin-for-aws **${release.awsPluginVersion}**, the known-good pairing instead of the line's own ${defaultAwsPluginFor(release.version).plugin}: ${release.awsPluginPairing.why} (${release.awsPluginPairing.source}).`
    : release.awsPluginVersion
      ? `velero-plugin-for-aws ${release.awsPluginVersion}.`
      : `not rendered by this stack (an existing install); the line's own is ${defaultAwsPluginFor(release.version).plugin}.`;
  out.push(`- Plugin: ${plugin}`);
  out.push(
    `- CRDs: the \`backup-crds\` Application syncs \`config/crd\` of vmware-tanzu/velero at tag ${release.version}, the image's own tag.`,
  );
  if (exportsStorageLocationGauge(release.version)) {
    out.push('- Storage-location alert: on `velero_backup_location_status_gauge` (Velero exports it from v1.17.0).');
  } else {
    const loading = kubeStateMetricsLoading(ksm?.serviceAccountName);
    out.push(
      `- Storage-location alert: Velero v${line.line} exports no storage-location metric, and an Unavailable location does not count as a validation failure before v1.17. The alert reads the BackupStorageLocation's \`.status.phase\` through kube-state-metrics' custom-resource-state config (ConfigMap \`velero-kube-state-metrics-config\` in \`${ksm?.namespace ?? MONITORING_NAMESPACE_DEFAULT}\`, rendered with its RBAC). ${loading.who}; until it does, \`VeleroBackupStorageLocationStatusMissing\` fires:`,
      '',
      '```yaml',
      ...loading.values.trimEnd().split('\n'),
      '```',
    );
  }
  if (repoMaintenanceAlertApplies(release.version, release.nodeAgentEnabled)) {
    out.push(
      '- Repository maintenance: `VeleroRepositoryMaintenanceFailed` on `velero_repo_maintenance_failure_total`.',
    );
  } else if (release.nodeAgentEnabled) {
    out.push(
      `- Repository maintenance: not alerted; Velero v${line.line} has no maintenance metric (\`velero_repo_maintenance_failure_total\` arrives in v1.18.0).`,
    );
  }
  const next = nextLine(line);
  out.push('');
  if (next) {
    out.push(
      `Moving to v${next.line} (set \`version\` on the VeleroRelease to a v${next.line}.x release; everything below follows):`,
      '',
      `- CRDs: the \`backup-crds\` Application moves to the v${next.line}.x tag.`,
      `- Plugin default: velero-plugin-for-aws ${
        defaultAwsPluginFor(
          `v${next.line}.0`,
          release.storageLocations.map((l) => providerOf(l.profile.kind, l.profile.config.s3Url)),
        ).plugin
      }.`,
      ...next.changesFromPrevious.map((c) => `- ${c}`),
      '',
    );
  } else {
    out.push(`v${line.line} is the newest line this project knows.`, '');
  }
  return out;
}
