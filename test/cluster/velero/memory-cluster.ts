/**
 * A plain in-memory ClusterView for the Velero emulation's own tests: a store keyed by apiVersion's group,
 * kind, namespace and name, with uids, resourceVersions and generateName, and no admission at all (the
 * emulated API server, test/cluster/api-server.ts, is the one that admits or refuses).
 */
import type { ClusterView, KubeObject } from '../types';

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const keyOf = (apiVersion: string, kind: string, namespace: string | undefined, name: string) =>
  `${groupOf(apiVersion)}/${kind}/${namespace ?? ''}/${name}`;

export class MemoryCluster implements ClusterView {
  private readonly store = new Map<string, KubeObject>();
  private serial = 0;

  constructor(objects: readonly KubeObject[] = []) {
    for (const o of objects) this.create(o);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.store.get(keyOf(apiVersion, kind, namespace, name));
    return o && structuredClone(o);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const g = groupOf(apiVersion);
    return [...this.store.values()]
      .filter((o) => groupOf(o.apiVersion) === g && o.kind === kind)
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .map((o) => structuredClone(o));
  }

  /** Every object, in creation order. */
  all(): KubeObject[] {
    return [...this.store.values()].map((o) => structuredClone(o));
  }

  create(obj: KubeObject): KubeObject {
    const o = structuredClone(obj);
    if (!o.metadata.name && o.metadata.generateName) {
      o.metadata.name = `${o.metadata.generateName}${(++this.serial).toString(36).padStart(5, '0')}`;
    }
    if (!o.metadata.name) throw new Error(`${o.kind}: metadata.name or generateName is required`);
    if (
      o.metadata.namespace &&
      o.kind !== 'Namespace' &&
      !this.get('v1', 'Namespace', undefined, o.metadata.namespace)
    ) {
      throw Object.assign(new Error(`namespaces "${o.metadata.namespace}" not found`), { reason: 'NotFound' });
    }
    const key = keyOf(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
    if (this.store.has(key)) {
      throw Object.assign(new Error(`${o.kind} "${o.metadata.name}" already exists`), { reason: 'AlreadyExists' });
    }
    o.metadata.uid ??= `uid-${++this.serial}`;
    o.metadata.resourceVersion = String(++this.serial);
    this.store.set(key, o);
    return structuredClone(o);
  }

  update(obj: KubeObject): KubeObject {
    const key = keyOf(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name!);
    const old = this.store.get(key);
    if (!old) throw Object.assign(new Error(`${obj.kind} "${obj.metadata.name}" not found`), { reason: 'NotFound' });
    const o = structuredClone(obj);
    o.metadata.uid = old.metadata.uid;
    o.metadata.resourceVersion = String(++this.serial);
    this.store.set(key, o);
    return structuredClone(o);
  }

  /** Deletes the object; a Namespace takes everything in it along (as the namespace controller does). */
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const key = keyOf(apiVersion, kind, namespace, name);
    if (!this.store.delete(key)) {
      throw Object.assign(new Error(`${kind} "${name}" not found`), { reason: 'NotFound' });
    }
    if (kind === 'Namespace') {
      for (const [k, o] of this.store) if (o.metadata.namespace === name) this.store.delete(k);
    }
  }
}
