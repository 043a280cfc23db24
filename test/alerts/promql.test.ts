import { ALL_METRICS, metricsFor } from '../../lib/alerts/metrics-catalog';
import { checkAlertExpression, expressionProblems, metricNames, parsePromQL } from '../../lib/alerts/promql';

const V115 = metricsFor('v1.15.0');
const V117 = metricsFor('v1.17.0');
const SCRAPED = { scrapedSources: ['velero-server', 'kube-state-metrics', 'prometheus'] as const };

/** The problems of `expr` as alert 'A' against Velero 1.15 with the stack's scrape config. */
function problems(expr: string, catalog = V115): string[] {
  return expressionProblems('A', expr, { catalog, ...SCRAPED });
}

describe('metrics catalog', () => {
  test('Velero 1.15 exports the 28 velero_* families of docs/upstream-facts.md#metrics, and no location metric', () => {
    const velero = V115.metrics.filter((m) => m.name.startsWith('velero_')).map((m) => m.name);
    expect(velero).toHaveLength(28);
    expect(velero).toContain('velero_backup_last_successful_timestamp');
    expect(velero).not.toContain('velero_backup_location_status_gauge');
  });

  test('velero_backup_location_status_gauge{backup_location_name} is first in v1.17.0', () => {
    const gauge = ALL_METRICS.find((m) => m.name === 'velero_backup_location_status_gauge');
    expect(gauge).toMatchObject({ type: 'gauge', labels: ['backup_location_name'], since: 'v1.17.0' });
    expect(metricsFor('v1.16.2').resolve('velero_backup_location_status_gauge').status).toBe('not-yet');
    expect(V117.resolve('velero_backup_location_status_gauge').status).toBe('ok');
  });

  test('the duration histogram resolves through _bucket (with le), _sum and _count, not by its family name', () => {
    expect(V115.resolve('velero_backup_duration_seconds').status).toBe('bare-histogram');
    expect(V115.resolve('velero_backup_duration_seconds_bucket')).toMatchObject({
      status: 'ok',
      suffix: '_bucket',
      labels: ['schedule', 'le'],
      seriesType: 'counter',
    });
    expect(V115.resolve('velero_backup_duration_seconds_count')).toMatchObject({ status: 'ok', labels: ['schedule'] });
  });

  test('node-agent metrics carry the podVolume_ prefix and the node label', () => {
    const nodeAgent = V115.metrics.filter((m) => m.source === 'node-agent');
    expect(nodeAgent.every((m) => m.name.startsWith('podVolume_'))).toBe(true);
    expect(V115.resolve('podVolume_data_upload_failure_total')).toMatchObject({ status: 'ok', labels: ['node'] });
  });

  test('the kube-state-metrics series of the coverage and restore-drill alerts are catalogued with their labels', () => {
    expect(V115.resolve('kube_persistentvolumeclaim_info')).toMatchObject({
      status: 'ok',
      labels: expect.arrayContaining(['namespace', 'persistentvolumeclaim', 'storageclass']),
    });
    for (const name of [
      'kube_job_status_failed',
      'kube_job_status_succeeded',
      'kube_job_status_completion_time',
      'kube_job_owner',
      'kube_cronjob_status_last_successful_time',
      'kube_cronjob_status_last_schedule_time',
    ]) {
      expect(V115.resolve(name).status).toBe('ok');
    }
  });

  test('versions outside the catalog are refused with the range it covers', () => {
    expect(() => metricsFor('v1.14.1')).toThrow(
      'metrics catalog: Velero v1.14.1 is older than the catalog, which starts at v1.15.0',
    );
    expect(() => metricsFor('v1.19.0')).toThrow(
      'metrics catalog: Velero v1.19.0 is newer than the catalog (up to v1.18.x); add the line to scripts/metrics-catalog.mjs (its pkg/metrics/metrics.go) and regenerate',
    );
    expect(() => metricsFor('1.15')).toThrow(
      "metrics catalog: version '1.15' is not a Velero release tag; use e.g. 'v1.15.0'",
    );
  });
});

describe('parsing with the PromQL grammar', () => {
  test('collects metric names from identifiers, __name__ matchers and quoted names', () => {
    expect(
      metricNames(
        'time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule="daily"}) > 3600 ' +
          'or {__name__="up", job="velero"} == 0 or {"kube_persistentvolumeclaim_info", namespace="x"}',
      ),
    ).toEqual(['velero_backup_last_successful_timestamp', 'up', 'kube_persistentvolumeclaim_info']);
  });

  test('records each selector with its matchers and the functions around it', () => {
    const [s] = parsePromQL('sum(increase(velero_backup_failure_total{schedule!="", job="velero"}[1h]))').selectors;
    expect(s).toEqual({
      metric: 'velero_backup_failure_total',
      matchers: [
        { label: 'schedule', op: '!=', value: '' },
        { label: 'job', op: '=', value: 'velero' },
      ],
      text: 'velero_backup_failure_total{schedule!="", job="velero"}',
      offset: 13,
      enclosingFunctions: ['increase'],
    });
  });

  test('a syntax error fails with where it is', () => {
    expect(problems('sum(rate(velero_backup_failure_total[5m])) by (schedule')).toEqual([
      "alert 'A': expression is not valid PromQL (error at offset 55, the end of the expression): sum(rate(velero_backup_failure_total[5m])) by (schedule",
    ]);
    expect(problems('velero_backup_failure_total >> 1')).toEqual([
      "alert 'A': expression is not valid PromQL (error at offset 29, near '> 1'): velero_backup_failure_total >> 1",
    ]);
  });

  test('an unknown function is a syntax error', () => {
    expect(problems('rates(velero_backup_failure_total[5m])')[0]).toMatch(/^alert 'A': expression is not valid PromQL/);
  });

  test('an empty expression fails', () => {
    expect(problems(' ')).toEqual(["alert 'A': expression is empty"]);
  });
});

describe('metric checks against the configured version', () => {
  test('a metric of a later version fails naming the alert, the metric and its first version', () => {
    expect(() =>
      checkAlertExpression('VeleroBackupStorageLocationUnavailable', 'velero_backup_location_status_gauge == 0', {
        catalog: V115,
      }),
    ).toThrow(
      "alert 'VeleroBackupStorageLocationUnavailable': metric 'velero_backup_location_status_gauge' is not exported by Velero v1.15.0 (first in v1.17.0)",
    );
    expect(problems('velero_backup_location_status_gauge == 0', V117)).toEqual([]);
  });

  test('an unknown metric fails with the closest catalogued name', () => {
    expect(problems('increase(velero_backup_failures_total[1h]) > 0')).toEqual([
      "alert 'A': metric 'velero_backup_failures_total' is not exported by Velero v1.15.0 (not in the metrics catalog, lib/alerts/metrics-catalog.ts); did you mean 'velero_backup_failure_total'?",
    ]);
    expect(problems('velero_schedule_expected_interval_seconds > 0')).toEqual([
      "alert 'A': metric 'velero_schedule_expected_interval_seconds' is not exported by Velero v1.15.0 (not in the metrics catalog, lib/alerts/metrics-catalog.ts)",
    ]);
  });

  test('a bare histogram name fails: only _bucket, _sum and _count exist', () => {
    expect(() =>
      checkAlertExpression('VeleroBackupDurationHigh', 'velero_backup_duration_seconds > 3600', { catalog: V115 }),
    ).toThrow(
      "alert 'VeleroBackupDurationHigh': metric 'velero_backup_duration_seconds' is a histogram; use velero_backup_duration_seconds_bucket, _sum or _count",
    );
  });

  test('histogram series under rate() pass', () => {
    expect(
      problems(
        'histogram_quantile(0.9, sum by (le, schedule) (rate(velero_backup_duration_seconds_bucket[1h]))) > 3600',
      ),
    ).toEqual([]);
  });

  test('velero_backup_last_status is refused: 1.15 resets it to 1 every minute', () => {
    expect(problems('velero_backup_last_status{schedule="daily"} == 0')).toEqual([
      "alert 'A': metric 'velero_backup_last_status' must not be alerted on: it is reset to 1 every minute by the schedule controller (docs/upstream-facts.md#metrics, velero#9374); use velero_backup_last_successful_timestamp or increase(velero_backup_failure_total[...])",
    ]);
  });

  test('a raw counter fails: counters reset when the pod restarts', () => {
    expect(problems('velero_backup_partial_failure_total / velero_backup_attempt_total > 0.25')).toEqual([
      "alert 'A': counter 'velero_backup_partial_failure_total' is used without rate() or increase(); counters reset when the exporter restarts (docs/upstream-facts.md#metrics)",
      "alert 'A': counter 'velero_backup_attempt_total' is used without rate() or increase(); counters reset when the exporter restarts (docs/upstream-facts.md#metrics)",
    ]);
  });

  test('counters inside increase() of a subquery pass', () => {
    expect(
      problems(
        'increase((sum by (schedule) (velero_csi_snapshot_failure_total) or 0 * sum by (schedule) (velero_backup_attempt_total))[1h:1m]) > 0',
      ),
    ).toEqual([]);
  });

  test("a matcher on a label the metric doesn't have fails (it would never match)", () => {
    expect(problems('increase(velero_backup_failure_total{schedule_name="daily"}[1h]) > 0')).toEqual([
      "alert 'A': metric 'velero_backup_failure_total' has no label 'schedule_name' (its labels: schedule; target labels: job, instance, namespace, service, pod, container, endpoint)",
    ]);
  });

  test('a selector without one exact metric name fails', () => {
    expect(problems('{__name__=~"velero_backup_.*_total"} > 0')).toEqual([
      `alert 'A': selector '{__name__=~"velero_backup_.*_total"}' does not name one metric exactly; write the metric name so it can be checked against the Velero v1.15.0 metrics catalog`,
    ]);
  });

  test('node-agent metrics fail when the stack does not scrape the node-agent', () => {
    expect(problems('increase(podVolume_data_upload_failure_total[1h]) > 0')).toEqual([
      "alert 'A': metric 'podVolume_data_upload_failure_total' comes from the node-agent, which this stack's Prometheus does not scrape",
    ]);
    expect(expressionProblems('A', 'increase(podVolume_data_upload_failure_total[1h]) > 0', { catalog: V115 })).toEqual(
      [],
    );
  });

  test('every problem of an expression is reported, one per line', () => {
    expect(() =>
      checkAlertExpression('X', 'velero_backup_duration_seconds > 1 or velero_backup_location_status_gauge == 0', {
        catalog: V115,
      }),
    ).toThrow(
      "alert 'X': metric 'velero_backup_duration_seconds' is a histogram; use velero_backup_duration_seconds_bucket, _sum or _count\n" +
        "alert 'X': metric 'velero_backup_location_status_gauge' is not exported by Velero v1.15.0 (first in v1.17.0)",
    );
  });
});
