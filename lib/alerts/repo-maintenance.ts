/**
 * `VeleroRepositoryMaintenanceFailed`: Velero v1.18 counts failed repository-maintenance Jobs in
 * `velero_repo_maintenance_failure_total{repository_name}` (pkg/metrics/metrics.go at v1.18.1; incremented by
 * pkg/controller/backup_repository_controller.go when a maintenance Job fails). A kopia repository that is
 * never maintained keeps every deleted backup's data and grows until the bucket is full, and its index
 * slows every backup down.
 *
 * Only where something creates BackupRepositories: the node-agent (file-system backup and snapshot data
 * movement both write to kopia repositories; CSI snapshots without data movement create none).
 *
 * The counter is not initialised per repository: its series is born with the first failure, already at 1,
 * where `increase()` sees nothing. The rule therefore also fires on a series that is present now and was not
 * an hour ago (`present_over_time(...) unless present_over_time(... offset 1h)`, per full label set); after a
 * server restart the series is gone until the next failure, so a reborn series always means a new failure.
 */
import { metricsFor } from './metrics-catalog';
import type { AlertRule, AlertTestCase } from './promtool';
import {
  changeAt,
  firstSteps,
  seriesOf,
  steady,
  STEP_SECONDS,
  type LineAlertContext,
  type ProvenLineRule,
} from './line-alert-helpers';

export const REPO_MAINTENANCE_FAILURE_METRIC = 'velero_repo_maintenance_failure_total';

/** Whether the repository-maintenance alert belongs in the rule set: the line exports the counter and repositories exist. */
export function repoMaintenanceAlertApplies(version: string, createsBackupRepositories: boolean): boolean {
  return createsBackupRepositories && metricsFor(version).resolve(REPO_MAINTENANCE_FAILURE_METRIC).status === 'ok';
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

export function repoMaintenanceFailedRule(ctx: LineAlertContext): ProvenLineRule {
  const m = REPO_MAINTENANCE_FAILURE_METRIC;
  const sel = `${m}{job="${ctx.job}", namespace="${ctx.namespace}"}`;
  const by = 'sum by (namespace, repository_name)';
  const rule: AlertRule = {
    alert: 'VeleroRepositoryMaintenanceFailed',
    expr: `(${by} (increase(${sel}[1h])) > 0) or ${by} (present_over_time(${sel}[5m]) unless present_over_time(${sel}[5m] offset 1h))`,
    labels: { ...ctx.routingLabels, severity: 'warning' },
    annotations: {
      summary: "Velero repository maintenance failed for '{{ $labels.repository_name }}'",
      description: [
        `A repository-maintenance Job of BackupRepository '{{ $labels.repository_name }}' failed in the last hour (${m}): the kopia repository is not compacted, so deleted backups keep their data in the bucket and backups slow down.`,
        firstSteps([
          `kubectl -n ${ctx.namespace} get backuprepositories {{ $labels.repository_name }} -o jsonpath='{.status.recentMaintenance}'`,
          `kubectl -n ${ctx.namespace} get jobs -l velero.io/repo-name={{ $labels.repository_name }}`,
          `kubectl -n ${ctx.namespace} logs deploy/velero | grep -i maintenance`,
        ]),
      ].join('\n'),
    },
  };
  const l = { job: ctx.job, namespace: ctx.namespace, repository_name: 'velero-default-kopia-abcde' };
  const firing = [{ namespace: ctx.namespace, repository_name: l.repository_name }];
  const tests = [
    caseOf(
      `${rule.alert}: the first failure (a series born at 1) fires`,
      rule,
      [{ series: seriesOf(m, l), values: changeAt('_', 1, 30, 120) }],
      40,
      firing,
    ),
    caseOf(
      `${rule.alert}: another failure of a known repository fires`,
      rule,
      [{ series: seriesOf(m, l), values: changeAt(1, 2, 90, 180) }],
      100,
      firing,
    ),
    caseOf(
      `${rule.alert}: a failure more than an hour ago stays silent`,
      rule,
      [{ series: seriesOf(m, l), values: steady(1, 180) }],
      180,
      [],
    ),
  ];
  return { rule, tests };
}
