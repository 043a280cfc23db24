import { Duration } from 'cdk8s';
import {
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeConfigMap,
  KubeCronJob,
  KubeRole,
  KubeRoleBinding,
  KubeServiceAccount,
  KubeValidatingAdmissionPolicy,
  KubeValidatingAdmissionPolicyBinding,
} from 'cdk8s-plus-30/lib/imports/k8s';
import { Construct } from 'constructs';
import {
  DEFAULT_TIMEOUTS,
  ENV,
  formatNamespaceMapping,
  validateDrillConfig,
  type DrillConfig,
  type VerifyTarget,
} from '../drill/config';
import { parseCron } from '../lib/schedule/cron';
import { checkConstruct, checkProps } from '../lib/validation/props';
import { promDuration } from '../lib/units/duration';
import { bundleDrillRunner } from '../lib/drill/drill-bundle';
import { recommendedLabels } from '../lib/kube/labels';
import { isDnsLabel } from '../lib/kube/names';
import { looksLikeGlob } from '../lib/schedule/namespace-glob';
import { metricsFor } from '../lib/alerts/metrics-catalog';
import { checkAlertExpression } from '../lib/alerts/promql';
import type { AdditionalAlertRules } from '../lib/alerts/rule-kit';
import { restoreDrillAlerts } from '../lib/alerts/restore-drill';
import { scheduleThresholds } from '../lib/alerts/thresholds';
import type { BackupSchedule } from './backup-schedule';
import {
  checkResources,
  restrictedSecurityContext,
  toK8sResources,
  type ComputeResources,
} from '../lib/kube/resources';
import type { IVeleroRelease } from './velero-release';
import type { DrillConfig as DrillFields, DrillVerifyConfig } from '../lib/config/types';
import { RESOURCES_DEFAULTS } from '../lib/config/defaults';
import { drillPolicies, drillPolicyValidations, type DrillPolicyInput } from '../lib/drill/drill-policy';
import { toPolicyRule, type ExplainedRule, type ServiceAccountPermissions } from '../lib/kube/permissions';
import type { TrackingStripModifiers } from './restore-modifiers';
import { CSI_SNAPSHOT_RESOURCES, DATA_MOVER_RESOURCES } from '../lib/restore/restore-spec';

import { DRILL_NODE_IMAGE, DRILL_NODE_VERSION } from '../lib/versions/versions';

export { DRILL_NODE_IMAGE, DRILL_NODE_VERSION };
/** uid/gid of the `node` user in the official Node.js images. */
const NODE_USER = 1000;

/** One declared check of a restored volume (documented once: lib/config/types.ts `DrillVerifyConfig`). */
export type RestoreDrillVerify = DrillVerifyConfig;

/**
 * A drill's props: the config's `DrillConfig` fields (each documented, with its default, once in lib/config/types.ts;
 * its timeouts here as Durations) plus what only the construct takes.
 */
export interface RestoreDrillProps extends Omit<DrillFields, 'restoreTimeout' | 'pvcBoundTimeout' | 'verifyTimeout'> {
  /** The Velero server whose backups are restored; the drill runs in its namespace. */
  readonly release: IVeleroRelease;
  /** The Schedule whose newest Completed backup is restored. */
  readonly schedule: BackupSchedule;
  /** `DrillConfig.restoreTimeout` (its default there), as a Duration. */
  readonly restoreTimeout?: Duration;
  /** `DrillConfig.pvcBoundTimeout` (its default there), as a Duration. */
  readonly pvcBoundTimeout?: Duration;
  /** `DrillConfig.verifyTimeout` (its default there), as a Duration. */
  readonly verifyTimeout?: Duration;
  /**
   * The resource modifiers the drill's Restore applies, as the rendered restore scenarios do: restored copies
   * in the scratch namespaces carry no ArgoCD tracking, so ArgoCD never prunes them mid-drill. @default none
   */
  readonly trackingModifiers?: TrackingStripModifiers;
}

const DEFAULT_CRON = '0 5 1 * *';
const DEFAULT_RESOURCES = RESOURCES_DEFAULTS.drill;
/** Time the runner needs besides its waits: API calls, cleanup, image pull. */
const RUNNER_MARGIN_SECONDS = 600;
/** A CronJob name longer than 52 characters cannot get Jobs (the controller appends 11). */
const CRONJOB_NAME_MAX = 52;
const CSI_KINDS: readonly string[] = CSI_SNAPSHOT_RESOURCES;
const HOUR = 3600;

function seconds(d: Duration): number {
  return Math.round(d.toSeconds());
}

/**
 * The runner's API calls in the Velero namespace, as RBAC rules with their reasons (the drill-runner tests
 * record the calls against a fake API server, and test/drill/restore-drill.test.ts holds these rules to exactly
 * that record). The ValidatingAdmissionPolicy narrows the writes to the drill's own Restores.
 */
export const DRILL_VELERO_NAMESPACE_RULES: readonly ExplainedRule[] = [
  {
    apiGroups: ['velero.io'],
    resources: ['backups'],
    verbs: ['list'],
    why: "pick-backup: lists the schedule's Backups by label to restore the newest Completed one",
  },
  {
    apiGroups: ['velero.io'],
    resources: ['restores'],
    verbs: ['create', 'delete', 'get', 'list'],
    why: "create-restore, wait-restore (polls its phase), cleanup, and preflight (lists and deletes Restores a killed run left behind); the admission policy allows only Restores labelled as the drill's that map every namespace to a scratch namespace",
  },
];

/**
 * Cluster-scoped rules: the scratch namespaces do not exist until the runner creates them, so no Role can be
 * bound in them beforehand, and PVs and VolumeSnapshotContents are cluster-scoped objects. Where RBAC can
 * name the object (get/delete of a namespace) it does; every write it cannot bound, the drill's
 * ValidatingAdmissionPolicy (lib/drill/drill-policy.ts) refuses outside the scratch namespaces.
 */
export function drillClusterRules(scratchNamespaces: readonly string[]): ExplainedRule[] {
  return [
    {
      apiGroups: [''],
      resources: ['namespaces'],
      verbs: ['create'],
      why: 'create-restore: creates the scratch namespaces, labelled as its own (RBAC cannot name the object of a create; the admission policy allows only the scratch names with that label)',
    },
    {
      apiGroups: [''],
      resources: ['namespaces'],
      resourceNames: [...scratchNamespaces],
      verbs: ['delete', 'get'],
      why: 'preflight (is the scratch namespace free, or left by an earlier run?) and cleanup (deletes it); only the scratch names',
    },
    {
      apiGroups: [''],
      resources: ['persistentvolumeclaims'],
      verbs: ['list'],
      why: 'verify-pvc-bound: lists the restored PVCs of each scratch namespace (read-only; the namespaces do not exist before the run, so no Role can hold it)',
    },
    {
      apiGroups: [''],
      resources: ['pods'],
      verbs: ['create', 'delete', 'get'],
      why: 'verify-pvc-bound/verify-read: one verify pod per restored PVC (its first consumer), polled, deleted at cleanup; the admission policy allows only the verify-pod shape in the scratch namespaces',
    },
    {
      apiGroups: [''],
      resources: ['persistentvolumes'],
      verbs: ['get', 'patch'],
      why: 'cleanup: a PV provisioned for a scratch PVC with reclaimPolicy Retain is set to Delete, or every drill would leave a full copy of the data on the storage; the admission policy allows only PVs bound in a scratch namespace, only that change',
    },
    {
      apiGroups: ['snapshot.storage.k8s.io'],
      resources: ['volumesnapshotcontents'],
      verbs: ['delete', 'list'],
      why: "cleanup: Velero restores VolumeSnapshotContents cluster-scoped with deletionPolicy Retain, which deleting the namespace leaves behind; listed by the Restore's label, deleted only when Retain (the admission policy: only contents of a scratch namespace)",
    },
  ];
}

/**
 * A monthly, automatic proof that the backups of one schedule restore: a CronJob in the Velero
 * namespace runs the drill runner (drill/runner.ts, bundled into a ConfigMap at synth) in a pinned Node.js
 * image. It restores the newest Completed backup of the schedule into scratch namespaces, checks that every
 * restored PVC binds and that the declared files read back, deletes what it created (also after a failure),
 * and exits non-zero naming the failed step. `alertRules` joins BackupAlerts' `additionalRules`:
 * `VeleroRestoreDrillFailed` and `VeleroRestoreDrillStale`, on kube-state-metrics' Job and CronJob series.
 */
export class RestoreDrill extends Construct {
  /** Name of the CronJob, ServiceAccount and Role. */
  public readonly name: string;
  public readonly namespace: string;
  public readonly cron: string;
  /** Longest interval between two drills (from the cron). */
  public readonly cadence: Duration;
  public readonly namespaceMapping: Readonly<Record<string, string>>;
  public readonly includedResources: readonly string[];
  public readonly verify: readonly RestoreDrillVerify[];
  public readonly image: string;
  /** The Job's activeDeadlineSeconds: every wait of the runner plus a margin. */
  public readonly activeDeadlineSeconds: number;
  /** `VeleroRestoreDrillStale` fires when the last successful drill is older than this. */
  public readonly staleAfter: Duration;
  /** The drill's config, exactly as the runner reads it from the CronJob's environment. */
  public readonly config: DrillConfig;
  /** Name of the ClusterRole (and its binding), and prefix of the ValidatingAdmissionPolicies (`<it>-<resource>`). */
  public readonly clusterRoleName: string;
  /** Every rule the drill's ServiceAccount holds, with its reason, and the admission policy's bounds. */
  public readonly permissions: ServiceAccountPermissions;
  /** The input of the drill's ValidatingAdmissionPolicy (lib/drill/drill-policy.ts). */
  public readonly policyInput: DrillPolicyInput;
  /** The two alerts and their promtool cases, for `BackupAlerts`' `additionalRules`. */
  public readonly alertRules: AdditionalAlertRules;

  private readonly schedule: BackupSchedule;
  private readonly release: IVeleroRelease;

  constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    super(scope, id);
    checkDrillProps(props);
    const { release, schedule } = props;
    this.release = release;
    this.schedule = schedule;
    this.name = props.name ?? `restore-drill-${schedule.name}`;
    const subject = `restore drill '${this.name}'`;
    this.checkNameAndRelease(subject);
    this.namespace = release.namespace;

    // ---- what is restored
    const namespaces = this.restoredNamespaces(subject, props);
    const mapping = drillNamespaceMapping(subject, namespaces, props.namespaceMapping);
    this.namespaceMapping = mapping;
    this.includedResources = props.includedResources
      ? [...props.includedResources]
      : this.defaultIncludedResources(subject, namespaces);
    this.verify = [...(props.verify ?? [])];

    // ---- when and how long
    this.cron = props.cron ?? DEFAULT_CRON;
    this.cadence = this.checkCron(subject, this.cron);
    const timeouts = drillTimeouts(subject, props);
    this.activeDeadlineSeconds = this.deadlineOf(subject, timeouts);
    const resources = props.resources ?? DEFAULT_RESOURCES;
    checkResources(subject, resources);

    this.image = `${DRILL_NODE_IMAGE}:${DRILL_NODE_VERSION}`;
    this.config = this.drillConfig(subject, mapping, timeouts, props);

    const slack = seconds(scheduleThresholds(this.cadence).slack);
    this.staleAfter = Duration.seconds(seconds(this.cadence) + this.activeDeadlineSeconds + slack);
    this.clusterRoleName = `${this.namespace}-${this.name}`;

    const labels = {
      ...recommendedLabels('velero', release.version),
      'app.kubernetes.io/component': 'restore-drill',
    };
    this.policyInput = {
      drillName: this.name,
      veleroNamespace: this.namespace,
      namespaceMapping: mapping,
      verifyImage: this.image,
      policyName: this.clusterRoleName,
      // the one resource modifier its Restore names (the runner sets it from DRILL_RESOURCE_MODIFIER)
      ...(this.config.resourceModifier ? { resourceModifier: this.config.resourceModifier } : {}),
    };
    this.permissions = this.drillPermissions(mapping);
    this.renderRbac(labels);
    this.renderAdmissionPolicy(labels);
    this.renderCronJob(labels, resources, props.suspend ?? false);
    this.alertRules = this.drillAlerts();
  }

  private checkNameAndRelease(subject: string): void {
    const { release, schedule } = this;
    if (!isDnsLabel(this.name, CRONJOB_NAME_MAX)) {
      throw new Error(
        `${subject}: name must be a DNS-1123 label of at most ${CRONJOB_NAME_MAX} characters (a CronJob's Jobs append 11), got ${this.name.length}; set a shorter name`,
      );
    }
    if (schedule.release !== release) {
      throw new Error(
        `${subject}: schedule '${schedule.name}' belongs to another VeleroRelease; pass the release of the schedule`,
      );
    }
  }

  /** The namespaces the drill restores: named, each backed up by the schedule. */
  private restoredNamespaces(subject: string, props: RestoreDrillProps): string[] {
    const { schedule } = props;
    const namespaces = [...(props.namespaces ?? schedule.includedNamespaces)];
    // a glob (`app-*`) names no namespace to restore either
    if (namespaces.some((n) => n === '*' || looksLikeGlob(n))) {
      throw new Error(
        props.namespaces
          ? `${subject}: namespaces must be named, '*' is not allowed`
          : `${subject}: schedule '${schedule.name}' includes ${namespaces.includes('*') ? "every namespace ('*')" : `namespaces by glob (${namespaces.filter(looksLikeGlob).join(', ')})`}; name the namespaces to restore with 'namespaces'${namespaces.includes('*') ? '' : ' (docs/pitfalls.md#namespace-globs)'}`,
      );
    }
    if (namespaces.length === 0) throw new Error(`${subject}: no namespace to restore; set 'namespaces'`);
    for (const ns of namespaces) {
      if (!schedule.includesNamespace(ns)) {
        throw new Error(
          `${subject}: namespace '${ns}' is not backed up by schedule '${schedule.name}' (it includes ${schedule.includedNamespaces.join(', ')}${schedule.excludedNamespaces.length ? `, excludes ${schedule.excludedNamespaces.join(', ')}` : ''})`,
        );
      }
    }
    return namespaces;
  }

  /** The Job's activeDeadlineSeconds, checked to end before the next run starts. */
  private deadlineOf(subject: string, timeouts: DrillTimeouts): number {
    const { restoreTimeout, pvcBoundTimeout, verifyTimeout } = timeouts;
    const activeDeadlineSeconds =
      restoreTimeout +
      pvcBoundTimeout +
      verifyTimeout +
      DEFAULT_TIMEOUTS.namespaceDeleteTimeoutSeconds +
      RUNNER_MARGIN_SECONDS;
    if (activeDeadlineSeconds >= seconds(this.cadence)) {
      throw new Error(
        `${subject}: a run may take ${promDuration(activeDeadlineSeconds)}, longer than the ${promDuration(seconds(this.cadence))} between runs of '${this.cron}'; run it less often or shorten the timeouts`,
      );
    }
    return activeDeadlineSeconds;
  }

  /** The drill's config as the runner reads it, checked by the runner's own checks. */
  private drillConfig(
    subject: string,
    mapping: Record<string, string>,
    timeouts: DrillTimeouts,
    props: RestoreDrillProps,
  ): DrillConfig {
    const { restoreTimeout, pvcBoundTimeout, verifyTimeout } = timeouts;
    const config: DrillConfig = {
      drillName: this.name,
      veleroNamespace: this.namespace,
      schedule: this.schedule.name,
      namespaceMapping: mapping,
      includedResources: this.includedResources,
      verify: this.verify.map((v): VerifyTarget => ({ ...v })),
      verifyImage: this.image,
      restoreTimeoutSeconds: restoreTimeout,
      pvcBoundTimeoutSeconds: pvcBoundTimeout,
      verifyTimeoutSeconds: verifyTimeout,
      namespaceDeleteTimeoutSeconds: DEFAULT_TIMEOUTS.namespaceDeleteTimeoutSeconds,
      pollIntervalSeconds: DEFAULT_TIMEOUTS.pollIntervalSeconds,
      ...(props.trackingModifiers ? { resourceModifier: props.trackingModifiers.name } : {}),
    };
    // the runner's own checks, at synth: a bad drill fails now, not at 05:00 on the 1st
    const problems = validateDrillConfig(config);
    if (problems.length) throw new Error(`${subject}: ${problems.join('; ')}`);
    return config;
  }

  /** Every rule the drill's ServiceAccount holds, with its reason, and the admission policy's bounds. */
  private drillPermissions(mapping: Record<string, string>): ServiceAccountPermissions {
    const schedule = this.schedule;
    return {
      namespace: this.namespace,
      serviceAccount: this.name,
      purpose: `The restore drill's CronJob (${this.cron} UTC): restores the newest Completed backup of schedule '${schedule.name}' into ${Object.values(mapping).join(', ')}, verifies it and deletes what it created.`,
      grants: [
        {
          kind: 'Role',
          name: this.name,
          namespace: this.namespace,
          binding: { kind: 'RoleBinding', name: this.name },
          rendered: true,
          rules: DRILL_VELERO_NAMESPACE_RULES,
        },
        {
          kind: 'ClusterRole',
          name: this.clusterRoleName,
          binding: { kind: 'ClusterRoleBinding', name: this.clusterRoleName },
          rendered: true,
          rules: drillClusterRules(this.scratchNamespaces),
        },
      ],
      admission: {
        policies: drillPolicies(this.policyInput).map((p) => p.name),
        rules: drillPolicyValidations(this.policyInput).map((v) => v.message),
      },
    };
  }

  /** `VeleroRestoreDrillFailed` and `VeleroRestoreDrillStale`, their expressions checked against the release's metrics. */
  private drillAlerts(): AdditionalAlertRules {
    const alertRules = restoreDrillAlerts({
      namespace: this.namespace,
      name: this.name,
      schedule: this.schedule.name,
      cron: this.cron,
      cadence: this.cadence,
      staleAfter: this.staleAfter,
      activeDeadlineSeconds: this.activeDeadlineSeconds,
    });
    const catalog = metricsFor(this.release.version);
    for (const rule of alertRules.rules) {
      checkAlertExpression(rule.alert, rule.expr, { catalog, scrapedSources: ['kube-state-metrics', 'prometheus'] });
    }
    return alertRules;
  }

  /**
   * The scratch namespaces the drill creates and deletes. Their PVCs exist only while a drill runs; pass
   * them to BackupAlerts' `unprotectedNamespaces` so the coverage alert does not count them.
   */
  public get scratchNamespaces(): readonly string[] {
    return Object.values(this.namespaceMapping);
  }

  /** Env of the runner container: every field of `config` under its ENV name. */
  public get env(): { name: string; value: string }[] {
    const c = this.config;
    return [
      { name: ENV.veleroNamespace, value: c.veleroNamespace },
      { name: ENV.drillName, value: c.drillName },
      { name: ENV.schedule, value: c.schedule },
      { name: ENV.namespaceMapping, value: formatNamespaceMapping(c.namespaceMapping) },
      { name: ENV.includedResources, value: c.includedResources.join(',') },
      { name: ENV.verify, value: JSON.stringify(c.verify) },
      { name: ENV.verifyImage, value: c.verifyImage },
      { name: ENV.restoreTimeoutSeconds, value: String(c.restoreTimeoutSeconds) },
      { name: ENV.pvcBoundTimeoutSeconds, value: String(c.pvcBoundTimeoutSeconds) },
      { name: ENV.verifyTimeoutSeconds, value: String(c.verifyTimeoutSeconds) },
      { name: ENV.namespaceDeleteTimeoutSeconds, value: String(c.namespaceDeleteTimeoutSeconds) },
      { name: ENV.pollIntervalSeconds, value: String(c.pollIntervalSeconds) },
      ...(c.resourceModifier ? [{ name: ENV.resourceModifier, value: c.resourceModifier }] : []),
    ];
  }

  private defaultIncludedResources(subject: string, namespaces: readonly string[]): string[] {
    const s = this.schedule;
    const unprotected = namespaces.filter((ns) => !s.protectsVolumesIn(ns));
    if (unprotected.length) {
      throw new Error(
        `${subject}: schedule '${s.name}' backs up no volume data of ${unprotected.map((n) => `'${n}'`).join(', ')}; a drill of volumes there proves nothing: leave them out of 'namespaces', or set 'includedResources' for a resources-only drill`,
      );
    }
    // Velero filters even the additional items a restore action returns by includedResources
    // (pkg/restore restoreItem), so the CSI kinds must be listed for the PVC to find its VolumeSnapshot.
    // A pod volume that file-system backup takes is never snapshotted (velero-io/velero@v1.16.2
    // internal/volumehelper/volume_policy_helper.go ShouldPerformSnapshot), so its PVC would come back empty
    if (!s.defaultVolumesToFsBackup) {
      if (s.snapshotMoveData) return ['persistentvolumeclaims', ...DATA_MOVER_RESOURCES];
      if (s.snapshotVolumes && this.release.csiEnabled) return ['persistentvolumeclaims', ...CSI_KINDS];
    }
    // file-system backup restores data through the restored pods (PodVolumeRestore), i.e. the workloads start
    throw new Error(
      `${subject}: schedule '${s.name}' keeps volume data by file-system backup, which Velero restores only through the restored pods (the workloads would start in the scratch namespaces); set 'includedResources' explicitly (e.g. persistentvolumeclaims, pods) if that is what you want (docs/pitfalls.md#drill-fs-backup)`,
    );
  }

  private checkCron(subject: string, cron: string): Duration {
    // Kubernetes CronJobs take a time zone only in spec.timeZone, and the drill's is Etc/UTC
    if (/^(CRON_TZ|TZ)=/.test(cron)) {
      throw new Error(
        `${subject}: cron '${cron}' has a time zone prefix, which a Kubernetes CronJob rejects; write it in UTC, e.g. '${DEFAULT_CRON}'`,
      );
    }
    if (cron.startsWith('@every')) {
      throw new Error(
        `${subject}: cron '${cron}' uses @every, which a Kubernetes CronJob does not run reliably; use 5 fields, e.g. '${DEFAULT_CRON}'`,
      );
    }
    try {
      return parseCron(cron).cadence();
    } catch (e) {
      throw new Error(`${subject}: cron '${cron}': ${(e as Error).message}`, { cause: e });
    }
  }

  private renderRbac(labels: Record<string, string>): void {
    const subjects = [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }];
    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      automountServiceAccountToken: false,
    });
    new KubeRole(this, 'Role', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      rules: DRILL_VELERO_NAMESPACE_RULES.map(toPolicyRule),
    });
    new KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects,
    });
    new KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: this.clusterRoleName, labels },
      rules: drillClusterRules(this.scratchNamespaces).map(toPolicyRule),
    });
    new KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: this.clusterRoleName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.clusterRoleName },
      subjects,
    });
  }

  /**
   * The API server's bound on the drill's ServiceAccount (lib/drill/drill-policy.ts), one policy per kind it
   * writes: its writes outside its scratch namespaces are refused, whatever the runner does. Needs Kubernetes 1.30 (admissionregistration.k8s.io/v1).
   */
  private renderAdmissionPolicy(labels: Record<string, string>): void {
    // like the custom resources next to it: on a cluster without the v1 kinds (before 1.30) the sync fails at
    // these two objects with the API server's answer, instead of failing the whole dry run
    const annotations = { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' };
    for (const policy of drillPolicies(this.policyInput)) {
      new KubeValidatingAdmissionPolicy(this, `AdmissionPolicy-${policy.resource}`, {
        metadata: { name: policy.name, labels, annotations },
        spec: policy.spec,
      });
      new KubeValidatingAdmissionPolicyBinding(this, `AdmissionPolicyBinding-${policy.resource}`, {
        metadata: { name: policy.name, labels, annotations },
        spec: policy.bindingSpec,
      });
    }
  }

  private renderCronJob(labels: Record<string, string>, resources: ComputeResources, suspend: boolean): void {
    const configMap = `${this.name}-runner`;
    new KubeConfigMap(this, 'Runner', {
      metadata: { name: configMap, namespace: this.namespace, labels },
      data: { 'runner.js': bundleDrillRunner() },
    });
    new KubeCronJob(this, 'CronJob', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        schedule: this.cron,
        timeZone: 'Etc/UTC',
        // one drill at a time: two would fight over the same scratch namespaces
        concurrencyPolicy: 'Forbid',
        // a controller outage of up to 6h at the scheduled minute still runs this month's drill
        startingDeadlineSeconds: 6 * HOUR,
        suspend,
        successfulJobsHistoryLimit: 3,
        // also what VeleroRestoreDrillFailed reads: the newest failed Job must still exist
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            // a failed drill is reported, not retried: a retry would hide the failure behind a second restore
            backoffLimit: 0,
            activeDeadlineSeconds: this.activeDeadlineSeconds,
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: this.name,
                automountServiceAccountToken: true,
                restartPolicy: 'Never',
                // on SIGTERM the runner stops waiting and cleans up; give it the time
                terminationGracePeriodSeconds: 120,
                enableServiceLinks: false,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: NODE_USER,
                  runAsGroup: NODE_USER,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                containers: [
                  {
                    name: 'drill',
                    image: this.image,
                    imagePullPolicy: 'IfNotPresent',
                    command: ['node', '/drill/runner.js'],
                    env: this.env,
                    resources: toK8sResources(resources),
                    securityContext: restrictedSecurityContext(NODE_USER),
                    volumeMounts: [{ name: 'runner', mountPath: '/drill', readOnly: true }],
                    terminationMessagePolicy: 'FallbackToLogsOnError',
                  },
                ],
                volumes: [{ name: 'runner', configMap: { name: configMap, defaultMode: 0o444 } }],
              },
            },
          },
        },
      },
    });
  }
}

/** The drill's waits, in seconds. */
interface DrillTimeouts {
  restoreTimeout: number;
  pvcBoundTimeout: number;
  verifyTimeout: number;
}

/** Checks the JS types of the props (a config that was never type-checked). */
function checkDrillProps(props: RestoreDrillProps): void {
  const early = typeof props?.name === 'string' ? `restore drill '${props.name}'` : 'restore drill';
  checkProps(early, props, {
    release: 'object',
    namespaces: 'string[]?',
    namespaceMapping: 'record?',
    includedResources: 'string[]?',
    verify: 'object[]?',
    cron: 'string?',
    restoreTimeout: 'Duration?',
    pvcBoundTimeout: 'Duration?',
    verifyTimeout: 'Duration?',
    resources: 'object?',
    name: 'string?',
    suspend: 'boolean?',
    trackingModifiers: 'object?',
  });
  checkConstruct(early, 'schedule', props.schedule, 'a BackupSchedule of the release (a schedule that exists)', [
    'name',
    'release',
    'includedNamespaces',
  ]);
}

/** Where each restored namespace goes: `drill-<ns>` unless mapped; a mapping names only restored namespaces. */
function drillNamespaceMapping(
  subject: string,
  namespaces: readonly string[],
  namespaceMapping: RestoreDrillProps['namespaceMapping'],
): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const ns of namespaces) mapping[ns] = namespaceMapping?.[ns] ?? `drill-${ns}`;
  for (const from of Object.keys(namespaceMapping ?? {})) {
    if (!namespaces.includes(from)) {
      throw new Error(
        `${subject}: namespaceMapping names '${from}', which the drill does not restore (restored: ${namespaces.join(', ')})`,
      );
    }
  }
  return mapping;
}

/** The drill's waits, each at least a minute. */
function drillTimeouts(subject: string, props: RestoreDrillProps): DrillTimeouts {
  const restoreTimeout = seconds(props.restoreTimeout ?? Duration.seconds(DEFAULT_TIMEOUTS.restoreTimeoutSeconds));
  const pvcBoundTimeout = seconds(props.pvcBoundTimeout ?? Duration.seconds(DEFAULT_TIMEOUTS.pvcBoundTimeoutSeconds));
  const verifyTimeout = seconds(props.verifyTimeout ?? Duration.seconds(DEFAULT_TIMEOUTS.verifyTimeoutSeconds));
  for (const [field, value] of [
    ['restoreTimeout', restoreTimeout],
    ['pvcBoundTimeout', pvcBoundTimeout],
    ['verifyTimeout', verifyTimeout],
  ] as const) {
    if (value < 60) throw new Error(`${subject}: ${field} must be at least 1m, got ${value}s`);
  }
  return { restoreTimeout, pvcBoundTimeout, verifyTimeout };
}
