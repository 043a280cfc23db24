import { Construct } from 'constructs';
import { KubeClusterRole, KubeClusterRoleBinding, KubeConfigMap } from 'cdk8s-plus-30/lib/imports/k8s';
import { recommendedLabels } from '../lib/kube/labels';
import { isDnsLabel } from '../lib/kube/names';
import { toPolicyRule, type ServiceAccountPermissions } from '../lib/kube/permissions';
import {
  KSM_BSL_RULES,
  KSM_CONFIG_KEY,
  KSM_CONFIG_MAP,
  bslPhaseConfigYaml,
  type KubeStateMetricsTarget,
} from '../lib/alerts/storage-location-status';
import { MONITORING_NAMESPACE_DEFAULT } from '../lib/config/defaults';

export type { KubeStateMetricsTarget } from '../lib/alerts/storage-location-status';

export interface StorageLocationMetricsProps {
  /** Velero version, for the labels. */
  readonly version: string;
  /** Where kube-state-metrics runs. @default { namespace: 'monitoring', serviceAccountName: 'kube-prometheus-stack-kube-state-metrics' } */
  readonly kubeStateMetrics?: KubeStateMetricsTarget;
}

/**
 * BackupStorageLocation phases as a metric for Velero lines without `velero_backup_location_status_gauge`
 * (v1.15, v1.16; lib/alerts/storage-location-status.ts): the kube-state-metrics custom-resource-state config
 * in a ConfigMap of kube-state-metrics' namespace, and a ClusterRole + binding that let its ServiceAccount list
 * and watch BackupStorageLocations and CRDs (nothing else). kube-prometheus-stack loads the config through
 * the values in the README ("BackupStorageLocation status on Velero 1.15 and 1.16").
 */
export class StorageLocationMetrics extends Construct {
  public readonly namespace: string;
  public readonly serviceAccountName: string;
  public readonly configMapName = KSM_CONFIG_MAP;
  /** What this grants kube-state-metrics' ServiceAccount, and why (docs/permissions.md). */
  public readonly permissions: ServiceAccountPermissions;

  constructor(scope: Construct, id: string, props: StorageLocationMetricsProps) {
    super(scope, id);
    this.namespace = props.kubeStateMetrics?.namespace ?? MONITORING_NAMESPACE_DEFAULT;
    this.serviceAccountName = props.kubeStateMetrics?.serviceAccountName ?? 'kube-prometheus-stack-kube-state-metrics';
    if (!isDnsLabel(this.namespace)) {
      throw new Error(
        `backup alerts: kubeStateMetrics.namespace '${this.namespace}' is not a valid DNS-1123 label; use the namespace kube-state-metrics runs in`,
      );
    }
    const labels = { ...recommendedLabels('velero', props.version), component: 'velero' };
    new KubeConfigMap(this, 'Config', {
      metadata: { name: KSM_CONFIG_MAP, namespace: this.namespace, labels },
      data: { [KSM_CONFIG_KEY]: bslPhaseConfigYaml() },
    });
    const name = 'velero-kube-state-metrics-backupstoragelocations';
    this.permissions = {
      namespace: this.namespace,
      serviceAccount: this.serviceAccountName,
      purpose:
        "kube-state-metrics (kube-prometheus-stack's, not rendered here): exports BackupStorageLocation phases for the storage-location alert",
      grants: [
        {
          kind: 'ClusterRole',
          name,
          binding: { kind: 'ClusterRoleBinding', name },
          rendered: true,
          rules: KSM_BSL_RULES,
        },
      ],
    };
    new KubeClusterRole(this, 'ClusterRole', {
      metadata: { name, labels },
      rules: KSM_BSL_RULES.map(toPolicyRule),
    });
    new KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }],
    });
  }
}
