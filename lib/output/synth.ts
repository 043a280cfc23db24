import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { App } from 'cdk8s';
import { renderApp, toYaml, type RenderedObject } from './output';

/** A check over the rendered output; returns error messages (empty = fine). */
export type OutputCheck = (objects: readonly RenderedObject[]) => string[];

export interface SynthOptions {
  /** Output directory. @default 'dist' (or $CDK8S_OUTDIR when `cdk8s synth` runs the app) */
  readonly outDir?: string;
  /** Checks that must pass before anything is written (invariants, schema validation). */
  readonly checks?: readonly OutputCheck[];
  /**
   * Extra non-Kubernetes files at the top of the output directory, e.g. BACKUP-PLAN.md, or next to a fleet
   * cluster's folders (`clusters/<name>/BACKUP-PLAN.md`); made after the build.
   */
  readonly extraFiles?: () => Readonly<Record<string, string>>;
}

export interface SynthResult {
  readonly outDir: string;
  readonly objects: readonly RenderedObject[];
}

/** Renders the app into memory: file path (relative to the output dir) -> content. Nothing touches the disk. */
export function renderFiles(
  objects: readonly RenderedObject[],
  extraFiles: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const files = new Map<string, string>();
  for (const o of objects) files.set(`${o.folder}/${o.file}`, toYaml(o.object));
  for (const [name, content] of Object.entries(extraFiles)) {
    // at the top, or next to a fleet cluster's folders (clusters/<name>/BACKUP-PLAN.md), never inside a folder
    const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
    if (dir && (!/^clusters\/[^/]+$/.test(dir) || objects.some((o) => o.folder === dir))) {
      throw new Error(
        `output: extra file '${name}' must sit at the top of the output directory or in a fleet's clusters/<name>/`,
      );
    }
    if (files.has(name)) throw new Error(`output: extra file '${name}' collides with a rendered object`);
    files.set(name, content);
  }
  return files;
}

/** Writes files into a fresh directory. */
export function writeFiles(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const made = new Set<string>([dir]);
  for (const [path, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const parent = dirname(join(dir, path));
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(join(dir, path), content);
  }
}

/**
 * Synthesizes atomically: build and check everything in memory, write it to a temporary sibling
 * directory, then swap it in with two renames. A failure at any step leaves the previous output
 * byte-identical, because an empty or partial dist/ would make ArgoCD prune the cluster's objects
 * (docs/pitfalls.md#empty-render).
 */
export function synthesize(build: () => App, options: SynthOptions = {}): SynthResult {
  return synthesizeObjects((lap) => {
    const app = build();
    lap('build');
    return renderApp(app);
  }, options);
}

/**
 * `synthesize` for output that is not one App, e.g. a fleet (one App per cluster, each in its own
 * `clusters/<name>/` folders): `render` builds and renders the objects (and may time its own steps with `lap`).
 */
export function synthesizeObjects(
  render: (lap: (step: string) => void) => readonly RenderedObject[],
  options: SynthOptions = {},
): SynthResult {
  const lap = stopwatch();
  const outDir = resolve(options.outDir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  const objects = render(lap);
  lap('render');
  const errors = (options.checks ?? []).flatMap((check, i) => {
    const found = check(objects);
    lap(`check${i + 1}`);
    return found;
  });
  if (errors.length > 0) {
    throw new Error(`synth refused: ${errors.length} problem(s); nothing was written\n  - ${errors.join('\n  - ')}`);
  }
  const extraFiles = options.extraFiles?.();
  lap('extraFiles');
  const files = renderFiles(objects, extraFiles);
  lap('yaml');
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = `${outDir}.tmp-${stamp}`;
  const old = `${outDir}.old-${stamp}`;
  try {
    writeFiles(tmp, files);
    if (existsSync(outDir)) renameSync(outDir, old);
    try {
      renameSync(tmp, outDir);
    } catch (e) {
      if (existsSync(old)) renameSync(old, outDir);
      throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  lap('write');
  lap.report();
  return { outDir, objects };
}

/**
 * With VELERO_CDK8S_TIMINGS=1, the milliseconds of each step of `synthesize`, printed to stderr as one line
 * `synth-timings {"start":...,"build":...}` when it is done (`start`: the process's age when the synth
 * began, i.e. Node's start and module loading). `npm run bench` reads it; otherwise it does nothing.
 */
function stopwatch(): ((step: string) => void) & { report(): void } {
  const on = process.env.VELERO_CDK8S_TIMINGS === '1';
  const laps: Record<string, number> = on ? { start: process.uptime() * 1000 } : {};
  let last = performance.now();
  const lap = (step: string): void => {
    if (!on) return;
    const now = performance.now();
    laps[step] = now - last;
    last = now;
  };
  return Object.assign(lap, {
    report: () => {
      if (on) process.stderr.write(`synth-timings ${JSON.stringify(laps)}\n`);
    },
  });
}
