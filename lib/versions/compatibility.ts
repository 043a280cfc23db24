/**
 * Which versions work together, as data, and why when they do not (read by the synth, the plan and the docs alike):
 * - Velero <-> velero-plugin-for-aws;
 * - velero-plugin-for-aws <-> storage provider (and the config a provider needs);
 * - snapshot CRDs <-> snapshot-controller <-> the CSI driver's csi-snapshotter sidecar (lib/versions/snapshotter-compat.ts,
 *   re-exported here so callers need one module).
 * A refused combination names the working alternatives. The `check*` functions throw `Error`s with such
 * messages; `compatibilityTable()` lists every row for the plan report and docs.
 */
import {
  SIDECAR_COMPATIBILITY,
  checkSnapshotterCompatibility,
  compareVersionTags,
  parseVersionTag,
  type SnapshotterCompatibility,
  type SnapshotterPair,
} from './snapshotter-compat';
import type { StorageProfileKind } from '../storage/storage-profile';
import { VELERO_LINES, veleroLineOf } from './velero-lines';
import { VELERO_PLUGIN_FOR_AWS_KNOWN_GOOD_1_18_B2_R2, VELERO_PLUGIN_FOR_AWS_VERSION, VELERO_VERSION } from './versions';

export {
  KNOWN_SNAPSHOTTER_VERSIONS,
  SIDECAR_COMPATIBILITY,
  SNAPSHOTTER_RELEASES,
  checkSnapshotterCompatibility,
  compareVersionTags,
  parseVersionTag,
  snapshotterRelease,
  type KnownSnapshotterVersion,
  type SidecarCompatibilityRule,
  type SnapshotterCompatibility,
  type SnapshotterPair,
  type SnapshotterRelease,
} from './snapshotter-compat';

// ---------------------------------------------------------------------------------------------------------------
// Velero <-> velero-plugin-for-aws

/** One row: a Velero minor line and the velero-plugin-for-aws minor line built for it. */
export interface VeleroPluginRow {
  /** Velero minor line, e.g. `1.15`. */
  readonly veleroLine: string;
  /** velero-plugin-for-aws minor line, e.g. `1.11`. */
  readonly pluginLine: string;
  /** Plugin releases of that line known to exist, oldest first; the last is the one to suggest. Empty = none verified here. */
  readonly knownPluginTags: readonly string[];
  /** Where the row comes from. */
  readonly source: string;
}

/** The plugin README's compatibility table, read at a plugin commit. */
const readmeAt = (ref: string, commit: string) =>
  `velero-plugin-for-aws README.md "Compatibility" table at ${ref} (${commit.slice(0, 12)})`;
const README_MAIN = readmeAt('main', '800bcfb14d8e446ddd9aff91a36e551cbf79414d');
const README_114 = readmeAt('v1.14.0-rc.1', '673d828cb86dd868d181550fd4d226e696f9782f');

/**
 * The plugin README's table pairs each Velero minor with one plugin minor; provenance per row. Known tags are
 * the plugin repository's release tags (git tags, rc tags left out) for 1.11-1.13; the v1.14.x releases are
 * after the newest snapshot read here (which ends at v1.14.0-rc.1) and come from issue threads
 * (velero-plugin-for-aws#299, velero#9931, velero#10400). The last known tag is each line's default
 * (`defaultAwsPluginFor`), and it equals the pin in lib/versions/versions.ts (a test checks).
 */
export const VELERO_AWS_PLUGIN_MATRIX: readonly VeleroPluginRow[] = [
  { veleroLine: '1.14', pluginLine: '1.10', knownPluginTags: [], source: README_MAIN },
  { veleroLine: '1.15', pluginLine: '1.11', knownPluginTags: ['v1.11.0', 'v1.11.1'], source: README_MAIN },
  {
    veleroLine: '1.16',
    pluginLine: '1.12',
    knownPluginTags: ['v1.12.0', 'v1.12.1', 'v1.12.2'],
    source: README_MAIN,
  },
  {
    veleroLine: '1.17',
    pluginLine: '1.13',
    knownPluginTags: ['v1.13.0', 'v1.13.1', 'v1.13.2'],
    source: README_MAIN,
  },
  {
    veleroLine: '1.18',
    pluginLine: '1.14',
    knownPluginTags: ['v1.14.0', 'v1.14.1', 'v1.14.2'],
    source: `${README_114}; the main README (${README_MAIN.split(' at ')[1]}) has no 1.18 row yet`,
  },
];

/** A pairing outside the README's table that is known to work, and why it is used. */
export interface KnownGoodPairing {
  readonly veleroLine: string;
  readonly plugin: string;
  /** The providers it was run on. */
  readonly providers: readonly StorageProvider[];
  readonly why: string;
  /** Short reference for messages. */
  readonly ref: string;
  readonly source: string;
}

/**
 * Known-good cross-line pairings: Velero 1.18 with plugin v1.13.2, run on Backblaze B2 and
 * Cloudflare R2, where the 1.18 line's own plugin releases v1.14.0-v1.14.2 send an empty `x-amz-tagging` header.
 */
export const KNOWN_GOOD_PAIRINGS: readonly KnownGoodPairing[] = [
  {
    veleroLine: '1.18',
    plugin: VELERO_PLUGIN_FOR_AWS_KNOWN_GOOD_1_18_B2_R2,
    providers: ['backblaze-b2', 'cloudflare-r2'],
    why: 'velero-plugin-for-aws v1.14.0-v1.14.2 send an empty x-amz-tagging header that Backblaze B2 and Cloudflare R2 reject',
    ref: 'velero#9931',
    source: 'velero#9931: Velero v1.18.x with plugin v1.13.2 on B2 and R2; docs/pitfalls.md#s3-plugin-provider',
  },
];

/** Every Velero release this project deploys: any release of the lines in lib/versions/velero-lines.ts. */
export const supportedVeleroLines: readonly string[] = VELERO_LINES.map((l) => l.line);

function line(tag: string): string {
  const v = parseVersionTag(tag)!;
  return `${v[0]}.${v[1]}`;
}

function requireTag(what: string, tag: string, example: string): void {
  if (!parseVersionTag(tag))
    throw new Error(`${what} '${tag}' is not a version tag; use the form vX.Y.Z, e.g. '${example}'`);
}

function suggestion(row: VeleroPluginRow): string {
  const latest = row.knownPluginTags[row.knownPluginTags.length - 1];
  return `v${row.pluginLine}.x${latest ? ` (${latest})` : ''}`;
}

/** The matrix row of a Velero release; throws naming the known lines when there is none. */
export function pluginRowFor(velero: string): VeleroPluginRow {
  requireTag('Velero version', velero, VELERO_VERSION);
  const row = VELERO_AWS_PLUGIN_MATRIX.find((r) => r.veleroLine === line(velero));
  if (!row) {
    throw new Error(
      `Velero ${velero} is not in the compatibility matrix; known lines: ${VELERO_AWS_PLUGIN_MATRIX.map((r) => `v${r.veleroLine}.x`).join(', ')}`,
    );
  }
  return row;
}

/** Throws unless this project deploys `velero`: a release (no pre-release) of a supported line. */
export function checkVeleroVersion(velero: string): void {
  veleroLineOf(velero);
}

/** The plugin a Velero release gets when none is given, and why. */
export interface AwsPluginDefault {
  readonly plugin: string;
  /** Set when the default is a known-good pairing instead of the line's own plugin. */
  readonly pairing?: KnownGoodPairing;
}

/**
 * velero-plugin-for-aws for `velero` when none is given: the newest known release of the line built for it,
 * unless that line is known broken for one of `providers` and a known-good pairing covers them all
 * (Velero 1.18 on B2 or R2 -> v1.13.2).
 */
export function defaultAwsPluginFor(velero: string, providers: readonly StorageProvider[] = []): AwsPluginDefault {
  const row = pluginRowFor(velero);
  const own = row.knownPluginTags[row.knownPluginTags.length - 1];
  if (!own) throw new Error(`Velero ${velero}: no release of velero-plugin-for-aws v${row.pluginLine}.x is known`);
  const broken = providers.filter((p) => PLUGIN_PROVIDER_RULES.some((r) => r.providers.includes(p) && inRange(own, r)));
  if (!broken.length) return { plugin: own };
  const pairing = KNOWN_GOOD_PAIRINGS.find(
    (k) => k.veleroLine === row.veleroLine && broken.every((p) => k.providers.includes(p)),
  );
  return pairing ? { plugin: pairing.plugin, pairing } : { plugin: own };
}

/**
 * Throws when velero-plugin-for-aws `plugin` is not the line built for Velero `velero`, e.g.
 * `velero-plugin-for-aws v1.10.1 does not work with Velero v1.15.0: use v1.11.x (v1.11.1)`.
 * Returns the matrix row otherwise.
 */
export function checkVeleroPlugin(velero: string, plugin: string): VeleroPluginRow {
  const row = pluginRowFor(velero);
  requireTag('velero-plugin-for-aws version', plugin, VELERO_PLUGIN_FOR_AWS_VERSION);
  if (
    line(plugin) !== row.pluginLine &&
    !KNOWN_GOOD_PAIRINGS.some((k) => k.veleroLine === row.veleroLine && k.plugin === plugin)
  ) {
    const pairings = KNOWN_GOOD_PAIRINGS.filter((k) => k.veleroLine === row.veleroLine).map(
      (k) => ` or the known-good pairing ${k.plugin}`,
    );
    throw new Error(
      `velero-plugin-for-aws ${plugin} does not work with Velero ${velero}: use ${suggestion(row)}${pairings.join('')}`,
    );
  }
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// velero-plugin-for-aws <-> storage provider

/** The object store behind a BackupStorageLocation (the profile kind does not tell B2 from R2 behind a generic s3Url). */
export type StorageProvider = 'aws' | 'backblaze-b2' | 'cloudflare-r2' | 'localstack' | 's3-compatible';

const PROVIDER_NAMES: Readonly<Record<StorageProvider, string>> = {
  aws: 'AWS S3',
  'backblaze-b2': 'Backblaze B2',
  'cloudflare-r2': 'Cloudflare R2',
  localstack: 'LocalStack',
  's3-compatible': 'an S3-compatible store',
};

/** The provider of a storage profile, from its kind and its s3Url host. */
export function providerOf(kind: StorageProfileKind, s3Url?: string): StorageProvider {
  if (kind === 'localstack') return 'localstack';
  if (kind === 'backblaze-b2') return 'backblaze-b2';
  let host: string;
  try {
    host = s3Url ? new URL(s3Url).hostname : '';
  } catch {
    host = '';
  }
  if (host === '' || host.endsWith('.amazonaws.com')) return 'aws';
  if (host.endsWith('.backblazeb2.com')) return 'backblaze-b2';
  if (host.endsWith('.r2.cloudflarestorage.com')) return 'cloudflare-r2';
  return 's3-compatible';
}

/** A plugin release range that breaks a provider. */
export interface PluginProviderRule {
  /** First broken plugin release (inclusive). */
  readonly pluginFrom: string;
  /** Last broken plugin release (inclusive). */
  readonly pluginThrough: string;
  readonly providers: readonly StorageProvider[];
  /** What happens, in one clause. */
  readonly problem: string;
  /** The same, short enough for the synth's one-line refusal. */
  readonly brief: string;
  readonly refs: string;
  /** The way out besides another plugin line. */
  readonly note: string;
}

export const PLUGIN_PROVIDER_RULES: readonly PluginProviderRule[] = [
  {
    // docs/pitfalls.md#s3-plugin-provider. Threads (velero-plugin-for-aws#299/#303/#304, velero#9931) show the header
    // from v1.14.1 (an aws-sdk-go-v2 bump); two downstream repos pinned v1.14.0 for R2, and reports
    // name v1.14.0 too, so the conservative range is kept.
    pluginFrom: 'v1.14.0',
    pluginThrough: 'v1.14.2',
    providers: ['backblaze-b2', 'cloudflare-r2'],
    problem:
      'it sends an empty x-amz-tagging header with every upload, which Backblaze B2 (HTTP 400) and Cloudflare R2 (HTTP 501) reject, so every backup fails at its metadata upload',
    brief:
      'it sends an empty x-amz-tagging header, which Backblaze B2 (HTTP 400) and Cloudflare R2 (HTTP 501) reject, so every backup fails',
    refs: 'docs/pitfalls.md#s3-plugin-provider; velero-plugin-for-aws#299, velero#9931',
    note: 'the fix (velero-plugin-for-aws#299, backported to 1.14 in #309) is in no release up to v1.14.2',
  },
];

function inRange(tag: string, rule: PluginProviderRule): boolean {
  return compareVersionTags(tag, rule.pluginFrom) >= 0 && compareVersionTags(tag, rule.pluginThrough) <= 0;
}

/** The newest matrix line below the broken range, as a suggestion: `v1.13.x (v1.13.2), for Velero v1.17.x`. */
function workingLineBelow(rule: PluginProviderRule): string | undefined {
  const rows = VELERO_AWS_PLUGIN_MATRIX.filter(
    (r) => compareVersionTags(`v${r.pluginLine}.0`, rule.pluginFrom) < 0 && !inRange(`v${r.pluginLine}.0`, rule),
  );
  const row = rows[rows.length - 1];
  return row ? `${suggestion(row)}, for Velero v${row.veleroLine}.x` : undefined;
}

/**
 * Throws when velero-plugin-for-aws `plugin` is known not to work with `provider`, naming what works
 * instead; with `config` (the BSL config map), also when the provider needs a setting it lacks:
 * Backblaze B2 needs `checksumAlgorithm: ""` because it rejects the plugin's default CRC32 checksum
 * (velero#7534, velero#8667 with plugin v1.11.1; docs/pitfalls.md#s3-plugin-provider).
 */
export function checkPluginProvider(
  plugin: string,
  provider: StorageProvider,
  config?: Readonly<Record<string, string>>,
  velero?: string,
): void {
  requireTag('velero-plugin-for-aws version', plugin, VELERO_PLUGIN_FOR_AWS_VERSION);
  const name = PROVIDER_NAMES[provider];
  for (const rule of PLUGIN_PROVIDER_RULES) {
    if (!rule.providers.includes(provider) || !inRange(plugin, rule)) continue;
    const pairing = velero
      ? KNOWN_GOOD_PAIRINGS.find((k) => k.veleroLine === line(velero) && k.providers.includes(provider))
      : undefined;
    const below = pairing
      ? `${pairing.plugin}, the known-good pairing for Velero v${pairing.veleroLine}.x`
      : workingLineBelow(rule);
    throw new Error(
      `velero-plugin-for-aws ${plugin} does not work with ${name}: ${rule.brief}; use a release outside ${rule.pluginFrom}-${rule.pluginThrough}${
        below ? `, e.g. ${below}` : ''
      } (docs/pitfalls.md#s3-plugin-provider)`,
    );
  }
  if (provider === 'backblaze-b2' && config !== undefined && config.checksumAlgorithm !== '') {
    throw new Error(
      `velero-plugin-for-aws ${plugin} with Backblaze B2 needs config checksumAlgorithm "" (B2 rejects the plugin's default CRC32 checksum; velero#7534): got ${
        config.checksumAlgorithm === undefined ? 'no checksumAlgorithm' : JSON.stringify(config.checksumAlgorithm)
      }; use StorageProfile.backblazeB2(), which sets it`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// snapshot CRDs <-> controller <-> sidecar, and the whole stack

/** Throws on a known-bad snapshotter pair (the message names the ways out); returns the verdict otherwise. */
export function checkSnapshotter(pair: SnapshotterPair): SnapshotterCompatibility {
  const result = checkSnapshotterCompatibility(pair);
  if (result.verdict === 'broken') throw new Error(result.message);
  return result;
}

/** Everything one configuration pins that the matrix can judge. */
export interface StackVersions {
  readonly velero: string;
  readonly plugin: string;
  /** Every BackupStorageLocation's provider and config. */
  readonly storage?: readonly {
    readonly provider: StorageProvider;
    readonly config?: Readonly<Record<string, string>>;
  }[];
  /** When CSI snapshots are on. */
  readonly snapshotter?: SnapshotterPair;
}

/** Every compatibility problem of a configuration, one message each (empty = fine); never throws. */
export function stackProblems(stack: StackVersions): string[] {
  const problems: string[] = [];
  const attempt = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      problems.push((e as Error).message);
    }
  };
  attempt(() => checkVeleroPlugin(stack.velero, stack.plugin));
  for (const s of stack.storage ?? [])
    attempt(() => checkPluginProvider(stack.plugin, s.provider, s.config, stack.velero));
  if (stack.snapshotter) attempt(() => checkSnapshotter(stack.snapshotter!));
  return [...new Set(problems)];
}

/** One row of the whole matrix, for the plan report and docs. */
export interface CompatibilityRow {
  readonly pair:
    | 'velero / velero-plugin-for-aws'
    | 'velero-plugin-for-aws / storage provider'
    | 'snapshotter / csi-snapshotter sidecar';
  readonly left: string;
  readonly right: string;
  readonly verdict: 'works' | 'broken';
  readonly why: string;
}

/** The three tables as one list of rows. */
export function compatibilityTable(): CompatibilityRow[] {
  const rows: CompatibilityRow[] = [];
  for (const r of VELERO_AWS_PLUGIN_MATRIX) {
    rows.push({
      pair: 'velero / velero-plugin-for-aws',
      left: `Velero v${r.veleroLine}.x`,
      right: suggestion(r),
      verdict: 'works',
      why: r.source,
    });
  }
  for (const r of PLUGIN_PROVIDER_RULES) {
    for (const p of r.providers) {
      rows.push({
        pair: 'velero-plugin-for-aws / storage provider',
        left: `velero-plugin-for-aws ${r.pluginFrom}-${r.pluginThrough}`,
        right: PROVIDER_NAMES[p],
        verdict: 'broken',
        why: `${r.problem} (${r.refs})`,
      });
    }
  }
  rows.push({
    pair: 'velero-plugin-for-aws / storage provider',
    left: 'velero-plugin-for-aws (every line in the matrix)',
    right: 'Backblaze B2 without checksumAlgorithm ""',
    verdict: 'broken',
    why: "B2 rejects the plugin's default CRC32 checksum (velero#7534, velero#8667)",
  });
  for (const r of SIDECAR_COMPATIBILITY) {
    const range = `${r.sidecarFrom ?? 'any'}${r.sidecarBelow ? ` up to (not incl.) ${r.sidecarBelow}` : ' and later'}`;
    rows.push({
      pair: 'snapshotter / csi-snapshotter sidecar',
      left: `external-snapshotter ${r.snapshotterVersion} (CRDs + controller)`,
      right: `sidecar ${range}`,
      verdict: r.verdict === 'ok' ? 'works' : 'broken',
      why: r.reason,
    });
  }
  return rows;
}
