/**
 * Where an object store's endpoint is, seen from the Velero pod: inside the cluster, on a private network, or on
 * the public internet; and whether the traffic to it is encrypted. velero-plugin-for-aws takes any `http://` or
 * `https://` s3Url (`IsValidS3URLScheme`, velero-plugin-for-aws/helpers.go at v1.11.1 and v1.13.2), and Velero's own
 * MinIO guide uses `s3Url=http://minio.velero.svc:9000` (velero-io/velero@v1.17.2:site/content/docs/v1.17/contributions/minio.md),
 * so plain http is accepted; over the public internet only with a stated reason (docs/pitfalls.md#plain-http).
 *
 * The rules (docs/pitfalls.md#in-cluster-object-store):
 * - in the cluster: a host ending in `.svc` or `.cluster.local` (`minio.minio.svc`, `minio.minio.svc.cluster.local`),
 *   or a single label (`minio`: a Service of Velero's namespace through the pod's DNS search path);
 * - on a private network: IPv4 RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 shared space (100.64/10, e.g.
 *   Tailscale), loopback (127/8, ::1), link-local (169.254/16, fe80::/10), IPv6 ULA (fc00::/7), and the names
 *   RFC 6762 appendix G and RFC 8375 set aside for private use: `*.home.arpa`, `*.local`, `*.lan`, `*.home`,
 *   `*.internal`, `*.intranet`, `*.corp`, `*.private`, `*.localdomain`, `localhost`;
 * - everything else is public.
 * A ClusterIP address or a `<service>.<namespace>` short name cannot be told from a host elsewhere: the location's
 * `inCluster` says so explicitly.
 */

/** Where an endpoint is, seen from the cluster. */
export type EndpointPlacement = 'in-cluster' | 'private-network' | 'public';

/** An object store endpoint: its URL (undefined for AWS S3 itself), where it is and whether TLS protects it. */
export interface StorageEndpoint {
  /** The s3Url, or undefined for AWS S3 (resolved from the region). */
  readonly url?: string;
  readonly host: string;
  readonly placement: EndpointPlacement;
  /** True for https. */
  readonly encrypted: boolean;
  /** Why the placement was decided: `host 'minio.minio.svc' ends in .svc`, `set by inCluster`. */
  readonly reason: string;
}

/** Name suffixes reserved for private networks (RFC 8375 home.arpa, RFC 6762 .local and appendix G). */
export const PRIVATE_NAME_SUFFIXES = [
  '.home.arpa',
  '.local',
  '.lan',
  '.home',
  '.internal',
  '.intranet',
  '.corp',
  '.private',
  '.localdomain',
] as const;

/** Name suffixes of Services inside the cluster (the cluster domain `cluster.local` and `<svc>.<ns>.svc`). */
export const IN_CLUSTER_SUFFIXES = ['.svc', '.cluster.local'] as const;

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

function privateIpv4([a, b]: number[]): boolean {
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

function privateIpv6(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === '::1') return true;
  const first = parseInt(h.split(':')[0] || '0', 16);
  // fc00::/7 (ULA) and fe80::/10 (link-local)
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

/** The placement of a host by name or address alone (no explicit `inCluster`). */
export function placementOfHost(host: string): { placement: EndpointPlacement; reason: string } {
  const h = host.toLowerCase().replace(/\.$/, '');
  const suffix = IN_CLUSTER_SUFFIXES.find((s) => h.endsWith(s));
  if (suffix) return { placement: 'in-cluster', reason: `host '${h}' ends in ${suffix}` };
  const v4 = ipv4(h);
  if (v4) {
    return privateIpv4(v4)
      ? { placement: 'private-network', reason: `address ${h} is private` }
      : { placement: 'public', reason: `address ${h} is public` };
  }
  if (h.includes(':')) {
    return privateIpv6(h)
      ? { placement: 'private-network', reason: `address ${h} is private` }
      : { placement: 'public', reason: `address ${h} is public` };
  }
  if (h === 'localhost') return { placement: 'private-network', reason: `host 'localhost' is loopback` };
  if (!h.includes('.'))
    return { placement: 'in-cluster', reason: `host '${h}' is a single label (a Service of Velero's namespace)` };
  const privateSuffix = PRIVATE_NAME_SUFFIXES.find((s) => h.endsWith(s));
  if (privateSuffix) return { placement: 'private-network', reason: `host '${h}' ends in ${privateSuffix}` };
  return { placement: 'public', reason: `host '${h}' is a public name` };
}

/**
 * The endpoint of an s3Url (undefined: AWS S3 itself, public and https). `inCluster` overrides the name rules:
 * true for a ClusterIP or `<service>.<namespace>` endpoint, false for a `.svc`-looking host that is not a Service.
 */
export function storageEndpoint(s3Url: string | undefined, inCluster?: boolean): StorageEndpoint {
  if (s3Url === undefined) {
    return { host: 's3.amazonaws.com', placement: 'public', encrypted: true, reason: 'AWS S3' };
  }
  const url = new URL(s3Url);
  const host = url.hostname;
  const byName = placementOfHost(host);
  const placement: EndpointPlacement =
    inCluster === true
      ? 'in-cluster'
      : inCluster === false && byName.placement === 'in-cluster'
        ? 'private-network'
        : byName.placement;
  const reason = inCluster === undefined ? byName.reason : `inCluster: ${inCluster}`;
  return { url: s3Url, host, placement, encrypted: url.protocol === 'https:', reason };
}

/** True when the backups do not survive the cluster: the object store runs inside it. */
export function isInCluster(endpoint: StorageEndpoint): boolean {
  return endpoint.placement === 'in-cluster';
}
