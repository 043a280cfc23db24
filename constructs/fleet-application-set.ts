import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { recommendedLabels } from '../lib/kube/labels';
import { SYNC_RETRY, withSyncOptions, type GitRepository } from './argocd-application';
import { ARGOCD_DEFAULTS } from '../lib/config/defaults';

/** One cluster of the fleet, as the list generator hands it to the template. */
export interface FleetElement {
  /** Cluster name. */
  readonly cluster: string;
  /** Its API server, as registered in ArgoCD. */
  readonly server: string;
  /** The repository folder of the cluster's Applications, e.g. `dist/clusters/prod/applications`. */
  readonly path: string;
}

export interface FleetApplicationSetProps {
  readonly elements: readonly FleetElement[];
  /** Version label of the generated Applications (the shared Velero tag). */
  readonly version: string;
  readonly repository: Required<GitRepository>;
  /** @default 'velero-cdk8s' (each generated Application is `<name>-<cluster>`) */
  readonly name?: string;
  /** @default 'infrastructure' */
  readonly project?: string;
  /** Namespace ArgoCD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Sync wave of the generated Applications. @default 0 */
  readonly syncWave?: number;
  /** Further sync options of the generated Applications. @default [] */
  readonly syncOptions?: readonly string[];
}

/**
 * The fleet's app of apps: ONE argoproj.io/v1alpha1 ApplicationSet whose list generator has one element per
 * cluster. Each element's Application syncs the cluster's `clusters/<name>/applications/` folder into
 * ArgoCD's namespace, and those Applications (CRDs, csi-snapshots, velero) deploy to the cluster's API
 * server: ArgoCD does the distribution.
 *
 * - `goTemplate` with `missingkey=error`: a template that names a missing key fails instead of rendering ''.
 * - `preserveResourcesOnDeletion`: deleting the ApplicationSet (or an element) never cascades into the
 *   clusters' backup config (no Application here has a resources finalizer either).
 * - `applicationsSync: create-update`: dropping a cluster from the list leaves its Application in place
 *   (to be deleted by hand), so an edit can't tear a cluster's backups down.
 */
export class FleetApplicationSet extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: FleetApplicationSetProps) {
    super(scope, id);
    this.name = props.name ?? ARGOCD_DEFAULTS.names.root;
    const argocdNamespace = props.argocdNamespace ?? ARGOCD_DEFAULTS.namespace;
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: this.name, namespace: argocdNamespace, labels: recommendedLabels(this.name, props.version) },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: props.elements.map((e) => ({ ...e })) } }],
        syncPolicy: { preserveResourcesOnDeletion: true, applicationsSync: 'create-update' },
        template: {
          metadata: {
            name: `${this.name}-{{.cluster}}`,
            namespace: argocdNamespace,
            labels: { ...recommendedLabels(this.name, props.version), 'velero-cdk8s.io/cluster': '{{.cluster}}' },
            annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave ?? 0) },
          },
          spec: {
            project: props.project ?? ARGOCD_DEFAULTS.project,
            source: {
              repoURL: props.repository.repoURL,
              targetRevision: props.repository.targetRevision,
              path: '{{.path}}',
              directory: { recurse: false, include: '*.yaml' },
            },
            // the cluster's Applications live next to ArgoCD; they deploy to {{.server}}
            destination: { server: 'https://kubernetes.default.svc', namespace: argocdNamespace },
            info: [{ name: 'cluster API server', value: '{{.server}}' }],
            syncPolicy: {
              automated: { prune: true, selfHeal: true, allowEmpty: false },
              syncOptions: withSyncOptions(['PruneLast=true'], props.syncOptions),
              retry: SYNC_RETRY,
            },
          },
        },
      },
    });
  }
}
