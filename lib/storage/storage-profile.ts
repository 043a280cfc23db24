/**
 * Where Velero keeps its backups: one typed profile per kind of object store, rendered into a
 * BackupStorageLocation (`provider: aws`, velero-plugin-for-aws config keys, docs/upstream-facts.md#storage-location).
 *
 * Config values are strings because the plugin reads them as strings (`s3ForcePathStyle: "true"`).
 */
import { checkProps, describeValue, type PropSpec } from '../validation/props';
import { storageEndpoint, type StorageEndpoint } from './endpoint';
import type {
  BackblazeB2LocationConfig,
  CloudflareR2LocationConfig,
  EndpointLocationFields,
  LocalStackLocationConfig,
  S3LocationConfig,
  SelfHostedLocationFields,
  WasabiLocationConfig,
} from '../config/types';

/** velero-plugin-for-aws v1.11 BSL `config` keys (docs/upstream-facts.md#storage-location). */
export const AWS_PLUGIN_CONFIG_KEYS = [
  'region',
  's3ForcePathStyle',
  's3Url',
  'publicUrl',
  'serverSideEncryption',
  'kmsKeyId',
  'customerKeyEncryptionFile',
  'signatureVersion',
  'profile',
  'insecureSkipTLSVerify',
  'enableSharedConfig',
  'tagging',
  'checksumAlgorithm',
] as const;

export type StorageProfileKind =
  'localstack' | 'backblaze-b2' | 's3' | 'cloudflare-r2' | 'wasabi' | 'minio' | 'ceph-rgw' | 'garage' | 'seaweedfs';

/** The object stores one runs oneself: no price unless given, path-style by default. */
export type SelfHostedKind = 'minio' | 'ceph-rgw' | 'garage' | 'seaweedfs';

/** How the plan names each kind of store. */
export const STORAGE_PROFILE_NAMES: Readonly<Record<StorageProfileKind, string>> = {
  localstack: 'LocalStack',
  'backblaze-b2': 'Backblaze B2',
  s3: 'S3',
  'cloudflare-r2': 'Cloudflare R2',
  wasabi: 'Wasabi',
  minio: 'MinIO',
  'ceph-rgw': 'Ceph RGW',
  garage: 'Garage',
  seaweedfs: 'SeaweedFS',
};

/**
 * Per self-hosted store: the region it signs with unless told otherwise, and whether it needs path-style
 * addressing (docs/upstream-facts.md#object-stores).
 */
export const SELF_HOSTED_DEFAULTS: Readonly<Record<SelfHostedKind, { region: string; s3ForcePathStyle: boolean }>> = {
  // Velero's MinIO guide: region=minio, s3ForcePathStyle="true" (MinIO serves path-style unless MINIO_DOMAIN is set)
  minio: { region: 'minio', s3ForcePathStyle: true },
  // RGW signs with the zonegroup's api_name ('default' on a fresh cluster); virtual-host needs rgw_dns_name
  'ceph-rgw': { region: 'default', s3ForcePathStyle: true },
  // Garage's s3_region, 'garage' in its documented config; path-style only unless root_domain is set
  garage: { region: 'garage', s3ForcePathStyle: true },
  // SeaweedFS' S3 gateway (weed s3, port 8333) accepts any region and serves path-style
  seaweedfs: { region: 'us-east-1', s3ForcePathStyle: true },
};

/**
 * A profile's options are its storage location's fields (lib/config/types.ts documents each, with its default, once)
 * without those of the BackupStorageLocation object itself (name, default, accessMode, credential).
 */
type ProfileFields<T> = Omit<T, 'provider' | 'name' | 'default' | 'accessMode' | 'credential'>;

/** Where the endpoint is and how to reach it: what every S3-compatible location (not AWS itself) may say. */
export type EndpointOptions = EndpointLocationFields;
export type LocalStackProfileOptions = ProfileFields<LocalStackLocationConfig>;
export type BackblazeB2ProfileOptions = ProfileFields<BackblazeB2LocationConfig>;
export type S3ProfileOptions = ProfileFields<S3LocationConfig>;
/** Cloudflare R2 through its S3 API: endpoint from the account ID, region `auto`. */
export type CloudflareR2ProfileOptions = ProfileFields<CloudflareR2LocationConfig>;
/** Wasabi: endpoint from the region. */
export type WasabiProfileOptions = ProfileFields<WasabiLocationConfig>;
/** A store one runs oneself (MinIO, Ceph RGW, Garage, SeaweedFS): the endpoint is required, the price is not known. */
export type SelfHostedProfileOptions = ProfileFields<SelfHostedLocationFields>;

const COMMON_OPTIONS: PropSpec = {
  bucket: 'string',
  region: 'string',
  prefix: 'string?',
  pricePerTbMonthUsd: 'number?',
};

/** Checks the options' JS types before anything is derived from them. */
function checkOptions(kind: StorageProfileKind, options: unknown, spec: PropSpec): void {
  checkProps(`storage profile '${kind}'`, options, spec);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

const CREDENTIAL_KEY = /(access[_-]?key|secret|password|token|credential|application[_-]?key)/i;

function s3BucketError(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return `must be 3 to 63 characters long`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket))
    return 'may hold only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit';
  if (bucket.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'must not look like an IP address';
  if (bucket.startsWith('xn--') || bucket.endsWith('-s3alias'))
    return "must not start with 'xn--' or end with '-s3alias'";
  return undefined;
}

function fail(kind: StorageProfileKind, field: string, value: unknown, fix: string): never {
  throw new Error(`storage profile '${kind}': ${field} ${JSON.stringify(value)} ${fix}`);
}

/** The plugin config an `extraConfig` map adds; credentials, unknown keys and typed keys are refused. */
function extraConfigOf(kind: StorageProfileKind, extra: Record<string, string> | undefined): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (CREDENTIAL_KEY.test(key) || /aws_access_key_id|aws_secret_access_key/i.test(value)) {
      fail(
        kind,
        `extraConfig.${key}`,
        '<redacted>',
        "looks like a credential; credentials are referenced through a Secret (VeleroRelease 'credentials'), never written into the BSL",
      );
    }
    if (!(AWS_PLUGIN_CONFIG_KEYS as readonly string[]).includes(key)) {
      fail(
        kind,
        'extraConfig key',
        key,
        `is not a velero-plugin-for-aws config key; valid keys: ${AWS_PLUGIN_CONFIG_KEYS.join(', ')}`,
      );
    }
    if (['region', 's3Url', 's3ForcePathStyle', 'checksumAlgorithm'].includes(key)) {
      fail(kind, 'extraConfig key', key, `has its own typed option; set '${key}' directly`);
    }
    if (key === 'insecureSkipTLSVerify') {
      fail(
        kind,
        'extraConfig.insecureSkipTLSVerify',
        value,
        'is only allowed with the LocalStack test profile; give caCert for a private CA',
      );
    }
    config[key] = value;
  }
  return config;
}

const ENDPOINT_OPTIONS: PropSpec = { inCluster: 'boolean?', plainHttpReason: 'string?' };

/** A storage profile: bucket, region and the BSL `config` map, validated when it is made. */
export class StorageProfile {
  /** LocalStack, for testing: path-style, plain http and insecure TLS are allowed here and only here. */
  public static localStack(options: LocalStackProfileOptions = {}): StorageProfile {
    checkOptions('localstack', options, { bucket: 'string?', region: 'string?', s3Url: 'string?', prefix: 'string?' });
    const s3Url = options.s3Url ?? 'http://localstack.localstack:4566';
    return new StorageProfile('localstack', options.bucket ?? 'velero-backups', options.region ?? 'us-east-1', {
      prefix: options.prefix,
      config: { s3ForcePathStyle: 'true', s3Url, insecureSkipTLSVerify: 'true' },
      pricePerTbMonthUsd: 0,
      // LocalStack's default host `localstack.localstack` is the `<service>.<namespace>` short name
      inCluster: true,
    });
  }

  /**
   * Backblaze B2 through its S3 API. Virtual-host addressing, verified TLS, and `checksumAlgorithm: ""`
   * because B2 rejects the plugin's default CRC32 checksum header (docs/pitfalls.md#s3-plugin-provider, velero#7534).
   */
  public static backblazeB2(options: BackblazeB2ProfileOptions): StorageProfile {
    checkOptions('backblaze-b2', options, { ...COMMON_OPTIONS, region: 'string?' });
    const region = options.region ?? 'us-west-004';
    if (!/^[a-z]{2}-[a-z]+-\d{3}$/.test(region)) {
      fail(
        'backblaze-b2',
        'region',
        region,
        "is not a Backblaze B2 region; use the form 'us-west-004' or 'eu-central-003'",
      );
    }
    return new StorageProfile('backblaze-b2', options.bucket, region, {
      prefix: options.prefix,
      config: { s3Url: `https://s3.${region}.backblazeb2.com`, checksumAlgorithm: '' },
      pricePerTbMonthUsd: options.pricePerTbMonthUsd ?? 6,
      freeEgressMultiple: 3,
    });
  }

  /** Cloudflare R2: `https://<accountId>[.<jurisdiction>].r2.cloudflarestorage.com`, region `auto`, free egress. */
  public static cloudflareR2(options: CloudflareR2ProfileOptions): StorageProfile {
    checkOptions('cloudflare-r2', options, {
      bucket: 'string',
      accountId: 'string',
      jurisdiction: ['eu', 'fedramp'],
      prefix: 'string?',
      pricePerTbMonthUsd: 'number?',
    });
    if (!/^[0-9a-f]{32}$/.test(options.accountId)) {
      fail(
        'cloudflare-r2',
        'accountId',
        options.accountId,
        "is not a Cloudflare account ID (32 lowercase hex digits, the first label of the bucket's S3 API URL)",
      );
    }
    const host = `${options.accountId}${options.jurisdiction ? `.${options.jurisdiction}` : ''}.r2.cloudflarestorage.com`;
    return new StorageProfile('cloudflare-r2', options.bucket, 'auto', {
      prefix: options.prefix,
      config: { s3Url: `https://${host}` },
      pricePerTbMonthUsd: options.pricePerTbMonthUsd ?? 15,
      freeEgressMultiple: Infinity,
    });
  }

  /** Wasabi: `https://s3.<region>.wasabisys.com`; objects are billed for at least 90 days. */
  public static wasabi(options: WasabiProfileOptions): StorageProfile {
    checkOptions('wasabi', options, { ...COMMON_OPTIONS, region: 'string?' });
    const region = options.region ?? 'us-east-1';
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
      fail('wasabi', 'region', region, "is not a Wasabi region; use the form 'us-east-1' or 'eu-central-1'");
    }
    return new StorageProfile('wasabi', options.bucket, region, {
      prefix: options.prefix,
      config: { s3Url: `https://s3.${region}.wasabisys.com` },
      pricePerTbMonthUsd: options.pricePerTbMonthUsd ?? 6.99,
      freeEgressMultiple: 1,
      minimumStorageDays: 90,
    });
  }

  /** A store one runs oneself: MinIO, Ceph RGW, Garage or SeaweedFS, with its region and path-style defaults. */
  public static selfHosted(kind: SelfHostedKind, options: SelfHostedProfileOptions): StorageProfile {
    checkOptions(kind, options, {
      ...COMMON_OPTIONS,
      ...ENDPOINT_OPTIONS,
      region: 'string?',
      s3Url: 'string',
      s3ForcePathStyle: 'boolean?',
      checksumAlgorithm: 'string?',
      caCert: 'string?',
      extraConfig: 'record?',
    });
    const defaults = SELF_HOSTED_DEFAULTS[kind];
    const config = extraConfigOf(kind, options.extraConfig);
    config.s3Url = options.s3Url;
    if (options.s3ForcePathStyle ?? defaults.s3ForcePathStyle) config.s3ForcePathStyle = 'true';
    if (options.checksumAlgorithm !== undefined) config.checksumAlgorithm = options.checksumAlgorithm;
    return new StorageProfile(kind, options.bucket, options.region ?? defaults.region, {
      prefix: options.prefix,
      caCert: options.caCert,
      config,
      pricePerTbMonthUsd: options.pricePerTbMonthUsd,
      inCluster: options.inCluster,
      plainHttpReason: options.plainHttpReason,
    });
  }

  /** Any S3 API: AWS S3 without s3Url, any S3-compatible store with one. TLS is verified (`caCert` for a private CA). */
  public static s3(options: S3ProfileOptions): StorageProfile {
    checkOptions('s3', options, {
      ...COMMON_OPTIONS,
      ...ENDPOINT_OPTIONS,
      s3Url: 'string?',
      s3ForcePathStyle: 'boolean?',
      checksumAlgorithm: 'string?',
      caCert: 'string?',
      extraConfig: 'record?',
    });
    const config = extraConfigOf('s3', options.extraConfig);
    const host = options.s3Url !== undefined ? hostOf(options.s3Url) : '';
    if (/(^|\.)backblazeb2\.com$/.test(host)) {
      fail(
        's3',
        's3Url',
        options.s3Url,
        'is Backblaze B2: use StorageProfile.backblazeB2({ bucket }), which sets B2\'s endpoint, virtual-host addressing and checksumAlgorithm ""',
      );
    }
    if (options.s3Url !== undefined) config.s3Url = options.s3Url;
    if (options.s3ForcePathStyle) config.s3ForcePathStyle = 'true';
    if (options.checksumAlgorithm !== undefined) config.checksumAlgorithm = options.checksumAlgorithm;
    return new StorageProfile('s3', options.bucket, options.region, {
      prefix: options.prefix,
      caCert: options.caCert,
      config,
      // AWS S3 Standard's first-50-TB price; an S3-compatible store's price is unknown until given
      pricePerTbMonthUsd: options.pricePerTbMonthUsd ?? (options.s3Url === undefined ? 23 : undefined),
      inCluster: options.inCluster,
      plainHttpReason: options.plainHttpReason,
    });
  }

  /** The BSL `config` map, region included. */
  public readonly config: Readonly<Record<string, string>>;
  public readonly prefix?: string;
  public readonly caCert?: string;
  /** USD per TB-month of stored data (plan report); undefined when not known (a self-hosted store without a price). */
  public readonly pricePerTbMonthUsd?: number;
  /** Egress that is free, as a multiple of stored data (B2: 3x, Wasabi: 1x, R2: Infinity); undefined = billed. */
  public readonly freeEgressMultiple?: number;
  /** Days an object is billed for at least, however soon it is deleted (Wasabi pay-as-you-go: 90). */
  public readonly minimumStorageDays?: number;
  /** Where the endpoint is and whether the traffic is encrypted. */
  public readonly endpoint: StorageEndpoint;
  /** Why plain http to a public host was accepted (the plan quotes it). */
  public readonly plainHttpReason?: string;

  private constructor(
    public readonly kind: StorageProfileKind,
    public readonly bucket: string,
    public readonly region: string,
    opts: {
      prefix?: string;
      caCert?: string;
      config: Record<string, string>;
      pricePerTbMonthUsd?: number;
      freeEgressMultiple?: number;
      minimumStorageDays?: number;
      inCluster?: boolean;
      plainHttpReason?: string;
    },
  ) {
    const bucketProblem = s3BucketError(bucket);
    if (bucketProblem) fail(kind, 'bucket', bucket, `is not a valid S3 bucket name: it ${bucketProblem}`);
    const s3Url = opts.config.s3Url;
    checkRegion(kind, region, s3Url);
    checkPrefix(kind, opts.prefix);
    if (opts.pricePerTbMonthUsd !== undefined && !(opts.pricePerTbMonthUsd >= 0)) {
      fail(kind, 'pricePerTbMonthUsd', opts.pricePerTbMonthUsd, 'must be a number of at least 0, e.g. 6');
    }
    if (s3Url !== undefined) checkS3Url(kind, s3Url, region);
    this.endpoint = storageEndpoint(s3Url, opts.inCluster);
    checkPlainHttp(kind, this.endpoint, opts.plainHttpReason);
    this.config = { region, ...opts.config };
    this.prefix = opts.prefix;
    this.caCert = opts.caCert;
    this.pricePerTbMonthUsd = opts.pricePerTbMonthUsd;
    this.freeEgressMultiple = opts.freeEgressMultiple;
    this.minimumStorageDays = opts.minimumStorageDays;
    this.plainHttpReason = opts.plainHttpReason;
  }

  /** True for the LocalStack test rig: nothing in it survives a LocalStack pod restart. */
  public get isTestRig(): boolean {
    return this.kind === 'localstack';
  }

  /** How the plan names the store: `MinIO`, `Backblaze B2`, `AWS S3`, `S3-compatible store`. */
  public get displayName(): string {
    if (this.kind === 's3') return this.config.s3Url === undefined ? 'AWS S3' : 'S3-compatible store';
    return STORAGE_PROFILE_NAMES[this.kind];
  }

  /** True when the object store runs inside the cluster: its backups die with the cluster. */
  public get inCluster(): boolean {
    return this.endpoint.placement === 'in-cluster';
  }
}

function checkRegion(kind: StorageProfileKind, region: string, s3Url: string | undefined): void {
  if (typeof region !== 'string') {
    throw new Error(
      `storage profile '${kind}': region must be a string, got ${describeValue(region)} (docs/pitfalls.md#prop-types)`,
    );
  }
  // real AWS (no s3Url) resolves its endpoint from the region: only AWS's own region names work. An
  // S3-compatible store only signs with it, and the SDK takes any host label: MinIO 'minio' or 'us-east-1',
  // Cloudflare R2 'auto', Ceph RGW 'default' (docs/pitfalls.md#s3-region)
  if (s3Url === undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,3}$/.test(region)) {
    fail(
      kind,
      'region',
      region,
      "is not an AWS region; use the form 'us-east-1', or set s3Url for an S3-compatible store, whose region may be e.g. 'minio', 'auto' or 'default' (docs/pitfalls.md#s3-region)",
    );
  }
  if (s3Url !== undefined && !/^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/.test(region)) {
    fail(
      kind,
      'region',
      region,
      "is not a region the AWS plugin can sign with: use at most 63 letters, digits and '-', e.g. 'us-east-1', 'minio' or 'auto' (docs/pitfalls.md#s3-region)",
    );
  }
}

/**
 * Velero appends the '/' itself when it is missing (pkg/persistence NewObjectStoreLayout): 'homelab' and
 * 'homelab/' are the same layout; a leading '/' or an empty segment makes keys S3-compatible stores refuse.
 */
function checkPrefix(kind: StorageProfileKind, prefix: string | undefined): void {
  if (prefix === undefined) return;
  const segments = typeof prefix === 'string' ? prefix.replace(/\/$/, '').split('/') : [];
  if (typeof prefix !== 'string' || prefix === '' || segments.some((p) => p === '' || p === '.' || p === '..')) {
    fail(
      kind,
      'prefix',
      prefix,
      "must be a non-empty path without a leading '/', '//', '.' or '..' segments (a trailing '/' is fine), e.g. 'homelab' (docs/pitfalls.md#s3-prefix)",
    );
  }
}

function checkS3Url(kind: StorageProfileKind, s3Url: string, region: string): void {
  let url: URL;
  try {
    url = new URL(s3Url);
  } catch {
    fail(kind, 's3Url', s3Url, "is not a URL; use e.g. 'https://s3.us-west-004.backblazeb2.com'");
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fail(kind, 's3Url', s3Url, "is not an http(s) URL; use e.g. 'https://s3.us-west-004.backblazeb2.com'");
  }
  const hostRegion = /(?:^|\.)s3[.-]([a-z]{2}(?:-[a-z]+)+-\d{1,3})\./.exec(url.hostname)?.[1];
  if (hostRegion && hostRegion !== region) {
    fail(kind, 's3Url', s3Url, `names region '${hostRegion}' but region is '${region}'; make them agree`);
  }
}

/**
 * Plain http is what Velero's MinIO guide does inside the cluster, and normal on a private network; over the
 * public internet every object and every request crosses it unencrypted, so the config must say why
 * (docs/pitfalls.md#plain-http).
 */
function checkPlainHttp(kind: StorageProfileKind, endpoint: StorageEndpoint, reason: string | undefined): void {
  if (reason !== undefined && reason.trim() === '') {
    fail(kind, 'plainHttpReason', reason, 'is empty; say why plain http is acceptable, or leave it out');
  }
  if (kind === 'localstack' || endpoint.encrypted || endpoint.placement !== 'public') return;
  if (reason === undefined) {
    fail(
      kind,
      's3Url',
      endpoint.url,
      `is plain http to a public host (${endpoint.reason}): backups cross the internet unencrypted; use https, set inCluster: true for a Service, or give plainHttpReason (docs/pitfalls.md#plain-http)`,
    );
  }
}
