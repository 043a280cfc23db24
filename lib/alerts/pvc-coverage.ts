/** `PVCNotCoveredByBackup`: a PVC in a namespace that no schedule protects. */
import type { AlertRule, AlertTestCase } from './promtool';
import { HOUR, type AlertContext, type ProvenRule, clusterFlag, veleroCli, firstSteps, labels } from './rule-kit';
import { constant, change, series, caseOf } from './promtool-cases';
import { promDuration } from '../units/duration';
import { globExample } from '../schedule/namespace-glob';
import {
  alsoUncoveredMatcher,
  protectedNamespaces,
  uncoveredNamespaceMatcher,
  uncoveredNamespaces,
  type CoverageSchedule,
} from '../schedule/coverage';
/** `for:` of the coverage alert: a new PVC gets an hour to be added to a schedule (or a drill to clean up). */
const COVERAGE_FOR = 60 * 60;

/**
 * `PVCNotCoveredByBackup` on kube-state-metrics' `kube_persistentvolumeclaim_info`: a PVC in a namespace no
 * schedule protects (lib/schedule/coverage.ts, the same rule as the backup plan), except declared namespaces.
 * Undefined when no namespace can be uncovered.
 */
export function coverageRule(
  ctx: AlertContext,
  schedules: readonly CoverageSchedule[],
  unprotectedNamespaces: readonly string[],
): ProvenRule | undefined {
  const uncovered = uncoveredNamespaces(schedules, unprotectedNamespaces);
  const matcher = uncoveredNamespaceMatcher(schedules, unprotectedNamespaces);
  if (matcher === undefined) return undefined;
  const also = alsoUncoveredMatcher(uncovered);
  const p = protectedNamespaces(schedules);
  const covered =
    [...(p.everyOtherNamespace ? ['every namespace not excluded'] : []), ...p.namespaces].join(', ') || 'none';
  const alert = 'PVCNotCoveredByBackup';
  const rule: AlertRule = {
    alert,
    // an exclusion glob inside an included glob (`app-*` minus `app-test-*`) is a second selector, or-ed
    expr: `max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_info${matcher ? `{${matcher}}` : ''}${also ? ` or kube_persistentvolumeclaim_info{${also}}` : ''})`,
    for: promDuration(COVERAGE_FOR),
    labels: labels(ctx, 'warning'),
    annotations: {
      summary: 'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is not covered by any backup',
      description: [
        `PVC {{ $labels.persistentvolumeclaim }} is in namespace {{ $labels.namespace }}, which no backup schedule protects with volume snapshots, file-system backup or data movement, and which is not declared deliberately unprotected. Its data is not backed up, while every backup still reports Completed. Namespaces with protected volumes: ${covered}.`,
        'Add the namespace to a schedule with volume protection, or declare it in unprotectedNamespaces with a reason (in the config).',
        firstSteps([
          'kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}',
          veleroCli(ctx, 'schedule get -o yaml | grep -A5 includedNamespaces'),
          `npm run plan -- ${clusterFlag(ctx.cluster)}--inventory pvcs.json   # kubectl get pvc -A -o json > pvcs.json`,
        ]),
      ].join('\n'),
    },
  };
  const exempt = uncovered.kind === 'allExcept' ? uncovered.namespaces : [];
  let example = uncovered.kind === 'only' ? uncovered.namespaces[0] : 'unlisted-app';
  while (exempt.includes(example)) example += '-x';
  let unnamed = 'unlisted-app';
  while (uncovered.kind === 'only' && uncovered.namespaces.includes(unnamed)) unnamed += '-x';
  const silentNamespaces = uncovered.kind === 'only' ? [unnamed, ...(uncovered.except ?? [])] : exempt;
  const pvc = (ns: string) =>
    series('kube_persistentvolumeclaim_info', {
      job: 'kube-state-metrics',
      namespace: ns,
      persistentvolumeclaim: 'data',
      storageclass: 'standard',
    });
  const tests: AlertTestCase[] = [
    caseOf(`${alert}: a PVC in uncovered namespace '${example}' fires`, rule, 2 * HOUR, (step) => ({
      series: [{ series: pvc(example), values: constant(1, step) }],
      evalAt: 90 * 60,
      firing: [{ namespace: example, persistentvolumeclaim: 'data' }],
    })),
  ];
  if (uncovered.kind === 'allExcept' && uncovered.alsoUncovered?.length) {
    const inside = globExample(uncovered.alsoUncovered[0]);
    tests.push(
      caseOf(`${alert}: a PVC in '${inside}', excluded inside an included glob, fires`, rule, 2 * HOUR, (step) => ({
        series: [{ series: pvc(inside), values: constant(1, step) }],
        evalAt: 90 * 60,
        firing: [{ namespace: inside, persistentvolumeclaim: 'data' }],
      })),
    );
  }
  if (silentNamespaces.length) {
    tests.push(
      caseOf(`${alert}: PVCs in ${silentNamespaces.join(', ')} stay silent`, rule, 2 * HOUR, (step) => ({
        series: silentNamespaces.map((ns) => ({ series: pvc(ns), values: constant(1, step) })),
        evalAt: 90 * 60,
        firing: [],
      })),
    );
  } else {
    tests.push(
      caseOf(`${alert}: a PVC for less than ${promDuration(COVERAGE_FOR)} stays silent`, rule, 2 * HOUR, (step) => ({
        series: [{ series: pvc(example), values: change('_', 1, HOUR, step) }],
        evalAt: 90 * 60,
        firing: [],
      })),
    );
  }
  return { rule, tests };
}
