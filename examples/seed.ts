/**
 * The seed homelab's config (the one user this repository renders into dist/): its Velero backup and
 * disaster-recovery stack as one BackupStack config (lib/config/types.ts; every field not given here is its
 * stated default). main.ts, this repository's own config, is this one; the tests about the seed load it by
 * its name here, so a copy of the repository whose main.ts holds another config still passes `npm test`.
 */
import { Duration } from 'cdk8s';
import type { BackupScheduleProps } from '../constructs/backup-schedule';
import type { BackupStackConfig } from '../lib/config/types';

/**
 * The seed's schedules. Names are exact: the runbooks rely on them
 * (`velero backup get | awk '/^daily-critical-pvcs-/'`).
 */
export const SEED_SCHEDULES = {
  dailyCriticalPvcs: {
    name: 'daily-critical-pvcs',
    schedule: '0 2 * * *',
    ttl: Duration.hours(720),
    includedNamespaces: ['default', 'loki', 'pihole'],
    snapshotVolumes: true,
    defaultVolumesToFsBackup: false,
  },
  weeklyClusterResources: {
    name: 'weekly-cluster-resources',
    schedule: '0 3 * * 0',
    ttl: Duration.hours(2160),
    includedNamespaces: ['*'],
    includeClusterResources: true,
    snapshotVolumes: false,
  },
} as const satisfies Record<string, Omit<BackupScheduleProps, 'release'>>;

/**
 * The seed homelab. Production storage is one line: `{ provider: 'backblaze-b2', bucket: 'velero-backups-<id>' }`;
 * any S3: `{ provider: 's3', bucket, region, s3Url }`.
 */
export const SEED_CONFIG = {
  // LocalStack: a test rig, nothing survives a LocalStack restart
  storageLocations: [{ provider: 'localstack' }],
  schedules: [
    // monthly proof that the daily backups restore, into drill-<ns> scratch namespaces deleted afterwards
    { ...SEED_SCHEDULES.dailyCriticalPvcs, drill: {} },
    SEED_SCHEDULES.weeklyClusterResources,
  ],
  // the critical PVCs the plan report sizes and costs
  volumes: [
    { namespace: 'default', pvc: 'prometheus-data', size: '50Gi', app: 'Prometheus' },
    { namespace: 'loki', pvc: 'loki-data', size: '20Gi', app: 'Loki' },
    { namespace: 'default', pvc: 'grafana-data', size: '5Gi', app: 'Grafana' },
    { namespace: 'pihole', pvc: 'pihole-data', size: '5Gi', app: 'Pi-hole' },
  ],
  // the BACKUP-PLAN.md runbooks, rendered into dist/restores/ (nothing syncs it); the rebuild's two come last
  restores: [
    { name: 'pvc-lost', target: { kind: 'pvc', namespace: 'default', pvc: 'prometheus-data' } },
    { name: 'namespace-lost', target: { kind: 'namespace', namespace: 'pihole' } },
    { name: 'namespace-inspect', target: { kind: 'namespace-into', namespace: 'loki', into: 'loki-inspect' } },
    { rebuild: {} },
  ],
  // The seed's storage is a Synology NAS (Synology CSI v1.2.1): its driver and class, and the snapshot-controller
  // next to the driver in `synology-csi`. Its csi-snapshotter sidecar (v4.2.1) drops sourceVolumeMode on update;
  // with the v8.2.1 CRDs that pair is refused unless a way out is chosen (docs/pitfalls.md#source-volume-mode). Chosen: the
  // controller flag, until the Synology sidecar runs v6.0.0 or later with `patch` RBAC.
  csi: {
    namespace: 'synology-csi',
    snapshotterSidecarVersion: 'v4.2.1',
    preventVolumeModeConversion: false,
    volumeSnapshotClass: { name: 'synology-snapshot-class', driver: 'csi.san.synology.com' },
  },
  argocd: { repository: { repoURL: 'https://github.com/homelab/velero-cdk8s.git', targetRevision: 'HEAD' } },
} as const satisfies BackupStackConfig;
