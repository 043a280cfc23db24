/** The README's second example: a Backblaze B2 homelab, three schedules. examples/b2-homelab.yaml is the same config. */
import type { BackupStackConfig } from '../lib/config/types';

export const B2_HOMELAB: BackupStackConfig = {
  storageLocations: [{ provider: 'backblaze-b2', bucket: 'velero-backups-homelab-7f3a', region: 'eu-central-003' }],
  release: { credentials: { name: 'b2-credentials', key: 'cloud' } },
  schedules: [
    {
      name: 'hourly-databases',
      schedule: '0 * * * *',
      ttl: '72h',
      includedNamespaces: ['postgres'],
    },
    {
      name: 'daily-apps',
      schedule: '30 2 * * *',
      ttl: '720h',
      includedNamespaces: ['nextcloud', 'immich', 'pihole'],
      drill: { verify: [{ namespace: 'pihole', pvc: 'pihole-data', path: 'gravity.db' }] },
    },
    {
      name: 'weekly-cluster',
      schedule: '0 4 * * 0',
      ttl: '2160h',
      includedNamespaces: ['*'],
      includeClusterResources: true,
      snapshotVolumes: false,
    },
  ],
  volumes: [
    { namespace: 'postgres', pvc: 'data-postgres-0', size: '20Gi', app: 'PostgreSQL' },
    { namespace: 'nextcloud', pvc: 'nextcloud-data', size: '200Gi', app: 'Nextcloud' },
  ],
  unprotectedNamespaces: { 'media-cache': 'transcode cache, rebuilt on start' },
  csi: {
    namespace: 'synology-csi',
    preventVolumeModeConversion: false,
    volumeSnapshotClass: { name: 'synology-snapshot-class', driver: 'csi.san.synology.com' },
  },
  alerts: { namespace: 'default', routingLabels: { team: 'homelab' } },
  argocd: { repository: { repoURL: 'https://git.example.lan/homelab/backups.git', targetRevision: 'main' } },
};
