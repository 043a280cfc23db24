/**
 * The JSON text of `value` when it is plain data, i.e. exactly what JSON can represent, so that two values
 * with the same text cannot behave differently: strings, finite numbers other than -0, booleans, null,
 * arrays without holes, and objects whose prototype is Object.prototype or null, without symbol keys.
 * Anything else (undefined, functions, NaN, class instances, ...) gives undefined: don't cache that value.
 * (Objects from cdk8s's `toJson()` and from YAML/JSON parsing are plain data.)
 */
export function plainJson(value: unknown): string | undefined {
  return isPlain(value, 0) ? JSON.stringify(value) : undefined;
}

function isPlain(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (depth > 200) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlain(v[i], depth + 1)) return false;
    return Object.keys(v).length === v.length;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(v).length > 0) return false;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) return false;
    if (!isPlain((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}
