import { Construct } from 'constructs';
import { Application } from '../imports/argocd-application-argoproj.io';
import { recommendedLabels } from '../lib/kube/labels';
import { checkConstruct, checkProps } from '../lib/validation/props';
import { VELERO_REPO_URL } from '../lib/versions/versions';
import { checkSyncWave, SYNC_RETRY, withSyncOptions } from './argocd-application';
import type { IVeleroRelease } from './velero-release';
import { ARGOCD_DEFAULTS } from '../lib/config/defaults';

/** One upstream git folder of CRDs at a pinned tag. */
export interface CrdSource {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly path: string;
}

export interface CrdApplicationProps {
  /** The Velero release: its CRDs are synced at exactly its image tag. */
  readonly release: IVeleroRelease;
  /** Further CRD folders, e.g. `CsiSnapshotStack.crdSource`. @default [] */
  readonly additionalSources?: CrdSource[];
  /** @default 'backup-crds' */
  readonly name?: string;
  /** @default 'infrastructure' */
  readonly project?: string;
  /** @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Sync wave: before every Application that holds custom resources. @default -10 */
  readonly syncWave?: number;
  /** Further sync options, after `ServerSideApply=true`. @default [] */
  readonly syncOptions?: readonly string[];
  /** API server of the destination cluster. @default 'https://kubernetes.default.svc' (ArgoCD's own) */
  readonly destinationServer?: string;
}

/**
 * The CRDs, pulled by ArgoCD straight from the upstream repositories at the pinned tags (nothing is
 * copied into this repo), never pruned: pruning a CRD deletes every object of its kind
 * (docs/pitfalls.md#crd-image-skew … docs/pitfalls.md#crd-ordering).
 *
 * - Velero: all 13 CRDs, `config/crd/v1/bases` and `config/crd/v2alpha1/bases` at the release's own
 *   version tag (the same constant as the image; the server refuses to start if any is missing).
 * - Server-side apply: the large CRDs don't fit the client-side last-applied annotation.
 * - `prune: false` at the Application level: a CRD that vanishes from upstream is kept.
 */
export class CrdApplication extends Construct {
  public readonly name: string;
  public readonly sources: readonly CrdSource[];

  constructor(scope: Construct, id: string, props: CrdApplicationProps) {
    super(scope, id);
    const subject = 'crd application';
    checkSyncWave(subject, props?.syncWave);
    checkProps(subject, props, {
      additionalSources: 'object[]?',
      name: 'string?',
      project: 'string?',
      argocdNamespace: 'string?',
      syncWave: 'integer?',
    });
    checkConstruct(subject, 'release', props.release, 'a VeleroRelease', ['version', 'namespace']);
    (props.additionalSources ?? []).forEach((src, i) =>
      checkProps(
        subject,
        src,
        { repoURL: 'string', targetRevision: 'string', path: 'string' },
        `additionalSources[${i}].`,
      ),
    );
    this.name = props.name ?? ARGOCD_DEFAULTS.names.crds;
    this.sources = [
      { repoURL: VELERO_REPO_URL, targetRevision: props.release.version, path: 'config/crd/v1/bases' },
      { repoURL: VELERO_REPO_URL, targetRevision: props.release.version, path: 'config/crd/v2alpha1/bases' },
      ...(props.additionalSources ?? []),
    ];
    new Application(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: props.argocdNamespace ?? ARGOCD_DEFAULTS.namespace,
        labels: recommendedLabels(this.name, props.release.version),
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave ?? -10) },
      },
      spec: {
        project: props.project ?? ARGOCD_DEFAULTS.project,
        sources: this.sources.map((s) => ({ repoUrl: s.repoURL, targetRevision: s.targetRevision, path: s.path })),
        destination: { server: props.destinationServer ?? ARGOCD_DEFAULTS.server },
        syncPolicy: {
          automated: { prune: false, selfHeal: true, allowEmpty: false },
          syncOptions: withSyncOptions(['ServerSideApply=true'], props.syncOptions),
          retry: SYNC_RETRY,
        },
      },
    });
  }
}
