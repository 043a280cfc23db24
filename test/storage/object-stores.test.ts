/**
 * Object stores as people run them (issue 23): where an endpoint is (in the cluster, a private network, the
 * internet), plain http accepted as Velero accepts it, the provider profiles' defaults, and the Longhorn + in-cluster
 * MinIO homelab (examples/longhorn-minio-homelab.yaml) rendered through the real synth, its plan calling the
 * backups in-cluster.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthConfig } from '../../cli/commands';
import { buildConfig, type SingleCluster } from '../../constructs/backup-fleet';
import { loadConfigFile } from '../../lib/config/load';
import { inventoryStoreLines, runPlanCli } from '../../lib/plan/plan-cli';
import { backupPlan } from '../../lib/plan/plan';
import { placementOfHost, storageEndpoint } from '../../lib/storage/endpoint';
import { StorageProfile } from '../../lib/storage/storage-profile';

const HOMELAB = 'examples/longhorn-minio-homelab.yaml';

describe('where an endpoint is', () => {
  test.each([
    ['minio.minio.svc', 'in-cluster'],
    ['minio.minio.svc.cluster.local', 'in-cluster'],
    ['rook-ceph-rgw.rook-ceph.svc.cluster.local', 'in-cluster'],
    ['minio', 'in-cluster'],
    ['10.0.0.5', 'private-network'],
    ['172.31.255.1', 'private-network'],
    ['192.168.1.20', 'private-network'],
    ['100.101.102.103', 'private-network'],
    ['127.0.0.1', 'private-network'],
    ['169.254.10.1', 'private-network'],
    ['[fd12:3456::1]', 'private-network'],
    ['[fe80::1]', 'private-network'],
    ['[::1]', 'private-network'],
    ['localhost', 'private-network'],
    ['nas.home.arpa', 'private-network'],
    ['truenas.local', 'private-network'],
    ['minio.lan', 'private-network'],
    ['garage.internal', 'private-network'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['[2001:db8::1]', 'public'],
    ['minio.minio', 'public'],
    ['s3.example.com', 'public'],
  ] as const)('%s is %s', (host, placement) => {
    expect(placementOfHost(host).placement).toBe(placement);
  });

  test.each([
    ['a ClusterIP said to be in the cluster', 'http://10.43.0.17:9000', true, 'in-cluster'],
    ['a <service>.<namespace> short name said to be in the cluster', 'http://minio.minio:9000', true, 'in-cluster'],
    ['a .svc-looking name said not to be', 'https://backup.svc', false, 'private-network'],
  ] as const)('inCluster overrides the name rules: %s', (_what, url, inCluster, placement) => {
    expect(storageEndpoint(url, inCluster).placement).toBe(placement);
  });
});

describe('provider profiles', () => {
  test.each([
    ['AWS S3', StorageProfile.s3({ bucket: 'velero', region: 'eu-west-1' }), { region: 'eu-west-1' }, 23, 'public'],
    [
      'an S3-compatible store without a price',
      StorageProfile.s3({ bucket: 'velero', region: 'us-east-1', s3Url: 'https://s3.example.com' }),
      { region: 'us-east-1', s3Url: 'https://s3.example.com' },
      undefined,
      'public',
    ],
    [
      'Backblaze B2',
      StorageProfile.backblazeB2({ bucket: 'velero' }),
      { region: 'us-west-004', s3Url: 'https://s3.us-west-004.backblazeb2.com', checksumAlgorithm: '' },
      6,
      'public',
    ],
    [
      'Cloudflare R2',
      StorageProfile.cloudflareR2({ bucket: 'velero', accountId: '0123456789abcdef0123456789abcdef' }),
      { region: 'auto', s3Url: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com' },
      15,
      'public',
    ],
    [
      'Cloudflare R2 in the EU jurisdiction',
      StorageProfile.cloudflareR2({
        bucket: 'velero',
        accountId: '0123456789abcdef0123456789abcdef',
        jurisdiction: 'eu',
      }),
      { region: 'auto', s3Url: 'https://0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com' },
      15,
      'public',
    ],
    [
      'Wasabi',
      StorageProfile.wasabi({ bucket: 'velero', region: 'eu-central-1' }),
      { region: 'eu-central-1', s3Url: 'https://s3.eu-central-1.wasabisys.com' },
      6.99,
      'public',
    ],
    [
      'MinIO',
      StorageProfile.selfHosted('minio', { bucket: 'velero', s3Url: 'http://minio.minio.svc:9000' }),
      { region: 'minio', s3Url: 'http://minio.minio.svc:9000', s3ForcePathStyle: 'true' },
      undefined,
      'in-cluster',
    ],
    [
      'Ceph RGW',
      StorageProfile.selfHosted('ceph-rgw', {
        bucket: 'velero',
        s3Url: 'http://rook-ceph-rgw-store.rook-ceph.svc',
      }),
      { region: 'default', s3Url: 'http://rook-ceph-rgw-store.rook-ceph.svc', s3ForcePathStyle: 'true' },
      undefined,
      'in-cluster',
    ],
    [
      'Garage',
      StorageProfile.selfHosted('garage', { bucket: 'velero', s3Url: 'http://garage.lan:3900' }),
      { region: 'garage', s3Url: 'http://garage.lan:3900', s3ForcePathStyle: 'true' },
      undefined,
      'private-network',
    ],
    [
      'SeaweedFS with a price given',
      StorageProfile.selfHosted('seaweedfs', {
        bucket: 'velero',
        s3Url: 'https://seaweed.home.arpa:8333',
        pricePerTbMonthUsd: 4,
      }),
      { region: 'us-east-1', s3Url: 'https://seaweed.home.arpa:8333', s3ForcePathStyle: 'true' },
      4,
      'private-network',
    ],
  ])('%s', (_name, profile, config, price, placement) => {
    expect(profile.config).toEqual(config);
    expect(profile.pricePerTbMonthUsd).toBe(price);
    expect(profile.endpoint.placement).toBe(placement);
  });
});

describe('the Longhorn + in-cluster MinIO homelab (examples/longhorn-minio-homelab.yaml)', () => {
  let out: string;
  let plan: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'object-stores-'));
    expect(synthConfig(HOMELAB, { outDir: join(out, 'dist') })).toBe(0);
    plan = readFileSync(join(out, 'dist', 'BACKUP-PLAN.md'), 'utf8');
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('renders its http MinIO location as Velero accepts it', () => {
    const bsl = readFileSync(
      join(out, 'dist', 'velero', 'BackupStorageLocation_velero.io_velero_default.yaml'),
      'utf8',
    );
    expect(bsl).toContain('s3Url: http://minio.minio.svc:9000');
    expect(bsl).toContain('s3ForcePathStyle: "true"');
    expect(bsl).toContain('region: minio');
  });

  test.each([
    [
      'the off-site status',
      '**NOT off-site: MinIO bucket `velero` at `http://minio.minio.svc:9000` (location `default`) runs inside the cluster**',
    ],
    ['the unencrypted traffic', '**Traffic to `minio.minio.svc` is unencrypted (plain http)**'],
    ['the coverage rows', '| 1 d | 30 | 30 d | **no** (in-cluster object store) |'],
    ['the rebuild runbook', '**This runbook needs the backups outside the lost cluster.**'],
    ['no price for self-hosted storage', 'Price: not known (no price: MinIO runs on your own disks'],
  ])('the plan says so in %s', (_where, text) => {
    expect(plan).toContain(text);
  });

  test('the plan never calls the in-cluster store off-site', () => {
    expect(plan).not.toMatch(/outside the cluster and the NAS|\| yes \|/);
  });

  test('the server mounts the Secret the chart created (`velero`, key `cloud`)', () => {
    const deployment = readFileSync(join(out, 'dist', 'velero', 'Deployment_apps_velero_velero.yaml'), 'utf8');
    expect(deployment).toContain('secretName: velero');
    expect(deployment).toContain('value: /credentials/cloud');
  });

  test('`npm run plan` says the backups are not off-site and the traffic unencrypted', () => {
    const built = buildConfig(loadConfigFile(HOMELAB)) as SingleCluster;
    const lines: string[] = [];
    const code = runPlanCli([], built.stack.plan, {
      log: (l) => lines.push(l),
      error: (l) => lines.push(l),
      now: new Date(Date.UTC(2026, 0, 1)),
      distDir: join(out, 'plan-cli'),
    });
    expect(code).toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  nextcloud: RPO 1 d, NOT off-site (object store inside the cluster)',
        "  storage location 'default': MinIO at http://minio.minio.svc:9000 is inside the cluster (host 'minio.minio.svc' ends in .svc): the backups are NOT off-site",
        "  storage location 'default': plain http, the traffic to minio.minio.svc is unencrypted",
        "  object storage: 229.9 GiB, no price (no price: MinIO runs on your own disks; set the location's pricePerTbMonthUsd for an estimate)",
      ]),
    );
  });

  test('`npm run plan --inventory` names the PVC the store keeps the backups on', () => {
    const built = buildConfig(loadConfigFile(HOMELAB)) as SingleCluster;
    const pvc = { namespace: 'minio', name: 'minio', size: '500Gi', storageClass: 'local-path' };
    expect(inventoryStoreLines(built.stack.plan, [pvc])).toEqual([
      '  object store: MinIO keeps the backups inside the cluster, on minio/minio 500Gi (local-path): NOT off-site',
    ]);
    expect(backupPlan(built.stack.plan).namespaces.every((n) => !n.offSite)).toBe(true);
  });
});

test('a `<service>.<namespace>` host whose namespace the inventory shows is named a Service of the cluster', () => {
  const built = buildConfig({
    storageLocations: [{ provider: 'minio', bucket: 'velero', s3Url: 'https://minio.minio:9000', caCert: 'x' }],
    csi: { enabled: false },
  }) as SingleCluster;
  const pvc = { namespace: 'minio', name: 'export', size: '1Ti', storageClass: 'longhorn' };
  expect(inventoryStoreLines(built.stack.plan, [pvc])).toEqual([
    "  object store: host 'minio.minio' is a Service of namespace 'minio', which the inventory shows (minio/export 1Ti (longhorn)): the backups are inside the cluster, NOT off-site; set inCluster: true on storage location 'default'",
  ]);
});

test.each([
  ['a 30-day ttl is billed as 90 days', '720h', '`daily` (ttl 30 d) deletes sooner and is billed as if kept 90 days.'],
  ['a 90-day ttl is not', '2160h', 'Wasabi bills every object for at least 90 days.'],
])('Wasabi: %s', (_what, ttl, text) => {
  const built = buildConfig({
    csi: { enabled: false },
    storageLocations: [{ provider: 'wasabi', bucket: 'velero', region: 'eu-central-1' }],
    schedules: [{ name: 'daily', schedule: '0 3 * * *', ttl }],
  });
  expect(built.planMarkdown()).toContain(text);
  expect(built.planMarkdown()).toContain('Price: $6.99 per TB-month (the Wasabi profile).');
});
