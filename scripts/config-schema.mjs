#!/usr/bin/env node
// `npm run config-schema`: generates the JSON Schema of the config (velero-cdk8s.config.schema.json)
// from the TypeScript types in lib/config/types.ts with ts-json-schema-generator (pinned in package.json),
// so a `velero-cdk8s.yaml` gets exactly the checks the types give a TypeScript config. One post-processing
// step: a `DurationValue` (cdk8s Duration | Go duration string) is a Go duration string in the schema, since
// BackupStack turns a Duration into its Go form before it validates (lib/config/validate.ts).
// `--check` compares instead of writing (the test suite runs it); exits 1 when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
export const SCHEMA_FILE = join(root, 'velero-cdk8s.config.schema.json');
const require = createRequire(import.meta.url);

/** The schema text, as committed. */
export function generateConfigSchema() {
  const { createGenerator } = require('ts-json-schema-generator');
  const generator = createGenerator({
    path: join(root, 'lib', 'config', 'types.ts'),
    type: 'BackupStackConfig',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
    skipTypeCheck: true,
    discriminatorType: 'json-schema',
    sortProps: true,
  });
  const schema = generator.createSchema('BackupStackConfig');
  const defs = schema.definitions;
  if (!defs.DurationValue || !defs.GoDuration || !defs.Duration) {
    throw new Error('config-schema: lib/config/types.ts no longer defines DurationValue, GoDuration and Duration');
  }
  defs.DurationValue = { $ref: '#/definitions/GoDuration', description: defs.DurationValue.description };
  delete defs.Duration;
  const out = {
    $schema: schema.$schema,
    $id: 'https://github.com/homelab/velero-cdk8s/velero-cdk8s.config.schema.json',
    title: 'velero-cdk8s config (generated from lib/config/types.ts by `npm run config-schema`; do not edit)',
    ...schema,
  };
  delete out.$schema;
  return `${JSON.stringify({ $schema: schema.$schema, ...out }, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const text = generateConfigSchema();
  if (process.argv.includes('--check')) {
    let committed;
    try {
      committed = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      committed = '';
    }
    if (committed !== text) {
      console.error(
        `config-schema: ${SCHEMA_FILE} is not what lib/config/types.ts generates; run npm run config-schema`,
      );
      process.exitCode = 1;
    } else console.log('config-schema: up to date');
  } else {
    writeFileSync(SCHEMA_FILE, text);
    console.log(`config-schema: wrote ${SCHEMA_FILE}`);
  }
}
