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
 * failing the dry run (gitops-pitfalls.md row 8).
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
