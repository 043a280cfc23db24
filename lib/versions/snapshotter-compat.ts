/**
 * Which external-snapshotter releases (snapshot CRDs + snapshot-controller) this project knows, and which
 * CSI-driver `csi-snapshotter` sidecar versions work with each, as data. `CsiSnapshotStack` refuses a
 * broken pair at synth; the compatibility matrix and the plan report read the same table.
 *
 * Facts: docs/upstream-facts.md#snapshot-controller and docs/upstream-facts.md#synology-csi;
 * docs/pitfalls.md#source-volume-mode.
 */
import { SNAPSHOTTER_VERSION, SNAPSHOTTER_VERSION_VELERO_1_18 } from './versions';

/**
 * Every external-snapshotter release the stack can deploy (CRD tag == controller image tag): the newest patch of
 * each line from v7.0 to v8.6, read at its tag (kubernetes-csi/external-snapshotter: `client/config/crd/`,
 * `deploy/kubernetes/snapshot-controller/`, `cmd/snapshot-controller/main.go`; docs/upstream-facts.md#snapshot-controller).
 */
export const KNOWN_SNAPSHOTTER_VERSIONS = [
  'v8.6.0',
  'v8.5.0',
  'v8.4.0',
  'v8.3.0',
  'v8.2.1',
  'v8.1.1',
  'v8.0.2',
  'v7.0.2',
] as const;
export type KnownSnapshotterVersion = (typeof KNOWN_SNAPSHOTTER_VERSIONS)[number];

/**
 * The `csi-snapshotter` sidecar the Synology CSI driver ships (synology-csi v1.2.1:
 * `deploy/kubernetes/v1.20/snapshotter/snapshotter.yaml` and `deploy/helm/values.yaml`; docs/upstream-facts.md#synology-csi).
 * Not a pin of this project: a fact about a driver deployed elsewhere, so Renovate does not touch it.
 */
export const SYNOLOGY_CSI_SNAPSHOTTER_SIDECAR_VERSION = 'v4.2.1';

/** A groupsnapshot.storage.k8s.io API version. */
export type GroupSnapshotApi = 'v1alpha1' | 'v1beta1' | 'v1beta2' | 'v1';

/** What this project knows about one external-snapshotter release. */
export interface SnapshotterRelease {
  /** The git tag: CRDs are synced from `client/config/crd` at this tag. */
  readonly version: KnownSnapshotterVersion;
  /** Tag of `registry.k8s.io/sig-storage/snapshot-controller` we run (pinned: see `upstreamManifestImageTag`). */
  readonly controllerImageTag: string;
  /** The image the upstream deploy manifest at this tag runs: it lags the tag (docs/upstream-facts.md#snapshot-controller). */
  readonly upstreamManifestImageTag: string;
  /** The VolumeSnapshotContent CRD carries the CEL rule "sourceVolumeMode is required once set" (docs/upstream-facts.md#snapshot-controller). */
  readonly sourceVolumeModeRule: boolean;
  /** The controller's `--prevent-volume-mode-conversion` default (true from v7.0.0, PR #916; docs/upstream-facts.md#snapshot-controller). */
  readonly preventVolumeModeConversionDefault: boolean;
  /** The snapshot-controller ClusterRole grants `create` on volumesnapshots (upstream RBAC at the tag: from v8.2.0). */
  readonly controllerCreatesVolumeSnapshots: boolean;
  /**
   * The storage version of the groupsnapshot.storage.k8s.io CRDs the tag's `client/config/crd/kustomization.yaml`
   * installs, if it installs them. @default - not installed (v7.0.2, v8.0.2 list only the three snapshot CRDs)
   */
  readonly groupSnapshotCrds?: GroupSnapshotApi;
  /** Every groupsnapshot API version those CRDs serve (empty when they are not installed). */
  readonly groupSnapshotServed: readonly GroupSnapshotApi[];
  /**
   * The tag of schemas/external-snapshotter/ the rendered VolumeSnapshotClass is validated against: the release
   * itself, or the newest generated tag before it (snapshot.storage.k8s.io/v1 VolumeSnapshotClass has not changed
   * from v7.0.2 to v8.6.0).
   */
  readonly schemaTag: 'v7.0.2' | 'v8.2.1' | 'v8.6.0';
}

const release = (
  version: KnownSnapshotterVersion,
  upstreamManifestImageTag: string,
  groupSnapshotServed: readonly GroupSnapshotApi[],
  groupSnapshotCrds: GroupSnapshotApi | undefined,
  schemaTag: SnapshotterRelease['schemaTag'],
): SnapshotterRelease => ({
  version,
  // run the controller built from the same tag as the CRDs and the RBAC, never the lagging manifest's image
  controllerImageTag: version,
  upstreamManifestImageTag,
  sourceVolumeModeRule: version !== 'v7.0.2',
  preventVolumeModeConversionDefault: true,
  controllerCreatesVolumeSnapshots: !['v7.0.2', 'v8.0.2', 'v8.1.1'].includes(version),
  groupSnapshotCrds,
  groupSnapshotServed,
  schemaTag,
});

export const SNAPSHOTTER_RELEASES: Readonly<Record<KnownSnapshotterVersion, SnapshotterRelease>> = {
  // groupsnapshot v1 (served), v1beta1 (deprecated) and v1beta2 (storage)
  'v8.6.0': release('v8.6.0', 'v8.5.0', ['v1', 'v1beta1', 'v1beta2'], 'v1beta2', 'v8.6.0'),
  'v8.5.0': release('v8.5.0', 'v8.4.0', ['v1beta1', 'v1beta2'], 'v1beta2', 'v8.2.1'),
  // the first line serving groupsnapshot v1beta2, which Velero 1.18 lists (its go.mod: client/v8 v8.4.0)
  'v8.4.0': release('v8.4.0', 'v8.2.1', ['v1beta1', 'v1beta2'], 'v1beta2', 'v8.2.1'),
  'v8.3.0': release('v8.3.0', 'v8.2.1', ['v1beta1'], 'v1beta1', 'v8.2.1'),
  'v8.2.1': release('v8.2.1', 'v8.2.0', ['v1beta1'], 'v1beta1', 'v8.2.1'),
  'v8.1.1': release('v8.1.1', 'v8.0.1', ['v1alpha1'], 'v1alpha1', 'v7.0.2'),
  // the v1alpha1 files are in the folder but the kustomization does not list them
  'v8.0.2': release('v8.0.2', 'v8.0.1', [], undefined, 'v7.0.2'),
  'v7.0.2': release('v7.0.2', 'v6.3.1', [], undefined, 'v7.0.2'),
};

/**
 * The groupsnapshot API each Velero line's code lists (velero@<tag> imports of
 * `external-snapshotter/client/v8/apis/volumegroupsnapshot/<version>`): none on 1.15 and 1.16 (client v7.0.0),
 * v1beta1 on 1.17 (client v8.2.0), v1beta2 on 1.18 (client v8.4.0; `restore_finalizer_controller.go`
 * `cleanupStubVGSC` lists v1beta2 VolumeGroupSnapshotContents on every restore and turns a failed list into a warning).
 */
export const VELERO_GROUP_SNAPSHOT_API: Readonly<Record<string, GroupSnapshotApi | undefined>> = {
  '1.15': undefined,
  '1.16': undefined,
  '1.17': 'v1beta1',
  '1.18': 'v1beta2',
};

/** True when `release`'s CRDs serve the groupsnapshot API the Velero line (`1.18`) lists, or the line lists none. */
export function snapshotterSuitsVelero(release: SnapshotterRelease, veleroLine: string): boolean {
  const api = VELERO_GROUP_SNAPSHOT_API[veleroLine];
  return api === undefined || release.groupSnapshotServed.includes(api);
}

/**
 * The snapshotter release a stack on `veleroLine` (`1.17`) runs unless told otherwise: SNAPSHOTTER_VERSION, or on
 * 1.18 SNAPSHOTTER_VERSION_VELERO_1_18 (the first release serving groupsnapshot v1beta2).
 */
export function defaultSnapshotterVersion(veleroLine: string): KnownSnapshotterVersion {
  const version = veleroLine === '1.18' ? SNAPSHOTTER_VERSION_VELERO_1_18 : SNAPSHOTTER_VERSION;
  return snapshotterRelease(version).version;
}

/** The Velero lines (`1.15` ... `1.18`) a release suits: its CRDs serve what each line lists. */
export function veleroLinesSuitedBy(release: SnapshotterRelease): string[] {
  return Object.keys(VELERO_GROUP_SNAPSHOT_API).filter((line) => snapshotterSuitsVelero(release, line));
}

/** One row of the compatibility table: a snapshotter release and a range of sidecar versions. */
export interface SidecarCompatibilityRule {
  readonly snapshotterVersion: KnownSnapshotterVersion;
  /** Lowest sidecar version of the range (inclusive). @default no lower bound */
  readonly sidecarFrom?: string;
  /** First sidecar version past the range (exclusive). @default no upper bound */
  readonly sidecarBelow?: string;
  readonly verdict: 'ok' | 'broken';
  /** Why, in one clause. */
  readonly reason: string;
  /** For a broken pair: the ways out, each a config change (the plan report and docs/pitfalls.md spell them out). */
  readonly waysOut?: readonly string[];
  /** For a broken pair: the reason and ways out in one short clause each, for the synth's one-line refusal. */
  readonly brief?: { readonly reason: string; readonly waysOut: string; readonly anchor: string };
  /** For a broken pair that `preventVolumeModeConversion: false` fixes: why it does. */
  readonly mitigatedByDisablingVolumeModeConversion?: string;
}

const SIDECAR_V1_API =
  'sidecars before v4.0.0 use the snapshot.storage.k8s.io/v1beta1 API, which these CRDs no longer serve (v1beta1 served: false; kubernetes-csi/external-snapshotter:CHANGELOG/CHANGELOG-4.0.md, PR #425)';

/** The rows of one v8 release (CRDs with the sourceVolumeMode rule). */
function v8Rows(v: KnownSnapshotterVersion): SidecarCompatibilityRule[] {
  return [
    {
      snapshotterVersion: v,
      sidecarBelow: 'v4.0.0',
      verdict: 'broken',
      reason: SIDECAR_V1_API,
      waysOut: [`upgrade the sidecar to v6.0.0 or later (ideally ${v}) and set snapshotterSidecarVersion`],
    },
    {
      snapshotterVersion: v,
      sidecarFrom: 'v4.0.0',
      sidecarBelow: 'v6.0.0',
      verdict: 'broken',
      reason:
        `the ${v} VolumeSnapshotContent CRD rejects any update that drops spec.sourceVolumeMode ('sourceVolumeMode is required once set'), ` +
        'the controller sets that field (--prevent-volume-mode-conversion=true), and sidecars before v6.0.0 drop it when they update a ' +
        'VolumeSnapshotContent, so VolumeSnapshots stay READYTOUSE=false and backups end PartiallyFailed (docs/pitfalls.md#source-volume-mode)',
      waysOut: [
        `upgrade the sidecar to v6.0.0 or later (ideally ${v}), grant it patch on volumesnapshotcontents and volumesnapshotcontents/status, and set snapshotterSidecarVersion`,
        'set preventVolumeModeConversion: false (renders --prevent-volume-mode-conversion=false; gives up the KEP-3141 volume mode conversion protection)',
        "set version: 'v7.0.2' (CRDs without that rule; the CRD Application then no longer syncs the groupsnapshot CRDs)",
      ],
      brief: {
        reason:
          'sidecars before v6.0.0 drop spec.sourceVolumeMode, which these CRDs require once set, so snapshots never become ready',
        waysOut:
          "snapshotterSidecarVersion >= v6.0.0 (with patch RBAC), preventVolumeModeConversion: false, or version: 'v7.0.2'",
        anchor: 'docs/pitfalls.md#source-volume-mode',
      },
      mitigatedByDisablingVolumeModeConversion:
        '--prevent-volume-mode-conversion=false keeps spec.sourceVolumeMode unset, so the CRD rule never applies; KEP-3141 volume mode conversion protection stays off until the sidecar is v6.0.0 or later',
    },
    {
      snapshotterVersion: v,
      sidecarFrom: 'v6.0.0',
      verdict: 'ok',
      reason:
        'sidecars from v6.0.0 know spec.sourceVolumeMode and keep it on update; from v5.0.0 they patch, so the driver ClusterRole needs patch on volumesnapshotcontents and volumesnapshotcontents/status (Synology grants only update)',
    },
  ];
}

/** Rows per release, ordered by sidecar range; every sidecar version falls in exactly one row per release. */
export const SIDECAR_COMPATIBILITY: readonly SidecarCompatibilityRule[] = [
  ...KNOWN_SNAPSHOTTER_VERSIONS.filter((v) => SNAPSHOTTER_RELEASES[v].sourceVolumeModeRule).flatMap(v8Rows),
  {
    snapshotterVersion: 'v7.0.2',
    sidecarBelow: 'v4.0.0',
    verdict: 'broken',
    reason: SIDECAR_V1_API,
    waysOut: [
      "upgrade the sidecar to v4.0.0 or later and set snapshotterSidecarVersion (from v6.0.0, version 'v8.2.1' works too)",
    ],
  },
  {
    snapshotterVersion: 'v7.0.2',
    sidecarFrom: 'v4.0.0',
    verdict: 'ok',
    reason:
      'the v7.0.2 CRDs carry no CEL rules, so an update that drops spec.sourceVolumeMode is accepted (it only ends volume mode conversion protection for that snapshot; never deploy the v7 validation webhook, which enforced the same rule: external-snapshotter#1022)',
  },
];

const VERSION_TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `vX.Y.Z` -> [X, Y, Z]; undefined for anything else (no pre-releases, no `latest`). */
export function parseVersionTag(tag: string): [number, number, number] | undefined {
  const m = VERSION_TAG.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Negative when a < b, 0 when equal, positive when a > b; both must be `vX.Y.Z`. */
export function compareVersionTags(a: string, b: string): number {
  const pa = parseVersionTag(a);
  const pb = parseVersionTag(b);
  if (!pa || !pb) throw new Error(`cannot compare version tags '${a}' and '${b}'; both must have the form vX.Y.Z`);
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/**
 * A vendor image tag's version core: `v8.2.0-20250604` (Longhorn's rebuilds) and `v8.2.0` both give `v8.2.0`; a
 * tag that does not start with `vX.Y.Z` followed by the end, `-` or `+` gives undefined. Sidecar tags compare by
 * their core: a vendor's suffix marks a rebuild of that upstream release, not another release.
 */
export function versionCore(tag: string): string | undefined {
  const m = /^(v(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))(?:[-+][0-9A-Za-z.+-]+)?$/.exec(tag);
  return m ? m[1] : undefined;
}

export function isKnownSnapshotterVersion(version: string): version is KnownSnapshotterVersion {
  return (KNOWN_SNAPSHOTTER_VERSIONS as readonly string[]).includes(version);
}

/**
 * The known release whose facts stand for a version this stack does not deploy (an existing controller with the
 * cluster's own CRDs, e.g. an older distribution's v6): the version itself when known; else, for an older version, the
 * oldest known release (v1 API, no sourceVolumeMode rule, no groupsnapshot v1beta2, as before v8); for a newer one,
 * the newest. Undefined for a tag that is not vX.Y.Z.
 */
export function nearestKnownSnapshotterVersion(version: string): KnownSnapshotterVersion | undefined {
  if (isKnownSnapshotterVersion(version)) return version;
  const core = versionCore(version);
  if (!core) return undefined;
  const parts = (v: string) => v.slice(1).split('.').map(Number);
  const cmp = (a: string, b: string) => {
    const [x, y] = [parts(a), parts(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  };
  const known = [...KNOWN_SNAPSHOTTER_VERSIONS].sort(cmp);
  return cmp(core, known[0]) < 0 ? known[0] : known[known.length - 1];
}

/** The release facts for `version`; throws naming the known versions when there are none. */
export function snapshotterRelease(version: string): SnapshotterRelease {
  if (!isKnownSnapshotterVersion(version)) {
    throw new Error(
      `version '${version}' is not a known external-snapshotter release; known: ${KNOWN_SNAPSHOTTER_VERSIONS.join(', ')} ` +
        '(a new one needs its RBAC, image and sidecar compatibility in lib/versions/snapshotter-compat.ts)',
    );
  }
  return SNAPSHOTTER_RELEASES[version];
}

/** A snapshotter release, the CSI driver's sidecar, and the controller flag that decides the sourceVolumeMode pair. */
export interface SnapshotterPair {
  /** external-snapshotter release (CRDs + controller). */
  readonly version: string;
  /**
   * The CSI driver's `csi-snapshotter` sidecar image tag, `vX.Y.Z` or a vendor's `vX.Y.Z-<suffix>` (compared by its
   * core). @default - not known: the pair is not checked (verdict `unchecked`)
   */
  readonly sidecarVersion?: string;
  /** The controller's `--prevent-volume-mode-conversion`. @default the release's default */
  readonly preventVolumeModeConversion?: boolean;
}

export interface SnapshotterCompatibility {
  /**
   * `mitigated`: broken by default, made to work by `--prevent-volume-mode-conversion=false`; `unchecked`: the
   * sidecar version is not known.
   */
  readonly verdict: 'ok' | 'mitigated' | 'broken' | 'unchecked';
  readonly release: SnapshotterRelease;
  /** The table row; undefined when unchecked. */
  readonly rule?: SidecarCompatibilityRule;
  /** The effective controller flag value. */
  readonly preventVolumeModeConversion: boolean;
  /** One line: the pair, the verdict and why; for a broken pair also the ways out. */
  readonly message: string;
}

/** The table row for a release and a sidecar version. */
export function sidecarCompatibilityRule(
  version: KnownSnapshotterVersion,
  sidecarVersion: string,
): SidecarCompatibilityRule {
  const rule = SIDECAR_COMPATIBILITY.find(
    (r) =>
      r.snapshotterVersion === version &&
      (r.sidecarFrom === undefined || compareVersionTags(sidecarVersion, r.sidecarFrom) >= 0) &&
      (r.sidecarBelow === undefined || compareVersionTags(sidecarVersion, r.sidecarBelow) < 0),
  );
  // unreachable while the table covers every range (tested); a gap must not read as 'ok'
  if (!rule) throw new Error(`no compatibility row for snapshotter ${version} and sidecar ${sidecarVersion}`);
  return rule;
}

/**
 * Judges a snapshotter release against the CSI driver's sidecar. Throws on an unknown release or a sidecar
 * version that is not `vX.Y.Z`; returns `broken` (never throws) for a known-bad pair, so a matrix can list it.
 */
export function checkSnapshotterCompatibility(pair: SnapshotterPair): SnapshotterCompatibility {
  const release = snapshotterRelease(pair.version);
  const prevent = pair.preventVolumeModeConversion ?? release.preventVolumeModeConversionDefault;
  if (pair.sidecarVersion === undefined) {
    return {
      verdict: 'unchecked',
      release,
      preventVolumeModeConversion: prevent,
      message: `snapshotter ${release.version}: the CSI driver's csi-snapshotter sidecar version is not given, so the pair is not checked (set snapshotterSidecarVersion; sidecars before v6.0.0 break with v8 CRDs: docs/pitfalls.md#source-volume-mode)`,
    };
  }
  const core = versionCore(pair.sidecarVersion);
  if (!core) {
    throw new Error(
      `snapshotterSidecarVersion '${pair.sidecarVersion}' is not a version tag; use the sidecar image's tag, vX.Y.Z or a vendor's vX.Y.Z-suffix, e.g. 'v8.2.0' or 'v8.2.0-20250604'`,
    );
  }
  const rule = sidecarCompatibilityRule(release.version, core);
  const subject = `snapshotter ${release.version} with the CSI driver's csi-snapshotter sidecar ${pair.sidecarVersion}`;
  if (rule.verdict === 'ok') {
    return {
      verdict: 'ok',
      release,
      rule,
      preventVolumeModeConversion: prevent,
      message: `${subject} works: ${rule.reason}`,
    };
  }
  if (!prevent && rule.mitigatedByDisablingVolumeModeConversion) {
    return {
      verdict: 'mitigated',
      release,
      rule,
      preventVolumeModeConversion: prevent,
      message: `${subject} works only because ${rule.mitigatedByDisablingVolumeModeConversion}`,
    };
  }
  const waysOut = (rule.waysOut ?? []).map((w, i) => `(${i + 1}) ${w}`).join('; ');
  return {
    verdict: 'broken',
    release,
    rule,
    preventVolumeModeConversion: prevent,
    message: rule.brief
      ? `${subject} is a known-bad pair: ${rule.brief.reason}; use ${rule.brief.waysOut} (${rule.brief.anchor})`
      : `${subject} is a known-bad pair: ${rule.reason}; ways out: ${waysOut}`,
  };
}
