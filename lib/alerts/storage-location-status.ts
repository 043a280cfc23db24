/**
 * Where a BackupStorageLocation's availability is visible, per Velero line (docs/upstream-facts.md#metrics):
 *
 * - v1.17+: Velero's own `velero_backup_location_status_gauge` (constructs/backup-alerts.ts `storageLocationRule`).
 * - v1.15 and v1.16 export no storage-location metric, and an Unavailable location does not move
 *   `velero_backup_validation_failure_total` before v1.17 (the check in `prepareBackupRequest`,
 *   pkg/controller/backup_controller.go, arrived with velero#8976). The one place the state is visible is the
 *   BSL's `.status.phase` (`Available` / `Unavailable`, written by the BSL controller every
 *   `--store-validation-frequency`). kube-state-metrics' custom-resource-state turns it into a metric:
 *   this module renders that config (a ConfigMap for kube-prometheus-stack's kube-state-metrics to mount) and
 *   the RBAC kube-state-metrics needs to list and watch BackupStorageLocations (and CRDs, which the
 *   custom-resource-state docs require), and the alerts on the resulting metric.
 *
 * Metric naming (kubernetes/kube-state-metrics@v2.19.1:docs/metrics/extend/customresourcestate-metrics.md, "Naming" and
 * "StateSet"): `<metricNamePrefix>_<metric name>`, a StateSet emits one series per listed value with label
 * `<labelName>`, 1 for the current one; a resource whose `path` does not resolve (no status yet) gets no series.
 * Labels `customresource_group`, `customresource_version` and `customresource_kind` are added.
 */
import { stringify } from 'yaml';
import { BSL_PHASE_METRIC, metricsFor } from './metrics-catalog';
import type { AlertRule, AlertTestCase } from './promtool';
import {
  blipAt,
  changeAt,
  firstSteps,
  seriesOf,
  steady,
  STEP_SECONDS,
  veleroCli,
  type LineAlertContext,
  type ProvenLineRule,
} from './line-alert-helpers';

/** Whether the line exports `velero_backup_location_status_gauge` (v1.17.0 and later). */
export function exportsStorageLocationGauge(version: string): boolean {
  return metricsFor(version).resolve('velero_backup_location_status_gauge').status === 'ok';
}

/** Where kube-prometheus-stack's kube-state-metrics runs. */
export interface KubeStateMetricsTarget {
  /** Namespace of kube-state-metrics (the ConfigMap goes there: a pod mounts ConfigMaps of its own namespace). @default 'monitoring' */
  readonly namespace?: string;
  /** Its ServiceAccount. @default 'kube-prometheus-stack-kube-state-metrics' (release `kube-prometheus-stack`) */
  readonly serviceAccountName?: string;
}

/** Name of the rendered ConfigMap, its key, and the mount path the kube-prometheus-stack values use. */
export const KSM_CONFIG_MAP = 'velero-kube-state-metrics-config';
export const KSM_CONFIG_KEY = 'velero-backupstoragelocations.yaml';
export const KSM_CONFIG_MOUNT = '/etc/velero-kube-state-metrics';
const PREFIX = BSL_PHASE_METRIC.replace(/_phase$/, '');

/** The kube-state-metrics custom-resource-state config for BSL phases, as YAML. */
export function bslPhaseConfigYaml(): string {
  return stringify({
    kind: 'CustomResourceStateMetrics',
    spec: {
      resources: [
        {
          groupVersionKind: { group: 'velero.io', version: 'v1', kind: 'BackupStorageLocation' },
          metricNamePrefix: PREFIX,
          labelsFromPath: { namespace: ['metadata', 'namespace'], backup_location_name: ['metadata', 'name'] },
          metrics: [
            {
              name: 'phase',
              help: 'BackupStorageLocation .status.phase (1 for the current phase)',
              each: {
                type: 'StateSet',
                stateSet: { labelName: 'phase', path: ['status', 'phase'], list: ['Available', 'Unavailable'] },
              },
            },
          ],
        },
      ],
    },
  });
}

/** The kube-state-metrics chart's values (prometheus-community/kube-state-metrics) that load the rendered config. */
function kubeStateMetricsValues(): Record<string, unknown> {
  return {
    extraArgs: [`--custom-resource-state-config-file=${KSM_CONFIG_MOUNT}/${KSM_CONFIG_KEY}`],
    volumes: [{ name: 'velero-kube-state-metrics-config', configMap: { name: KSM_CONFIG_MAP } }],
    volumeMounts: [{ name: 'velero-kube-state-metrics-config', mountPath: KSM_CONFIG_MOUNT, readOnly: true }],
  };
}

/** The kube-prometheus-stack values that load the rendered config into its kube-state-metrics. */
export function kubePrometheusStackValues(): string {
  return stringify({ 'kube-state-metrics': kubeStateMetricsValues() });
}

/**
 * How the kube-state-metrics the stack's RBAC names loads the config: kube-prometheus-stack's values for its
 * ServiceAccount, else the kube-state-metrics chart's (the same keys at the top level), which also say what a
 * kube-state-metrics of one's own manifests needs (the flag, the volume, the mount).
 */
export function kubeStateMetricsLoading(serviceAccountName = KUBE_PROMETHEUS_STACK_KSM): {
  who: string;
  values: string;
} {
  return serviceAccountName === KUBE_PROMETHEUS_STACK_KSM
    ? { who: 'kube-prometheus-stack loads it with these values', values: kubePrometheusStackValues() }
    : {
        who: `Your kube-state-metrics (ServiceAccount \`${serviceAccountName}\`) loads it with this flag, volume and mount; in the prometheus-community kube-state-metrics chart, these values`,
        values: stringify(kubeStateMetricsValues()),
      };
}

const KUBE_PROMETHEUS_STACK_KSM = 'kube-prometheus-stack-kube-state-metrics';

/** The RBAC rules kube-state-metrics needs for the BSL config. */
export const KSM_BSL_RULES = [
  {
    apiGroups: ['velero.io'],
    resources: ['backupstoragelocations'],
    verbs: ['list', 'watch'],
    why: "kube-state-metrics' custom-resource-state config reads each BackupStorageLocation's .status.phase: the storage-location alert on Velero lines without velero_backup_location_status_gauge",
  },
  {
    apiGroups: ['apiextensions.k8s.io'],
    resources: ['customresourcedefinitions'],
    verbs: ['list', 'watch'],
    why: 'kube-state-metrics discovers the custom resources of its custom-resource-state config through their CRDs',
  },
] as const;

/** `for:` of the phase alert: the BSL controller re-validates every minute by default. */
const PHASE_FOR = 15 * 60;
/** `for:` of the missing-metric alert: long enough for a new location to get its first status. */
const MISSING_FOR = 60 * 60;

function prom(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds / 60}m`;
}

function caseOf(
  name: string,
  rule: AlertRule,
  series: { series: string; values: string }[],
  evalMinute: number,
  firing: Record<string, string>[],
): AlertTestCase {
  return { name, rule, interval: `${STEP_SECONDS / 60}m`, series, evalTime: `${evalMinute}m`, firing };
}

/**
 * `VeleroBackupStorageLocationUnavailable` for v1.15/v1.16 on the kube-state-metrics phase metric, and
 * `VeleroBackupStorageLocationStatusMissing`, which fires when kube-state-metrics exports no phase for the
 * namespace at all (the config not loaded, or RBAC missing): without it the first alert could not fire, and
 * nothing would say so.
 */
export function storageLocationPhaseRules(ctx: LineAlertContext): ProvenLineRule[] {
  return [phaseUnavailableRule(ctx), phaseMissingRule(ctx)];
}

/** The labels of kube-state-metrics' BSL phase series for location 'default' in phase `p`. */
function phaseLabels(namespace: string, p: string): Record<string, string> {
  return {
    namespace,
    backup_location_name: 'default',
    phase: p,
    customresource_group: 'velero.io',
    customresource_version: 'v1',
    customresource_kind: 'BackupStorageLocation',
  };
}

/** `VeleroBackupStorageLocationUnavailable` on the phase metric, with its promtool cases. */
function phaseUnavailableRule(ctx: LineAlertContext): ProvenLineRule {
  const ns = `namespace="${ctx.namespace}"`;
  const steps = firstSteps([
    veleroCli(ctx, 'backup-location get'),
    `kubectl -n ${ctx.namespace} get backupstoragelocations -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,MESSAGE:.status.message`,
    `kubectl -n ${ctx.namespace} logs deploy/velero | grep -i backup-location`,
  ]);
  const unavailable: AlertRule = {
    alert: 'VeleroBackupStorageLocationUnavailable',
    expr: `max by (namespace, backup_location_name) (${BSL_PHASE_METRIC}{${ns}, phase="Unavailable"}) == 1`,
    for: prom(PHASE_FOR),
    labels: { ...ctx.routingLabels, severity: 'critical' },
    annotations: {
      summary: "Backup storage location '{{ $labels.backup_location_name }}' is unavailable",
      description: [
        `BackupStorageLocation '{{ $labels.backup_location_name }}' has reported phase Unavailable for ${prom(PHASE_FOR)} (its .status.phase, exported by kube-state-metrics as ${BSL_PHASE_METRIC}; Velero ${ctx.version} has no storage-location metric of its own): backups to it fail until it is reachable again.`,
        steps,
      ].join('\n'),
    },
  };
  const phase = (p: string) => phaseLabels(ctx.namespace, p);
  const firing = [{ namespace: ctx.namespace, backup_location_name: 'default' }];
  const name = unavailable.alert;
  const unavailableTests = [
    caseOf(
      `${name} (kube-state-metrics phase): unavailable for 30m fires`,
      unavailable,
      [
        { series: seriesOf(BSL_PHASE_METRIC, phase('Unavailable')), values: changeAt(0, 1, 20, 60) },
        { series: seriesOf(BSL_PHASE_METRIC, phase('Available')), values: changeAt(1, 0, 20, 60) },
      ],
      50,
      firing,
    ),
    caseOf(
      `${name} (kube-state-metrics phase): unavailable for 5m stays silent`,
      unavailable,
      [
        { series: seriesOf(BSL_PHASE_METRIC, phase('Unavailable')), values: blipAt(0, 1, 20, 5, 60) },
        { series: seriesOf(BSL_PHASE_METRIC, phase('Available')), values: blipAt(1, 0, 20, 5, 60) },
      ],
      50,
      [],
    ),
    caseOf(
      `${name} (kube-state-metrics phase): available stays silent`,
      unavailable,
      [
        { series: seriesOf(BSL_PHASE_METRIC, phase('Unavailable')), values: steady(0, 60) },
        { series: seriesOf(BSL_PHASE_METRIC, phase('Available')), values: steady(1, 60) },
      ],
      50,
      [],
    ),
  ];
  return { rule: unavailable, tests: unavailableTests };
}

/** `VeleroBackupStorageLocationStatusMissing`: kube-state-metrics exports no phase for the namespace. */
function phaseMissingRule(ctx: LineAlertContext): ProvenLineRule {
  const ns = `namespace="${ctx.namespace}"`;
  const phase = (p: string) => phaseLabels(ctx.namespace, p);
  const missing: AlertRule = {
    alert: 'VeleroBackupStorageLocationStatusMissing',
    expr: `absent(${BSL_PHASE_METRIC}{${ns}})`,
    for: prom(MISSING_FOR),
    labels: { ...ctx.routingLabels, severity: 'warning' },
    annotations: {
      summary: `kube-state-metrics exports no BackupStorageLocation phase for namespace ${ctx.namespace}`,
      description: [
        `No ${BSL_PHASE_METRIC} series for namespace ${ctx.namespace} for ${prom(MISSING_FOR)}: kube-state-metrics has not loaded the custom-resource-state config (ConfigMap ${KSM_CONFIG_MAP} and the kube-prometheus-stack values in the README), lacks the RBAC to list BackupStorageLocations, or no location has a status yet. Until it does, VeleroBackupStorageLocationUnavailable cannot see an unavailable location.`,
        firstSteps([
          `kubectl -n ${ctx.namespace} get backupstoragelocations`,
          'kubectl -n monitoring logs deploy/kube-prometheus-stack-kube-state-metrics | grep -i -E "custom|backupstoragelocation"',
        ]),
      ].join('\n'),
    },
  };
  const missingTests = [
    caseOf(
      `${missing.alert}: no phase series for an hour fires`,
      missing,
      [{ series: seriesOf('up', { job: ctx.job, namespace: ctx.namespace }), values: steady(1, 90) }],
      80,
      [{ namespace: ctx.namespace }],
    ),
    caseOf(
      `${missing.alert}: an exported phase stays silent`,
      missing,
      [{ series: seriesOf(BSL_PHASE_METRIC, phase('Available')), values: steady(1, 90) }],
      80,
      [],
    ),
  ];
  return { rule: missing, tests: missingTests };
}
