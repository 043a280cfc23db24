import { Quantity } from 'cdk8s-plus-30/lib/imports/k8s';

/** CPU and memory for a container, as Kubernetes quantities (`'100m'`, `'256Mi'`). */
export interface ComputeResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

const UNIT: Record<string, number> = {
  m: 1e-3,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

function parseQuantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) return NaN;
  return m[2] ? Number(m[1]) * UNIT[m[2]] : Number(m[1]);
}

/** Validates quantity syntax and requests <= limits; `what` names the container in the message. */
export function checkResources(what: string, r: ComputeResources): void {
  for (const kind of ['cpu', 'memory'] as const) {
    for (const side of ['requests', 'limits'] as const) {
      if (Number.isNaN(parseQuantity(r[side][kind]))) {
        throw new Error(
          `${what}: resources.${side}.${kind} '${r[side][kind]}' is not a Kubernetes quantity; use e.g. '100m' or '256Mi'`,
        );
      }
    }
    if (parseQuantity(r.limits[kind]) < parseQuantity(r.requests[kind])) {
      throw new Error(
        `${what}: resources.limits.${kind} '${r.limits[kind]}' is below resources.requests.${kind} '${r.requests[kind]}'; raise the limit or lower the request`,
      );
    }
  }
}

/** The container `resources` block. */
export function toK8sResources(r: ComputeResources) {
  return {
    requests: { cpu: Quantity.fromString(r.requests.cpu), memory: Quantity.fromString(r.requests.memory) },
    limits: { cpu: Quantity.fromString(r.limits.cpu), memory: Quantity.fromString(r.limits.memory) },
  };
}

/**
 * The container securityContext of the `restricted` Pod Security level, hardened: a numeric non-root
 * user (the kubelet can check `runAsNonRoot` only against a number), no privilege escalation, no
 * capabilities, RuntimeDefault seccomp and a read-only root filesystem (mount emptyDirs where it writes).
 */
export function restrictedSecurityContext(uid: number, gid = uid) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
