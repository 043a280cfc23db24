/**
 * Every version pin of the stack, in one place. Renovate updates them through the regex
 * manager in renovate.json (the `// renovate:` comment on the line above each constant).
 * A pin that must not move on its own says why, and renovate.json excludes it.
 */

/**
 * Velero server image tag AND the tag of the upstream CRDs that the CRD Application syncs.
 * One knob: the image and its CRDs must never drift apart (gitops-pitfalls.md row 6).
 * Not updated by Renovate alone: a minor bump needs the matching velero-plugin-for-aws line
 * (lib/versions/compatibility.ts) and a re-import of the CRDs (`npm run import`).
 */
// renovate: datasource=docker depName=velero/velero
export const VELERO_VERSION = 'v1.15.0';

/**
 * velero-plugin-for-aws for Velero 1.15 (README compatibility table: plugin v1.11.x <-> Velero v1.15.x).
 * Renovate may bump patch releases only (renovate.json pins the v1.11 line).
 */
// renovate: datasource=docker depName=velero/velero-plugin-for-aws
export const VELERO_PLUGIN_FOR_AWS_VERSION = 'v1.11.1';

/**
 * external-snapshotter release: the tag of the snapshot.storage.k8s.io CRDs AND of the
 * snapshot-controller image (pinned explicitly: the upstream manifest at tag v8.2.1 runs image v8.2.0).
 */
// renovate: datasource=github-tags depName=kubernetes-csi/external-snapshotter
export const SNAPSHOTTER_VERSION = 'v8.2.1';

/**
 * Node.js image of the drill runner and of its verify pods. Node 20: the runner is bundled for node20
 * (lib/drill/drill-bundle.ts) and its tests run on the Node 20 that CI uses (`.ci/run`, package.json engines), so
 * the code that runs is tested on the same major. Alpine: a small image (about a third of bookworm-slim) whose
 * busybox `sh`, `ls` and `cat` the verify pods use, so one image serves both; its `node` user is uid/gid 1000.
 * 20.20.2 is the newest Node 20 release (the npm registry's `node` package lists none later; this repo's
 * toolchain runs it). Node 20 is past its end of life (2026-04-30): move CI, the esbuild target and this pin
 * to the next LTS line together (the runner uses only node:http, node:https and node:fs).
 */
// renovate: datasource=docker depName=node versioning=docker
export const DRILL_NODE_VERSION = '20.20.2-alpine';
export const DRILL_NODE_IMAGE = 'node';

/** Image repositories. */
export const VELERO_IMAGE = 'velero/velero';
export const VELERO_PLUGIN_FOR_AWS_IMAGE = 'velero/velero-plugin-for-aws';
export const SNAPSHOT_CONTROLLER_IMAGE = 'registry.k8s.io/sig-storage/snapshot-controller';

/** Upstream git repositories that the CRD Application pulls CRDs from, at the pinned tags. */
export const VELERO_REPO_URL = 'https://github.com/vmware-tanzu/velero.git';
export const EXTERNAL_SNAPSHOTTER_REPO_URL = 'https://github.com/kubernetes-csi/external-snapshotter.git';
