/**
 * Where and how a pod of the release runs (the server Deployment, the node-agent DaemonSet): the chart's
 * `nodeSelector`, `tolerations`, `affinity`, `priorityClassName`, `podLabels`, `podAnnotations`, extra env and
 * `image.imagePullSecrets`, checked by the API server's rules (kubernetes pkg/apis/core/validation/validation.go:
 * `ValidateTolerations`, `validateAffinity`, `ValidateNodeSelectorRequirement`, `validateEnv`, and
 * `ValidateAnnotations` in apimachinery; docs/pitfalls.md#pod-options), so a mistake is refused at synth, naming
 * the field, instead of by the API server at sync (where ArgoCD shows it as one failed Deployment).
 */
import { TOLERATION_OPERATOR_DEFAULT } from '../config/defaults';
import { checkProps } from '../validation/props';
import { checkLabels, labelKeyProblem, labelValueProblem } from './labels';
import { checkSelector, type LabelSelector } from './label-selector';
import { isDnsSubdomain } from './names';

/** One toleration (core/v1 Toleration). */
export interface PodToleration {
  /** @default - every key (with operator Exists) */
  readonly key?: string;
  /** @default 'Equal' */
  readonly operator?: 'Equal' | 'Exists';
  /** @default - none */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** Seconds a NoExecute taint is tolerated before eviction; only with effect NoExecute. @default - for ever */
  readonly tolerationSeconds?: number;
}

/** A node selector requirement (core/v1 NodeSelectorRequirement). */
export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  /** @default [] */
  readonly values?: readonly string[];
}

/** A node selector term: requirements on labels and on fields (`metadata.name`), all of which must hold. */
export interface NodeSelectorTerm {
  /** @default [] */
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  /** @default [] */
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

/** A pod (anti-)affinity term (core/v1 PodAffinityTerm). */
export interface PodAffinityTerm {
  /** @default - no pods */
  readonly labelSelector?: LabelSelector;
  /** @default - the pod's namespace */
  readonly namespaces?: readonly string[];
  /** @default - the pod's namespace */
  readonly namespaceSelector?: LabelSelector;
  readonly topologyKey: string;
}

/** core/v1 Affinity. */
export interface PodAffinity {
  /** @default - none */
  readonly nodeAffinity?: {
    /** @default - none */
    readonly requiredDuringSchedulingIgnoredDuringExecution?: {
      readonly nodeSelectorTerms: readonly NodeSelectorTerm[];
    };
    /** @default [] */
    readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly {
      readonly weight: number;
      readonly preference: NodeSelectorTerm;
    }[];
  };
  /** @default - none */
  readonly podAffinity?: PodAffinityTerms;
  /** @default - none */
  readonly podAntiAffinity?: PodAffinityTerms;
}

/** Required and preferred pod (anti-)affinity terms. */
export interface PodAffinityTerms {
  /** @default [] */
  readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  /** @default [] */
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly {
    readonly weight: number;
    readonly podAffinityTerm: PodAffinityTerm;
  }[];
}

/** An extra environment variable: a value, or a reference to a Secret/ConfigMap key or a pod field. */
export interface PodEnvVar {
  readonly name: string;
  /** @default - '' unless valueFrom */
  readonly value?: string;
  /** @default - none */
  readonly valueFrom?: {
    /** @default - none */
    readonly secretKeyRef?: {
      readonly name: string;
      readonly key: string;
      /** @default false */
      readonly optional?: boolean;
    };
    /** @default - none */
    readonly configMapKeyRef?: {
      readonly name: string;
      readonly key: string;
      /** @default false */
      readonly optional?: boolean;
    };
    /** @default - none */
    readonly fieldRef?: { readonly fieldPath: string };
  };
}

/** What the chart lets one set on a pod, per workload. */
export interface PodOptions {
  /** Node labels the pods must match. @default {} */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly tolerations?: readonly PodToleration[];
  /** core/v1 Affinity. @default - none */
  readonly affinity?: PodAffinity;
  /** PriorityClass of the pods (a DNS-1123 subdomain). @default - none */
  readonly priorityClassName?: string;
  /** Further pod labels; the selector's labels cannot be replaced. @default {} */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Pod annotations. @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Further environment variables (e.g. `HTTPS_PROXY`, `NO_PROXY`), never one the release sets itself; a Secret value
   * through `valueFrom.secretKeyRef`.
   * @default []
   */
  readonly extraEnv?: readonly PodEnvVar[];
}

const fail = (subject: string, field: string, what: string): never => {
  throw new Error(`${subject}: ${field} ${what} (docs/pitfalls.md#pod-options)`);
};

/** What is wrong with one toleration, by its field: a message in the config's words (`must be ..., got ...; fix`). */
export interface TolerationProblem {
  readonly field: 'key' | 'operator' | 'value' | 'tolerationSeconds';
  readonly problem: string;
}

/**
 * The one toleration rule (kubernetes@v1.30.0 pkg/apis/core/validation/validation.go `validateTolerations`): a
 * non-empty key is a label key; an empty key needs operator Exists (an absent operator is Equal, so `{}` is
 * refused); tolerationSeconds only with effect NoExecute; Exists takes no value; an Equal value is a label value.
 * Used on the config's paths (lib/config/consumer-rules.ts) and on the constructs' props (checkTolerations).
 */
export function tolerationProblem(t: PodToleration): TolerationProblem | undefined {
  const key = t.key ?? '';
  const operator = t.operator ?? TOLERATION_OPERATOR_DEFAULT;
  if (key !== '') {
    const why = labelKeyProblem(key);
    if (why) return { field: 'key', problem: `'${key}' is not a label key: ${why}` };
  } else if (operator !== 'Exists') {
    return {
      field: 'operator',
      problem: `must be 'Exists' when key is empty (tolerate every taint), got '${operator}'; the API server refuses the pod template: add operator: Exists, or give the key`,
    };
  }
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
    return {
      field: 'tolerationSeconds',
      problem: `${t.tolerationSeconds} needs effect 'NoExecute', got ${t.effect === undefined ? 'no effect' : `effect '${t.effect}'`}; set effect: NoExecute, or drop tolerationSeconds`,
    };
  }
  if (operator === 'Exists' && t.value !== undefined && t.value !== '') {
    return {
      field: 'value',
      problem: `must be empty with operator 'Exists', got '${t.value}'; drop value, or use operator 'Equal'`,
    };
  }
  if (operator === 'Equal' && t.value !== undefined) {
    const why = labelValueProblem(t.value);
    if (why) return { field: 'value', problem: `'${t.value}' is not a label value: ${why}` };
  }
  return undefined;
}

/** Tolerations of a workload's props: their shape, then tolerationProblem (docs/pitfalls.md#tolerations). */
export function checkTolerations(subject: string, field: string, tolerations: readonly PodToleration[]): void {
  tolerations.forEach((t, i) => {
    const at = `${field}[${i}]`;
    checkProps(
      subject,
      t,
      {
        key: 'string?',
        operator: ['Equal', 'Exists'],
        value: 'string?',
        effect: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
        tolerationSeconds: 'integer?',
      },
      `${at}.`,
    );
    const wrong = tolerationProblem(t);
    if (wrong) throw new Error(`${subject}: ${at}.${wrong.field} ${wrong.problem} (docs/pitfalls.md#tolerations)`);
  });
}

/** `ValidateNodeSelectorRequirement` (labels) and `ValidateNodeFieldSelectorRequirement` (fields). */
function checkNodeRequirement(subject: string, at: string, r: NodeSelectorRequirement, onField: boolean): void {
  checkProps(subject, r, { key: 'string', operator: 'string', values: 'string[]?' }, `${at}.`);
  const values = r.values ?? [];
  if (onField) {
    if (r.key !== 'metadata.name')
      fail(subject, `${at}.key`, `'${r.key}' is not a node field; only 'metadata.name' is`);
    if ((r.operator !== 'In' && r.operator !== 'NotIn') || values.length !== 1) {
      fail(subject, at, `must be In or NotIn with exactly one value, got ${r.operator} with ${values.length}`);
    }
    return;
  }
  const problem = labelKeyProblem(r.key);
  if (problem) fail(subject, `${at}.key`, `'${r.key}' is not a label key: ${problem}`);
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (!values.length) fail(subject, at, `operator ${r.operator} needs values; list them, or use Exists`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length) fail(subject, at, `operator ${r.operator} takes no values; drop them, or use In`);
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !/^-?\d+$/.test(values[0]))
        fail(subject, at, `operator ${r.operator} needs exactly one integer value, e.g. ['3']`);
      break;
    default:
      fail(subject, `${at}.operator`, `'${r.operator as string}' is not In, NotIn, Exists, DoesNotExist, Gt or Lt`);
  }
}

function checkNodeTerm(subject: string, at: string, term: NodeSelectorTerm): void {
  checkProps(subject, term, { matchExpressions: 'object[]?', matchFields: 'object[]?' }, `${at}.`);
  (term.matchExpressions ?? []).forEach((r, i) =>
    checkNodeRequirement(subject, `${at}.matchExpressions[${i}]`, r, false),
  );
  (term.matchFields ?? []).forEach((r, i) => checkNodeRequirement(subject, `${at}.matchFields[${i}]`, r, true));
}

function checkWeight(subject: string, at: string, weight: unknown): void {
  if (!Number.isInteger(weight) || (weight as number) < 1 || (weight as number) > 100) {
    fail(subject, `${at}.weight`, `${JSON.stringify(weight)} must be an integer from 1 to 100`);
  }
}

function checkPodTerm(subject: string, at: string, term: PodAffinityTerm): void {
  checkProps(
    subject,
    term,
    { labelSelector: 'object?', namespaces: 'string[]?', namespaceSelector: 'object?', topologyKey: 'string' },
    `${at}.`,
  );
  const problem = labelKeyProblem(term.topologyKey);
  if (problem) fail(subject, `${at}.topologyKey`, `'${term.topologyKey}' is not a label key: ${problem}`);
  if (term.labelSelector) checkSelector(subject, `${at}.labelSelector`, term.labelSelector);
  if (term.namespaceSelector) checkSelector(subject, `${at}.namespaceSelector`, term.namespaceSelector);
}

function checkPodTerms(subject: string, at: string, terms: PodAffinityTerms): void {
  (terms.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
    checkPodTerm(subject, `${at}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`, t),
  );
  (terms.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
    const p = `${at}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    checkWeight(subject, p, t.weight);
    checkPodTerm(subject, `${p}.podAffinityTerm`, t.podAffinityTerm);
  });
}

/** `validateAffinity`: node terms, weights 1-100, topology keys, label selectors. */
export function checkAffinity(subject: string, field: string, affinity: PodAffinity): void {
  checkProps(
    subject,
    affinity,
    { nodeAffinity: 'object?', podAffinity: 'object?', podAntiAffinity: 'object?' },
    `${field}.`,
  );
  const node = affinity.nodeAffinity;
  const required = node?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const at = `${field}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
    if (!required.nodeSelectorTerms?.length) fail(subject, `${at}.nodeSelectorTerms`, 'must hold at least one term');
    required.nodeSelectorTerms.forEach((t, i) => checkNodeTerm(subject, `${at}.nodeSelectorTerms[${i}]`, t));
  }
  (node?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
    const at = `${field}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    checkWeight(subject, at, p.weight);
    checkNodeTerm(subject, `${at}.preference`, p.preference);
  });
  if (affinity.podAffinity) checkPodTerms(subject, `${field}.podAffinity`, affinity.podAffinity);
  if (affinity.podAntiAffinity) checkPodTerms(subject, `${field}.podAntiAffinity`, affinity.podAntiAffinity);
}

/**
 * `validateEnv` with RelaxedEnvironmentVariableValidation (GA in Kubernetes 1.34, on by default since 1.32): a
 * name of printable ASCII without '='; exactly one of `value` and `valueFrom`, which names one source. The names
 * the release sets itself are refused: a second entry of one name silently replaces the first.
 */
export function checkEnv(subject: string, field: string, env: readonly PodEnvVar[], reserved: readonly string[]): void {
  const seen = new Set<string>();
  env.forEach((e, i) => {
    const at = `${field}[${i}]`;
    checkProps(subject, e, { name: 'string', value: 'string?', valueFrom: 'object?' }, `${at}.`);
    if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(e.name)) {
      fail(
        subject,
        `${at}.name`,
        `'${e.name}' is not an environment variable name: use printable ASCII without '=', e.g. 'HTTPS_PROXY'`,
      );
    }
    if (reserved.includes(e.name)) {
      fail(
        subject,
        `${at}.name`,
        `'${e.name}' is set by the release itself; the chart's own wiring needs it unchanged`,
      );
    }
    if (seen.has(e.name)) fail(subject, `${at}.name`, `'${e.name}' is given twice; keep one`);
    seen.add(e.name);
    if (e.valueFrom !== undefined) {
      if (e.value !== undefined) fail(subject, at, 'has both value and valueFrom; keep one');
      const sources = Object.keys(e.valueFrom).filter((k) =>
        ['secretKeyRef', 'configMapKeyRef', 'fieldRef'].includes(k),
      );
      if (sources.length !== 1 || Object.keys(e.valueFrom).length !== 1) {
        fail(subject, `${at}.valueFrom`, 'must name exactly one of secretKeyRef, configMapKeyRef or fieldRef');
      }
      const ref = e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef;
      if (ref && (!isDnsSubdomain(ref.name) || !/^[-._a-zA-Z0-9]+$/.test(ref.key))) {
        fail(
          subject,
          `${at}.valueFrom`,
          `names '${ref.name}'/'${ref.key}': the name must be a DNS-1123 subdomain, the key of [-._a-zA-Z0-9]`,
        );
      }
    }
  });
}

/** `ValidateAnnotations`: qualified-name keys, 256 KiB in total. */
export function checkAnnotations(subject: string, field: string, annotations: Readonly<Record<string, string>>): void {
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    const problem = labelKeyProblem(k);
    if (problem) fail(subject, `${field} key`, `'${k}' is not an annotation key: ${problem}`);
    total += k.length + v.length;
  }
  if (total > 256 * 1024) fail(subject, field, `hold ${total} bytes; the API server takes at most 262144`);
}

/** Every check of a workload's pod options; `reservedEnv` are the variables the release sets itself. */
export function checkPodOptions(
  subject: string,
  prefix: string,
  options: PodOptions,
  reservedEnv: readonly string[],
): void {
  checkProps(
    subject,
    options,
    {
      nodeSelector: 'record?',
      tolerations: 'object[]?',
      affinity: 'object?',
      priorityClassName: 'string?',
      podLabels: 'record?',
      podAnnotations: 'record?',
      extraEnv: 'object[]?',
    },
    prefix,
  );
  checkLabels(subject, `${prefix}nodeSelector`, options.nodeSelector ?? {});
  checkTolerations(subject, `${prefix}tolerations`, options.tolerations ?? []);
  if (options.affinity) checkAffinity(subject, `${prefix}affinity`, options.affinity);
  const pc = options.priorityClassName;
  if (pc !== undefined && !isDnsSubdomain(pc)) {
    fail(
      subject,
      `${prefix}priorityClassName`,
      `'${pc}' is not a PriorityClass name (a DNS-1123 subdomain), e.g. 'system-cluster-critical'`,
    );
  }
  checkLabels(subject, `${prefix}podLabels`, options.podLabels ?? {});
  checkAnnotations(subject, `${prefix}podAnnotations`, options.podAnnotations ?? {});
  checkEnv(subject, `${prefix}extraEnv`, options.extraEnv ?? [], reservedEnv);
}
