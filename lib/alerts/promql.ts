/**
 * PromQL checks at synth time, with the Prometheus project's own grammar (`@prometheus-io/lezer-promql`,
 * the parser behind the Prometheus UI). Every alert expression is parsed; the metric names it selects are
 * checked against the configured Velero version's catalog (lib/alerts/metrics-catalog.ts), so an alert that could
 * never fire (a metric the version does not export, a bare histogram name, a label the metric doesn't
 * have, docs/pitfalls.md#missing-metrics) fails the synth with a message naming the alert and the metric.
 */
import type { parser } from '@prometheus-io/lezer-promql';
import { TARGET_LABELS, type MetricCatalog, type MetricSource } from './metrics-catalog';

/** lezer's node type, taken from the parser itself (@lezer/common is not a direct dependency). */
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** The grammar, loaded on the first expression parsed. */
function promqlParser(): typeof parser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@prometheus-io/lezer-promql') as { parser: typeof parser }).parser;
}

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOperator;
  readonly value: string;
}

/** One vector selector of an expression (`velero_backup_failure_total{schedule!=""}`). */
export interface SelectorUse {
  /** The metric name: the identifier, `__name__="..."`, or a quoted name (`{"name"}`); undefined if none is exact. */
  readonly metric?: string;
  readonly matchers: readonly LabelMatcher[];
  /** The selector as written. */
  readonly text: string;
  /** Offset of the selector in the expression. */
  readonly offset: number;
  /** Names of the function calls that enclose the selector, innermost first (`['rate', 'sum']` is not: aggregations aren't functions). */
  readonly enclosingFunctions: readonly string[];
}

export interface ParsedExpression {
  readonly selectors: readonly SelectorUse[];
  /** Set when the grammar rejects the expression: the offset of the first error and the text there. */
  readonly syntaxError?: { readonly offset: number; readonly near: string };
}

/** Decodes a PromQL string literal: "..." and '...' with Go escapes, `...` raw. */
function decodeString(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function text(expr: string, node: SyntaxNode): string {
  return expr.slice(node.from, node.to);
}

function matcherOf(expr: string, node: SyntaxNode): LabelMatcher | undefined {
  const opNode = node.getChild('MatchOp');
  const valueNode = node.getChildren('StringLiteral').at(-1);
  if (!opNode || !valueNode) return undefined;
  let label: string;
  if (node.name === 'QuotedLabelMatcher') {
    const quoted = node.getChild('QuotedLabelName')?.getChild('StringLiteral');
    if (!quoted) return undefined;
    label = decodeString(text(expr, quoted));
  } else {
    const name = node.getChild('LabelName');
    if (!name) return undefined;
    label = text(expr, name);
  }
  return { label, op: text(expr, opNode) as MatchOperator, value: decodeString(text(expr, valueNode)) };
}

function selectorOf(expr: string, node: SyntaxNode): SelectorUse {
  const matchers: LabelMatcher[] = [];
  let metric = node.getChild('Identifier') ? text(expr, node.getChild('Identifier')!) : undefined;
  const list = node.getChild('LabelMatchers');
  if (list) {
    for (let child = list.firstChild; child; child = child.nextSibling) {
      if (child.name === 'QuotedLabelName') {
        // `{"metric.name", ...}`: a bare quoted string is the metric name (UTF-8 names, Prometheus 3)
        const s = child.getChild('StringLiteral');
        if (s) metric = decodeString(text(expr, s));
      } else if (child.name === 'UnquotedLabelMatcher' || child.name === 'QuotedLabelMatcher') {
        const m = matcherOf(expr, child);
        if (m) matchers.push(m);
      }
    }
  }
  const nameMatcher = matchers.find((m) => m.label === '__name__');
  if (metric === undefined && nameMatcher?.op === '=') metric = nameMatcher.value;
  const enclosingFunctions: string[] = [];
  for (let p = node.parent; p; p = p.parent) {
    if (p.name === 'FunctionCall') {
      const id = p.getChild('FunctionIdentifier');
      if (id) enclosingFunctions.push(text(expr, id));
    }
  }
  return { metric, matchers, text: text(expr, node), offset: node.from, enclosingFunctions };
}

/**
 * Parses `expr` with the PromQL grammar and lists its selectors, or the first syntax error. (Not cached: a
 * cache of these results saved 4 ms of a synth in `npm run bench`, below its noise, and was deleted.)
 */
export function parsePromQL(expr: string): ParsedExpression {
  // as JSON, so a result is a plain value (no `undefined` fields), as callers and tests compare it
  return JSON.parse(JSON.stringify(parseUncached(expr))) as ParsedExpression;
}

function parseUncached(expr: string): ParsedExpression {
  const tree = promqlParser().parse(expr);
  const selectors: SelectorUse[] = [];
  let syntaxError: ParsedExpression['syntaxError'];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        syntaxError ??= { offset: ref.from, near: expr.slice(ref.from, ref.from + 20) };
        return false;
      }
      if (ref.name === 'VectorSelector') selectors.push(selectorOf(expr, ref.node));
      return undefined;
    },
  });
  return { selectors, syntaxError };
}

/** The distinct metric names an expression selects, in order of appearance. */
export function metricNames(expr: string): string[] {
  return [...new Set(parsePromQL(expr).selectors.flatMap((s) => (s.metric ? [s.metric] : [])))];
}

/** Functions under which a counter is used correctly: they handle resets, or only test for presence. */
const COUNTER_SAFE_FUNCTIONS = new Set([
  'rate',
  'irate',
  'increase',
  'resets',
  'absent',
  'absent_over_time',
  'present_over_time',
  'count_over_time',
]);

const SOURCE_NAMES: Record<MetricSource, string> = {
  'velero-server': 'the Velero server',
  'node-agent': 'the node-agent',
  'kube-state-metrics': 'kube-state-metrics',
  prometheus: 'Prometheus',
};

export interface ExpressionCheckOptions {
  /** The catalog of the configured Velero version (`metricsFor(release.version)`). */
  readonly catalog: MetricCatalog;
  /** Exporters the stack's Prometheus scrapes. @default every source */
  readonly scrapedSources?: readonly MetricSource[];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function closestName(name: string, catalog: MetricCatalog): string | undefined {
  const names = catalog.metrics.flatMap((m) =>
    m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
  );
  let best: { name: string; d: number } | undefined;
  for (const n of names) {
    const d = editDistance(name, n);
    if (d <= 3 && (!best || d < best.d)) best = { name: n, d };
  }
  return best?.name;
}

/**
 * Every problem of one alert expression, each a full sentence starting with `alert '<name>': `.
 * Empty when the expression parses and only selects series the configured version exports.
 */
export function expressionProblems(alert: string, expr: string, options: ExpressionCheckOptions): string[] {
  const { catalog } = options;
  const version = catalog.veleroVersion;
  const scraped = new Set<MetricSource>(options.scrapedSources ?? (Object.keys(SOURCE_NAMES) as MetricSource[]));
  const subject = `alert '${alert}'`;
  if (!expr.trim()) return [`${subject}: expression is empty`];
  const parsed = parsePromQL(expr);
  if (parsed.syntaxError) {
    const { offset, near } = parsed.syntaxError;
    const where = near ? `at offset ${offset}, near '${near}'` : `at offset ${offset}, the end of the expression`;
    return [`${subject}: expression is not valid PromQL (error ${where}): ${expr}`];
  }
  const problems: string[] = [];
  for (const sel of parsed.selectors) {
    const nameMatcher = sel.matchers.find((m) => m.label === '__name__');
    if (sel.metric === undefined || (nameMatcher && nameMatcher.op !== '=')) {
      problems.push(
        `${subject}: selector '${sel.text}' does not name one metric exactly; write the metric name so it can be checked against the Velero ${version} metrics catalog`,
      );
      continue;
    }
    const name = sel.metric;
    const resolved = catalog.resolve(name);
    if (resolved.status === 'bare-histogram') {
      problems.push(`${subject}: metric '${name}' is a histogram; use ${name}_bucket, _sum or _count`);
      continue;
    }
    if (resolved.status === 'not-yet') {
      problems.push(
        `${subject}: metric '${name}' is not exported by Velero ${version} (first in ${resolved.metric.since})`,
      );
      continue;
    }
    if (resolved.status === 'unknown') {
      const hint = closestName(name, catalog);
      problems.push(
        `${subject}: metric '${name}' is not exported by Velero ${version} (not in the metrics catalog, lib/alerts/metrics-catalog.ts)${hint ? `; did you mean '${hint}'?` : ''}`,
      );
      continue;
    }
    const { metric } = resolved;
    if (metric.doNotAlert) {
      problems.push(`${subject}: metric '${name}' must not be alerted on: ${metric.doNotAlert}`);
      continue;
    }
    if (!scraped.has(metric.source)) {
      problems.push(
        `${subject}: metric '${name}' comes from ${SOURCE_NAMES[metric.source]}, which this stack's Prometheus does not scrape`,
      );
      continue;
    }
    if (!metric.anyLabels) {
      const known = new Set([...resolved.labels, ...TARGET_LABELS, '__name__']);
      for (const m of sel.matchers) {
        if (!known.has(m.label)) {
          problems.push(
            `${subject}: metric '${name}' has no label '${m.label}' (its labels: ${resolved.labels.join(', ') || 'none'}; target labels: ${TARGET_LABELS.join(', ')})`,
          );
        }
      }
    }
    if (resolved.seriesType === 'counter' && !sel.enclosingFunctions.some((f) => COUNTER_SAFE_FUNCTIONS.has(f))) {
      problems.push(
        `${subject}: counter '${name}' is used without rate() or increase(); counters reset when the exporter restarts (docs/upstream-facts.md#metrics)`,
      );
    }
  }
  return problems;
}

/** Throws when `expressionProblems` finds anything; the message lists every problem, one per line. */
export function checkAlertExpression(alert: string, expr: string, options: ExpressionCheckOptions): void {
  const problems = expressionProblems(alert, expr, options);
  if (problems.length) throw new Error(problems.join('\n'));
}
