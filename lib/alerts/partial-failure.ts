/** `VeleroPartialBackupFailure`: a scheduled backup ended PartiallyFailed. */
import { type AlertContext, type ProvenRule, veleroCli, firstSteps } from './rule-kit';
import { counterRule } from './backup-failed';

export function partialFailureRule(ctx: AlertContext, scheduleNames: readonly string[]): ProvenRule {
  return counterRule(
    ctx,
    'VeleroPartialBackupFailure',
    'velero_backup_partial_failure_total',
    'warning',
    "Velero backup of schedule '{{ $labels.schedule }}' partially failed",
    [
      "A backup created by Schedule '{{ $labels.schedule }}' ended PartiallyFailed in the last hour (velero_backup_partial_failure_total): some items or volumes are missing from it, e.g. a CSI snapshot that was not ready within csiSnapshotTimeout.",
      firstSteps([
        veleroCli(ctx, 'backup get --selector velero.io/schedule-name={{ $labels.schedule }}'),
        veleroCli(ctx, 'backup describe <backup> --details'),
        veleroCli(ctx, 'backup logs <backup> | grep -iE "error|warn"'),
        'kubectl get volumesnapshots -A',
      ]),
    ].join('\n'),
    scheduleNames,
  );
}
