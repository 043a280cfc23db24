/**
 * kopia writes its repository config to `$HOME/udmrepo` and its cache to `$XDG_CACHE_HOME/kopia` (or `$HOME/.cache`);
 * in a pod HOME is never empty (runc sets `/`), so with a read-only root every container that runs kopia needs HOME on
 * a writable volume (docs/pitfalls.md#kopia-home). The maintenance Jobs copy the server's env, mounts, volumes and
 * security contexts, the data-mover and fs-backup pods the node-agent's: checking those two containers covers them.
 * Rendered over every Velero line, node-agent on and off, and every installer the release adopts.
 */
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import type { InstallerConfig } from '../../lib/config/types';
import { renderApp } from '../../lib/output/output';
import { VELERO_LINES } from '../../lib/versions/velero-lines';
import { seedConfig } from '../fixtures/seed';

/** A rendered object: untyped by nature. */
type Json = any;

const INSTALLERS: readonly InstallerConfig[] = [
  { kind: 'none' },
  { kind: 'velero-install' },
  { kind: 'helm', releaseName: 'velero' },
];

const CASES = VELERO_LINES.flatMap((line) =>
  [true, false].flatMap((nodeAgent) =>
    INSTALLERS.map((installedBy) => [line.newestReadTag, nodeAgent, installedBy.kind, installedBy] as const),
  ),
);

/** Every container of every pod template (Deployment, DaemonSet, Job, CronJob) that runs the Velero binary. */
function kopiaContainers(version: string, nodeAgent: boolean, installedBy: InstallerConfig) {
  const config = seedConfig({ version, nodeAgent });
  const app = new App();
  new BackupStack(app, 'Seed', { ...config, release: { ...config.release, installedBy } });
  return renderApp(app).flatMap(({ object }: { object: Json }) => {
    const pod = object.spec?.jobTemplate?.spec?.template?.spec ?? object.spec?.template?.spec;
    return (pod?.containers ?? [])
      .filter((c: Json) => c.image?.startsWith('velero/velero:') && c.command?.[0] === '/velero')
      .map((c: Json) => ({ where: `${object.kind} ${object.metadata.name} ${c.name}`, c, pod }));
  });
}

/** The volume mount holding `path`, when it is writable and on an emptyDir; otherwise why not. */
function writable(path: string | undefined, c: Json, pod: Json): string {
  if (!path) return 'not set';
  const mount = (c.volumeMounts ?? [])
    .filter((m: Json) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))
    .sort((a: Json, b: Json) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return `${path}: on the root filesystem`;
  if (mount.readOnly) return `${path}: on read-only mount ${mount.name}`;
  const volume = pod.volumes.find((v: Json) => v.name === mount.name);
  return volume?.emptyDir ? 'writable' : `${path}: volume ${mount.name} is not an emptyDir`;
}

const env = (c: Json, name: string): string | undefined => c.env?.find((e: Json) => e.name === name)?.value;

describe.each(CASES)('Velero %s, node-agent %s, installed by %s', (version, nodeAgent, _kind, installedBy) => {
  const containers = kopiaContainers(version, nodeAgent, installedBy);

  test('the server runs kopia, and the node-agent when it is on', () => {
    expect(containers.map((x) => x.c.args[0]).sort()).toEqual(nodeAgent ? ['node-agent', 'server'] : ['server']);
  });

  test.each(['HOME', 'XDG_CACHE_HOME'])('%s is on a writable emptyDir, the root filesystem stays read-only', (name) => {
    for (const { where, c, pod } of containers) {
      expect([where, writable(env(c, name), c, pod)]).toEqual([where, 'writable']);
      expect([where, c.securityContext?.readOnlyRootFilesystem]).toEqual([where, true]);
    }
  });
});
