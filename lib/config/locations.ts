/**
 * Storage locations of a config: the storage profile of each, which one is the default, and who writes
 * where. Velero needs exactly one writer per bucket + prefix: two servers that write (and sync, and
 * garbage-collect) the same location delete each other's backups (velero#627, #5509), so a second
 * cluster sees another's location only as `ReadOnly` (docs/pitfalls.md#default-bsl).
 */
import { StorageProfile } from '../storage/storage-profile';
import { ConfigError, configPath, itemPath } from './validate';
import type { StorageLocationConfig } from './types';
import { ACCESS_MODE_DEFAULT } from './defaults';

/** The default storage location when a config gives none: the LocalStack test rig. */
export const DEFAULT_STORAGE_LOCATIONS: readonly StorageLocationConfig[] = [{ provider: 'localstack' }];

/** One location of a config, resolved: its name, profile and where it sits in the config. */
export interface ResolvedLocation {
  readonly path: string;
  readonly name: string;
  readonly isDefault: boolean;
  readonly accessMode: 'ReadWrite' | 'ReadOnly';
  readonly profile: StorageProfile;
  readonly config: StorageLocationConfig;
}

/** The storage profile of one location config; its errors name the path. */
export function profileOf(location: StorageLocationConfig, path: string): StorageProfile {
  try {
    switch (location.provider) {
      case 'localstack':
        return StorageProfile.localStack({
          bucket: location.bucket,
          region: location.region,
          s3Url: location.s3Url,
          prefix: location.prefix,
        });
      case 'backblaze-b2':
        return StorageProfile.backblazeB2({
          bucket: location.bucket,
          region: location.region,
          prefix: location.prefix,
          pricePerTbMonthUsd: location.pricePerTbMonthUsd,
        });
      case 's3':
        return StorageProfile.s3({
          bucket: location.bucket,
          region: location.region,
          s3Url: location.s3Url,
          s3ForcePathStyle: location.s3ForcePathStyle,
          checksumAlgorithm: location.checksumAlgorithm,
          caCert: location.caCert,
          prefix: location.prefix,
          extraConfig: location.extraConfig,
          pricePerTbMonthUsd: location.pricePerTbMonthUsd,
          inCluster: location.inCluster,
          plainHttpReason: location.plainHttpReason,
        });
      case 'cloudflare-r2':
        return StorageProfile.cloudflareR2({
          bucket: location.bucket,
          accountId: location.accountId,
          jurisdiction: location.jurisdiction,
          prefix: location.prefix,
          pricePerTbMonthUsd: location.pricePerTbMonthUsd,
        });
      case 'wasabi':
        return StorageProfile.wasabi({
          bucket: location.bucket,
          region: location.region,
          prefix: location.prefix,
          pricePerTbMonthUsd: location.pricePerTbMonthUsd,
        });
      case 'minio':
      case 'ceph-rgw':
      case 'garage':
      case 'seaweedfs':
        return StorageProfile.selfHosted(location.provider, {
          bucket: location.bucket,
          s3Url: location.s3Url,
          region: location.region,
          s3ForcePathStyle: location.s3ForcePathStyle,
          checksumAlgorithm: location.checksumAlgorithm,
          caCert: location.caCert,
          prefix: location.prefix,
          extraConfig: location.extraConfig,
          pricePerTbMonthUsd: location.pricePerTbMonthUsd,
          inCluster: location.inCluster,
          plainHttpReason: location.plainHttpReason,
        });
    }
  } catch (e) {
    // `storage profile 's3': region "x" is not ...` -> `storageLocations[0].region: "x" is not ...`
    const m = /^storage profile '[^']+': ([A-Za-z0-9.]+) ([\s\S]*)$/.exec((e as Error).message);
    const err = m
      ? new ConfigError(configPath(path, ...m[1].split('.')), m[2])
      : new ConfigError(path, (e as Error).message);
    err.cause = e;
    throw err;
  }
}

/**
 * The locations of a config, the default first: exactly one default (the one marked, else the first),
 * named `default`; the others named, uniquely.
 */
export function resolveLocations(
  locations: readonly StorageLocationConfig[] = DEFAULT_STORAGE_LOCATIONS,
  base = 'storageLocations',
): ResolvedLocation[] {
  if (locations.length === 0) {
    throw new ConfigError(
      base,
      "is empty; give at least the default location, e.g. [{ provider: 'backblaze-b2', bucket }]",
    );
  }
  const marked = locations.map((l, i) => [l, i] as const).filter(([l]) => l.default === true);
  if (marked.length > 1) {
    throw new ConfigError(
      configPath(base, marked[1][1], 'default'),
      `${configPath(base, marked[0][1])} is the default already; exactly one location is the default`,
    );
  }
  const defaultIndex = marked.length ? marked[0][1] : 0;
  const resolved: ResolvedLocation[] = [];
  const names = new Map<string, string>();
  locations.forEach((location, i) => {
    const path = itemPath(base, i, location);
    const isDefault = i === defaultIndex;
    const name = location.name ?? (isDefault ? 'default' : undefined);
    if (name === undefined)
      throw new ConfigError(configPath(path, 'name'), 'is required for a location that is not the default');
    if (isDefault && name !== 'default') {
      throw new ConfigError(
        configPath(path, 'name'),
        `the default location is named 'default' (Velero's convention), got '${name}'; leave name out or mark another location default`,
      );
    }
    if (!isDefault && name === 'default') {
      throw new ConfigError(
        configPath(path, 'name'),
        `'default' is the default location's name; give this one its own`,
      );
    }
    if (names.has(name))
      throw new ConfigError(
        configPath(path, 'name'),
        `'${name}' is taken by ${names.get(name)}; give each location its own name`,
      );
    names.set(name, path);
    const accessMode = location.accessMode ?? ACCESS_MODE_DEFAULT;
    // a ReadOnly default is a restore-only cluster (Velero's DR guide): BackupStack refuses schedules that write to it
    if (isDefault && location.credential) {
      throw new ConfigError(
        configPath(path, 'credential'),
        "the default location uses the release's credentials; set release.credentials instead",
      );
    }
    resolved.push({ path, name, isDefault, accessMode, profile: profileOf(location, path), config: location });
  });
  return [resolved[defaultIndex], ...resolved.filter((_, i) => i !== defaultIndex)];
}

/** Where a location writes: endpoint, bucket and prefix, as one key (two writers of one key clash). */
export function locationKey(profile: StorageProfile): string {
  const endpoint = profile.config.s3Url === undefined ? 'aws-s3' : canonicalUrl(profile.config.s3Url);
  const prefix = (profile.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return `${endpoint}|${profile.bucket}|${prefix}`;
}

/**
 * One spelling per endpoint: scheme and host lower-cased, the scheme's default port and trailing slashes dropped
 * (WHATWG URL, as Go's net/url and the AWS SDK resolve them), so `https://minio.lan`, `https://minio.lan/` and
 * `https://MINIO.lan:443` are one endpoint (docs/pitfalls.md#default-bsl).
 */
export function canonicalUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return url.trim();
  }
}

/** `s3://bucket/prefix` for messages. */
export function describeLocation(profile: StorageProfile): string {
  const prefix = (profile.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return `bucket '${profile.bucket}'${prefix ? ` prefix '${prefix}'` : ' (no prefix)'}`;
}

/** A location and who holds it: `path` for the error, `label` to name it (`cluster 'prod' location 'default'`). */
export interface LocationHolder {
  readonly path: string;
  readonly label: string;
  readonly location: ResolvedLocation;
}

/** One writer per location: throws when two ReadWrite locations (of one cluster or two) share bucket + prefix. */
export function assertOneWriterPerLocation(
  holders: readonly LocationHolder[],
  fix = "give each its own prefix, or make one 'ReadOnly'",
): void {
  const seen = new Map<string, LocationHolder>();
  for (const h of holders) {
    if (h.location.accessMode !== 'ReadWrite') continue;
    const key = locationKey(h.location.profile);
    const first = seen.get(key);
    if (first) {
      throw new ConfigError(
        h.path,
        `${h.label} writes ${describeLocation(h.location.profile)}, and so does ${first.label} (${first.path}); Velero needs one writer per location (velero#627, #5509): ${fix} (docs/pitfalls.md#one-writer)`,
      );
    }
    seen.set(key, h);
  }
}
