/** `VeleroBackupStorageLocationUnavailable`: the status gauge (v1.17+) or its substitute on validation failures. */
import type { AlertRule } from './promtool';
import {
  HOUR,
  EVENT_WINDOW,
  type AlertContext,
  type ProvenRule,
  sel,
  veleroCli,
  firstSteps,
  serverLogs,
  labels,
} from './rule-kit';
import { constant, change, blip, series, casesFor, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';
import { metricsFor } from './metrics-catalog';
/** `for:` of the v1.17+ storage-location alert: the BSL is re-validated every minute by default. */
const BSL_GAUGE_FOR = 15 * 60;

/** Whether a Velero version exports `velero_backup_location_status_gauge` (v1.17.0 and later). */
export function hasStorageLocationGauge(version: string): boolean {
  return metricsFor(version).resolve('velero_backup_location_status_gauge').status === 'ok';
}

/**
 * `VeleroBackupStorageLocationUnavailable`. v1.17+: on `velero_backup_location_status_gauge`. Earlier
 * versions have no storage-location metric at all (velero-upstream-facts.md §1b): there the alert watches
 * scheduled backups that failed validation, which is what a backup started against an Unavailable
 * location ends as. Scheduled backups' specs are checked at synth, so their validation failures point at
 * the location.
 */
export function storageLocationRule(ctx: AlertContext, scheduleNames: readonly string[]): ProvenRule {
  const alert = 'VeleroBackupStorageLocationUnavailable';
  const steps = firstSteps([
    veleroCli(ctx, 'backup-location get'),
    `kubectl -n ${ctx.namespace} get backupstoragelocations -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,MESSAGE:.status.message`,
    serverLogs(ctx, 'backup-location'),
  ]);
  if (hasStorageLocationGauge(ctx.version)) {
    const rule: AlertRule = {
      alert,
      expr: `max by (namespace, backup_location_name) (velero_backup_location_status_gauge{${sel(ctx)}}) == 0`,
      for: promDuration(BSL_GAUGE_FOR),
      labels: labels(ctx, 'critical'),
      annotations: {
        summary: "Backup storage location '{{ $labels.backup_location_name }}' is unavailable",
        description: [
          `Velero has reported BackupStorageLocation '{{ $labels.backup_location_name }}' Unavailable for ${promDuration(BSL_GAUGE_FOR)} (velero_backup_location_status_gauge == 0): backups to it fail validation until it is reachable again.`,
          steps,
        ].join('\n'),
      },
    };
    const l = { job: ctx.job, namespace: ctx.namespace, backup_location_name: 'default' };
    const firing = [{ namespace: ctx.namespace, backup_location_name: 'default' }];
    const tests = [
      caseOf(`${alert} (status gauge): unavailable for 30m fires`, rule, HOUR, (step) => ({
        series: [{ series: series('velero_backup_location_status_gauge', l), values: change(1, 0, 20 * 60, step) }],
        evalAt: 50 * 60,
        firing,
      })),
      caseOf(`${alert} (status gauge): unavailable for 5m stays silent`, rule, HOUR, (step) => ({
        series: [
          { series: series('velero_backup_location_status_gauge', l), values: blip(1, 0, 20 * 60, 5 * 60, step) },
        ],
        evalAt: 50 * 60,
        firing: [],
      })),
    ];
    return { rule, tests };
  }
  const rule: AlertRule = {
    alert,
    expr: `sum by (namespace) (increase(velero_backup_validation_failure_total{${sel(ctx, 'schedule!=""')}}[${promDuration(EVENT_WINDOW)}])) > 0`,
    labels: labels(ctx, 'critical'),
    annotations: {
      summary: 'Scheduled Velero backups failed validation: the backup storage location is probably unavailable',
      description: [
        `Substitute alert: Velero ${ctx.version} exports no storage-location metric (velero_backup_location_status_gauge exists from v1.17.0). This alert watches scheduled backups that ended FailedValidation in the last hour (velero_backup_validation_failure_total), which is how a backup started against an Unavailable BackupStorageLocation ends. It fires only when a backup runs, and other validation errors trigger it too.`,
        steps,
      ].join('\n'),
    },
  };
  const l = (s: string) => ({ job: ctx.job, namespace: ctx.namespace, schedule: s });
  const tests = casesFor(scheduleNames).flatMap((s) => [
    caseOf(`${alert} ${s}: a scheduled backup failing validation fires`, rule, 2 * HOUR, (step) => ({
      series: [{ series: series('velero_backup_validation_failure_total', l(s)), values: change(0, 1, 30 * 60, step) }],
      evalAt: 40 * 60,
      firing: [{ namespace: ctx.namespace }],
    })),
    caseOf(`${alert} ${s}: no new validation failure stays silent`, rule, 3 * HOUR, (step) => ({
      series: [{ series: series('velero_backup_validation_failure_total', l(s)), values: constant(1, step) }],
      evalAt: 3 * HOUR,
      firing: [],
    })),
  ]);
  return { rule, tests };
}
