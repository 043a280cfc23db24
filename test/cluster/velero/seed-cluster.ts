/**
 * "A fake cluster populated from a backup of the seed's namespaces", generated from a rendered config, never
 * written by hand: for every namespace a rendered Schedule names (and every namespace of `volumes`), the
 * objects an ArgoCD Application of that namespace would have synced (Namespace, a Deployment or StatefulSet,
 * Service, ConfigMap), each listed volume as a Bound PVC with its PV, and the cluster-scoped configuration
 * (StorageClass, the rendered VolumeSnapshotClass, a ClusterRole). Every synced object carries ArgoCD's tracking
 * as ArgoCD writes it under the render's `argocd.trackingMethod` (argoproj/argo-cd@v3.5.1
 * util/argo/resource_tracking.go `SetAppInstance`: `label` sets the label `app.kubernetes.io/instance: <app>`,
 * `annotation` the annotation `argocd.argoproj.io/tracking-id:
 * <app>:<group>/<Kind>:<namespace>/<name>`, `annotation+label` both). The app's objects also carry the chart's own
 * `app.kubernetes.io/instance` (Helm's release label), which is tracking only under `label` tracking. The
 * cluster's own namespaces carry none.
 */
import type { ArgoCdTrackingMethod } from '../../../lib/restore/resource-modifiers';
import type { KubeObject } from '../types';

export const TRACKING_LABEL = 'app.kubernetes.io/instance';
export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/** Helm's own instance label (the release name): under `annotation` tracking it is the app's, never ArgoCD's. */
export const HELM_INSTANCE_LABEL = TRACKING_LABEL;

/** The keys ArgoCD writes (and its `RemoveAppInstance` removes) under a tracking method: what "tracking" means there. */
export function trackingKeysOf(method: ArgoCdTrackingMethod): { labels: string[]; annotations: string[] } {
  return {
    labels: method === 'label' || method === 'annotation+label' ? [TRACKING_LABEL] : [],
    annotations:
      method === 'annotation' || method === 'annotation+label'
        ? [TRACKING_ANNOTATION, 'argocd.argoproj.io/installation-id']
        : [],
  };
}

/** `Kind/namespace/name keeps the tracking <key>` for every tracking key of `method` on `o`. */
export function trackingLeft(method: ArgoCdTrackingMethod, o: KubeObject): string[] {
  const keys = trackingKeysOf(method);
  const where = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return [
    ...keys.labels.filter((k) => k in (o.metadata.labels ?? {})).map((k) => `${where} keeps the tracking label ${k}`),
    ...keys.annotations
      .filter((k) => k in (o.metadata.annotations ?? {}))
      .map((k) => `${where} keeps the tracking annotation ${k}`),
  ];
}

/** Namespaces every cluster has before anything is synced. */
export const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'] as const;

/** A namespace no named schedule lists: only an all-namespaces schedule backs it up. */
export const STATELESS_NAMESPACE = 'homepage';

export interface SeedVolume {
  readonly namespace: string;
  readonly pvc: string;
  readonly size: string;
  readonly app?: string;
}

export interface SeedClusterInput {
  /** The rendered objects (dist/ or an in-memory render): Schedules, the VolumeSnapshotClass, the Velero namespace, ConfigMaps. */
  readonly rendered: readonly KubeObject[];
  /** The config's `volumes`. */
  readonly volumes: readonly SeedVolume[];
  /** The config's `argocd.trackingMethod`, as the stack resolved it: how ArgoCD tracked what it synced. */
  readonly trackingMethod: ArgoCdTrackingMethod;
}

/** `obj` as ArgoCD's `SetAppInstance` leaves it under `method` (the label overwrites Helm's own value). */
const tracker =
  (method: ArgoCdTrackingMethod) =>
  (app: string, obj: KubeObject): KubeObject => {
    const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    const keys = trackingKeysOf(method);
    if (keys.labels.length) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [TRACKING_LABEL]: app };
    if (keys.annotations.length)
      obj.metadata.annotations = {
        ...(obj.metadata.annotations ?? {}),
        [TRACKING_ANNOTATION]: `${app}:${group}/${obj.kind}:${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
      };
    return obj;
  };

const dns = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** The namespaces with workloads: every name the rendered Schedules list, every volume's, and the stateless one. */
export function workloadNamespaces(input: SeedClusterInput): string[] {
  const fromSchedules = input.rendered
    .filter((o) => o.kind === 'Schedule')
    .flatMap((s) => (s.spec as { template: { includedNamespaces?: string[] } }).template.includedNamespaces ?? [])
    .filter((ns) => !ns.includes('*'));
  const veleroNs = input.rendered.find((o) => o.kind === 'Schedule')?.metadata.namespace;
  return [...new Set([...fromSchedules, ...input.volumes.map((v) => v.namespace), STATELESS_NAMESPACE])]
    .filter((ns) => ns !== veleroNs)
    .sort();
}

/** Every object of the populated cluster, system namespaces and the rendered Velero bits included. */
export function seedCluster(input: SeedClusterInput): KubeObject[] {
  const vsClass = input.rendered.find((o) => o.kind === 'VolumeSnapshotClass');
  const driver = (vsClass?.driver as string | undefined) ?? 'csi.example.com';
  const storageClass = `${dns(driver)}-sc`;
  const tracked = tracker(input.trackingMethod);
  const out: KubeObject[] = SYSTEM_NAMESPACES.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
  out.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cluster-info', namespace: 'kube-system' },
    data: { a: 'b' },
  });
  out.push(...bootstrapObjects(input.rendered));
  out.push(
    tracked('cluster-config', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: storageClass },
      provisioner: driver,
      reclaimPolicy: 'Delete',
    }),
    tracked('cluster-config', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'homelab-reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    }),
  );
  for (const ns of workloadNamespaces(input)) {
    if (!SYSTEM_NAMESPACES.includes(ns as (typeof SYSTEM_NAMESPACES)[number])) {
      out.push(
        tracked(ns, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
        }),
      );
    }
    const vols = input.volumes.filter((v) => v.namespace === ns);
    const apps = vols.length ? [...new Set(vols.map((v) => dns(v.app ?? v.pvc)))] : [`${ns}-web`];
    for (const app of apps)
      out.push(
        ...appObjects(
          ns,
          app,
          vols.filter((v) => dns(v.app ?? v.pvc) === app),
          storageClass,
          driver,
          tracked,
        ),
      );
  }
  return out;
}

/** What ArgoCD syncs of the stack itself before any restore (rendered objects of kinds the restores touch). */
export function bootstrapObjects(rendered: readonly KubeObject[]): KubeObject[] {
  const veleroNs = rendered.find((o) => o.kind === 'Schedule')?.metadata.namespace ?? 'velero';
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: veleroNs } },
    ...rendered.filter(
      (o) =>
        o.kind === 'VolumeSnapshotClass' ||
        o.kind === 'Schedule' ||
        (o.kind === 'ConfigMap' && o.metadata.namespace === veleroNs && !o.metadata.name?.endsWith('-runner')),
    ),
  ].map((o) => structuredClone(o));
}

function appObjects(
  ns: string,
  app: string,
  vols: readonly SeedVolume[],
  storageClass: string,
  driver: string,
  tracked: ReturnType<typeof tracker>,
): KubeObject[] {
  const labels = { 'app.kubernetes.io/name': app };
  // the chart's own labels: Helm's instance label (the release) is the app's, and under label tracking ArgoCD overwrites it
  const metaLabels = { ...labels, [HELM_INSTANCE_LABEL]: app };
  // a claim named <template>-<set>-<ordinal> is a StatefulSet's volumeClaimTemplate claim
  const sts = vols.length === 1 ? /^([a-z0-9]+)-([a-z0-9-]+)-(\d+)$/.exec(vols[0].pvc) : null;
  const name = sts ? sts[2] : app;
  const podSpec = {
    containers: [
      {
        name: app,
        image: 'registry.example/app:1',
        volumeMounts: vols.map((v) => ({ name: sts ? sts[1] : v.pvc, mountPath: `/data/${v.pvc}` })),
      },
    ],
    volumes: vols.map((v) => ({ name: v.pvc, persistentVolumeClaim: { claimName: v.pvc } })),
  };
  const workload: KubeObject = {
    apiVersion: 'apps/v1',
    kind: sts ? 'StatefulSet' : 'Deployment',
    metadata: { name, namespace: ns, labels: metaLabels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: sts ? { ...podSpec, volumes: [] } : podSpec },
      ...(sts
        ? {
            serviceName: name,
            volumeClaimTemplates: [
              {
                metadata: { name: sts[1] },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: vols[0].size } } },
              },
            ],
          }
        : {}),
    },
  };
  const out = [
    tracked(ns, workload),
    tracked(ns, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels: metaLabels },
      spec: { selector: labels, ports: [{ port: 80 }] },
    }),
    tracked(ns, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-config`, namespace: ns, labels: metaLabels },
      data: { 'app.conf': `name=${name}` },
    }),
  ];
  for (const v of vols) {
    const pvName = `pvc-${ns}-${v.pvc}`;
    // a StatefulSet's claims come from its volumeClaimTemplates: ArgoCD does not track them
    const pvc: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: v.pvc,
        namespace: ns,
        labels: metaLabels,
        annotations: { 'pv.kubernetes.io/bind-completed': 'yes' },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: v.size } },
        storageClassName: storageClass,
        volumeName: pvName,
      },
      status: { phase: 'Bound' },
    };
    out.push(sts ? pvc : tracked(ns, pvc), {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName },
      spec: {
        capacity: { storage: v.size },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: storageClass,
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: v.pvc },
        csi: { driver, volumeHandle: `vol-${ns}-${v.pvc}` },
      },
      status: { phase: 'Bound' },
    });
  }
  return out;
}
