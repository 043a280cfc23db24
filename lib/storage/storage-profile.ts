/**
 * Where Velero keeps its backups: one typed profile per kind of object store, rendered into a
 * BackupStorageLocation (`provider: aws`, velero-plugin-for-aws config keys, docs/upstream-facts.md#storage-location).
 *
 * Config values are strings because the plugin reads them as strings (`s3ForcePathStyle: "true"`).
 */
import { checkProps, describeValue, type PropSpec } from '../validation/props';

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

export type StorageProfileKind = 'localstack' | 'backblaze-b2' | 's3';

export interface LocalStackProfileOptions {
  /** @default 'velero-backups' */
  readonly bucket?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** LocalStack's in-cluster endpoint. @default 'http://localstack.localstack:4566' */
  readonly s3Url?: string;
  /** Key prefix inside the bucket. @default - none */
  readonly prefix?: string;
}

export interface BackblazeB2ProfileOptions {
  /** Bucket name; the seed names it `velero-backups-<identifier>`. */
  readonly bucket: string;
  /** B2 region, e.g. `us-west-004`; the S3 endpoint is derived from it. @default 'us-west-004' */
  readonly region?: string;
  /** Key prefix inside the bucket. @default - none */
  readonly prefix?: string;
  /** Storage price in USD per TB-month, for the plan's cost estimate. @default 6 (B2, the seed's figure) */
  readonly pricePerTbMonthUsd?: number;
}

export interface S3ProfileOptions {
  readonly bucket: string;
  readonly region: string;
  /** Endpoint for S3-compatible stores (MinIO, Wasabi); https only. @default - AWS S3 */
  readonly s3Url?: string;
  /** Path-style addressing (MinIO needs it). @default false */
  readonly s3ForcePathStyle?: boolean;
  /** Checksum algorithm; `''` for stores that reject the default CRC32. @default - plugin default (CRC32) */
  readonly checksumAlgorithm?: string;
  /** PEM CA bundle for a private CA (instead of ever skipping TLS verification). @default - system CAs */
  readonly caCert?: string;
  /** Key prefix inside the bucket. @default - none */
  readonly prefix?: string;
  /** Further plugin config keys (e.g. serverSideEncryption, kmsKeyId); credentials are refused. @default {} */
  readonly extraConfig?: Record<string, string>;
  /** Storage price in USD per TB-month, for the plan's cost estimate. @default 23 (AWS S3 Standard) */
  readonly pricePerTbMonthUsd?: number;
}

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

  /** Any S3 API: AWS S3, MinIO, Wasabi, Ceph RGW. TLS is always verified (use `caCert` for a private CA). */
  public static s3(options: S3ProfileOptions): StorageProfile {
    checkOptions('s3', options, {
      ...COMMON_OPTIONS,
      s3Url: 'string?',
      s3ForcePathStyle: 'boolean?',
      checksumAlgorithm: 'string?',
      caCert: 'string?',
      extraConfig: 'record?',
    });
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.extraConfig ?? {})) {
      if (CREDENTIAL_KEY.test(key) || /aws_access_key_id|aws_secret_access_key/i.test(value)) {
        fail(
          's3',
          `extraConfig.${key}`,
          '<redacted>',
          "looks like a credential; credentials are referenced through a Secret (VeleroRelease 'credentials'), never written into the BSL",
        );
      }
      if (!(AWS_PLUGIN_CONFIG_KEYS as readonly string[]).includes(key)) {
        fail(
          's3',
          'extraConfig key',
          key,
          `is not a velero-plugin-for-aws config key; valid keys: ${AWS_PLUGIN_CONFIG_KEYS.join(', ')}`,
        );
      }
      if (['region', 's3Url', 's3ForcePathStyle', 'checksumAlgorithm'].includes(key)) {
        fail('s3', 'extraConfig key', key, `has its own typed option; set '${key}' directly`);
      }
      if (key === 'insecureSkipTLSVerify') {
        fail(
          's3',
          'extraConfig.insecureSkipTLSVerify',
          value,
          'is only allowed with the LocalStack test profile; give caCert for a private CA',
        );
      }
      config[key] = value;
    }
    if (options.s3Url !== undefined && /(^|\.)backblazeb2\.com$/.test(hostOf(options.s3Url))) {
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
      pricePerTbMonthUsd: options.pricePerTbMonthUsd ?? 23,
    });
  }

  /** The BSL `config` map, region included. */
  public readonly config: Readonly<Record<string, string>>;
  public readonly prefix?: string;
  public readonly caCert?: string;
  /** USD per TB-month of stored data (plan report). */
  public readonly pricePerTbMonthUsd: number;
  /** Egress that is free, as a multiple of stored data (B2: 3x); undefined = billed. */
  public readonly freeEgressMultiple?: number;

  private constructor(
    public readonly kind: StorageProfileKind,
    public readonly bucket: string,
    public readonly region: string,
    opts: {
      prefix?: string;
      caCert?: string;
      config: Record<string, string>;
      pricePerTbMonthUsd: number;
      freeEgressMultiple?: number;
    },
  ) {
    const bucketProblem = s3BucketError(bucket);
    if (bucketProblem) fail(kind, 'bucket', bucket, `is not a valid S3 bucket name: it ${bucketProblem}`);
    const s3Url = opts.config.s3Url;
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
    // Velero appends the '/' itself when it is missing (pkg/persistence NewObjectStoreLayout): 'homelab' and
    // 'homelab/' are the same layout; a leading '/' or an empty segment makes keys S3-compatible stores refuse
    if (opts.prefix !== undefined) {
      const segments = opts.prefix.replace(/\/$/, '').split('/');
      if (
        typeof opts.prefix !== 'string' ||
        opts.prefix === '' ||
        segments.some((p) => p === '' || p === '.' || p === '..')
      ) {
        fail(
          kind,
          'prefix',
          opts.prefix,
          "must be a non-empty path without a leading '/', '//', '.' or '..' segments (a trailing '/' is fine), e.g. 'homelab' (docs/pitfalls.md#s3-prefix)",
        );
      }
    }
    if (s3Url !== undefined) {
      let url: URL;
      try {
        url = new URL(s3Url);
      } catch {
        fail(kind, 's3Url', s3Url, "is not a URL; use e.g. 'https://s3.us-west-004.backblazeb2.com'");
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        fail(kind, 's3Url', s3Url, "is not an http(s) URL; use e.g. 'https://s3.us-west-004.backblazeb2.com'");
      }
      if (kind !== 'localstack' && url.protocol !== 'https:') {
        fail(kind, 's3Url', s3Url, 'must use https: plain http is only allowed with the LocalStack test profile');
      }
      const hostRegion = /(?:^|\.)s3[.-]([a-z]{2}(?:-[a-z]+)+-\d{1,3})\./.exec(url.hostname)?.[1];
      if (hostRegion && hostRegion !== region) {
        fail(kind, 's3Url', s3Url, `names region '${hostRegion}' but region is '${region}'; make them agree`);
      }
    }
    this.config = { region, ...opts.config };
    this.prefix = opts.prefix;
    this.caCert = opts.caCert;
    this.pricePerTbMonthUsd = opts.pricePerTbMonthUsd;
    this.freeEgressMultiple = opts.freeEgressMultiple;
  }

  /** True for the LocalStack test rig: nothing in it survives a LocalStack pod restart. */
  public get isTestRig(): boolean {
    return this.kind === 'localstack';
  }
}
