/** Kubernetes name rules (no dependencies: the bundled drill runner uses them too). */

/** RFC 1123 label: namespaces, most object names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: e.g. PVC and VolumeSnapshotClass names, CSI driver names. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A valid DNS-1123 label of at most `max` characters (63 by default). */
export function isDnsLabel(name: string, max = 63): boolean {
  return name.length <= max && DNS1123_LABEL.test(name);
}

/** Throws `<what> '<name>' is not a valid DNS-1123 label; ...` unless `name` is one. */
export function assertDnsLabel(what: string, name: string): void {
  if (!isDnsLabel(name)) {
    throw new Error(`${what} '${name}' is not a valid DNS-1123 label; use lowercase letters, digits and '-'`);
  }
}

/** A valid DNS-1123 subdomain of at most `max` characters (253 by default). */
export function isDnsSubdomain(name: string, max = 253): boolean {
  return name.length <= max && DNS1123_SUBDOMAIN.test(name);
}

/** A Secret data key (`[-._a-zA-Z0-9]+`, at most 253 characters, not `.` or `..`). */
export function isSecretKey(key: string): boolean {
  return key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key) && key !== '.' && key !== '..';
}

/** Throws unless `ref` names a Secret (a DNS-1123 subdomain) and a key of its data. */
export function checkSecretKeyRef(subject: string, field: string, ref: { name: string; key: string }): void {
  if (!isDnsSubdomain(ref.name)) {
    throw new Error(
      `${subject}: ${field}.name '${ref.name}' is not a Secret name (a DNS-1123 subdomain); use e.g. 'cloud-credentials' (docs/pitfalls.md#secret-key)`,
    );
  }
  if (!isSecretKey(ref.key)) {
    throw new Error(
      `${subject}: ${field}.key '${ref.key}' is not a Secret data key: use letters, digits, '-', '_' and '.', e.g. 'cloud'; the file would be mounted at a wrong path (docs/pitfalls.md#secret-key)`,
    );
  }
}
