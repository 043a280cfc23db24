import { Quantity as K8sQuantity } from 'cdk8s-plus-30/lib/imports/k8s';
import { Quantity } from '../units/quantity';
import { checkProps } from '../validation/props';

/** CPU and memory for a container, as Kubernetes quantities (`'100m'`, `'256Mi'`). */
export interface ComputeResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** What each resource accepts on top of the quantity grammar, and the example a message offers. */
const RULES = {
  cpu: {
    example: "'100m' or '0.5'",
    check: (q: Quantity) => (q.millis === undefined ? 'finer than 1m (one millicore)' : undefined),
  },
  memory: {
    example: "'256Mi' or '1Gi'",
    check: (q: Quantity) =>
      q.isWhole
        ? undefined
        : `not a whole number of bytes${q.text.endsWith('m') ? " ('m' is a thousandth; mebibytes are 'Mi')" : ''}`,
  },
} as const;

/**
 * Validates each quantity (lib/units/quantity.ts), the rules of its resource (not negative; a CPU in
 * whole millicores, a memory size in whole bytes) and requests <= limits; `what` names the container.
 */
export function checkResources(what: string, r: ComputeResources): void {
  checkProps(what, r, { requests: 'object', limits: 'object' }, 'resources.');
  for (const side of ['requests', 'limits'] as const) {
    checkProps(what, r[side], { cpu: 'string', memory: 'string' }, `resources.${side}.`);
  }
  for (const kind of ['cpu', 'memory'] as const) {
    const parsed = { requests: undefined as Quantity | undefined, limits: undefined as Quantity | undefined };
    for (const side of ['requests', 'limits'] as const) {
      const text = r[side][kind];
      const q = Quantity.tryParse(text);
      if (!q) {
        throw new Error(
          `${what}: resources.${side}.${kind} '${text}' is not a Kubernetes quantity; use e.g. '100m' or '256Mi'`,
        );
      }
      const problem = q.isNegative ? 'negative' : RULES[kind].check(q);
      if (problem) {
        throw new Error(`${what}: resources.${side}.${kind} '${text}' is ${problem}; use e.g. ${RULES[kind].example}`);
      }
      parsed[side] = q;
    }
    if (parsed.limits!.compare(parsed.requests!) < 0) {
      throw new Error(
        `${what}: resources.limits.${kind} '${r.limits[kind]}' is below resources.requests.${kind} '${r.requests[kind]}'; raise the limit or lower the request`,
      );
    }
  }
}

/** The container `resources` block. */
export function toK8sResources(r: ComputeResources) {
  return {
    requests: { cpu: K8sQuantity.fromString(r.requests.cpu), memory: K8sQuantity.fromString(r.requests.memory) },
    limits: { cpu: K8sQuantity.fromString(r.limits.cpu), memory: K8sQuantity.fromString(r.limits.memory) },
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
