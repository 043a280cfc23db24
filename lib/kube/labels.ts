/** Kubernetes recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
export const PART_OF = 'velero-cdk8s';
export const MANAGED_BY = 'velero-cdk8s';

/**
 * The recommended `app.kubernetes.io/*` labels for one component of the stack.
 * @param name `app.kubernetes.io/name`, e.g. `velero`, `snapshot-controller`
 * @param version `app.kubernetes.io/version`, e.g. `v1.15.0`
 */
export function recommendedLabels(name: string, version: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/version': version,
  };
}
