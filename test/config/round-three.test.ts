/**
 * Round three's rules (issue 26) as behaviour, beside the catalog (test/config/bad-input-yaml.test.ts): Velero's
 * namespace globs through coverage and its alert (run in promtool when it is installed), the stack's own scratch
 * namespaces left out of a '*' schedule, an explicit rule selector, a restore-only cluster, and the small
 * parsers the messages rest on (git ref names, URL credentials, canonical endpoints).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import type { StackConfig } from '../../lib/config/types';
import { refNameProblem, urlSecret } from '../../lib/config/consumer-rules';
import { canonicalUrl } from '../../lib/config/locations';
import { findPromtool, promtoolTestFiles, testRulesAsync, type RuleFile } from '../../lib/alerts/promtool';
import { globRegexSource, namespaceEntryProblem, namespacePatternMatches } from '../../lib/schedule/namespace-glob';

const B2 = [{ provider: 'backblaze-b2', bucket: 'velero-backups-homelab' }] as const;
const stackOf = (config: StackConfig) =>
  new BackupStack(new App(), 'Stack', {
    storageLocations: B2,
    csi: { preventVolumeModeConversion: false, volumeSnapshotClass: { driver: 'csi.san.synology.com' } },
    ...config,
  });

describe('Velero namespace globs (gobwas/glob, includes_excludes.go)', () => {
  test.each([
    ['kube-*', 'kube-system', true],
    ['kube-*', 'kube-', true],
    ['kube-*', 'monitoring', false],
    ['app-?', 'app-1', true],
    ['app-?', 'app-12', false],
    ['db-[ab]', 'db-a', true],
    ['db-[ab]', 'db-c', false],
    ['web-[0-9]*', 'web-1x', true],
    ['*', 'anything', true],
    ['loki', 'loki', true],
    ['loki', 'loki-2', false],
  ])('%s matches %s: %s', (entry, name, expected) => {
    expect(namespacePatternMatches(entry, name)).toBe(expected);
  });

  test.each([
    ['kube-*', 15, undefined],
    ['app-?', 15, 'with * as wildcard (? and [...] need Velero 1.18)'],
    ['db-[ab]', 15, 'with * as wildcard (? and [...] need Velero 1.18)'],
    ['app-?', 18, undefined],
    ['db-[ab]', 18, undefined],
    ['a**', 18, "holds '**'"],
    ['a-{b,c}', 18, 'holds one of'],
    ['web-[!x]', 18, 'holds one of'],
    ['a[]', 18, "holds an empty '[]'"],
    ['App-*', 18, 'lowercase letters'],
  ])('%s on Velero 1.%i: %s', (entry, minor, problem) => {
    const found = namespaceEntryProblem(entry, minor);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  test.each([
    ['kube-*', 'kube-.*'],
    ['app-?', 'app-.'],
    ['db-[ab]', 'db-[ab]'],
  ])('%s is the PromQL regex %s', (glob, regex) => {
    expect(globRegexSource(glob)).toBe(regex);
  });
});

describe('coverage understands globs', () => {
  const CASES: [string, NonNullable<StackConfig['schedules']>, string][] = [
    [
      "excluding 'kube-*' from '*' leaves exactly kube-* uncovered",
      [{ name: 'all', schedule: '0 2 * * *', includedNamespaces: ['*'], excludedNamespaces: ['kube-*'] }],
      '(kube_persistentvolumeclaim_info{namespace=~"kube-.*"})',
    ],
    [
      "including 'app-*' covers app-* only",
      [{ name: 'apps', schedule: '0 2 * * *', includedNamespaces: ['app-*'] }],
      '(kube_persistentvolumeclaim_info{namespace!~"app-.*"})',
    ],
    [
      "'app-*' minus 'app-test-*': the narrower glob stays uncovered",
      [
        {
          name: 'apps',
          schedule: '0 2 * * *',
          includedNamespaces: ['app-*'],
          excludedNamespaces: ['app-test-*'],
        },
      ],
      '(kube_persistentvolumeclaim_info{namespace!~"app-.*"} or kube_persistentvolumeclaim_info{namespace=~"app-test-.*"})',
    ],
    [
      "'*' minus 'app-*', with app-one backed up by another schedule",
      [
        { name: 'all', schedule: '0 2 * * *', includedNamespaces: ['*'], excludedNamespaces: ['app-*'] },
        { name: 'one', schedule: '0 3 * * *', includedNamespaces: ['app-one'] },
      ],
      '(kube_persistentvolumeclaim_info{namespace=~"app-.*",namespace!~"app-one"})',
    ],
  ];
  const coverageOf = (schedules: StackConfig['schedules']) => {
    const stack = stackOf({ schedules });
    return { stack, rule: stack.alerts.rules.find((r) => r.alert === 'PVCNotCoveredByBackup')! };
  };

  test.each(CASES)('%s', (_, schedules, selector) => {
    expect(coverageOf(schedules).rule.expr).toContain(selector);
  });

  const promtool = findPromtool();
  (promtool ? test.each(CASES) : test.skip.each(CASES))(
    'the coverage alert fires and stays silent in promtool: %s',
    async (_, schedules) => {
      const { stack } = coverageOf(schedules);
      const ruleFile: RuleFile = {
        groups: stack.alerts.groups.map((g) => ({ name: g.name, rules: g.rules.map((r) => ({ ...r })) })),
      };
      const cases = stack.alerts.testCases.filter((c) => c.rule.alert === 'PVCNotCoveredByBackup');
      expect(cases.length).toBeGreaterThan(1);
      const dir = mkdtempSync(join(tmpdir(), 'glob-rules-'));
      try {
        const files = promtoolTestFiles(ruleFile, cases);
        for (const f of files) {
          writeFileSync(join(dir, f.rulesName), f.rules);
          writeFileSync(join(dir, f.testsName), f.tests);
        }
        // one file at a time: testRulesFilesAsync reads the per-file headers promtool 2.42 prints for two or more
        for (const f of files) {
          const result = await testRulesAsync(promtool!, join(dir, f.testsName));
          if (!result.ok) throw new Error(result.output);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  test('a hook and a restore scenario on a namespace a glob schedule includes render', () => {
    const stack = stackOf({
      schedules: [
        {
          name: 'apps',
          schedule: '0 2 * * *',
          includedNamespaces: ['next*'],
          hooks: [{ name: 'f', includedNamespaces: ['nextcloud'], pre: [{ command: ['/bin/true'] }] }],
          drill: { namespaces: ['nextcloud'] },
        },
      ],
      restores: [{ name: 'nextcloud', target: { kind: 'namespace', namespace: 'nextcloud' } }],
    });
    expect(stack.schedules[0].includesNamespace('nextcloud')).toBe(true);
    expect(stack.drills[0].scratchNamespaces).toEqual(['drill-nextcloud']);
  });
});

describe("the stack's own scratch namespaces under a '*' schedule", () => {
  const stack = stackOf({
    schedules: [
      { name: 'apps', schedule: '0 2 * * *', includedNamespaces: ['nextcloud'], drill: {} },
      { name: 'all', schedule: '0 3 * * *', includedNamespaces: ['*'], excludedNamespaces: ['kube-system'] },
      { name: 'resources', schedule: '0 4 * * 0', ttl: '2160h', includedNamespaces: ['*'], snapshotVolumes: false },
    ],
    restores: [{ name: 'copy', target: { kind: 'namespace-into', namespace: 'nextcloud', into: 'nextcloud-inspect' } }],
  });

  test.each([
    ['all', ['kube-system', 'drill-nextcloud', 'nextcloud-inspect']],
    // a resources-only schedule protects no volumes: left as the user wrote it
    ['resources', []],
  ])("are left out of schedule '%s' automatically: %j", (name, excluded) => {
    expect(stack.schedules.find((s) => s.name === name)!.excludedNamespaces).toEqual(excluded);
  });
});

test.each([
  ['matchLabels', { matchLabels: { team: 'homelab' } }, { team: 'homelab' }],
  [
    'an In expression',
    { matchExpressions: [{ key: 'team', operator: 'In' as const, values: ['homelab', 'ops'] }] },
    { team: 'homelab' },
  ],
  [
    'matchLabels and an Exists expression on them',
    { matchLabels: { team: 'homelab' }, matchExpressions: [{ key: 'team', operator: 'Exists' as const }] },
    { team: 'homelab' },
  ],
])('a Prometheus ruleSelector stated with %s: the rule carries its labels', (_, ruleSelector, labels) => {
  const stack = stackOf({ alerts: { prometheusRuleSelector: { ruleSelector } } });
  expect(stack.alerts.ruleLabels).toMatchObject(labels);
  expect(stack.alerts.ruleLabels).not.toHaveProperty('release');
});

test('a restore-only cluster renders its one location ReadOnly, as the default', () => {
  const stack = new BackupStack(new App(), 'Stack', {
    storageLocations: [{ provider: 'backblaze-b2', bucket: 'velero-backups-homelab', accessMode: 'ReadOnly' }],
    csi: { preventVolumeModeConversion: false, volumeSnapshotClass: { driver: 'csi.san.synology.com' } },
  });
  expect(stack.storageLocations.map((l) => [l.name, l.accessMode, l.isDefault])).toEqual([
    ['default', 'ReadOnly', true],
  ]);
});

describe('the parsers behind the messages', () => {
  test.each([
    ['main', undefined],
    ['release/v1.2', undefined],
    ['HEAD', undefined],
    ['main..dev', "holds '..'"],
    ['a b', 'holds a space'],
    ['x.lock', "ends with '.lock'"],
    ['/main', "empty '/' component"],
  ])('git ref %j: %s', (ref, problem) => {
    const found = refNameProblem(ref);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  test.each([
    ['https://github.com/me/x.git', undefined],
    ['ssh://git@github.com/me/x.git', undefined],
    ['git@github.com:me/x.git', undefined],
    ['https://tok@github.com/me/x.git', 'tok'],
    ['https://me:tok@github.com/me/x.git', 'me:tok'],
    ['ssh://git:pw@git.lan/x.git', 'git:pw'],
  ])('credentials in %s: %s', (url, secret) => {
    expect(urlSecret(url)).toBe(secret);
  });

  test.each([
    ['https://minio.lan', 'https://minio.lan'],
    ['https://minio.lan/', 'https://minio.lan'],
    ['https://MINIO.lan:443', 'https://minio.lan'],
    ['http://minio.lan:80/', 'http://minio.lan'],
    ['https://minio.lan:9000', 'https://minio.lan:9000'],
    ['https://minio.lan/s3/', 'https://minio.lan/s3'],
  ])('%s is the endpoint %s', (url, canonical) => {
    expect(canonicalUrl(url)).toBe(canonical);
  });
});

describe('a TypeScript config YAML could never be', () => {
  const cyclic: Record<string, unknown> = { namespace: 'velero' };
  cyclic.self = cyclic;
  let deep: Record<string, unknown> = {};
  const deepRoot = deep;
  for (let i = 0; i < 40; i++) deep = (deep.a = {}) as Record<string, unknown>;

  test.each([
    [
      'an object that contains itself',
      { release: cyclic },
      'release.self: refers to itself (an object inside its own value); give the value once (docs/pitfalls.md#yaml)',
    ],
    [
      'nesting 40 levels deep',
      { unprotectedNamespaces: deepRoot },
      `unprotectedNamespaces${'.a'.repeat(31)}: is nested deeper than 32 levels, which no field is (docs/pitfalls.md#yaml)`,
    ],
  ])('%s is refused by its path, not a stack overflow', (_, config, message) => {
    expect(() => stackOf(config as unknown as StackConfig)).toThrow(message);
  });
});
