/**
 * Adopting the installer that already runs Velero: the selectors and labels of `velero install`'s and the Helm
 * chart's objects, so that VeleroRelease takes them over in place (docs/upstream-facts.md#velero-install).
 */
import { isDnsLabel } from './names';
import { RELEASE_DEFAULTS } from '../config/defaults';

/**
 * The installer that already runs Velero in the cluster, whose objects this release adopts in place. A
 * Deployment's (and DaemonSet's) `spec.selector` is immutable: a sync with another selector than the running
 * install's fails with "field is immutable" and the old server keeps running (README "Adopting an existing install").
 */
export type VeleroInstaller =
  /** Nothing to adopt: the release's own selector (`app.kubernetes.io/name: velero`, `app.kubernetes.io/component: server`). */
  | { readonly kind: 'none' }
  /** `velero install` (pkg/install/deployment.go): selector `deploy: velero`, every object labelled `component: velero`. */
  | { readonly kind: 'velero-install' }
  /**
   * The vmware-tanzu Helm chart (charts/velero/templates/deployment.yaml): selector `app.kubernetes.io/name: velero`
   * + `app.kubernetes.io/instance: <release>`.
   */
  | {
      readonly kind: 'helm';
      /** The Helm release name (`helm list -n <namespace>`). @default 'velero' */
      readonly releaseName?: string;
      /**
       * The field manager of the chart's objects (`kubectl get deploy velero --show-managed-fields -o
       * jsonpath='{.metadata.managedFields[*].manager}'`): `helm` from Helm 3.7 on (helm#9870), `Go-http-client`
       * before. ArgoCD moves its fields to itself on the first sync (client-side apply migration).
       * @default 'helm'
       */
      readonly fieldManager?: string;
    };

/** What adopting the installer means for the rendered objects and for the first sync. */
export interface Adoption {
  readonly installer: 'none' | 'velero-install' | 'helm';
  /** The server Deployment's `spec.selector.matchLabels` (immutable once applied). */
  readonly serverSelector: Readonly<Record<string, string>>;
  /** Labels of the server pods besides the release's own (the selector and what the installer adds). */
  readonly serverPodLabels: Readonly<Record<string, string>>;
  /** Labels the metrics Service carries and the ServiceMonitor selects. */
  readonly serviceMonitorSelector: Readonly<Record<string, string>>;
  /** Labels of the node-agent pods besides `name: node-agent` (upstream's selector, any installer). */
  readonly nodeAgentPodLabels: Readonly<Record<string, string>>;
  /**
   * Objects of the old install to delete before the first sync (`kind/name`, in the release namespace unless
   * cluster-scoped): hooks that would otherwise run again, and what the new objects do not replace.
   */
  readonly deleteBeforeSync: readonly string[];
  /**
   * What the velero Application needs to take the objects over cleanly: with the chart, `ServerSideApply=true` and
   * ArgoCD's client-side apply migration from Helm's field manager (annotation
   * `argocd.argoproj.io/client-side-apply-migration-manager`, argo-cd v3.1+, gitops-engine
   * pkg/sync/sync_context.go `performCSAUpgradeMigration` at v3.5.1). Without it a plain (client-side) apply of an
   * object that has no `last-applied-configuration` merges lists by key and keeps what the chart had that the
   * release lacks: its plugin init container, the node-agent's `/host_plugins` mount, the `helm.sh/chart` label.
   */
  readonly applicationSyncOptions: readonly string[];
  readonly applicationAnnotations: Readonly<Record<string, string>>;
}

/** The chart's `velero.fullname` (charts/velero/templates/_helpers.tpl): the release name if it contains `velero`. */
export function helmFullname(releaseName: string): string {
  return (releaseName.includes('velero') ? releaseName : `${releaseName}-velero`).slice(0, 63).replace(/-+$/, '');
}

/** Selector and labels per installer (docs/upstream-facts.md#velero-install; the chart's templates at velero-12.1.0). */
export function adoptionFor(installer: VeleroInstaller, namespace: string): Adoption {
  switch (installer.kind) {
    case 'none':
      return {
        installer: 'none',
        serverSelector: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/component': 'server' },
        serverPodLabels: {},
        serviceMonitorSelector: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/component': 'server' },
        nodeAgentPodLabels: { role: 'node-agent' },
        deleteBeforeSync: [],
        applicationSyncOptions: [],
        applicationAnnotations: {},
      };
    case 'velero-install':
      return {
        installer: 'velero-install',
        serverSelector: { deploy: 'velero' },
        serverPodLabels: { component: 'velero' },
        serviceMonitorSelector: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/component': 'server' },
        nodeAgentPodLabels: { component: 'velero', role: 'node-agent' },
        // velero install's objects keep their names (Deployment velero, DaemonSet node-agent, SA velero,
        // ClusterRoleBinding velero / velero-<ns>): all adopted, nothing to delete
        deleteBeforeSync: [],
        // `velero install` creates its objects without a field manager of its own to migrate from; kubectl
        // apply'd ones carry last-applied-configuration, which client-side apply reads
        applicationSyncOptions: [],
        applicationAnnotations: {},
      };
    case 'helm': {
      const release = installer.releaseName ?? RELEASE_DEFAULTS.helmReleaseName;
      if (!isDnsLabel(release, 53)) {
        throw new Error(
          `velero release: installedBy.releaseName '${release}' is not a Helm release name (a DNS-1123 label of at most 53 characters); use the name 'helm list -n ${namespace}' shows`,
        );
      }
      const fullname = helmFullname(release);
      const manager = installer.fieldManager ?? 'helm';
      if (typeof manager !== 'string' || manager === '' || manager.length > 128) {
        throw new Error(
          `velero release: installedBy.fieldManager ${JSON.stringify(manager)} is not a field manager name (1 to 128 characters); use the manager 'kubectl get deploy velero --show-managed-fields' shows, e.g. 'helm'`,
        );
      }
      return {
        installer: 'helm',
        serverSelector: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/instance': release },
        serverPodLabels: { name: 'velero' },
        serviceMonitorSelector: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/instance': release },
        nodeAgentPodLabels: { role: 'node-agent', 'app.kubernetes.io/instance': release },
        deleteBeforeSync: [
          // pre-install/pre-upgrade/pre-rollback hooks (charts/velero/templates/upgrade-crds/): ArgoCD would run them as hooks
          `Job/${fullname}-upgrade-crds`,
          `ClusterRoleBinding/${fullname}-upgrade-crds`,
          `ClusterRole/${fullname}-upgrade-crds`,
          `ServiceAccount/${fullname}-server-upgrade-crds`,
          // pre-delete hook (charts/velero/templates/cleanup-crds.yaml, when cleanUpCRDs): it deletes every Velero CRD
          `Job/${fullname}-cleanup-crds`,
          // the release's own records: without them `helm uninstall` can no longer delete what ArgoCD now owns
          `Secret/sh.helm.release.v1.${release}.*`,
          // metrics.prometheusRule (PrometheusRule <fullname>): its alerts would fire next to velero-backup-alerts
          `PrometheusRule/${fullname}`,
          // configuration.repositoryMaintenanceJob (ConfigMap velero-repo-maintenance, on by default from chart 11):
          // the server no longer names it; with repositoryMaintenance set, the release renders its own of that name
          'ConfigMap/velero-repo-maintenance',
        ],
        applicationSyncOptions: ['ServerSideApply=true'],
        applicationAnnotations: {
          'argocd.argoproj.io/client-side-apply-migration-manager': manager,
        },
      };
    }
  }
}
