/**
 * Repository-maintenance settings as a Velero line takes them: flags up to 1.16; from 1.17 (which removed the
 * flags, velero-io/velero@v1.17.0:changelogs/CHANGELOG-1.17.md) the `global` entry of a ConfigMap named by `--repo-maintenance-job-configmap`
 * (pkg/repository/maintenance/maintenance.go, pkg/types/repo_maintenance.go at v1.17.2).
 */
import { checkResources, type ComputeResources } from '../kube/resources';
import type { VeleroLine } from './velero-lines';

/** Repository-maintenance Jobs (kopia repositories of file-system backups and snapshot data movement). */
export interface RepositoryMaintenanceOptions {
  /** Finished maintenance Jobs kept per repository. @default - Velero's (3) */
  readonly keepLatestJobs?: number;
  /** Resources of the maintenance Job pods. @default - Velero's (none set) */
  readonly resources?: ComputeResources;
}

/** The server args for `options` on `line`, and the ConfigMap's `global` entry where the line reads one. */
export function repositoryMaintenanceSettings(
  line: VeleroLine,
  options: RepositoryMaintenanceOptions | undefined,
): { readonly args: readonly string[]; readonly global?: Record<string, unknown> } {
  if (!options) return { args: [] };
  const { keepLatestJobs, resources } = options;
  if (keepLatestJobs !== undefined && (!Number.isInteger(keepLatestJobs) || keepLatestJobs < 1)) {
    throw new Error(
      `velero release: repositoryMaintenance.keepLatestJobs must be a whole number of at least 1, got ${keepLatestJobs}`,
    );
  }
  if (resources) checkResources('repository maintenance jobs', resources);
  if (line.serverFlags.includes('keep-latest-maintenance-jobs')) {
    return {
      args: [
        ...(keepLatestJobs !== undefined ? [`--keep-latest-maintenance-jobs=${keepLatestJobs}`] : []),
        ...(resources
          ? [
              `--maintenance-job-cpu-request=${resources.requests.cpu}`,
              `--maintenance-job-mem-request=${resources.requests.memory}`,
              `--maintenance-job-cpu-limit=${resources.limits.cpu}`,
              `--maintenance-job-mem-limit=${resources.limits.memory}`,
            ]
          : []),
      ],
    };
  }
  const global = {
    ...(keepLatestJobs !== undefined ? { keepLatestMaintenanceJobs: keepLatestJobs } : {}),
    ...(resources
      ? {
          podResources: {
            cpuRequest: resources.requests.cpu,
            memoryRequest: resources.requests.memory,
            cpuLimit: resources.limits.cpu,
            memoryLimit: resources.limits.memory,
          },
        }
      : {}),
  };
  return { args: [], global };
}
