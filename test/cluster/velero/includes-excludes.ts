/**
 * The emulated Velero's include/exclude lists: an independent reading of
 * velero-io/velero@v1.15.0:pkg/util/collections/includes_excludes.go (unchanged in the parts used here at
 * v1.18.1), deliberately not sharing code with lib/validation/includes-excludes.ts, so that a disagreement
 * between the synth-time checks and this emulation shows up in a test.
 */

/** `globStringSet.match`: gobwas/glob compiled without separators (`*` crosses dots). */
function globMatch(pattern: string, text: string): boolean {
  let re = '';
  for (const c of pattern) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$+.()|{}[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(text);
}

/** `IncludesExcludes`: everything included except the excluded; `*` or an empty include list: everything. */
export class IncludesExcludes {
  readonly includes: ReadonlySet<string>;
  readonly excludes: ReadonlySet<string>;

  constructor(includes: readonly string[] = [], excludes: readonly string[] = []) {
    this.includes = new Set(includes);
    this.excludes = new Set(excludes);
  }

  /** `ShouldInclude`. */
  shouldInclude(s: string): boolean {
    if ([...this.excludes].some((e) => globMatch(e, s))) return false;
    return this.includes.size === 0 || this.includes.has('*') || [...this.includes].some((i) => globMatch(i, s));
  }

  /** `IncludeEverything`: no excludes, and no includes or exactly `*`. */
  includeEverything(): boolean {
    return (
      this.excludes.size === 0 && (this.includes.size === 0 || (this.includes.size === 1 && this.includes.has('*')))
    );
  }
}

/**
 * `GetResourceIncludesExcludes` via `generateIncludesExcludes`: entries resolved to group-resources through
 * discovery (unresolvable ones kept as written); a `*` in the excludes is dropped.
 */
export function resourceIncludesExcludes(
  includes: readonly string[],
  excludes: readonly string[],
  resolve: (item: string) => string,
): IncludesExcludes {
  return new IncludesExcludes(
    includes.map((i) => (i === '*' ? i : resolve(i))),
    excludes.filter((e) => e !== '*').map(resolve),
  );
}

/** `ValidateIncludesExcludes`: Velero's messages, in its order. */
export function validateIncludesExcludes(includesList: readonly string[], excludesList: readonly string[]): string[] {
  const errs: string[] = [];
  const includes = new Set(includesList);
  const excludes = new Set(excludesList);
  if (includes.size > 1 && includes.has('*')) {
    errs.push("includes list must either contain '*' only, or a non-empty list of items");
  }
  if (excludes.has('*')) errs.push("excludes list cannot contain '*'");
  for (const item of [...excludes].sort()) {
    if (includes.has(item)) errs.push(`excludes list cannot contain an item in the includes list: ${item}`);
  }
  return errs;
}

/** `ValidateNamespaceIncludesExcludes`: the above plus namespace names (`*` read as a letter). */
export function validateNamespaceIncludesExcludes(
  includesList: readonly string[],
  excludesList: readonly string[],
): string[] {
  const errs = validateIncludesExcludes(includesList, excludesList);
  for (const ns of [...new Set(includesList)].sort().concat([...new Set(excludesList)].sort())) {
    if (ns === '') continue;
    const tmp = ns.replaceAll('*', 'x');
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(tmp) || tmp.length > 63) {
      errs.push(
        `invalid namespace "${ns}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      );
    }
  }
  return errs;
}
