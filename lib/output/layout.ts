/**
 * Where a chart's YAML lands, so that an ArgoCD Application points at it.
 *
 * Two writers render a stack:
 * - this package's own (`velero-cdk8s synth`, `synthesize`, `runSynth`: lib/output/output.ts `renderApp`): one
 *   folder per chart id, one file per object (`<distPath>/<chart id>/<Kind>_<group>_<ns>_<name>.yaml`);
 * - cdk8s's own (`app.synth()`, `cdk8s synth`, in a user's App next to their charts), by the App's
 *   `yamlOutputType`: `FILE_PER_CHART` (the default) writes `<outdir>/<chart name><ext>`, and
 *   `FOLDER_PER_CHART_FILE_PER_RESOURCE` writes `<outdir>/<chart name>/<Kind>.<name><ext>`, where the chart name
 *   is cdk8s's `Names.toDnsLabel(chart)` (a nested chart's path with a hash, so it never collides with a user's
 *   chart), prefixed `0000-` by index when charts depend on each other. The other two layouts put every chart
 *   into one folder or one file, which no Application can sync apart: they are refused at synth.
 * The Applications read this at render time (a cdk8s `Lazy`), when the App and its output options are final:
 * while the App's own `synth()` runs, cdk8s's layout; otherwise (renderApp, `Testing.synth`, `toJson`) this
 * package's.
 */
import { App, Chart, Names, YamlOutputType } from 'cdk8s';
import type { IConstruct } from 'constructs';

/** Apps whose own `synth()` is running (cdk8s writes the files). */
const cdk8sWriting = new WeakSet<App>();
const followed = new WeakSet<App>();

/**
 * Follows `app.synth()` (once per App): while it runs, chartSource gives cdk8s's layout. An instance wrapper,
 * because cdk8s has no hook that says which writer renders a chart.
 */
export function followCdk8sSynth(app: App): void {
  if (followed.has(app)) return;
  followed.add(app);
  const synth = app.synth.bind(app);
  app.synth = () => {
    cdk8sWriting.add(app);
    try {
      synth();
    } finally {
      cdk8sWriting.delete(app);
    }
  };
}

/** What an Application syncs: a folder of the repository and the files of it that are the chart's. */
export interface ChartSource {
  /** The folder, relative to the repository root, e.g. `dist/velero`. */
  readonly path: string;
  /** The glob of the chart's files in it (ArgoCD `directory.include`). */
  readonly include: string;
}

/** cdk8s's FILE_PER_CHART name of `chart` (App.synth: SimpleChartNamer, or IndexedChartNamer). */
function cdk8sChartName(app: App, chart: Chart): string {
  const charts = app.charts;
  const label = Names.toDnsLabel(chart);
  const dependant =
    charts.some((c) => c.node.children.some((x) => x instanceof Chart)) ||
    app.node
      .findAll()
      .some((c: IConstruct) =>
        c.node.dependencies.some((d) => Chart.of(d) !== Chart.of(c) && Chart.isChart(Chart.of(c))),
      );
  return dependant ? `${String(charts.indexOf(chart)).padStart(4, '0')}-${label}` : label;
}

/**
 * Where `chart` lands under `distPath` (the folder of the repository the App's output is committed to), or a
 * sentence saying why no Application can sync it alone.
 */
export function chartSource(chart: Chart, distPath: string): ChartSource | { readonly error: string } {
  const app = chart.node.root;
  if (!(app instanceof App) || !cdk8sWriting.has(app))
    return { path: `${distPath}/${chart.node.id}`, include: '*.yaml' };
  const ext = app.outputFileExtension;
  switch (app.yamlOutputType) {
    case YamlOutputType.FILE_PER_CHART:
      return { path: distPath, include: `${cdk8sChartName(app, chart)}${ext}` };
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE:
      return { path: `${distPath}/${cdk8sChartName(app, chart)}`, include: `*${ext}` };
    default:
      return {
        error: `the App's yamlOutputType ${YamlOutputType[app.yamlOutputType]} writes every chart into one folder, which no ArgoCD Application can sync apart; use YamlOutputType.FILE_PER_CHART (the default) or FOLDER_PER_CHART_FILE_PER_RESOURCE`,
      };
  }
}

/** Whether the App `scope` belongs to is inside its own `synth()` (cdk8s writes the files). */
export function isCdk8sWriting(scope: IConstruct): boolean {
  const app = scope.node.root;
  return app instanceof App && cdk8sWriting.has(app);
}

const stackCharts = new WeakSet<Chart>();

/** Records `charts` as a stack's own: its checks apply to them, never to a user's charts next to them. */
export function registerStackCharts(charts: readonly Chart[]): void {
  for (const c of charts) stackCharts.add(c);
}

/** Whether `chart` is one of a stack's own charts (registerStackCharts). */
export function isStackChart(chart: Chart): boolean {
  return stackCharts.has(chart);
}
