/**
 * The runbooks of BACKUP-PLAN.md, generated from the same scenario objects that render
 * dist/restores/: the command, what to check afterwards, and where the last drill's duration is. The
 * headings are the anchors the alerts' `runbook_url` annotations link to (`alertAnchor`).
 */
import { clusterFlag } from '../alerts/rule-kit';
import { csiRestorePreface, summaryStorage, type CsiStorageSummary } from '../storage/csi-drivers';
import { applyCommand, headingAnchor, latestRestoreCommand, waitCommands, type ScenarioSummary } from './scenario';

/** What the drill proves, for the runbooks' "how long did it take" line. */
export interface DrillSummary {
  readonly cronJobName: string;
  readonly namespace: string;
  readonly scheduleName: string;
  readonly cron: string;
}

/** Everything a bare cluster needs before the rebuild's restores. */
export interface RebuildSteps {
  readonly veleroNamespace: string;
  readonly argocdNamespace: string;
  /** Applications in sync order. */
  readonly crdApplication: string;
  readonly veleroApplication: string;
  readonly otherApplications: readonly string[];
  readonly veleroVersion: string;
  readonly credentials: { readonly name: string; readonly key: string };
  readonly storageLocation: string;
  /** Further locations the rebuild's restores read (their schedules' `storageLocation`), each waited for. @default [] */
  readonly readLocations?: readonly string[];
  /** Secrets of the locations that name their own `credential`, created with the server's. @default [] */
  readonly locationCredentials?: readonly LocationCredential[];
  /** Folder of the root Application (a fleet's ApplicationSet: `<distPath>/bootstrap`, not the cluster's folder). @default `<distPath>/bootstrap` */
  readonly bootstrapPath?: string;
  /** The restores, in order. */
  readonly restores: readonly ScenarioSummary[];
}

/** A storage location's own credentials (`storageLocations[].credential`). */
export interface LocationCredential {
  readonly location: string;
  readonly name: string;
  readonly key: string;
}

/**
 * The locations a rebuild needs beyond the default one: those its restores' schedules write to (a Restore by
 * `scheduleName` finds only backups synced from an Available location), and every location's own credentials.
 */
export function rebuildLocations(
  locations: readonly {
    readonly name: string;
    readonly config: { readonly credential?: { name: string; key: string } };
  }[],
  schedules: readonly { readonly name: string; readonly storageLocation: { readonly name: string } }[],
  restores: readonly Pick<ScenarioSummary, 'scheduleName'>[],
): Pick<RebuildSteps, 'readLocations' | 'locationCredentials'> {
  const read = restores.flatMap((r) =>
    schedules.filter((s) => s.name === r.scheduleName).map((s) => s.storageLocation.name),
  );
  return {
    readLocations: [...new Set(read)],
    locationCredentials: locations.flatMap((l) =>
      l.config.credential ? [{ location: l.name, ...l.config.credential }] : [],
    ),
  };
}

/** Step 2 of the rebuild: one `create secret` per Secret, with every key the server and the locations read from it. */
function credentialCommands(r: RebuildSteps): string[] {
  const files = new Map<string, Map<string, string>>([[r.credentials.name, new Map([[r.credentials.key, 'velero']])]]);
  for (const c of r.locationCredentials ?? []) {
    const keys = files.get(c.name) ?? new Map<string, string>();
    if (!keys.has(c.key)) keys.set(c.key, c.location);
    files.set(c.name, keys);
  }
  return [...files].map(
    ([name, keys]) =>
      `kubectl -n ${r.veleroNamespace} create secret generic ${name} ${[...keys].map(([key, file]) => `--from-file=${key}=./credentials-${file}`).join(' ')}`,
  );
}

export interface RunbookInput {
  /** Path of dist/ in the repo (the commands run from the repo root). */
  readonly distPath: string;
  /** A fleet cluster's name: the commands it names take `--cluster NAME`. @default - one cluster */
  readonly cluster?: string;
  readonly scenarios: readonly ScenarioSummary[];
  readonly rebuild: RebuildSteps;
  readonly drill?: DrillSummary;
  /** The CSI storage, for the runbooks' preface (lib/storage/csi-drivers.ts). @default - CSI off */
  readonly csiStorage?: CsiStorageSummary;
}

/** Heading of an alert's runbook section. */
export function alertHeading(alert: string): string {
  return `Alert: ${alert}`;
}

/** Anchor of an alert's runbook section in BACKUP-PLAN.md. */
export function alertAnchor(alert: string): string {
  return headingAnchor(alertHeading(alert));
}

/** Heading of a scenario's runbook. */
export function scenarioHeading(s: Pick<ScenarioSummary, 'title'>): string {
  return `Disaster: ${s.title}`;
}

function durationLine(s: ScenarioSummary, drill: DrillSummary | undefined): string {
  if (drill && drill.scheduleName === s.scheduleName && s.dataPath !== 'none') {
    return `How long it takes: the restore drill restores the newest backup of \`${drill.scheduleName}\` on \`${drill.cron}\` (UTC) and logs its run time (the repository cannot know it): \`kubectl -n ${drill.namespace} logs job/$(kubectl -n ${drill.namespace} get jobs -l app.kubernetes.io/component=restore-drill --sort-by=.status.startTime -o jsonpath='{.items[-1:].metadata.name}') | grep 'drill result='\` (the \`seconds=\` field), or in Prometheus \`kube_job_status_completion_time - kube_job_status_start_time\` for job_name=~"${drill.cronJobName}-.*". A restore of more than the drill's namespaces or resources takes longer.`;
  }
  return `How long it takes: not measured; no drill restores backups of \`${s.scheduleName}\`. Time it the first time you test this runbook.`;
}

function restoreBlock(s: ScenarioSummary, distPath: string, withBefore: boolean): string[] {
  const file = `${distPath}/${s.file}`;
  return [
    ...(withBefore && s.before.length ? ['# before', ...s.before] : []),
    `# restore: ${s.backupName ? `backup ${s.backupName}` : `the newest Completed backup of ${s.scheduleName}`} (a new Restore name on every create)`,
    applyCommand({ file }),
    latestRestoreCommand(s),
    ...waitCommands(s),
    ...s.afterRestore,
    '# check',
    ...s.checks,
    ...(s.after.length ? ['# afterwards', ...s.after] : []),
  ];
}

function describeSpec(s: ScenarioSummary): string {
  const sp = s.spec;
  const parts = [
    `namespaces ${sp.includedNamespaces.join(', ')}`,
    sp.excludedNamespaces ? `except ${sp.excludedNamespaces.join(', ')}` : '',
    sp.namespaceMapping
      ? `mapped ${Object.entries(sp.namespaceMapping)
          .map(([a, b]) => `${a} → ${b}`)
          .join(', ')}`
      : '',
    sp.includedResources ? `only ${sp.includedResources.join(', ')}` : 'every kind',
    sp.excludedResources ? `without ${sp.excludedResources.join(', ')}` : '',
    sp.includeClusterResources ? 'with cluster-scoped resources' : '',
    `existing objects: ${sp.existingResourcePolicy === 'none' ? 'skipped' : 'updated'}`,
    sp.resourceModifier ? `ArgoCD tracking stripped (ConfigMap \`${sp.resourceModifier.name}\`)` : '',
    sp.hooks ? `restore hooks: ${sp.hooks.resources.map((h) => h.name).join(', ')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

/** The scenario runbooks, then the rebuild. */
export function renderRestoreRunbooks(input: RunbookInput): string[] {
  const { distPath, drill, cluster } = input;
  const out: string[] = [
    '## Runbooks',
    '',
    `Every restore is a rendered Velero Restore in \`${distPath}/restores/\`, a folder no Application syncs; \`kubectl create -f\` gives it a fresh name each time (\`metadata.generateName\`). \`npm run restore -- ${clusterFlag(cluster)}<name>\` prints the same. Run the commands from the repository root. The restores strip ArgoCD's tracking (what the config's \`argocd.trackingMethod\` writes: docs/pitfalls.md#tracking-method) from what they bring back, so ArgoCD neither prunes nor overwrites it until you sync its Application, which adopts it. Velero never applies that strip to Namespaces: it creates a restore's namespaces with their backed-up labels and annotations, and reuses an existing namespace as it is. So an inspection copy's namespace is created empty before its restore, and a namespace restored under its own name has the tracking removed right after (both lines are in the runbooks); the checks look at the namespace too.`,
    '',
    ...csiRestorePreface(input.csiStorage).flatMap((line) => [line, '']),
  ];
  const inRebuild = new Set(input.rebuild.restores.map((r) => r.name));
  for (const s of input.scenarios.filter((x) => !inRebuild.has(x.name))) {
    out.push(
      `### ${scenarioHeading(s)}`,
      '',
      `Scenario \`${s.name}\` (\`${distPath}/${s.file}\`): ${describeSpec(s)}.`,
      '',
      '```sh',
      ...restoreBlock(s, distPath, true),
      '```',
      '',
      durationLine(s, drill),
      '',
    );
  }
  out.push(...rebuildRunbook(input));
  return out;
}

function rebuildRunbook(input: RunbookInput): string[] {
  const r = input.rebuild;
  const ns = r.veleroNamespace;
  const a = r.argocdNamespace;
  const healthy = (app: string) =>
    `kubectl -n ${a} wait application/${app} --for=jsonpath='{.status.health.status}'=Healthy --timeout=15m`;
  const out = [
    `### ${scenarioHeading({ title: 'the whole cluster rebuilt' })}`,
    '',
    `Every step a bare cluster needs, in order. CSI snapshots live on ${summaryStorage(input.csiStorage)}: after losing ${summaryStorage(input.csiStorage)}, only data that snapshot data movement or file-system backup sent to object storage comes back.`,
    '',
    '```sh',
    '# 1. ArgoCD, with the argocd-cm settings from the README (its resource.exclusions keep Backups, Restores and VolumeSnapshots out of ArgoCD)',
    `kubectl -n ${a} get configmap argocd-cm -o jsonpath='{.data.resource\\.exclusions}' | grep -e velero.io -e snapshot.storage.k8s.io`,
    `# 2. the credentials Secret the server mounts (Secret ${r.credentials.name}, key ${r.credentials.key}: an AWS credentials file)${r.locationCredentials?.length ? `, and each location's own (${r.locationCredentials.map((c) => `${c.location}: Secret ${c.name}, key ${c.key}`).join('; ')}; without it that location stays Unavailable)` : ''}, from where you keep it (password manager, SealedSecret, External Secrets); the server pod waits in ContainerCreating without it`,
    `kubectl create namespace ${ns}`,
    ...credentialCommands(r),
    `# 3. the CRDs (Application ${r.crdApplication}, wave -10) and the server (Application ${r.veleroApplication}), through the root Application`,
    `kubectl apply -f ${r.bootstrapPath ?? `${input.distPath}/bootstrap`}/`,
    healthy(r.crdApplication),
    `#    without ArgoCD, the same CRDs from the pinned CLI: velero install --crds-only --dry-run -o yaml | kubectl apply --server-side -f -   (velero CLI ${r.veleroVersion})`,
    ...r.otherApplications.map(healthy),
    healthy(r.veleroApplication),
    `kubectl -n ${ns} rollout status deploy/velero --timeout=10m`,
    `# 4. the storage locations the restores read must be Available before any restore; then the backups sync back from object storage (about a minute)`,
    ...[...new Set([r.storageLocation, ...(r.readLocations ?? [])])].map(
      (l) =>
        `kubectl -n ${ns} wait backupstoragelocation/${l} --for=jsonpath='{.status.phase}'=Available --timeout=10m`,
    ),
    `velero -n ${ns} backup get`,
    '```',
    '',
  ];
  r.restores.forEach((s, i) => {
    out.push(
      `Restore ${i + 1} of ${r.restores.length}, scenario \`${s.name}\` (\`${input.distPath}/${s.file}\`): ${describeSpec(s)}.`,
      '',
      '```sh',
      ...restoreBlock(s, input.distPath, true),
      '```',
      '',
      durationLine(s, input.drill),
      '',
    );
  });
  return out;
}

/** One alert's runbook section: what it means and the first steps (from the rule's annotations). */
export interface AlertRunbook {
  readonly alert: string;
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
}

/** The alert sections, one per alert name, in the order given. */
export function renderAlertRunbooks(alerts: readonly AlertRunbook[], fixes: (line: string) => string): string[] {
  const out = ['## Alert runbooks', '', "Each alert's `runbook_url` annotation links its section here.", ''];
  const seen = new Map<string, AlertRunbook[]>();
  for (const a of alerts) seen.set(a.alert, [...(seen.get(a.alert) ?? []), a]);
  for (const [alert, rules] of seen) {
    out.push(
      `### ${alertHeading(alert)}`,
      '',
      `Severity: ${[...new Set(rules.map((r) => r.severity))].join(', ')}.`,
      '',
    );
    const descriptions = [...new Set(rules.map((r) => r.description))];
    for (const d of descriptions) {
      out.push(`> ${[...new Set(rules.filter((r) => r.description === d).map((r) => r.summary))].join(' / ')}`, '');
      let inList = false;
      for (const line of d.split('\n')) {
        const item = line.startsWith('- ');
        if (inList && !item) out.push('');
        out.push(item ? `- \`${fixes(line.slice(2))}\`` : line);
        if (!item) out.push('');
        inList = item;
      }
      if (inList) out.push('');
    }
  }
  return out;
}

/** Where the rendered runbook lives in the Git repository ArgoCD syncs from. */
export interface RunbookRepository {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly distPath: string;
}

/**
 * The browser URL of `<distPath>/BACKUP-PLAN.md` at `targetRevision`: `<repoURL without .git>/blob/<rev>/<path>`,
 * GitHub's layout (`HEAD` resolves to the default branch). GitLab redirects `/blob/` to `/-/blob/`; Gitea and
 * Bitbucket use other paths, and an `ssh://` or `git@host:` URL is rewritten to https on the same host, which
 * assumes the forge serves its web UI there.
 */
export function runbookDocumentUrl(repo: RunbookRepository): string {
  let base = repo.repoURL
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const scp = /^[\w.-]+@([^:/]+):(.+)$/.exec(base);
  if (scp) base = `https://${scp[1]}/${scp[2]}`;
  base = base.replace(/^ssh:\/\/(?:[\w.-]+@)?([^/:]+)(?::\d+)?\//, 'https://$1/');
  const path = [repo.distPath.replace(/^\.\/|\/+$/g, ''), 'BACKUP-PLAN.md'].filter(Boolean).join('/');
  return `${base}/blob/${repo.targetRevision}/${path}`;
}

/** `runbookUrl` for BackupAlerts: each alert's section of the rendered runbook. */
export function alertRunbookUrl(repo: RunbookRepository): (alert: string) => string {
  const doc = runbookDocumentUrl(repo);
  return (alert) => `${doc}#${alertAnchor(alert)}`;
}
