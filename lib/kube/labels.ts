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

/** The name part of a qualified name (label keys, annotation keys): at most 63 characters. */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Why `key` is not a Kubernetes label key (`[prefix/]name`: the prefix a DNS-1123 subdomain of at most 253
 * characters, the name at most 63 of `[-A-Za-z0-9_.]`, starting and ending alphanumeric), or undefined.
 */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length > 253 || !PREFIX.test(prefix)) return `its prefix '${prefix}' is not a DNS-1123 subdomain`;
  }
  if (name.length === 0) return 'its name is empty';
  if (name.length > 63) return `its name is ${name.length} characters long, more than 63`;
  if (!QUALIFIED_NAME.test(name)) {
    return "its name may hold only letters, digits, '-', '_' and '.', and must start and end with a letter or digit";
  }
  return undefined;
}

/** Why `value` is not a Kubernetes label value (empty, or at most 63 of `[-A-Za-z0-9_.]` alphanumeric at both ends). */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `it is ${value.length} characters long, more than 63`;
  if (value !== '' && !QUALIFIED_NAME.test(value)) {
    return "it may hold only letters, digits, '-', '_' and '.', and must start and end with a letter or digit";
  }
  return undefined;
}

/** Throws the first key or value of `labels` the API server would refuse, naming `field` of `subject`. */
export function checkLabels(subject: string, field: string, labels: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(k);
    if (keyProblem) {
      throw new Error(
        `${subject}: ${field} key '${k}' is not a Kubernetes label key: ${keyProblem}; use e.g. 'team' or 'example.com/team' (docs/pitfalls.md#label-syntax)`,
      );
    }
    const valueProblem = labelValueProblem(v);
    if (valueProblem) {
      throw new Error(
        `${subject}: ${field}['${k}'] value '${v}' is not a Kubernetes label value: ${valueProblem} (docs/pitfalls.md#label-syntax)`,
      );
    }
  }
}
