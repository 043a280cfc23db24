/**
 * The live inventory `npm run plan -- --inventory pvcs.json --storage-classes sc.json` checks against the
 * config: PVCs no schedule protects (the PVCNotCoveredByBackup rule) and PVCs CSI snapshots cannot take (the
 * PVCNotSnapshottable rule), from `kubectl get pvc -A -o json` and `kubectl get storageclass -o json`.
 */
import { volumeSnapshotVerdict } from '../alerts/unsnapshottable-volume';
import { isNamespaceProtected } from '../schedule/coverage';
import type { PlanInput } from './plan';

/** One PVC from `kubectl get pvc -A -o json`. */
export interface InventoryPvc {
  readonly namespace: string;
  readonly name: string;
  readonly size: string;
  readonly storageClass: string;
}

export interface InventoryResult {
  readonly unprotected: readonly InventoryPvc[];
  readonly declaredUnprotected: readonly (InventoryPvc & { reason: string })[];
  readonly protectedCount: number;
}

/** Parses `kubectl get pvc -A -o json` output; throws a clear error on anything else. */
export function parseInventory(text: string, source = 'inventory'): InventoryPvc[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted JSON, checked field by field below
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${source}: not JSON (${(e as Error).message}); produce it with 'kubectl get pvc -A -o json > pvcs.json'`,
      { cause: e },
    );
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.items)) {
    throw new Error(
      `${source}: expected a Kubernetes List with an 'items' array, as 'kubectl get pvc -A -o json' prints`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted JSON, checked field by field
  return doc.items.map((item: any, i: number) => {
    if (item?.kind !== undefined && item.kind !== 'PersistentVolumeClaim') {
      throw new Error(
        `${source}: items[${i}] is a ${item.kind}, not a PersistentVolumeClaim; list PVCs with 'kubectl get pvc -A -o json'`,
      );
    }
    const namespace = item?.metadata?.namespace;
    const name = item?.metadata?.name;
    if (typeof namespace !== 'string' || typeof name !== 'string') {
      throw new Error(
        `${source}: items[${i}] has no metadata.namespace or metadata.name; list PVCs with -A so every item carries its namespace`,
      );
    }
    return {
      namespace,
      name,
      size: String(item?.status?.capacity?.storage ?? item?.spec?.resources?.requests?.storage ?? 'unknown'),
      storageClass: String(item?.spec?.storageClassName ?? '(default)'),
    };
  });
}

/** Every PVC that no schedule protects: the same rule as the PVCNotCoveredByBackup alert. */
export function checkInventory(input: PlanInput, pvcs: readonly InventoryPvc[]): InventoryResult {
  const declared = input.unprotectedNamespaces ?? {};
  const unprotected: InventoryPvc[] = [];
  const declaredUnprotected: (InventoryPvc & { reason: string })[] = [];
  let protectedCount = 0;
  for (const pvc of pvcs) {
    if (isNamespaceProtected(input.schedules, pvc.namespace).protected) protectedCount++;
    else if (declared[pvc.namespace] !== undefined)
      declaredUnprotected.push({ ...pvc, reason: declared[pvc.namespace] });
    else unprotected.push(pvc);
  }
  return { unprotected, declaredUnprotected, protectedCount };
}

/** StorageClass name -> provisioner, and the default class, from `kubectl get storageclass -o json`. */
export interface StorageClassInventory {
  readonly provisioners: Readonly<Record<string, string>>;
  readonly defaultClass?: string;
}

/** Parses `kubectl get storageclass -o json` output; throws a clear error on anything else. */
export function parseStorageClasses(text: string, source = 'storage classes'): StorageClassInventory {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted JSON, checked field by field below
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${source}: not JSON (${(e as Error).message}); produce it with 'kubectl get storageclass -o json > sc.json'`,
      { cause: e },
    );
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.items)) {
    throw new Error(
      `${source}: expected a Kubernetes List with an 'items' array, as 'kubectl get storageclass -o json' prints`,
    );
  }
  const provisioners: Record<string, string> = {};
  let defaultClass: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted JSON, checked field by field
  doc.items.forEach((item: any, i: number) => {
    if (item?.kind !== undefined && item.kind !== 'StorageClass') {
      throw new Error(
        `${source}: items[${i}] is a ${item.kind}, not a StorageClass; list them with 'kubectl get storageclass -o json'`,
      );
    }
    const name = item?.metadata?.name;
    if (typeof name !== 'string' || typeof item?.provisioner !== 'string') {
      throw new Error(`${source}: items[${i}] has no metadata.name or provisioner`);
    }
    provisioners[name] = item.provisioner;
    if (item.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true') defaultClass = name;
  });
  return { provisioners, defaultClass };
}

/** Live PVCs in snapshot-only namespaces whose StorageClass has no snapshot driver: the PVCNotSnapshottable rule. */
export function checkSnapshotSupport(
  input: PlanInput,
  pvcs: readonly InventoryPvc[],
  classes: StorageClassInventory,
): (InventoryPvc & { provisioner?: string })[] {
  if (!input.volumeSnapshots) return [];
  const declared = input.unprotectedNamespaces ?? {};
  const out: (InventoryPvc & { provisioner?: string })[] = [];
  for (const p of pvcs) {
    const cls = p.storageClass === '(default)' ? classes.defaultClass : p.storageClass;
    const provisioner = cls !== undefined ? classes.provisioners[cls] : undefined;
    const verdict = volumeSnapshotVerdict(input.schedules, input.volumeSnapshots, declared, {
      namespace: p.namespace,
      pvc: p.name,
      provisioner,
    });
    if (verdict.kind === 'not-snapshottable') out.push({ ...p, provisioner });
  }
  return out;
}
