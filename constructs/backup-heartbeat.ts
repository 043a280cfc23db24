import { Construct } from 'constructs';
import {
  KubeConfigMap,
  KubeCronJob,
  KubeRole,
  KubeRoleBinding,
  KubeServiceAccount,
} from 'cdk8s-plus-30/lib/imports/k8s';
import { HEARTBEAT_ENV, type HeartbeatConfig } from '../heartbeat/config';
import { bundleEntry } from '../lib/drill/drill-bundle';
import { recommendedLabels } from '../lib/kube/labels';
import { isDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import { toPolicyRule, type ExplainedRule, type ServiceAccountPermissions } from '../lib/kube/permissions';
import { restrictedSecurityContext, toK8sResources } from '../lib/kube/resources';
import { parseCron } from '../lib/schedule/cron';
import { DRILL_NODE_IMAGE, DRILL_NODE_VERSION } from '../lib/versions/versions';
import type { ScheduleThresholds } from '../lib/alerts/thresholds';
import type { IVeleroRelease } from './velero-release';
import type { HeartbeatConfig as HeartbeatFields } from '../lib/config/types';

/** The esbuild options of the heartbeat runner bundle, relative to the repository root. */
export const HEARTBEAT_BUILD_OPTIONS = 'heartbeat/build.json';
/** uid/gid of the `node` user in the official Node.js images. */
const NODE_USER = 1000;

/**
 * The heartbeat's props: the config's `HeartbeatConfig` (each field documented, with its default, once in
 * lib/config/types.ts) plus what the stack wires in.
 */
export interface BackupHeartbeatProps extends HeartbeatFields {
  readonly release: IVeleroRelease;
  /** Thresholds per schedule (BackupAlerts' `thresholds`): a schedule is fresh within its `delayed`. */
  readonly thresholds: Readonly<Record<string, ScheduleThresholds>>;
  /** Name of the CronJob, ServiceAccount, Role and ConfigMap. @default 'velero-heartbeat' */
  readonly name?: string;
}

/**
 * A heartbeat from outside the cluster's alerting: a CronJob in Velero's namespace that checks every
 * schedule's newest Completed backup is within its `VeleroBackupDelayed` threshold and then requests a URL
 * kept in a Secret (heartbeat/runner.ts, bundled into a ConfigMap at synth). When the cluster, Prometheus or
 * Alertmanager is down, no alert fires; the service behind the URL notices the missing ping. Its
 * ServiceAccount can only list Backups in Velero's namespace.
 */
export class BackupHeartbeat extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly cron: string;
  /** The runner's config, as the CronJob passes it. */
  public readonly config: HeartbeatConfig;
  /** What the ServiceAccount may do, and why (docs/permissions.md). */
  public readonly permissions: ServiceAccountPermissions;

  constructor(scope: Construct, id: string, props: BackupHeartbeatProps) {
    super(scope, id);
    this.name = props.name ?? 'velero-heartbeat';
    this.namespace = props.release.namespace;
    this.cron = props.cron ?? '*/15 * * * *';
    const fail = (m: string): never => {
      throw new Error(`heartbeat: ${m} (docs/pitfalls.md#heartbeat)`);
    };
    if (!isDnsLabel(this.name) || this.name.length > 52)
      fail(`name '${this.name}' must be a DNS label of at most 52 characters (a CronJob name)`);
    if (!isDnsSubdomain(props.secretName))
      fail(`secretName '${props.secretName}' is not a Secret name; use e.g. 'velero-heartbeat'`);
    const cron = parseCron(this.cron);
    if (!cron.fields || cron.timeZone || cron.every)
      fail(`cron '${this.cron}' must be 5 cron fields in UTC, e.g. '*/15 * * * *'`);
    const schedules = Object.entries(props.thresholds).map(([name, t]) => ({
      name,
      maxAgeSeconds: Math.round(t.delayed.toSeconds()),
    }));
    if (!schedules.length) fail('there is no active schedule to check; add a schedule or leave the heartbeat out');
    this.config = { namespace: this.namespace, schedules };

    const labels = { ...recommendedLabels('velero', props.release.version), component: 'heartbeat' };
    const meta = { name: this.name, namespace: this.namespace, labels };
    this.permissions = this.heartbeatPermissions();
    this.renderRbac(meta);
    this.renderCronJob(props, meta);
  }

  /** What the ServiceAccount may do, and why. */
  private heartbeatPermissions(): ServiceAccountPermissions {
    return {
      namespace: this.namespace,
      serviceAccount: this.name,
      purpose: 'the heartbeat CronJob: checks the newest Completed backups, then pings the URL in its Secret',
      grants: [
        {
          kind: 'Role',
          name: this.name,
          namespace: this.namespace,
          binding: { kind: 'RoleBinding', name: this.name },
          rendered: true,
          rules: [...HEARTBEAT_RULES],
        },
      ],
    };
  }

  private renderRbac(meta: HeartbeatMeta): void {
    new KubeServiceAccount(this, 'ServiceAccount', { metadata: meta, automountServiceAccountToken: false });
    new KubeRole(this, 'Role', { metadata: meta, rules: HEARTBEAT_RULES.map(toPolicyRule) });
    new KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }],
    });
  }

  /** The runner's ConfigMap and the CronJob that runs it with the URL from the Secret. */
  private renderCronJob(props: BackupHeartbeatProps, meta: HeartbeatMeta): void {
    const { labels } = meta;
    new KubeConfigMap(this, 'Runner', {
      metadata: { ...meta, name: `${this.name}-runner` },
      data: { 'heartbeat.js': bundleEntry(HEARTBEAT_BUILD_OPTIONS) },
    });
    new KubeCronJob(this, 'CronJob', {
      metadata: meta,
      spec: {
        schedule: this.cron,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: 300,
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: this.name,
                automountServiceAccountToken: true,
                restartPolicy: 'Never',
                enableServiceLinks: false,
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name: 'heartbeat',
                    image: `${DRILL_NODE_IMAGE}:${DRILL_NODE_VERSION}`,
                    command: ['node', '/heartbeat/heartbeat.js'],
                    env: [
                      { name: HEARTBEAT_ENV.config, value: JSON.stringify(this.config) },
                      {
                        name: HEARTBEAT_ENV.url,
                        valueFrom: { secretKeyRef: { name: props.secretName, key: props.secretKey ?? 'url' } },
                      },
                    ],
                    securityContext: restrictedSecurityContext(NODE_USER),
                    resources: toK8sResources({
                      requests: { cpu: '10m', memory: '64Mi' },
                      limits: { cpu: '200m', memory: '64Mi' },
                    }),
                    volumeMounts: [{ name: 'runner', mountPath: '/heartbeat', readOnly: true }],
                  },
                ],
                volumes: [{ name: 'runner', configMap: { name: `${this.name}-runner` } }],
              },
            },
          },
        },
      },
    });
  }
}

/** Name, namespace and labels of every object of the heartbeat. */
interface HeartbeatMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

/** The heartbeat ServiceAccount's one rule, with its reason. */
const HEARTBEAT_RULES: readonly ExplainedRule[] = [
  {
    apiGroups: ['velero.io'],
    resources: ['backups'],
    verbs: ['list'],
    why: "the runner lists the schedules' Backups to find each newest Completed one",
  },
];
