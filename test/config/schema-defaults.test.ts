/**
 * The config schema (velero-cdk8s.config.schema.json, generated from lib/config/types.ts) states each container's
 * default resources as text (`requests 100m / 256Mi, limits 1000m / 512Mi`); what it states is what renders.
 * Every such default of the schema must be in the table, so a new one cannot go unchecked.
 */
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import { renderApp } from '../../lib/output/output';
import { seedConfig } from '../fixtures/seed';
import schema from '../../velero-cdk8s.config.schema.json';

/** A rendered object or schema node: untyped by nature. */
type Json = any;

/**
 * The schema paths that state a resources default, with its text: an object's prose default goes to the end of its
 * `description` as `Default: <text>.` (scripts/config-schema.mjs keeps `default` only where it is of the field's type).
 */
function resourceDefaults(node: Json, path = ''): [string, string][] {
  if (Array.isArray(node)) return node.flatMap((n, i) => resourceDefaults(n, `${path}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  const stated = typeof node.description === 'string' ? /Default: (requests [^.]*?)\.?$/.exec(node.description) : null;
  const own: [string, string][] = stated ? [[path, stated[1]]] : [];
  return [...own, ...Object.entries(node).flatMap(([k, v]) => resourceDefaults(v, `${path}/${k}`))];
}

/** `requests 100m / 256Mi, limits 1000m / 512Mi` as a container's `resources`. */
function parseDefault(text: string) {
  const m = /^requests (\S+) \/ (\S+), limits (\S+) \/ (\S+)$/.exec(text);
  if (!m) throw new Error(`schema default '${text}' is not 'requests <cpu> / <memory>, limits <cpu> / <memory>'`);
  return { requests: { cpu: m[1], memory: m[2] }, limits: { cpu: m[3], memory: m[4] } };
}

const config = seedConfig({ nodeAgent: true });
const app = new App();
new BackupStack(app, 'Seed', config);
const rendered = renderApp(app).map((o) => o.object as Json);

/** The first container of the pod template of `kind`/`name`. */
function container(kind: string, name: string): Json {
  const o = rendered.find((x) => x.kind === kind && x.metadata.name === name);
  const pod = o?.spec?.jobTemplate?.spec?.template?.spec ?? o?.spec?.template?.spec;
  if (!pod) throw new Error(`no ${kind} '${name}' in the seed's render`);
  return pod.containers[0];
}

const WHERE: Record<string, [string, string]> = {
  '/definitions/ReleaseConfig/properties/resources': ['Deployment', 'velero'],
  '/definitions/NodeAgentConfigOptions/properties/resources': ['DaemonSet', 'node-agent'],
  '/definitions/DrillConfig/properties/resources': ['CronJob', 'restore-drill-daily-critical-pvcs'],
  '/definitions/CsiConfig/properties/resources': ['Deployment', 'snapshot-controller'],
};

test('every resources default the schema states is in this table', () => {
  expect(
    resourceDefaults(schema)
      .map(([path]) => path)
      .sort(),
  ).toEqual(Object.keys(WHERE).sort());
});

test.each(resourceDefaults(schema))('%s: the stated default %j is what renders', (path, text) => {
  const [kind, name] = WHERE[path];
  expect(container(kind, name).resources).toEqual(parseDefault(text));
});
