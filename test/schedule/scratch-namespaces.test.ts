/**
 * The stack's own scratch namespaces (lib/schedule/scratch-namespaces.ts): which the config implies, which a
 * schedule leaves out by itself, and the inspection copies' reasons.
 */
import type { StackConfig } from '../../lib/config/types';
import { excludedWithScratch, inspectionCopies, stackScratchNamespaces } from '../../lib/schedule/scratch-namespaces';

const INSPECT = {
  name: 'inspect',
  title: 'inspect',
  target: { kind: 'namespace-into', namespace: 'loki', into: 'loki-inspect' },
} as const;

test.each<[string, StackConfig, string[]]>([
  [
    'a drill copies each named namespace into drill-<ns>',
    { schedules: [{ name: 'd', schedule: '0 2 * * *', includedNamespaces: ['apps', 'db'], drill: {} }] },
    ['drill-apps', 'drill-db'],
  ],
  [
    "a drill's namespaceMapping and namespaces win; globs and '*' are never a drill's",
    {
      schedules: [
        {
          name: 'a',
          schedule: '0 2 * * *',
          includedNamespaces: ['apps', 'kube-*', '*'],
          drill: { namespaceMapping: { apps: 'scratch' } },
        },
        { name: 'b', schedule: '0 3 * * *', includedNamespaces: ['db'], drill: { namespaces: ['db'] } },
        { name: 'c', schedule: '0 4 * * *', includedNamespaces: ['web'] },
      ],
    },
    ['scratch', 'drill-db'],
  ],
  ['an inspection restore makes its namespace', { restores: [INSPECT, { rebuild: {} }] }, ['loki-inspect']],
])('%s', (_, config, namespaces) => {
  expect(stackScratchNamespaces(config)).toEqual(namespaces);
});

const SCRATCH = ['drill-apps', 'loki-inspect'];
test.each([
  [
    "'*' reaches them: left out after the schedule's own",
    { includedNamespaces: ['*'], excludedNamespaces: ['tmp'] },
    ['tmp', ...SCRATCH],
  ],
  ['a glob reaches one', { includedNamespaces: ['drill-*'] }, ['drill-apps']],
  ['named explicitly: kept (the stack refuses it with the fix)', { includedNamespaces: ['drill-apps'] }, undefined],
  ['already excluded: unchanged', { includedNamespaces: ['*'], excludedNamespaces: SCRATCH }, SCRATCH],
  ['no volume data kept: unchanged', { includedNamespaces: ['*'], snapshotVolumes: false }, undefined],
  [
    'file-system backup keeps volume data',
    { includedNamespaces: ['*'], snapshotVolumes: false, defaultVolumesToFsBackup: true },
    SCRATCH,
  ],
])('a schedule whose %s', (_, schedule, excluded) => {
  expect(excludedWithScratch({ name: 's', schedule: '0 2 * * *', ...schedule }, SCRATCH, undefined)).toEqual(excluded);
});

test.each([
  [undefined, SCRATCH],
  [false, undefined],
])("with the release's csiSnapshots %s, a schedule that does not say reaches %j", (csiSnapshots, excluded) => {
  expect(
    excludedWithScratch({ name: 's', schedule: '0 2 * * *', includedNamespaces: ['*'] }, SCRATCH, csiSnapshots),
  ).toEqual(excluded);
});

test('an inspection copy is exempt with the scenario that makes it', () => {
  expect(inspectionCopies([{ rebuild: {} }, INSPECT])).toEqual({
    'loki-inspect': "inspection copy of loki made by the restore scenario 'inspect'; delete it when done",
  });
});
