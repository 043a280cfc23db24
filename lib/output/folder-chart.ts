import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';

/** API groups whose kinds come from CRDs that may not exist yet on a first sync into an empty cluster. */
export const CRD_GROUPS = [
  'velero.io',
  'snapshot.storage.k8s.io',
  'groupsnapshot.storage.k8s.io',
  'monitoring.coreos.com',
];

const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';

/**
 * A chart that is one ArgoCD-synced folder under dist/ (the chart id is the folder name).
 *
 * Every custom resource it renders carries `SkipDryRunOnMissingResource=true`, so a first sync into an
 * empty cluster applies it once the CRD Application (an earlier wave) has installed its CRD, instead of
 * failing the dry run (docs/pitfalls.md#crd-ordering).
 */
export class FolderChart extends Chart {
  constructor(scope: Construct, folder: string) {
    super(scope, folder, { disableResourceNameHashes: true });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdk8s's own signature
  public override toJson(): any[] {
    return super.toJson().map((object) => {
      const group =
        typeof object?.apiVersion === 'string' && object.apiVersion.includes('/')
          ? object.apiVersion.split('/')[0]
          : '';
      if (!CRD_GROUPS.includes(group)) return object;
      const annotations = { ...(object.metadata?.annotations ?? {}) };
      const options = (annotations[SYNC_OPTIONS] ?? '')
        .split(',')
        .map((s: string) => s.trim())
        .filter(Boolean);
      if (!options.includes(SKIP_DRY_RUN)) options.push(SKIP_DRY_RUN);
      annotations[SYNC_OPTIONS] = options.join(',');
      const metadata = { ...object.metadata, annotations };
      // keep metadata keys sorted like the rest of the cdk8s output
      return {
        ...object,
        metadata: Object.fromEntries(Object.entries(metadata).sort(([a], [b]) => a.localeCompare(b))),
      };
    });
  }
}

/**
 * Folders of dist/ that no Application syncs: what a person applies by hand (`kubectl create -f`), such as the
 * rendered restores. The invariants hold every Application to never syncing them.
 */
export const UNSYNCED_FOLDERS: readonly string[] = ['restores'];

/**
 * A chart for an unsynced folder (UNSYNCED_FOLDERS). Its objects may use `metadata.generateName` instead of a
 * name (cdk8s always sets one; it is dropped here), so every `kubectl create -f` makes a new object; such an
 * object's file is `<generateName without the trailing '-'>.yaml`.
 */
export class UnsyncedFolderChart extends Chart {
  constructor(scope: Construct, folder: string) {
    if (!UNSYNCED_FOLDERS.includes(folder)) {
      throw new Error(`output: '${folder}' is not an unsynced folder (${UNSYNCED_FOLDERS.join(', ')})`);
    }
    super(scope, folder, { disableResourceNameHashes: true });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdk8s's own signature
  public override toJson(): any[] {
    return super.toJson().map((object) => {
      if (typeof object?.metadata?.generateName !== 'string') return object;
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose
      const { name, ...metadata } = object.metadata;
      return { ...object, metadata };
    });
  }
}
