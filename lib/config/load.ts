/**
 * A config as data: `velero-cdk8s.yaml` (or `.json`), for users who come from the Helm chart's values
 * file. The file is parsed, then validated exactly like a TypeScript config (lib/config/validate.ts):
 * every mistake names the file and the field, `velero-cdk8s.yaml: schedules[2].ttl: ...`.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, visit } from 'yaml';
import { ConfigError, configPath, validateConfig } from './validate';
import type { BackupStackConfig } from './types';

/** Parses config text (YAML 1.2, so JSON too); `source` names the file in messages. */
export function parseConfigText(text: string, source: string): BackupStackConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const why = /call stack/i.test(e.message)
      ? `nested too deeply to read${e.linePos ? ` (line ${e.linePos[0].line})` : ''}; check the brackets (docs/pitfalls.md#yaml)`
      : e.message.split('\n')[0].replace(/:$/, '');
    throw new ConfigError('', `${source}: not valid YAML: ${why}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml's "Excessive alias count indicates a resource exhaustion attack": an alias bomb (docs/pitfalls.md#yaml)
    let line: number | undefined;
    visit(doc, {
      Alias(_, node) {
        if (node.range) line = lineCounter.linePos(node.range[0]).line;
        return visit.BREAK;
      },
    });
    throw new ConfigError(
      '',
      `${source}${line ? `:${line}` : ''}: not valid YAML: ${/alias/i.test((e as Error).message) ? 'its aliases expand to more than 100 copies (an alias bomb); write the values out' : (e as Error).message} (docs/pitfalls.md#yaml)`,
    );
  }
  checkShape(data, '', [], source);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(
      '',
      `${source}: the config must be a mapping of fields (release, storageLocations, schedules, ...)`,
    );
  }
  return validateConfig(data, source);
}

/** How deep a config nests at most: far deeper than any field (a fleet's selector is 8 levels). */
const MAX_DEPTH = 32;

/**
 * What YAML can build and a config never is, refused with the path before anything walks it: a merge key (`<<`,
 * YAML 1.1 only), a value that contains itself (an anchor aliased inside itself) and absurd nesting.
 */
function checkShape(value: unknown, path: string, ancestors: readonly unknown[], source: string): void {
  if (value === null || typeof value !== 'object') return;
  const at = (p: string) => `${source}: ${p || '(the document)'}`;
  if (ancestors.includes(value)) {
    throw new ConfigError(
      '',
      `${at(path)}: refers to itself (an alias inside its own anchor); write the value out (docs/pitfalls.md#yaml)`,
    );
  }
  if (ancestors.length >= MAX_DEPTH) {
    throw new ConfigError(
      '',
      `${at(path)}: is nested deeper than ${MAX_DEPTH} levels, which no field is; check the brackets (docs/pitfalls.md#yaml)`,
    );
  }
  const inner = [...ancestors, value];
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkShape(v, configPath(path, i), inner, source));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === '<<') {
      throw new ConfigError(
        '',
        `${at(path)}: YAML merge keys (<<) are not supported (YAML 1.2 has none); write the fields out (docs/pitfalls.md#yaml)`,
      );
    }
    checkShape(v, configPath(path, k), inner, source);
  }
}

/** Reads and validates a config file. */
export function loadConfigFile(file: string): BackupStackConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      '',
      `${file}: cannot read the config file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseConfigText(text, file);
}
