/**
 * What every backup-alert family shares: the Velero server the rules watch (`AlertContext`), a rule with
 * the promtool cases that prove it (`ProvenRule`), and the pieces of expressions and annotations.
 */
import type { AlertRule, AlertTestCase } from './promtool';
import { promDuration } from '../units/duration';

export const HOUR = 3600;
export const DAY = 86_400;
/** Window of the counter alerts (failed, partially failed, validation and snapshot failures). */
export const EVENT_WINDOW = HOUR;

/** Further alerts that join the rule set (e.g. the restore drill's), with their promtool cases. */
export interface AdditionalAlertRules {
  /** PrometheusRule group name, e.g. `velero.restore-drill`; unique in the rule set. */
  readonly group: string;
  readonly rules: readonly AlertRule[];
  /** promtool cases: for every alert at least one where it fires and one where it stays silent. */
  readonly tests: readonly AlertTestCase[];
}

/** What the rule builders need to know about the Velero server. */
export interface AlertContext {
  /** Velero version (picks the storage-location alert's form). */
  readonly version: string;
  /** Namespace of the Velero server: the `namespace` target label of its series. */
  readonly namespace: string;
  /** `job` label of the server's series: the metrics Service name (ServiceMonitor default). */
  readonly job: string;
  /** Labels on every alert. */
  readonly routingLabels: Readonly<Record<string, string>>;
  /** A fleet cluster's name: the `npm run` commands of its descriptions take `--cluster NAME`. @default - one cluster */
  readonly cluster?: string;
}

/** The `--cluster NAME ` a fleet cluster's commands take (`npm run restore -- --cluster dr <name>`), else ''. */
export function clusterFlag(cluster: string | undefined): string {
  return cluster === undefined ? '' : `--cluster ${cluster} `;
}

/** A rule with the promtool cases that prove it. */
export interface ProvenRule {
  readonly rule: AlertRule;
  readonly tests: readonly AlertTestCase[];
}

export function sel(ctx: AlertContext, extra = ''): string {
  return `job="${ctx.job}", namespace="${ctx.namespace}"${extra ? `, ${extra}` : ''}`;
}

/** `velero` CLI with the namespace flag when Velero doesn't run in its default namespace. */
export function veleroCli(ctx: AlertContext, args: string): string {
  return ctx.namespace === 'velero' ? `velero ${args}` : `velero --namespace ${ctx.namespace} ${args}`;
}

export function firstSteps(steps: string[]): string {
  return `First steps:\n${steps.map((s) => `- ${s}`).join('\n')}`;
}

export function serverLogs(ctx: AlertContext, grep = 'error'): string {
  return `kubectl -n ${ctx.namespace} logs deploy/velero | grep -i ${grep}`;
}

export function labels(
  ctx: AlertContext,
  severity: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...ctx.routingLabels, severity, ...extra };
}

/**
 * `increase()` of a per-schedule sum that may be born with its value: the CSI snapshot counters get one new
 * series per backup (label backupName), and the duration histogram is not initialised at start-up, so a
 * series' first sample already holds the event and a plain `increase()` never sees it. A zero baseline from
 * `velero_backup_attempt_total` (initialised for every schedule, §1b item 4) gives the sum a sample before
 * the jump; after a restart the sum drops to the baseline, which `increase()` treats as a counter reset.
 */
export function increaseOfSum(
  ctx: AlertContext,
  metric: string,
  matcher: string,
  window: number,
  step: string,
): string {
  const by = 'sum by (namespace, schedule)';
  return `increase((${by} (${metric}{${sel(ctx, matcher)}}) or 0 * ${by} (velero_backup_attempt_total{${sel(ctx, matcher)}}))[${promDuration(window)}:${step}])`;
}
