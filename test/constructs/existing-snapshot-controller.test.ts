/**
 * The cluster's own snapshot-controller and CRDs at a release this stack does not know (an older distribution's v6) are
 * valid input: nothing of them is rendered, so the checks use the nearest known release's facts. A version the stack
 * would deploy (its controller or its CRDs) must still be one it knows (docs/pitfalls.md#existing-snapshot-controller).
 */
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import type { BackupStackConfig, CsiConfig } from '../../lib/config/types';
import { nearestKnownSnapshotterVersion } from '../../lib/versions/snapshotter-compat';

const stackOf = (csi: CsiConfig) =>
  new BackupStack(new App(), 'Stack', {
    storageLocations: [{ provider: 's3', bucket: 'velero', region: 'us-east-1' }],
    schedules: [{ name: 'daily', schedule: '0 3 * * *', includedNamespaces: ['apps'] }],
    csi: { volumeSnapshotClass: { driver: 'driver.longhorn.io' }, ...csi },
    argocd: { repository: { repoURL: 'https://git.lan/me/backups.git', targetRevision: 'main' } },
  } as BackupStackConfig);
const refusal = (csi: CsiConfig) => {
  try {
    stackOf(csi);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

test.each([
  ['v6.3.3', 'v7.0.2'],
  ['v5.0.1', 'v7.0.2'],
  ['v8.2.1', 'v8.2.1'],
  ['v8.9.0', 'v8.6.0'],
  ['8.2', undefined],
])('the facts standing for %s are those of %s', (version, known) => {
  expect(nearestKnownSnapshotterVersion(version)).toBe(known);
});

test.each([
  ['v6.3.3', 'v7.0.2'],
  ['v8.9.0', 'v8.6.0'],
])('an existing controller with existing CRDs at %s renders, its plan naming it (checked as %s)', (version, facts) => {
  expect(refusal({ controller: 'existing', crds: 'existing', version })).toBeUndefined();
  const stack = stackOf({ controller: 'existing', crds: 'existing', version });
  expect(stack.snapshots?.compatibility.message).toContain(`snapshotter ${version} (checked as ${facts})`);
});

test.each([
  ['a managed controller', { controller: 'managed', version: 'v6.3.3' }],
  ['an existing controller with managed CRDs', { controller: 'existing', crds: 'managed', version: 'v6.3.3' }],
] as const)('%s at an unknown release is refused, naming the known ones', (_what, csi) => {
  expect(refusal(csi as CsiConfig)).toMatch(
    /csi\.version: 'v6\.3\.3' is not a known external-snapshotter release; known: v8\.6\.0/,
  );
});
