/**
 * One toleration rule (lib/kube/pod-options.ts tolerationProblem, kubernetes@v1.30.0 validateTolerations): the
 * server's and the node-agent's tolerations in the config, and the construct's props, are refused with the same
 * words, each at its own path, with the docs/pitfalls.md#tolerations anchor.
 */
import { App, Chart } from 'cdk8s';
import { buildConfig } from '../../constructs/backup-fleet';
import { VeleroRelease } from '../../constructs/velero-release';
import type { BackupStackConfig, TolerationConfig } from '../../lib/config/types';
import { StorageProfile } from '../../lib/storage/storage-profile';

const MINIMAL: BackupStackConfig = {
  storageLocations: [{ provider: 's3', bucket: 'velero', region: 'us-east-1' }],
  schedules: [{ name: 'daily', schedule: '0 3 * * *', includedNamespaces: ['apps'] }],
};
const refusal = (build: () => unknown): string => {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};
const server = (t: TolerationConfig) => refusal(() => buildConfig({ ...MINIMAL, release: { tolerations: [t] } }));
const nodeAgent = (t: TolerationConfig) =>
  refusal(() => buildConfig({ ...MINIMAL, release: { nodeAgent: { enabled: true, tolerations: [t] } } }));
const props = (t: TolerationConfig) =>
  refusal(
    () =>
      new VeleroRelease(new Chart(new App(), 'c'), 'Velero', {
        storage: StorageProfile.localStack(),
        tolerations: [t],
      }),
  );

test.each<[string, TolerationConfig, string]>([
  [
    'an empty key with operator Equal',
    { value: 'x' },
    "operator: must be 'Exists' when key is empty (tolerate every taint), got 'Equal'; the API server refuses the pod template: add operator: Exists, or give the key",
  ],
  [
    'a value with Exists',
    { key: 'dedicated', operator: 'Exists', value: 'backup' },
    "value: must be empty with operator 'Exists', got 'backup'; drop value, or use operator 'Equal'",
  ],
  [
    'tolerationSeconds without NoExecute',
    { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 },
    "tolerationSeconds: 60 needs effect 'NoExecute', got effect 'NoSchedule'; set effect: NoExecute, or drop tolerationSeconds",
  ],
  [
    'a key that is not a label key',
    { key: 'node role', operator: 'Exists' },
    "key: 'node role' is not a label key: its name may hold only letters, digits, '-', '_' and '.', and must start and end with a letter or digit",
  ],
  [
    'a value that is not a label value',
    { key: 'dedicated', value: 'back up' },
    "value: 'back up' is not a label value: it may hold only letters, digits, '-', '_' and '.', and must start and end with a letter or digit",
  ],
])('%s: the server, the node-agent and the props say the same', (_what, toleration, message) => {
  const anchored = `${message} (docs/pitfalls.md#tolerations)`;
  expect(server(toleration)).toBe(`release.tolerations[0].${anchored}`);
  expect(nodeAgent(toleration)).toBe(`release.nodeAgent.tolerations[0].${anchored}`);
  // the props' message: the construct's subject, the field, then the same words
  const [field, words] = anchored.split(/: (.*)/s);
  expect(props(toleration)).toMatch(
    new RegExp(`tolerations\\[0\\]\\.${field}:? ${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  );
});
