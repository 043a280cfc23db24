/**
 * Which namespaces have their volume data backed up: the one rule behind the `PVCNotCoveredByBackup`
 * alert (lib/alerts/pvc-coverage.ts) and the backup plan's coverage report (lib/plan/plan.ts), so the two can
 * never disagree (docs/pitfalls.md#coverage).
 *
 * A namespace is protected when at least one schedule that is not paused backs up the data of its PVCs
 * (CSI snapshots, file-system backup or snapshot data movement: `BackupSchedule.protectsVolumesIn`).
 * Resources-only schedules (e.g. the seed's `weekly-cluster-resources`) don't protect volume data.
 */
import { assertDnsLabel } from '../kube/names';
import { globRegexSource, isNamespaceGlob, namespacePatternMatches } from './namespace-glob';

/** What coverage needs of a schedule (`BackupSchedule` has all of it). */
export interface CoverageSchedule {
  readonly name: string;
  readonly paused: boolean;
  readonly includedNamespaces: readonly string[];
  readonly excludedNamespaces: readonly string[];
  /** True when this schedule backs up PVC data of `namespace`. */
  protectsVolumesIn(namespace: string): boolean;
}

export interface NamespaceCoverage<S extends CoverageSchedule = CoverageSchedule> {
  /** True when at least one schedule backs up the volume data of the namespace. */
  readonly protected: boolean;
  /** The schedules that do, in the order given. Paused schedules never count. */
  readonly by: S[];
}

/** Is the volume data of `namespace` backed up by any of `schedules`, and by which? */
export function isNamespaceProtected<S extends CoverageSchedule>(
  schedules: readonly S[],
  namespace: string,
): NamespaceCoverage<S> {
  const by = schedules.filter((s) => !s.paused && s.protectsVolumesIn(namespace));
  return { protected: by.length > 0, by };
}

/** Same as `isNamespaceProtected`. */
export const coverageOf = isNamespaceProtected;

/**
 * The set of namespaces whose PVCs are NOT covered (and not declared deliberately unprotected), in a
 * form a PromQL label matcher can express. Velero namespace filters are exact names, globs (`kube-*`, each taken
 * as one entry that stands for what it matches) or `*` (all), so the uncovered set is either a finite list or
 * "every namespace except a finite list".
 */
export type UncoveredNamespaces =
  /** Every namespace is uncovered (no schedule protects volumes, nothing declared). */
  | { readonly kind: 'all' }
  /** No namespace can be uncovered (e.g. a `*` schedule with volume protection and no exclusions). */
  | { readonly kind: 'none' }
  /**
   * Exactly these namespaces are uncovered, but for `except` (named namespaces, protected or declared, that an
   * uncovered glob matches: `*` minus `app-*`, with `app-one` backed up by another schedule).
   */
  | { readonly kind: 'only'; readonly namespaces: readonly string[]; readonly except?: readonly string[] }
  /**
   * Every namespace except these (covered or declared unprotected) is uncovered; and, inside them, the namespaces
   * of `alsoUncovered` (globs a schedule excludes within a glob it includes: `app-*` minus `app-test-*`).
   */
  | { readonly kind: 'allExcept'; readonly namespaces: readonly string[]; readonly alsoUncovered?: readonly string[] };

/** Every namespace named in the schedules' filters (not `*`), sorted. */
function namedNamespaces(schedules: readonly CoverageSchedule[], extra: readonly string[] = []): string[] {
  const named = new Set<string>(extra);
  for (const s of schedules) {
    for (const ns of [...s.includedNamespaces, ...s.excludedNamespaces]) if (ns !== '*') named.add(ns);
  }
  for (const ns of named) {
    // a glob (`kube-*`) stands for the namespaces it matches: checked once, as one entry (namespace-glob.ts)
    if (!isNamespaceGlob(ns)) assertDnsLabel('coverage: namespace', ns);
  }
  return [...named].sort();
}

/** A namespace name that appears in no list: it stands for every namespace the config doesn't name. */
function unnamedNamespace(named: readonly string[]): string {
  const globs = named.filter(isNamespaceGlob);
  const taken = (n: string) => named.includes(n) || globs.some((g) => namespacePatternMatches(g, n));
  for (const start of ['velero-cdk8s-any-other-namespace', '0-velero-cdk8s-probe', 'z9']) {
    let unnamed = start;
    for (let i = 0; i < 5 && taken(unnamed); i++) unnamed += '-x';
    if (!taken(unnamed)) return unnamed;
  }
  return 'velero-cdk8s-any-other-namespace';
}

/** A PromQL regex alternative for a namespace entry: a name as is, a glob as its regex (`kube-*` -> `kube-.*`). */
const regexOf = (ns: string) => (isNamespaceGlob(ns) ? globRegexSource(ns) : ns);

/** The namespaces whose volumes are protected: the named ones, and whether every other namespace is too. */
export interface ProtectedNamespaces {
  /** Named namespaces (in some schedule's filters) whose volumes are protected, sorted. */
  readonly namespaces: readonly string[];
  /** True when a `*` schedule protects the volumes of every namespace it doesn't exclude. */
  readonly everyOtherNamespace: boolean;
}

export function protectedNamespaces(schedules: readonly CoverageSchedule[]): ProtectedNamespaces {
  const named = namedNamespaces(schedules);
  return {
    namespaces: named.filter((ns) => isNamespaceProtected(schedules, ns).protected),
    everyOtherNamespace: isNamespaceProtected(schedules, unnamedNamespace(named)).protected,
  };
}

/**
 * Computes the uncovered set from the schedules' namespace filters, evaluated with their own
 * `protectsVolumesIn`. Every namespace named anywhere (includes, excludes, declared unprotected) is
 * checked by name; every other namespace behaves like an unnamed one, checked once with a name that
 * appears in no list.
 */
export function uncoveredNamespaces(
  schedules: readonly CoverageSchedule[],
  unprotectedNamespaces: readonly string[] = [],
): UncoveredNamespaces {
  const sorted = namedNamespaces(schedules, unprotectedNamespaces);
  const unnamed = unnamedNamespace(sorted);
  const declared = new Set(unprotectedNamespaces);
  if (isNamespaceProtected(schedules, unnamed).protected) {
    const uncovered = sorted.filter((ns) => !declared.has(ns) && !isNamespaceProtected(schedules, ns).protected);
    const globs = uncovered.filter(isNamespaceGlob);
    const except = sorted.filter(
      (ns) => !isNamespaceGlob(ns) && !uncovered.includes(ns) && globs.some((g) => namespacePatternMatches(g, ns)),
    );
    if (!uncovered.length) return { kind: 'none' };
    return except.length ? { kind: 'only', namespaces: uncovered, except } : { kind: 'only', namespaces: uncovered };
  }
  const exempt = sorted.filter((ns) => declared.has(ns) || isNamespaceProtected(schedules, ns).protected);
  const also = sorted.filter((ns) => isNamespaceGlob(ns) && !exempt.includes(ns));
  if (!exempt.length) return { kind: 'all' };
  return also.length
    ? { kind: 'allExcept', namespaces: exempt, alsoUncovered: also }
    : { kind: 'allExcept', namespaces: exempt };
}

/**
 * The PromQL label matcher on `namespace` that selects exactly the uncovered namespaces:
 * `namespace!~"default|loki"`, `namespace=~"kube-system"`, `''` (all namespaces: no matcher needed),
 * or `undefined` when nothing can be uncovered (then there is no alert to render).
 * PromQL regex matchers are fully anchored, and namespace names are DNS labels (no regex metacharacters).
 */
export function uncoveredNamespaceMatcher(
  schedules: readonly CoverageSchedule[],
  unprotectedNamespaces: readonly string[] = [],
): string | undefined {
  const u = uncoveredNamespaces(schedules, unprotectedNamespaces);
  switch (u.kind) {
    case 'all':
      return '';
    case 'none':
      return undefined;
    case 'only':
      return `namespace=~"${u.namespaces.map(regexOf).join('|')}"${u.except ? `,namespace!~"${u.except.join('|')}"` : ''}`;
    case 'allExcept':
      return `namespace!~"${u.namespaces.map(regexOf).join('|')}"`;
  }
}

/**
 * The second selector's matcher of an `allExcept` set with `alsoUncovered` globs (`namespace=~"app-test-.*"`), to
 * be or-ed with `uncoveredNamespaceMatcher`'s; undefined when there are none.
 */
export function alsoUncoveredMatcher(u: UncoveredNamespaces): string | undefined {
  return u.kind === 'allExcept' && u.alsoUncovered?.length
    ? `namespace=~"${u.alsoUncovered.map(regexOf).join('|')}"`
    : undefined;
}
