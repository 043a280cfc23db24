/**
 * The cluster in a box (issue 22): shared shapes of the emulated API server (test/cluster/api-server.ts) and the
 * emulated Velero (test/cluster/velero/). Every fixture that flows through them comes from the renderer (dist/ or
 * an in-memory synth) and the drill runner, never written by hand.
 */

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** What the emulated Velero reads and writes of the cluster: the API server's store, seen without admission. */
export interface ClusterView {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Creates (or, for an existing object, fails with AlreadyExists: throw an Error whose `reason` is 'AlreadyExists'). */
  create(obj: KubeObject): KubeObject;
  update(obj: KubeObject): KubeObject;
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
}

/** A Velero backup's content as the emulated Velero stored it (the tarball's items, after Velero's backup rules). */
export interface BackupContents {
  /** The Backup object itself (velero.io/v1), with status.phase and completionTimestamp. */
  backup: KubeObject;
  /** Every item the backup holds, as Velero writes it to the tarball. */
  items: KubeObject[];
}

/** The terminal state of one Restore processed by the emulated Velero. */
export interface RestoreOutcome {
  phase: 'Completed' | 'PartiallyFailed' | 'Failed' | 'FailedValidation';
  validationErrors: string[];
  warnings: string[];
  errors: string[];
  /** Objects created in the cluster by this restore (in order). */
  created: KubeObject[];
}
