/** additionalRules: alert groups from other constructs (the restore drill's) join the backup rule set. */
import type { AdditionalAlertRules, AlertRule, AlertTestCase } from '../../constructs/backup-alerts';
import { alertStack, alertStackError, ruleOf } from '../fixtures/alerts/stack';

describe('additionalRules: the restore drill joins the rule set', () => {
  const drillRule: AlertRule = {
    alert: 'VeleroRestoreDrillFailed',
    expr: 'kube_job_failed{namespace="velero", condition="true"} == 1',
    for: '5m',
    labels: { severity: 'critical', cronjob: 'restore-drill' },
    annotations: { summary: 'restore drill failed', description: 'First steps:\n- kubectl -n velero logs job/x' },
  };
  const fires: AlertTestCase = {
    name: 'fires',
    rule: drillRule,
    series: [{ series: 'kube_job_failed{namespace="velero", job_name="a", condition="true"}', values: '1x30' }],
    evalTime: '20m',
    firing: [{ namespace: 'velero', job_name: 'a', condition: 'true' }],
  };
  const silent: AlertTestCase = { ...fires, name: 'silent', evalTime: '3m', firing: [] };
  const extra = (rules: AlertRule[], tests: AlertTestCase[]): AdditionalAlertRules => ({
    group: 'velero.restore-drill',
    rules,
    tests,
  });

  test('renders in its own group with the routing label, and its cases join testCases', () => {
    const { alerts } = alertStack({ alerts: { additionalRules: [extra([drillRule], [fires, silent])] } });
    expect(alerts.groups.map((g) => g.name)).toEqual([
      'velero.backups',
      'velero.locations',
      'velero.coverage',
      'velero.restore-drill',
    ]);
    const r = ruleOf(alerts, 'VeleroRestoreDrillFailed');
    expect(r.labels).toEqual({ component: 'velero', severity: 'critical', cronjob: 'restore-drill' });
    expect(alerts.testCases.filter((c) => c.rule === r).map((c) => c.name)).toEqual(['fires', 'silent']);
  });

  test('an expression with an unknown metric fails the synth naming the alert and the metric', () => {
    const bad = { ...drillRule, expr: 'kube_cronjob_status_last_success_time{namespace="velero"} > 0' };
    expect(
      alertStackError({
        alerts: {
          additionalRules: [
            extra(
              [bad],
              [
                { ...fires, rule: bad },
                { ...silent, rule: bad },
              ],
            ),
          ],
        },
      }),
    ).toBe(
      "alert 'VeleroRestoreDrillFailed': metric 'kube_cronjob_status_last_success_time' is not exported by Velero v1.15.0 (not in the metrics catalog, lib/alerts/metrics-catalog.ts); did you mean 'kube_cronjob_status_last_successful_time'?",
    );
  });

  test('a bare histogram name fails the synth', () => {
    const bad = { ...drillRule, alert: 'SlowBackups', expr: 'velero_backup_duration_seconds{schedule="x"} > 3600' };
    expect(
      alertStackError({
        alerts: {
          additionalRules: [
            extra(
              [bad],
              [
                { ...fires, rule: bad },
                { ...silent, rule: bad },
              ],
            ),
          ],
        },
      }),
    ).toBe(
      "alert 'SlowBackups': metric 'velero_backup_duration_seconds' is a histogram; use velero_backup_duration_seconds_bucket, _sum or _count",
    );
  });

  test('a metric of a later Velero version fails the synth', () => {
    const bad = { ...drillRule, alert: 'Bsl', expr: 'velero_backup_location_status_gauge == 0' };
    expect(
      alertStackError({
        alerts: {
          additionalRules: [
            extra(
              [bad],
              [
                { ...fires, rule: bad },
                { ...silent, rule: bad },
              ],
            ),
          ],
        },
      }),
    ).toBe(
      "alert 'Bsl': metric 'velero_backup_location_status_gauge' is not exported by Velero v1.15.0 (first in v1.17.0)",
    );
  });

  test('an alert without a firing case, or without a silent one, is refused', () => {
    expect(alertStackError({ alerts: { additionalRules: [extra([drillRule], [silent])] } })).toBe(
      "backup alerts: alert 'VeleroRestoreDrillFailed' has no promtool case where it fires; add one to its tests",
    );
    expect(alertStackError({ alerts: { additionalRules: [extra([drillRule], [fires])] } })).toBe(
      "backup alerts: alert 'VeleroRestoreDrillFailed' has no promtool case where it stays silent; add one to its tests",
    );
  });

  test('a case for a rule outside its group is refused', () => {
    const other = { ...drillRule };
    expect(
      alertStackError({ alerts: { additionalRules: [extra([drillRule], [fires, { ...silent, rule: other }])] } }),
    ).toBe(
      "backup alerts: promtool case 'silent' of group 'velero.restore-drill' tests a rule that is not in that group's rules",
    );
  });

  test('a group name may be used once', () => {
    expect(
      alertStackError({
        alerts: { additionalRules: [{ ...extra([drillRule], [fires, silent]), group: 'velero.backups' }] },
      }),
    ).toBe(
      "backup alerts: rule group 'velero.backups' is defined twice; give each additionalRules entry its own group",
    );
  });

  test('a rule without a known severity or a description is refused', () => {
    const noSeverity = { ...drillRule, labels: { team: 'x' } };
    expect(
      alertStackError({
        alerts: {
          additionalRules: [
            extra(
              [noSeverity],
              [
                { ...fires, rule: noSeverity },
                { ...silent, rule: noSeverity },
              ],
            ),
          ],
        },
      }),
    ).toBe("backup alerts: alert 'VeleroRestoreDrillFailed': label severity '' is not one of critical, warning, info");
    const noDescription = { ...drillRule, annotations: { summary: 's' } };
    expect(
      alertStackError({
        alerts: {
          additionalRules: [
            extra(
              [noDescription],
              [
                { ...fires, rule: noDescription },
                { ...silent, rule: noDescription },
              ],
            ),
          ],
        },
      }),
    ).toBe(
      "backup alerts: alert 'VeleroRestoreDrillFailed': annotation 'description' is missing; every alert says what happened and what to run first",
    );
  });
});
