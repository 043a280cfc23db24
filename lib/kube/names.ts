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
