import { Construct } from 'constructs';
import { Application } from '../imports/argocd-application-argoproj.io';
import { App, Chart, Lazy } from 'cdk8s';
import { recommendedLabels } from '../lib/kube/labels';
import { isDnsLabel, isDnsSubdomain } from '../lib/kube/names';
import { UNSYNCED_FOLDERS } from '../lib/output/folder-chart';
import { chartSource, followCdk8sSynth, type ChartSource } from '../lib/output/layout';
import { checkProps, type PropSpec } from '../lib/validation/props';
import { ARGOCD_DEFAULTS } from '../lib/config/defaults';
import type { ArgoCdConfig } from '../lib/config/types';

/** Where the rendered repo lives. Every Application that syncs a dist/ folder reads it. */
export interface GitRepository extends Omit<NonNullable<ArgoCdConfig['repository']>, 'repoURL'> {
  /** The Git repository ArgoCD clones, e.g. `https://github.com/homelab/velero-cdk8s.git` (the config's `argocd.repository.repoURL`). */
  readonly repoURL: string;
}

/** The repository with its defaults resolved (targetRevision 'HEAD', distPath 'dist'). */
export function resolveRepository(repository: GitRepository): Required<GitRepository> {
  return { ...ARGOCD_DEFAULTS.repository, ...repository };
}

/** An Application's props; `project` is the config's `ArgoCdConfig.project` (documented there, with its default). */
export interface ArgoCdApplicationProps extends Pick<ArgoCdConfig, 'project'> {
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
  /** Further annotations of the Application (e.g. ArgoCD's client-side apply migration manager). @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

const PROPS: PropSpec = {
  name: 'string',
  folder: 'string',
  version: 'string',
  destinationNamespace: 'string',
  repository: 'object',
  project: 'string?',
  argocdNamespace: 'string?',
  syncWave: 'integer?',
  createNamespace: 'boolean?',
  annotations: 'record?',
};

/** Throws unless `value` is an integer (or absent): ArgoCD reads a sync wave it cannot parse as 0. */
export function checkSyncWave(subject: string, value: unknown): void {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw new Error(
      `${subject}: syncWave ${typeof value === 'string' ? `'${value}'` : String(value)} is not an integer; ArgoCD reads a sync wave it cannot parse as 0, which breaks the wave order: use e.g. -5 or 0 (docs/pitfalls.md#argocd-application)`,
    );
  }
}

/**
 * Checks the props against what ArgoCD accepts (docs/pitfalls.md#argocd-application): a name ArgoCD can
 * store, a repository path relative to the repo root without `..`, an integer sync wave.
 */
function checkApplicationProps(props: ArgoCdApplicationProps): void {
  const subject = typeof props?.name === 'string' ? `argocd application '${props.name}'` : 'argocd application';
  checkSyncWave(subject, props?.syncWave);
  checkProps(subject, props, PROPS);
  checkProps(
    subject,
    props.repository,
    { repoURL: 'string', targetRevision: 'string?', distPath: 'string?' },
    'repository.',
  );
  const fail = (message: string): never => {
    throw new Error(`${subject}: ${message} (docs/pitfalls.md#argocd-application)`);
  };
  if (!isDnsSubdomain(props.name) || props.name.length > 63) {
    fail(`name '${props.name}' is not a valid Application name; use at most 63 lowercase letters, digits, '-' and '.'`);
  }
  if (!isDnsLabel(props.folder)) {
    fail(`folder '${props.folder}' is not a dist/ folder name; use the id of a FolderChart, e.g. 'velero'`);
  }
  const distPath = props.repository.distPath;
  if (distPath !== undefined) {
    const segments = distPath.split('/');
    if (
      distPath === '' ||
      distPath.startsWith('/') ||
      distPath.endsWith('/') ||
      segments.some((p) => p === '..' || p === '.' || p === '')
    ) {
      fail(
        `repository.distPath '${distPath}' must be a path relative to the repository root without '.', '..' or a leading or trailing '/' (ArgoCD refuses absolute paths and paths out of the repo); use e.g. 'dist'`,
      );
    }
  }
  if (!/^(https?|ssh|git):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/.test(props.repository.repoURL)) {
    fail(
      `repository.repoURL '${props.repository.repoURL}' is not a Git URL; use e.g. 'https://github.com/homelab/velero-cdk8s.git'`,
    );
  }
  for (const [field, value] of [
    ['destinationNamespace', props.destinationNamespace],
    ['argocdNamespace', props.argocdNamespace],
  ] as const) {
    if (value !== undefined && !isDnsLabel(value)) {
      fail(`${field} '${value}' is not a valid DNS-1123 label; use lowercase letters, digits and '-'`);
    }
  }
  if (props.project !== undefined && !isDnsSubdomain(props.project)) {
    fail(`project '${props.project}' is not a valid AppProject name; use lowercase letters, digits, '-' and '.'`);
  }
}

/** The chart `folder` next to the chart that holds `scope` (both children of one stack), if any. */
function siblingChart(scope: Construct, folder: string): Chart | undefined {
  const parent = Chart.of(scope).node.scope;
  const found = parent?.node.children.find((c) => c.node.id === folder);
  return found && Chart.isChart(found) ? found : undefined;
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
 * (docs/upstream-facts.md#argocd-sync).
 */
export class ArgoCdApplication extends Construct {
  public readonly name: string;
  public readonly folder: string;
  public readonly sourcePath: string;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    checkApplicationProps(props);
    const repo = resolveRepository(props.repository);
    this.name = props.name;
    this.folder = props.folder;
    this.sourcePath = `${repo.distPath}/${props.folder}`;
    const root = this.node.root;
    if (root instanceof App) followCdk8sSynth(root);
    // where the folder's chart lands: known at render, when the App and its output options are final
    const source = (): ChartSource => {
      const chart = siblingChart(this, props.folder);
      const found = chart ? chartSource(chart, repo.distPath) : undefined;
      return found && 'path' in found ? found : { path: this.sourcePath, include: '*.yaml' };
    };
    this.node.addValidation({
      validate: () => {
        const chart = siblingChart(this, props.folder);
        const found = chart ? chartSource(chart, repo.distPath) : undefined;
        return found && 'error' in found ? [`argocd application '${props.name}': ${found.error}`] : [];
      },
    });
    // checked at render, when every folder exists: an Application of a folder that is not rendered syncs nothing
    this.node.addValidation({
      validate: () => {
        const root = this.node.root;
        if (!(root instanceof App)) return [];
        const folders = root.charts.map((c: Chart) => c.node.id).filter((f) => !UNSYNCED_FOLDERS.includes(f));
        if (folders.includes(props.folder)) return [];
        const why = UNSYNCED_FOLDERS.includes(props.folder)
          ? 'is applied by hand (kubectl create), never synced'
          : 'is not a rendered folder, so the Application would sync nothing';
        return [
          `argocd application '${props.name}': folder '${props.folder}' ${why}; use one of ${folders.map((f) => `'${f}'`).join(', ')} (docs/pitfalls.md#argocd-application)`,
        ];
      },
    });
    new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace ?? ARGOCD_DEFAULTS.namespace,
        labels: recommendedLabels(props.name, props.version),
        annotations: { ...props.annotations, 'argocd.argoproj.io/sync-wave': String(props.syncWave ?? 0) },
      },
      spec: {
        project: props.project ?? ARGOCD_DEFAULTS.project,
        source: {
          repoUrl: repo.repoURL,
          targetRevision: repo.targetRevision,
          path: Lazy.any({ produce: () => source().path }),
          // only the folder's own YAML files: no recursion into anything else
          directory: { recurse: false, include: Lazy.any({ produce: () => source().include }) },
        },
        destination: {
          server: props.destinationServer ?? ARGOCD_DEFAULTS.server,
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
