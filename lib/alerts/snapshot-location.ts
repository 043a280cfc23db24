/** `VeleroVolumeSnapshotLocationUnavailable`: volume snapshots of a schedule failed (a substitute alert). */
import type { AlertRule } from './promtool';
import {
  HOUR,
  EVENT_WINDOW,
  type AlertContext,
  type ProvenRule,
  sel,
  veleroCli,
  firstSteps,
  labels,
  increaseOfSum,
} from './rule-kit';
import { constant, change, series, casesFor, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';

/**
 * `VeleroVolumeSnapshotLocationUnavailable`: no Velero version has a snapshot-location metric, so this
 * substitute watches volume snapshots failing: CSI snapshots (`velero_csi_snapshot_failure_total`, one
 * series per backup) and snapshotter-plugin snapshots (`velero_volume_snapshot_failure_total`).
 */
export function snapshotLocationRule(
  ctx: AlertContext,
  scheduleNames: readonly string[],
  snapshotControllerNamespace: string,
): ProvenRule {
  const alert = 'VeleroVolumeSnapshotLocationUnavailable';
  const m = 'schedule!=""';
  const rule: AlertRule = {
    alert,
    expr: [
      `${increaseOfSum(ctx, 'velero_csi_snapshot_failure_total', m, EVENT_WINDOW, '1m')} > 0`,
      `sum by (namespace, schedule) (increase(velero_volume_snapshot_failure_total{${sel(ctx, m)}}[${promDuration(EVENT_WINDOW)}])) > 0`,
    ].join(' or '),
    labels: labels(ctx, 'warning'),
    annotations: {
      summary: "Volume snapshots of schedule '{{ $labels.schedule }}' failed",
      description: [
        "Substitute alert: no Velero version exports a snapshot-location metric. This alert watches volume snapshots of Schedule '{{ $labels.schedule }}' that failed in the last hour (velero_csi_snapshot_failure_total for CSI snapshots, velero_volume_snapshot_failure_total for snapshotter plugins): the CSI driver, the snapshot-controller, the VolumeSnapshotClass or the VolumeSnapshotLocation is not working.",
        firstSteps([
          veleroCli(ctx, 'backup describe <backup> --details'),
          'kubectl get volumesnapshots,volumesnapshotcontents -A',
          'kubectl get volumesnapshotclass -l velero.io/csi-volumesnapshot-class=true',
          `kubectl -n ${snapshotControllerNamespace} logs deploy/snapshot-controller`,
        ]),
      ].join('\n'),
    },
  };
  const l = (s: string, extra: Record<string, string> = {}) => ({
    job: ctx.job,
    namespace: ctx.namespace,
    schedule: s,
    ...extra,
  });
  const tests = casesFor(scheduleNames).flatMap((s) => [
    caseOf(`${alert} ${s}: a backup born with CSI snapshot failures fires`, rule, 2 * HOUR, (step) => ({
      series: [
        { series: series('velero_backup_attempt_total', l(s)), values: change(0, 1, 30 * 60, step) },
        {
          series: series('velero_csi_snapshot_failure_total', l(s, { backupName: `${s}-1` })),
          values: change('_', 2, 30 * 60, step),
        },
      ],
      evalAt: 40 * 60,
      firing: [{ namespace: ctx.namespace, schedule: s }],
    })),
    caseOf(`${alert} ${s}: a snapshotter-plugin snapshot failure fires`, rule, 2 * HOUR, (step) => ({
      series: [{ series: series('velero_volume_snapshot_failure_total', l(s)), values: change(0, 1, 30 * 60, step) }],
      evalAt: 40 * 60,
      firing: [{ namespace: ctx.namespace, schedule: s }],
    })),
    caseOf(`${alert} ${s}: backups whose CSI snapshots all succeeded stay silent`, rule, 2 * HOUR, (step) => ({
      series: [
        { series: series('velero_backup_attempt_total', l(s)), values: change(0, 1, 30 * 60, step) },
        {
          series: series('velero_csi_snapshot_failure_total', l(s, { backupName: `${s}-1` })),
          values: change('_', 0, 30 * 60, step),
        },
        { series: series('velero_volume_snapshot_failure_total', l(s)), values: constant(0, step) },
      ],
      evalAt: 40 * 60,
      firing: [],
    })),
  ]);
  return { rule, tests };
}
