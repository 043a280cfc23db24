/**
 * The Velero minor lines this project deploys, as data: per line its release dates, upstream
 * support, the server and node-agent flags it knows, the uploader types it accepts, and what moving to the
 * next line changes. Every row names where it was read; all of it is upstream source at the tags:
 *
 * - flags: `BindFlags` of pkg/cmd/server/config/config.go (server) and the `Flags()` of
 *   pkg/cmd/cli/nodeagent/server.go (node-agent) at the tag in `flagsReadAt`, plus the root command's
 *   persistent flags (pkg/cmd/velero/velero.go, pkg/client/factory.go) that every subcommand inherits.
 *   `config/crd`, `pkg/metrics`, `pkg/install` and `pkg/cmd/server/config` do not change within a line's
 *   patch releases for 1.15 (docs/upstream-facts.md); for the other lines the newest patch tag was read.
 * - uploader types: `ValidateUploaderType` in pkg/uploader/types.go (restic refused from v1.17.0,
 *   velero-io/velero@v1.17.0:changelogs/CHANGELOG-1.17.md "Deprecation of Restic").
 * - `EnableCSI`: still gated by `features.IsEnabled(velerov1api.CSIFeatureFlag)` in pkg/backup/item_backupper.go
 *   and pkg/controller/backup_controller.go at every tag here, so `--features=EnableCSI` stays needed.
 * - support: velero-io/velero@v1.18.1:site/content/docs/main/support-process.md: "best effort support ... for the current
 *   version of Velero and n-1", so a line leaves support when the second line after it is released.
 * - dates: the tag's commit date in vmware-tanzu/velero.
 */

/**
 * Every Velero release tag of the lines above (git tags of velero-io/velero without -rc, read 2026-12-08), so a
 * `release.version` that does not exist is refused before the image pull fails (docs/pitfalls.md#release-tags).
 */
// renovate: datasource=github-tags depName=velero-io/velero
export const VELERO_RELEASE_TAGS: readonly string[] = [
  'v1.14.0',
  'v1.14.1',
  'v1.15.0',
  'v1.15.1',
  'v1.15.2',
  'v1.16.0',
  'v1.16.1',
  'v1.16.2',
  'v1.17.0',
  'v1.17.1',
  'v1.17.2',
  'v1.18.0',
  'v1.18.1',
  'v1.18.2',
];

/** One supported Velero minor line. */
export interface VeleroLine {
  /** `1.15` */
  readonly line: string;
  /** Date of the line's `.0` tag (commit date). */
  readonly released: string;
  /** Newest tag of the line read here, and its commit. */
  readonly newestReadTag: string;
  readonly newestReadCommit: string;
  /**
   * End of upstream support: the release date of the second line after it (velero-io/velero@v1.18.1:site/content/docs/main/support-process.md: current and
   * n-1). Undefined while that line is not out.
   */
  readonly endOfSupport?: string;
  /** The tag whose config.go / nodeagent/server.go the flag sets were read from. */
  readonly flagsReadAt: string;
  /** Every flag `velero server` accepts (without `--`). */
  readonly serverFlags: readonly string[];
  /** Every flag `velero node-agent server` accepts (without `--`). */
  readonly nodeAgentFlags: readonly string[];
  /** Values `--uploader-type` accepts. */
  readonly uploaderTypes: readonly ('kopia' | 'restic')[];
  /** What moving from the previous line to this one changes for this project, one clause each. */
  readonly changesFromPrevious: readonly string[];
}

/** Persistent flags of the root `velero` command (pkg/cmd/velero/velero.go, pkg/client/factory.go), every line. */
const ROOT_FLAGS = ['colorized', 'features', 'kubeconfig', 'kubecontext', 'namespace'];

/** `velero server` flags of v1.15.2 (pkg/cmd/server/config/config.go `BindFlags`, commit 804d73c4). */
const SERVER_115 = [
  'backup-repository-configmap',
  'backup-sync-period',
  'client-burst',
  'client-page-size',
  'client-qps',
  'default-backup-storage-location',
  'default-backup-ttl',
  'default-item-operation-timeout',
  'default-repo-maintain-frequency',
  'default-snapshot-move-data',
  'default-volume-snapshot-locations',
  'default-volumes-to-fs-backup',
  'disable-controllers',
  'disable-informer-cache',
  'fs-backup-timeout',
  'garbage-collection-frequency',
  'item-operation-sync-frequency',
  'keep-latest-maintenance-jobs',
  'log-format',
  'log-level',
  'maintenance-job-cpu-limit',
  'maintenance-job-cpu-request',
  'maintenance-job-mem-limit',
  'maintenance-job-mem-request',
  'max-concurrent-k8s-connections',
  'metrics-address',
  'plugin-dir',
  'profiler-address',
  'repo-maintenance-job-configmap',
  'resource-timeout',
  'restore-only',
  'restore-resource-priorities',
  'schedule-skip-immediately',
  'store-validation-frequency',
  'terminating-resource-timeout',
  'uploader-type',
];
/** The repository-maintenance Job flags v1.17.0 removed (velero-io/velero@v1.17.0:changelogs/CHANGELOG-1.17.md, velero#9147): the ConfigMap holds them. */
export const MAINTENANCE_JOB_FLAGS = [
  'keep-latest-maintenance-jobs',
  'maintenance-job-cpu-limit',
  'maintenance-job-cpu-request',
  'maintenance-job-mem-limit',
  'maintenance-job-mem-request',
] as const;
const SERVER_116 = [...SERVER_115, 'item-block-worker-count'];
const SERVER_117 = [
  ...SERVER_116.filter((f) => !(MAINTENANCE_JOB_FLAGS as readonly string[]).includes(f)),
  'volume-group-snapshot-label-key',
];
const SERVER_118 = [...SERVER_117, 'concurrent-backups'];

const NODE_AGENT_115 = [
  'data-mover-prepare-timeout',
  'log-format',
  'log-level',
  'metrics-address',
  'node-agent-configmap',
  'resource-timeout',
];
const NODE_AGENT_118 = [...NODE_AGENT_115, 'backup-repository-configmap'];

const sorted = (flags: readonly string[]) => [...new Set([...flags, ...ROOT_FLAGS])].sort();

export const VELERO_LINES: readonly VeleroLine[] = [
  {
    line: '1.15',
    released: '2024-10-28',
    newestReadTag: 'v1.15.2',
    newestReadCommit: '804d73c4f2349f1ca9bd3d6c751956e1d2021c01',
    endOfSupport: '2025-09-09',
    flagsReadAt: 'v1.15.2',
    serverFlags: sorted(SERVER_115),
    nodeAgentFlags: sorted(NODE_AGENT_115),
    uploaderTypes: ['kopia', 'restic'],
    changesFromPrevious: [],
  },
  {
    line: '1.16',
    released: '2025-04-08',
    newestReadTag: 'v1.16.2',
    newestReadCommit: 'a60808256d36a77a42e1ebc160ee8117477a83fa',
    endOfSupport: '2026-03-02',
    flagsReadAt: 'v1.16.2',
    serverFlags: sorted(SERVER_116),
    nodeAgentFlags: sorted(NODE_AGENT_115),
    uploaderTypes: ['kopia', 'restic'],
    changesFromPrevious: [
      'CRDs: BackupRepository gains status.recentMaintenance',
      'server flag added: --item-block-worker-count',
      'velero-plugin-for-aws v1.11.x -> v1.12.x',
      'restic uploader deprecated (still accepted)',
    ],
  },
  {
    line: '1.17',
    released: '2025-09-09',
    newestReadTag: 'v1.17.2',
    newestReadCommit: '7013a4097f17a97a0201c0ad3c9dd3f810d32bf6',
    flagsReadAt: 'v1.17.2',
    serverFlags: sorted(SERVER_117),
    nodeAgentFlags: sorted(NODE_AGENT_115),
    uploaderTypes: ['kopia'],
    changesFromPrevious: [
      'CRDs: Backup spec.volumeGroupSnapshotLabelKey and Schedule spec.template.volumeGroupSnapshotLabelKey',
      'server flags removed: --keep-latest-maintenance-jobs, --maintenance-job-{cpu,mem}-{request,limit} (repository maintenance is configured in the --repo-maintenance-job-configmap ConfigMap)',
      'server flag added: --volume-group-snapshot-label-key',
      '--uploader-type=restic refused (restic backups removed; restic restores work until v1.19)',
      'velero-plugin-for-aws v1.12.x -> v1.13.x',
      'alerts: the storage-location alert watches velero_backup_location_status_gauge (new metric) instead of kube-state-metrics',
    ],
  },
  {
    line: '1.18',
    released: '2026-03-02',
    newestReadTag: 'v1.18.1',
    newestReadCommit: '26ef8fa7df68dfa9ab8aa4669b8ac47340b0c510',
    flagsReadAt: 'v1.18.1',
    serverFlags: sorted(SERVER_118),
    nodeAgentFlags: sorted(NODE_AGENT_118),
    uploaderTypes: ['kopia'],
    changesFromPrevious: [
      'CRDs: BackupStorageLocation spec.objectStorage.caCertRef, Backup status.queuePosition',
      'server flag added: --concurrent-backups; node-agent flag added: --backup-repository-configmap',
      'velero-plugin-for-aws v1.13.x -> v1.14.x (but v1.14.0-v1.14.2 break Backblaze B2 and Cloudflare R2: those stay on v1.13.2)',
      'alerts: VeleroRepositoryMaintenanceFailed on velero_repo_maintenance_failure_total (new metric) when the node-agent runs',
    ],
  },
];

/** `v1.15` style list of the supported lines, for messages. */
export function supportedLinesText(): string {
  return VELERO_LINES.map((l) => `v${l.line}.x`).join(', ');
}

/** The lines upstream still supports on `date` (YYYY-MM-DD). */
export function upstreamSupportedLines(date: string): readonly VeleroLine[] {
  return VELERO_LINES.filter((l) => !l.endOfSupport || l.endOfSupport > date);
}

/**
 * The line of a Velero release tag. Refuses a malformed tag, a pre-release (`v1.17.0-rc.1`) and a line this
 * project does not deploy, naming the supported lines.
 */
export function veleroLineOf(version: string): VeleroLine {
  const supported = `supported lines: ${supportedLinesText()} (any release of them, e.g. 'v1.18.1')`;
  if (/^v\d+\.\d+\.\d+-/.test(version)) {
    throw new Error(`Velero version '${version}' is a pre-release; use a release of the ${supported}`);
  }
  // Velero's git tags and images are `v`-prefixed (velero/velero:v1.18.1; no `velero/velero:1.18.1` is pushed)
  if (/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `Velero version must be a release tag with its 'v' (images are velero/velero:vX.Y.Z), got '${version}'; write 'v${version}'`,
    );
  }
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`Velero version '${version}' is not a release tag of the form vX.Y.Z; ${supported}`);
  const line = VELERO_LINES.find((l) => l.line === `${Number(m[1])}.${Number(m[2])}`);
  if (!line) throw new Error(`Velero version '${version}' is not of a line this project deploys; ${supported}`);
  return line;
}

/** The line after `line`, if this project knows it. */
export function nextLine(line: VeleroLine): VeleroLine | undefined {
  return VELERO_LINES[VELERO_LINES.indexOf(line) + 1];
}

/** The name of each `--flag[=value]` in `args` (the `server` / `node-agent server` words skipped). */
export function flagNames(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]);
}

/**
 * Throws when `args` carry a flag the line's `velero server` (or `node-agent server`) does not know, naming the
 * flag, the line and, when it has one, the line that has it.
 */
export function checkFlags(what: 'server' | 'node-agent', version: string, args: readonly string[]): void {
  const line = veleroLineOf(version);
  const known = what === 'server' ? line.serverFlags : line.nodeAgentFlags;
  for (const flag of flagNames(args)) {
    if (known.includes(flag)) continue;
    const others = VELERO_LINES.filter((l) => (what === 'server' ? l.serverFlags : l.nodeAgentFlags).includes(flag));
    const where = others.length ? `; only ${others.map((l) => `v${l.line}.x`).join(', ')} know it` : '';
    throw new Error(
      `${what === 'server' ? 'velero server' : 'velero node-agent server'} ${version} has no flag --${flag} (read from pkg/cmd at ${line.flagsReadAt})${where}`,
    );
  }
}
