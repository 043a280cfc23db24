/**
 * The resource-modifier ConfigMap as the restore controller reads it: velero-io/velero@v1.15.0
 * internal/resourcemodifiers/resource_modifiers.go `GetResourceModifiersFromConfig` (exactly one data key,
 * `yaml.UnmarshalStrict`) and resource_modifiers_validator.go `Validate` (version v1, at least one rule, a
 * groupResource per rule, one kind of patch per rule, known JSON-patch operations). Applying the rules is
 * test/fixtures/restore/velero-modifiers.ts `applyModifiers`, the project's one emulation of it.
 */
import { parseDocument } from 'yaml';
import type { ResourceModifiers } from '../../../lib/restore/resource-modifiers';
import type { KubeObject } from '../types';

export type ParsedModifiers = ResourceModifiers;

const TOP = new Set(['version', 'resourceModifierRules']);
const RULE = new Set(['conditions', 'patches', 'mergePatches', 'strategicPatches']);
const CONDITIONS = new Set(['namespaces', 'groupResource', 'resourceNameRegex', 'labelSelector', 'matches']);
const OPS = new Set(['add', 'remove', 'replace', 'test', 'move', 'copy']);

/** The parsed modifiers, or Velero's validation error (with `%s` where it names the ConfigMap). */
export function parseResourceModifiers(cm: KubeObject): ParsedModifiers | string {
  const data = (cm.data ?? {}) as Record<string, string>;
  const keys = Object.keys(data);
  if (keys.length !== 1) {
    return `Error in parsing resource modifiers provided in configmap %s: illegal resource modifiers ${cm.metadata.namespace}/${cm.metadata.name} configmap`;
  }
  const doc = parseDocument(data[keys[0]]);
  const parsed = doc.toJS() as Record<string, unknown> | null;
  const unknown = strictProblem(parsed);
  if (doc.errors.length || !parsed || unknown) {
    return `Error in parsing resource modifiers provided in configmap %s: failed to decode yaml data into resource modifiers, err: ${unknown ?? doc.errors[0]?.message ?? 'empty'}`;
  }
  const m = parsed as unknown as ResourceModifiers;
  const invalid = validateModifiers(m);
  return invalid ? `Validation error in resource modifiers provided in configmap %s: ${invalid}` : m;
}

function strictProblem(parsed: Record<string, unknown> | null): string | undefined {
  if (!parsed) return undefined;
  const unknownIn = (o: object, allowed: Set<string>) => Object.keys(o).find((k) => !allowed.has(k));
  const top = unknownIn(parsed, TOP);
  if (top) return `unknown field "${top}"`;
  for (const rule of (parsed.resourceModifierRules ?? []) as Record<string, object>[]) {
    const r = unknownIn(rule, RULE) ?? unknownIn(rule.conditions ?? {}, CONDITIONS);
    if (r) return `unknown field "${r}"`;
  }
  return undefined;
}

function validateModifiers(m: ResourceModifiers): string | undefined {
  if ((m.version ?? '').toLowerCase() !== 'v1') return `unsupported resource modifier version ${m.version}`;
  if (!m.resourceModifierRules?.length) return 'resource modifier rules cannot be empty';
  for (const rule of m.resourceModifierRules) {
    if (!rule.conditions?.groupResource) return 'groupkResource cannot be empty';
    const kinds = [rule.patches, rule.mergePatches, (rule as { strategicPatches?: unknown[] }).strategicPatches];
    if (kinds.filter((k) => k?.length).length >= 2) {
      return 'only one of patches, mergePatches, strategicPatches can be specified';
    }
    for (const p of rule.patches ?? []) {
      if (!p.operation) return 'operation cannot be empty';
      if (!OPS.has(p.operation.toLowerCase())) return `unsupported operation ${p.operation}`;
      if (!p.path) return 'path cannot be empty';
    }
  }
  return undefined;
}
