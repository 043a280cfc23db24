import { Duration } from 'cdk8s';
import type { AlertTestCase } from '../../constructs/backup-alerts';
import { backupFailedRule } from '../../lib/alerts/backup-failed';
import type { AlertContext } from '../../lib/alerts/rule-kit';
import { storageLocationRule } from '../../lib/alerts/storage-location';
import { scheduleThresholds } from '../../lib/alerts/thresholds';
import { isNamespaceProtected, uncoveredNamespaceMatcher } from '../../lib/schedule/coverage';
import { metricsFor } from '../../lib/alerts/metrics-catalog';
import { expressionProblems, metricNames, parsePromQL } from '../../lib/alerts/promql';
import { find, objects } from '../helpers';
import {
  alertStack,
  alertStackError,
  ruleOf,
  SEED_DAILY,
  SEED_WEEKLY,
  type ScheduleConfig,
} from '../fixtures/alerts/stack';

const SEVEN_SEED_ALERTS = {
  VeleroBackupFailed: 'critical',
  VeleroBackupDelayed: 'critical',
  VeleroBackupStorageLocationUnavailable: 'critical',
  VeleroBackupMetricAbsent: 'critical',
  VeleroBackupDurationHigh: 'warning',
  VeleroVolumeSnapshotLocationUnavailable: 'warning',
  VeleroPartialBackupFailure: 'warning',
};

const ctx: AlertContext = {
  version: 'v1.15.0',
  namespace: 'velero',
  job: 'velero',
  routingLabels: { component: 'velero' },
};

/** A schedule of `cron` protecting nothing, named `name`. */
function resourcesOnly(name: string, schedule: string): ScheduleConfig {
  return { name, schedule, ttl: Duration.hours(2160), includedNamespaces: ['*'], snapshotVolumes: false };
}

function hours(d: Duration): number {
  return d.toSeconds() / 3600;
}

describe('the rendered PrometheusRule', () => {
  test('one PrometheusRule velero-backup-alerts in the velero namespace, labelled for kube-prometheus-stack', () => {
    const { chart } = alertStack();
    const rules = objects(chart).filter((o) => o.kind === 'PrometheusRule');
    expect(rules).toHaveLength(1);
    expect(rules[0].apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rules[0].metadata).toMatchObject({ name: 'velero-backup-alerts', namespace: 'velero' });
    expect(rules[0].metadata.labels).toEqual({
      'app.kubernetes.io/name': 'velero',
      'app.kubernetes.io/part-of': 'velero-cdk8s',
      'app.kubernetes.io/managed-by': 'velero-cdk8s',
      'app.kubernetes.io/version': 'v1.15.0',
      component: 'velero',
      release: 'kube-prometheus-stack',
    });
  });

  test("renders the seed's seven alerts with the seed's severities, plus PVCNotCoveredByBackup", () => {
    const { alerts } = alertStack();
    const severities = Object.fromEntries(alerts.rules.map((r) => [r.alert, r.labels.severity]));
    expect(severities).toEqual({
      ...SEVEN_SEED_ALERTS,
      PVCNotCoveredByBackup: 'warning',
      VeleroLastRestorePointExpiring: 'critical',
      // v1.15 sees the BSL phase through kube-state-metrics, and says when that metric is missing
      VeleroBackupStorageLocationStatusMissing: 'warning',
    });
  });

  test('spec.groups holds exactly the typed rules, in order', () => {
    const { chart, alerts } = alertStack();
    const rule = find(objects(chart), 'PrometheusRule', 'velero-backup-alerts');
    expect(rule.spec.groups.map((g: { name: string }) => g.name)).toEqual([
      'velero.backups',
      'velero.locations',
      'velero.coverage',
    ]);
    const rendered = rule.spec.groups.flatMap((g: { rules: unknown[] }) => g.rules);
    expect(rendered).toEqual(
      alerts.rules.map((r) => ({
        alert: r.alert,
        expr: r.expr,
        ...(r.for ? { for: r.for } : {}),
        labels: r.labels,
        annotations: r.annotations,
      })),
    );
  });

  test('every alert has a summary, first commands to run, a severity and the routing label', () => {
    const { alerts } = alertStack();
    for (const r of alerts.rules) {
      expect(r.annotations.summary).toBeTruthy();
      expect(r.annotations.description).toMatch(/First steps:\n- (velero|kubectl) /);
      expect(r.labels).toMatchObject({ component: 'velero', severity: expect.stringMatching(/^(critical|warning)$/) });
    }
    expect(ruleOf(alerts, 'VeleroBackupFailed').annotations.description).toContain(
      '- velero backup get --selector velero.io/schedule-name={{ $labels.schedule }}\n',
    );
    expect(ruleOf(alerts, 'VeleroBackupFailed').annotations.description).toContain(
      '- kubectl -n velero logs deploy/velero',
    );
  });

  test('the PrometheusRule matches the snapshot', () => {
    const { chart } = alertStack();
    expect(find(objects(chart), 'PrometheusRule', 'velero-backup-alerts')).toMatchSnapshot();
  });
});

describe('thresholds from each schedule cadence', () => {
  test('daily schedule: delayed after 30h (6h of slack), duration warning 1h', () => {
    const { alerts } = alertStack();
    const t = alerts.thresholds['daily-critical-pvcs'];
    expect(hours(t.cadence)).toBe(24);
    expect(hours(t.slack)).toBe(6);
    expect(hours(t.delayed)).toBe(30);
    expect(hours(t.durationWarning)).toBe(1);
    expect(ruleOf(alerts, 'VeleroBackupDelayed', 'daily-critical-pvcs').expr).toBe(
      'time() - max by (namespace, schedule) (velero_backup_last_successful_timestamp{job="velero", namespace="velero", schedule="daily-critical-pvcs"}) > 108000',
    );
  });

  test('weekly schedule gets an 8-day staleness threshold', () => {
    const { alerts } = alertStack();
    const t = alerts.thresholds['weekly-cluster-resources'];
    expect(t.delayed.toDays()).toBe(8);
    expect(ruleOf(alerts, 'VeleroBackupDelayed', 'weekly-cluster-resources').expr).toMatch(/ > 691200$/);
    // between two on-time weekly runs the newest backup is at most 7 days old: never past the threshold
    expect(t.delayed.toSeconds()).toBeGreaterThan(Duration.days(7).toSeconds());
  });

  test.each([
    ['0 * * * *', 1, 2, 0.5],
    ['0 */6 * * *', 6, 7.5, 1],
    ['0 2 * * *', 24, 30, 1],
    ['0 3 * * 0', 168, 192, 1],
    ['0 2 1 * *', 744, 768, 1],
  ])('cron %s (cadence %sh): delayed after %sh, duration warning %sh', (cron, cadence, delayed, warning) => {
    const { alerts } = alertStack({ schedules: [resourcesOnly('s', cron)] });
    const t = alerts.thresholds.s;
    expect(hours(t.cadence)).toBe(cadence);
    expect(hours(t.delayed)).toBe(delayed);
    expect(hours(t.durationWarning)).toBe(warning);
  });

  test('slack is a quarter of the cadence, at least 1h and at most 1 day', () => {
    expect(hours(scheduleThresholds(Duration.minutes(30)).slack)).toBe(1);
    expect(hours(scheduleThresholds(Duration.hours(12)).slack)).toBe(3);
    expect(hours(scheduleThresholds(Duration.days(31)).slack)).toBe(24);
  });

  test('the duration warning is configurable and capped at half the cadence', () => {
    const { alerts } = alertStack({
      schedules: [SEED_DAILY, resourcesOnly('hourly', '0 * * * *')],
      alerts: { backupDurationWarning: Duration.hours(2) },
    });
    expect(hours(alerts.thresholds['daily-critical-pvcs'].durationWarning)).toBe(2);
    expect(hours(alerts.thresholds.hourly.durationWarning)).toBe(0.5);
    expect(ruleOf(alerts, 'VeleroBackupDurationHigh', 'daily-critical-pvcs').expr).toMatch(/ > 7200$/);
  });

  test('a schedule added later brings its own Delayed, Absent and Duration rules with no other edit', () => {
    const { alerts } = alertStack({ schedules: [SEED_DAILY, SEED_WEEKLY, resourcesOnly('every-6h', '0 */6 * * *')] });
    for (const alert of ['VeleroBackupDelayed', 'VeleroBackupMetricAbsent', 'VeleroBackupDurationHigh']) {
      expect(ruleOf(alerts, alert, 'every-6h').expr).toContain('schedule="every-6h"');
    }
    expect(ruleOf(alerts, 'VeleroBackupDelayed', 'every-6h').expr).toMatch(/ > 27000$/);
    expect(alerts.testCases.filter((c) => c.rule.labels.schedule === 'every-6h').length).toBeGreaterThanOrEqual(7);
  });

  test('a paused schedule gets no staleness, absence or duration alert', () => {
    const { alerts } = alertStack({ schedules: [SEED_DAILY, { ...SEED_WEEKLY, paused: true }] });
    expect(Object.keys(alerts.thresholds)).toEqual(['daily-critical-pvcs']);
    expect(alerts.rules.filter((r) => r.labels.schedule === 'weekly-cluster-resources')).toEqual([]);
  });

  test('VeleroBackupMetricAbsent waits each schedule its own threshold before it fires', () => {
    const { alerts } = alertStack();
    expect(ruleOf(alerts, 'VeleroBackupMetricAbsent', 'daily-critical-pvcs')).toMatchObject({
      expr: 'absent(velero_backup_last_successful_timestamp{job="velero", namespace="velero", schedule="daily-critical-pvcs"})',
      for: '1d6h',
    });
    expect(ruleOf(alerts, 'VeleroBackupMetricAbsent', 'weekly-cluster-resources').for).toBe('8d');
  });
});

describe('only metrics that exist, used the way they work', () => {
  test("every expression parses and uses only Velero v1.15.0's catalogue", () => {
    const { alerts } = alertStack();
    const catalog = metricsFor('v1.15.0');
    for (const r of alerts.rules) expect(expressionProblems(r.alert, r.expr, { catalog })).toEqual([]);
  });

  test('no alert relies on velero_backup_last_status or a bare histogram name', () => {
    const { alerts } = alertStack();
    const used = new Set(alerts.rules.flatMap((r) => metricNames(r.expr)));
    expect(used.has('velero_backup_last_status')).toBe(false);
    expect(used.has('velero_backup_duration_seconds')).toBe(false);
    expect(used).toContain('velero_backup_duration_seconds_sum');
    expect(used).toContain('velero_backup_duration_seconds_count');
  });

  test('ad-hoc backups (schedule="") are out: every velero_ selector names a schedule or requires one', () => {
    const { alerts } = alertStack();
    for (const r of alerts.rules) {
      for (const s of parsePromQL(r.expr).selectors.filter((x) => x.metric?.startsWith('velero_'))) {
        const schedule = s.matchers.find((m) => m.label === 'schedule');
        expect(
          schedule && (schedule.op === '=' ? schedule.value !== '' : schedule.op === '!=' && schedule.value === ''),
        ).toBe(true);
      }
    }
  });

  test('every Velero selector is scoped to the release: job = the metrics Service, namespace = velero', () => {
    const { alerts } = alertStack({ release: { namespace: 'backup' } });
    const ksm = [
      'PVCNotCoveredByBackup',
      'VeleroBackupStorageLocationUnavailable',
      'VeleroBackupStorageLocationStatusMissing',
    ];
    for (const r of alerts.rules.filter((x) => !ksm.includes(x.alert))) {
      for (const s of parsePromQL(r.expr).selectors) {
        expect(s.matchers).toEqual(
          expect.arrayContaining([
            { label: 'job', op: '=', value: 'velero' },
            { label: 'namespace', op: '=', value: 'backup' },
          ]),
        );
      }
    }
    expect(ruleOf(alerts, 'VeleroBackupFailed').annotations.description).toContain(
      'velero --namespace backup backup get',
    );
  });

  test('v1.15 storage-location alert: the BSL phase through kube-state-metrics, namespace-scoped', () => {
    const { alerts } = alertStack({ release: { namespace: 'backup' } });
    const r = ruleOf(alerts, 'VeleroBackupStorageLocationUnavailable');
    expect(r.expr).toBe(
      'max by (namespace, backup_location_name) (kube_customresource_velero_bsl_phase{namespace="backup", phase="Unavailable"}) == 1',
    );
    expect(r.for).toBe('15m');
    expect(metricNames(alerts.rules.map((x) => x.expr).join(' or '))).not.toContain(
      'velero_backup_validation_failure_total',
    );
    expect(ruleOf(alerts, 'VeleroBackupStorageLocationStatusMissing')).toMatchObject({
      expr: 'absent(kube_customresource_velero_bsl_phase{namespace="backup"})',
      for: '1h',
      labels: { severity: 'warning' },
    });
  });

  test('v1.17+ storage-location alert: on velero_backup_location_status_gauge', () => {
    const { rule } = storageLocationRule({ ...ctx, version: 'v1.17.0' });
    expect(rule.expr).toBe(
      'max by (namespace, backup_location_name) (velero_backup_location_status_gauge{job="velero", namespace="velero"}) == 0',
    );
    expect(rule.for).toBe('15m');
    expect(expressionProblems(rule.alert, rule.expr, { catalog: metricsFor('v1.17.0') })).toEqual([]);
    expect(expressionProblems(rule.alert, rule.expr, { catalog: metricsFor('v1.15.0') })).toEqual([
      "alert 'VeleroBackupStorageLocationUnavailable': metric 'velero_backup_location_status_gauge' is not exported by Velero v1.15.0 (first in v1.17.0)",
    ]);
  });

  test('snapshot-location alert: a substitute on CSI and plugin snapshot failures, annotated', () => {
    const { alerts } = alertStack();
    const r = ruleOf(alerts, 'VeleroVolumeSnapshotLocationUnavailable');
    expect(metricNames(r.expr)).toEqual([
      'velero_csi_snapshot_failure_total',
      'velero_backup_attempt_total',
      'velero_volume_snapshot_failure_total',
    ]);
    expect(r.annotations.description).toMatch(
      /^Substitute alert: no Velero version exports a snapshot-location metric/,
    );
  });

  test('without CSI snapshots or snapshot locations there is no snapshot-location alert', () => {
    const { alerts } = alertStack({ release: { csiSnapshots: false }, schedules: [SEED_WEEKLY] });
    expect(alerts.rules.map((r) => r.alert)).not.toContain('VeleroVolumeSnapshotLocationUnavailable');
  });

  test('the whole Velero job being down is covered: no healthy scrape of the velero Service', () => {
    const { alerts } = alertStack();
    const server = alerts.rules.filter((r) => r.alert === 'VeleroBackupMetricAbsent' && !r.labels.schedule);
    expect(server).toHaveLength(1);
    expect(server[0]).toMatchObject({ expr: 'absent(up{job="velero", namespace="velero"} == 1)', for: '15m' });
  });
});

describe('PVCNotCoveredByBackup: coverage from the schedules', () => {
  test('seed: PVCs outside default, loki and pihole (the daily CSI schedule) fire; the weekly one protects no volumes', () => {
    const { alerts } = alertStack();
    expect(alerts.uncovered).toEqual({ kind: 'allExcept', namespaces: ['default', 'loki', 'pihole'] });
    expect(ruleOf(alerts, 'PVCNotCoveredByBackup')).toMatchObject({
      expr: 'max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_info{namespace!~"default|loki|pihole"})',
      for: '1h',
    });
  });

  test('declared unprotected namespaces are left out', () => {
    const { alerts } = alertStack({
      alerts: { unprotectedNamespaces: { monitoring: 'Prometheus data is rebuilt from scratch' } },
    });
    expect(alerts.uncovered).toEqual({ kind: 'allExcept', namespaces: ['default', 'loki', 'monitoring', 'pihole'] });
    expect(ruleOf(alerts, 'PVCNotCoveredByBackup').expr).toContain('{namespace!~"default|loki|monitoring|pihole"}');
  });

  test("a '*' schedule with volume snapshots leaves only its exclusions uncovered", () => {
    const all: ScheduleConfig = {
      ...SEED_DAILY,
      includedNamespaces: ['*'],
      excludedNamespaces: ['kube-system', 'scratch'],
    };
    const { alerts } = alertStack({
      schedules: [all],
      alerts: { unprotectedNamespaces: { scratch: 'throwaway CI data' } },
    });
    expect(alerts.uncovered).toEqual({ kind: 'only', namespaces: ['kube-system'] });
    expect(ruleOf(alerts, 'PVCNotCoveredByBackup').expr).toContain('{namespace=~"kube-system"}');
  });

  test('an excluded namespace covered by another schedule is covered', () => {
    const all: ScheduleConfig = { ...SEED_DAILY, name: 'all', includedNamespaces: ['*'], excludedNamespaces: ['loki'] };
    const { alerts } = alertStack({ schedules: [all, SEED_DAILY] });
    expect(alerts.uncovered).toEqual({ kind: 'none' });
    expect(alerts.rules.map((r) => r.alert)).not.toContain('PVCNotCoveredByBackup');
  });

  test('without any volume protection every PVC is uncovered', () => {
    const { alerts } = alertStack({ schedules: [SEED_WEEKLY] });
    expect(alerts.uncovered).toEqual({ kind: 'all' });
    expect(ruleOf(alerts, 'PVCNotCoveredByBackup').expr).toBe(
      'max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_info)',
    );
  });

  test('a paused schedule protects nothing', () => {
    const { alerts, schedules } = alertStack({ schedules: [{ ...SEED_DAILY, paused: true }] });
    expect(isNamespaceProtected(schedules, 'loki')).toEqual({ protected: false, by: [] });
    expect(alerts.uncovered).toEqual({ kind: 'all' });
  });

  test('isNamespaceProtected names the schedules that protect a namespace (the function the plan uses)', () => {
    const { schedules } = alertStack();
    const loki = isNamespaceProtected(schedules, 'loki');
    expect(loki.protected).toBe(true);
    expect(loki.by.map((s) => s.name)).toEqual(['daily-critical-pvcs']);
    expect(isNamespaceProtected(schedules, 'monitoring')).toEqual({ protected: false, by: [] });
    expect(uncoveredNamespaceMatcher(schedules, ['monitoring'])).toBe('namespace!~"default|loki|monitoring|pihole"');
  });

  test('declaring a protected namespace unprotected is refused', () => {
    expect(alertStackError({ alerts: { unprotectedNamespaces: { loki: 'logs are not important' } } })).toBe(
      "backup alerts: namespace 'loki' is declared unprotected ('logs are not important') but schedule 'daily-critical-pvcs' protects its volumes; remove it from unprotectedNamespaces",
    );
  });

  test('an unprotected namespace needs a reason', () => {
    expect(alertStackError({ alerts: { unprotectedNamespaces: { monitoring: ' ' } } })).toBe(
      "backup alerts: unprotected namespace 'monitoring' has no reason; say why its volumes are not backed up",
    );
  });
});

describe('placement: a rule set Prometheus would not load is a synth error', () => {
  test('rule labels follow the release prometheusSelectorLabels', () => {
    const { alerts } = alertStack({ release: { metrics: { prometheusSelectorLabels: { release: 'prometheus' } } } });
    expect(alerts.ruleLabels).toMatchObject({ release: 'prometheus' });
  });

  test('labels the default kube-prometheus-stack selector does not match are refused', () => {
    expect(alertStackError({ alerts: { ruleSelectorLabels: { team: 'homelab' } } })).toBe(
      "backup alerts: PrometheusRule 'velero-backup-alerts' in namespace 'velero' would not be loaded: its labels do not match the Prometheus ruleSelector (release=kube-prometheus-stack); set ruleSelectorLabels to labels it matches (docs/pitfalls.md#rule-selector)",
    );
  });

  test('custom labels load when the Prometheus selector is described', () => {
    const { alerts } = alertStack({
      alerts: {
        ruleSelectorLabels: { prometheus: 'homelab' },
        prometheusRuleSelector: { ruleSelector: { matchLabels: { prometheus: 'homelab' } } },
      },
    });
    expect(alerts.ruleLabels.prometheus).toBe('homelab');
    expect(alerts.ruleLabels.release).toBeUndefined();
  });

  test('matchExpressions are evaluated', () => {
    const selector = {
      ruleSelector: { matchExpressions: [{ key: 'role', operator: 'In' as const, values: ['alert-rules'] }] },
    };
    expect(alertStackError({ alerts: { prometheusRuleSelector: selector } })).toMatch(
      /would not be loaded: its labels do not match the Prometheus ruleSelector \(role In \(alert-rules\)\)/,
    );
    expect(() =>
      alertStack({ alerts: { prometheusRuleSelector: selector, ruleSelectorLabels: { role: 'alert-rules' } } }),
    ).not.toThrow();
  });

  test('a null ruleSelector selects nothing', () => {
    expect(alertStackError({ alerts: { prometheusRuleSelector: { ruleSelector: null } } })).toBe(
      "backup alerts: PrometheusRule 'velero-backup-alerts' in namespace 'velero' would not be loaded: the Prometheus ruleSelector is null, which selects no PrometheusRule; describe the selector it has",
    );
  });

  test('a null ruleNamespaceSelector loads only the Prometheus namespace', () => {
    const selection = { ruleSelector: {}, ruleNamespaceSelector: null, prometheusNamespace: 'monitoring' };
    expect(alertStackError({ alerts: { prometheusRuleSelector: selection } })).toBe(
      "backup alerts: PrometheusRule 'velero-backup-alerts' in namespace 'velero' would not be loaded: the Prometheus ruleNamespaceSelector is null, so it loads rules from its own namespace 'monitoring' only; set ruleNamespace to 'monitoring'",
    );
    const { alerts } = alertStack({ alerts: { prometheusRuleSelector: selection, ruleNamespace: 'monitoring' } });
    expect(alerts.ruleNamespace).toBe('monitoring');
  });

  test('a ruleNamespaceSelector the namespace does not match is refused', () => {
    const selection = { ruleSelector: {}, ruleNamespaceSelector: { matchLabels: { monitoring: 'enabled' } } };
    expect(alertStackError({ alerts: { prometheusRuleSelector: selection } })).toBe(
      "backup alerts: PrometheusRule 'velero-backup-alerts' in namespace 'velero' would not be loaded: the namespace does not match the Prometheus ruleNamespaceSelector (monitoring=enabled); set ruleNamespace to a selected namespace or label it",
    );
    expect(() =>
      alertStack({
        alerts: { prometheusRuleSelector: { ...selection, ruleNamespaceLabels: { monitoring: 'enabled' } } },
      }),
    ).not.toThrow();
  });

  test('namespace selection by kubernetes.io/metadata.name works without declared labels', () => {
    const selection = {
      ruleSelector: {},
      ruleNamespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'velero' } },
    };
    expect(() => alertStack({ alerts: { prometheusRuleSelector: selection } })).not.toThrow();
  });
});

describe('generated promtool cases', () => {
  test('every alert has a case where it fires and one where it stays silent', () => {
    const { alerts } = alertStack();
    for (const alert of new Set(alerts.rules.map((r) => r.alert))) {
      const cases = alerts.testCases.filter((c) => c.rule.alert === alert);
      expect(cases.some((c) => c.firing.length > 0)).toBe(true);
      expect(cases.some((c) => c.firing.length === 0)).toBe(true);
    }
  });

  test('the failed-backup cases come per schedule', () => {
    const cases = backupFailedRule(ctx, ['a', 'b']).tests.map((c) => c.name);
    expect(cases).toEqual([
      'VeleroBackupFailed a: a new velero_backup_failure_total increment fires',
      'VeleroBackupFailed a: old increments (before the window) stay silent',
      'VeleroBackupFailed b: a new velero_backup_failure_total increment fires',
      'VeleroBackupFailed b: old increments (before the window) stay silent',
    ]);
  });

  test('the Delayed cases sit on both sides of each schedule threshold', () => {
    const { alerts } = alertStack();
    const weekly = alerts.testCases.filter(
      (c) => c.rule.alert === 'VeleroBackupDelayed' && c.rule.labels.schedule === 'weekly-cluster-resources',
    );
    // the timestamp's sample value is evalTime - age: 10m below the 8d threshold, and 8d + 10m for: + 2m past it
    const age = (c: AlertTestCase) => 30 * 60 - Number(/^(-?\d+)x\d+$/.exec(c.series[0].values)![1]);
    expect(weekly.map((c) => [c.evalTime, age(c), c.firing.length])).toEqual([
      ['30m', 8 * 86_400 - 600, 0],
      ['30m', 8 * 86_400 + 720, 1],
    ]);
  });
});
