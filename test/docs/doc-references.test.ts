/**
 * No stale name, no citation outside the repo. What README.md, docs/*.md and the comments (and, outside test/, the
 * messages) of the sources name must exist:
 * - a code constant (an upper-case identifier in backticks, or one with an underscore in a comment) is declared in the
 *   sources, or is an environment variable they read or render;
 * - a `.md` path is a file of the repo (a bare file name: one of its files), a rendered `BACKUP-PLAN.md`, or an upstream
 *   citation that names its repository (`owner/repo@tag:path`); a `docs/<file>.md#anchor` is a heading of that file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
const SOURCE = /\.(ts|mjs|js|sh)$/;
const GENERATED = /^(imports|schemas|dist)\//;
const sources = tracked.filter((f) => SOURCE.test(f) && !GENERATED.test(f) && existsSync(join(ROOT, f)));
const docs = ['README.md', ...tracked.filter((f) => /^docs\/[^/]+\.md$/.test(f))];
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

/** Upstream words that look like constants: values the docs quote, not names of this repo. */
const UPSTREAM_WORDS: Record<string, string> = {
  INFO: 'a log level Velero refuses, quoted as bad input (docs/pitfalls.md#log-level)',
  CRC32: "velero-plugin-for-aws's default checksumAlgorithm",
  CRC64NVME: 'a checksumAlgorithm the AWS SDK accepts (velero-plugin-for-aws)',
  CRON_TZ: "the cron time-zone prefix of Velero's cron parser",
  FILE_PER_APP: "a cdk8s YamlOutputType member (the App's output layouts the stack refuses or supports)",
  FILE_PER_RESOURCE: 'a cdk8s YamlOutputType member',
  FILE_PER_CHART: 'a cdk8s YamlOutputType member',
  FOLDER_PER_CHART_FILE_PER_RESOURCE: 'a cdk8s YamlOutputType member',
  MON: 'a cron day-of-week name',
  MINIO_DOMAIN: "MinIO's setting for virtual-host buckets (Velero's MinIO guide)",
  NO_PROXY: 'the proxy-exclusion environment variable, an example of release.extraEnv',
};

/** The comments of a source file (`//`, block comments; `#` lines of a shell script). */
function commentsOf(file: string, text: string): string {
  const re = file.endsWith('.sh') ? /^\s*#[^\n]*/gm : /\/\*[\s\S]*?\*\/|(?<![:'"`\\])\/\/[^\n]*/g;
  return [...text.matchAll(re)].map((m) => m[0]).join('\n');
}

/** What is checked: the docs, the sources outside test/ whole (their messages name and cite too), the tests' comments. */
const prose: [string, string][] = [
  ...docs.map((f): [string, string] => [f, read(f)]),
  ...sources.map((f): [string, string] => [f, f.startsWith('test/') ? commentsOf(f, read(f)) : read(f)]),
];

// what the sources declare or read from the environment, and (outside test/) render as a string (env names)
const readAll = (filter: (f: string) => boolean) => sources.filter(filter).map(read).join('\n');
const code = readAll((f) => !f.startsWith('test/'));
const all = readAll(() => true);
const known = new Set<string>([
  ...[...all.matchAll(/\b(?:const|let|var|function|class|type|interface|enum)\s+([A-Z][A-Z0-9_]*)\b/g)].map(
    (m) => m[1],
  ),
  ...[...all.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b|\$\{?([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1] ?? m[2]),
  ...[...code.matchAll(/(['"])([A-Z][A-Z0-9_]*)\1/g)].map((m) => m[2]),
  ...Object.keys(UPSTREAM_WORDS),
]);

/**
 * The constant-like names a text mentions: a code span that is one upper-case identifier, or a call with one as an
 * argument, and any upper-case identifier with an underscore.
 */
function constantNames(text: string, underscore = true): string[] {
  const inCode = [...text.matchAll(/`([^`\n]+)`/g)].flatMap((m) => {
    const span = m[1].trim();
    if (/^[A-Z][A-Z0-9_]{2,}$/.test(span) && /[A-Z]{3}/.test(span)) return [span];
    const call = /^[\w.]+\(([^()]*)\)$/.exec(span);
    return call ? call[1].split(/[\s,]+/).filter((a) => /^[A-Z][A-Z0-9_]{2,}$/.test(a)) : [];
  });
  const withUnderscore = underscore
    ? [...text.matchAll(/(?<![\w.$-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w-])/g)].map((m) => m[1])
    : [];
  return [...new Set([...inCode, ...withUnderscore])];
}

/** The names a file mentions: in the docs and comments, and in the code spans of the sources' messages. */
function mentioned(file: string, text: string): string[] {
  if (!SOURCE.test(file) || file.startsWith('test/')) return constantNames(text);
  return [...new Set([...constantNames(commentsOf(file, text)), ...constantNames(text, false)])];
}

const staleNames = prose.flatMap(([file, text]) =>
  mentioned(file, text)
    .filter((n) => !known.has(n))
    .map((n) => `${file}: ${n}`),
);

test('every code constant the docs and comments name exists (declared, an env variable, or an upstream word)', () => {
  expect(staleNames).toEqual([]);
});

test.each([['STORAGE'], ['REPOSITORY'], ['UNPROTECTED_NAMESPACES'], ['VOLUME_EXCEPTIONS']])(
  'the check finds the retired constant %s',
  (name) => {
    expect(constantNames(`Switch \`${name}\` in main.ts`)).toEqual([name]);
    expect(known.has(name)).toBe(false);
  },
);

const basenames = new Set(tracked.map((f) => basename(f)));
const headings = (file: string) =>
  new Set([...read(file).matchAll(/^#{1,6} +([\w-]+)\s*$/gm)].map((m) => m[1].toLowerCase()));

/** Why a `.md` reference of `file` does not resolve, or undefined. */
function unresolved(file: string, ref: string, before: string): string | undefined {
  const [path, anchor] = ref.split('#');
  if (before.endsWith(':')) {
    return /(?:^|[\s(`'"])[\w-]+\/[\w.-]+(?:@[\w.+-]+)?:$/.test(before)
      ? undefined
      : `${ref}: an upstream path must name its repository (owner/repo@tag:path)`;
  }
  if (basename(path) === 'BACKUP-PLAN.md') return undefined;
  const inRepo = path.includes('/')
    ? [join(ROOT, path), join(ROOT, dirname(file), path)].find((p) => existsSync(p))
    : basenames.has(path)
      ? join(
          ROOT,
          tracked.find((f) => basename(f) === path)!,
        )
      : undefined;
  if (!inRepo) return `${ref}: no such file in the repo`;
  const rel = inRepo.slice(ROOT.length + 1);
  if (anchor && /^docs\/[^/]+\.md$/.test(rel) && !headings(rel).has(anchor)) return `${ref}: no heading '${anchor}'`;
  return undefined;
}

function mdReferences(text: string): { ref: string; before: string }[] {
  return [...text.matchAll(/(?<![\w./@-])((?:\.{1,2}\/)?(?:[\w.-]+\/)*[\w][\w.-]*\.md(?:#[\w-]+)?)(?![\w/])/g)].map(
    (m) => ({ ref: m[1], before: text.slice(Math.max(0, m.index - 80), m.index) }),
  );
}

const badCitations = prose.flatMap(([file, text]) =>
  mdReferences(text).flatMap(({ ref, before }) => {
    if (/(?:https?:\/\/|\/\/)\S*$/.test(before)) return [];
    const why = unresolved(file, ref, before);
    return why ? [`${file}: ${why}`] : [];
  }),
);

test('every .md path the docs, messages and comments cite is in the repo, or names its upstream repository', () => {
  expect(badCitations).toEqual([]);
});

test.each([
  ['gitops-pitfalls.md row 7', 'no such file'],
  ['csi-argocd-prometheus-facts.md §4.1', 'no such file'],
  ['docs/pitfalls.md#no-such-anchor', "no heading 'no-such-anchor'"],
  ['see site/content/docs/main/support-process.md', 'no such file'],
  ['(x:site/content/docs/main/support-process.md)', 'must name its repository'],
])('the check refuses %s', (text, why) => {
  const found = mdReferences(text).map(({ ref, before }) => unresolved('README.md', ref, before));
  expect(found).toEqual([expect.stringContaining(why)]);
});

test.each([
  ['docs/pitfalls.md#kopia-home'],
  ['velero-io/velero@v1.18.1:site/content/docs/main/support-process.md'],
  ['`clusters/lab/BACKUP-PLAN.md`'],
])('the check accepts %s', (text) => {
  expect(mdReferences(text).map(({ ref, before }) => unresolved('README.md', ref, before))).toEqual([undefined]);
});

/** Repo-relative source paths (`test/cli/package.test.ts`, `lib/config/defaults.ts`) the prose cites. */
function sourceReferences(text: string): { ref: string; before: string }[] {
  const re =
    /(?<![\w./@:-])((?:lib|constructs|cli|test|scripts|examples|bench|drill|heartbeat)\/[\w./-]*\.(?:ts|mjs|js|sh|yaml))(?![\w/])/g;
  return [...text.matchAll(re)].map((m) => ({ ref: m[1], before: text.slice(Math.max(0, m.index - 60), m.index) }));
}

/** An upstream citation (`owner/repo@tag path`, `repo@tag:path`) names its own repository's paths, not ours. */
const UPSTREAM_BEFORE = /@v?[\d][\w.+-]*[\s:]*$|@[\w.+-]+:$/;

/** The repo source paths `text` cites that the repo does not have (upstream citations left out). */
const missingSources = (text: string): string[] =>
  sourceReferences(text)
    .filter(({ ref, before }) => !UPSTREAM_BEFORE.test(before) && !existsSync(join(ROOT, ref)))
    .map(({ ref }) => ref);

const staleSourcePaths = prose.flatMap(([file, text]) =>
  missingSources(text).map((ref) => `${file}: ${ref}: no such file in the repo`),
);

test('every repo source path the docs, messages and comments cite (test/, lib/, scripts/, ...) exists', () => {
  expect(staleSourcePaths).toEqual([]);
});

test.each([
  ['see test/schema-defaults.test.ts', false],
  ['see test/config/schema-defaults.test.ts', true],
  ['kubernetes/kubernetes@v1.30.0 test/e2e/storage/snapshot.go', true],
])('the source-path check on %s: resolves %s', (text, ok) => {
  expect(missingSources(text).length === 0).toBe(ok);
});
