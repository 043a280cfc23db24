#!/usr/bin/env node
/**
 * Generates lib/alerts/velero-metrics.generated.ts: every Prometheus metric family each catalogued Velero
 * line registers, read from that line's pkg/metrics/metrics.go, so that an alert
 * can only use a metric its own line exports.
 *
 *   node scripts/metrics-catalog.mjs [--from <dir>] [--check]
 *
 * <dir> holds one folder per tag with the upstream file byte for byte (`git show <tag>:pkg/metrics/metrics.go`),
 * default ../shared/upstream/velero (beside CI's clone). `--check` compares instead of writing (exit 1 on a difference).
 * The output is deterministic: families sorted by name within each source, tags in line order.
 *
 * The parser reads what metrics.go is made of: a `const (...)` block of name strings, and the
 * `prometheus.New{Gauge,Counter,Histogram}[Vec](prometheus.XxxOpts{Namespace, Name, Help, Buckets}, []string{labels})`
 * constructor calls inside `NewServerMetrics()` (velero server) and `NewNodeMetrics()` (node-agent).
 * Anything it cannot resolve is an error, never a silent gap.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(ROOT, 'lib/alerts/velero-metrics.generated.ts');

/** The tag read for each catalogued line and its commit (the provenance of the upstream README beside the metrics.go files). */
export const CATALOGUED_TAGS = [
  { line: '1.15', tag: 'v1.15.0', commit: '1d4f1475975b5107ec35f4d19ff17f7d1fcb3edf' },
  { line: '1.16', tag: 'v1.16.2', commit: 'a60808256d36a77a42e1ebc160ee8117477a83fa' },
  { line: '1.17', tag: 'v1.17.2', commit: '7013a4097f17a97a0201c0ad3c9dd3f810d32bf6' },
  { line: '1.18', tag: 'v1.18.1', commit: '26ef8fa7df68dfa9ab8aa4669b8ac47340b0c510' },
];

const SOURCES = { NewServerMetrics: 'velero-server', NewNodeMetrics: 'node-agent' };
const TYPES = { Gauge: 'gauge', Counter: 'counter', Histogram: 'histogram' };

/** The text between the bracket at `open` and its partner (exclusive), skipping string literals. */
function balanced(src, open) {
  const pairs = { '(': ')', '{': '}', '[': ']' };
  const stack = [pairs[src[open]]];
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === '`') {
      const end = src.indexOf(c, i + 1);
      i = end;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) return src.slice(open + 1, i);
    }
  }
  throw new Error(`metrics.go: unbalanced bracket at offset ${open}`);
}

const UNITS = { Millisecond: 0.001, Second: 1, Minute: 60, Hour: 3600 };

/** A bucket bound: a number, or `toSeconds(<n> * time.<Unit>)` as metrics.go writes them. */
function bucket(token) {
  const m = /^toSeconds\((\d+(?:\.\d+)?)\s*\*\s*time\.(\w+)\)$/.exec(token);
  if (m && UNITS[m[2]] !== undefined) return Number(m[1]) * UNITS[m[2]];
  return /^\d+(?:\.\d+)?$/.test(token) ? Number(token) : NaN;
}

/** Parses one metrics.go: the families of each source, sorted by name. */
export function parseMetricsGo(src, where) {
  const consts = new Map();
  for (const block of src.matchAll(/^const \(/gm)) {
    const body = balanced(src, block.index + block[0].length - 1);
    for (const m of body.matchAll(/^\s*(\w+)\s*(?:\w+\s*)?=\s*"([^"]*)"/gm)) consts.set(m[1], m[2]);
  }
  const value = (token, what) => {
    const t = token.trim();
    if (/^"[^"]*"$/.test(t)) return t.slice(1, -1);
    if (consts.has(t)) return consts.get(t);
    throw new Error(`${where}: ${what} '${t}' is neither a string literal nor a constant of the file`);
  };
  const families = [];
  for (const fn of src.matchAll(/^func (\w+)\(\)[^{]*\{/gm)) {
    const source = SOURCES[fn[1]];
    if (!source) continue;
    const body = balanced(src, fn.index + fn[0].length - 1);
    for (const call of body.matchAll(/prometheus\.New(Gauge|Counter|Histogram)(Vec)?\(/g)) {
      const args = balanced(body, call.index + call[0].length - 1);
      const opts = balanced(args, args.indexOf('{'));
      const field = (name) => new RegExp(`\\b${name}:\\s*([^,\\n]+),`).exec(opts)?.[1];
      const ns = field('Namespace');
      const name = field('Name');
      const help = /\bHelp:\s*"((?:[^"\\]|\\.)*)"/.exec(opts)?.[1];
      if (!ns || !name || help === undefined)
        throw new Error(`${where}: a ${call[1]} in ${fn[1]} has no Namespace, Name or Help`);
      const rest = args.slice(args.indexOf(opts) + opts.length + 1);
      const labelsAt = rest.indexOf('[]string{');
      const labels =
        call[2] && labelsAt >= 0
          ? balanced(rest, labelsAt + '[]string'.length)
              .split(',')
              .map((l) => l.trim())
              .filter(Boolean)
              .map((l) => value(l, 'label'))
          : [];
      if (call[2] && labelsAt < 0) throw new Error(`${where}: ${value(name, 'name')} is a Vec without a label list`);
      const bucketsAt = opts.indexOf('Buckets:');
      const buckets =
        bucketsAt >= 0
          ? balanced(opts, opts.indexOf('{', bucketsAt))
              .split(',')
              .map((b) => b.trim())
              .filter(Boolean)
              .map(bucket)
          : undefined;
      if (buckets?.some((b) => Number.isNaN(b)))
        throw new Error(`${where}: ${value(name, 'name')} has buckets that are not numbers`);
      families.push({
        name: `${value(ns, 'namespace')}_${value(name, 'name')}`,
        type: TYPES[call[1]],
        labels,
        source,
        help: help.replace(/\\"/g, '"'),
        ...(buckets ? { buckets } : {}),
      });
    }
  }
  if (!families.length) throw new Error(`${where}: no metric families found`);
  const seen = new Set();
  for (const f of families) {
    if (seen.has(f.name)) throw new Error(`${where}: metric ${f.name} is registered twice`);
    seen.add(f.name);
  }
  return families.sort((a, b) =>
    a.source === b.source ? a.name.localeCompare(b.name) : a.source.localeCompare(b.source),
  );
}

/** The generated module's text for the metrics.go files under `from`. */
export function render(from) {
  const lines = CATALOGUED_TAGS.map((t) => {
    const file = join(from, t.tag, 'metrics.go');
    if (!existsSync(file))
      throw new Error(`metrics catalog: ${file} is missing (git show ${t.tag}:pkg/metrics/metrics.go)`);
    return { ...t, metrics: parseMetricsGo(readFileSync(file, 'utf8'), `${t.tag}:pkg/metrics/metrics.go`) };
  });
  return [
    '// Generated by scripts/metrics-catalog.mjs from pkg/metrics/metrics.go of each Velero tag below. Do not edit;',
    '// rerun `node scripts/metrics-catalog.mjs --from DIR` (DIR holds <tag>/metrics.go: pkg/metrics/metrics.go of vmware-tanzu/velero at each tag).',
    '',
    '/** One metric family as metrics.go registers it. */',
    'export interface GeneratedMetric {',
    '  readonly name: string;',
    "  readonly type: 'counter' | 'gauge' | 'histogram';",
    '  readonly labels: readonly string[];',
    "  readonly source: 'velero-server' | 'node-agent';",
    '  readonly help: string;',
    '  readonly buckets?: readonly number[];',
    '}',
    '',
    '/** One Velero minor line: the tag whose metrics.go was read, its commit, and its families. */',
    'export interface GeneratedMetricLine {',
    '  readonly line: string;',
    '  readonly tag: string;',
    '  readonly commit: string;',
    '  readonly metrics: readonly GeneratedMetric[];',
    '}',
    '',
    `export const VELERO_METRICS_BY_LINE: readonly GeneratedMetricLine[] = ${JSON.stringify(lines, null, 2)};`,
    '',
  ].join('\n');
}

function main(argv) {
  const fromAt = argv.indexOf('--from');
  const from = resolve(fromAt >= 0 ? argv[fromAt + 1] : join(ROOT, '..', 'shared', 'upstream', 'velero'));
  const text = render(from);
  if (argv.includes('--check')) {
    const same = existsSync(OUTPUT) && readFileSync(OUTPUT, 'utf8') === text;
    console.log(same ? 'metrics catalog: up to date' : `metrics catalog: ${OUTPUT} differs from what ${from} renders`);
    return same ? 0 : 1;
  }
  writeFileSync(OUTPUT, text);
  console.log(`metrics catalog: wrote ${OUTPUT}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  }
}
