/**
 * jest's test environment: Node's, plus what the test files of one worker share. jest gives every test file a
 * fresh module registry, so a module-level cache lives one file only; this module is loaded once per worker,
 * outside the files' sandboxes, and hands each file the same maps:
 * - `__VELERO_CDK8S_BUNDLES__`: the esbuild bundles of the drill and heartbeat runners (lib/drill/drill-bundle.ts),
 *   made once per worker instead of once per file that builds a stack;
 * - `__VELERO_CDK8S_VALIDATORS__`: the config schema's ajv validator as standalone code (lib/config/validate.ts),
 *   compiled once per worker; each file evaluates the code instead of compiling the schema;
 * - `__VELERO_CDK8S_RENDERS__`: the JSON text of the renders of test/fixtures/renders.ts, likewise.
 * Both are dropped when a source file changes (a worker that outlives an edit, as jest's in-band watch mode does).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

const ROOT = join(__dirname, '..');
/** The folders whose files a bundle or a render is made of. */
const SOURCES = [
  'cli',
  'constructs',
  'drill',
  'examples',
  'heartbeat',
  'imports',
  'lib',
  'index.ts',
  'main.ts',
  'velero-cdk8s.config.schema.json',
];

/** The newest modification time of the sources, in ms. */
function sourcesStamp(): number {
  let newest = 0;
  const walk = (p: string): void => {
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) return;
    newest = Math.max(newest, s.mtimeMs);
    if (s.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  for (const s of SOURCES) walk(join(ROOT, s));
  return newest;
}

let stamp = -1;
const bundles = new Map<string, string>();
const validators = new Map<string, string>();
const renders = new Map<string, string>();

export default class VeleroCdk8sEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const now = sourcesStamp();
    if (now !== stamp) {
      stamp = now;
      bundles.clear();
      validators.clear();
      renders.clear();
    }
    this.global.__VELERO_CDK8S_BUNDLES__ = bundles;
    this.global.__VELERO_CDK8S_VALIDATORS__ = validators;
    this.global.__VELERO_CDK8S_RENDERS__ = renders;
  }
}
