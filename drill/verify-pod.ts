/**
 * The short-lived pod that proves a restored volume mounts and holds the declared paths.
 *
 * It passes the `restricted` Pod Security level (non-root numeric ids, no privilege escalation, all
 * capabilities dropped, RuntimeDefault seccomp), has no API token, and reads the volume through a
 * read-only mount. It reports what it could not read through its termination message
 * (`FallbackToLogsOnError`), so the runner needs no `pods/log` permission.
 */
import { DEFAULT_VERIFY_USER, DRILL_LABEL, VERIFY_MOUNT_PATH } from './config';

/**
 * POSIX sh (busybox or dash). `$@` are paths relative to the volume root, passed as arguments, never
 * spliced into the script. A file must be readable to the end; a directory must be listable and not
 * empty. Without paths, the volume root must be listable.
 */
export const VERIFY_SCRIPT = [
  'root=$1; shift',
  'if [ "$#" -eq 0 ]; then',
  '  ls -A -- "$root" > /dev/null || { echo "cannot list the volume root" >&2; exit 1; }',
  '  echo "volume mounted and listable"; exit 0',
  'fi',
  'for p in "$@"; do',
  '  f="$root/${p#/}"',
  '  if [ -d "$f" ]; then',
  '    c=$(ls -A -- "$f") || { echo "$p: directory cannot be listed" >&2; exit 1; }',
  '    [ -n "$c" ] || { echo "$p: directory is empty" >&2; exit 1; }',
  '  elif [ -e "$f" ]; then',
  '    cat -- "$f" > /dev/null || { echo "$p: cannot be read" >&2; exit 1; }',
  '  else',
  '    echo "$p: does not exist in the restored volume" >&2; exit 1',
  '  fi',
  '  echo "$p: readable"',
  'done',
].join('\n');

export interface VerifyPodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly pvc: string;
  readonly paths: readonly string[];
  readonly runAsUser?: number;
  readonly image: string;
  readonly drillName: string;
  readonly deadlineSeconds: number;
}

/** The Pod object the runner creates for one restored PVC. */
export function verifyPodManifest(p: VerifyPodSpec): Record<string, unknown> {
  const uid = p.runAsUser ?? DEFAULT_VERIFY_USER;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: {
        [DRILL_LABEL]: p.drillName,
        'app.kubernetes.io/name': 'restore-drill-verify',
        'app.kubernetes.io/managed-by': 'velero-cdk8s',
      },
      annotations: { 'velero-cdk8s.io/verify-pvc': p.pvc },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: Math.max(1, Math.ceil(p.deadlineSeconds)),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'verify',
          image: p.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', VERIFY_SCRIPT, 'verify', VERIFY_MOUNT_PATH, ...p.paths],
          volumeMounts: [{ name: 'data', mountPath: VERIFY_MOUNT_PATH, readOnly: true }],
          resources: {
            requests: { cpu: '10m', memory: '16Mi' },
            limits: { cpu: '100m', memory: '64Mi' },
          },
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          terminationMessagePolicy: 'FallbackToLogsOnError',
        },
      ],
      // The claim itself is NOT readOnly: a volume restored from a crash-consistent snapshot may need its
      // filesystem journal replayed on mount, which fails on a device attached read-only. The container
      // still only sees it through the read-only volumeMount above.
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: p.pvc } }],
    },
  };
}

/** A pod name for the n-th restored PVC: `verify-<n>-<pvc>`, at most 63 characters. */
export function verifyPodName(index: number, pvc: string): string {
  return `verify-${index}-${pvc}`
    .slice(0, 63)
    .replace(/[^a-z0-9]+$/, '')
    .replace(/\./g, '-');
}
