/**
 * CSI driver profiles, as data: for each driver homelabs and clouds run, its driver name, the VolumeSnapshotClass
 * parameters it needs, deletion policy advice, where its snapshots live (what a restore can count on), what is
 * known of its `csi-snapshotter` sidecar, and the words the plan report uses for the storage. The snapshot stack
 * (constructs/csi-snapshot-stack.ts) validates a class against its profile; the plan speaks the profile's words.
 *
 * Read at a tag: Synology (SynologyOpenSource/synology-csi v1.2.1), Longhorn (longhorn/longhorn-manager
 * v1.11.3 `csi/controller_server.go` CreateSnapshot; `longhorn/longhorn:enhancements/20220110-extend-csi-snapshot-to-support-longhorn-snapshot.md`;
 * `deploy/longhorn-images.txt` at v1.9.2, v1.10.2, v1.11.3). The other profiles state the drivers' documented
 * VolumeSnapshotClass examples (docs/pitfalls.md#csi-driver-profiles).
 */
import { isDnsSubdomain } from '../kube/names';

/**
 * Where a CSI snapshot lives, which decides what it can restore:
 * - `same-storage`: on the storage system that holds the volume, independent of the volume (survives deleting
 *   the PVC, not losing the storage system);
 * - `inside-volume`: part of the volume itself (deleting the volume deletes its snapshots: a deleted PVC cannot
 *   be restored from it);
 * - `copied-elsewhere`: copied to a separate store (a cloud's snapshot storage, a backup target).
 */
export type SnapshotLocality = 'same-storage' | 'inside-volume' | 'copied-elsewhere';

/** The profiles this project knows, by id. */
export const CSI_DRIVER_IDS = [
  'synology',
  'longhorn',
  'rook-ceph-rbd',
  'rook-cephfs',
  'openebs-zfs',
  'openebs-lvm',
  'topolvm',
  'democratic-csi',
  'vsphere',
  'aws-ebs',
  'gce-pd',
  'azure-disk',
  'csi-hostpath',
] as const;
export type CsiDriverId = (typeof CSI_DRIVER_IDS)[number];

/** One VolumeSnapshotClass parameter a profile documents. */
export interface SnapshotParameterFact {
  readonly key: string;
  /** What to put, in a few words, with an example value. */
  readonly what: string;
  /** The values the driver accepts, when it refuses every other. @default - any string */
  readonly values?: readonly string[];
}

/** Where the snapshots of a class live, and the plan's sentence about it. */
export interface SnapshotPlacement {
  readonly locality: SnapshotLocality;
  /** One sentence for the plan, e.g. "Longhorn `snap` snapshots live inside the volume ...". */
  readonly words: string;
}

export interface CsiDriverProfile {
  readonly id: CsiDriverId;
  /** Product name, e.g. `Longhorn`. */
  readonly title: string;
  /** The driver name (`spec.csi.driver`, the StorageClass provisioner), or an example when it varies. */
  readonly driver: string;
  /** Driver names that belong to this profile (Rook prefixes its operator namespace). */
  readonly matches: RegExp;
  /** The storage, as the plan names it: `the Synology NAS`, `Longhorn`, `the Ceph cluster`. */
  readonly storage: string;
  /** Parameters the driver refuses a snapshot without. */
  readonly requiredParameters: readonly SnapshotParameterFact[];
  /** Parameters commonly set. */
  readonly typicalParameters: readonly SnapshotParameterFact[];
  /** Parameters rendered when the config gives none of its own (Longhorn's `type: snap`). @default {} */
  readonly defaultParameters?: Readonly<Record<string, string>>;
  /** Deletion policy advice: what to set and why. */
  readonly deletionPolicy: { readonly advice: 'Retain' | 'Delete'; readonly why: string };
  /** Where a class's snapshots live, from its parameters. */
  readonly placement: (parameters: Readonly<Record<string, string>>) => SnapshotPlacement;
  /** How to tell where the snapshots of a class the plan has no parameters of live. @default - none */
  readonly placementCheck?: string;
  /**
   * Set when the driver creates no volume from a snapshot (CreateVolume with a snapshot source is refused): where
   * upstream says so, read at a tag. A restore from its snapshots fails, and so does the data mover, which reads a
   * volume made from the snapshot (docs/pitfalls.md#no-volume-from-snapshot). @default - it creates them
   */
  readonly noVolumeFromSnapshot?: string;
  /** What is known of the csi-snapshotter sidecar the driver's install ships. */
  readonly sidecar: string;
  /** The sidecar a release of the driver ships, when read at its tag (newest first). @default [] */
  readonly sidecarReleases?: readonly { readonly release: string; readonly sidecar: string }[];
}

const fixed =
  (locality: SnapshotLocality, words: string): CsiDriverProfile['placement'] =>
  () => ({ locality, words });

const ROOK_SECRETS = (kind: 'rbd' | 'cephfs'): SnapshotParameterFact[] => [
  { key: 'clusterID', what: "the namespace of the CephCluster, e.g. 'rook-ceph'" },
  {
    key: 'csi.storage.k8s.io/snapshotter-secret-name',
    what: `the provisioner Secret, e.g. 'rook-csi-${kind}-provisioner'`,
  },
  { key: 'csi.storage.k8s.io/snapshotter-secret-namespace', what: "the CephCluster's namespace, e.g. 'rook-ceph'" },
];

/** Longhorn's `type` values (longhorn-manager v1.11.3 csi/controller_server.go: `snap`, `bi`, `bak`, deprecated `bs`, and `""` = `bak`). */
export const LONGHORN_SNAPSHOT_TYPES = ['snap', 'bak', 'bi', 'bs', ''] as const;

function longhornPlacement(parameters: Readonly<Record<string, string>>): SnapshotPlacement {
  const type = parameters.type ?? '';
  if (type === 'snap') {
    return {
      locality: 'inside-volume',
      words:
        'Longhorn `type: snap` snapshots live inside the Longhorn volume (its replicas): deleting the volume deletes them, so a deleted PVC cannot be restored from one, and a lost node or disk takes replicas and snapshots together.',
    };
  }
  if (type === 'bi') {
    return {
      locality: 'same-storage',
      words:
        'Longhorn `type: bi` snapshots are backing images on the Longhorn nodes: they survive deleting the volume, not losing Longhorn.',
    };
  }
  return {
    locality: 'copied-elsewhere',
    words: `Longhorn \`type: ${type || 'bak'}\` snapshots are Longhorn backups in Longhorn's backup target (a snapshot fails when no backup target is set); they survive the volume and the cluster, and run Longhorn's own backup next to Velero's.`,
  };
}

/** Every profile, by id. */
export const CSI_DRIVER_PROFILES: Readonly<Record<CsiDriverId, CsiDriverProfile>> = {
  synology: {
    id: 'synology',
    title: 'Synology CSI',
    driver: 'csi.san.synology.com',
    matches: /^csi\.san\.synology\.com$/,
    storage: 'the Synology NAS',
    requiredParameters: [],
    typicalParameters: [
      { key: 'description', what: 'the DSM snapshot description (iSCSI only)' },
      { key: 'is_locked', what: "lock the snapshot on DSM, 'true' or 'false'", values: ['true', 'false'] },
    ],
    deletionPolicy: {
      advice: 'Retain',
      why: 'the LUN snapshot survives losing the namespace; Velero sets Delete before it deletes an expired backup',
    },
    placement: fixed(
      'same-storage',
      'Synology snapshots are LUN snapshots on the Synology NAS: they survive deleting the PVC, not losing the NAS.',
    ),
    sidecar:
      'synology-csi v1.2.1 ships csi-snapshotter v4.2.1, which drops spec.sourceVolumeMode with the v8 CRDs (docs/pitfalls.md#source-volume-mode)',
    sidecarReleases: [{ release: 'synology-csi v1.2.1', sidecar: 'v4.2.1' }],
  },
  longhorn: {
    id: 'longhorn',
    title: 'Longhorn',
    driver: 'driver.longhorn.io',
    matches: /^driver\.longhorn\.io$/,
    storage: 'Longhorn',
    requiredParameters: [],
    typicalParameters: [
      {
        key: 'type',
        what: "'snap' (a Longhorn snapshot inside the volume) or 'bak' (a Longhorn backup to its backup target; also what an empty or missing type means)",
        values: LONGHORN_SNAPSHOT_TYPES,
      },
    ],
    defaultParameters: { type: 'snap' },
    placementCheck:
      "read the class's type (`kubectl get volumesnapshotclass <name> -o jsonpath='{.parameters.type}'`): `snap` lives inside the volume (a deleted PVC cannot come back from it), `bak` or empty is a Longhorn backup in its backup target",
    deletionPolicy: {
      advice: 'Delete',
      why: "Longhorn's examples use Delete; a `snap` snapshot cannot outlive its volume whatever the policy, and Velero sets the policy of its own snapshots' contents itself",
    },
    placement: longhornPlacement,
    sidecar:
      'Longhorn ships its own rebuild of csi-snapshotter (longhornio/csi-snapshotter, tags like v8.2.0-20250604, compared by their version core)',
    sidecarReleases: [
      { release: 'Longhorn v1.11.3', sidecar: 'v8.6.0' },
      { release: 'Longhorn v1.10.2', sidecar: 'v8.4.0-20251226' },
      { release: 'Longhorn v1.9.2', sidecar: 'v8.3.0-20250709' },
    ],
  },
  'rook-ceph-rbd': {
    id: 'rook-ceph-rbd',
    title: 'Rook Ceph RBD',
    driver: 'rook-ceph.rbd.csi.ceph.com',
    matches: /^[a-z0-9-]+\.rbd\.csi\.ceph\.com$/,
    storage: 'the Ceph cluster',
    requiredParameters: ROOK_SECRETS('rbd'),
    typicalParameters: [],
    deletionPolicy: {
      advice: 'Delete',
      why: "Rook's examples use Delete; Retain keeps RBD snapshot images Velero no longer tracks",
    },
    placement: fixed(
      'same-storage',
      'Ceph RBD snapshots are images in the Ceph pool: they survive deleting the PVC, not losing the Ceph cluster.',
    ),
    sidecar: "Rook's operator deploys ceph-csi with its own csi-snapshotter; its version follows the Rook release",
  },
  'rook-cephfs': {
    id: 'rook-cephfs',
    title: 'Rook CephFS',
    driver: 'rook-ceph.cephfs.csi.ceph.com',
    matches: /^[a-z0-9-]+\.cephfs\.csi\.ceph\.com$/,
    storage: 'the Ceph cluster',
    requiredParameters: ROOK_SECRETS('cephfs'),
    typicalParameters: [],
    deletionPolicy: { advice: 'Delete', why: "Rook's examples use Delete" },
    placement: fixed(
      'same-storage',
      'CephFS snapshots are subvolume snapshots in the Ceph filesystem: they live on the Ceph cluster, not elsewhere.',
    ),
    sidecar: "Rook's operator deploys ceph-csi with its own csi-snapshotter; its version follows the Rook release",
  },
  'openebs-zfs': {
    id: 'openebs-zfs',
    title: 'OpenEBS ZFS-LocalPV',
    driver: 'zfs.csi.openebs.io',
    matches: /^zfs\.csi\.openebs\.io$/,
    storage: "the node's ZFS pool",
    requiredParameters: [],
    typicalParameters: [],
    deletionPolicy: { advice: 'Delete', why: 'a ZFS snapshot belongs to its dataset on one node' },
    placement: fixed(
      'same-storage',
      "ZFS-LocalPV snapshots are ZFS snapshots in the pool of the volume's node: a restore from one lands on that node, and losing the node or its disks loses them.",
    ),
    sidecar: 'the zfs-localpv chart ships its own csi-snapshotter',
  },
  'openebs-lvm': {
    id: 'openebs-lvm',
    title: 'OpenEBS LVM-LocalPV',
    driver: 'local.csi.openebs.io',
    matches: /^local\.csi\.openebs\.io$/,
    storage: "the node's LVM volume group",
    requiredParameters: [],
    typicalParameters: [{ key: 'snapSize', what: "space reserved for a thick snapshot, e.g. '50%'" }],
    deletionPolicy: { advice: 'Delete', why: 'an LVM snapshot is tied to its origin volume' },
    placement: fixed(
      'inside-volume',
      'LVM-LocalPV snapshots are LVM snapshots of the origin volume on its node: they go with the volume, so a deleted PVC cannot be restored from one.',
    ),
    noVolumeFromSnapshot:
      'openebs/lvm-localpv@v1.5.0 pkg/driver/controller.go CreateVolume: a snapshot content source returns codes.Unimplemented',
    sidecar: 'the lvm-localpv chart ships its own csi-snapshotter',
  },
  topolvm: {
    id: 'topolvm',
    title: 'TopoLVM',
    driver: 'topolvm.io',
    matches: /^topolvm\.io$/,
    storage: "the node's LVM thin pool",
    requiredParameters: [],
    typicalParameters: [],
    deletionPolicy: { advice: 'Delete', why: 'thin snapshots use thin-pool space on one node' },
    placement: fixed(
      'same-storage',
      "TopoLVM snapshots (thin volumes only) are thin snapshots in the volume's node pool: a restore lands on that node, and losing the node loses them.",
    ),
    sidecar: 'the TopoLVM chart ships its own csi-snapshotter',
  },
  'democratic-csi': {
    id: 'democratic-csi',
    title: 'democratic-csi',
    driver: 'org.democratic-csi.iscsi',
    matches: /^org\.democratic-csi\./,
    storage: 'the democratic-csi storage server',
    requiredParameters: [],
    typicalParameters: [
      {
        key: 'detachedSnapshots',
        what: "'true' copies the dataset (zfs send/receive) so the snapshot outlives its volume",
        values: ['true', 'false'],
      },
    ],
    deletionPolicy: { advice: 'Delete', why: 'snapshots are ZFS snapshots or copies on the storage server' },
    placement: fixed(
      'same-storage',
      'democratic-csi snapshots are ZFS snapshots (or detached copies) on the storage server: they survive deleting the PVC, not losing the server.',
    ),
    sidecar:
      'the democratic-csi chart ships its own csi-snapshotter; the driver name is the chart value csiDriver.name',
  },
  vsphere: {
    id: 'vsphere',
    title: 'vSphere CSI',
    driver: 'csi.vsphere.vmware.com',
    matches: /^csi\.vsphere\.vmware\.com$/,
    storage: 'the vSphere datastore',
    requiredParameters: [],
    typicalParameters: [],
    deletionPolicy: {
      advice: 'Delete',
      why: 'vSphere keeps few snapshots per volume (3 by default); Delete lets expired backups free them',
    },
    placement: fixed(
      'same-storage',
      'vSphere CSI snapshots are FCD snapshots (delta disks) on the same datastore: they do not survive losing the datastore.',
    ),
    sidecar: "the vSphere CSI release's manifests pin their csi-snapshotter",
  },
  'aws-ebs': {
    id: 'aws-ebs',
    title: 'AWS EBS CSI',
    driver: 'ebs.csi.aws.com',
    matches: /^ebs\.csi\.aws\.com$/,
    storage: 'EBS',
    requiredParameters: [],
    typicalParameters: [{ key: 'tagSpecification_1', what: "a tag on the EBS snapshot, e.g. 'owner=velero'" }],
    deletionPolicy: {
      advice: 'Retain',
      why: 'the EBS snapshot survives losing the namespace; Velero sets Delete before it deletes an expired backup',
    },
    placement: fixed(
      'copied-elsewhere',
      "EBS snapshots are copied to AWS's snapshot storage in the volume's region: they survive the volume and the cluster, not the account or the region.",
    ),
    sidecar: 'the aws-ebs-csi-driver chart ships its own csi-snapshotter',
  },
  'gce-pd': {
    id: 'gce-pd',
    title: 'GCE Persistent Disk CSI',
    driver: 'pd.csi.storage.gke.io',
    matches: /^pd\.csi\.storage\.gke\.io$/,
    storage: 'Persistent Disk',
    requiredParameters: [],
    typicalParameters: [
      { key: 'storage-locations', what: "where the snapshot is stored, e.g. 'us-central1'" },
      { key: 'snapshot-type', what: "'snapshots' (default) or 'images'", values: ['snapshots', 'images'] },
    ],
    deletionPolicy: { advice: 'Retain', why: 'the disk snapshot survives losing the namespace' },
    placement: fixed(
      'copied-elsewhere',
      "Persistent Disk snapshots are copied to Google's snapshot storage: they survive the disk and the cluster, not the project.",
    ),
    sidecar: 'GKE runs the driver and its sidecars for you',
  },
  'azure-disk': {
    id: 'azure-disk',
    title: 'Azure Disk CSI',
    driver: 'disk.csi.azure.com',
    matches: /^disk\.csi\.azure\.com$/,
    storage: 'Azure Disk',
    requiredParameters: [],
    typicalParameters: [
      { key: 'incremental', what: "'true' (default) for incremental snapshots", values: ['true', 'false'] },
      { key: 'resourceGroup', what: 'the resource group of the snapshots' },
    ],
    deletionPolicy: { advice: 'Retain', why: 'the disk snapshot survives losing the namespace' },
    placement: fixed(
      'copied-elsewhere',
      "Azure Disk snapshots are stored apart from the disk in the volume's region: they survive the disk and the cluster, not the subscription.",
    ),
    sidecar: 'AKS runs the driver and its sidecars for you',
  },
  'csi-hostpath': {
    id: 'csi-hostpath',
    title: 'csi-driver-host-path',
    driver: 'hostpath.csi.k8s.io',
    matches: /^hostpath\.csi\.k8s\.io$/,
    storage: "the node's host path (a test driver)",
    requiredParameters: [],
    typicalParameters: [],
    deletionPolicy: { advice: 'Delete', why: 'a test driver: snapshots are archives on one node' },
    placement: fixed(
      'same-storage',
      "csi-hostpath snapshots are archives on the volume's node: a test driver, never a backup.",
    ),
    sidecar: 'the csi-driver-host-path deploy scripts pin a csi-snapshotter matching their release',
  },
};

/** The profile of a driver name; undefined for a driver this project has no profile of. */
export function csiDriverProfile(driver: string): CsiDriverProfile | undefined {
  return CSI_DRIVER_IDS.map((id) => CSI_DRIVER_PROFILES[id]).find((p) => p.matches.test(driver));
}

/** The plan's words for the storage behind `driver`: the profile's, or a neutral phrase naming the driver. */
export function storageWords(driver: string): string {
  return csiDriverProfile(driver)?.storage ?? `the storage behind \`${driver}\``;
}

/**
 * Where the snapshots of a class with `parameters` live. Without a profile, or for a class the cluster owns whose
 * parameters are not given, the locality is unknown and the words say what to check.
 */
export function snapshotPlacement(
  driver: string,
  parameters: Readonly<Record<string, string>> | undefined,
): SnapshotPlacement | undefined {
  const profile = csiDriverProfile(driver);
  if (!profile || parameters === undefined) return undefined;
  return profile.placement(parameters);
}

/**
 * A class's parameters against the profile: a missing required parameter or a value the driver refuses, as
 * `[key, complaint]`; empty when fine or when the driver has no profile (any string map is then accepted).
 */
export function parameterProblems(
  driver: string,
  parameters: Readonly<Record<string, string>>,
): [key: string, complaint: string][] {
  const profile = csiDriverProfile(driver);
  if (!profile) return [];
  const problems: [string, string][] = [];
  for (const p of profile.requiredParameters) {
    if (!(p.key in parameters)) problems.push([p.key, `${profile.title} needs it: ${p.what}`]);
  }
  for (const p of [...profile.requiredParameters, ...profile.typicalParameters]) {
    const value = parameters[p.key];
    if (value !== undefined && p.values && !p.values.includes(value)) {
      problems.push([p.key, `${profile.title} accepts ${p.values.map((v) => `'${v}'`).join(', ')}, got '${value}'`]);
    }
  }
  return problems;
}

/**
 * Velero's per-driver class annotation, read on a Backup (copied there from its Schedule) before any class label:
 * `velero.io/csi-volumesnapshot-class_<driver, lowercased>` (velero@v1.17.2 pkg/util/csi/volume_snapshot.go
 * GetVolumeSnapshotClassFromBackupAnnotationsForDriver; the same key on a PVC, without the driver, overrides it
 * for that PVC).
 */
export function volumeSnapshotClassAnnotation(driver: string): string {
  return `velero.io/csi-volumesnapshot-class_${driver.toLowerCase()}`;
}

/**
 * The cluster's own classes the Schedules name, driver -> class (`csi.volumeSnapshotClass.existing`); undefined
 * when the stack renders its class or CSI is off. Malformed values are left to the snapshot stack's checks.
 */
export function existingSnapshotClasses(
  csi:
    | {
        readonly enabled?: boolean;
        readonly volumeSnapshotClass?: { readonly driver?: string; readonly existing?: string };
      }
    | undefined,
  csiEnabledByDefault: boolean,
): Readonly<Record<string, string>> | undefined {
  const cls = csi?.volumeSnapshotClass;
  if (!(csi?.enabled ?? csiEnabledByDefault) || typeof cls?.existing !== 'string' || typeof cls.driver !== 'string')
    return undefined;
  // a malformed name is refused by the snapshot stack, under its csi.* path
  if (!isDnsSubdomain(cls.existing)) return undefined;
  return { [cls.driver]: cls.existing };
}

/** What the plan and the runbooks say of the CSI storage (built by the snapshot stack). */
export interface CsiStorageSummary {
  readonly driver: string;
  /** The profile's product name. @default - no profile */
  readonly title?: string;
  /** The storage in the plan's words (`storageWords`). */
  readonly storage: string;
  /** Where the snapshots live. @default - unknown */
  readonly placement?: SnapshotPlacement;
  /** The VolumeSnapshotClass Velero uses. */
  readonly className: string;
  /** True when the class is the cluster's own. */
  readonly existingClass: boolean;
  /** The rendered class's deletion policy. @default - the cluster's class: not known */
  readonly deletionPolicy?: 'Retain' | 'Delete';
  /** How to tell where the snapshots live when `placement` is unknown (the profile's). @default - none */
  readonly placementCheck?: string;
  /** Remarks for the plan: the profile's advice, the sidecar pair, the snapshotter's fit to the Velero line. */
  readonly notes: readonly string[];
  /** The profile's `noVolumeFromSnapshot`: the driver creates no volume from a snapshot. @default - it creates them */
  readonly noVolumeFromSnapshot?: string;
}

/** The storage words of a summary, or the neutral phrase when CSI is off. */
export function summaryStorage(summary: CsiStorageSummary | undefined): string {
  return summary?.storage ?? "the cluster's storage";
}

/**
 * The runbooks' preface about CSI snapshots: where they live and what that means for a restore. Empty when CSI
 * is off; for an `inside-volume` class it says that a deleted volume cannot come back from its snapshots.
 */
export function csiRestorePreface(summary: CsiStorageSummary | undefined): string[] {
  if (!summary) return [];
  const p = summary.placement;
  if (!p) {
    return [
      `CSI snapshots are taken with VolumeSnapshotClass \`${summary.className}\` (\`${summary.driver}\`); where ${summary.storage} keeps them is not known here: ${summary.placementCheck ?? 'check that a snapshot survives deleting its volume'} before relying on one for a deleted PVC.`,
    ];
  }
  if (summary.noVolumeFromSnapshot) {
    return [
      `**No volume can be restored from its CSI snapshots.** ${summary.title ?? summary.driver} creates no volume from a snapshot (${summary.noVolumeFromSnapshot}): restore from a file-system backup (docs/pitfalls.md#no-volume-from-snapshot).`,
    ];
  }
  if (p.locality === 'inside-volume') {
    return [
      `**A deleted volume cannot be restored from its CSI snapshots.** ${p.words} Restoring a PVC from a backup of CSI snapshots only works while the original volume still exists; for a deleted PVC or namespace, restore from a backup that moved the data to object storage (\`snapshotMoveData\` or file-system backup).`,
    ];
  }
  return [p.words];
}
