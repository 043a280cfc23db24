/**
 * The per-line data is reproducible from upstream: the generated metric catalog equals what
 * scripts/metrics-catalog.mjs renders from each line's metrics.go, and LINE_DEPENDENT_FIELDS equals the diff of
 * the lines' CRD schemas for the kinds the constructs render. Both need ../shared (CI has it); without it they
 * are skipped with a note, and the committed data is still checked for shape.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { VELERO_METRICS_BY_LINE } from '../../lib/alerts/velero-metrics.generated';
import { LINE_DEPENDENT_FIELDS, RENDERED_KINDS, checkCrdField } from '../../lib/versions/crd-fields';
import { VELERO_LINES } from '../../lib/versions/velero-lines';

/** A parsed YAML/JSON value: untyped by nature; every access to it is guarded. */
type Json = any;

const SHARED = join(__dirname, '..', '..', '..', 'shared');
const haveShared = existsSync(join(SHARED, 'upstream', 'velero'));
if (!haveShared) console.warn('line-data: ../shared is not beside the repo; the regeneration checks are skipped');
const withShared = haveShared ? test : test.skip;

describe('metric catalog per line', () => {
  test('one catalog per supported line, in line order', () => {
    expect(VELERO_METRICS_BY_LINE.map((l) => l.line)).toEqual(VELERO_LINES.map((l) => l.line));
  });

  test('the arrivals the upstream README lists: the BSL gauge in 1.17, repo maintenance in 1.18', () => {
    const names = (line: string) =>
      new Set(VELERO_METRICS_BY_LINE.find((l) => l.line === line)!.metrics.map((m) => m.name));
    const added = (from: string, to: string) => [...names(to)].filter((n) => !names(from).has(n)).sort();
    expect(added('1.15', '1.16')).toEqual([]);
    expect(added('1.16', '1.17')).toEqual(['velero_backup_location_status_gauge']);
    expect(added('1.17', '1.18')).toEqual([
      'velero_repo_maintenance_duration_seconds',
      'velero_repo_maintenance_failure_total',
      'velero_repo_maintenance_success_total',
    ]);
    expect(VELERO_METRICS_BY_LINE[0].metrics.filter((m) => m.source === 'velero-server')).toHaveLength(28);
    expect(VELERO_METRICS_BY_LINE[0].metrics.filter((m) => m.source === 'node-agent')).toHaveLength(10);
  });

  withShared('the committed catalog is what scripts/metrics-catalog.mjs renders from ../shared', () => {
    const result = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', '..', 'scripts', 'metrics-catalog.mjs'),
        '--check',
        '--from',
        join(SHARED, 'upstream', 'velero'),
      ],
      { encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).toContain('metrics catalog: up to date');
    expect(result.status).toBe(0);
  });
});

/** Every property path of one CRD version's schema (`.spec.template.ttl`, `[]` for items). */
function paths(schema: Json, prefix = '', out = new Set<string>()): Set<string> {
  out.add(prefix);
  for (const [k, v] of Object.entries(schema?.properties ?? {})) paths(v, `${prefix}.${k}`, out);
  if (schema?.items) paths(schema.items, `${prefix}[]`, out);
  return out;
}

function crdPaths(dir: string): Map<string, Set<string>> {
  const byKind = new Map<string, Set<string>>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const crd = doc.toJS() as Json;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) byKind.set(crd.spec.names.kind, paths(v.schema.openAPIV3Schema));
    }
  }
  return byKind;
}

describe('CRD fields per line', () => {
  withShared('LINE_DEPENDENT_FIELDS is the diff of the lines’ CRDs for the kinds the constructs render', () => {
    const dirs: [string, string][] = [
      ['1.15', join(SHARED, 'crds', 'velero')],
      ['1.16', join(SHARED, 'upstream', 'velero', 'v1.16.2', 'crds')],
      ['1.17', join(SHARED, 'upstream', 'velero', 'v1.17.2', 'crds')],
      ['1.18', join(SHARED, 'upstream', 'velero', 'v1.18.1', 'crds')],
    ];
    const found: { kind: string; path: string; since: string }[] = [];
    let previous: Map<string, Set<string>> | undefined;
    for (const [line, dir] of dirs) {
      const current = crdPaths(dir);
      if (previous) {
        for (const kind of RENDERED_KINDS) {
          const before = previous.get(kind)!;
          const after = current.get(kind)!;
          // nothing a construct renders was removed
          expect([...before].filter((p) => !after.has(p))).toEqual([]);
          const added = [...after].filter((p) => !before.has(p)).sort();
          // a new object field counts once, at its top
          for (const p of added.filter((x) => !added.some((y) => y !== x && x.startsWith(`${y}.`)))) {
            found.push({ kind, path: p.slice(1), since: line });
          }
        }
      }
      previous = current;
    }
    expect(found).toEqual([...LINE_DEPENDENT_FIELDS]);
  });

  test.each(LINE_DEPENDENT_FIELDS.map((f) => [f.kind, f.path, f.since] as const))(
    '%s %s is refused before v%s and accepted from it',
    (kind, path, since) => {
      const i = VELERO_LINES.findIndex((l) => l.line === since);
      expect(() => checkCrdField('x', kind, path, `v${since}.0`)).not.toThrow();
      expect(() => checkCrdField('x', kind, path, `v${VELERO_LINES[i - 1].line}.2`)).toThrow(
        `x: ${path} needs Velero v${since} or later`,
      );
    },
  );
});
