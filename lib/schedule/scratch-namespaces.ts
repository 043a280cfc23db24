/**
 * The namespaces the stack itself creates for minutes or hours (a drill's scratch copies, a scenario's
 * inspection copy), read from the config before any construct: no schedule backs them up, and coverage
 * (the alert and the plan) exempts them with their reason.
 */
import type { RestoreScenarioConfig, RebuildConfig, ScheduleConfig, StackConfig } from '../config/types';
import { looksLikeGlob, namespacePatternMatches } from './namespace-glob';
import { INCLUDED_NAMESPACES_DEFAULT, RELEASE_DEFAULTS } from '../config/defaults';

/** Why a drill's scratch namespace is unprotected (coverage's reason). */
export const DRILL_SCRATCH_REASON = 'scratch copy made and deleted by the restore drill';

/** The namespaces the stack's drills and inspection restores create (from the config, before any construct). */
export function stackScratchNamespaces(data: StackConfig): string[] {
  const out: string[] = [];
  for (const s of data.schedules ?? []) {
    if (!s.drill) continue;
    const namespaces = s.drill.namespaces ?? (s.includedNamespaces ?? []).filter((n) => !looksLikeGlob(n) && n !== '*');
    for (const ns of namespaces) out.push(s.drill.namespaceMapping?.[ns] ?? `drill-${ns}`);
  }
  for (const rc of data.restores ?? []) {
    if ('target' in rc && rc.target.kind === 'namespace-into') out.push(rc.target.into);
  }
  return out;
}

/**
 * A schedule's excludedNamespaces with the stack's own scratch namespaces it reaches only through `'*'` or a
 * glob (and whose volumes it would keep): the user never declared them, so never blame the user for them.
 * `csiSnapshots` is the release's (a schedule's snapshotVolumes default); unchanged when nothing is reached.
 */
export function excludedWithScratch(
  s: ScheduleConfig,
  scratch: readonly string[],
  csiSnapshots: boolean | undefined,
): readonly string[] | undefined {
  const protectsVolumes =
    (s.snapshotVolumes ?? csiSnapshots ?? RELEASE_DEFAULTS.csiSnapshots) ||
    !!s.defaultVolumesToFsBackup ||
    !!s.snapshotMoveData;
  const included = s.includedNamespaces ?? INCLUDED_NAMESPACES_DEFAULT;
  const excluded = s.excludedNamespaces ?? [];
  const reached = scratch.filter(
    (ns) =>
      protectsVolumes &&
      !included.includes(ns) &&
      !excluded.includes(ns) &&
      included.some((i) => namespacePatternMatches(i, ns)),
  );
  return reached.length ? [...excluded, ...reached] : s.excludedNamespaces;
}

/** The inspection copies the restore scenarios make (`namespace-into`), each with its reason, in scenario order. */
export function inspectionCopies(restores: readonly (RestoreScenarioConfig | RebuildConfig)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rc of restores) {
    if (!('target' in rc) || rc.target.kind !== 'namespace-into') continue;
    out[rc.target.into] =
      `inspection copy of ${rc.target.namespace} made by the restore scenario '${rc.name}'; delete it when done`;
  }
  return out;
}
