/**
 * Every pod template the stack renders is admitted in its namespace under that namespace's rendered Pod Security
 * level (test/cluster/pod-security.ts, the checks of k8s.io/pod-security-admission at v1.30), through the emulated
 * API server's whole chain (ServiceAccount admission: its ServiceAccount exists; schemas; the policies), for the
 * seed, the seed with the node-agent, and the B2 example.
 */
import { join } from 'node:path';
import { buildConfig } from '../../constructs/backup-fleet';
import { loadConfigFile } from '../../lib/config/load';
import type { RenderedObject } from '../../lib/output/output';
import { readRendered } from '../../lib/validation/validate-dist';
import { render } from '../fixtures/renders';
import { fakeCluster, syncedObjects } from './cluster';
import { enforceLevel, podSecurityViolation } from './pod-security';
import type { KubeObject } from './types';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
type Json = Record<string, any>;

/** The pod template of a workload object, if it has one. */
function podTemplate(o: KubeObject): Json | undefined {
  const spec = o.spec as Json | undefined;
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template;
  if (['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job'].includes(o.kind)) return spec?.template;
  return undefined;
}

/** The Pod a controller would create from the template. */
function podOf(o: KubeObject, template: Json): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${o.metadata.name}-x7k2p`, namespace: o.metadata.namespace, labels: template.metadata?.labels },
    spec: JSON.parse(JSON.stringify(template.spec)),
  };
}

const renders: [string, readonly RenderedObject[]][] = [
  ["the seed's committed dist/", readRendered(join(ROOT, 'dist')).objects],
  ['the seed with the node-agent', render({ nodeAgent: true, snapshotMoveData: true })],
  ['examples/b2-homelab.yaml', buildConfig(loadConfigFile(join(ROOT, 'examples', 'b2-homelab.yaml'))).objects],
];

const cases = renders.flatMap(([render, rendered]) => {
  const objects = syncedObjects(rendered);
  return objects
    .filter((o) => podTemplate(o) !== undefined)
    .map((o) => [render, `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, objects, o] as const);
});

const clusters = new Map<readonly KubeObject[], ReturnType<typeof fakeCluster>>();
/** One fake cluster per render (each pod has its own name). */
function clusterOf(objects: readonly KubeObject[]) {
  if (!clusters.has(objects)) clusters.set(objects, fakeCluster(objects, []));
  return clusters.get(objects)!;
}

describe('every rendered pod template', () => {
  test('the table holds the server, the drill, the snapshot-controller and (when on) the node-agent', () => {
    expect(cases.map(([render, what]) => `${render}: ${what}`)).toEqual(
      expect.arrayContaining([
        "the seed's committed dist/: Deployment velero/velero",
        "the seed's committed dist/: CronJob velero/restore-drill-daily-critical-pvcs",
        "the seed's committed dist/: Deployment synology-csi/snapshot-controller",
        'the seed with the node-agent: DaemonSet velero/node-agent',
      ]),
    );
  });

  test.each(cases)("%s: %s is admitted under its namespace's Pod Security level", (render, _, objects, o) => {
    const server = clusterOf(objects);
    const ns = server.get('v1', 'Namespace', undefined, o.metadata.namespace!);
    const pod = podOf(o, podTemplate(o)!);
    const answer = server.handle(server.issueAdminToken(), {
      method: 'POST',
      path: `/api/v1/namespaces/${o.metadata.namespace}/pods`,
      body: pod,
    });
    expect({
      level: enforceLevel(ns?.metadata.labels),
      code: answer.code,
      body: answer.code === 201 ? undefined : answer.body,
    }).toEqual({
      // the velero namespace is rendered restricted, privileged with the node-agent (hostPath, root); the other
      // namespaces are the cluster's own, unlabelled: the API server's default, privileged
      level: o.metadata.namespace === 'velero' && !render.includes('node-agent') ? 'restricted' : 'privileged',
      code: 201,
      body: undefined,
    });
  });
});

describe('the Pod Security checks refuse what they exist for (on the rendered server pod, mutated)', () => {
  const objects = syncedObjects(readRendered(join(ROOT, 'dist')).objects);
  const server = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'velero')!;
  const template = podTemplate(server)!;

  test('the server pod as rendered passes restricted', () => {
    expect(podSecurityViolation('restricted', template.metadata, template.spec)).toBeUndefined();
  });

  const mutations: Record<string, (s: Json) => void> = {
    privileged: (s) => (s.containers[0].securityContext.privileged = true),
    hostNetwork: (s) => (s.hostNetwork = true),
    'a hostPath volume': (s) => s.volumes.push({ name: 'host', hostPath: { path: '/' } }),
    'an added SYS_ADMIN': (s) => (s.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']),
    'a hostPort': (s) => (s.containers[0].ports = [{ containerPort: 8085, hostPort: 8085 }]),
    'seccomp Unconfined': (s) => (s.securityContext.seccompProfile = { type: 'Unconfined' }),
    'an unsafe sysctl': (s) => (s.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]),
    'allowPrivilegeEscalation unset': (s) => delete s.containers[0].securityContext.allowPrivilegeEscalation,
    'runAsNonRoot unset': (s) => {
      delete s.securityContext.runAsNonRoot;
      for (const c of s.containers) delete c.securityContext.runAsNonRoot;
    },
    'runAsUser 0': (s) => (s.securityContext.runAsUser = 0),
    'capabilities not dropped': (s) => delete s.containers[0].securityContext.capabilities,
    'an nfs volume': (s) => s.volumes.push({ name: 'nfs', nfs: { server: 'x', path: '/' } }),
    'no seccomp profile': (s) => {
      delete s.securityContext.seccompProfile;
      for (const c of s.containers) delete c.securityContext?.seccompProfile;
    },
  };

  test.each<[string, 'baseline' | 'restricted', string]>([
    ['privileged', 'baseline', 'privileged (container "velero" must not set securityContext.privileged=true)'],
    ['hostNetwork', 'baseline', 'host namespaces (hostNetwork=true)'],
    ['a hostPath volume', 'baseline', 'hostPath volumes (volume "host")'],
    ['an added SYS_ADMIN', 'baseline', 'non-default capabilities'],
    ['a hostPort', 'baseline', 'hostPort'],
    ['seccomp Unconfined', 'baseline', 'seccompProfile'],
    ['an unsafe sysctl', 'baseline', 'forbidden sysctls (kernel.msgmax)'],
    ['allowPrivilegeEscalation unset', 'restricted', 'allowPrivilegeEscalation != false'],
    ['runAsNonRoot unset', 'restricted', 'runAsNonRoot != true'],
    ['runAsUser 0', 'restricted', 'runAsUser=0'],
    [
      'capabilities not dropped',
      'restricted',
      'unrestricted capabilities (container "velero" must set securityContext.capabilities.drop=["ALL"])',
    ],
    ['an nfs volume', 'restricted', 'restricted volume types (volume "nfs")'],
    ['no seccomp profile', 'restricted', 'seccompProfile'],
  ])('%s is refused by the %s level, and by nothing at privileged', (what, level, reason) => {
    const spec = JSON.parse(JSON.stringify(template.spec)) as Json;
    mutations[what](spec);
    expect(podSecurityViolation(level, template.metadata, spec)).toContain(reason);
    expect(podSecurityViolation('privileged', template.metadata, spec)).toBeUndefined();
  });
});
