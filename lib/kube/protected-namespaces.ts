/**
 * Namespaces that belong to someone else: the stack must never render a Namespace object for them (it would
 * take over their Pod Security labels and mark them Prune=false), nor run its own workloads in them as if it
 * owned them (docs/pitfalls.md#foreign-namespace).
 */
const FOREIGN_NAMESPACES: Readonly<Record<string, string>> = {
  'kube-system': 'belongs to the cluster',
  'kube-public': 'belongs to the cluster',
  'kube-node-lease': 'belongs to the cluster',
  default: 'belongs to the cluster',
  'synology-csi': 'belongs to the Synology CSI driver, whose node plugin needs privileged pods',
  argocd: 'belongs to ArgoCD',
};

/** Whom `namespace` belongs to ("belongs to the cluster"), or undefined when the stack may own it. */
export function foreignNamespaceOwner(namespace: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(FOREIGN_NAMESPACES, namespace)
    ? FOREIGN_NAMESPACES[namespace]
    : undefined;
}
