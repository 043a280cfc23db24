/**
 * A fleet: one config, several clusters. Each cluster's stack is the shared config deep-merged with the
 * cluster's own fields (objects merge key by key; lists, e.g. `schedules` or `storageLocations`, are
 * replaced as a whole, as Helm merges values files). Checks across the fleet: cluster names are DNS labels
 * (the schema) and unique, API servers unique, `restoresFrom` names another cluster, and no two clusters
 * write the same bucket + prefix (velero#627, #5509; checked in constructs/backup-fleet.ts on the resolved
 * locations).
 */
import { ConfigError, configPath, itemPath } from './validate';
import type { BackupStackConfig, ClusterConfig, StackConfig, StorageLocationConfig } from './types';
import { canonicalUrl, DEFAULT_STORAGE_LOCATIONS, resolveLocations } from './locations';

/** ArgoCD's own cluster. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `over` merged onto `base`: objects key by key, everything else (lists included) replaced. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlain(base) || !isPlain(over)) return (over === undefined ? base : over) as T;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

/** `object` without `keys`. */
function omit<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(object).filter(([k]) => !(keys as readonly string[]).includes(k))) as Omit<
    T,
    K
  >;
}

/** One cluster of the fleet, resolved. */
export interface FleetCluster {
  readonly name: string;
  readonly server: string;
  /** Its path in the config: `clusters[1]`. */
  readonly path: string;
  /** The cluster's whole stack config: shared fields merged with its own, `restoresFrom` applied. */
  readonly config: StackConfig;
  readonly restoresFrom?: string;
  /** The cluster's own fields as written under `clusters[i]` (what it overrides in the shared config). */
  readonly own: ClusterConfig;
}

/** The steps of a config path: keys and list indexes (`schedules[0] 'daily'.ttl` -> `schedules`, 0, `ttl`). */
function pathSteps(path: string): (string | number)[] | undefined {
  const steps: (string | number)[] = [];
  const step = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\](?: '[^']*')?|\[("(?:[^"\\]|\\.)*"|'[^']*')\])/;
  for (let rest = path; rest !== '';) {
    const m = step.exec(rest);
    if (!m) return undefined;
    steps.push(
      m[1] ??
        (m[2] !== undefined ? Number(m[2]) : m[3].startsWith('"') ? (JSON.parse(m[3]) as string) : m[3].slice(1, -1)),
    );
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/**
 * Where the user wrote the field at `path` of a cluster's merged config: under the cluster
 * (`clusters[0] 'home'.schedules[0] 'daily'.ttl`) when its own fields set it (a list or a value replaces the
 * shared one whole, an object merges key by key), else in the shared config (`schedules[0] 'daily'.ttl`), once
 * for every cluster. The ReadOnly location `restoresFrom` adds (the last of `storageLocations`) is the cluster's own.
 */
export function fleetFieldPath(cluster: Pick<FleetCluster, 'path' | 'own' | 'config'>, path: string): string {
  const steps = pathSteps(path);
  const under = (): string => (path === '' ? cluster.path : `${cluster.path}${path.startsWith('[') ? '' : '.'}${path}`);
  if (!steps || steps.length === 0) return under();
  if (steps[0] === 'storageLocations' && cluster.own.restoresFrom !== undefined) {
    // the location restoresFrom adds (the last) is the cluster's; the others are where the user wrote them
    const added = (cluster.config.storageLocations?.length ?? 0) - 1;
    if (steps.length === 1 || steps[1] === added) return under();
  }
  let own: unknown = omit(cluster.own, ['name', 'server', 'restoresFrom', 'restoresFromCredential']);
  for (const s of steps) {
    if (!isPlain(own)) return under();
    if (typeof s === 'number' || !(s in own)) return typeof s === 'number' ? under() : path;
    own = own[s];
  }
  return under();
}

/** Each cluster's name and API server are its own; the name → its config path. */
function checkClusterNamesAndServers(clusters: readonly ClusterConfig[]): Map<string, string> {
  const names = new Map<string, string>();
  const servers = new Map<string, string>();
  clusters.forEach((c, i) => {
    const path = itemPath('clusters', i, c);
    const taken = names.get(c.name);
    if (taken)
      throw new ConfigError(
        configPath(path, 'name'),
        `'${c.name}' is the name of ${taken} too; cluster names are unique`,
      );
    names.set(c.name, path);
    const server = c.server ?? IN_CLUSTER_SERVER;
    // one API server, however it is spelled (`https://K.lan:6443/` is `https://k.lan:6443`)
    const other = servers.get(canonicalUrl(server));
    if (other) {
      throw new ConfigError(
        configPath(path, 'server'),
        `'${server}' is the API server of ${other} too${c.server ? '' : " (the default, ArgoCD's own cluster)"}; two clusters on one API server would fight over one velero namespace: give each cluster its server as registered in ArgoCD (docs/pitfalls.md#fleet-servers)`,
      );
    }
    servers.set(canonicalUrl(server), path);
  });
  return names;
}

/** The clusters of a validated fleet config, checked against each other. */
export function fleetClusters(config: BackupStackConfig): FleetCluster[] {
  const { clusters = [], ...shared } = config;
  if (clusters.length === 0)
    throw new ConfigError('clusters', 'is empty; leave it out for one cluster, or list the clusters');
  const names = checkClusterNamesAndServers(clusters);
  const own = (c: ClusterConfig): StackConfig => {
    return deepMerge(shared as StackConfig, omit(c, ['name', 'server', 'restoresFrom', 'restoresFromCredential']));
  };
  const merged = new Map(clusters.map((c) => [c.name, own(c)]));
  return clusters.map((c, i) => {
    const path = itemPath('clusters', i, c);
    let stack = merged.get(c.name)!;
    if (c.restoresFromCredential && c.restoresFrom === undefined) {
      throw new ConfigError(
        configPath(path, 'restoresFromCredential'),
        'is only for restoresFrom; name the cluster to restore from',
      );
    }
    if (c.restoresFrom !== undefined) {
      const source = merged.get(c.restoresFrom);
      if (c.restoresFrom === c.name) {
        throw new ConfigError(
          configPath(path, 'restoresFrom'),
          `names the cluster itself; name the cluster whose backups this one restores`,
        );
      }
      if (!source) {
        throw new ConfigError(
          configPath(path, 'restoresFrom'),
          `'${c.restoresFrom}' is not a cluster of this fleet; use one of ${[...merged.keys()]
            .filter((n) => n !== c.name)
            .map((n) => `'${n}'`)
            .join(', ')}`,
        );
      }
      // the other cluster's default location, seen read-only under the other cluster's name
      const [theirs] = resolveLocations(
        source.storageLocations,
        configPath(names.get(c.restoresFrom)!, 'storageLocations'),
      );
      const mine = stack.storageLocations ?? DEFAULT_STORAGE_LOCATIONS;
      if (mine.some((l) => l.name === c.restoresFrom)) {
        throw new ConfigError(
          configPath(path, 'restoresFrom'),
          `adds a ReadOnly location named '${c.restoresFrom}', but this cluster has a location of that name already; rename it`,
        );
      }
      const where = omit(theirs.config, ['default', 'name', 'accessMode']);
      const readOnly = {
        ...where,
        name: c.restoresFrom,
        accessMode: 'ReadOnly',
        ...(c.restoresFromCredential ? { credential: { ...c.restoresFromCredential } } : {}),
      } as StorageLocationConfig;
      stack = { ...stack, storageLocations: [...mine, readOnly] };
    }
    return {
      name: c.name,
      server: c.server ?? IN_CLUSTER_SERVER,
      path,
      config: stack,
      restoresFrom: c.restoresFrom,
      own: c,
    };
  });
}
