/**
 * `velero-cdk8s import helm-values`: a chart location whose endpoint is the signature of a store profile
 * (lib/storage/storage-profile.ts derives each profile's endpoint from these fields) imports as that profile,
 * not as provider `s3`: Cloudflare R2 (`https://<accountId>[.<jurisdiction>].r2.cloudflarestorage.com`), Wasabi
 * (`https://s3[.<region>].wasabisys.com`) and Backblaze B2 (`https://s3.<region>.backblazeb2.com`, which the s3
 * provider refuses). Each imported config renders, and its BackupStorageLocation reaches the same endpoint.
 */
import { importHelmValues } from '../../cli/import-helm-values';
import { buildConfig } from '../../constructs/backup-fleet';

const ACCOUNT = '0123456789abcdef0123456789abcdef';

/** The chart's values with one AWS-plugin location at `s3Url`, as a homelab writes them for that store. */
const values = (s3Url: string, region: string) => ({
  configuration: {
    backupStorageLocation: [
      {
        name: 'default',
        provider: 'aws',
        bucket: 'velero-homelab',
        default: true,
        config: { region, s3Url, s3ForcePathStyle: 'true', checksumAlgorithm: '' },
      },
    ],
  },
  schedules: { daily: { schedule: '0 3 * * *', template: { ttl: '720h', includedNamespaces: ['apps'] } } },
});

test.each<[string, string, string, Record<string, unknown>, { s3Url: string; region: string }]>([
  [
    'Cloudflare R2',
    `https://${ACCOUNT}.r2.cloudflarestorage.com`,
    'auto',
    { provider: 'cloudflare-r2', accountId: ACCOUNT },
    { s3Url: `https://${ACCOUNT}.r2.cloudflarestorage.com`, region: 'auto' },
  ],
  [
    'Cloudflare R2, EU jurisdiction',
    `https://${ACCOUNT}.eu.r2.cloudflarestorage.com/`,
    'auto',
    { provider: 'cloudflare-r2', accountId: ACCOUNT, jurisdiction: 'eu' },
    { s3Url: `https://${ACCOUNT}.eu.r2.cloudflarestorage.com`, region: 'auto' },
  ],
  [
    'Wasabi',
    'https://s3.eu-central-1.wasabisys.com',
    'eu-central-1',
    { provider: 'wasabi', region: 'eu-central-1' },
    { s3Url: 'https://s3.eu-central-1.wasabisys.com', region: 'eu-central-1' },
  ],
  [
    "Wasabi's us-east-1 endpoint without its region",
    'https://s3.wasabisys.com',
    'us-east-1',
    { provider: 'wasabi', region: 'us-east-1' },
    { s3Url: 'https://s3.us-east-1.wasabisys.com', region: 'us-east-1' },
  ],
  [
    'Backblaze B2',
    'https://s3.us-west-004.backblazeb2.com',
    'us-west-004',
    { provider: 'backblaze-b2', region: 'us-west-004' },
    { s3Url: 'https://s3.us-west-004.backblazeb2.com', region: 'us-west-004' },
  ],
  [
    'any other S3 API (MinIO on the LAN)',
    'https://minio.lan:9000',
    'minio',
    { provider: 's3', region: 'minio', s3Url: 'https://minio.lan:9000', s3ForcePathStyle: true, checksumAlgorithm: '' },
    { s3Url: 'https://minio.lan:9000', region: 'minio' },
  ],
])('%s imports as its store profile and renders its endpoint', (_store, s3Url, region, location, rendered) => {
  const result = importHelmValues(values(s3Url, region));
  expect(result.config.storageLocations).toEqual([
    { ...location, bucket: 'velero-homelab', name: 'default', default: true },
  ]);
  const bsl = buildConfig(result.config).objects.find((o) => o.object.kind === 'BackupStorageLocation')!.object as any;
  expect({ s3Url: bsl.spec.config.s3Url, region: bsl.spec.config.region }).toEqual(rendered);
  // every key of the location is reported: the profile's own fields come from the endpoint, the rest it sets itself
  const reported = [...result.mapped.map((m) => m.key), ...result.notMapped.map((n) => n.key)];
  for (const key of ['region', 's3Url', 's3ForcePathStyle'])
    expect(reported).toContain(`configuration.backupStorageLocation[0].config.${key}`);
});

test('an R2 import says the profile sets the region and addressing the chart spelled out', () => {
  const result = importHelmValues(values(`https://${ACCOUNT}.r2.cloudflarestorage.com`, 'auto'));
  expect(result.mapped).toContainEqual({
    key: 'configuration.backupStorageLocation[0].config.s3Url',
    to: 'storageLocations[0].accountId',
  });
  expect(result.notMapped).toContainEqual({
    key: 'configuration.backupStorageLocation[0].config.s3ForcePathStyle',
    why: 'the cloudflare-r2 profile sets its own endpoint, region and addressing',
  });
});
