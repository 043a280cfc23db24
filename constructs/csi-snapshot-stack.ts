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
  type PolicyRule,
} from 'cdk8s-plus-30/lib/imports/k8s';
import {
  VolumeSnapshotClass,
  VolumeSnapshotClassDeletionPolicy,
} from '../imports/snapshot-volumesnapshotclasses-snapshot.storage.k8s.io';
import { recommendedLabels } from '../lib/kube/labels';
import { assertDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import {
  checkSnapshotterCompatibility,
  SYNOLOGY_CSI_SNAPSHOTTER_SIDECAR_VERSION,
  type SnapshotterCompatibility,
  type SnapshotterRelease,
} from '../lib/versions/snapshotter-compat';
import {
  EXTERNAL_SNAPSHOTTER_REPO_URL,
  SNAPSHOT_CONTROLLER_IMAGE,
  SNAPSHOTTER_VERSION,
} from '../lib/versions/versions';
import type { CrdSource } from './crd-application';
import {
  checkResources,
  restrictedSecurityContext,
  toK8sResources,
  type ComputeResources,
} from '../lib/kube/resources';

/** The VolumeSnapshotClass Velero uses for the CSI driver's volumes. */
export interface VolumeSnapshotClassOptions {
  /** @default 'synology-snapshot-class' */
  readonly name?: string;
  /** CSI driver name; must equal the PVs' `spec.csi.driver`. @default 'csi.san.synology.com' (Synology CSI) */
  readonly driver?: string;
  /**
   * What happens to the storage snapshot when its VolumeSnapshotContent is released.
   *
   * `Retain` is what Velero's CSI documentation recommends: the snapshot on the storage system survives
   * the loss of the namespace (or cluster) that held the VolumeSnapshot, which is the disaster a backup
   * exists for. It does not leak snapshots: Velero patches the content to `Delete` before it deletes an
   * expired backup, so the snapshot lives exactly as long as the backup (facts §3). Snapshots taken with
   * this class outside Velero are kept on the storage when their VolumeSnapshot is deleted.
   * @default 'Retain'
   */
  readonly deletionPolicy?: 'Retain' | 'Delete';
  /**
   * Annotate the class `snapshot.storage.kubernetes.io/is-default-class: "true"`, the default for
   * VolumeSnapshots that name no class. Velero picks the class by its label either way. When false the
   * annotation is left out entirely: Velero treats the key as set whatever its value (facts §3).
   * Keep one default class per driver: without the validation webhook (removed in v8.2.0) two are not
   * refused at admission, but dynamic snapshotting then fails.
   * @default false
   */
  readonly isDefaultClass?: boolean;
  /** Synology `description` parameter: the DSM snapshot description (iSCSI only). @default - not set (empty) */
  readonly description?: string;
  /** Synology `is_locked` parameter: lock the snapshot on DSM. @default - not set (the driver's default, false) */
  readonly isLocked?: boolean;
}

export interface CsiSnapshotStackProps {
  /**
   * external-snapshotter release: the tag of the snapshot CRDs the CRD Application syncs (`crdSource`)
   * AND of the snapshot-controller image. One knob; known releases are listed in lib/versions/snapshotter-compat.ts.
   *
   * `'v7.0.2'` is the way out of the sidecar pair below that keeps the volume mode protection on: its CRDs
   * have no CEL rules. Caveat: its `client/config/crd/kustomization.yaml` lists only the three
   * snapshot.storage.k8s.io CRDs, so moving from v8.2.1 drops the groupsnapshot.storage.k8s.io CRDs from
   * the rendered set. The CRD Application never prunes, so they stay behind unmanaged; under an Application
   * that prunes they, and every VolumeGroupSnapshot, would be deleted (facts §1.3).
   * @default SNAPSHOTTER_VERSION ('v8.2.1')
   */
  readonly version?: string;
  /**
   * Namespace of the controller, its ServiceAccount and its leader-election lease (and Role).
   * The seed runs it next to the Synology CSI driver; upstream uses `kube-system`.
   * @default 'synology-csi'
   */
  readonly namespace?: string;
  /**
   * Render the Namespace (Pod Security `restricted`, never pruned or deleted by ArgoCD). Only for a
   * namespace of the controller's own, e.g. `snapshot-controller`: `synology-csi` belongs to the CSI driver
   * (managed with it; its node plugin needs privileged pods) and `kube-system` to the cluster, so both are
   * refused.
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Image tag of the CSI driver's own `csi-snapshotter` sidecar (deployed with the driver, not here).
   * Checked against `version`: a known-bad pair is refused at synth (gitops-pitfalls.md row 16).
   * @default SYNOLOGY_CSI_SNAPSHOTTER_SIDECAR_VERSION ('v4.2.1', what Synology CSI v1.2.1 ships)
   */
  readonly snapshotterSidecarVersion?: string;
  /**
   * The controller's `--prevent-volume-mode-conversion` (KEP-3141), always rendered explicitly.
   * `false` is the way out of the v8 CRDs + sidecar < v6 pair that keeps the old sidecar: the controller
   * then leaves `spec.sourceVolumeMode` unset, so the CRD rule that breaks the sidecar never applies, at
   * the cost of the protection against restoring a snapshot into a PVC of another volume mode.
   * @default - the release's default: true for v8.2.1 and v7.0.2
   */
  readonly preventVolumeModeConversion?: boolean;
  /** Controller resources. @default the seed's: requests 10m / 32Mi, limits 50m / 64Mi */
  readonly resources?: ComputeResources;
  /** The VolumeSnapshotClass. @default - `synology-snapshot-class` for `csi.san.synology.com`, Retain, not default */
  readonly volumeSnapshotClass?: VolumeSnapshotClassOptions;
}

const NAME = 'snapshot-controller';
const SEED_RESOURCES: ComputeResources = {
  requests: { cpu: '10m', memory: '32Mi' },
  limits: { cpu: '50m', memory: '64Mi' },
};
/** The image is distroless/static without a USER (root); 65532 is distroless's `nonroot`, and the controller writes no files. */
const RUN_AS_USER = 65532;
/** `--retry-crd-interval-max`, the controller's default, rendered so minReadySeconds can be derived from it. */
const RETRY_CRD_INTERVAL_MAX_SECONDS = 30;
/** Namespaces this stack must never own. */
const FOREIGN_NAMESPACES: Record<string, string> = {
  'synology-csi': 'belongs to the Synology CSI driver, whose node plugin needs privileged pods',
  'kube-system': 'belongs to the cluster',
  default: 'belongs to the cluster',
};

const rule = (apiGroup: string, resource: string, verbs: string[]): PolicyRule => ({
  apiGroups: [apiGroup],
  resources: [resource],
  verbs,
});

/**
 * The snapshot-controller ClusterRole rules exactly as upstream `rbac-snapshot-controller.yaml` at the
 * release's tag (facts §1.2): v8.2.1 adds `create` on volumesnapshots (the controller creates the member
 * VolumeSnapshots of a group snapshot); both tags carry the groupsnapshot rules. The commented-out `nodes`
 * rule is only for `--enable-distributed-snapshotting`, which this stack does not set.
 */
export function snapshotControllerRules(release: SnapshotterRelease): PolicyRule[] {
  const snapshot = 'snapshot.storage.k8s.io';
  const group = 'groupsnapshot.storage.k8s.io';
  return [
    rule('', 'persistentvolumes', ['get', 'list', 'watch']),
    rule('', 'persistentvolumeclaims', ['get', 'list', 'watch', 'update']),
    rule('', 'events', ['list', 'watch', 'create', 'update', 'patch']),
    rule(snapshot, 'volumesnapshotclasses', ['get', 'list', 'watch']),
    rule(snapshot, 'volumesnapshotcontents', ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch']),
    rule(snapshot, 'volumesnapshotcontents/status', ['patch']),
    rule(snapshot, 'volumesnapshots', [
      ...(release.controllerCreatesVolumeSnapshots ? ['create'] : []),
      'get',
      'list',
      'watch',
      'update',
      'patch',
      'delete',
    ]),
    rule(snapshot, 'volumesnapshots/status', ['update', 'patch']),
    rule(group, 'volumegroupsnapshotclasses', ['get', 'list', 'watch']),
    rule(group, 'volumegroupsnapshotcontents', ['create', 'get', 'list', 'watch', 'update', 'delete', 'patch']),
    rule(group, 'volumegroupsnapshotcontents/status', ['patch']),
    rule(group, 'volumegroupsnapshots', ['get', 'list', 'watch', 'update', 'patch']),
    rule(group, 'volumegroupsnapshots/status', ['update', 'patch']),
  ];
}

/**
 * The CSI half of the stack: the snapshot-controller (external-snapshotter, facts §1.2, hardened), and the
 * VolumeSnapshotClass Velero picks by its label (facts §3). The snapshot CRDs are not rendered here: the
 * CRD Application syncs them from upstream at `crdSource` (same tag as the image, never pruned).
 *
 * The seed's Known Issue 1 is a pair, not a version: v8 CRDs carry "sourceVolumeMode is required once
 * set", the controller (v7+) sets that field, and a driver sidecar older than v6 (Synology ships v4.2.1)
 * drops it on update, so snapshots never become ready (facts §1.3, gitops-pitfalls.md row 16). The
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
  /** The CRD folder the CRD Application syncs: `client/config/crd` of external-snapshotter at `version`. */
  public readonly crdSource: CrdSource;
  public readonly snapshotterSidecarVersion: string;
  /** The verdict on version x sidecar (ok or mitigated; broken pairs never get this far). */
  public readonly compatibility: SnapshotterCompatibility;
  /** Effective `--prevent-volume-mode-conversion`. */
  public readonly preventVolumeModeConversion: boolean;
  public readonly controllerArgs: readonly string[];
  public readonly serviceAccountName = NAME;
  public readonly snapshotClassName: string;
  public readonly driver: string;
  public readonly deletionPolicy: 'Retain' | 'Delete';
  private readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: CsiSnapshotStackProps = {}) {
    super(scope, id);
    this.version = props.version ?? SNAPSHOTTER_VERSION;
    this.namespace = props.namespace ?? 'synology-csi';
    this.snapshotterSidecarVersion = props.snapshotterSidecarVersion ?? SYNOLOGY_CSI_SNAPSHOTTER_SIDECAR_VERSION;
    try {
      this.compatibility = checkSnapshotterCompatibility({
        version: this.version,
        sidecarVersion: this.snapshotterSidecarVersion,
        preventVolumeModeConversion: props.preventVolumeModeConversion,
      });
    } catch (e) {
      throw new Error(`csi snapshot stack: ${(e as Error).message}`, { cause: e });
    }
    if (this.compatibility.verdict === 'broken') throw new Error(`csi snapshot stack: ${this.compatibility.message}`);
    this.release = this.compatibility.release;
    this.preventVolumeModeConversion = this.compatibility.preventVolumeModeConversion;
    this.image = `${SNAPSHOT_CONTROLLER_IMAGE}:${this.release.controllerImageTag}`;
    this.crdSource = {
      repoURL: EXTERNAL_SNAPSHOTTER_REPO_URL,
      targetRevision: this.version,
      path: 'client/config/crd',
    };

    assertDnsLabel('csi snapshot stack: namespace', this.namespace);
    if (props.createNamespace && FOREIGN_NAMESPACES[this.namespace]) {
      throw new Error(
        `csi snapshot stack: createNamespace cannot render namespace '${this.namespace}': it ${FOREIGN_NAMESPACES[this.namespace]}; leave createNamespace off or run the controller in a namespace of its own, e.g. 'snapshot-controller'`,
      );
    }
    const resources = props.resources ?? SEED_RESOURCES;
    checkResources('snapshot-controller', resources);

    const cls = props.volumeSnapshotClass ?? {};
    this.snapshotClassName = cls.name ?? 'synology-snapshot-class';
    this.driver = cls.driver ?? 'csi.san.synology.com';
    this.deletionPolicy = cls.deletionPolicy ?? 'Retain';
    this.validateClass();

    this.labels = recommendedLabels(NAME, this.version);
    this.controllerArgs = [
      '--v=5',
      '--leader-election=true',
      // explicit: the lease (and the Role below) must be in this namespace, whatever the pod's defaults are
      `--leader-election-namespace=${this.namespace}`,
      `--retry-crd-interval-max=${RETRY_CRD_INTERVAL_MAX_SECONDS}s`,
      `--prevent-volume-mode-conversion=${this.preventVolumeModeConversion}`,
    ];

    if (props.createNamespace) this.renderNamespace();
    this.renderRbac();
    this.renderDeployment(resources);
    this.renderSnapshotClass(cls);
  }

  private validateClass(): void {
    if (!isDnsSubdomain(this.snapshotClassName)) {
      throw new Error(
        `csi snapshot stack: volumeSnapshotClass.name '${this.snapshotClassName}' is not a valid DNS-1123 subdomain; use lowercase letters, digits, '-' and '.'`,
      );
    }
    if (!isDnsSubdomain(this.driver, 63)) {
      throw new Error(
        `csi snapshot stack: volumeSnapshotClass.driver '${this.driver}' is not a CSI driver name; use the driver's DNS-style name (at most 63 characters), e.g. 'csi.san.synology.com'`,
      );
    }
    if (this.deletionPolicy !== 'Retain' && this.deletionPolicy !== 'Delete') {
      throw new Error(
        `csi snapshot stack: volumeSnapshotClass.deletionPolicy '${String(this.deletionPolicy)}' is not valid; use 'Retain' or 'Delete'`,
      );
    }
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

  private renderRbac(): void {
    const subject = { kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace };
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.serviceAccountName, namespace: this.namespace, labels: this.labels },
    });
    new KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: 'snapshot-controller-runner', labels: this.labels },
      rules: snapshotControllerRules(this.release),
    });
    new KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: 'snapshot-controller-role', labels: this.labels },
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'snapshot-controller-runner' },
    });
    // the lease `snapshot-controller-leader` lives in the controller's namespace (--leader-election-namespace)
    new KubeRole(this, 'LeaderElectionRole', {
      metadata: { name: 'snapshot-controller-leaderelection', namespace: this.namespace, labels: this.labels },
      rules: [rule('coordination.k8s.io', 'leases', ['get', 'watch', 'list', 'delete', 'update', 'create'])],
    });
    new KubeRoleBinding(this, 'LeaderElectionRoleBinding', {
      metadata: { name: 'snapshot-controller-leaderelection', namespace: this.namespace, labels: this.labels },
      // upstream leaves the subject's namespace out (it defaults to the binding's); explicit is clearer
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'snapshot-controller-leaderelection' },
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
    const parameters: Record<string, string> = {};
    if (cls.description !== undefined) parameters.description = cls.description;
    if (cls.isLocked !== undefined) parameters.is_locked = String(cls.isLocked);
    new VolumeSnapshotClass(this, 'VolumeSnapshotClass', {
      metadata: {
        name: this.snapshotClassName,
        // Velero picks the class of a PV's driver by this label (facts §3)
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
