/**
 * Velero's namespace globs (docs/pitfalls.md#namespace-globs). Velero matches includedNamespaces and
 * excludedNamespaces (of Backups, Schedules, Restores and backup hooks) with gobwas/glob
 * (velero-io/velero@v1.15.0 and @v1.18.1 pkg/util/collections/includes_excludes.go `globStringSet.match`), and
 * validates each entry as a namespace name after replacing the wildcards (`validateNamespaceName`): at v1.15.0
 * only `*` is replaced, so `kube-*` is valid and `app-?` is not; from v1.18.0 `?`, `[` and `]` are replaced
 * too, and pkg/util/wildcard/expand.go `ValidateNamespaceName` refuses `|(){},!`, `**` and an empty `[]`.
 */
import { isDnsLabel } from '../kube/names';

/** True when `entry` is meant as a pattern (it holds a glob character), valid or not. */
export function looksLikeGlob(entry: string): boolean {
  return entry !== '*' && /[*?[\]{}|(),!]/.test(entry);
}

/** True when `entry` is a pattern rather than a name (`*` alone means every namespace). */
export function isNamespaceGlob(entry: string): boolean {
  return entry !== '*' && /[*?[\]]/.test(entry);
}

/** The anchored RegExp source of a glob: `*` any run, `?` one character, `[a-c]` / `[!a-c]` a class. */
export function globRegexSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      const body = glob.slice(i + 1, end);
      out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\]/g, (x) => `\\${x}`);
  }
  return out;
}

/** Does namespace (or pattern) `name` match Velero entry `entry`? A name matches itself. */
export function namespacePatternMatches(entry: string, name: string): boolean {
  if (entry === '*' || entry === name) return true;
  if (!isNamespaceGlob(entry)) return false;
  return new RegExp(`^${globRegexSource(entry)}$`).test(name);
}

/**
 * Why `entry` is not a namespace (or glob) the given Velero version accepts, or undefined.
 * `veleroMinor`: the release's minor line as a number (15 for v1.15.x).
 */
export function namespaceEntryProblem(entry: string, veleroMinor: number): string | undefined {
  if (entry === '*') return undefined;
  const wildcards = veleroMinor >= 18 ? /[*?[\]]/g : /\*/g;
  if (veleroMinor >= 18) {
    if (/[|(){},!]/.test(entry)) return 'holds one of | ( ) { } , ! (Velero 1.18 globs take only *, ? and [...])';
    if (entry.includes('**')) return "holds '**' (Velero takes a single *)";
    if (entry.includes('[]')) return "holds an empty '[]'";
  }
  if (!isDnsLabel(entry.replace(wildcards, 'x'))) {
    return veleroMinor >= 18
      ? "is not a namespace name or glob: lowercase letters, digits and '-', with *, ? and [...] as wildcards"
      : `is not a namespace name or glob: lowercase letters, digits and '-', with * as wildcard (? and [...] need Velero 1.18)`;
  }
  return undefined;
}

/** The minor number of a Velero tag (`v1.18.1` -> 18); 15 (the oldest globs) when it is not a tag. */
export function veleroMinor(version: string): number {
  const m = /^v1\.(\d+)\./.exec(version);
  return m ? Number(m[1]) : 15;
}

/** A namespace `glob` matches (`app-test-*` -> `app-test-x`), for alert test cases. */
export function globExample(glob: string): string {
  return glob
    .replace(/\[!?([^\]]*)\]/g, (_, body: string) =>
      glob.includes('[!') ? 'z' : body.replace(/-.*/, '').charAt(0) || 'x',
    )
    .replace(/[*?]/g, 'x');
}
