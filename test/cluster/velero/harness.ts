/**
 * The restore runbooks of one render, run end to end on the emulated cluster: a cluster populated from the
 * render's config (seed-cluster.ts), backed up by the rendered Schedules (backup.ts), the disaster each runbook
 * is for induced, then the runbook's own lines from the rendered BACKUP-PLAN.md run (runbook-runner.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { argocdResourceExclusions } from '../../../lib/argocd/argocd-settings';
import type { ArgoCdTrackingMethod } from '../../../lib/restore/resource-modifiers';
import type { BackupContents, KubeObject } from '../types';
import { emulateBackup } from './backup';
import { MemoryCluster } from './memory-cluster';
import { runRunbook, type RunResult } from './runbook-runner';
import { bootstrapObjects, seedCluster, SYSTEM_NAMESPACES, type SeedVolume } from './seed-cluster';

/** Every object of the YAML files under `dir` (recursively). */
export function loadDir(dir: string): KubeObject[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .sort((a, b) => join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)))
    .flatMap((e) =>
      parseAllDocuments(readFileSync(join(e.parentPath, e.name), 'utf8')).map((d) => d.toJS() as KubeObject),
    )
    .filter((o) => o && o.kind);
}

export interface Render {
  /** Every rendered object (dist/velero, dist/csi-snapshots, ...). */
  readonly objects: readonly KubeObject[];
  /** The rendered Restores by their path relative to the repo root (`dist/restores/x.yaml`). */
  readonly files: Readonly<Record<string, KubeObject[]>>;
  /** The rendered BACKUP-PLAN.md. */
  readonly plan: string;
  readonly volumes: readonly SeedVolume[];
  readonly veleroVersion: string;
  /** The config's `argocd.trackingMethod` as the stack resolved it (its TrackingStripModifiers). */
  readonly trackingMethod: ArgoCdTrackingMethod;
}

export const BACKUP_TIME = '2026-12-01T02:00:00Z';
export const RESTORE_TIME = '2026-12-02T09:00:00Z';

/** The populated cluster and one Completed backup per rendered Schedule. */
export function populated(render: Render): { cluster: MemoryCluster; backups: BackupContents[] } {
  const objects = seedCluster({
    rendered: render.objects,
    volumes: render.volumes,
    trackingMethod: render.trackingMethod,
  });
  const backups = render.objects
    .filter((o) => o.kind === 'Schedule')
    .map((s) => emulateBackup({ source: s, objects, startTimestamp: BACKUP_TIME }));
  return { cluster: new MemoryCluster(objects), backups };
}

/** The shell lines of the fenced blocks of the plan's section under `heading` (up to the next heading of its level or above), each block closed by a line '```'. */
export function sectionLines(plan: string, heading: string): string[] {
  const lines = plan.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no section '${heading}' in the plan`);
  const level = /^#+/.exec(heading)![0].length;
  const out: string[] = [];
  let fenced = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('```')) {
      fenced = !fenced;
      if (!fenced) out.push('```');
    } else if (fenced) out.push(line);
    else if (new RegExp(`^#{1,${level}} `).test(line)) break;
  }
  return out;
}

/** Runs `lines` on `cluster` with the render's files. */
export function run(
  render: Render,
  cluster: MemoryCluster,
  backups: BackupContents[],
  lines: readonly string[],
): RunResult & { missing: string[] } {
  const missing: string[] = [];
  const result = runRunbook(lines, {
    onCheck: (line) => {
      const gone = missingObject(line, cluster);
      if (gone) missing.push(gone);
    },
    cluster,
    backups,
    veleroVersion: render.veleroVersion,
    now: RESTORE_TIME,
    readFile: (path) => {
      const objs = render.files[path];
      if (!objs) throw new Error(`runbook names ${path}, which the render does not have`);
      return structuredClone(objs);
    },
    sync: () => {
      for (const o of bootstrapObjects(render.objects)) {
        if (!cluster.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name!)) cluster.create(o);
      }
    },
  });
  return { ...result, missing };
}

const GET_KINDS: Record<string, [string, string]> = {
  pvc: ['v1', 'PersistentVolumeClaim'],
  configmap: ['v1', 'ConfigMap'],
  pod: ['v1', 'Pod'],
};

/** A `kubectl -n NS get KIND NAME` check whose object is not there (kubectl would print NotFound), or undefined. */
export function missingObject(line: string, cluster: MemoryCluster): string | undefined {
  const m = /^kubectl -n (\S+) get (pvc|configmap|pod) ([a-z0-9.-]+)(\s|$)/.exec(line);
  if (!m) return undefined;
  const [apiVersion, kind] = GET_KINDS[m[2]];
  return cluster.get(apiVersion, kind, m[1], m[3]) ? undefined : `${line}: NotFound`;
}

/**
 * A bare cluster, the rebuild's starting point: the cluster's own namespaces, and ArgoCD installed with the
 * README's `argocd-cm` exclusions (the runbook's step 1, done by hand; lib/argocd/argocd-settings.ts).
 */
export function bareCluster(render: Render): MemoryCluster {
  // ArgoCD runs where the rendered Applications are (argocd.namespace)
  const argocd = render.objects.find((o) => o.kind === 'Application')?.metadata?.namespace ?? 'argocd';
  return new MemoryCluster([
    ...[...SYSTEM_NAMESPACES, argocd].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: argocd },
      data: { 'resource.exclusions': argocdResourceExclusions() },
    },
  ]);
}
