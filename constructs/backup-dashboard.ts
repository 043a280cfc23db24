import { Construct } from 'constructs';
import { KubeConfigMap } from 'cdk8s-plus-30/lib/imports/k8s';
import { recommendedLabels } from '../lib/kube/labels';
import { isDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import { dashboardRows, type DashboardRow } from '../lib/dashboard/panels';
import { veleroDashboard, type DashboardJson } from '../lib/dashboard/grafana';
import { metricsFor, SCRAPED_SOURCES } from '../lib/alerts/metrics-catalog';
import { checkAlertExpression } from '../lib/alerts/promql';
import type { BackupAlerts } from './backup-alerts';
import type { IVeleroRelease } from './velero-release';
import type { DashboardConfig } from '../lib/config/types';

/**
 * The dashboard's props: the config's `DashboardConfig` fields (each documented, with its default, once in
 * lib/config/types.ts; `enabled` is the stack's) plus what the stack wires in.
 */
export interface BackupDashboardProps extends Omit<DashboardConfig, 'enabled'> {
  readonly release: IVeleroRelease;
  /** The alerts whose rules the panels show (their thresholds colour the panels). */
  readonly alerts: BackupAlerts;
  /** The drills: the schedule each restores and its CronJob name. @default [] */
  readonly drills?: readonly { readonly schedule: string; readonly cronJob: string; readonly namespace: string }[];
  /** Name of the ConfigMap (and the dashboard's uid). @default 'velero-dashboard' */
  readonly name?: string;
}

/** The dashboard's key in the ConfigMap; the sidecar writes it to a file of that name. */
export const DASHBOARD_KEY = 'velero.json';

/**
 * A Grafana dashboard of the backups, generated from the stack's alert rules (lib/dashboard/panels.ts), in a
 * ConfigMap labelled `grafana_dashboard: "1"`: kube-prometheus-stack's Grafana sidecar loads it from any
 * namespace (prometheus-community/helm-charts kube-prometheus-stack values.yaml `grafana.sidecar.dashboards`:
 * label `grafana_dashboard`, labelValue `"1"`, searchNamespace `ALL`).
 */
export class BackupDashboard extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The rows and panels, with the queries and when each shows a failure. */
  public readonly rows: readonly DashboardRow[];
  /** The dashboard JSON model. */
  public readonly dashboard: DashboardJson;

  constructor(scope: Construct, id: string, props: BackupDashboardProps) {
    super(scope, id);
    this.name = props.name ?? 'velero-dashboard';
    this.namespace = props.namespace ?? props.release.namespace;
    if (!isDnsSubdomain(this.name) || this.name.length > 40) {
      throw new Error(
        `dashboard: name '${this.name}' is not a valid ConfigMap name and Grafana uid; use at most 40 lowercase letters, digits, '-' and '.'`,
      );
    }
    if (!isDnsLabel(this.namespace)) {
      throw new Error(
        `dashboard: namespace '${this.namespace}' is not a valid DNS-1123 label; use lowercase letters, digits and '-'`,
      );
    }
    const folderKey = props.folderAnnotation ?? 'grafana_folder';
    if (props.folder !== undefined && !/^([a-z0-9.-]+\/)?[A-Za-z0-9_.-]+$/.test(folderKey)) {
      throw new Error(
        `dashboard: folderAnnotation '${folderKey}' is not an annotation key; use e.g. 'grafana_folder' (docs/pitfalls.md#dashboard)`,
      );
    }
    const { alerts } = props;
    this.rows = dashboardRows({
      rules: alerts.rules,
      schedules: Object.keys(alerts.thresholds),
      namespace: props.release.namespace,
      job: props.release.metricsServiceName,
      drills: props.drills ?? [],
    });
    // every query is parsed and checked against the version's metrics, as the alerts' are
    const catalog = metricsFor(props.release.version);
    for (const row of this.rows)
      for (const panel of row.panels)
        for (const t of panel.targets) {
          checkAlertExpression(`dashboard panel '${panel.title}'`, t.expr, {
            catalog,
            scrapedSources: SCRAPED_SOURCES,
          });
        }
    this.dashboard = veleroDashboard(this.name, 'Velero backups', this.rows);
    new KubeConfigMap(this, 'ConfigMap', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...recommendedLabels('velero', props.release.version), component: 'velero', grafana_dashboard: '1' },
        ...(props.folder !== undefined ? { annotations: { [folderKey]: props.folder } } : {}),
      },
      data: { [DASHBOARD_KEY]: `${JSON.stringify(this.dashboard, null, 2)}\n` },
    });
  }
}
