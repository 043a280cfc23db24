/**
 * How every command finds its config, the same way: `--config FILE`, else the first of CONFIG_FILES in the
 * working directory. A YAML/JSON file is read by lib/config/load.ts; a TypeScript file (main.ts) is loaded
 * by Node itself (type stripping, Node >= 22.18) and its default export (or its `config` export) is the config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { join, resolve } from 'node:path';
import { loadConfigFile } from '../lib/config/load';
import type { BackupStackConfig } from '../lib/config/types';
import { ConfigError } from '../lib/config/validate';

/** The files a command looks for in the working directory, in this order. */
export const CONFIG_FILES: readonly string[] = [
  'velero-cdk8s.yaml',
  'velero-cdk8s.yml',
  'velero-cdk8s.json',
  'main.ts',
  // an ES module whatever package.json's "type" says (npm init writes "commonjs", where main.ts cannot `export`)
  'main.mts',
];

/** The config a command renders: the file (as the user would type it) and its content. */
export interface FoundConfig {
  /** The path as shown and as a suggested command names it, e.g. `velero-cdk8s.yaml` or `examples/b2-homelab.yaml`. */
  readonly file: string;
  readonly config: BackupStackConfig;
}

/** The path of the config: `given` (--config), else the first of CONFIG_FILES in `cwd`. */
export function findConfigFile(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) return given;
  const found = CONFIG_FILES.find((f) => existsSync(join(cwd, f)));
  if (found) return found;
  throw new ConfigError(
    '',
    `no config in ${cwd}: pass --config FILE, or create ${CONFIG_FILES.filter((f) => !f.endsWith('ts')).join(', ')} (velero-cdk8s init writes one) or a main.ts / main.mts whose default export is the config`,
  );
}

/** Configs already loaded in this process, by absolute path (the repository's scripts bundle main.ts with the CLI). */
const preloaded = new Map<string, BackupStackConfig>();

/** Hands the CLI a config module it already loaded (scripts/velero-cdk8s.mjs bundles main.ts). */
export function preloadConfig(file: string, config: BackupStackConfig): void {
  preloaded.set(resolve(file), config);
}

/**
 * `require(file)`, without two warnings of Node's that are not the user's business here: MODULE_TYPELESS_PACKAGE_JSON
 * (a main.ts with `export default` in a project whose package.json has no `"type"` is parsed twice, CommonJS then
 * ES module, which costs a few ms) and "Failed to load the ES module" (a main.ts in a `"commonjs"` package:
 * loadConfig says why, and what to do, in one line). Node sends the second to the 'warning' listeners directly.
 */
function requireQuietly(file: string): unknown {
  const quiet = (w: Error & { code?: string }) =>
    w.code === 'MODULE_TYPELESS_PACKAGE_JSON' || String(w.message).startsWith('Failed to load the ES module');
  const listeners = process.listeners('warning');
  const filter = (w: Error) => {
    if (!quiet(w)) for (const l of listeners) l(w);
  };
  process.removeAllListeners('warning');
  process.on('warning', filter);
  let hooks: { deregister(): void } | undefined;
  try {
    hooks = esmTypeScriptHooks(file);
    return createRequire(file)(file);
  } finally {
    hooks?.deregister();
    process.removeListener('warning', filter);
    for (const l of listeners) process.on('warning', l);
  }
}

/** An `export` or `import` statement at the start of a line (not TypeScript's CommonJS `import x = require()`). */
const ESM_SYNTAX = /^\s*(?:export\s|import\s+(?![\w$]+\s*=))/m;

/**
 * A `.ts` config written as an ES module (`export default ...`, as the README shows) in a package whose
 * package.json says `"type": "commonjs"` (what `npm init -y` writes from npm 11): Node strips its types and then
 * parses it as CommonJS, `SyntaxError: Unexpected token 'export'`. Its syntax says what it is, so it loads as the
 * ES module it is (Node's own `module-typescript` format, through a load hook while the config loads): the config
 * file and the user's own `.ts` modules it imports (`./schedules.ts`), never a package's (node_modules/).
 */
function esmTypeScriptHooks(file: string): { deregister(): void } | undefined {
  if (!/\.m?ts$/.test(file) || typeof registerHooks !== 'function') return undefined;
  return registerHooks({
    load(target, context, nextLoad) {
      const loaded = nextLoad(target, context);
      if (loaded.format !== 'commonjs-typescript' || target.includes('/node_modules/')) return loaded;
      const text = loaded.source ?? readFileSync(new URL(target), 'utf8');
      return ESM_SYNTAX.test(String(text)) ? { ...loaded, format: 'module-typescript' } : loaded;
    },
  });
}

/** Loads the config of `file`: YAML/JSON parsed and validated, TypeScript/JavaScript by Node. */
export function loadConfig(file: string, cwd = process.cwd()): FoundConfig {
  const abs = resolve(cwd, file);
  // as the user typed it (or as found in the working directory): messages and suggested commands name it so
  const shown = file;
  const known = preloaded.get(abs);
  if (known) return { file: shown, config: known };
  if (!/\.[cm]?[jt]s$/.test(abs)) return { file: shown, config: loadConfigFile(file) };
  if (!existsSync(abs)) throw new ConfigError('', `${shown}: cannot read the config file: ENOENT`);
  let mod: { default?: unknown; config?: unknown };
  try {
    mod = requireQuietly(abs) as typeof mod;
  } catch (e) {
    if (e instanceof SyntaxError && /\.[cm]?ts$/.test(abs) && /\bexport\b|\bimport\b/.test(e.message)) {
      // the module Node failed on: the first file:// or absolute path of the stack that is not Node's own
      const where = /(?:file:\/\/)?(\/[^\s:)]+\.[cm]?[jt]s)/.exec(e.stack ?? '')?.[1] ?? abs;
      const culprit = where === abs ? shown : where;
      throw new ConfigError(
        '',
        `${culprit}: Node loads it as CommonJS (the nearest package.json says "type": "commonjs", as npm init writes), so its import/export is a syntax error; rename it ${culprit.replace(/\.[cj]?ts$/, '.mts')}, or set "type": "module" in package.json (docs/pitfalls.md#typescript-config)`,
      );
    }
    throw e;
  }
  const config = mod.default ?? mod.config;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(
      '',
      `${shown}: exports no config; write \`export default { storageLocations: [...], ... } satisfies BackupStackConfig\``,
    );
  }
  return { file: shown, config: config as BackupStackConfig };
}
