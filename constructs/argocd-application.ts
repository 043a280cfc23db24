import { Construct } from 'constructs';
import { Application } from '../imports/argocd-application-argoproj.io';
import { recommendedLabels } from '../lib/kube/labels';

/** Where the rendered repo lives. Every Application that syncs a dist/ folder reads it. */
export interface GitRepository {
  /** The Git repository ArgoCD clones, e.g. `https://github.com/homelab/velero-cdk8s.git` (main.ts REPOSITORY). */
  readonly repoURL: string;
  /** Branch, tag or commit ArgoCD follows. @default 'HEAD' */
  readonly targetRevision?: string;
  /** Path of the rendered output inside the repo. @default 'dist' */
  readonly distPath?: string;
}

/** The repository with its defaults resolved (targetRevision 'HEAD', distPath 'dist'). */
export function resolveRepository(repository: GitRepository): Required<GitRepository> {
  return { targetRevision: 'HEAD', distPath: 'dist', ...repository };
}

export interface ArgoCdApplicationProps {
  /** Application name, e.g. `velero`. */
  readonly name: string;
  /** The dist/ folder this Application syncs (the chart id). */
  readonly folder: string;
  /** Version of what the folder deploys, for `app.kubernetes.io/version` (e.g. the Velero tag). */
  readonly version: string;
  /** Destination namespace of namespaced objects. */
  readonly destinationNamespace: string;
  /** Where the rendered folder lives. */
  readonly repository: GitRepository;
  /** ArgoCD project. @default 'infrastructure' */
  readonly project?: string;
  /** Namespace ArgoCD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Sync wave of the Application itself (app-of-apps ordering). @default 0 */
  readonly syncWave?: number;
  /** Create the destination namespace. @default true */
  readonly createNamespace?: boolean;
  /** Further sync options, after the Application's own (e.g. `ServerSideApply=true`). @default [] */
  readonly syncOptions?: readonly string[];
  /** API server of the destination cluster. @default 'https://kubernetes.default.svc' (ArgoCD's own) */
  readonly destinationServer?: string;
}

/** Retry backoff shared by every Application: 5 tries, 5s doubling up to 3m. */
export const SYNC_RETRY = { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } };

/** `base` followed by the `extra` options it does not hold yet (an option is `Name=value`; a later value of the same name wins). */
export function withSyncOptions(base: readonly string[], extra: readonly string[] = []): string[] {
  const out = [...base];
  for (const option of extra) {
    const name = option.split('=')[0];
    const at = out.findIndex((o) => o.split('=')[0] === name);
    if (at >= 0) out[at] = option;
    else out.push(option);
  }
  return out;
}

/**
 * An ArgoCD Application that syncs one rendered folder with automated prune and selfHeal.
 *
 * No `resources-finalizer`: deleting the Application orphans its objects instead of deleting every
 * Schedule, BSL and the namespace with it. `allowEmpty` stays false, so an empty render is refused
 * (csi-argocd-prometheus-facts.md §4.2).
 */
export class ArgoCdApplication extends Construct {
  public readonly name: string;
  public readonly folder: string;
  public readonly sourcePath: string;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    const repo = resolveRepository(props.repository);
    this.name = props.name;
    this.folder = props.folder;
    this.sourcePath = `${repo.distPath}/${props.folder}`;
    new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace ?? 'argocd',
        labels: recommendedLabels(props.name, props.version),
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave ?? 0) },
      },
      spec: {
        project: props.project ?? 'infrastructure',
        source: {
          repoUrl: repo.repoURL,
          targetRevision: repo.targetRevision,
          path: this.sourcePath,
          // only the folder's own YAML files: no recursion into anything else
          directory: { recurse: false, include: '*.yaml' },
        },
        destination: {
          server: props.destinationServer ?? 'https://kubernetes.default.svc',
          namespace: props.destinationNamespace,
        },
        syncPolicy: {
          automated: { prune: true, selfHeal: true, allowEmpty: false },
          syncOptions: withSyncOptions(
            [
              ...((props.createNamespace ?? true) ? ['CreateNamespace=true'] : []),
              // custom resources may reach the API before their CRDs on a first sync into an empty cluster
              'SkipDryRunOnMissingResource=true',
              'PruneLast=true',
            ],
            props.syncOptions,
          ),
          retry: SYNC_RETRY,
        },
      },
    });
  }
}
