#!/usr/bin/env node
// `npm run config-schema`: generates the JSON Schema of the config (velero-cdk8s.config.schema.json)
// from the TypeScript types in lib/config/types.ts with ts-json-schema-generator (pinned in package.json),
// so a `velero-cdk8s.yaml` gets exactly the checks the types give a TypeScript config. One post-processing
// step: a `DurationValue` (cdk8s Duration | Go duration string) is a Go duration string in the schema, since
// BackupStack turns a Duration into its Go form before it validates (lib/config/validate.ts).
// Then every `default` an editor would offer is a value of the field's own type: the JSDoc `@default` of a field
// is often prose ('- the first location', '{} (every field at its default)', 'VELERO_VERSION'); a value that
// reads as YAML and validates against the field is kept (`'720h' (30 days)` -> "720h", `{} (...)` -> {}), and
// prose goes into the description ("Default: ..."). `$id` is the schema's address in the published package,
// at this version; in a project it is node_modules/velero-cdk8s/velero-cdk8s.config.schema.json.
// `--check` compares instead of writing (the test suite runs it); exits 1 when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
export const SCHEMA_FILE = join(root, 'velero-cdk8s.config.schema.json');
const require = createRequire(import.meta.url);
const { Ajv } = require('ajv');
const addFormats = require('ajv-formats');

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
  typedDefaults(schema);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const out = {
    $schema: schema.$schema,
    $id: `https://cdn.jsdelivr.net/npm/velero-cdk8s@${version}/velero-cdk8s.config.schema.json`,
    title: 'velero-cdk8s config (generated from lib/config/types.ts by `npm run config-schema`; do not edit)',
    ...schema,
  };
  delete out.$schema;
  return `${JSON.stringify({ $schema: schema.$schema, ...out }, null, 2)}\n`;
}

/** Prose that is not a value: `- none`, a `code` span, a <placeholder>, a CONSTANT's name. */
const PROSE = /^- |`|<|^[A-Z][A-Z0-9_]{2,}\b/;

/** The value a `@default` text stands for, if any: the text itself, read as YAML, without a `(...)` remark. */
function candidates(text) {
  if (typeof text !== 'string') return [text];
  if (PROSE.test(text)) return [];
  const out = [];
  for (const t of [text, text.replace(/\s+\([^()]*\)$/, '')]) {
    try {
      out.push(parse(t));
    } catch {
      // not YAML: prose
    }
  }
  return out;
}

/** Every `default` (outside `definitions` keys themselves) checked against its own node, in place. */
function typedDefaults(schema) {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, validateSchema: false });
  addFormats(ajv);
  const check = (node) => {
    const rest = { ...node };
    delete rest.default;
    delete rest.description;
    const validate = ajv.compile({ ...rest, definitions: schema.definitions });
    return (value) => validate(value);
  };
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      // the keys of these are names (a field may be called `default`), their values schemas
      if (['properties', 'patternProperties', 'definitions'].includes(k)) Object.values(v).forEach(walk);
      else if (k !== 'default' && k !== 'examples' && k !== 'const' && k !== 'enum') walk(v);
    }
    if (!('default' in node)) return;
    const text = node.default;
    const valid = check(node);
    const value = candidates(text).find((c) => c !== undefined && c !== null && valid(c));
    if (value !== undefined && (typeof text !== 'string' || text === value || JSON.stringify(value) === text)) {
      node.default = value;
      return;
    }
    const remark = typeof text === 'string' ? text.replace(/^- /, '') : JSON.stringify(text);
    node.description = `${node.description ? `${node.description.replace(/\s*$/, '')} ` : ''}Default: ${remark}.`;
    if (value !== undefined) node.default = value;
    else delete node.default;
  };
  Object.values(schema.definitions).forEach(walk);
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
