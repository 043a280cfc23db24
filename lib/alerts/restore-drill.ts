/**
 * The restore drill's alerts: `VeleroRestoreDrillFailed` (the newest Job of the drill's CronJob failed) and
 * `VeleroRestoreDrillStale` (no successful drill within its cadence, run time and slack, or never one), from
 * kube-state-metrics' Job and CronJob series, with the promtool cases that prove each fires and stays silent.
 */
import type { Duration } from 'cdk8s';
import { promDuration } from '../units/duration';
import type { AlertRule, AlertTestCase, InputSeries } from './promtool';
import { aged, constant, fresh, gridCeil, gridFloor, stepFor, type Step } from './promtool-cases';
import type { AdditionalAlertRules } from './rule-kit';

/** What the alerts read of one RestoreDrill. */
export interface RestoreDrillAlertInput {
  /** The drill CronJob's namespace (Velero's). */
  readonly namespace: string;
  /** The drill CronJob's name. */
  readonly name: string;
  /** The name of the Velero Schedule whose backups the drill restores. */
  readonly schedule: string;
  /** The CronJob's schedule. */
  readonly cron: string;
  /** The longest time between two runs of `cron`. */
  readonly cadence: Duration;
  /** How old the last success may be before VeleroRestoreDrillStale fires. */
  readonly staleAfter: Duration;
  /** The Job's activeDeadlineSeconds. */
  readonly activeDeadlineSeconds: number;
}

/** `for:` of VeleroRestoreDrillFailed: rides out a kube-state-metrics restart. */
const FAILED_FOR = 5 * 60;
/** `for:` of VeleroRestoreDrillStale (threshold form). */
const STALE_FOR = 10 * 60;
const HOUR = 3600;

function seconds(d: Duration): number {
  return Math.round(d.toSeconds());
}

export function restoreDrillAlerts(d: RestoreDrillAlertInput): AdditionalAlertRules {
  const ns = d.namespace;
  const cronjob = d.name;
  const schedule = d.schedule;
  const ownJobs =
    `max by (namespace, job_name) (kube_job_status_start_time{namespace="${ns}"}) * on (namespace, job_name) group_left () ` +
    `max by (namespace, job_name) (kube_job_owner{namespace="${ns}", owner_kind="CronJob", owner_name="${cronjob}"})`;
  const rerun = `kubectl -n ${ns} create job --from=cronjob/${cronjob} ${cronjob}-manual`;
  const failed: AlertRule = {
    alert: 'VeleroRestoreDrillFailed',
    // the newest Job of the drill's CronJob (by start time) has failed; a later successful run resolves it
    expr:
      `((${ownJobs}) and on (namespace, job_name) (kube_job_failed{namespace="${ns}", condition="true"} == 1)) ` +
      `== on (namespace) group_left () max by (namespace) (${ownJobs})`,
    for: promDuration(FAILED_FOR),
    labels: { severity: 'critical', cronjob, schedule },
    annotations: {
      summary: `Restore drill of schedule '${schedule}' failed: its newest backup did not restore cleanly`,
      description: [
        `The last run of CronJob ${ns}/${cronjob} (Job {{ $labels.job_name }}) failed: the newest Completed backup of Schedule '${schedule}' could not be restored into scratch namespaces and read back, so a real restore may fail too. Its last log line names the failed step (preflight, pick-backup, create-restore, wait-restore, verify-pvc-bound, verify-read or cleanup).`,
        'First steps:',
        `- kubectl -n ${ns} logs job/{{ $labels.job_name }} | grep 'drill '`,
        `- velero backup get --selector velero.io/schedule-name=${schedule}`,
        `- kubectl get namespaces -l velero-cdk8s.io/restore-drill=${cronjob} (leftovers the next run removes)`,
        `- after a fix, re-run: ${rerun}-$(date +%s)`,
      ].join('\n'),
    },
  };
  const threshold = seconds(d.staleAfter);
  const lastSuccess = `kube_cronjob_status_last_successful_time{namespace="${ns}", cronjob="${cronjob}"}`;
  const staleDescription = (what: string) =>
    [
      `${what} The drill runs '${d.cron}' (every ${promDuration(seconds(d.cadence))} at most); without a recent successful drill nothing shows that the backups of Schedule '${schedule}' still restore.`,
      'First steps:',
      `- kubectl -n ${ns} get cronjob ${cronjob} jobs -l app.kubernetes.io/component=restore-drill`,
      `- kubectl -n ${ns} describe cronjob ${cronjob} (suspended? missed schedules?)`,
      `- run it now: ${rerun}-$(date +%s)`,
    ].join('\n');
  const stale: AlertRule = {
    alert: 'VeleroRestoreDrillStale',
    expr: `time() - max by (namespace, cronjob) (${lastSuccess}) > ${threshold}`,
    for: promDuration(STALE_FOR),
    // `reason` tells the two VeleroRestoreDrillStale rules apart (promtool flags same-name, same-label rules)
    labels: { severity: 'warning', cronjob, schedule, reason: 'overdue' },
    annotations: {
      summary: `No successful restore drill of schedule '${schedule}' for more than ${promDuration(threshold)}`,
      description: staleDescription(
        `The last successful run of CronJob ${ns}/${cronjob} (kube_cronjob_status_last_successful_time) is older than ${promDuration(threshold)}: the drill's cadence plus its run time and ${promDuration(threshold - seconds(d.cadence) - d.activeDeadlineSeconds)} of slack.`,
      ),
    },
  };
  const absent: AlertRule = {
    alert: 'VeleroRestoreDrillStale',
    // never succeeded (or the CronJob is not seen): waits the same threshold, so a new drill gets its first run
    expr: `absent(${lastSuccess})`,
    for: promDuration(threshold),
    labels: { severity: 'warning', cronjob, schedule, reason: 'never-succeeded' },
    annotations: {
      summary: `Restore drill of schedule '${schedule}' has not succeeded once in ${promDuration(threshold)}`,
      description: staleDescription(
        `CronJob ${ns}/${cronjob} has no successful run for ${promDuration(threshold)} (kube_cronjob_status_last_successful_time is absent): it never succeeded, it does not exist, or kube-state-metrics is not scraped.`,
      ),
    },
  };
  return {
    group: `velero.restore-drill.${cronjob}`,
    rules: [failed, stale, absent],
    tests: [...failedCases(d, failed), ...staleCases(d, stale, absent, threshold)],
  };
}

function failedCases(d: RestoreDrillAlertInput, rule: AlertRule): AlertTestCase[] {
  const ns = d.namespace;
  const job = (name: string, owner: string, start: number, failedNow: number | string): InputSeries[] => [
    {
      series: `kube_job_owner{namespace="${ns}", job_name="${name}", owner_kind="CronJob", owner_name="${owner}", owner_is_controller="true"}`,
      values: '1x60',
    },
    { series: `kube_job_status_start_time{namespace="${ns}", job_name="${name}"}`, values: `${start}x60` },
    { series: `kube_job_failed{namespace="${ns}", job_name="${name}", condition="true"}`, values: String(failedNow) },
  ];
  const a = `${d.name}-29000000`;
  const b = `${d.name}-29043200`;
  const caseOf = (
    name: string,
    series: InputSeries[],
    evalTime: string,
    firing: Record<string, string>[],
  ): AlertTestCase => ({
    name: `VeleroRestoreDrillFailed ${d.name}: ${name}`,
    rule,
    interval: '1m',
    series,
    evalTime,
    firing,
  });
  return [
    caseOf('the newest run failed fires', job(a, d.name, 0, '0x5 1x55'), '20m', [{ namespace: ns, job_name: a }]),
    caseOf('a failure younger than 5m stays silent', job(a, d.name, 0, '0x5 1x55'), '8m', []),
    caseOf(
      'a failed run followed by a successful one stays silent',
      [...job(a, d.name, 0, '1x60'), ...job(b, d.name, 600, '0x60')],
      '30m',
      [],
    ),
    caseOf(
      'a successful run followed by a failed one fires',
      [...job(a, d.name, 0, '0x60'), ...job(b, d.name, 600, '0x15 1x45')],
      '30m',
      [{ namespace: ns, job_name: b }],
    ),
    caseOf('a running drill stays silent', job(a, d.name, 0, '0x60'), '30m', []),
    caseOf('a failed Job of another CronJob stays silent', job(a, 'some-other-cronjob', 0, '1x60'), '30m', []),
  ];
}

function staleCases(
  d: RestoreDrillAlertInput,
  stale: AlertRule,
  absent: AlertRule,
  threshold: number,
): AlertTestCase[] {
  const ns = d.namespace;
  const last = `kube_cronjob_status_last_successful_time{namespace="${ns}", cronjob="${d.name}"}`;
  const other = `kube_cronjob_status_last_successful_time{namespace="${ns}", cronjob="some-other-cronjob"}`;
  const at = (s: number) => promDuration(s);
  const firing = [{ namespace: ns, cronjob: d.name }];
  const caseOf = (
    rule: AlertRule,
    name: string,
    step: Step,
    series: InputSeries[],
    evalAt: number,
    f: Record<string, string>[],
  ): AlertTestCase => ({
    name: `VeleroRestoreDrillStale ${d.name}: ${name}`,
    rule,
    interval: at(step.interval),
    series,
    evalTime: at(evalAt),
    firing: f,
  });
  // overdue: the age of the last success is a sample value, so 30 minutes at 1m show it exactly
  const now = 30 * 60;
  const minutes = stepFor(now, 60);
  const overdue = (name: string, age: number, f: Record<string, string>[]) =>
    caseOf(stale, name, minutes, [{ series: last, values: aged(age, now, minutes) }], now, f);
  // never succeeded: absent() holds from the first evaluation, so it is pending from 0 on any interval and
  // fires at the first evaluation at or past its `for:`; evaluated on hour boundaries, that is exact
  const hours = stepFor(gridCeil(threshold, HOUR), HOUR);
  const due = gridCeil(threshold, HOUR);
  const before = gridFloor(threshold - 1, HOUR);
  return [
    overdue(`last success ${at(threshold - HOUR)} ago stays silent`, threshold - HOUR, []),
    overdue(`last success more than ${at(threshold)} ago fires`, threshold + STALE_FOR + 2 * 60, firing),
    overdue(
      'a drill that succeeds every cadence stays silent until its next run ends',
      seconds(d.cadence) + d.activeDeadlineSeconds,
      [],
    ),
    caseOf(
      absent,
      `never succeeded for ${at(threshold)} fires`,
      hours,
      [{ series: other, values: constant(0, hours) }],
      due,
      firing,
    ),
    caseOf(
      absent,
      `a new drill ${at(before)} old (before its threshold) stays silent`,
      hours,
      [{ series: other, values: constant(0, hours) }],
      before,
      [],
    ),
    caseOf(
      absent,
      'a drill with a recent success stays silent',
      hours,
      [{ series: last, values: fresh(hours) }],
      due,
      [],
    ),
  ];
}
