/**
 * A config that names no Git repository renders Applications that sync a placeholder: the plan says so first, with
 * what to put (docs/pitfalls.md#argocd-repository); a config that names its repository gets no such warning.
 */
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import { PLACEHOLDER_REPO_URL } from '../../lib/argocd/argocd-settings';
import type { BackupStackConfig } from '../../lib/config/types';
import { renderApp } from '../../lib/output/output';
import { NO_REPOSITORY_WARNING, planWarnings } from '../../lib/plan/plan';

const base: BackupStackConfig = {
  storageLocations: [{ provider: 's3', bucket: 'velero', region: 'us-east-1' }],
  schedules: [{ name: 'daily', schedule: '0 3 * * *', includedNamespaces: ['apps'] }],
  csi: { volumeSnapshotClass: { driver: 'topolvm.io' } },
};
const stackOf = (config: BackupStackConfig) => new BackupStack(new App(), 'Stack', config);

test.each([
  ['no repository', base, [NO_REPOSITORY_WARNING]],
  [
    'a repository without its revision',
    { ...base, argocd: { repository: { repoURL: 'https://git.lan/me/b.git' } } },
    [],
  ],
])('%s: the plan warns %j', (_what, config, warnings) => {
  expect(planWarnings(stackOf(config).plan)).toEqual(warnings);
});

test.each([
  ['no repository', base, PLACEHOLDER_REPO_URL],
  [
    'a named repository',
    { ...base, argocd: { repository: { repoURL: 'https://git.lan/me/b.git' } } },
    'https://git.lan/me/b.git',
  ],
])('%s: every Application syncs %s', (_what, config, repoURL) => {
  const app = new App();
  new BackupStack(app, 'Stack', config);
  const sources = renderApp(app)
    .map((o) => o.object as { kind: string; spec?: { source?: { repoURL?: string } } })
    .filter(
      (o) =>
        o.kind === 'Application' &&
        o.spec?.source?.repoURL !== undefined &&
        !o.spec.source.repoURL.includes('github.com/vmware-tanzu') &&
        !o.spec.source.repoURL.includes('kubernetes-csi'),
    )
    .map((o) => o.spec!.source!.repoURL);
  expect(sources.length).toBeGreaterThan(0);
  expect(new Set(sources)).toEqual(new Set([repoURL]));
});
