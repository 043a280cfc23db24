/**
 * The renders the restore tests run through the emulated Velero: the seed's committed dist/, the seed on every
 * supported Velero line (in memory), and every example config (in memory), each with its plan, its rendered
 * Restores and the scenario targets of its stack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildConfig, type BackupFleet, type SingleCluster } from '../../../constructs/backup-fleet';
import type { BackupStack } from '../../../constructs/backup-stack';
import { loadConfigFile } from '../../../lib/config/load';
import { renderApp } from '../../../lib/output/output';
import { backupPlan, renderPlanMarkdown } from '../../../lib/plan/plan';
import type { RestoreTarget } from '../../../lib/restore/scenario';
import { VELERO_LINES } from '../../../lib/versions/velero-lines';
import { VELERO_VERSION } from '../../../lib/versions/versions';
import { buildStack, SEED_CONFIG } from '../../fixtures/seed';
import type { KubeObject } from '../types';
import { loadDir, type Render } from './harness';

export const REPO = join(__dirname, '../../..');

export interface NamedRender extends Render {
  readonly name: string;
  /** Each scenario's target, by scenario name. */
  readonly targets: Readonly<Record<string, RestoreTarget>>;
}

const targetsOf = (stack: BackupStack) => Object.fromEntries(stack.restores.map((r) => [r.name, r.target]));

/** The Restore objects of a render by the path the runbook names (`<distPath>/restores/<name>.yaml`). */
function restoreFiles(objects: readonly KubeObject[], distPath: string): Record<string, KubeObject[]> {
  return Object.fromEntries(
    objects
      .filter((o) => o.kind === 'Restore' && o.metadata.generateName)
      .map((o) => [`${distPath}/restores/${o.metadata.generateName!.replace(/-$/, '')}.yaml`, [o]]),
  );
}

/** The seed as committed: dist/'s files, read from disk as a person's `kubectl create -f` reads them. */
export function committedSeed(): NamedRender {
  const seed = buildStack().stack;
  const dist = join(REPO, 'dist');
  const files = Object.fromEntries(
    readdirSync(join(dist, 'restores')).map((f) => [
      `dist/restores/${f}`,
      parseAllDocuments(readFileSync(join(dist, 'restores', f), 'utf8')).map((d) => d.toJS() as KubeObject),
    ]),
  );
  return {
    name: 'seed (committed dist/)',
    objects: loadDir(dist),
    files,
    plan: readFileSync(join(dist, 'BACKUP-PLAN.md'), 'utf8'),
    volumes: SEED_CONFIG.volumes,
    veleroVersion: VELERO_VERSION,
    targets: targetsOf(seed),
    trackingMethod: seed.trackingModifiers.trackingMethod,
  };
}

/** The seed rendered in memory on the newest tag of every supported line. */
export function seedOnLines(): NamedRender[] {
  return VELERO_LINES.map((line) => {
    const s = buildStack({ version: line.newestReadTag });
    const objects = renderApp(s.app).map((o) => o.object as KubeObject);
    return {
      name: `seed on ${line.newestReadTag}`,
      objects,
      files: restoreFiles(objects, 'dist'),
      plan: renderPlanMarkdown(backupPlan(s.plan)),
      volumes: SEED_CONFIG.volumes,
      veleroVersion: line.newestReadTag,
      targets: targetsOf(s.stack),
      trackingMethod: s.stack.trackingModifiers.trackingMethod,
    };
  });
}

/** Every example config (each cluster of a fleet on its own). */
export function exampleRenders(): NamedRender[] {
  const dir = join(REPO, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => configRenders(`examples/${f}`, loadConfigFile(join(dir, f))));
}

/** The render of a config object (each cluster of a fleet on its own). */
export function configRenders(name: string, config: Parameters<typeof buildConfig>[0]): NamedRender[] {
  const built = buildConfig(config);
  const distPath = config.argocd?.repository?.distPath ?? 'dist';
  const clusters =
    'clusters' in built
      ? (built as BackupFleet).clusters.map((c) => ({ label: `${name} cluster ${c.name}`, app: c.app, stack: c.stack }))
      : [{ label: basename(name), app: (built as SingleCluster).app, stack: (built as SingleCluster).stack }];
  return clusters.map(({ label, app, stack }) => {
    const objects = renderApp(app).map((o) => o.object as KubeObject);
    return {
      name: label,
      objects,
      files: restoreFiles(objects, distPath),
      plan: renderPlanMarkdown(backupPlan(stack.plan)),
      volumes: stack.plan.volumes ?? config.volumes ?? [],
      veleroVersion: stack.release.version,
      targets: targetsOf(stack),
      trackingMethod: stack.trackingModifiers.trackingMethod,
    };
  });
}
