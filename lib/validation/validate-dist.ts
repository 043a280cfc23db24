import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RenderedObject } from '../output/output';
import type { OutputCheck } from '../output/synth';

/**
 * Reads every object of a rendered output directory back from disk (`<folder>/<file>.yaml`), so the
 * checks run on exactly what ArgoCD will read. Anything in a synced folder that is not a YAML file of
 * Kubernetes objects is a problem in itself.
 */
export function readRendered(distDir: string): { objects: RenderedObject[]; problems: string[] } {
  const objects: RenderedObject[] = [];
  const problems: string[] = [];
  const readFolder = (dir: string, folder: string): void => {
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.yaml') || statSync(join(dir, file)).isDirectory()) {
        problems.push(`${folder}/${file}: only Kubernetes YAML files belong in a synced folder`);
        continue;
      }
      const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
      for (const doc of docs) {
        if (doc.errors.length) {
          problems.push(`${folder}/${file}: not valid YAML: ${doc.errors[0].message}`);
          continue;
        }
        objects.push({ folder, file, object: doc.toJSON() });
      }
    }
  };
  for (const folder of readdirSync(distDir).sort()) {
    const dir = join(distDir, folder);
    if (!statSync(dir).isDirectory()) continue; // top-level files such as BACKUP-PLAN.md are not synced
    if (folder !== 'clusters') {
      readFolder(dir, folder);
      continue;
    }
    // a fleet (issue 16): clusters/<name>/<folder>/, each folder synced like a top-level one
    for (const cluster of readdirSync(dir).sort()) {
      const clusterDir = join(dir, cluster);
      if (!statSync(clusterDir).isDirectory()) {
        problems.push(`clusters/${cluster}: only one folder per cluster belongs in clusters/`);
        continue;
      }
      for (const sub of readdirSync(clusterDir).sort()) {
        const subDir = join(clusterDir, sub);
        if (!statSync(subDir).isDirectory()) {
          if (sub === 'BACKUP-PLAN.md') continue; // the cluster's own plan and runbooks, not synced
          problems.push(`clusters/${cluster}/${sub}: only synced folders belong in a cluster's folder`);
          continue;
        }
        readFolder(subDir, `clusters/${cluster}/${sub}`);
      }
    }
  }
  return { objects, problems };
}

/** Runs the synth checks over a directory on disk; returns every problem. */
export function validateDir(distDir: string, checks: readonly OutputCheck[]): string[] {
  const { objects, problems } = readRendered(distDir);
  return [...problems, ...checks.flatMap((check) => check(objects))];
}
