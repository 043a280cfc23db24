import { App, Chart, Yaml } from 'cdk8s';
import { plainJson } from './plain-json';
import { resultCache } from './result-cache';
import { UNSYNCED_FOLDERS } from './folder-chart';

/** One Kubernetes object on its way to disk: `dist/<folder>/<file>`. */
export interface RenderedObject {
  /** Folder under dist/ = the id of the chart that holds the object (one ArgoCD Application each). */
  readonly folder: string;
  /** File name inside the folder, unique by construction (see objectFileName). */
  readonly file: string;
  readonly object: {
    apiVersion: string;
    kind: string;
    /** `generateName` instead of `name` only in an unsynced folder (UNSYNCED_FOLDERS). */
    metadata: { name: string; namespace?: string; generateName?: string };
    [k: string]: unknown;
  };
}

/**
 * File name of an object: `<Kind>_<group|core>_<namespace|->_<name>.yaml`.
 *
 * It encodes the object's whole identity (group, kind, namespace, name). `_` can't occur in any of
 * those and `-` is not a valid namespace, so two different objects can never share a file, unlike
 * cdk8s's file-per-resource layouts (`Kind.name`), which silently overwrite same-named objects from
 * different namespaces.
 */
export function objectFileName(object: RenderedObject['object']): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : 'core';
  return `${object.kind}_${group}_${object.metadata.namespace ?? '-'}_${object.metadata.name}.yaml`;
}

/** Every object of the app with its folder and file, in a deterministic order; throws on a duplicate identity. */
export function renderApp(app: App): RenderedObject[] {
  // constructs' own render-time checks (node.addValidation), e.g. an Application's folder exists
  for (const c of app.node.findAll()) {
    const problems = c.node.validate();
    if (problems.length) throw new Error(problems[0]);
  }
  return renderCharts(app.charts);
}

/**
 * The objects of `charts` (one folder each, named by the chart id), in a deterministic order; throws on a
 * duplicate identity, and on two charts that would share a folder (a user's chart `applications` next to a
 * BackupStack's would otherwise merge into the folder its root Application syncs).
 */
export function renderCharts(charts: readonly Chart[]): RenderedObject[] {
  const out: RenderedObject[] = [];
  const seen = new Map<string, string>();
  const folders = new Map<string, Chart>();
  for (const chart of charts) {
    const other = folders.get(chart.node.id);
    if (other) {
      throw new Error(
        `output: charts '${other.node.path}' and '${chart.node.path}' both render into the folder '${chart.node.id}/'; a chart's id is its folder, so rename one of them`,
      );
    }
    folders.set(chart.node.id, chart);
  }
  for (const chart of charts) {
    const folder = chart.node.id;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(folder)) {
      throw new Error(`output: chart id '${folder}' is not a valid folder name; use lowercase letters, digits and '-'`);
    }
    const unsynced = UNSYNCED_FOLDERS.includes(folder);
    for (const object of (chart as Chart).toJson() as RenderedObject['object'][]) {
      const generated = unsynced && !object?.metadata?.name ? object?.metadata?.generateName : undefined;
      if (!object?.apiVersion || !object.kind || !(object.metadata?.name || generated)) {
        throw new Error(`output: chart '${folder}' produced an object without apiVersion, kind or metadata.name`);
      }
      // an object applied with `kubectl create` under a generated name: one file per generateName prefix
      const file = generated ? `${generated.replace(/-$/, '')}.yaml` : objectFileName(object);
      const where = `${folder}/${file}`;
      // identity is cluster-wide, not per folder: two folders must not fight over one object
      const identity = generated ? where : file;
      const previous = seen.get(identity);
      if (previous) {
        throw new Error(
          `output: ${object.kind} '${object.metadata.namespace ? object.metadata.namespace + '/' : ''}${object.metadata.name ?? generated}' is rendered twice (${previous} and ${where}); every object must have one owner`,
        );
      }
      seen.set(identity, where);
      out.push({ folder, file, object });
    }
  }
  return out.sort((a, b) => (a.folder + '/' + a.file).localeCompare(b.folder + '/' + b.file));
}

/**
 * The YAML text of one object, as written to disk: cdk8s's `Yaml.stringify` (~20 ms for the default stack's
 * objects in a fresh process, ~10x that for the scale config), or the text the same code gave for an object
 * with exactly the same JSON text (only for plain data, see `plainJson`; result cache `yaml`).
 */
export function toYaml(object: unknown): string {
  const json = plainJson(object);
  const cache = json === undefined ? undefined : resultCache();
  const hit = cache?.get('yaml', json!);
  if (hit !== undefined) return hit;
  const text = Yaml.stringify(object);
  cache?.set('yaml', json!, text);
  return text;
}
