import { Construct } from 'constructs';
import {
  IntOrString,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeDeployment,
  KubeNamespace,
  KubeRole,
  KubeRoleBinding,
  KubeServiceAccount,
} from 'cdk8s-plus-30/lib/imports/k8s';
import { toPolicyRule, type ExplainedRule, type ServiceAccountPermissions } from '../lib/kube/permissions';
import {
  VolumeSnapshotClass,
  VolumeSnapshotClassDeletionPolicy,
} from '../imports/snapshot-volumesnapshotclasses-snapshot.storage.k8s.io';
import { recommendedLabels } from '../lib/kube/labels';
import { assertDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import { foreignNamespaceOwner } from '../lib/kube/protected-namespaces';
import { checkProps } from '../lib/validation/props';
import {
  csiDriverProfile,
  parameterProblems,
  snapshotPlacement,
  storageWords,
  volumeSnapshotClassAnnotation,
  type CsiStorageSummary,
  type CsiDriverProfile,
  type SnapshotPlacement,
} from '../lib/storage/csi-drivers';
import {
  checkSnapshotterCompatibility,
  nearestKnownSnapshotterVersion,
  defaultSnapshotterVersion,
  snapshotterSuitsVelero,
  VELERO_GROUP_SNAPSHOT_API,
  type SnapshotterCompatibility,
  type SnapshotterRelease,
} from '../lib/versions/snapshotter-compat';
import {
  EXTERNAL_SNAPSHOTTER_REPO_URL,
  SNAPSHOT_CONTROLLER_IMAGE,
  SNAPSHOTTER_VERSION,
} from '../lib/versions/versions';
import type { CrdSource } from './crd-application';
import type { CsiConfig, VolumeSnapshotClassConfig } from '../lib/config/types';
import { CSI_NAMESPACE_DEFAULT, RESOURCES_DEFAULTS } from '../lib/config/defaults';
import {
  checkResources,
  restrictedSecurityContext,
  toK8sResources,
  type ComputeResources,
} from '../lib/kube/resources';

/** The VolumeSnapshotClass Velero uses (documented once: lib/config/types.ts `VolumeSnapshotClassConfig`). */
export type VolumeSnapshotClassOptions = VolumeSnapshotClassConfig;

/** Who runs the snapshot-controller (documented once: lib/config/types.ts `CsiConfig.controller`). */
export type SnapshotControllerMode = NonNullable<CsiConfig['controller']>;

/**
 * The CSI snapshot stack's props: the config's `CsiConfig` fields (each documented, with its default, once in
 * lib/config/types.ts); `enabled` is the stack's, which renders this construct or not.
 */
export type CsiSnapshotStackProps = Omit<CsiConfig, 'enabled'>;

const NAME = 'snapshot-controller';
/** The controller's namespace when none is named: its own, rendered by the stack. */
const DEFAULT_NAMESPACE = CSI_NAMESPACE_DEFAULT;
/** The rendered class's name when none is named. */
const DEFAULT_CLASS_NAME = 'velero-snapshot-class';

/** The driver, or a refusal that says what to put: no driver is everyone's. */
function requireDriver(driver: string | undefined): string {
  if (driver === undefined || driver === '') {
    throw new Error(
      "csi snapshot stack: volumeSnapshotClass.driver not set; name your PVs' CSI driver, their StorageClass's provisioner (kubectl get storageclass), e.g. 'driver.longhorn.io', or set csi.enabled: false (docs/pitfalls.md#csi-driver)",
    );
  }
  return driver;
}

/**
 * The class's parameters: the profile's defaults under the config's, plus the Synology fields; checked as a
 * string map and against the driver's profile. For the cluster's own class, what the config says of it (or
 * undefined: unknown).
 */
function classParameters(
  cls: VolumeSnapshotClassOptions,
  profile: CsiDriverProfile | undefined,
): Readonly<Record<string, string>> | undefined {
  const given = cls.parameters;
  if (given !== undefined) {
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new Error(
        `csi snapshot stack: volumeSnapshotClass.parameters must be a map of strings, got ${JSON.stringify(given)} (docs/pitfalls.md#csi-driver-profiles)`,
      );
    }
    for (const [key, value] of Object.entries(given)) {
      if (key === '' || /\s/.test(key)) {
        throw new Error(
          `csi snapshot stack: volumeSnapshotClass.parameters key ${JSON.stringify(key)} is not a parameter name; use the driver's key, e.g. 'type' (docs/pitfalls.md#csi-driver-profiles)`,
        );
      }
      if (typeof value !== 'string') {
        throw new Error(
          `csi snapshot stack: volumeSnapshotClass.parameters '${key}' must be a string, got ${JSON.stringify(value)}; quote it: '${String(value)}' (docs/pitfalls.md#csi-driver-profiles)`,
        );
      }
    }
  }
  if (cls.existing !== undefined) return given && { ...given };
  const synology: Record<string, string> = {};
  if (cls.description !== undefined) synology.description = cls.description;
  if (cls.isLocked !== undefined) synology.is_locked = String(cls.isLocked);
  for (const key of Object.keys(synology)) {
    if (given && key in given) {
      throw new Error(
        `csi snapshot stack: volumeSnapshotClass.parameters '${key}' is also set by ${key === 'is_locked' ? 'isLocked' : 'description'}; keep one of the two (docs/pitfalls.md#csi-driver-profiles)`,
      );
    }
  }
  return { ...profile?.defaultParameters, ...given, ...synology };
}

/** Upstream's default-install names (deploy/kubernetes/snapshot-controller/rbac-snapshot-controller.yaml). */
export const UPSTREAM_SNAPSHOT_CONTROLLER_RBAC = {
  clusterRole: 'snapshot-controller-runner',
  clusterRoleBinding: 'snapshot-controller-role',
  leaderElection: 'snapshot-controller-leaderelection',
} as const;
/** This stack's own names, which never collide with upstream's default install. */
export const OWN_SNAPSHOT_CONTROLLER_RBAC = {
  clusterRole: 'velero-cdk8s-snapshot-controller-runner',
  clusterRoleBinding: 'velero-cdk8s-snapshot-controller',
  leaderElection: 'velero-cdk8s-snapshot-controller-leaderelection',
} as const;
const SEED_RESOURCES = RESOURCES_DEFAULTS.snapshotController;
/** The image is distroless/static without a USER (root); 65532 is distroless's `nonroot`, and the controller writes no files. */
const RUN_AS_USER = 65532;
/** `--retry-crd-interval-max`, the controller's default, rendered so minReadySeconds can be derived from it. */
const RETRY_CRD_INTERVAL_MAX_SECONDS = 30;
/** The leader-election Role (upstream's rules): one controller replica leads, the other waits on the lease. */
export const LEADER_ELECTION_RULES: readonly ExplainedRule[] = [
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'watch', 'list', 'delete', 'update', 'create'],
    why: 'leader election between the two replicas (--leader-election): the lease snapshot-controller-leader in its own namespace',
  },
];
const rule = (apiGroup: string, resource: string, verbs: string[], why: string): ExplainedRule => ({
  apiGroups: [apiGroup],
  resources: [resource],
  verbs,
  why,
});

/**
 * The snapshot-controller ClusterRole rules exactly as upstream `rbac-snapshot-controller.yaml` at the
 * release's tag (docs/upstream-facts.md#snapshot-controller): v8.2.1 adds `create` on volumesnapshots (the controller creates the member
 * VolumeSnapshots of a group snapshot); both tags carry the groupsnapshot rules. The commented-out `nodes`
 * rule is only for `--enable-distributed-snapshotting`, which this stack does not set.
 */
export function snapshotControllerRules(release: SnapshotterRelease): ExplainedRule[] {
  return [...coreRules(), ...volumeSnapshotRules(release), ...groupSnapshotRules()];
}

/** The core API rules: the source PV and PVC of a snapshot, and the Events it reports on. */
function coreRules(): ExplainedRule[] {
  return [
    rule(
      '',
      'persistentvolumes',
      ['get', 'list', 'watch'],
      'reads the source PV of a snapshot (driver, volume handle, volume mode)',
    ),
    rule(
      '',
      'persistentvolumeclaims',
      ['get', 'list', 'watch', 'update'],
      'reads the source PVC of a VolumeSnapshot; update adds and removes its snapshot-in-progress finalizer, so the PVC is not deleted mid-snapshot',
    ),
    rule(
      '',
      'events',
      ['list', 'watch', 'create', 'update', 'patch'],
      'reports snapshot progress and errors as Events on the VolumeSnapshot',
    ),
  ];
}

/** The snapshot.storage.k8s.io rules: classes, contents, snapshots and their status. */
function volumeSnapshotRules(release: SnapshotterRelease): ExplainedRule[] {
  const snapshot = 'snapshot.storage.k8s.io';
  return [
    rule(
      snapshot,
      'volumesnapshotclasses',
      ['get', 'list', 'watch'],
      "reads the class a VolumeSnapshot names (driver, deletionPolicy) and finds a driver's default class",
    ),
    rule(
      snapshot,
      'volumesnapshotcontents',
      ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'],
      'creates the content of a dynamically provisioned snapshot, binds it, adds and removes finalizers, deletes it with a Delete policy',
    ),
    rule(snapshot, 'volumesnapshotcontents/status', ['patch'], 'records the bound state on a content'),
    rule(
      snapshot,
      'volumesnapshots',
      [
        ...(release.controllerCreatesVolumeSnapshots ? ['create'] : []),
        'get',
        'list',
        'watch',
        'update',
        'patch',
        'delete',
      ],
      `reconciles every VolumeSnapshot (Velero's CSI backups create them): finalizers, binding to its content${release.controllerCreatesVolumeSnapshots ? '; create makes the member snapshots of a group snapshot (since v8.2)' : ''}`,
    ),
    rule(
      snapshot,
      'volumesnapshots/status',
      ['update', 'patch'],
      'sets readyToUse, boundVolumeSnapshotContentName and errors: what Velero waits for',
    ),
  ];
}

/** The groupsnapshot.storage.k8s.io rules of upstream's group-snapshot controller loop. */
function groupSnapshotRules(): ExplainedRule[] {
  const group = 'groupsnapshot.storage.k8s.io';
  return [
    rule(
      group,
      'volumegroupsnapshotclasses',
      ['get', 'list', 'watch'],
      "upstream's group-snapshot controller loop (runs whether or not groups are used)",
    ),
    rule(
      group,
      'volumegroupsnapshotcontents',
      ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch'],
      "upstream's group-snapshot controller loop: contents of group snapshots",
    ),
    rule(
      group,
      'volumegroupsnapshotcontents/status',
      ['patch'],
      "upstream's group-snapshot controller loop: content status",
    ),
    rule(
      group,
      'volumegroupsnapshots',
      ['get', 'list', 'watch', 'update', 'patch'],
      "upstream's group-snapshot controller loop: group snapshots",
    ),
    rule(
      group,
      'volumegroupsnapshots/status',
      ['update', 'patch'],
      "upstream's group-snapshot controller loop: group snapshot status",
    ),
  ];
}

/** The props' fields and types, as a user without a compiler may get them wrong. */
function checkStackProps(props: CsiSnapshotStackProps): void {
  checkProps('csi snapshot stack', props, {
    controller: ['managed', 'existing', 'replace-upstream'],
    crds: ['managed', 'existing'],
    version: 'string?',
    namespace: 'string?',
    createNamespace: 'boolean?',
    snapshotterSidecarVersion: 'string?',
    preventVolumeModeConversion: 'boolean?',
    resources: 'object?',
    volumeSnapshotClass: 'object?',
  });
  if (props.volumeSnapshotClass) {
    checkProps(
      'csi snapshot stack',
      props.volumeSnapshotClass,
      {
        name: 'string?',
        driver: 'string?',
        existing: 'string?',
        parameters: 'object?',
        isDefaultClass: 'boolean?',
        description: 'string?',
        isLocked: 'boolean?',
      },
      'volumeSnapshotClass.',
    );
  }
}

/** The class's name, driver and policy, and what `existing` rules out. */
function validateClass(
  cls: VolumeSnapshotClassOptions,
  driver: string,
  name: string,
  deletionPolicy: string | undefined,
): void {
  if (cls.existing !== undefined) {
    const own = (['name', 'deletionPolicy', 'isDefaultClass', 'description', 'isLocked'] as const).filter(
      (k) => cls[k] !== undefined,
    );
    if (own.length) {
      throw new Error(
        `csi snapshot stack: volumeSnapshotClass.${own[0]} describes the class this stack renders, but existing '${cls.existing}' uses the cluster's class as it is; remove ${own[0]}, or remove existing to render a class (docs/pitfalls.md#existing-snapshot-class)`,
      );
    }
    // the annotation's name part (after `velero.io/`) is at most 63 characters
    if (volumeSnapshotClassAnnotation(driver).length - 'velero.io/'.length > 63) {
      throw new Error(
        `csi snapshot stack: volumeSnapshotClass.driver '${driver}' is over 38 characters, too long for Velero's annotation velero.io/csi-volumesnapshot-class_<driver>; label the class velero.io/csi-volumesnapshot-class and remove existing (docs/pitfalls.md#existing-snapshot-class)`,
      );
    }
  }
  if (!isDnsSubdomain(name)) {
    throw new Error(
      `csi snapshot stack: volumeSnapshotClass.${cls.existing !== undefined ? 'existing' : 'name'} '${name}' is not a valid DNS-1123 subdomain; use lowercase letters, digits, '-' and '.'`,
    );
  }
  if (!isDnsSubdomain(driver, 63)) {
    throw new Error(
      `csi snapshot stack: volumeSnapshotClass.driver '${driver}' is not a CSI driver name; use the driver's DNS-style name (at most 63 characters), e.g. 'csi.san.synology.com'`,
    );
  }
  if (cls.existing === undefined && deletionPolicy !== 'Retain' && deletionPolicy !== 'Delete') {
    throw new Error(
      `csi snapshot stack: volumeSnapshotClass.deletionPolicy '${String(deletionPolicy)}' is not valid; use 'Retain' or 'Delete'`,
    );
  }
}

/** The class's parameters (classParameters), checked against the driver's profile. */
function checkedParameters(
  cls: VolumeSnapshotClassOptions,
  driver: string,
  profile: CsiDriverProfile | undefined,
): Readonly<Record<string, string>> | undefined {
  const parameters = classParameters(cls, profile);
  // a class of the cluster's own is only checked for the keys the config describes
  const [problem] = parameterProblems(driver, parameters ?? {}).filter(
    ([key]) => cls.existing === undefined || key in (parameters ?? {}),
  );
  if (problem) {
    throw new Error(
      `csi snapshot stack: volumeSnapshotClass.parameters '${problem[0]}': ${problem[1]} (docs/pitfalls.md#csi-driver-profiles)`,
    );
  }
  return parameters;
}

/**
 * The CSI half of the stack: the snapshot-controller (external-snapshotter, docs/upstream-facts.md#snapshot-controller, hardened), and the
 * VolumeSnapshotClass Velero picks by its label (docs/upstream-facts.md#velero-csi). The snapshot CRDs are not rendered here: the
 * CRD Application syncs them from upstream at `crdSource` (same tag as the image, never pruned).
 *
 * The seed's known issue (docs/pitfalls.md#source-volume-mode) is a pair, not a version: v8 CRDs carry "sourceVolumeMode is required once
 * set", the controller (v7+) sets that field, and a driver sidecar older than v6 (Synology ships v4.2.1)
 * drops it on update, so snapshots never become ready (docs/upstream-facts.md#snapshot-controller, docs/pitfalls.md#source-volume-mode). The
 * constructor refuses such a pair with the three ways out; each is one prop: `snapshotterSidecarVersion`
 * (a newer sidecar), `preventVolumeModeConversion: false`, or `version: 'v7.0.2'`.
 */
export class CsiSnapshotStack extends Construct {
  /** external-snapshotter release: CRD tag and controller image tag. */
  public readonly version: string;
  public readonly release: SnapshotterRelease;
  /** Namespace of the controller and its lease. */
  public readonly namespace: string;
  /** `registry.k8s.io/sig-storage/snapshot-controller:<tag>`. */
  public readonly image: string;
  /** The CRD folder of external-snapshotter at `version` (`client/config/crd`). */
  public readonly crdSource: CrdSource;
  /** What the CRD Application syncs for this stack: `[crdSource]`, or nothing when the cluster brings the CRDs. */
  public readonly crdSources: readonly CrdSource[];
  /** Who runs the snapshot-controller. */
  public readonly controller: SnapshotControllerMode;
  /** Who installs the snapshot CRDs: this stack's CRD Application ('managed') or the cluster ('existing'). */
  public readonly crds: 'managed' | 'existing';
  /** The RBAC names of the rendered controller (upstream's only with `controller: 'replace-upstream'`). */
  public readonly rbacNames: {
    readonly clusterRole: string;
    readonly clusterRoleBinding: string;
    readonly leaderElection: string;
  };
  /** The controller ServiceAccount's rules and reasons; undefined when the cluster runs its own controller. */
  public readonly permissions?: ServiceAccountPermissions;
  /** The CSI driver's sidecar tag; undefined when not known (the pair is then unchecked). */
  public readonly snapshotterSidecarVersion?: string;
  /** The verdict on version x sidecar (ok or mitigated; broken pairs never get this far). */
  public readonly compatibility: SnapshotterCompatibility;
  /** Effective `--prevent-volume-mode-conversion`. */
  public readonly preventVolumeModeConversion: boolean;
  public readonly controllerArgs: readonly string[];
  public readonly serviceAccountName = NAME;
  /** The class Velero uses: the rendered one, or the cluster's (`existingClass`). */
  public readonly snapshotClassName: string;
  public readonly driver: string;
  /** The rendered class's deletion policy; undefined for the cluster's own class. */
  public readonly deletionPolicy?: 'Retain' | 'Delete';
  /** True when the class is the cluster's own (`volumeSnapshotClass.existing`): none is rendered. */
  public readonly existingClass: boolean;
  /** The class's parameters: rendered, or described for the cluster's own; undefined when unknown. */
  public readonly parameters?: Readonly<Record<string, string>>;
  /** The driver's profile (lib/storage/csi-drivers.ts); undefined for a driver without one. */
  public readonly profile?: CsiDriverProfile;
  /** Where the class's snapshots live; undefined when unknown (no profile, or the cluster's class without parameters). */
  public readonly placement?: SnapshotPlacement;
  /** The annotations every Schedule carries so its Backups use the cluster's class (empty when the class is rendered). */
  public readonly backupAnnotations: Readonly<Record<string, string>>;
  private readonly labels: Record<string, string>;

  /**
   * The release whose facts the checks use: the version itself, or, when the stack deploys neither the controller
   * nor the CRDs (`controller` and `crds` 'existing'), the nearest known release for a version it does not know: the
   * cluster's own older snapshot-controller is valid input (docs/pitfalls.md#existing-snapshot-controller).
   */
  private factsVersion(): string {
    if (this.controller !== 'existing' || this.crds !== 'existing') return this.version;
    return nearestKnownSnapshotterVersion(this.version) ?? this.version;
  }

  constructor(scope: Construct, id: string, props: CsiSnapshotStackProps = {}) {
    super(scope, id);
    checkStackProps(props);
    const cls = props.volumeSnapshotClass ?? {};
    this.driver = requireDriver(cls.driver);
    this.profile = csiDriverProfile(this.driver);
    this.version = props.version ?? SNAPSHOTTER_VERSION;
    this.controller = props.controller ?? 'managed';
    this.crds = props.crds ?? (this.controller === 'existing' ? 'existing' : 'managed');
    // the cluster's own controller runs where upstream and the distributions put it
    this.namespace = props.namespace ?? (this.controller === 'existing' ? 'kube-system' : DEFAULT_NAMESPACE);
    const knownSidecars = this.profile?.sidecarReleases ?? [];
    this.snapshotterSidecarVersion =
      props.snapshotterSidecarVersion ?? (knownSidecars.length === 1 ? knownSidecars[0].sidecar : undefined);
    this.compatibility = this.checkedCompatibility(props);
    if (this.compatibility.verdict === 'broken') throw new Error(`csi snapshot stack: ${this.compatibility.message}`);
    this.release = this.compatibility.release;
    this.preventVolumeModeConversion = this.compatibility.preventVolumeModeConversion;
    this.image = `${SNAPSHOT_CONTROLLER_IMAGE}:${this.release.controllerImageTag}`;
    this.crdSource = {
      repoURL: EXTERNAL_SNAPSHOTTER_REPO_URL,
      targetRevision: this.version,
      path: 'client/config/crd',
    };

    this.checkControllerPlacement(props);
    this.crdSources = this.crds === 'managed' ? [this.crdSource] : [];
    this.rbacNames =
      this.controller === 'replace-upstream' ? UPSTREAM_SNAPSHOT_CONTROLLER_RBAC : OWN_SNAPSHOT_CONTROLLER_RBAC;
    const resources = props.resources ?? SEED_RESOURCES;
    checkResources('snapshot-controller', resources);

    this.existingClass = cls.existing !== undefined;
    this.snapshotClassName = cls.existing ?? cls.name ?? DEFAULT_CLASS_NAME;
    this.deletionPolicy = this.existingClass ? undefined : (cls.deletionPolicy ?? 'Retain');
    validateClass(cls, this.driver, this.snapshotClassName, this.deletionPolicy);
    this.parameters = checkedParameters(cls, this.driver, this.profile);
    this.placement = snapshotPlacement(this.driver, this.parameters);
    this.backupAnnotations = this.existingClass
      ? { [volumeSnapshotClassAnnotation(this.driver)]: this.snapshotClassName }
      : {};

    this.labels = recommendedLabels(NAME, this.version);
    this.controllerArgs = [
      '--v=5',
      '--leader-election=true',
      // explicit: the lease (and the Role below) must be in this namespace, whatever the pod's defaults are
      `--leader-election-namespace=${this.namespace}`,
      `--retry-crd-interval-max=${RETRY_CRD_INTERVAL_MAX_SECONDS}s`,
      `--prevent-volume-mode-conversion=${this.preventVolumeModeConversion}`,
    ];

    if (this.controller !== 'existing') {
      this.permissions = this.controllerPermissions();
      if (props.createNamespace ?? props.namespace === undefined) this.renderNamespace();
      this.renderRbac(this.permissions);
      this.renderDeployment(resources);
    } else if (props.createNamespace) {
      throw new Error(
        `csi snapshot stack: createNamespace renders the controller's namespace, but controller is 'existing' (nothing of it is rendered); leave createNamespace off`,
      );
    }
    if (!this.existingClass) this.renderSnapshotClass(cls);
  }

  /** The verdict on version x sidecar, with the release whose facts stood for the cluster's own. */
  private checkedCompatibility(props: CsiSnapshotStackProps): SnapshotterCompatibility {
    try {
      const facts = this.factsVersion();
      const checked = checkSnapshotterCompatibility({
        version: facts,
        sidecarVersion: this.snapshotterSidecarVersion,
        preventVolumeModeConversion: props.preventVolumeModeConversion,
      });
      // the plan names the cluster's own release, and the release whose facts stood for it
      return facts === this.version
        ? checked
        : {
            ...checked,
            message: checked.message.replace(
              `snapshotter ${facts}`,
              `snapshotter ${this.version} (checked as ${facts})`,
            ),
          };
    } catch (e) {
      throw new Error(`csi snapshot stack: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Checks the controller mode and the namespace it runs in (not another's, not upstream's by accident). */
  private checkControllerPlacement(props: CsiSnapshotStackProps): void {
    if (!['managed', 'existing', 'replace-upstream'].includes(this.controller)) {
      throw new Error(
        `csi snapshot stack: controller '${String(this.controller)}' is not valid; use 'managed', 'existing' or 'replace-upstream'`,
      );
    }
    assertDnsLabel('csi snapshot stack: namespace', this.namespace);
    const owner = foreignNamespaceOwner(this.namespace);
    if (props.createNamespace && owner) {
      throw new Error(
        `csi snapshot stack: createNamespace cannot render namespace '${this.namespace}': it ${owner}; leave createNamespace off or run the controller in a namespace of its own, e.g. 'snapshot-controller' (docs/pitfalls.md#foreign-namespace)`,
      );
    }
    if (this.controller === 'managed' && this.namespace === 'kube-system') {
      throw new Error(
        `csi snapshot stack: namespace 'kube-system' with controller 'managed' would overwrite upstream's default install (Deployment and ServiceAccount kube-system/snapshot-controller); set controller: 'replace-upstream' to take it over on purpose, 'existing' to keep it, or run in another namespace`,
      );
    }
  }

  /** The controller ServiceAccount's rules and reasons. */
  private controllerPermissions(): ServiceAccountPermissions {
    return {
      namespace: this.namespace,
      serviceAccount: this.serviceAccountName,
      purpose: `The snapshot-controller Deployment (external-snapshotter ${this.version}): binds VolumeSnapshots to contents for every CSI driver.`,
      grants: [
        {
          kind: 'ClusterRole',
          name: this.rbacNames.clusterRole,
          binding: { kind: 'ClusterRoleBinding', name: this.rbacNames.clusterRoleBinding },
          rendered: true,
          rules: snapshotControllerRules(this.release),
        },
        {
          kind: 'Role',
          name: this.rbacNames.leaderElection,
          namespace: this.namespace,
          binding: { kind: 'RoleBinding', name: this.rbacNames.leaderElection },
          rendered: true,
          rules: LEADER_ELECTION_RULES,
        },
      ],
    };
  }

  /** True when dist/csi-snapshots/ holds anything: a controller or a class of the stack's own. */
  public get rendersObjects(): boolean {
    return this.controller !== 'existing' || !this.existingClass;
  }

  /**
   * What the plan and the runbooks say of the CSI storage, for a stack on Velero line `veleroLine` (`1.18`);
   * `versionFollowsVelero`: the release was not given, so it follows the Velero line's default.
   */
  public planSummary(veleroLine: string, versionFollowsVelero = false): CsiStorageSummary {
    const notes: string[] = [];
    const advice = this.profile?.deletionPolicy;
    if (advice && this.deletionPolicy && advice.advice !== this.deletionPolicy) {
      notes.push(
        `${this.profile!.title} advice: deletionPolicy ${advice.advice} (${advice.why}); the class has ${this.deletionPolicy}.`,
      );
    }
    if (this.compatibility.verdict !== 'ok') notes.push(`${this.compatibility.message}.`);
    if (!snapshotterSuitsVelero(this.release, veleroLine)) {
      const api = VELERO_GROUP_SNAPSHOT_API[veleroLine];
      notes.push(
        `external-snapshotter ${this.version} does not serve groupsnapshot ${api}, which Velero ${veleroLine} uses: VolumeGroupSnapshots cannot work${veleroLine === '1.18' ? ', and every restore ends with the warning "failed to list stub VolumeGroupSnapshotContents"' : ''}; use a release that serves it, e.g. csi.version 'v8.4.0' or later (docs/pitfalls.md#snapshotter-velero-line).`,
      );
    }
    const lines = Object.keys(VELERO_GROUP_SNAPSHOT_API);
    const next = lines[lines.indexOf(veleroLine) + 1];
    if (versionFollowsVelero && next && defaultSnapshotterVersion(next) !== this.version) {
      const moved = [
        ...(this.crdSources.length ? ['the snapshot CRDs'] : []),
        ...(this.controller !== 'existing' ? ['the snapshot-controller'] : []),
      ];
      notes.push(
        moved.length
          ? `Moving to Velero ${next} moves ${moved.join(' and ')} to external-snapshotter ${defaultSnapshotterVersion(next)} (csi.version is not set), and the sidecar pair is checked again.`
          : `Before moving to Velero ${next}, the cluster's own snapshot CRDs and controller must be external-snapshotter ${defaultSnapshotterVersion(next)} or later (then set csi.version to it).`,
      );
    }
    return {
      driver: this.driver,
      title: this.profile?.title,
      storage: storageWords(this.driver),
      placement: this.placement,
      placementCheck: this.profile?.placementCheck,
      className: this.snapshotClassName,
      existingClass: this.existingClass,
      deletionPolicy: this.deletionPolicy,
      notes,
      noVolumeFromSnapshot: this.profile?.noVolumeFromSnapshot,
    };
  }

  private renderNamespace(): void {
    new KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          ...this.labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
      },
    });
  }

  private renderRbac(permissions: ServiceAccountPermissions): void {
    const subject = { kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace };
    const [cluster, leader] = permissions.grants;
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace: this.namespace, labels: this.labels },
    });
    new KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: cluster.name, labels: this.labels },
      rules: cluster.rules.map(toPolicyRule),
    });
    new KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: cluster.binding.name, labels: this.labels },
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: cluster.name },
    });
    // the lease `snapshot-controller-leader` lives in the controller's namespace (--leader-election-namespace)
    new KubeRole(this, 'LeaderElectionRole', {
      metadata: { name: leader.name, namespace: this.namespace, labels: this.labels },
      rules: leader.rules.map(toPolicyRule),
    });
    new KubeRoleBinding(this, 'LeaderElectionRoleBinding', {
      metadata: { name: leader.binding.name, namespace: this.namespace, labels: this.labels },
      // upstream leaves the subject's namespace out (it defaults to the binding's); explicit is clearer
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leader.name },
    });
  }

  private renderDeployment(resources: ComputeResources): void {
    const selector = { 'app.kubernetes.io/name': NAME };
    new KubeDeployment(this, 'Deployment', {
      metadata: { name: NAME, namespace: this.namespace, labels: this.labels },
      spec: {
        // two replicas, one leader: a standby takes over the lease within seconds
        replicas: 2,
        selector: { matchLabels: selector },
        // the controller is not Ready until the v1 CRDs exist, and exits after --retry-crd-interval-max
        // (30s) without them: a pod only counts as available once it has outlived that window (upstream)
        minReadySeconds: RETRY_CRD_INTERVAL_MAX_SECONDS + 5,
        // never two extra pods, one pod down at a time (upstream)
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: IntOrString.fromNumber(0), maxUnavailable: IntOrString.fromNumber(1) },
        },
        template: {
          metadata: { labels: { ...this.labels, ...selector } },
          spec: {
            serviceAccountName: this.serviceAccountName,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RUN_AS_USER,
              runAsGroup: RUN_AS_USER,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: NAME,
                image: this.image,
                imagePullPolicy: 'IfNotPresent',
                args: [...this.controllerArgs],
                resources: toK8sResources(resources),
                // logs go to stderr and state to the API server: no writable path needed
                securityContext: restrictedSecurityContext(RUN_AS_USER),
              },
            ],
          },
        },
      },
    });
  }

  private renderSnapshotClass(cls: VolumeSnapshotClassOptions): void {
    const parameters: Record<string, string> = { ...this.parameters };
    new VolumeSnapshotClass(this, 'VolumeSnapshotClass', {
      metadata: {
        name: this.snapshotClassName,
        // Velero picks the class of a PV's driver by this label (docs/upstream-facts.md#velero-csi)
        labels: {
          ...recommendedLabels(this.snapshotClassName, this.version),
          'velero.io/csi-volumesnapshot-class': 'true',
        },
        ...(cls.isDefaultClass ? { annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } } : {}),
      },
      driver: this.driver,
      deletionPolicy:
        this.deletionPolicy === 'Retain'
          ? VolumeSnapshotClassDeletionPolicy.RETAIN
          : VolumeSnapshotClassDeletionPolicy.DELETE,
      ...(Object.keys(parameters).length ? { parameters } : {}),
    });
  }
}
