/**
 * A config as data: `velero-cdk8s.yaml` (or `.json`), for users who come from the Helm chart's values
 * file. The file is parsed, then validated exactly like a TypeScript config (lib/config/validate.ts):
 * every mistake names the file and the field, `velero-cdk8s.yaml: schedules[2].ttl: ...`.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, validateConfig } from './validate';
import type { BackupStackConfig } from './types';

/** Parses config text (YAML 1.2, so JSON too); `source` names the file in messages. */
export function parseConfigText(text: string, source: string): BackupStackConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError('', `${source}: not valid YAML: ${e.message.split('\n')[0].replace(/:$/, '')}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(
      '',
      `${source}: the config must be a mapping of fields (release, storageLocations, schedules, ...)`,
    );
  }
  return validateConfig(data, source);
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
