/**
 * The node-agent ConfigMap (`velero node-agent server --node-agent-configmap=<name>`), per Velero line: which keys
 * each line reads. Read at the tags from `Configs` in pkg/nodeagent/node_agent.go (v1.15.0, v1.16.0) and
 * `NodeAgentConfigs` in pkg/types/node_agent.go (v1.17.0, v1.18.1); the node-agent unmarshals the JSON of the
 * ConfigMap's (only) data value with encoding/json (`GetConfigs`), which ignores a key it does not know: a key of
 * a newer line would be dropped without a word, so it is refused here (docs/pitfalls.md#node-agent-config).
 */
import { checkSelector, type LabelSelector } from '../kube/label-selector';
import { checkAnnotations } from '../kube/pod-options';
import { checkLabels } from '../kube/labels';
import { isDnsSubdomain } from '../kube/names';
import { Quantity } from '../units/quantity';
import { checkProps } from '../validation/props';
import { VELERO_LINES, type VeleroLine } from './velero-lines';

/** The node-agent ConfigMap's content, in Velero's JSON field names. */
export interface NodeAgentConfig {
  /** Concurrent data-path loads (data uploads, downloads, fs backups) per node. @default - Velero's (1 per node) */
  readonly loadConcurrency?: {
    /** For every node no perNodeConfig rule matches. @default - Velero's 1 */
    readonly globalConfig?: number;
    /** Per-node numbers, by node label selector. @default [] */
    readonly perNodeConfig?: readonly { readonly nodeSelector: LabelSelector; readonly number: number }[];
    /** Loads being exposed at once (Velero 1.17+). @default - Velero's */
    readonly prepareQueueLength?: number;
  };
  /** Nodes the data mover pods may run on (each a node label selector). @default - every node */
  readonly loadAffinity?: readonly { readonly nodeSelector: LabelSelector }[];
  /**
   * Per source StorageClass: the class, access mode and SELinux relabeling of the data mover's backupPVC.
   * @default - the source volume's class, read-write
   */
  readonly backupPVC?: Readonly<
    Record<
      string,
      {
        readonly storageClass?: string;
        readonly readOnly?: boolean;
        readonly spcNoRelabeling?: boolean;
        /** Velero 1.18+. */
        readonly annotations?: Readonly<Record<string, string>>;
      }
    >
  >;
  /** The restorePVC of a generic restore (Velero 1.16+). @default - Velero's */
  readonly restorePVC?: {
    /** @default false */
    readonly ignoreDelayBinding?: boolean;
  };
  /** Resources of the data mover pods, as Kubernetes quantities. @default - none set */
  readonly podResources?: {
    /** @default - none */
    readonly cpuRequest?: string;
    /** @default - none */
    readonly memoryRequest?: string;
    /** @default - none */
    readonly cpuLimit?: string;
    /** @default - none */
    readonly memoryLimit?: string;
  };
  /** PriorityClass of the data mover pods (Velero 1.17+). @default - none */
  readonly priorityClassName?: string;
  /** Run fs-backup pods privileged (Velero 1.18+). @default false */
  readonly privilegedFsBackup?: boolean;
  /** Cache PVC of the data mover's restores (Velero 1.18+). @default - none */
  readonly cachePVC?: {
    /** @default - the cluster's default class */
    readonly storageClass?: string;
    /** @default - Velero's */
    readonly residentThresholdInMB?: number;
  };
  /** Annotations of the pods the node-agent starts (Velero 1.18+). @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Labels of the pods the node-agent starts (Velero 1.18+). @default {} */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Keys (dotted for nested ones) and the first line that reads each. */
export const NODE_AGENT_CONFIG_KEYS: Readonly<Record<string, string>> = {
  loadConcurrency: '1.15',
  'loadConcurrency.globalConfig': '1.15',
  'loadConcurrency.perNodeConfig': '1.15',
  'loadConcurrency.prepareQueueLength': '1.17',
  loadAffinity: '1.15',
  backupPVC: '1.15',
  'backupPVC.storageClass': '1.15',
  'backupPVC.readOnly': '1.15',
  'backupPVC.spcNoRelabeling': '1.15',
  'backupPVC.annotations': '1.18',
  restorePVC: '1.16',
  podResources: '1.15',
  priorityClassName: '1.17',
  privilegedFsBackup: '1.18',
  cachePVC: '1.18',
  podAnnotations: '1.18',
  podLabels: '1.18',
};

const lineIndex = (line: string) => VELERO_LINES.findIndex((l) => l.line === line);

function checkKnown(subject: string, line: VeleroLine, path: string, key: string): void {
  const since = NODE_AGENT_CONFIG_KEYS[key];
  if (since === undefined) {
    const known = Object.keys(NODE_AGENT_CONFIG_KEYS).filter((k) => !k.includes('.'));
    throw new Error(
      `${subject}: ${path} is not a node-agent ConfigMap key; known: ${known.join(', ')} (docs/pitfalls.md#node-agent-config)`,
    );
  }
  if (lineIndex(since) > lineIndex(line.line)) {
    throw new Error(
      `${subject}: ${path} is read from Velero ${since} on; ${line.newestReadTag.replace(/\.\d+$/, '.x')} ignores it (docs/pitfalls.md#node-agent-config)`,
    );
  }
}

const positive = (subject: string, path: string, n: unknown) => {
  if (!Number.isSafeInteger(n) || (n as number) < 1) {
    throw new Error(
      `${subject}: ${path} ${JSON.stringify(n)} must be a whole number of at least 1 (docs/pitfalls.md#node-agent-config)`,
    );
  }
};

/** Throws the first key this line does not read, or value the node-agent would refuse or misread. */
export function checkNodeAgentConfig(subject: string, field: string, line: VeleroLine, config: NodeAgentConfig): void {
  checkProps(subject, config, {}, `${field}.`);
  for (const key of Object.keys(config)) checkKnown(subject, line, `${field}.${key}`, key);
  const lc = config.loadConcurrency;
  if (lc) {
    for (const key of Object.keys(lc))
      checkKnown(subject, line, `${field}.loadConcurrency.${key}`, `loadConcurrency.${key}`);
    if (lc.globalConfig !== undefined) positive(subject, `${field}.loadConcurrency.globalConfig`, lc.globalConfig);
    if (lc.prepareQueueLength !== undefined)
      positive(subject, `${field}.loadConcurrency.prepareQueueLength`, lc.prepareQueueLength);
    (lc.perNodeConfig ?? []).forEach((r, i) => {
      checkSelector(subject, `${field}.loadConcurrency.perNodeConfig[${i}].nodeSelector`, r.nodeSelector ?? {});
      positive(subject, `${field}.loadConcurrency.perNodeConfig[${i}].number`, r.number);
    });
  }
  (config.loadAffinity ?? []).forEach((a, i) =>
    checkSelector(subject, `${field}.loadAffinity[${i}].nodeSelector`, a.nodeSelector ?? {}),
  );
  for (const [source, pvc] of Object.entries(config.backupPVC ?? {})) {
    const at = `${field}.backupPVC['${source}']`;
    if (!isDnsSubdomain(source))
      throw new Error(
        `${subject}: ${at}: '${source}' is not a StorageClass name (a DNS-1123 subdomain) (docs/pitfalls.md#node-agent-config)`,
      );
    for (const key of Object.keys(pvc)) checkKnown(subject, line, `${at}.${key}`, `backupPVC.${key}`);
    checkProps(
      subject,
      pvc,
      { storageClass: 'string?', readOnly: 'boolean?', spcNoRelabeling: 'boolean?', annotations: 'record?' },
      `${at}.`,
    );
    if (pvc.storageClass !== undefined && !isDnsSubdomain(pvc.storageClass)) {
      throw new Error(
        `${subject}: ${at}.storageClass '${pvc.storageClass}' is not a StorageClass name (a DNS-1123 subdomain) (docs/pitfalls.md#node-agent-config)`,
      );
    }
    checkAnnotations(subject, `${at}.annotations`, pvc.annotations ?? {});
  }
  for (const [key, value] of Object.entries(config.podResources ?? {})) {
    if (!['cpuRequest', 'memoryRequest', 'cpuLimit', 'memoryLimit'].includes(key)) {
      throw new Error(
        `${subject}: ${field}.podResources.${key} is not cpuRequest, memoryRequest, cpuLimit or memoryLimit (docs/pitfalls.md#node-agent-config)`,
      );
    }
    if (typeof value !== 'string' || !Quantity.tryParse(value)) {
      throw new Error(
        `${subject}: ${field}.podResources.${key} ${JSON.stringify(value)} is not a Kubernetes quantity, e.g. '500m' or '1Gi' (docs/pitfalls.md#node-agent-config)`,
      );
    }
  }
  if (config.priorityClassName !== undefined && !isDnsSubdomain(config.priorityClassName)) {
    throw new Error(
      `${subject}: ${field}.priorityClassName '${config.priorityClassName}' is not a PriorityClass name (a DNS-1123 subdomain) (docs/pitfalls.md#node-agent-config)`,
    );
  }
  if (config.cachePVC?.storageClass !== undefined && !isDnsSubdomain(config.cachePVC.storageClass)) {
    throw new Error(
      `${subject}: ${field}.cachePVC.storageClass '${config.cachePVC.storageClass}' is not a StorageClass name (docs/pitfalls.md#node-agent-config)`,
    );
  }
  checkLabels(subject, `${field}.podLabels`, config.podLabels ?? {});
  checkAnnotations(subject, `${field}.podAnnotations`, config.podAnnotations ?? {});
}
