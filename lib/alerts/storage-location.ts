/**
 * `VeleroBackupStorageLocationUnavailable` on Velero's status gauge (v1.17+). Earlier lines have no
 * storage-location metric; their alert reads the BSL's `.status.phase` through kube-state-metrics
 * (storage-location-status.ts).
 */
import type { AlertRule } from './promtool';
import { HOUR, type AlertContext, type ProvenRule, sel, veleroCli, firstSteps, serverLogs, labels } from './rule-kit';
import { change, blip, series, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';
import { exportsStorageLocationGauge } from './storage-location-status';
/** `for:` of the v1.17+ storage-location alert: the BSL is re-validated every minute by default. */
const BSL_GAUGE_FOR = 15 * 60;

/** `VeleroBackupStorageLocationUnavailable` on `velero_backup_location_status_gauge` (v1.17.0 and later). */
export function storageLocationRule(ctx: AlertContext): ProvenRule {
  if (!exportsStorageLocationGauge(ctx.version)) {
    throw new Error(
      `alerts: Velero ${ctx.version} exports no velero_backup_location_status_gauge (v1.17.0+); use the kube-state-metrics phase rules (docs/pitfalls.md#missing-metrics)`,
    );
  }
  const alert = 'VeleroBackupStorageLocationUnavailable';
  const steps = firstSteps([
    veleroCli(ctx, 'backup-location get'),
    `kubectl -n ${ctx.namespace} get backupstoragelocations -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,MESSAGE:.status.message`,
    serverLogs(ctx, 'backup-location'),
  ]);
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
      series: [{ series: series('velero_backup_location_status_gauge', l), values: blip(1, 0, 20 * 60, 5 * 60, step) }],
      evalAt: 50 * 60,
      firing: [],
    })),
  ];
  return { rule, tests };
}
