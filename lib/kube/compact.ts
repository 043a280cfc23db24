/**
 * Plain data as Kubernetes (or Velero) reads it, without the fields that state only their default, so a field set
 * to its stated default renders exactly as the field left out (test/config/schema-stated-defaults.test.ts): an empty list,
 * an empty string map (`matchLabels: {}`, `nodeSelector: {}`), and with `falseIsDefault` a `false` (every boolean of
 * the structure defaults to false: env `optional`, the node-agent ConfigMap's switches). An empty object that means
 * something (`labelSelector: {}` selects everything, `emptyDir: {}`) is kept.
 */
const STRING_MAPS: ReadonlySet<string> = new Set([
  'matchLabels',
  'nodeSelector',
  'annotations',
  'labels',
  'podAnnotations',
  'podLabels',
]);

/** A copy of `T` that may be written to (what the cdk8s imports' types take). */
export type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;

export function compact<T>(value: T, options: { readonly falseIsDefault?: boolean } = {}): Mutable<T> {
  if (Array.isArray(value)) return value.map((v) => compact(v, options)) as Mutable<T>;
  if (value === null || typeof value !== 'object') return value as Mutable<T>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    if (options.falseIsDefault && v === false) continue;
    if (STRING_MAPS.has(k) && v !== null && typeof v === 'object' && Object.keys(v).length === 0) continue;
    out[k] = compact(v, options);
  }
  return out as Mutable<T>;
}
