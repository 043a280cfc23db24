import { App } from 'cdk8s';
import { PLACEHOLDER_REPO_URL } from '../lib/argocd/argocd-settings';
import { fleetClusters, fleetFieldPath, type FleetCluster } from '../lib/config/fleet';
import { assertOneWriterPerLocation, resolveLocations } from '../lib/config/locations';
import type { BackupStackConfig } from '../lib/config/types';
import { ConfigError, validateConfig } from '../lib/config/validate';
import { FolderChart } from '../lib/output/folder-chart';
import { renderApp, type RenderedObject } from '../lib/output/output';
import type { OutputCheck } from '../lib/output/synth';
import { backupPlan, renderPlanMarkdown } from '../lib/plan/plan';
import { checkInvariants, foldersOf } from '../lib/validation/invariants';
import { schemaCheck } from '../lib/validation/schema';
import { VELERO_VERSION } from '../lib/versions/versions';
import { BackupStack } from './backup-stack';
import { FleetApplicationSet } from './fleet-application-set';
import { ARGOCD_DEFAULTS } from '../lib/config/defaults';

/** One built cluster of a fleet. */
export interface BuiltCluster extends FleetCluster {
  readonly app: App;
  readonly stack: BackupStack;
}

/** What a config renders: the objects (folders relative to dist/), the checks they must pass, the plan. */
export interface RenderedConfig {
  readonly objects: readonly RenderedObject[];
  readonly checks: readonly OutputCheck[];
  /** BACKUP-PLAN.md: one section per cluster in a fleet. */
  planMarkdown(): string;
  /** The plan files by path: BACKUP-PLAN.md, and in a fleet each cluster's own `clusters/<name>/BACKUP-PLAN.md`. */
  planFiles(): Record<string, string>;
}

/** One cluster's stack, in `app`. */
function buildCluster(app: App, c: FleetCluster): BackupStack {
  return new BackupStack(app, 'Cluster', c.config, { name: c.name, server: c.server, path: '' });
}

/**
 * A cluster's mistake at the path where the user wrote it: in the cluster (`clusters[1] 'dr'.schedules[0] 'x'.ttl`),
 * or in the shared config (`schedules[0] 'x'.ttl`), once; when the shared field fails only with some clusters' own
 * fields (a schedule naming a location one cluster lacks), it names the cluster too. Any other error: under the
 * cluster's path.
 */
function fleetError(planned: readonly FleetCluster[], c: FleetCluster, e: unknown): ConfigError {
  if (!(e instanceof ConfigError)) return Object.assign(new ConfigError(c.path, (e as Error).message), { cause: e });
  const path = fleetFieldPath(c, e.path);
  const shared = !path.startsWith(c.path);
  const failsAlike = (other: FleetCluster) => {
    try {
      buildCluster(new App(), other);
      return false;
    } catch (o) {
      return o instanceof ConfigError && o.path === e.path && o.problem === e.problem;
    }
  };
  const everywhere = !shared || planned.every((other) => other === c || failsAlike(other));
  return Object.assign(new ConfigError(path, everywhere ? e.problem : `in ${c.path}, ${e.problem}`), { cause: e });
}

/** A cluster's storage locations, resolved; a mistake in one is reported where the user wrote it (fleetError). */
function clusterLocations(planned: readonly FleetCluster[], c: FleetCluster) {
  try {
    return resolveLocations(c.config.storageLocations, 'storageLocations');
  } catch (e) {
    throw fleetError(planned, c, e);
  }
}

/**
 * A fleet (issue 16): one config with `clusters`, each cluster a BackupStack of its own (the shared fields
 * deep-merged with its own) rendered into `dist/clusters/<name>/{velero,csi-snapshots,applications}/`,
 * and ONE ApplicationSet in `dist/bootstrap/` (a list generator, one element per cluster) that syncs each
 * cluster's Applications, which deploy to that cluster's API server. ArgoCD does the distribution.
 *
 * Checked across the fleet before anything is built: cluster names unique (and DNS labels, the schema),
 * API servers unique, `restoresFrom` names another cluster (whose default location it adds as ReadOnly),
 * and no two clusters write the same bucket + prefix (velero#627, #5509), naming both clusters.
 */
export class BackupFleet implements RenderedConfig {
  public readonly config: BackupStackConfig;
  public readonly clusters: readonly BuiltCluster[];
  /** The App of dist/bootstrap/ (the ApplicationSet). */
  public readonly root: App;
  public readonly applicationSet: FleetApplicationSet;

  constructor(config: BackupStackConfig, options: { readonly validated?: boolean } = {}) {
    this.config = options.validated ? config : validateConfig(config);
    const planned = fleetClusters(this.config);

    // one writer per bucket + prefix, across the fleet (and within each cluster)
    assertOneWriterPerLocation(
      planned.flatMap((c) =>
        clusterLocations(planned, c).map((location) => ({
          path: c.path,
          label: `cluster '${c.name}' location '${location.name}'`,
          location,
        })),
      ),
      "give each cluster its own bucket or prefix, or let one restore the other's read-only (restoresFrom)",
    );

    this.clusters = planned.map((c) => {
      const app = new App();
      let stack: BackupStack;
      try {
        stack = buildCluster(app, c);
      } catch (e) {
        throw fleetError(planned, c, e);
      }
      return { ...c, app, stack };
    });

    // every Application lands in the management cluster's ArgoCD namespace: one name each
    const seen = new Map<string, string>();
    for (const c of this.clusters) {
      for (const a of c.stack.applications) {
        const other = seen.get(a.name);
        if (other) {
          throw new ConfigError(
            c.path,
            `Application '${a.name}' is cluster '${other}''s too; ArgoCD holds both in one namespace: rename it (argocd.*.name)`,
          );
        }
        seen.set(a.name, c.name);
      }
    }

    const argocd = this.config.argocd ?? {};
    const repository = {
      repoURL: argocd.repository?.repoURL ?? PLACEHOLDER_REPO_URL,
      targetRevision: argocd.repository?.targetRevision ?? ARGOCD_DEFAULTS.repository.targetRevision,
      distPath: argocd.repository?.distPath ?? ARGOCD_DEFAULTS.repository.distPath,
    };
    this.root = new App();
    const bootstrap = new FolderChart(this.root, 'bootstrap');
    this.applicationSet = new FleetApplicationSet(bootstrap, 'Fleet', {
      name: argocd.root?.name,
      elements: this.clusters.map((c) => ({
        cluster: c.name,
        server: c.server,
        path: `${repository.distPath}/clusters/${c.name}/applications`,
      })),
      version: this.config.release?.version ?? VELERO_VERSION,
      repository,
      project: argocd.project,
      argocdNamespace: argocd.namespace,
      syncWave: argocd.root?.syncWave,
      syncOptions: [...(argocd.syncOptions ?? []), ...(argocd.root?.syncOptions ?? [])],
    });
  }

  /** Every object: each cluster's under `clusters/<name>/`, then the ApplicationSet in `bootstrap/`. */
  public get objects(): readonly RenderedObject[] {
    return [
      ...this.clusters.flatMap((c) =>
        renderApp(c.app).map((o) => ({ ...o, folder: `clusters/${c.name}/${o.folder}` })),
      ),
      ...renderApp(this.root),
    ];
  }

  /**
   * Per cluster, over its own objects (folders relative to `clusters/<name>/`, its Applications' paths under
   * `<distPath>/clusters/<name>/`): the invariants, with its own LocalStack locations, and the schemas of its own
   * Velero line. Then bootstrap/ (the ApplicationSet, validated against ArgoCD's committed CRD schema).
   */
  public get checks(): readonly OutputCheck[] {
    const distPath = this.config.argocd?.repository?.distPath ?? ARGOCD_DEFAULTS.repository.distPath;
    const perCluster: OutputCheck = (objects) =>
      this.clusters.flatMap((c) => {
        const prefix = `clusters/${c.name}/`;
        const own = objects
          .filter((o) => o.folder.startsWith(prefix))
          .map((o) => ({ ...o, folder: o.folder.slice(prefix.length) }));
        return [c.stack.invariantsCheck(`${distPath}/clusters/${c.name}`), c.stack.schemaCheck()].flatMap((check) =>
          check(own).map((problem) => `${prefix}${problem}`),
        );
      });
    const root: OutputCheck = (objects) => {
      const own = objects.filter((o) => !o.folder.startsWith('clusters/'));
      return [
        ...checkInvariants(foldersOf(own), { localStackSecretAllowed: false, distPath }),
        ...schemaCheck({}, (result) => {
          for (const note of result.notes) console.error(`validate: ${note}`);
        })(own),
      ];
    };
    return [perCluster, root];
  }

  /** The fleet's BACKUP-PLAN.md, and each cluster's own next to its folders (where its alerts' runbook links point). */
  public planFiles(): Record<string, string> {
    return {
      'BACKUP-PLAN.md': this.planMarkdown(),
      ...Object.fromEntries(
        this.clusters.map((c) => [`clusters/${c.name}/BACKUP-PLAN.md`, renderPlanMarkdown(backupPlan(c.stack.plan))]),
      ),
    };
  }

  /** BACKUP-PLAN.md of the fleet: a summary, then each cluster's plan as its own section. */
  public planMarkdown(): string {
    const out = [
      `# Backup plan: fleet of ${this.clusters.length} clusters`,
      '',
      'Each cluster renders into `dist/clusters/<name>/`; the ApplicationSet in `dist/bootstrap/` syncs it to its API server.',
      '',
      '| cluster | API server | schedules | storage locations |',
      '|---|---|---|---|',
      ...this.clusters.map(
        (c) =>
          `| [${c.name}](#cluster-${c.name}) | ${c.server} | ${c.stack.schedules.length} | ${c.stack.locations
            .map(
              (l) =>
                `${l.name} (${l.profile.bucket}${l.profile.prefix ? `/${l.profile.prefix}` : ''}, ${l.accessMode})`,
            )
            .join(', ')} |`,
      ),
      '',
    ];
    for (const c of this.clusters) {
      // the cluster's heading replaces the plan's title; its sections go one level down
      const plan = renderPlanMarkdown(backupPlan(c.stack.plan)).replace(/^# [^\n]*\n/, '');
      out.push(`## Cluster ${c.name}`, '', demoteHeadings(plan).trim(), '');
    }
    return out.join('\n');
  }
}

/** Markdown headings one level down (`#` -> `##`), outside fenced code blocks. */
function demoteHeadings(md: string): string {
  let fenced = false;
  return md
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return !fenced && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n');
}

/** A single cluster's stack as a RenderedConfig (what `buildConfig` makes of a config without `clusters`). */
export class SingleCluster implements RenderedConfig {
  public readonly app = new App();
  public readonly stack: BackupStack;
  constructor(config: BackupStackConfig) {
    this.stack = new BackupStack(this.app, 'Stack', config);
  }
  public get objects(): readonly RenderedObject[] {
    return renderApp(this.app);
  }
  public get checks(): readonly OutputCheck[] {
    return this.stack.checks;
  }
  public planMarkdown(): string {
    return renderPlanMarkdown(backupPlan(this.stack.plan));
  }
  public planFiles(): Record<string, string> {
    return { 'BACKUP-PLAN.md': this.planMarkdown() };
  }
}

/**
 * Builds what a config renders: one cluster into dist/ (a BackupStack), or a fleet (`clusters`) into
 * dist/clusters/<name>/ plus the ApplicationSet.
 */
export function buildConfig(config: BackupStackConfig): RenderedConfig {
  return config.clusters !== undefined ? new BackupFleet(config) : new SingleCluster(config);
}
