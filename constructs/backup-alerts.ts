import type { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
} from '../imports/monitoring-prometheusrules-monitoring.coreos.com';
import { isNamespaceProtected, uncoveredNamespaces, type UncoveredNamespaces } from '../lib/schedule/coverage';
import { checkLabels, recommendedLabels } from '../lib/kube/labels';
import { isDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import { checkConstruct, checkProps, type PropSpec } from '../lib/validation/props';
import { describeSelector, selectorMatches } from '../lib/kube/label-selector';
import { metricsFor, SCRAPED_SOURCES } from '../lib/alerts/metrics-catalog';
import { checkAlertExpression } from '../lib/alerts/promql';
import type { AlertRule, AlertTestCase } from '../lib/alerts/promtool';
import { scheduleThresholds, type ScheduleThresholds } from '../lib/alerts/thresholds';
import { labels, type AdditionalAlertRules, type AlertContext, type ProvenRule } from '../lib/alerts/rule-kit';
import { backupFailedRule } from '../lib/alerts/backup-failed';
import { partialFailureRule } from '../lib/alerts/partial-failure';
import { backupDelayedRule } from '../lib/alerts/backup-delayed';
import { lastRestorePointRule, restorePointGuard } from '../lib/alerts/last-restore-point';
import { backupAbsentRule, scrapeDownRule } from '../lib/alerts/metric-absent';
import { backupDurationRule } from '../lib/alerts/backup-duration';
import { storageLocationRule } from '../lib/alerts/storage-location';
import { snapshotLocationRule } from '../lib/alerts/snapshot-location';
import { coverageRule } from '../lib/alerts/pvc-coverage';
import { unsnapshottableVolumeRule, type VolumeSnapshotSupport } from '../lib/alerts/unsnapshottable-volume';
import type { BackupSchedule } from './backup-schedule';
import type { IVeleroRelease } from './velero-release';
import { exportsStorageLocationGauge, storageLocationPhaseRules } from '../lib/alerts/storage-location-status';
import { repoMaintenanceAlertApplies, repoMaintenanceFailedRule } from '../lib/alerts/repo-maintenance';
import { StorageLocationMetrics, type KubeStateMetricsTarget } from './storage-location-metrics';
import { MONITORING_NAMESPACE_DEFAULT, UPSTREAM_SNAPSHOT_CONTROLLER_NAMESPACE } from '../lib/config/defaults';
import type { AlertsConfig, PrometheusRuleSelectorConfig } from '../lib/config/types';

export type { AlertRule, AlertTestCase, InputSeries } from '../lib/alerts/promtool';
export type { LabelSelector, LabelSelectorRequirement } from '../lib/kube/label-selector';
export type { ScheduleThresholds } from '../lib/alerts/thresholds';
export type { AdditionalAlertRules } from '../lib/alerts/rule-kit';

/** How the Prometheus selects PrometheusRules (documented once: lib/config/types.ts `PrometheusRuleSelectorConfig`). */
export type PrometheusRuleSelection = PrometheusRuleSelectorConfig;

/**
 * The alerts' props: the config's `AlertsConfig` fields of the same name (each documented, with its default, once in
 * lib/config/types.ts) plus what the stack wires in.
 */
export interface BackupAlertsProps extends Pick<
  AlertsConfig,
  'ruleSelectorLabels' | 'routingLabels' | 'name' | 'prometheusRuleSelector'
> {
  /** The Velero server whose backups the alerts watch; its version picks the metrics catalog. */
  readonly release: IVeleroRelease;
  /** The schedules to watch; each brings its own staleness, absence and duration alerts. */
  readonly schedules: readonly BackupSchedule[];
  /**
   * Namespaces deliberately not backed up, each with the reason: `PVCNotCoveredByBackup` leaves them out
   * (docs/pitfalls.md#coverage). The same map goes to the backup plan.
   * @default {}
   */
  readonly unprotectedNamespaces?: Readonly<Record<string, string>>;
  /** Namespace of the PrometheusRule. @default release.namespace */
  readonly ruleNamespace?: string;
  /** Further alerts for the same rule set, e.g. the restore drill's. @default [] */
  readonly additionalRules?: readonly AdditionalAlertRules[];
  /**
   * Which volumes CSI snapshots can take (the CSI drivers with a VolumeSnapshotClass, the per-PVC exceptions):
   * renders `PVCNotSnapshottable` (lib/alerts/unsnapshottable-volume.ts). @default - no such alert
   */
  readonly volumeSnapshots?: VolumeSnapshotSupport;
  /** A fleet cluster's name: the commands in the alerts' descriptions take `--cluster NAME`. @default - one cluster */
  readonly cluster?: string;
  /**
   * `VeleroBackupDurationHigh` fires for a backup that took longer than this, or than half its
   * schedule's cadence if that is shorter.
   * @default Duration.hours(1)
   */
  readonly backupDurationWarning?: Duration;
  /**
   * kube-state-metrics that exports BackupStorageLocation phases on Velero 1.15/1.16 (no storage-location
   * metric there; constructs/storage-location-metrics.ts).
   * @default kube-prometheus-stack's, in `ruleNamespace` when that is set (next to its Prometheus), else in 'monitoring'
   */
  readonly kubeStateMetrics?: KubeStateMetricsTarget;
  /**
   * The `runbook_url` annotation of each alert (the kube-prometheus convention): the URL of its section in the
   * rendered runbook, e.g. `alertRunbookUrl(repository)` of lib/restore/runbook.ts. @default no runbook_url
   */
  readonly runbookUrl?: (alert: string) => string;
  /**
   * Namespace of the snapshot-controller Deployment (`snapshot-controller`), for the first steps of the
   * snapshot alert: a CsiSnapshotStack's `namespace`. @default 'kube-system' (upstream's install)
   */
  readonly snapshotControllerNamespace?: string;
}

const PROPS: PropSpec = {
  schedules: 'object[]',
  unprotectedNamespaces: 'record?',
  ruleSelectorLabels: 'record?',
  ruleNamespace: 'string?',
  prometheusRuleSelector: 'object?',
  additionalRules: 'object[]?',
  volumeSnapshots: 'object?',
  routingLabels: 'record?',
  backupDurationWarning: 'Duration?',
  name: 'string?',
  kubeStateMetrics: 'object?',
  runbookUrl: 'function?',
  snapshotControllerNamespace: 'string?',
};
/** Prometheus' label name grammar (model.LabelName, legacy scheme); `__`-prefixed names are reserved. */
const PROM_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Why `name` cannot be a label or annotation name of an alerting rule, or undefined. */
function promLabelNameProblem(name: string): string | undefined {
  if (!PROM_LABEL_NAME.test(name)) return 'it is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)';
  if (name.startsWith('__')) return "names starting with '__' are reserved for Prometheus' internal use";
  return undefined;
}

/** Checks the props' JS types and the labels that reach the PrometheusRule (docs/pitfalls.md#alert-labels). */
function checkAlertsProps(props: BackupAlertsProps): void {
  const subject = 'backup alerts';
  checkProps(subject, props, PROPS);
  checkConstruct(subject, 'release', props.release, 'a VeleroRelease', ['namespace', 'version']);
  checkLabels(subject, 'ruleSelectorLabels', props.ruleSelectorLabels ?? {});
  if (props.name !== undefined && (!isDnsSubdomain(props.name) || props.name.length > 63)) {
    throw new Error(
      `${subject}: name '${props.name}' is not a valid PrometheusRule name; use at most 63 lowercase letters, digits, '-' and '.' (docs/pitfalls.md#alert-labels)`,
    );
  }
  for (const field of ['ruleNamespace', 'snapshotControllerNamespace'] as const) {
    const ns = props[field];
    if (ns !== undefined && !isDnsLabel(ns)) {
      throw new Error(
        `${subject}: ${field} '${ns}' is not a valid DNS-1123 label; use lowercase letters, digits and '-'`,
      );
    }
  }
  for (const [k, v] of Object.entries(props.routingLabels ?? {})) {
    const problem = promLabelNameProblem(k);
    if (problem) {
      throw new Error(
        `${subject}: routingLabels key '${k}' is refused: ${problem}, and Prometheus would reject the whole rule group; use e.g. 'team' (docs/pitfalls.md#alert-labels)`,
      );
    }
    if (v === '' || v.includes('{{')) {
      throw new Error(
        `${subject}: routingLabels['${k}'] value '${v}' is ${v === '' ? 'empty, which Prometheus reads as no label, so no route matches' : 'a template; routing labels are plain values'}; use e.g. 'backup' (docs/pitfalls.md#alert-labels)`,
      );
    }
  }
}

const SEVERITIES = ['critical', 'warning', 'info'];
const PROM_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

/**
 * The backup alerts: one PrometheusRule with the seed's seven alerts plus `PVCNotCoveredByBackup`,
 * derived from the release and its schedules, every expression checked against the Velero version's
 * metrics catalog (docs/pitfalls.md#rule-selector, #missing-metrics, #staleness-threshold, #coverage), and the promtool cases that prove each alert fires
 * and stays silent (`testCases`).
 *
 * Ad-hoc backups (`schedule=""`, whose label Prometheus drops) are out of every alert: whoever starts one
 * watches it, and the seed's test procedures create them on purpose. Paused schedules get no staleness
 * alerts and protect nothing.
 */
export class BackupAlerts extends Construct {
  /** Name of the PrometheusRule. */
  public readonly name: string;
  /** Namespace of the PrometheusRule. */
  public readonly ruleNamespace: string;
  /** Labels of the PrometheusRule (recommended labels plus the rule-selector labels). */
  public readonly ruleLabels: Readonly<Record<string, string>>;
  /** Every rule, in rendering order (own rules, then additional ones). */
  public readonly rules: readonly AlertRule[];
  /** The PrometheusRule groups: name and rules. */
  public readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
  /** Thresholds per schedule name (not paused ones). */
  public readonly thresholds: Readonly<Record<string, ScheduleThresholds>>;
  /** The promtool cases generated from the config, plus the additional rules' own. */
  public readonly testCases: readonly AlertTestCase[];
  /** Namespaces whose PVCs `PVCNotCoveredByBackup` reports. */
  public readonly uncovered: UncoveredNamespaces;
  /** The rendered object. */
  public readonly prometheusRule: PrometheusRule;
  /** The kube-state-metrics config for BSL phases (Velero lines without the storage-location gauge). */
  public readonly storageLocationMetrics?: StorageLocationMetrics;

  constructor(scope: Construct, id: string, props: BackupAlertsProps) {
    super(scope, id);
    checkAlertsProps(props);
    const { release } = props;
    this.name = props.name ?? 'velero-backup-alerts';
    this.ruleNamespace = props.ruleNamespace ?? release.namespace;
    const selectorLabels = { ...(props.ruleSelectorLabels ?? release.prometheusSelectorLabels) };
    this.ruleLabels = { ...recommendedLabels('velero', release.version), component: 'velero', ...selectorLabels };
    this.checkSelection(
      props.prometheusRuleSelector ?? { ruleSelector: { matchLabels: release.prometheusSelectorLabels } },
    );

    const schedules = props.schedules;
    this.checkSchedules(release, schedules);
    const unprotected = props.unprotectedNamespaces ?? {};
    this.checkUnprotected(schedules, unprotected);

    const ctx: AlertContext = {
      version: release.version,
      namespace: release.namespace,
      job: release.metricsServiceName,
      routingLabels: props.routingLabels ?? { component: 'velero' },
      cluster: props.cluster,
    };
    const active = schedules.filter((s) => !s.paused);
    const names = active.map((s) => s.name);
    this.thresholds = ruleThresholds(active, props.backupDurationWarning);
    const backups = backupRules(ctx, release, active, this.thresholds);
    // the storage-location signal per line (lib/alerts/storage-location-status.ts): Velero's gauge from 1.17,
    // the BSL's .status.phase through kube-state-metrics before
    const gauge = exportsStorageLocationGauge(release.version);
    if (!gauge) {
      // kube-state-metrics runs next to the Prometheus the rules are placed for (docs/pitfalls.md#ksm-namespace)
      this.storageLocationMetrics = this.renderStorageLocationMetrics(props);
    }
    const locations = locationRules(ctx, release, names, gauge, props.snapshotControllerNamespace);

    this.uncovered = uncoveredNamespaces(schedules, Object.keys(unprotected));
    const groups = ruleGroups(ctx, props, backups, locations);
    if (props.runbookUrl) linkRunbooks(groups, props.runbookUrl);
    const extraTests = additionalTests(props.additionalRules ?? [], groups);

    this.groups = groups.map((g) => ({ name: g.name, rules: g.proven.map((p) => p.rule) }));
    this.rules = this.groups.flatMap((g) => g.rules);
    this.testCases = [...groups.flatMap((g) => g.proven.flatMap((p) => p.tests)), ...extraTests];

    const catalog = metricsFor(release.version);
    for (const rule of this.rules) {
      this.checkRule(rule);
      checkAlertExpression(rule.alert, rule.expr, { catalog, scrapedSources: SCRAPED_SOURCES });
    }
    this.checkEveryAlertProven();

    this.prometheusRule = this.renderPrometheusRule();
  }

  /** kube-state-metrics' BSL-phase series, for the Velero lines without the storage-location gauge. */
  private renderStorageLocationMetrics(props: BackupAlertsProps): StorageLocationMetrics {
    return new StorageLocationMetrics(this, 'StorageLocationMetrics', {
      version: props.release.version,
      kubeStateMetrics: {
        ...props.kubeStateMetrics,
        namespace: props.kubeStateMetrics?.namespace ?? props.ruleNamespace,
      },
    });
  }

  private renderPrometheusRule(): PrometheusRule {
    return new PrometheusRule(this, 'PrometheusRule', {
      metadata: { name: this.name, namespace: this.ruleNamespace, labels: { ...this.ruleLabels } },
      spec: {
        groups: this.groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({
            alert: r.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            ...(r.for ? { for: r.for } : {}),
            labels: { ...r.labels },
            annotations: { ...r.annotations },
          })),
        })),
      },
    });
  }

  private checkSelection(selection: PrometheusRuleSelection): void {
    const subject = `backup alerts: PrometheusRule '${this.name}' in namespace '${this.ruleNamespace}' would not be loaded`;
    if (selection.ruleSelector === null) {
      throw new Error(
        `${subject}: the Prometheus ruleSelector is null, which selects no PrometheusRule; describe the selector it has`,
      );
    }
    if (!selectorMatches(selection.ruleSelector, this.ruleLabels)) {
      throw new Error(
        `${subject}: its labels do not match the Prometheus ruleSelector (${describeSelector(selection.ruleSelector)}); set ruleSelectorLabels to labels it matches (docs/pitfalls.md#rule-selector)`,
      );
    }
    const nsSelector = selection.ruleNamespaceSelector === undefined ? {} : selection.ruleNamespaceSelector;
    if (nsSelector === null) {
      const own = selection.prometheusNamespace ?? MONITORING_NAMESPACE_DEFAULT;
      if (this.ruleNamespace !== own) {
        throw new Error(
          `${subject}: the Prometheus ruleNamespaceSelector is null, so it loads rules from its own namespace '${own}' only; set ruleNamespace to '${own}'`,
        );
      }
      return;
    }
    const nsLabels = { ...(selection.ruleNamespaceLabels ?? {}), 'kubernetes.io/metadata.name': this.ruleNamespace };
    if (!selectorMatches(nsSelector, nsLabels)) {
      throw new Error(
        `${subject}: the namespace does not match the Prometheus ruleNamespaceSelector (${describeSelector(nsSelector)}); set ruleNamespace to a selected namespace or label it`,
      );
    }
  }

  private checkSchedules(release: IVeleroRelease, schedules: readonly BackupSchedule[]): void {
    const seen = new Set<string>();
    for (const s of schedules) {
      if (s.release !== release) {
        throw new Error(
          `backup alerts: schedule '${s.name}' belongs to another VeleroRelease; pass the schedules of this release`,
        );
      }
      if (seen.has(s.name))
        throw new Error(`backup alerts: schedule '${s.name}' is passed twice; pass each schedule once`);
      seen.add(s.name);
    }
  }

  private checkUnprotected(schedules: readonly BackupSchedule[], unprotected: Readonly<Record<string, string>>): void {
    for (const [ns, reason] of Object.entries(unprotected)) {
      if (!reason.trim()) {
        throw new Error(
          `backup alerts: unprotected namespace '${ns}' has no reason; say why its volumes are not backed up`,
        );
      }
      const by = isNamespaceProtected(schedules, ns).by;
      if (by.length) {
        throw new Error(
          `backup alerts: namespace '${ns}' is declared unprotected ('${reason}') but schedule '${by[0].name}' protects its volumes; remove it from unprotectedNamespaces`,
        );
      }
    }
  }

  private checkRule(rule: AlertRule): void {
    const subject = `backup alerts: alert '${rule.alert}'`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(rule.alert)) {
      throw new Error(`${subject}: the name is not a valid Prometheus alert name; use letters, digits and '_'`);
    }
    if (!SEVERITIES.includes(rule.labels.severity)) {
      throw new Error(
        `${subject}: label severity '${rule.labels.severity ?? ''}' is not one of ${SEVERITIES.join(', ')}`,
      );
    }
    for (const [what, keys] of [
      ['label', Object.keys(rule.labels ?? {})],
      ['annotation', Object.keys(rule.annotations ?? {})],
    ] as const) {
      for (const k of keys) {
        const problem = promLabelNameProblem(k);
        if (problem) {
          throw new Error(
            `${subject}: ${what} '${k}' is refused: ${problem}, and Prometheus would reject the whole rule group; use letters, digits and '_' (docs/pitfalls.md#alert-labels)`,
          );
        }
      }
    }
    for (const a of ['summary', 'description']) {
      if (!rule.annotations[a]?.trim())
        throw new Error(
          `${subject}: annotation '${a}' is missing; every alert says what happened and what to run first`,
        );
    }
    if (rule.for !== undefined && !PROM_DURATION.test(rule.for)) {
      throw new Error(`${subject}: for '${rule.for}' is not a Prometheus duration; use e.g. '15m' or '1d6h'`);
    }
  }

  private checkEveryAlertProven(): void {
    for (const alert of [...new Set(this.rules.map((r) => r.alert))]) {
      const cases = this.testCases.filter((c) => c.rule.alert === alert);
      if (!cases.some((c) => c.firing.length > 0)) {
        throw new Error(`backup alerts: alert '${alert}' has no promtool case where it fires; add one to its tests`);
      }
      if (!cases.some((c) => c.firing.length === 0)) {
        throw new Error(
          `backup alerts: alert '${alert}' has no promtool case where it stays silent; add one to its tests`,
        );
      }
    }
  }
}

/** Thresholds per active schedule. */
function ruleThresholds(
  active: readonly BackupSchedule[],
  backupDurationWarning: BackupAlertsProps['backupDurationWarning'],
): Record<string, ScheduleThresholds> {
  const thresholds: Record<string, ScheduleThresholds> = {};
  for (const s of active) thresholds[s.name] = scheduleThresholds(s.cadence, backupDurationWarning);
  return thresholds;
}

/** The `velero.backups` group: failures, delays, absences, durations and last restore points of the active schedules. */
function backupRules(
  ctx: AlertContext,
  release: IVeleroRelease,
  active: readonly BackupSchedule[],
  thresholds: Readonly<Record<string, ScheduleThresholds>>,
): ProvenRule[] {
  const names = active.map((s) => s.name);
  const backups: ProvenRule[] = [
    backupFailedRule(ctx, names),
    ...active.map((s) => backupDelayedRule(ctx, s.name, thresholds[s.name])),
    ...active.map((s) =>
      backupAbsentRule(
        ctx,
        s.name,
        thresholds[s.name],
        names.filter((n) => n !== s.name),
      ),
    ),
    scrapeDownRule(ctx, names),
    partialFailureRule(ctx, names),
    ...active.map((s) => backupDurationRule(ctx, s.name, thresholds[s.name])),
    ...active.flatMap((s) => {
      const guard = restorePointGuard(s.ttl, thresholds[s.name]);
      return guard ? [lastRestorePointRule(ctx, s.name, s.ttl, guard)] : [];
    }),
  ];
  if (repoMaintenanceAlertApplies(release.version, release.nodeAgentEnabled)) {
    backups.push(repoMaintenanceFailedRule(ctx));
  }
  return backups;
}

/** The `velero.locations` group: the storage location's signal for the line, and the snapshot locations'. */
function locationRules(
  ctx: AlertContext,
  release: IVeleroRelease,
  names: readonly string[],
  gauge: boolean,
  snapshotControllerNamespace: string | undefined,
): ProvenRule[] {
  const locations: ProvenRule[] = gauge ? [storageLocationRule(ctx)] : storageLocationPhaseRules(ctx);
  if (release.csiEnabled || release.snapshotLocations.length > 0)
    locations.push(
      snapshotLocationRule(ctx, names, snapshotControllerNamespace ?? UPSTREAM_SNAPSHOT_CONTROLLER_NAMESPACE),
    );
  return locations;
}

/** The rule groups: backups, locations, coverage (when it has rules), then the additional ones, each name once. */
function ruleGroups(
  ctx: AlertContext,
  props: BackupAlertsProps,
  backups: ProvenRule[],
  locations: ProvenRule[],
): { name: string; proven: ProvenRule[] }[] {
  const { schedules } = props;
  const unprotected = props.unprotectedNamespaces ?? {};
  const coverage = coverageRule(ctx, schedules, Object.keys(unprotected));
  const unsnapshottable = props.volumeSnapshots
    ? unsnapshottableVolumeRule(schedules, props.volumeSnapshots, Object.keys(unprotected), labels(ctx, 'warning'))
    : undefined;
  const coverageRules = [coverage, unsnapshottable].filter((r): r is ProvenRule => r !== undefined);

  const groups: { name: string; proven: ProvenRule[] }[] = [
    { name: 'velero.backups', proven: backups },
    { name: 'velero.locations', proven: locations },
    ...(coverageRules.length ? [{ name: 'velero.coverage', proven: coverageRules }] : []),
  ];
  for (const extra of props.additionalRules ?? []) {
    if (groups.some((g) => g.name === extra.group)) {
      throw new Error(
        `backup alerts: rule group '${extra.group}' is defined twice; give each additionalRules entry its own group`,
      );
    }
    groups.push({
      name: extra.group,
      proven: extra.rules.map((rule) => ({
        rule: { ...rule, labels: { ...ctx.routingLabels, ...rule.labels } },
        tests: [],
      })),
    });
  }
  return groups;
}

/**
 * The one place every alert gets its runbook link (the kube-prometheus `runbook_url` convention); the rule
 * builders stay free of repository details. Each rule's promtool cases expect the annotation too.
 */
function linkRunbooks(groups: { proven: ProvenRule[] }[], link: NonNullable<BackupAlertsProps['runbookUrl']>): void {
  const linked = new Map<AlertRule, AlertRule>();
  for (const g of groups)
    for (const p of g.proven)
      linked.set(p.rule, { ...p.rule, annotations: { ...p.rule.annotations, runbook_url: link(p.rule.alert) } });
  for (const g of groups) {
    g.proven = g.proven.map((p) => ({
      rule: linked.get(p.rule)!,
      tests: p.tests.map((t) => ({ ...t, rule: linked.get(t.rule) ?? t.rule })),
    }));
  }
}

/** The additional rules' cases refer to the rules as given; re-pointed at the rules with routing labels. */
function additionalTests(
  additionalRules: NonNullable<BackupAlertsProps['additionalRules']>,
  groups: readonly { name: string; proven: ProvenRule[] }[],
): AlertTestCase[] {
  return additionalRules.flatMap((extra) =>
    extra.tests.map((t) => {
      const i = extra.rules.indexOf(t.rule);
      if (i < 0) {
        throw new Error(
          `backup alerts: promtool case '${t.name}' of group '${extra.group}' tests a rule that is not in that group's rules`,
        );
      }
      const g = groups.find((x) => x.name === extra.group)!;
      return { ...t, rule: g.proven[i].rule };
    }),
  );
}
