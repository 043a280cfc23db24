/**
 * Kubernetes label selectors (`metav1.LabelSelector`): the one type for every selector the stack takes (a
 * schedule's `labelSelector`, the Prometheus `ruleSelector`), and its matcher with the API server's meaning.
 */
import { checkProps } from '../validation/props';
import { checkLabels, labelKeyProblem, labelValueProblem } from './labels';

/** A label selector requirement (`matchExpressions` item). */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** @default [] */
  readonly values?: readonly string[];
}

/** A Kubernetes label selector. `{}` selects everything. */
export interface LabelSelector {
  /** @default {} */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** Does `selector` select an object with these labels? Every matchLabels entry and every requirement must hold. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Labels for a message: `{a=1, b=2}`, or `{}`. */
export function describeLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}` : '{}';
}

/** A selector for a message: `release=kube-prometheus-stack, tier In (a, b)`, or `{} (everything)`. */
export function describeSelector(s: LabelSelector): string {
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map(
      (e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`,
    ),
  ];
  return parts.length ? parts.join(', ') : '{} (everything)';
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Throws the first part of `selector` the API server would refuse (metav1 `ValidateLabelSelector`): label keys
 * and values by the label grammar, operators In/NotIn/Exists/DoesNotExist, In/NotIn with values, Exists and
 * DoesNotExist without.
 */
export function checkSelector(subject: string, field: string, selector: LabelSelector): void {
  checkProps(subject, selector, { matchLabels: 'record?', matchExpressions: 'object[]?' }, `${field}.`);
  checkLabels(subject, `${field}.matchLabels`, selector.matchLabels ?? {});
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const where = `${field}.matchExpressions[${i}]`;
    checkProps(subject, e, { key: 'string', operator: 'string', values: 'string[]?' }, `${where}.`);
    const keyProblem = labelKeyProblem(e.key);
    if (keyProblem) {
      throw new Error(
        `${subject}: ${where}.key '${e.key}' is not a Kubernetes label key: ${keyProblem} (docs/pitfalls.md#label-syntax)`,
      );
    }
    if (!OPERATORS.includes(e.operator)) {
      throw new Error(
        `${subject}: ${where}.operator '${e.operator}' is not a label selector operator; use In, NotIn, Exists or DoesNotExist (docs/pitfalls.md#label-selector)`,
      );
    }
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      throw new Error(
        `${subject}: ${where} operator ${e.operator} needs values, got none; list the values, or use Exists (docs/pitfalls.md#label-selector)`,
      );
    }
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      throw new Error(
        `${subject}: ${where} operator ${e.operator} takes no values, got ${values.map((v) => `'${v}'`).join(', ')}; drop them, or use In (docs/pitfalls.md#label-selector)`,
      );
    }
    for (const v of values) {
      const valueProblem = labelValueProblem(v);
      if (valueProblem) {
        throw new Error(
          `${subject}: ${where}.values entry '${v}' is not a Kubernetes label value: ${valueProblem} (docs/pitfalls.md#label-syntax)`,
        );
      }
    }
  });
}

/**
 * The smallest labels `selector` selects, when it states them: its matchLabels plus the first value of each `In`
 * expression; undefined when it states none (`{}`, or only `Exists`/`NotIn`/`DoesNotExist`) or the result does not
 * match (e.g. an `In` contradicted by a `NotIn`).
 */
export function labelsStatedBy(selector: LabelSelector): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...(selector.matchLabels ?? {}) };
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In' && e.values?.length && labels[e.key] === undefined) labels[e.key] = e.values[0];
  }
  return Object.keys(labels).length && selectorMatches(selector, labels) ? labels : undefined;
}
