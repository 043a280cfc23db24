import {
  PLUGIN_PROVIDER_RULES,
  VELERO_AWS_PLUGIN_MATRIX,
  checkPluginProvider,
  checkSnapshotter,
  checkVeleroPlugin,
  checkVeleroVersion,
  compatibilityTable,
  pluginRowFor,
  providerOf,
  stackProblems,
  supportedVeleroLines,
} from '../../lib/versions/compatibility';
import { StorageProfile } from '../../lib/storage/storage-profile';
import {
  VELERO_PLUGIN_FOR_AWS_1_16,
  VELERO_PLUGIN_FOR_AWS_1_17,
  VELERO_PLUGIN_FOR_AWS_1_18,
  VELERO_PLUGIN_FOR_AWS_VERSION,
  VELERO_VERSION,
} from '../../lib/versions/versions';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */

type Json = any;

describe('Velero <-> velero-plugin-for-aws', () => {
  test.each([
    ['v1.14.3', 'v1.10.1'],
    ['v1.15.0', 'v1.11.1'],
    ['v1.15.2', 'v1.11.0'],
    ['v1.16.1', 'v1.12.1'],
    ['v1.17.0', 'v1.13.2'],
    ['v1.18.1', 'v1.14.0'],
  ])('Velero %s works with plugin %s', (velero, plugin) => {
    expect(() => checkVeleroPlugin(velero, plugin)).not.toThrow();
  });

  test('the matrix pairs each Velero minor with exactly one plugin minor', () => {
    expect(VELERO_AWS_PLUGIN_MATRIX.map((r) => `${r.veleroLine}<->${r.pluginLine}`)).toEqual([
      '1.14<->1.10',
      '1.15<->1.11',
      '1.16<->1.12',
      '1.17<->1.13',
      '1.18<->1.14',
    ]);
  });

  test('the wrong plugin line is refused, naming the line and release that work', () => {
    expect(() => checkVeleroPlugin('v1.15.0', 'v1.10.1')).toThrow(
      new Error('velero-plugin-for-aws v1.10.1 does not work with Velero v1.15.0: use v1.11.x (v1.11.1)'),
    );
    expect(() => checkVeleroPlugin('v1.17.0', 'v1.11.1')).toThrow(
      new Error('velero-plugin-for-aws v1.11.1 does not work with Velero v1.17.0: use v1.13.x (v1.13.2)'),
    );
  });

  test('a line without a verified release suggests the line only', () => {
    expect(() => checkVeleroPlugin('v1.14.0', 'v1.11.1')).toThrow(
      new Error('velero-plugin-for-aws v1.11.1 does not work with Velero v1.14.0: use v1.10.x'),
    );
  });

  test('Velero 1.18 names its known-good pairing besides its own line', () => {
    expect(() => checkVeleroPlugin('v1.18.1', 'v1.12.2')).toThrow(
      new Error(
        'velero-plugin-for-aws v1.12.2 does not work with Velero v1.18.1: use v1.14.x (v1.14.2) or the known-good pairing v1.13.2',
      ),
    );
    expect(() => checkVeleroPlugin('v1.18.2', 'v1.13.2')).not.toThrow();
  });

  test('a Velero line outside the matrix is refused, naming the known lines', () => {
    expect(() => pluginRowFor('v1.13.0')).toThrow(
      new Error(
        'Velero v1.13.0 is not in the compatibility matrix; known lines: v1.14.x, v1.15.x, v1.16.x, v1.17.x, v1.18.x',
      ),
    );
  });

  test('versions must be vX.Y.Z tags', () => {
    expect(() => checkVeleroPlugin('1.15.0', 'v1.11.1')).toThrow(
      new Error("Velero version '1.15.0' is not a version tag; use the form vX.Y.Z, e.g. 'v1.15.0'"),
    );
    expect(() => checkVeleroPlugin('v1.15.0', 'latest')).toThrow(
      new Error("velero-plugin-for-aws version 'latest' is not a version tag; use the form vX.Y.Z, e.g. 'v1.11.1'"),
    );
  });

  test('the pinned versions are a working pair', () => {
    expect(checkVeleroPlugin(VELERO_VERSION, VELERO_PLUGIN_FOR_AWS_VERSION).pluginLine).toBe('1.11');
  });
});

describe('supported Velero versions', () => {
  test('the 1.15, 1.16, 1.17 and 1.18 lines, the seed default among them', () => {
    expect(supportedVeleroLines).toEqual(['1.15', '1.16', '1.17', '1.18']);
    expect(supportedVeleroLines).toContain(VELERO_VERSION.slice(1, 5));
  });

  test.each(['v1.15.0', 'v1.15.2', 'v1.16.0', 'v1.16.2', 'v1.17.1', 'v1.18.2', 'v1.18.9'])('%s is accepted', (v) => {
    expect(() => checkVeleroVersion(v)).not.toThrow();
  });

  test.each([
    [
      'v1.14.3',
      "Velero version 'v1.14.3' is not of a line this project deploys; supported lines: v1.15.x, v1.16.x, v1.17.x, v1.18.x (any release of them, e.g. 'v1.18.1')",
    ],
    [
      'v1.19.0',
      "Velero version 'v1.19.0' is not of a line this project deploys; supported lines: v1.15.x, v1.16.x, v1.17.x, v1.18.x (any release of them, e.g. 'v1.18.1')",
    ],
    [
      'v1.18.0-rc.1',
      "Velero version 'v1.18.0-rc.1' is a pre-release; use a release of the supported lines: v1.15.x, v1.16.x, v1.17.x, v1.18.x (any release of them, e.g. 'v1.18.1')",
    ],
    [
      '1.17.2',
      "Velero version must be a release tag with its 'v' (images are velero/velero:vX.Y.Z), got '1.17.2'; write 'v1.17.2'",
    ],
    [
      'v1.17',
      "Velero version 'v1.17' is not a release tag of the form vX.Y.Z; supported lines: v1.15.x, v1.16.x, v1.17.x, v1.18.x (any release of them, e.g. 'v1.18.1')",
    ],
  ])('%s is refused naming the supported lines', (v, message) => {
    expect(() => checkVeleroVersion(v)).toThrow(new Error(message));
  });
});

describe('velero-plugin-for-aws <-> storage provider', () => {
  test.each(['v1.14.0', 'v1.14.1', 'v1.14.2'])(
    'plugin %s is refused with Backblaze B2, naming what works',
    (plugin) => {
      expect(() => checkPluginProvider(plugin, 'backblaze-b2')).toThrow(
        new Error(
          `velero-plugin-for-aws ${plugin} does not work with Backblaze B2: it sends an empty x-amz-tagging header, which Backblaze B2 (HTTP 400) and Cloudflare R2 (HTTP 501) reject, so every backup fails; use a release outside v1.14.0-v1.14.2, e.g. v1.13.x (v1.13.2), for Velero v1.17.x (docs/pitfalls.md#s3-plugin-provider)`,
        ),
      );
    },
  );

  test('plugin v1.14.1 is refused with Cloudflare R2 too', () => {
    expect(() => checkPluginProvider('v1.14.1', 'cloudflare-r2')).toThrow(/does not work with Cloudflare R2: /);
  });

  test.each([
    ['v1.14.1', 'aws'],
    ['v1.14.1', 'localstack'],
    ['v1.13.2', 'backblaze-b2'],
    ['v1.11.1', 'cloudflare-r2'],
  ] as const)('plugin %s works with %s', (plugin, provider) => {
    expect(() => checkPluginProvider(plugin, provider)).not.toThrow();
  });

  test('Backblaze B2 needs checksumAlgorithm ""', () => {
    expect(() => checkPluginProvider('v1.11.1', 'backblaze-b2', { region: 'us-west-004' })).toThrow(
      new Error(
        'velero-plugin-for-aws v1.11.1 with Backblaze B2 needs config checksumAlgorithm "" (B2 rejects the plugin\'s default CRC32 checksum; velero#7534): got no checksumAlgorithm; use StorageProfile.backblazeB2(), which sets it',
      ),
    );
    expect(() => checkPluginProvider('v1.11.1', 'backblaze-b2', { checksumAlgorithm: 'CRC32' })).toThrow(/got "CRC32"/);
  });

  test("the B2 profile's own config passes", () => {
    const b2 = StorageProfile.backblazeB2({ bucket: 'velero-backups-homelab' });
    expect(() =>
      checkPluginProvider(VELERO_PLUGIN_FOR_AWS_VERSION, providerOf(b2.kind, b2.config.s3Url), b2.config),
    ).not.toThrow();
  });

  test('the provider comes from the profile kind and the s3Url host', () => {
    expect(providerOf('localstack', 'http://localstack.localstack:4566')).toBe('localstack');
    expect(providerOf('backblaze-b2')).toBe('backblaze-b2');
    expect(providerOf('s3')).toBe('aws');
    expect(providerOf('s3', 'https://s3.eu-central-1.amazonaws.com')).toBe('aws');
    expect(providerOf('s3', 'https://s3.us-west-004.backblazeb2.com')).toBe('backblaze-b2');
    expect(providerOf('s3', 'https://0123abcd.r2.cloudflarestorage.com')).toBe('cloudflare-r2');
    expect(providerOf('s3', 'https://minio.example.com')).toBe('s3-compatible');
  });

  test('the tagging rule covers v1.14.0 through v1.14.2 for B2 and R2', () => {
    expect(PLUGIN_PROVIDER_RULES).toEqual([
      expect.objectContaining({
        pluginFrom: 'v1.14.0',
        pluginThrough: 'v1.14.2',
        providers: ['backblaze-b2', 'cloudflare-r2'],
      }),
    ]);
  });
});

describe('snapshot CRDs <-> controller <-> sidecar (lib/versions/snapshotter-compat.ts)', () => {
  test('a broken pair throws with its ways out', () => {
    expect(() => checkSnapshotter({ version: 'v8.2.1', sidecarVersion: 'v4.2.1' })).toThrow(
      /is a known-bad pair: .*; use snapshotterSidecarVersion >= v6\.0\.0/,
    );
  });

  test('a pair mitigated by --prevent-volume-mode-conversion=false passes and says why', () => {
    expect(
      checkSnapshotter({ version: 'v8.2.1', sidecarVersion: 'v4.2.1', preventVolumeModeConversion: false }).verdict,
    ).toBe('mitigated');
  });

  test('v7.0.2 CRDs work with the Synology sidecar v4.2.1', () => {
    expect(checkSnapshotter({ version: 'v7.0.2', sidecarVersion: 'v4.2.1' }).verdict).toBe('ok');
  });
});

describe('the whole stack', () => {
  test('every problem of a configuration is listed, none thrown', () => {
    expect(
      stackProblems({
        velero: 'v1.18.1',
        plugin: 'v1.14.2',
        storage: [{ provider: 'backblaze-b2', config: { checksumAlgorithm: '' } }],
        snapshotter: { version: 'v8.2.1', sidecarVersion: 'v4.2.1' },
      }).map((p) => p.split(':')[0]),
    ).toEqual([
      'velero-plugin-for-aws v1.14.2 does not work with Backblaze B2',
      "snapshotter v8.2.1 with the CSI driver's csi-snapshotter sidecar v4.2.1 is a known-bad pair",
    ]);
  });

  test('the default stack has no problems', () => {
    const ls = StorageProfile.localStack();
    expect(
      stackProblems({
        velero: VELERO_VERSION,
        plugin: VELERO_PLUGIN_FOR_AWS_VERSION,
        storage: [{ provider: providerOf(ls.kind, ls.config.s3Url), config: ls.config }],
        snapshotter: { version: 'v8.2.1', sidecarVersion: 'v4.2.1', preventVolumeModeConversion: false },
      }),
    ).toEqual([]);
  });

  test('one table lists every row of the three matrices', () => {
    const table = compatibilityTable();
    expect(table.filter((r) => r.pair === 'velero / velero-plugin-for-aws')).toHaveLength(5);
    expect(
      table
        .filter((r) => r.pair === 'velero-plugin-for-aws / storage provider')
        .map((r) => `${r.left} / ${r.right}: ${r.verdict}`),
    ).toEqual([
      'velero-plugin-for-aws v1.14.0-v1.14.2 / Backblaze B2: broken',
      'velero-plugin-for-aws v1.14.0-v1.14.2 / Cloudflare R2: broken',
      'velero-plugin-for-aws (every line in the matrix) / Backblaze B2 without checksumAlgorithm "": broken',
    ]);
    expect(table.filter((r) => r.pair === 'snapshotter / csi-snapshotter sidecar').length).toBeGreaterThanOrEqual(5);
    expect(table.find((r) => r.left === 'Velero v1.15.x')).toEqual({
      pair: 'velero / velero-plugin-for-aws',
      left: 'Velero v1.15.x',
      right: 'v1.11.x (v1.11.1)',
      verdict: 'works',
      why: 'velero-plugin-for-aws README.md "Compatibility" table at main (800bcfb14d8e)',
    });
    expect(table.find((r) => r.left === 'Velero v1.18.x')?.why).toMatch(/at v1\.14\.0-rc\.1 \(673d828cb86d\)/);
  });
});

describe('renovate.json', () => {
  const { readFileSync } = jest.requireActual('node:fs') as typeof import('node:fs');
  const { join } = jest.requireActual('node:path') as typeof import('node:path');
  const renovate = JSON.parse(readFileSync(join(__dirname, '..', '..', 'renovate.json'), 'utf8'));
  const versionsTs = readFileSync(join(__dirname, '..', '..', 'lib', 'versions', 'versions.ts'), 'utf8');
  const rule = (dep: string) => renovate.packageRules.find((r: Json) => (r.matchDepNames ?? []).includes(dep));

  test('the regex manager finds every pin with a renovate comment in lib/versions/versions.ts', () => {
    const manager = renovate.customManagers[0];
    const found = [...versionsTs.matchAll(new RegExp(manager.matchStrings[0], 'g'))].map(
      (m) => `${m.groups!.datasource} ${m.groups!.depName} ${m.groups!.currentValue}`,
    );
    expect(found).toEqual(
      expect.arrayContaining([
        `docker velero/velero ${VELERO_VERSION}`,
        `docker velero/velero-plugin-for-aws ${VELERO_PLUGIN_FOR_AWS_VERSION}`,
        expect.stringMatching(/^github-tags kubernetes-csi\/external-snapshotter v\d+\.\d+\.\d+$/),
      ]),
    );
    expect(found).toHaveLength((versionsTs.match(/^\/\/ renovate:/gm) ?? []).length);
  });

  test('Velero and the snapshotter wait for approval, each saying why', () => {
    for (const dep of ['velero/velero', 'kubernetes-csi/external-snapshotter']) {
      expect(rule(dep)).toEqual(
        expect.objectContaining({ dependencyDashboardApproval: true, description: expect.stringContaining('lib/') }),
      );
    }
  });

  test.each([
    ['1.15', VELERO_PLUGIN_FOR_AWS_VERSION],
    ['1.16', VELERO_PLUGIN_FOR_AWS_1_16],
    ['1.17', VELERO_PLUGIN_FOR_AWS_1_17],
    ['1.18', VELERO_PLUGIN_FOR_AWS_1_18],
  ])('the plugin pin for Velero %s (%s) moves only within its line', (veleroLine, pin) => {
    const rules = renovate.packageRules.filter((r: Json) =>
      (r.matchDepNames ?? []).includes('velero/velero-plugin-for-aws'),
    );
    const matching = rules.filter((r: Json) => new RegExp(r.matchCurrentValue.slice(1, -1)).test(pin));
    expect(matching).toHaveLength(1);
    const allowed = new RegExp(matching[0].allowedVersions.slice(1, -1));
    const [, minor, patch] = pin.split('.');
    expect(allowed.test(pin)).toBe(true);
    expect(allowed.test(`v1.${minor}.${Number(patch) + 1}`)).toBe(true);
    expect(allowed.test(`v1.${Number(minor) + 1}.0`)).toBe(false);
    expect(checkVeleroPlugin(`v${veleroLine}.0`, pin).pluginLine).toBe(`1.${minor}`);
  });

  test('the known-good B2/R2 pairing pin carries no renovate comment', () => {
    const at = versionsTs.indexOf('export const VELERO_PLUGIN_FOR_AWS_KNOWN_GOOD_1_18_B2_R2');
    expect(versionsTs.slice(0, at).trimEnd().split('\n').pop()).not.toMatch(/renovate:/);
  });

  test('typescript stays below 6, the native compiler alias on 7, cdk8s packages move as one group', () => {
    expect(rule('typescript').allowedVersions).toBe('<6.0.0');
    expect(rule('typescript7').allowedVersions).toBe('>=7.0.0 <8.0.0');
    expect(renovate.packageRules.find((r: Json) => r.groupName === 'cdk8s').matchPackageNames).toEqual([
      'cdk8s',
      'cdk8s-cli',
      'cdk8s-plus-30',
      'constructs',
    ]);
  });
});
