/**
 * `velero backup create` / `velero restore create` as the CLI turns them into objects:
 * velero-io/velero@v1.15.0 pkg/cmd/cli/restore/create.go (`NewCreateOptions`: `--include-namespaces` defaults
 * to `*`; `--namespace-mappings` is `src:dst,...`; `Run` builds the RestoreSpec; a name defaults to
 * `<source>-<timestamp>`) and pkg/cmd/cli/backup/create.go (the same list flags; `--snapshot-volumes`).
 */
import type { KubeObject } from '../types';

const LIST_FLAGS: Record<string, string> = {
  '--include-namespaces': 'includedNamespaces',
  '--exclude-namespaces': 'excludedNamespaces',
  '--include-resources': 'includedResources',
  '--exclude-resources': 'excludedResources',
};

/** Parses `velero [-n ns] (backup|restore) create NAME flags...` into the object the CLI creates. */
export function veleroCreate(args: readonly string[], timestamp: string): KubeObject {
  const rest = [...args];
  let namespace = 'velero';
  const n = rest.findIndex((a) => a === '-n' || a === '--namespace');
  if (n >= 0) namespace = rest.splice(n, 2)[1];
  const [what, verb, ...tail] = rest;
  if (verb !== 'create' || (what !== 'backup' && what !== 'restore'))
    throw new Error(`velero ${rest.join(' ')}: not a create`);
  const spec: Record<string, unknown> = { includedNamespaces: ['*'] };
  let name: string | undefined;
  for (let i = 0; i < tail.length; i++) {
    const [flag, inline] = tail[i].split(/=(.*)/s, 2);
    const value = () => inline ?? tail[++i];
    if (!flag.startsWith('-')) name = flag;
    else if (LIST_FLAGS[flag]) spec[LIST_FLAGS[flag]] = value().split(',');
    else if (flag === '--from-backup') spec.backupName = value();
    else if (flag === '--from-schedule') spec.scheduleName = value();
    else if (flag === '--namespace-mappings') {
      spec.namespaceMapping = Object.fromEntries(
        value()
          .split(',')
          .map((kv) => kv.split(':')),
      );
    } else if (flag === '--existing-resource-policy') spec.existingResourcePolicy = value();
    else if (flag === '--resource-modifier-configmap')
      spec.resourceModifier = { apiGroup: '', kind: 'configmap', name: value() };
    else if (flag === '--include-cluster-resources')
      spec.includeClusterResources = inline === undefined ? true : inline === 'true';
    else if (flag === '--restore-volumes') spec.restorePVs = inline === undefined ? true : inline === 'true';
    else if (flag === '--snapshot-volumes') spec.snapshotVolumes = inline === undefined ? true : inline === 'true';
    else if (flag === '--wait' || flag === '-w') continue;
    else throw new Error(`velero ${what} create: the emulation does not know ${flag}`);
  }
  const source = (spec.backupName ?? spec.scheduleName) as string | undefined;
  const stamp = timestamp.replace(/[-:TZ]/g, '').slice(0, 14);
  name ??= what === 'restore' ? `${source}-${stamp}` : undefined;
  if (!name) throw new Error('velero backup create: a name is required');
  return {
    apiVersion: 'velero.io/v1',
    kind: what === 'backup' ? 'Backup' : 'Restore',
    metadata: { name, namespace },
    spec,
  };
}
