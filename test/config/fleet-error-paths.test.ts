/**
 * A fleet's mistakes name the path where the user wrote the field, once, in the house form: a cluster's own field
 * under `clusters[i] 'name'.`, a shared field at its shared path; a shared field that fails only with one
 * cluster's own fields (a schedule naming a location that cluster lacks) names that cluster too. Through the
 * renderer (BackupFleet), as the CLI builds a fleet.
 */
import { BackupFleet } from '../../constructs/backup-fleet';
import type { BackupStackConfig, StorageLocationConfig } from '../../lib/config/types';

const b2 = (bucket: string, name?: string): StorageLocationConfig => ({
  provider: 'backblaze-b2',
  bucket,
  ...(name ? { name } : {}),
});
const CSI: BackupStackConfig['csi'] = {
  preventVolumeModeConversion: false,
  volumeSnapshotClass: { driver: 'csi.san.synology.com' },
};
const daily = (more: object = {}) => ({ name: 'daily', schedule: '0 2 * * *', includedNamespaces: ['apps'], ...more });
const refusal = (config: BackupStackConfig): string => {
  try {
    new BackupFleet(config);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

test.each<[string, BackupStackConfig, string]>([
  [
    "a shared location a restoresFrom cluster inherits: its shared path (the cluster's own is only the ReadOnly one)",
    {
      csi: CSI,
      schedules: [daily()],
      storageLocations: [{ provider: 'backblaze-b2', bucket: 'velero-dr', region: 'Bad Region' }],
      clusters: [
        { name: 'home', server: 'https://home:6443', storageLocations: [b2('velero-home')] },
        { name: 'dr', server: 'https://dr:6443', restoresFrom: 'home' },
      ],
    },
    "storageLocations[0].region: in clusters[1] 'dr', \"Bad Region\" is not a Backblaze B2 region; use the form 'us-west-004' or 'eu-central-003'",
  ],
  [
    "a cluster's own location: under the cluster",
    {
      csi: CSI,
      schedules: [daily()],
      clusters: [
        { name: 'home', server: 'https://home:6443', storageLocations: [b2('velero-home')] },
        {
          name: 'lab',
          server: 'https://lab:6443',
          storageLocations: [{ provider: 'backblaze-b2', bucket: 'velero-lab', region: 'Bad Region' }],
        },
      ],
    },
    "clusters[1] 'lab'.storageLocations[0].region: \"Bad Region\" is not a Backblaze B2 region; use the form 'us-west-004' or 'eu-central-003'",
  ],
  [
    'a shared schedule failing in every cluster: its shared path, no cluster',
    {
      csi: CSI,
      schedules: [daily({ ttl: '30m' })],
      clusters: [
        { name: 'home', server: 'https://home:6443', storageLocations: [b2('velero-home')] },
        { name: 'lab', server: 'https://lab:6443', storageLocations: [b2('velero-lab')] },
      ],
    },
    "schedules[0] 'daily'.ttl: must be at least 1h, got '30m' (docs/pitfalls.md#ttl)",
  ],
  [
    "a cluster's own schedule: under the cluster",
    {
      csi: CSI,
      schedules: [daily()],
      clusters: [
        { name: 'home', server: 'https://home:6443', storageLocations: [b2('velero-home')] },
        {
          name: 'lab',
          server: 'https://lab:6443',
          storageLocations: [b2('velero-lab')],
          schedules: [daily({ ttl: '30m' })],
        },
      ],
    },
    "clusters[1] 'lab'.schedules[0] 'daily'.ttl: must be at least 1h, got '30m' (docs/pitfalls.md#ttl)",
  ],
  [
    'a shared field under an object the cluster overrides a sibling of: the shared path',
    {
      csi: CSI,
      schedules: [daily()],
      release: { version: '1.18.1' },
      clusters: [
        {
          name: 'home',
          server: 'https://home:6443',
          storageLocations: [b2('velero-home')],
          release: { logLevel: 'debug' },
        },
        { name: 'lab', server: 'https://lab:6443', storageLocations: [b2('velero-lab')] },
      ],
    },
    "release.version: must be a release tag with its 'v' (images are velero/velero:vX.Y.Z), got '1.18.1'; write 'v1.18.1' (docs/pitfalls.md#release-tags)",
  ],
  [
    "a shared schedule failing only with one cluster's locations: its shared path, and that cluster",
    {
      csi: CSI,
      schedules: [daily({ storageLocation: 'offsite' })],
      clusters: [
        {
          name: 'home',
          server: 'https://home:6443',
          storageLocations: [b2('velero-home'), b2('velero-home-offsite', 'offsite')],
        },
        { name: 'lab', server: 'https://lab:6443', storageLocations: [b2('velero-lab')] },
      ],
    },
    "schedules[0] 'daily'.storageLocation: in clusters[1] 'lab', 'offsite' is not a storage location of this config; use one of 'default'",
  ],
])('%s', (_what, config, message) => {
  expect(refusal(config)).toBe(message);
});
