/**
 * Velero's own checks of a backup's and a restore's include/exclude lists (pkg/util/collections/includes_excludes.go at
 * v1.15.0, `ValidateIncludesExcludes`, `ValidateScopedIncludesExcludes`, `ValidateNamespaceIncludesExcludes`),
 * run by the backup controller on every Backup of a Schedule: a failing list ends each Backup FailedValidation
 * (docs/pitfalls.md#includes-excludes). The restore controller runs the same `ValidateIncludesExcludes` on a
 * Restore's resource and namespace lists after appending the kinds it never restores to the excluded resources
 * (pkg/controller/restore_controller.go `validateAndComplete`, `nonRestorableResources`, v1.15.0 to v1.18.1).
 * Returns the problem, or undefined.
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

/**
 * The kinds Velero never restores (restore_controller.go `nonRestorableResources`, identical at v1.15.0 and
 * v1.18.1): the restore controller adds them to every Restore's excluded resources and ends a Restore that
 * includes one FailedValidation ("<kind> are non-restorable resources").
 */
export const NON_RESTORABLE_RESOURCES: readonly string[] = [
  'nodes',
  'events',
  'events.events.k8s.io',
  'backups.velero.io',
  'restores.velero.io',
  'resticrepositories.velero.io',
  'csinodes.storage.k8s.io',
  'volumeattachments.storage.k8s.io',
  'backuprepositories.velero.io',
];

/**
 * A Restore's lists as the restore controller checks them (`validateAndComplete`): a non-restorable kind in
 * the included resources, then `ValidateIncludesExcludes` on resources (with the non-restorable kinds added to
 * the excludes, as Velero does) and on namespaces. Field names are the caller's (config paths).
 */
export function restoreListsProblem(fields: {
  readonly includedNamespaces: readonly [string, readonly string[]];
  readonly excludedNamespaces: readonly [string, readonly string[]];
  readonly includedResources: readonly [string, readonly string[]];
  readonly excludedResources: readonly [string, readonly string[]];
}): string | undefined {
  const [incField, inc] = fields.includedResources;
  const [excField, exc] = fields.excludedResources;
  const never = inc.find((r) => NON_RESTORABLE_RESOURCES.includes(r));
  if (never) {
    return `${incField} ${list(inc)} holds '${never}', which Velero never restores (the Restore ends FailedValidation); drop it`;
  }
  return (
    includesExcludesProblem('plain', incField, inc, excField, exc) ??
    includesExcludesProblem('plain', ...fields.includedNamespaces, ...fields.excludedNamespaces)
  );
}
