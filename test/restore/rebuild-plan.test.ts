/**
 * The rebuild's plan (lib/restore/rebuild.ts): what its first restore leaves to the volume restores, and the
 * names of those.
 */
import { namespacePatternMatches } from '../../lib/schedule/namespace-glob';
import { rebuildClusterResourcesLists, rebuildVolumeNames, type RebuildSchedule } from '../../lib/restore/rebuild';

const schedule = (...includedNamespaces: string[]): RebuildSchedule => ({
  includedNamespaces,
  includesNamespace: (ns) => includedNamespaces.some((i) => namespacePatternMatches(i, ns)),
});
const SYSTEM = ['velero', 'kube-system', 'kube-public', 'kube-node-lease'];
const CLAIMS = ['persistentvolumeclaims', 'persistentvolumes'];

test.each([
  [
    'volumes of some namespaces: the first restore leaves those namespaces out',
    schedule('*'),
    [schedule('apps', 'db')],
    { excludedNamespaces: [...SYSTEM, 'apps', 'db'] },
  ],
  [
    "a volume schedule of '*': every namespace, without claims and volumes",
    schedule('*'),
    [schedule('apps'), schedule('*')],
    { excludedNamespaces: SYSTEM, excludedResources: CLAIMS },
  ],
  [
    "every namespace the cluster-resources schedule names is a volume schedule's: without claims and volumes",
    schedule('apps', 'db'),
    [schedule('apps'), schedule('d*')],
    { excludedNamespaces: SYSTEM, excludedResources: CLAIMS },
  ],
  [
    "one of its namespaces is no volume schedule's: those of the volume schedules are left out",
    schedule('apps', 'web'),
    [schedule('apps')],
    { excludedNamespaces: [...SYSTEM, 'apps'] },
  ],
])('%s', (_, clusterResources, volumes, lists) => {
  expect(rebuildClusterResourcesLists(clusterResources, volumes, 'velero')).toEqual(lists);
});

test.each([
  [['daily'], ['rebuild-volumes']],
  [
    ['daily', 'hourly-db'],
    ['rebuild-volumes', 'rebuild-volumes-hourly-db'],
  ],
  // 'rebuild-volumes-' + 41 characters is 57, a scenario's longest name; one more and the position stands in
  [
    ['daily', 'a'.repeat(41), 'b'.repeat(42)],
    ['rebuild-volumes', `rebuild-volumes-${'a'.repeat(41)}`, 'rebuild-volumes-3'],
  ],
])('the volume restores of schedules %j are named %j', (schedules, names) => {
  expect(rebuildVolumeNames(schedules)).toEqual(names);
});
