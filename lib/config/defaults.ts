/**
 * Every default the code applies to a config field (or construct prop) in more than one place, once: the
 * constructs, the stack and lib/ read them from here instead of repeating the literal. Each value is the one the
 * field's JSDoc in lib/config/types.ts states (`@default`), which the generated schema shows editors;
 * test/config/schema-stated-defaults.test.ts proves that what renders without the field is what renders with it set to
 * the stated default. Version pins stay in lib/versions/ (versions.ts, velero-lines.ts).
 */

import type { ResourcesConfig } from './types';

/**
 * Container resources when the config states none, each the text its field's JSDoc states (`requests 100m / 256Mi,
 * limits 1000m / 512Mi`, checked by test/config/schema-defaults.test.ts).
 */
export const RESOURCES_DEFAULTS: Readonly<
  Record<'server' | 'nodeAgent' | 'drill' | 'snapshotController', ResourcesConfig>
> = Object.freeze({
  /** ReleaseConfig.resources: the CPU limit is upstream `velero install`'s (its JSDoc says why). */
  server: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } },
  /** NodeAgentConfigOptions.resources. */
  nodeAgent: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
  /** DrillConfig.resources: the drill runner. */
  drill: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
  /** CsiConfig.resources: the snapshot-controller. */
  snapshotController: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '50m', memory: '64Mi' } },
});

/** The Velero release (ReleaseConfig). */
export const RELEASE_DEFAULTS = Object.freeze({
  namespace: 'velero',
  /** The Helm release name of an adopted chart install (InstallerConfig `helm`). */
  helmReleaseName: 'velero',
  credentials: Object.freeze({ name: 'cloud-credentials', key: 'cloud' }),
  /** Take CSI snapshots (ReleaseConfig.csiSnapshots; a schedule's snapshotVolumes follows it). */
  csiSnapshots: true,
  prometheusSelectorLabels: Object.freeze({ release: 'kube-prometheus-stack' }) as Readonly<Record<string, string>>,
});

/** A BackupStorageLocation's access mode (StorageLocationBase.accessMode). */
export const ACCESS_MODE_DEFAULT = 'ReadWrite' as const;

/** Where kube-state-metrics and the Prometheus run (AlertsConfig.kubeStateMetrics, prometheusRuleSelector). */
export const MONITORING_NAMESPACE_DEFAULT = 'monitoring';

/** ArgoCD (ArgoCdConfig) and the stack's Applications (ApplicationConfig). */
export const ARGOCD_DEFAULTS = Object.freeze({
  namespace: 'argocd',
  project: 'infrastructure',
  /** The API server an Application deploys to: ArgoCD's own cluster (ClusterConfig.server). */
  server: 'https://kubernetes.default.svc',
  repository: Object.freeze({ targetRevision: 'HEAD', distPath: 'dist' }),
  /** Each rendered Application's name (ApplicationConfig.name). */
  names: Object.freeze({
    crds: 'backup-crds',
    csiSnapshots: 'csi-snapshots',
    velero: 'velero',
    root: 'velero-cdk8s',
  }),
});

/** A toleration's operator (TolerationConfig.operator): the API server's default. */
export const TOLERATION_OPERATOR_DEFAULT = 'Equal' as const;

/** A schedule's namespaces (ScheduleConfig.includedNamespaces): all of them. */
export const INCLUDED_NAMESPACES_DEFAULT: readonly string[] = Object.freeze(['*']);

/** Where upstream's install runs the snapshot-controller, when the stack renders none of its own. */
export const UPSTREAM_SNAPSHOT_CONTROLLER_NAMESPACE = 'kube-system';

/** CsiConfig.namespace: the snapshot-controller's own namespace when the stack renders it. */
export const CSI_NAMESPACE_DEFAULT = 'snapshot-controller';
