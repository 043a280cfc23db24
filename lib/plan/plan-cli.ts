import { readFileSync, renameSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkInventory, checkSnapshotSupport, parseInventory, parseStorageClasses } from './inventory';
import { backupPlan, formatBytes, planWarnings, quantityBytes, renderPlanMarkdown, type PlanInput } from './plan';
import { nextRuns } from '../schedule/cron';
import { formatReportDuration } from '../units/duration';
import type { InventoryPvc } from './inventory';
import { summaryStorage } from '../storage/csi-drivers';

export interface PlanCliIo {
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
  /** @default new Date() */
  readonly now?: Date;
  /** @default 'dist' */
  readonly distDir?: string;
}

const USAGE =
  'usage: npm run plan [-- --inventory <kubectl get pvc -A -o json output> [--storage-classes <kubectl get storageclass -o json output>] [--strict]]';

/**
 * `npm run plan`: writes BACKUP-PLAN.md (the same bytes `npm run synth` writes), prints a summary, and
 * with `--inventory` lists every live PVC that no schedule protects (with `--storage-classes`, also every one CSI
 * snapshots cannot take). Exit codes: 0 fine, 1 `--strict` found
 * unprotected PVCs, 2 bad usage or input.
 */
export function runPlanCli(argv: readonly string[], input: PlanInput, io: PlanCliIo): number {
  const args = parsePlanArgs(argv, io);
  if (args === undefined) return 2;
  const inventory = readInput(args.inventoryPath, 'inventory', 'kubectl get pvc -A -o json', parseInventory, io);
  if (inventory.failed) return 2;
  const classes = readInput(
    args.classesPath,
    'storage classes',
    'kubectl get storageclass -o json',
    parseStorageClasses,
    io,
  );
  if (classes.failed) return 2;

  const plan = backupPlan(input);
  const target = writePlanFile(plan, io);
  printPlanSummary(input, plan, target, io);
  if (!inventory.value) return 0;
  return reportInventory(input, inventory.value, classes.value, args.strict, io);
}

/** The options, checked; undefined (after saying why) when the usage is bad. */
function parsePlanArgs(
  argv: readonly string[],
  io: PlanCliIo,
): { inventoryPath?: string; classesPath?: string; strict: boolean } | undefined {
  const known = new Set(['--inventory', '--storage-classes', '--strict']);
  const unknown = argv.filter(
    (a, i) =>
      a.startsWith('--') && !known.has(a) && argv[i - 1] !== '--inventory' && argv[i - 1] !== '--storage-classes',
  );
  if (unknown.length) {
    io.error(`plan: unknown option ${unknown.join(', ')}\n${USAGE}`);
    return undefined;
  }
  const invIdx = argv.indexOf('--inventory');
  const inventoryPath = invIdx >= 0 ? argv[invIdx + 1] : undefined;
  if (invIdx >= 0 && (!inventoryPath || inventoryPath.startsWith('--'))) {
    io.error(`plan: --inventory needs a file\n${USAGE}`);
    return undefined;
  }
  const scIdx = argv.indexOf('--storage-classes');
  const classesPath = scIdx >= 0 ? argv[scIdx + 1] : undefined;
  if (scIdx >= 0 && (!classesPath || classesPath.startsWith('--') || !inventoryPath)) {
    io.error(`plan: --storage-classes needs a file and --inventory (it checks the inventory's PVCs)\n${USAGE}`);
    return undefined;
  }
  const strict = argv.includes('--strict');
  if (strict && !inventoryPath) {
    io.error(`plan: --strict checks a live inventory; give --inventory pvcs.json\n${USAGE}`);
    return undefined;
  }
  return { inventoryPath, classesPath, strict };
}

/** Reads and parses an input file; `failed` (after saying why) when it is missing or malformed. */
function readInput<T>(
  path: string | undefined,
  what: string,
  kubectl: string,
  parse: (text: string, source: string) => T,
  io: PlanCliIo,
): { value?: T; failed?: true } {
  if (!path) return {};
  try {
    return { value: parse(readFileSync(path, 'utf8'), `${what} '${path}'`) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    io.error(
      err.code === 'ENOENT'
        ? `plan: ${what} '${path}' does not exist; create it with '${kubectl} > ${path}'`
        : `plan: ${err.message}`,
    );
    return { failed: true };
  }
}

/** Writes BACKUP-PLAN.md (atomically) and returns its path. */
function writePlanFile(plan: ReturnType<typeof backupPlan>, io: PlanCliIo): string {
  const dist = resolve(io.distDir ?? 'dist');
  mkdirSync(dist, { recursive: true });
  const target = join(dist, 'BACKUP-PLAN.md');
  writeFileSync(`${target}.tmp`, renderPlanMarkdown(plan));
  renameSync(`${target}.tmp`, target);
  return target;
}

/** The summary `npm run plan` prints: each schedule, each namespace with volumes, where the backups are, the cost. */
function printPlanSummary(input: PlanInput, plan: ReturnType<typeof backupPlan>, target: string, io: PlanCliIo): void {
  const now = io.now ?? new Date();
  io.log(`backup plan: ${existsSync(target) ? target : ''}`);
  for (const w of planWarnings(input)) io.log(`  WARNING: ${w}`);
  for (const s of plan.schedules) {
    const next = nextRuns(s.schedule, now, 1)[0];
    io.log(
      `  ${s.name}: every ${formatReportDuration(s.cadence)}, keeps ${s.retentionDepth} restore points (${formatReportDuration(s.ttl)}), next run ${next ? next.toISOString() : 'never'}`,
    );
  }
  for (const n of plan.namespaces.filter((x) => x.volumes.length)) {
    io.log(
      `  ${n.namespace}: RPO ${n.rpo ? formatReportDuration(n.rpo) : 'NONE (no volume backup)'}, ${!n.rpo ? 'nothing of its volumes kept' : n.offSite ? 'off-site' : n.inClusterOnly ? 'NOT off-site (object store inside the cluster)' : `on ${summaryStorage(plan.input.csiStorage)} only`}`,
    );
  }
  const store = plan.input.release.defaultStorageLocation;
  if (store.profile.inCluster && !store.profile.isTestRig) {
    io.log(
      `  storage location '${store.name}': ${store.profile.displayName} at ${store.profile.endpoint.url} is inside the cluster (${store.profile.endpoint.reason}): the backups are NOT off-site`,
    );
  }
  if (!store.profile.endpoint.encrypted && !store.profile.isTestRig) {
    io.log(
      `  storage location '${store.name}': plain http, the traffic to ${store.profile.endpoint.host} is unencrypted`,
    );
  }
  io.log(
    `  object storage: ${formatBytes(plan.cost.totalBytes)}, ${plan.cost.usdPerMonth === undefined ? `no price (${plan.cost.priceSource})` : `about $${plan.cost.usdPerMonth.toFixed(2)} per month at $${plan.cost.pricePerTbMonthUsd}/TB-month`}`,
  );
}

/** The live inventory against the plan: unprotected and unsnapshottable PVCs; the exit code. */
function reportInventory(
  input: PlanInput,
  inventory: InventoryPvc[],
  classes: ReturnType<typeof parseStorageClasses> | undefined,
  strict: boolean,
  io: PlanCliIo,
): number {
  const result = checkInventory(input, inventory);
  io.log(
    `inventory: ${inventory.length} PVCs, ${result.protectedCount} protected, ${result.declaredUnprotected.length} deliberately unprotected, ${result.unprotected.length} NOT protected`,
  );
  for (const p of result.declaredUnprotected)
    io.log(`  deliberately unprotected: ${p.namespace}/${p.name} ${p.size} (${p.storageClass}): ${p.reason}`);
  for (const p of result.unprotected)
    io.log(`  NOT PROTECTED: ${p.namespace}/${p.name} ${p.size} storageClass=${p.storageClass}`);
  for (const line of inventoryStoreLines(input, inventory)) io.log(line);
  const unsnapshottable = classes ? checkSnapshotSupport(input, inventory, classes) : [];
  for (const p of unsnapshottable) {
    io.log(
      `  NOT SNAPSHOTTABLE: ${p.namespace}/${p.name} ${p.size} storageClass=${p.storageClass} provisioner=${p.provisioner ?? 'unknown'}: only CSI snapshots protect its namespace, and no VolumeSnapshotClass serves that provisioner; move it to a snapshot-capable class, opt it into file-system backup (fsBackupVolumes), or declare it in unprotectedVolumes with a reason`,
    );
  }
  if (unsnapshottable.length && strict && !result.unprotected.length) return 1;
  if (result.unprotected.length) {
    const total = result.unprotected.reduce((a, p) => {
      try {
        return a + quantityBytes(p.size);
      } catch {
        return a;
      }
    }, 0);
    io.log(
      `  ${formatBytes(total)} of data in ${result.unprotected.length} PVC(s) is backed up by no schedule: add the namespace to a schedule or declare it in the config's unprotectedNamespaces with a reason`,
    );
    if (strict) return 1;
  }
  return 0;
}

/**
 * What the inventory says about the default location's object store: the PVCs of the namespace its host names
 * (`minio.minio.svc` and `minio.minio` name namespace `minio`). An in-cluster store keeps the backups on them; a
 * `<service>.<namespace>` host whose namespace holds PVCs is a Service of this cluster the name rules missed.
 */
export function inventoryStoreLines(input: PlanInput, inventory: readonly InventoryPvc[]): string[] {
  const location = input.release.defaultStorageLocation;
  const { endpoint, displayName } = location.profile;
  if (location.profile.isTestRig || endpoint.url === undefined) return [];
  const labels = endpoint.host.toLowerCase().split('.');
  const namespace = labels.length === 2 || labels[2] === 'svc' ? labels[1] : undefined;
  const pvcs = inventory.filter((p) => p.namespace === namespace);
  if (!namespace || !pvcs.length) return [];
  const on = pvcs.map((p) => `${p.namespace}/${p.name} ${p.size} (${p.storageClass})`).join(', ');
  if (endpoint.placement === 'in-cluster') {
    return [`  object store: ${displayName} keeps the backups inside the cluster, on ${on}: NOT off-site`];
  }
  return [
    `  object store: host '${endpoint.host}' is a Service of namespace '${namespace}', which the inventory shows (${on}): the backups are inside the cluster, NOT off-site; set inCluster: true on storage location '${location.name}'`,
  ];
}
