/**
 * One line for an error of `velero-cdk8s` (bin/velero-cdk8s.js): a mistake in the config is its message (it
 * names the config file and the field); an error thrown while Node loads the user's TypeScript config names the
 * user's file and line (Node's type stripping keeps lines); a TypeError, ReferenceError or SyntaxError is a bug
 * and says so. VELERO_CDK8S_DEBUG=1 adds the stack.
 */
import { relative } from 'node:path';
import { ConfigError } from '../lib/config/validate';

const INTERNAL = new Set(['TypeError', 'ReferenceError']);

/** The user's first frame: a file under `cwd`, outside node_modules. */
function userFrame(stack: string, cwd: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const rel = relative(cwd, m[1]);
    if (rel.startsWith('..') || rel.split('/').includes('node_modules')) continue;
    return `${rel}:${m[2]}`;
  }
  return undefined;
}

export function reportError(e: unknown, cwd = process.cwd()): string {
  const error = e instanceof Error ? e : new Error(String(e));
  const where = e instanceof ConfigError ? undefined : userFrame(error.stack ?? '', cwd);
  let text =
    !(e instanceof Error) || INTERNAL.has(error.name)
      ? `internal error (a bug in velero-cdk8s, not in your config): ${error.name}: ${error.message}${where ? ` (at ${where})` : ''}; VELERO_CDK8S_DEBUG=1 prints the whole stack`
      : where
        ? `${where}: ${error.message}`
        : error.message;
  if (process.env.VELERO_CDK8S_DEBUG === '1') text += `\n${error.stack ?? ''}`;
  return text;
}
