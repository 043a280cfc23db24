/**
 * Velero's own checks of a backup's include/exclude lists (pkg/util/collections/includes_excludes.go at
 * v1.15.0, `ValidateIncludesExcludes`, `ValidateScopedIncludesExcludes`, `ValidateNamespaceIncludesExcludes`),
 * run by the backup controller on every Backup of a Schedule: a failing list ends each Backup FailedValidation
 * (docs/pitfalls.md#includes-excludes). Returns the problem, or undefined.
 */

const list = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

/**
 * `plain`: namespaces and old-style resources ('*' only alone in includes, never in excludes); `scoped`:
 * the new-style cluster- and namespace-scoped resource filters ('*' alone in excludes too, then no includes).
 */
export function includesExcludesProblem(
  kind: 'plain' | 'scoped',
  includedField: string,
  includes: readonly string[],
  excludedField: string,
  excludes: readonly string[],
): string | undefined {
  const inc = new Set(includes);
  const exc = new Set(excludes);
  if (inc.size > 1 && inc.has('*')) {
    return `${includedField} ${list(includes)} mixes '*' with names; Velero takes '*' only alone: write ['*'], or list the names`;
  }
  if (kind === 'plain' && exc.has('*')) {
    return `${excludedField} ${list(excludes)} holds '*', which Velero refuses in an exclude list; list what to leave out`;
  }
  if (kind === 'scoped' && exc.size > 1 && exc.has('*')) {
    return `${excludedField} ${list(excludes)} mixes '*' with names; Velero takes '*' only alone: write ['*'], or list the names`;
  }
  if (kind === 'scoped' && exc.has('*') && inc.size > 0) {
    return `${excludedField} is ['*'] while ${includedField} is ${list(includes)}; Velero refuses includes when everything is excluded: drop one`;
  }
  const both = [...exc].filter((i) => inc.has(i)).sort();
  if (both.length) {
    return `'${both[0]}' is in both ${includedField} and ${excludedField}; Velero refuses an item both included and excluded: drop it from one`;
  }
  return undefined;
}
