/**
 * A fake cluster built from a render: the emulated API server with every rendered object applied through its
 * chain as the cluster's admin (what an ArgoCD sync does), the namespaces the render uses but does not own
 * created as the cluster already has them (no Pod Security label: the API server's default, privileged), and
 * the drill's world (a backup of each rendered Schedule, the Restore controller, the provisioner, the kubelet).
 */
import type { RenderedObject } from '../../lib/output/output';
import { DEFAULT_TRACKING_METHOD } from '../../lib/restore/resource-modifiers';
import { ApiServer } from './api-server';
import { installDrillWorld, type DrillWorldOptions, type VolumeContent } from './drill-world';
import type { RenderedDrill } from './drill-harness';
import type { KubeObject } from './types';

/** The synced objects of one cluster (`restores/` is applied by hand in a runbook, never synced). */
export function syncedObjects(rendered: readonly RenderedObject[], clusterPrefix = ''): KubeObject[] {
  return rendered
    .filter((r) => (clusterPrefix ? r.folder.startsWith(clusterPrefix) : !r.folder.startsWith('clusters/')))
    .filter((r) => !r.folder.endsWith('restores'))
    .map((r) => r.object as KubeObject);
}

export interface FakeClusterOptions extends Omit<DrillWorldOptions, 'volumes' | 'trackingMethod'> {
  /** The config's `argocd.trackingMethod` (how the source cluster's ArgoCD tracked it). @default 'annotation' (ArgoCD 3.x) */
  readonly trackingMethod?: DrillWorldOptions['trackingMethod'];
  /** The source cluster's volumes. @default `volumesFor(drills)` */
  readonly volumes?: Readonly<Record<string, VolumeContent>>;
  /** Schemas to validate against, e.g. `{ velero: 'v1.17.2' }`. @default the pins */
  readonly schemaVersions?: Readonly<Record<string, string>>;
  /** Objects to leave out of the sync (a fault: e.g. the drill's policies of another render). */
  readonly replace?: (objects: KubeObject[]) => KubeObject[];
}

/**
 * The volumes a healthy source cluster has for these drills: every declared verify path of each drill as a
 * readable file, and a volume `data` holding one file in each restored namespace that declares none.
 */
export function volumesFor(drills: readonly RenderedDrill[]): Record<string, VolumeContent> {
  const volumes: Record<string, Record<string, string>> = {};
  for (const d of drills) {
    const verify = JSON.parse(d.env.DRILL_VERIFY || '[]') as { namespace: string; pvc: string; path: string }[];
    for (const v of verify) (volumes[`${v.namespace}/${v.pvc}`] ??= {})[v.path.replace(/^\/+/, '')] = 'content\n';
    for (const entry of d.env.DRILL_NAMESPACE_MAPPING.split(',')) {
      const source = entry.split('=')[0];
      if (!verify.some((v) => v.namespace === source)) volumes[`${source}/data`] = { 'README.txt': 'data\n' };
    }
  }
  return volumes;
}

export function fakeCluster(
  objects: readonly KubeObject[],
  drills: readonly RenderedDrill[],
  options: FakeClusterOptions = {},
): ApiServer {
  const server = new ApiServer({ schemaVersions: options.schemaVersions });
  const applied = options.replace ? options.replace([...objects]) : [...objects];
  const volumes = options.volumes ?? volumesFor(drills);
  const owned = new Set(applied.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const used = new Set([
    'default',
    'kube-system',
    ...applied.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined),
    ...Object.keys(volumes).map((k) => k.split('/')[0]),
  ]);
  const existing = [...used]
    .filter((n) => !owned.has(n))
    .map((name): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  server.apply([...existing, ...applied]);
  installDrillWorld(
    server,
    applied,
    drills.map((d) => d.schedule),
    {
      veleroVersion: options.schemaVersions?.velero,
      ...options,
      volumes,
      trackingMethod: options.trackingMethod ?? DEFAULT_TRACKING_METHOD,
    },
  );
  return server;
}
