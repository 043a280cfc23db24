/**
 * The backup plan: what the config protects, how much can be lost, how far back it goes,
 * whether it survives losing the storage, and what it costs. Computed from the same objects that render
 * the YAML, and checked against the live PVC list with the same coverage rule as the
 * `PVCNotCoveredByBackup` alert (lib/schedule/coverage.ts).
 */
import { Duration } from 'cdk8s';
import { isNamespaceProtected, type CoverageSchedule } from '../schedule/coverage';
import {
  snapshotOnlyNamespaces,
  volumeSnapshotVerdict,
  type VolumeSnapshotSupport,
} from '../alerts/unsnapshottable-volume';
import { clusterFlag } from '../alerts/rule-kit';
import { exclusionCheckCommands } from '../argocd/argocd-settings';
import {
  renderAlertRunbooks,
  renderRestoreRunbooks,
  scenarioHeading,
  type AlertRunbook,
  type RunbookInput,
} from '../restore/runbook';
import { nextRuns, parseCron } from '../schedule/cron';
import type { StorageProfile } from '../storage/storage-profile';
import { summaryStorage, volumeSnapshotClassAnnotation, type CsiStorageSummary } from '../storage/csi-drivers';
import { formatReportDuration } from '../units/duration';
import { Quantity } from '../units/quantity';

import { releaseSectionMarkdown, type PlanKubeStateMetrics, type PlanReleaseLine } from './release-section';
import { ARGOCD_DEFAULTS, UPSTREAM_SNAPSHOT_CONTROLLER_NAMESPACE } from '../config/defaults';

const ONE_BYTE = Quantity.parse('1');

/** A PVC the plan knows about: its namespace, name and size (the seed's critical PVCs are in main.ts). */
export interface VolumeDeclaration {
  readonly namespace: string;
  readonly pvc: string;
  /** Requested size as a Kubernetes quantity, e.g. `50Gi`. */
  readonly size: string;
  /** What runs on it, for the report. @default - the PVC name */
  readonly app?: string;
  /**
   * Provisioner of its StorageClass (`kubectl get storageclass <class> -o jsonpath={.provisioner}`), checked
   * against the stack's VolumeSnapshotClass drivers. @default - unknown (the live check needs --storage-classes)
   */
  readonly provisioner?: string;
}

/** What the plan reads of a backup storage location (a `BackupStorageLocation` construct is one). */
export interface PlanStorageLocation {
  readonly name: string;
  readonly profile: StorageProfile;
}

/** What the plan reads of a schedule (a `PlanSchedule` construct is one). */
export interface PlanSchedule extends CoverageSchedule {
  /** The cron expression as Velero reads it. */
  readonly schedule: string;
  /** Longest interval between two runs. */
  readonly cadence: Duration;
  readonly ttl: Duration;
  /** Restore points kept: ttl / cadence. */
  readonly retentionDepth: number;
  readonly snapshotVolumes: boolean;
  readonly defaultVolumesToFsBackup: boolean;
  readonly snapshotMoveData: boolean;
  readonly storageLocation: PlanStorageLocation;
  /** True when the schedule's resource backup includes `namespace`. */
  includesNamespace(namespace: string): boolean;
}

/** What the plan reads of the Velero server (a `VeleroRelease` construct is one). */
export interface PlanRelease extends PlanReleaseLine {
  readonly namespace: string;
  readonly defaultStorageLocation: PlanStorageLocation;
}

export interface PlanInput {
  readonly release: PlanRelease;
  readonly schedules: readonly PlanSchedule[];
  readonly volumes: readonly VolumeDeclaration[];
  /** Namespaces deliberately not backed up, with the reason (same map as BackupAlerts). @default {} */
  readonly unprotectedNamespaces?: Readonly<Record<string, string>>;
  /** Which volumes CSI snapshots can take (same object as BackupAlerts' `volumeSnapshots`). @default - not checked */
  readonly volumeSnapshots?: VolumeSnapshotSupport;
  /** Size of one resource backup (manifests + metadata) in object storage. @default 20 MiB */
  readonly resourceBackupSizeMiB?: number;
  /** Share of volume data that changes per day, for the deduplicated (kopia) estimate. @default 0.02 */
  readonly dailyChangeRate?: number;
  /** Storage price in USD per TB-month. @default the default location's profile (B2's $6 for LocalStack, as a reference) */
  readonly pricePerTbMonthUsd?: number;
  /** The restore scenarios and the rebuild, from the same objects that render dist/restores/. @default no runbooks */
  readonly runbooks?: RunbookInput;
  /** One section per alert, the targets of the alerts' runbook_url. @default none */
  readonly alerts?: readonly AlertRunbook[];
  /** The CSI storage: its words, where snapshots live, notes (lib/storage/csi-drivers.ts). @default - CSI off */
  readonly csiStorage?: CsiStorageSummary;
  /**
   * CSI is on but no driver is named: no class, no controller, volume data not backed up by snapshots; the plan warns
   * at the top, in its CSI and off-site sections, and `npm run plan` prints the warning (planWarnings). @default false
   */
  readonly csiDriverMissing?: boolean;
  /**
   * The config names no `argocd.repository.repoURL`: the Applications sync a placeholder; the plan warns at the top
   * and `npm run plan` prints it (planWarnings). @default false
   */
  readonly repositoryMissing?: boolean;
  /** Where the snapshot-controller runs (the alert runbooks' log commands). @default 'kube-system' */
  readonly snapshotControllerNamespace?: string;
  /** Namespace of ArgoCD, for the exclusion check. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** The kube-state-metrics the storage-location alert reads (Velero 1.15/1.16). @default - kube-prometheus-stack's in `monitoring` */
  readonly kubeStateMetrics?: PlanKubeStateMetrics;
}

export type Protection =
  | 'CSI snapshot'
  | 'file-system backup'
  | 'snapshot data movement'
  | 'resources only'
  | typeof NOT_SNAPSHOTTED
  | typeof NOT_RESTORABLE;

/**
 * What a schedule relying on CSI snapshots (or on the data mover, which starts from one) does to volumes when the
 * config names no CSI driver: Velero skips them and the backup ends Completed (docs/pitfalls.md#csi-driver).
 */
export const NOT_SNAPSHOTTED = 'volumes not snapshotted: no CSI driver named, PVCNotSnapshottable fires';

/**
 * What a schedule relying on CSI snapshots (or the data mover) keeps of volumes whose driver makes no volume from a
 * snapshot: nothing a restore can use (docs/pitfalls.md#no-volume-from-snapshot).
 */
export const NOT_RESTORABLE = 'volumes not restorable: the CSI driver makes no volume from a snapshot';

export interface NamespacePlan {
  readonly namespace: string;
  readonly volumes: readonly VolumeDeclaration[];
  readonly coveredBy: readonly { schedule: string; how: Protection }[];
  /** Worst-case window of lost volume data (the shortest cadence of a schedule protecting its volumes). */
  readonly rpo?: Duration;
  /** Restore points of its volumes: the backups every protecting schedule keeps, summed (a retention set's members add up). */
  readonly restorePoints: number;
  /** Age of the oldest restore point (the longest ttl of a covering schedule). */
  readonly oldestRestorePoint?: Duration;
  readonly unprotectedReason?: string;
  /**
   * True when data of this namespace leaves the volumes' storage (data movement or file-system backup) for object
   * storage outside the cluster; an in-cluster object store (`*.svc`, lib/storage/endpoint.ts) is not off-site.
   */
  readonly offSite: boolean;
  /** True when its volume data reaches object storage, but only an object store inside the cluster. */
  readonly inClusterOnly: boolean;
}

export interface CostLine {
  readonly schedule: string;
  readonly bytes: number;
  readonly what: string;
}

export interface BackupPlan {
  readonly namespaces: readonly NamespacePlan[];
  readonly schedules: readonly PlanSchedule[];
  readonly cost: {
    readonly lines: readonly CostLine[];
    readonly totalBytes: number;
    /** Undefined when the price is not known (a self-hosted store without `pricePerTbMonthUsd`). */
    readonly usdPerMonth?: number;
    readonly pricePerTbMonthUsd?: number;
    readonly priceSource: string;
  };
  readonly input: PlanInput;
}

/**
 * Bytes of a PVC size (`50Gi`, `500M`, `1073741824`): a Kubernetes quantity (lib/units/quantity.ts) that is
 * a whole number of bytes, at least 1.
 */
export function quantityBytes(q: string, what = 'size'): number {
  const parsed = Quantity.tryParse(q);
  if (!parsed) throw new Error(`${what} '${q}' is not a Kubernetes storage quantity; use e.g. '50Gi' or '500M'`);
  if (!parsed.isWhole || parsed.compare(ONE_BYTE) < 0) {
    throw new Error(`${what} '${q}' is not a whole number of bytes of at least 1; use e.g. '50Gi' or '500M'`);
  }
  return parsed.toNumber();
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${bytes.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function how(s: PlanSchedule, csiDriverMissing = false): Protection {
  if (csiDriverMissing && !s.defaultVolumesToFsBackup && (s.snapshotMoveData || s.snapshotVolumes))
    return NOT_SNAPSHOTTED;
  // file-system backup takes a pod volume before any snapshot (docs/pitfalls.md#drill-fs-backup)
  if (s.defaultVolumesToFsBackup) return 'file-system backup';
  if (s.snapshotMoveData) return 'snapshot data movement';
  if (s.snapshotVolumes) return 'CSI snapshot';
  return 'resources only';
}

const sendsVolumeData = (s: PlanSchedule) => s.snapshotMoveData || s.defaultVolumesToFsBackup;
/** The schedule's object store runs inside the cluster (the LocalStack test rig is reported as a test rig instead). */
const inClusterStore = (s: PlanSchedule) => s.storageLocation.profile.inCluster && !s.storageLocation.profile.isTestRig;

/**
 * What a schedule keeps of a namespace's volume data: its own way (`how`), unless that way rests on CSI snapshots and
 * the config names no driver (NOT_SNAPSHOTTED) or a driver that makes no volume from a snapshot (NOT_RESTORABLE);
 * volumes opted into file-system backup by name (`optedIntoFsBackup`: every listed volume of the namespace is in
 * `volumeExceptions.fsBackupVolumes`) are taken by the node-agent whatever the schedule snapshots.
 */
function protection(input: PlanInput, s: PlanSchedule, optedIntoFsBackup = false): Protection {
  const own = how(s);
  if (own === 'resources only' || own === 'file-system backup') return own;
  if (optedIntoFsBackup) return 'file-system backup';
  if (input.csiDriverMissing) return NOT_SNAPSHOTTED;
  if (input.csiStorage?.noVolumeFromSnapshot) return NOT_RESTORABLE;
  return own;
}

/** Every volume the config lists in `namespace` is opted into file-system backup by name. */
function allOptedIntoFsBackup(input: PlanInput, namespace: string): boolean {
  const volumes = input.volumes.filter((v) => v.namespace === namespace);
  const opted = input.volumeSnapshots?.fsBackupVolumes ?? [];
  return volumes.length > 0 && volumes.every((v) => opted.some((o) => o.namespace === namespace && o.pvc === v.pvc));
}

/** The protection keeps volume data a restore can use. */
const keepsVolumeData = (p: Protection) => p !== NOT_SNAPSHOTTED && p !== NOT_RESTORABLE && p !== 'resources only';
/** The protection copies volume data to the object store. */
const movesVolumeData = (p: Protection) => p === 'file-system backup' || p === 'snapshot data movement';

/** How the schedules cover one namespace: by what, its RPO, its restore points, whether they leave the cluster. */
function namespacePlan(input: PlanInput, namespace: string, unprotected: Record<string, string>): NamespacePlan {
  const volumes = input.volumes.filter((v) => v.namespace === namespace);
  const covering = input.schedules.filter((s) => !s.paused && s.includesNamespace(namespace));
  const by = isNamespaceProtected(input.schedules, namespace).by;
  const optedIn = allOptedIntoFsBackup(input, namespace);
  const kept = new Map(by.map((s) => [s, protection(input, s, optedIn)]));
  // a schedule that keeps no usable volume data gives no RPO and no restore point of it
  const protecting = by.filter((s) => keepsVolumeData(kept.get(s)!));
  const sending = protecting.filter((s) => movesVolumeData(kept.get(s)!));
  const fastest = [...protecting].sort((a, b) => a.cadence.toSeconds() - b.cadence.toSeconds())[0];
  const longest = [...(protecting.length ? protecting : covering)].sort(
    (a, b) => b.ttl.toSeconds() - a.ttl.toSeconds(),
  )[0];
  return {
    namespace,
    volumes,
    coveredBy: covering.map((s) => ({
      schedule: s.name,
      how: kept.get(s) ?? 'resources only',
    })),
    rpo: fastest?.cadence,
    // every protecting schedule keeps its own backups: a retention set's members add up (daily 7 + weekly 4)
    restorePoints: protecting.reduce((n, s) => n + s.retentionDepth, 0),
    oldestRestorePoint: longest?.ttl,
    unprotectedReason: unprotected[namespace],
    offSite: sending.some((s) => !inClusterStore(s)),
    inClusterOnly: sending.length > 0 && sending.every(inClusterStore),
  };
}

/** Computes the plan. */
export function backupPlan(input: PlanInput): BackupPlan {
  const unprotected = input.unprotectedNamespaces ?? {};
  const names = new Set<string>(input.volumes.map((v) => v.namespace));
  for (const s of input.schedules) for (const ns of s.includedNamespaces) if (ns !== '*') names.add(ns);

  const namespaces = [...names].sort().map((namespace) => namespacePlan(input, namespace, unprotected));

  const profile = input.release.defaultStorageLocation.profile;
  const price = input.pricePerTbMonthUsd ?? (profile.isTestRig ? 6 : profile.pricePerTbMonthUsd);
  const priceSource =
    input.pricePerTbMonthUsd !== undefined
      ? 'configured'
      : profile.isTestRig
        ? 'Backblaze B2 as a reference (LocalStack itself costs nothing and keeps nothing)'
        : price === undefined
          ? `no price: ${profile.displayName} runs on your own disks; set the location's pricePerTbMonthUsd for an estimate`
          : `the ${profile.displayName} profile`;
  const resourceBytes = (input.resourceBackupSizeMiB ?? 20) * 2 ** 20;
  const change = input.dailyChangeRate ?? 0.02;
  const lines: CostLine[] = [];
  for (const s of input.schedules) {
    lines.push({
      schedule: s.name,
      bytes: resourceBytes * s.retentionDepth,
      what: `${s.retentionDepth} resource backups × ${formatBytes(resourceBytes)}`,
    });
    if (movesVolumeData(protection(input, s))) {
      const data = input.volumes
        .filter((v) => isNamespaceProtected([s], v.namespace).protected)
        .reduce((sum, v) => sum + quantityBytes(v.size, `volume ${v.namespace}/${v.pvc} size`), 0);
      const cadenceDays = s.cadence.toHours({ integral: false }) / 24;
      const stored = Math.min(
        data * s.retentionDepth,
        data * (1 + (s.retentionDepth - 1) * Math.min(1, change * cadenceDays)),
      );
      lines.push({
        schedule: s.name,
        bytes: stored,
        what: `volume data ${formatBytes(data)}, first copy + ${s.retentionDepth - 1} increments of ${(Math.min(1, change * cadenceDays) * 100).toFixed(0)} % (${how(s)})`,
      });
    }
  }
  const totalBytes = lines.reduce((a, l) => a + l.bytes, 0);
  return {
    namespaces,
    schedules: input.schedules,
    cost: {
      lines,
      totalBytes,
      usdPerMonth: price === undefined ? undefined : (totalBytes / 1e12) * price,
      pricePerTbMonthUsd: price,
      priceSource,
    },
    input,
  };
}

/** A reference Monday (UTC) for run patterns, so the committed report does not change with the clock. */
const REFERENCE_WEEK = new Date(Date.UTC(2024, 0, 1, 0, 0, 0));
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

function runsBefore(expression: string, from: Date, end: Date): Date[] {
  const schedule = parseCron(expression);
  const runs: Date[] = [];
  for (let t = schedule.next(from); t && t.getTime() < end.getTime(); t = schedule.next(t)) runs.push(t);
  return runs;
}

function runPattern(s: PlanSchedule): string {
  const runs = nextRuns(s.schedule, REFERENCE_WEEK, 4);
  if (s.cadence.toSeconds() <= 7 * 86400) {
    // every run of the reference week (an hourly schedule runs 168 times), however many there are
    const inWeek = runsBefore(s.schedule, REFERENCE_WEEK, new Date(REFERENCE_WEEK.getTime() + 7 * 86400_000));
    const times = [...new Set(inWeek.map(hhmm))].sort();
    const days = [...new Set(inWeek.map((d) => DAYS[d.getUTCDay()]))];
    return `${days.length === 7 ? 'every day' : days.join(', ')} at ${times.length > 6 ? `${times.length} times a day` : times.join(', ')} UTC`;
  }
  return (
    runs.map((d) => `${d.toISOString().slice(5, 10)} ${hhmm(d)}`).join(', ') + ' … (UTC, from a reference 2024-01-01)'
  );
}

function gantt(plan: BackupPlan): string[] {
  const lines = [
    '```mermaid',
    'gantt',
    '  title A week of schedule runs and how long each restore point lives',
    '  dateFormat YYYY-MM-DD HH:mm',
    '  axisFormat %a %d',
  ];
  const weekEnd = REFERENCE_WEEK.getTime() + 7 * 86400_000;
  const fmt = (d: Date) => `${d.toISOString().slice(0, 10)} ${hhmm(d)}`;
  for (const s of plan.schedules) {
    lines.push(`  section ${s.name}`);
    const runs = nextRuns(s.schedule, REFERENCE_WEEK, 64).filter((d) => d.getTime() < weekEnd);
    runs
      .slice(0, 14)
      .forEach((d, i) => lines.push(`    run ${i + 1} : milestone, ${s.name}-run${i + 1}, ${fmt(d)}, 0m`));
    if (runs[0])
      lines.push(
        `    restore point lives ${formatReportDuration(s.ttl)} : ${s.name}-life, ${fmt(runs[0])}, ${Math.round(s.ttl.toHours({ integral: false }))}h`,
      );
  }
  lines.push('```');
  return lines;
}

/** The Markdown report written to dist/BACKUP-PLAN.md. Deterministic: no clock, no randomness. */
export function renderPlanMarkdown(plan: BackupPlan): string {
  const { release } = plan.input;
  const profile = release.defaultStorageLocation.profile;
  const out: string[] = [];
  out.push(
    '# Backup plan',
    '',
    "Generated from this stack's config by `synth` / `plan` (velero-cdk8s); do not edit. What the rendered stack protects, how much can be lost, how far back it goes, where the data lives, and what it costs.",
    '',
  );
  for (const w of planWarnings(plan.input)) out.push(`> **Warning:** ${w}`, '');
  out.push(...releaseSectionMarkdown(release, plan.input.kubeStateMetrics));

  out.push(...coverageSectionMarkdown(plan));

  out.push(
    '## Schedules',
    '',
    '| schedule | cron | cadence | runs | ttl | restore points | what | where the data goes |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const s of plan.schedules) {
    const where = `BSL \`${s.storageLocation.name}\` (${s.storageLocation.profile.displayName}${s.storageLocation.profile.inCluster ? ' in the cluster' : ''}, bucket \`${s.storageLocation.profile.bucket}\`)${s.snapshotVolumes && !sendsVolumeData(s) ? '; volume snapshots stay on the storage system' : ''}`;
    out.push(
      `| ${s.name}${s.paused ? ' (paused)' : ''} | \`${s.schedule}\` | ${formatReportDuration(s.cadence)} | ${runPattern(s)} | ${formatReportDuration(s.ttl)} | ${s.retentionDepth} | ${how(s, plan.input.csiDriverMissing)} | ${where} |`,
    );
  }
  out.push('', ...gantt(plan), '');

  out.push('## Off-site status', '');
  const csiOnly = plan.schedules.filter((s) => s.snapshotVolumes && !sendsVolumeData(s));
  const storage = summaryStorage(plan.input.csiStorage);
  if (plan.input.csiDriverMissing) out.push(`- **${NO_DRIVER_WARNING}**`);
  else if (csiOnly.length) out.push(`- ${csiOffSite(csiOnly, plan.input.csiStorage)}`);
  const moving = plan.schedules.filter(sendsVolumeData);
  if (moving.length)
    out.push(
      `- Volume data leaves ${storage} for object storage with ${moving.map((s) => `\`${s.name}\` (${how(s)})`).join(', ')}.`,
    );
  if (profile.isTestRig) {
    out.push(
      '- **The storage location is LocalStack: a test rig, not a backup.** LocalStack keeps nothing across a pod restart, so every restore point disappears with it. Set `storageLocations` in the config to a real object store for real backups.',
    );
  } else {
    out.push(...offSiteLines(plan, storage));
  }
  out.push('');

  out.push('## Cost (object storage)', '', ...priceLines(plan), '');
  out.push('| schedule | stored | what |', '|---|---|---|');
  for (const l of plan.cost.lines) out.push(`| ${l.schedule} | ${formatBytes(l.bytes)} | ${l.what} |`);
  out.push(
    `| **total** | **${formatBytes(plan.cost.totalBytes)}** | **${plan.cost.usdPerMonth === undefined ? 'no price given' : `$${plan.cost.usdPerMonth.toFixed(2)} per month`}** |`,
    '',
  );
  out.push(
    `CSI snapshots are not in this bill: they use space on ${storage}. Volume data reaches object storage only through snapshot data movement or file-system backup.`,
    '',
  );

  out.push(...runbooks(plan));
  return out.join('\n') + '\n';
}

/** "Coverage per namespace": per namespace, what covers its volumes, its RPO and restore points; then the CSI storage. */
function coverageSectionMarkdown(plan: BackupPlan): string[] {
  const out: string[] = [];
  out.push(
    '## Coverage per namespace',
    '',
    '| namespace | volumes | covered by | RPO (worst case) | restore points | oldest restore point | off-site |',
    '|---|---|---|---|---|---|---|',
  );
  for (const n of plan.namespaces) {
    const vols = n.volumes.map((v) => `${v.app ?? v.pvc} ${v.size}`).join(', ') || '—';
    const by = n.coveredBy.length
      ? n.coveredBy.map((c) => `${c.schedule} (${c.how})`).join('; ')
      : n.unprotectedReason
        ? `**deliberately unprotected**: ${n.unprotectedReason}`
        : '**nothing**';
    const unsnapshotted = n.coveredBy.some((c) => c.how === NOT_SNAPSHOTTED || c.how === NOT_RESTORABLE);
    out.push(
      `| ${n.namespace} | ${vols} | ${by} | ${n.rpo ? formatReportDuration(n.rpo) : n.volumes.length || unsnapshotted ? '**no volume backup**' : '—'} | ${n.restorePoints || '—'} | ${n.oldestRestorePoint ? formatReportDuration(n.oldestRestorePoint) : '—'} | ${n.offSite ? 'yes' : n.inClusterOnly ? '**no** (in-cluster object store)' : 'no'} |`,
    );
  }
  const declared = Object.entries(plan.input.unprotectedNamespaces ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (declared.length) {
    out.push(
      '',
      'Deliberately unprotected (the coverage alert and `npm run plan -- --inventory --strict` accept PVCs there):',
      '',
    );
    for (const [namespace, reason] of declared) out.push(`- \`${namespace}\`: ${reason}`);
  }
  out.push(
    '',
    ...snapshotSupportSection(plan.input),
    ...csiStorageSection(plan.input.csiStorage, plan.input.csiDriverMissing),
  );
  return out;
}

function runbooks(plan: BackupPlan): string[] {
  const ns = plan.input.release.namespace;
  const out: string[] = [];
  if (plan.input.runbooks) out.push(...withRebuildWarning(renderRestoreRunbooks(plan.input.runbooks), plan));
  const argocd = plan.input.argocdNamespace ?? ARGOCD_DEFAULTS.namespace;
  out.push(
    '## ArgoCD keeps out of what Velero creates',
    '',
    "The README's `argocd-cm` `resource.exclusions` is ArgoCD's shipped list plus Velero's run-time kinds (Backup, Restore, DataUpload, DataDownload, PodVolumeBackup, PodVolumeRestore, ...) and VolumeSnapshot, VolumeSnapshotContent. Setting that key replaces ArgoCD's shipped list, so it carries that list too. Check the live setting:",
    '',
    '```sh',
    ...exclusionCheckCommands(argocd),
    '```',
    '',
  );
  if (plan.input.alerts?.length) {
    const csi = plan.input.snapshotControllerNamespace ?? UPSTREAM_SNAPSHOT_CONTROLLER_NAMESPACE;
    // the snapshot-controller runs where the CSI stack put it, not where upstream's manifests do
    const fix = (line: string) =>
      line.replace(
        /kubectl -n kube-system logs deploy\/snapshot-controller/,
        `kubectl -n ${csi} logs deploy/snapshot-controller`,
      );
    out.push(...renderAlertRunbooks(plan.input.alerts, fix));
  }
  const csi = plan.input.csiStorage;
  const smokeData =
    csi?.noVolumeFromSnapshot &&
    `${csi.title ?? csi.driver} creates no volume from a snapshot: the data goes by file-system backup (the node-agent)`;
  out.push(
    '## Smoke tests',
    '',
    'Ad-hoc backups and restores of a throw-away namespace, to try the stack end to end; they restore no schedule.',
    '',
    '### Test: ConfigMap backup and restore',
    '',
    '```sh',
    'kubectl create namespace backup-test',
    'kubectl -n backup-test create configmap backup-test --from-literal=written="$(date -u +%FT%TZ)"',
    `velero -n ${ns} backup create backup-test-cm --include-namespaces backup-test --wait`,
    'kubectl delete namespace backup-test --wait',
    `velero -n ${ns} restore create backup-test-cm --from-backup backup-test-cm --wait`,
    'kubectl -n backup-test get configmap backup-test -o jsonpath="{.data.written}"',
    `kubectl delete namespace backup-test && velero -n ${ns} backup delete backup-test-cm --confirm`,
    '```',
    '',
    `### Test: PVC backup and restore (${smokeData ? 'file-system backup' : 'CSI snapshot'})`,
    '',
    '```sh',
    'kubectl create namespace backup-test',
    `kubectl -n backup-test apply -f - <<'EOF'`,
    'apiVersion: v1',
    'kind: PersistentVolumeClaim',
    'metadata: {name: data}',
    'spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: writer}',
    'spec:',
    '  containers:',
    '  - {name: writer, image: busybox:1.37.0, command: [sh, -c, "echo restored-ok > /data/test.txt && sleep 3600"], volumeMounts: [{name: data, mountPath: /data}]}',
    '  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]',
    'EOF',
    'kubectl -n backup-test wait pod/writer --for=condition=Ready --timeout=5m',
    ...(smokeData ? [`# ${smokeData}`] : []),
    `velero -n ${ns} backup create backup-test-pvc --include-namespaces backup-test ${smokeData ? '--default-volumes-to-fs-backup' : '--snapshot-volumes'} --wait`,
    'kubectl delete namespace backup-test --wait',
    `velero -n ${ns} restore create backup-test-pvc --from-backup backup-test-pvc --wait`,
    'kubectl -n backup-test wait pod/writer --for=condition=Ready --timeout=5m',
    'kubectl -n backup-test exec writer -- cat /data/test.txt   # prints restored-ok',
    `kubectl delete namespace backup-test && velero -n ${ns} backup delete backup-test-pvc --confirm`,
    '```',
    '',
  );
  return out;
}

/** The off-site bullet for schedules whose volume data stays in CSI snapshots, by where the snapshots live. */
function csiOffSite(schedules: readonly PlanSchedule[], csi: CsiStorageSummary | undefined): string {
  const names = schedules.map((s) => `\`${s.name}\``).join(', ');
  const storage = summaryStorage(csi);
  const move =
    'Only the resource manifests reach object storage. Turn on `snapshotMoveData` (needs the node-agent) to copy snapshot data to object storage.';
  const locality = csi?.placement?.locality;
  if (locality === 'inside-volume') {
    return `**CSI snapshots are not off-site, and do not outlive their volumes.** ${names} take CSI snapshots that live inside the volumes they copy (${storage}): deleting a volume deletes its snapshots, and losing ${storage} loses both. ${move}`;
  }
  if (locality === 'copied-elsewhere') {
    return `**CSI snapshots are not in object storage.** ${names} take CSI snapshots that ${storage} copies to a store of its own (${csi!.placement!.words}) ${move}`;
  }
  return `**CSI snapshots are not off-site.** ${names} take CSI snapshots, which stay on the same storage system as the volumes they copy (${storage}): losing ${storage} loses the volumes and their snapshots together. ${move}`;
}

/** The warning of a config with CSI on and no driver named (docs/pitfalls.md#csi-driver). */
const NO_DRIVER_WARNING = 'No CSI driver named, so volume data is not backed up by snapshots.';
const NO_DRIVER_FIX =
  "Set `csi.volumeSnapshotClass.driver: <your StorageClass provisioner>` (the PROVISIONER column of `kubectl get storageclass`), or `csi.enabled: false` to say volumes are handled otherwise (file-system backup: a schedule's `defaultVolumesToFsBackup`, or `volumeExceptions.fsBackupVolumes`). Until then `PVCNotSnapshottable` fires for every PVC that only CSI snapshots would protect (docs/pitfalls.md#csi-driver).";

/** What the plan must say before anything else, one line each (BACKUP-PLAN.md's top, `npm run plan`'s output). */
export function planWarnings(input: PlanInput): string[] {
  return [
    ...(input.csiDriverMissing ? [`${NO_DRIVER_WARNING} ${NO_DRIVER_FIX}`] : []),
    ...(input.repositoryMissing ? [NO_REPOSITORY_WARNING] : []),
    ...noVolumeFromSnapshotWarning(input),
  ];
}

/**
 * Schedules whose volume data only CSI snapshots carry (moved by the data mover or not), on a driver that creates
 * no volume from a snapshot: Velero accepts them, and every restore of that data fails (docs/pitfalls.md#no-volume-from-snapshot).
 */
function noVolumeFromSnapshotWarning(input: PlanInput): string[] {
  const csi = input.csiStorage;
  if (!csi?.noVolumeFromSnapshot) return [];
  const bySnapshots = input.schedules.filter(
    (s) => (s.snapshotVolumes || s.snapshotMoveData) && !s.defaultVolumesToFsBackup,
  );
  if (!bySnapshots.length) return [];
  return [
    `${csi.title ?? csi.driver} (\`${csi.driver}\`) creates no volume from a snapshot (${csi.noVolumeFromSnapshot}), so the volume data of ${bySnapshots.map((s) => `'${s.name}' (${how(s)})`).join(', ')} cannot be restored: a CSI-snapshot restore fails, and the data mover, which reads a volume made from the snapshot (velero-io/velero@v1.16.2 pkg/exposer/csi_snapshot.go createBackupPVC), never gets one, so those backups end PartiallyFailed. Back these volumes up by file-system backup: \`defaultVolumesToFsBackup: true\` on the schedule, with the node-agent (docs/pitfalls.md#no-volume-from-snapshot).`,
  ];
}

/** The warning of a config that names no Git repository (docs/pitfalls.md#argocd-repository). */
export const NO_REPOSITORY_WARNING =
  "No Git repository named (`argocd.repository.repoURL`), so the Applications point at a placeholder and ArgoCD syncs nothing of yours, and every alert's `runbook_url` links there. Set `argocd.repository: { repoURL: <the repository holding this dist/>, targetRevision: <its branch> }` (docs/pitfalls.md#argocd-repository).";

/** The report's "CSI snapshots" section: the driver, the class, where snapshots live, and the stack's notes. */
function csiStorageSection(csi: CsiStorageSummary | undefined, driverMissing = false): string[] {
  if (driverMissing) {
    return [
      '## CSI snapshots',
      '',
      `- **${NO_DRIVER_WARNING}** This stack renders no VolumeSnapshotClass and no snapshot-controller: neither can be right for every cluster. A schedule's CSI snapshot of a CSI volume fails (no class for its driver, the backup ends PartiallyFailed); other volumes are skipped while the backup ends Completed.`,
      `- ${NO_DRIVER_FIX}`,
      '',
    ];
  }
  if (!csi) return [];
  const cls = csi.existingClass
    ? `the cluster's own VolumeSnapshotClass \`${csi.className}\`, which every Schedule names for \`${csi.driver}\` (annotation \`${volumeSnapshotClassAnnotation(csi.driver)}\`); this stack renders no class`
    : `VolumeSnapshotClass \`${csi.className}\` (rendered here, deletionPolicy ${csi.deletionPolicy})`;
  return [
    '## CSI snapshots',
    '',
    `- Driver \`${csi.driver}\`${csi.title ? ` (${csi.title})` : ' (no profile: parameters are not checked)'}: ${cls}.`,
    `- ${csi.placement ? csi.placement.words : `Where ${csi.storage} keeps its snapshots is not known here: ${csi.placementCheck ?? 'check whether one survives deleting its volume'}.`}`,
    ...csi.notes.map((n) => `- ${n}`),
    '',
  ];
}

/** The report's "volumes CSI snapshots cannot take" section: the PVCNotSnapshottable rule, in words. */
function snapshotSupportSection(input: PlanInput): string[] {
  const support = input.volumeSnapshots;
  if (!support) return [];
  const declared = input.unprotectedNamespaces ?? {};
  const set = snapshotOnlyNamespaces(input.schedules, Object.keys(declared));
  const where =
    set.kind === 'none'
      ? 'no namespace'
      : set.kind === 'all'
        ? 'every namespace'
        : set.kind === 'only'
          ? set.namespaces.map((n) => `\`${n}\``).join(', ')
          : `every namespace except ${set.namespaces.map((n) => `\`${n}\``).join(', ')}`;
  const out = [
    '## Volumes CSI snapshots cannot take',
    '',
    `Only CSI snapshots protect the volumes of ${where}. A PVC there whose StorageClass's provisioner is not one of the stack's VolumeSnapshotClass drivers (${support.snapshotDrivers.map((d) => `\`${d}\``).join(', ') || 'none'}) is skipped while the backup ends Completed; \`PVCNotSnapshottable\` fires for it, and \`npm run plan -- ${clusterFlag(input.runbooks?.cluster)}--inventory pvcs.json --storage-classes sc.json\` lists it.`,
    '',
  ];
  const flagged = input.volumes
    .filter((v) => v.provisioner !== undefined)
    .map((v) => ({ v, verdict: volumeSnapshotVerdict(input.schedules, support, declared, v) }))
    .filter((x) => x.verdict.kind === 'not-snapshottable');
  for (const { v } of flagged) {
    out.push(
      `- **NOT SNAPSHOTTABLE**: \`${v.namespace}/${v.pvc}\` (${v.app ?? v.pvc}, ${v.size}) is on provisioner \`${v.provisioner}\`: its data is not backed up.`,
    );
  }
  for (const v of support.fsBackupVolumes ?? [])
    out.push(`- \`${v.namespace}/${v.pvc}\`: file-system backup (opted in by name)`);
  for (const v of support.unprotectedVolumes ?? [])
    out.push(`- \`${v.namespace}/${v.pvc}\`: **deliberately unprotected**: ${v.reason}`);
  if (out[out.length - 1] !== '') out.push('');
  return out;
}

/** Where the default location keeps the backups, per location: off-site or not, encrypted or not. */
function offSiteLines(plan: BackupPlan, storage: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const locations = [plan.input.release.defaultStorageLocation, ...plan.schedules.map((s) => s.storageLocation)];
  for (const l of locations) {
    if (seen.has(l.name)) continue;
    seen.add(l.name);
    const p = l.profile;
    const at = p.endpoint.url ? ` at \`${p.endpoint.url}\`` : '';
    const what = `${p.displayName} bucket \`${p.bucket}\`${at} (location \`${l.name}\`)`;
    if (p.endpoint.placement === 'in-cluster') {
      out.push(
        `- **NOT off-site: ${what} runs inside the cluster** (${p.endpoint.reason}). Losing the cluster, or the volume the store keeps its data on, loses every backup with it, and the rebuild runbook cannot work from it. Keep a copy outside the cluster: a further storage location there, or the bucket mirrored off-site (\`mc mirror\`, \`rclone sync\`).`,
      );
    } else if (p.endpoint.placement === 'private-network') {
      out.push(
        `- Backups go to ${what}, outside the cluster on a private network (${p.endpoint.reason}): they survive the cluster, not the site.`,
      );
    } else {
      out.push(`- Backups go to ${what}, off-site: outside the cluster and ${storage}.`);
    }
    if (!p.endpoint.encrypted) {
      out.push(
        `- **Traffic to \`${p.endpoint.host}\` is unencrypted (plain http)**: backup data and every signed request cross the network in the clear${p.plainHttpReason ? `; accepted because: ${p.plainHttpReason}` : ''}. Give the store a certificate (and \`caCert\` for a private CA) to encrypt it.`,
      );
    }
  }
  return out;
}

/** The cost section's price line: the price and its source, or why there is none; egress and minimum-duration notes. */
function priceLines(plan: BackupPlan): string[] {
  const profile = plan.input.release.defaultStorageLocation.profile;
  const egress =
    profile.freeEgressMultiple === Infinity
      ? ' Egress is free, so a full restore costs nothing extra.'
      : profile.freeEgressMultiple
        ? ` Egress is free up to ${profile.freeEgressMultiple}× the stored data per month, so a full restore costs nothing extra.`
        : '';
  const price =
    plan.cost.pricePerTbMonthUsd === undefined
      ? `Price: not known (${plan.cost.priceSource}).`
      : `Price: $${plan.cost.pricePerTbMonthUsd} per TB-month (${plan.cost.priceSource}).${egress}`;
  const out = [price];
  const minimum = profile.minimumStorageDays;
  if (minimum !== undefined) {
    const short = plan.schedules.filter((s) => s.ttl.toHours({ integral: false }) < minimum * 24);
    out.push(
      '',
      `${profile.displayName} bills every object for at least ${minimum} days${short.length ? `: ${short.map((s) => `\`${s.name}\` (ttl ${formatReportDuration(s.ttl)})`).join(', ')} delete${short.length === 1 ? 's' : ''} sooner and ${short.length === 1 ? 'is' : 'are'} billed as if kept ${minimum} days` : ''}.`,
    );
  }
  return out;
}

/** The rebuild runbook with a warning under its heading when the default location is inside the cluster. */
function withRebuildWarning(lines: string[], plan: BackupPlan): string[] {
  const location = plan.input.release.defaultStorageLocation;
  if (!location.profile.inCluster || location.profile.isTestRig) return lines;
  const heading = lines.findIndex((l) => l === `### ${scenarioHeading({ title: 'the whole cluster rebuilt' })}`);
  if (heading < 0) return lines;
  const warning = `**This runbook needs the backups outside the lost cluster.** Location \`${location.name}\` is ${location.profile.displayName} at \`${location.profile.endpoint.url}\`, inside the cluster: restore its bucket first (from your off-site mirror, onto a store the new cluster reaches at the same URL) or point \`storageLocations\` at the off-site copy, then follow the steps.`;
  return [...lines.slice(0, heading + 2), warning, '', ...lines.slice(heading + 2)];
}
