/**
 * The small pieces the per-line alert families (lib/alerts/storage-location-status.ts,
 * lib/alerts/repo-maintenance.ts) share: what a rule builder knows about the Velero server, and promtool's
 * expanding notation for input series sampled once a minute.
 */
import type { AlertRule, AlertTestCase } from './promtool';

/** What the rule builders need to know about the Velero server. */
export interface LineAlertContext {
  /** Velero version: picks which metrics the line exports. */
  readonly version: string;
  /** Namespace of the Velero server: the `namespace` label of its series and of its custom resources. */
  readonly namespace: string;
  /** `job` label of the server's series: the metrics Service name. */
  readonly job: string;
  /** Labels on every alert. */
  readonly routingLabels: Readonly<Record<string, string>>;
}

/** A rule with the promtool cases that prove it. */
export interface ProvenLineRule {
  readonly rule: AlertRule;
  readonly tests: readonly AlertTestCase[];
}

/** Sample interval of every case here: one minute. */
export const STEP_SECONDS = 60;

/** `count` samples of `v` in promtool notation (`vxN` is N+1 samples, `_xN` is N). */
function repeat(v: number | '_', count: number): string {
  return v === '_' ? `_x${count}` : `${v}x${count - 1}`;
}

/** `before` for the first `atMinute` minutes, then `after`, over `totalMinutes` minutes. */
export function changeAt(before: number | '_', after: number | '_', atMinute: number, totalMinutes: number): string {
  return `${repeat(before, atMinute)} ${repeat(after, totalMinutes + 1 - atMinute)}`;
}

/** `v` for `totalMinutes` minutes. */
export function steady(v: number, totalMinutes: number): string {
  return repeat(v, totalMinutes + 1);
}

/** `v`, then `other` for `length` minutes from `atMinute`, then `v` again. */
export function blipAt(v: number, other: number, atMinute: number, length: number, totalMinutes: number): string {
  return `${repeat(v, atMinute)} ${repeat(other, length)} ${repeat(v, totalMinutes + 1 - atMinute - length)}`;
}

/** A promtool series selector: `name{a="b", ...}`. */
export function seriesOf(name: string, labels: Readonly<Record<string, string>>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

/** `First steps:` and one line per command, the form every alert description ends with. */
export function firstSteps(steps: readonly string[]): string {
  return `First steps:\n${steps.map((s) => `- ${s}`).join('\n')}`;
}

/** `velero` CLI with the namespace flag when Velero doesn't run in its default namespace. */
export function veleroCli(ctx: LineAlertContext, args: string): string {
  return ctx.namespace === 'velero' ? `velero ${args}` : `velero --namespace ${ctx.namespace} ${args}`;
}
