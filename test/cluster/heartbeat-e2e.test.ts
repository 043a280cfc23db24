/**
 * The real heartbeat (issue 25 item 3), in the cluster in a box: the runner text rendered into the heartbeat's
 * ConfigMap, with the rendered CronJob container's env (its URL resolved from the Secret the CronJob references,
 * created by the test as the user would, out of band), as the CronJob's ServiceAccount, through the rendered RBAC
 * and the Pod Security level of Velero's namespace in the emulated API server. The URL is a loopback HTTP server
 * of the test (127.0.0.1 only) that counts the pings. Backups are made from the rendered Schedules
 * (`emulateBackup` of each Schedule: named and labelled `velero.io/schedule-name` as Velero's schedule controller does); only
 * their completion time is the case's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildConfig } from '../../constructs/backup-fleet';
import type { BackupStackConfig } from '../../lib/config/types';
import { loadConfigFile } from '../../lib/config/load';
import { SEED_CONFIG } from '../fixtures/seed';
import { fakeCluster, syncedObjects } from './cluster';
import { emulateBackup } from './velero/backup';
import { renderedRunners, runRenderedCronJob, type RenderedRunner } from './drill-harness';
import type { ApiServer } from './api-server';
import type { KubeObject } from './types';

// each run spawns the runner; the first also loads the schema validators (speed is not what is tested)
jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const SECRET = 'velero-heartbeat';

interface Render {
  readonly objects: KubeObject[];
  readonly heartbeat: RenderedRunner;
  readonly schedules: KubeObject[];
  /** Each schedule's VeleroBackupDelayed threshold in seconds, read from the rendered PrometheusRule. */
  readonly thresholds: Record<string, number>;
}

function render(config: BackupStackConfig): Render {
  const objects = syncedObjects(buildConfig(config).objects);
  const [heartbeat] = renderedRunners(objects, { component: 'heartbeat' });
  const thresholds: Record<string, number> = {};
  for (const r of objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o.spec as any).groups.flatMap((g: any) => g.rules as { alert?: string; expr: string }[]))
    .filter((r) => r.alert === 'VeleroBackupDelayed')) {
    const m = /schedule="([^"]+)".*\) > (\d+)$/.exec(r.expr)!;
    thresholds[m[1]] = Number(m[2]);
  }
  const schedules = objects.filter((o) => o.kind === 'Schedule' && !(o.spec as any).paused);
  return { objects, heartbeat, schedules, thresholds };
}

/** The seed's config with the heartbeat on, and one unlike it: retention presets, OpenEBS ZFS, Velero 1.18.1. */
const RENDERS: Record<string, Render> = {
  seed: render({ ...(SEED_CONFIG as BackupStackConfig), heartbeat: { secretName: SECRET } }),
  'retention.yaml on Velero 1.18.1': (() => {
    const example = loadConfigFile(join(ROOT, 'examples', 'retention.yaml'));
    return render({ ...example, release: { ...example.release, version: 'v1.18.1', awsPluginVersion: 'v1.14.0' } });
  })(),
};

/** The ping target: a loopback HTTP server counting the requests to its path. */
let pings: string[] = [];
let target: Server;
let url: string;
beforeAll(async () => {
  target = createServer((req, res) => {
    pings.push(req.url ?? '');
    res.end('OK');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/ping/abc`;
});
afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));
beforeEach(() => (pings = []));

/** A backup of each of the schedules, completed `ageSeconds(schedule, threshold)` ago (`undefined`: none). */
type Ages = (schedule: string, threshold: number) => number | undefined;

function cluster(r: Render, ages: Ages, options: { secret?: boolean; withoutRole?: boolean } = {}): ApiServer {
  const objects = options.withoutRole
    ? r.objects.filter((o) => !(o.kind === 'Role' && o.metadata.name === r.heartbeat.serviceAccount))
    : r.objects;
  const server = fakeCluster(objects, [], { schemaVersions: { velero: veleroVersionOf(objects) } });
  for (const s of r.schedules) {
    const age = ages(s.metadata.name!, r.thresholds[s.metadata.name!]);
    if (age === undefined) continue;
    const at = new Date(Date.now() - age * 1000).toISOString();
    const { backup } = emulateBackup({ source: s, objects: [], startTimestamp: at });
    server.create({ ...backup, status: { ...(backup.status as object), completionTimestamp: at } });
  }
  if (options.secret !== false) {
    server.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: SECRET, namespace: r.heartbeat.namespace },
      type: 'Opaque',
      data: { url: Buffer.from(url).toString('base64') },
    });
  }
  return server;
}

function veleroVersionOf(objects: readonly KubeObject[]): string {
  const image = objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((o) => ((o.spec as any).template.spec.containers as { image: string }[]).map((c) => c.image))
    .find((i) => i.startsWith('velero/velero:'));
  return image ? image.slice('velero/velero:'.length) : 'v1.15.0';
}

const fresh: Ages = (_s, threshold) => threshold / 2;
const firstStale =
  (r: Render): Ages =>
  (s, threshold) =>
    s === r.schedules[0].metadata.name ? threshold + 3600 : threshold / 2;
const firstMissing =
  (r: Render): Ages =>
  (s, threshold) =>
    s === r.schedules[0].metadata.name ? undefined : threshold / 2;

describe.each(Object.keys(RENDERS))('the rendered heartbeat of %s, run in the emulated cluster', (name) => {
  const r = RENDERS[name];

  test('checks every active rendered Schedule against its VeleroBackupDelayed threshold', () => {
    expect(Object.keys(r.thresholds).sort()).toEqual(r.schedules.map((s) => s.metadata.name).sort());
    expect(r.heartbeat.secretEnv).toEqual({ HEARTBEAT_URL: { name: SECRET, key: 'url' } });
  });

  test.each<[string, (r: Render) => Ages, number, number, (r: Render) => string]>([
    [
      'every schedule fresh: exit 0, exactly one ping',
      () => fresh,
      0,
      1,
      (r) => `${r.schedules.length} schedule(s) fresh; pinged`,
    ],
    [
      'one schedule past its threshold: exit 1, no ping',
      firstStale,
      1,
      0,
      (r) => `schedule '${r.schedules[0].metadata.name}': newest Completed backup`,
    ],
    [
      'one schedule with no Completed backup: exit 1, no ping',
      firstMissing,
      1,
      0,
      (r) => `schedule '${r.schedules[0].metadata.name}': no Completed backup`,
    ],
  ])('%s', async (_case, ages, exitCode, pingCount, line) => {
    const server = cluster(r, ages(r));
    const run = await runRenderedCronJob(r.heartbeat, server);
    expect(run.exitCode).toBe(exitCode);
    expect(pings).toEqual(Array(pingCount).fill('/ping/abc'));
    expect(run.lines.join('\n')).toContain(line(r));
    expect(run.lines.join('\n')).not.toContain(url);
    const sa = `system:serviceaccount:${r.heartbeat.namespace}:${r.heartbeat.serviceAccount}`;
    expect(server.requests.filter((q) => q.user === sa).map((q) => `${q.verb} ${q.resource} ${q.code}`)).toEqual([
      'list backups 200',
    ]);
  });

  test('the Secret missing: the container never starts (CreateContainerConfigError), no ping', async () => {
    const run = await runRenderedCronJob(r.heartbeat, cluster(r, fresh, { secret: false }));
    expect(run.exitCode).toBeUndefined();
    expect(run.startError).toBe(`CreateContainerConfigError: secret "${SECRET}" not found`);
    expect(pings).toEqual([]);
  });

  test("the ServiceAccount's Role missing: exit 1 naming the 403, no ping", async () => {
    const run = await runRenderedCronJob(r.heartbeat, cluster(r, fresh, { withoutRole: true }));
    expect(run.exitCode).toBe(1);
    expect(run.lines.join('\n')).toContain('HTTP 403 Forbidden');
    expect(run.lines.join('\n')).toContain(
      `cannot list resource "backups" in API group "velero.io" in the namespace "${r.heartbeat.namespace}"`,
    );
    expect(pings).toEqual([]);
  });
});

describe.each(Object.keys(RENDERS))('the heartbeat of %s is bounded', (name) => {
  const r = RENDERS[name];
  const ns = r.heartbeat.namespace;

  test("its pod template is admitted under the Pod Security level of Velero's namespace", () => {
    const server = cluster(r, fresh);
    const level = server.get('v1', 'Namespace', undefined, ns)?.metadata.labels?.['pod-security.kubernetes.io/enforce'];
    expect(level).toBe('restricted');
    const template = (r.heartbeat.cronJob.spec as any).jobTemplate.spec.template;
    // as the Job controller creates it: the template with a generated name
    const answer = server.handle(server.issueAdminToken(), {
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/pods`,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...template.metadata, name: 'velero-heartbeat-1-x' },
        spec: template.spec,
      },
    });
    expect([answer.code, (answer.body as any).message]).toEqual([201, undefined]);
  });

  /** Every kind the render holds, Velero's own kinds and the core kinds a pod could abuse, in and out of its namespace. */
  const kinds: [string, string][] = [
    ...new Map(
      [
        ...r.objects.map((o): [string, string] => [o.apiVersion, o.kind]),
        ...['Backup', 'Restore', 'Schedule', 'DeleteBackupRequest', 'BackupStorageLocation', 'PodVolumeRestore'].map(
          (k): [string, string] => ['velero.io/v1', k],
        ),
        ...['Secret', 'Pod', 'ConfigMap', 'PersistentVolumeClaim'].map((k): [string, string] => ['v1', k]),
      ].map((k) => [k.join(' '), k]),
    ).values(),
  ];
  const writes = kinds.flatMap(([apiVersion, kind]) =>
    [ns, 'default'].flatMap((namespace) =>
      (
        [
          ['POST', ''],
          ['PUT', '/x'],
          ['PATCH', '/x'],
          ['DELETE', '/x'],
          ['DELETE', ''],
        ] as const
      ).map(([method, name]) => ({ apiVersion, kind, namespace, method, name })),
    ),
  );

  test('every write its ServiceAccount could attempt is 403, and so is reading a Secret', () => {
    const server = cluster(r, fresh);
    const token = server.issueToken(ns, r.heartbeat.serviceAccount);
    const t = (apiVersion: string, kind: string) => server.discovery.ofKind(apiVersion, kind);
    const answers = [
      ...writes.map((w) => ({
        w: `${w.method} ${w.kind}${w.name} in ${w.namespace}`,
        path: `${server.collectionPath(t(w.apiVersion, w.kind), w.namespace)}${w.name}`,
        method: w.method,
      })),
      { w: 'GET Secret', path: `/api/v1/namespaces/${ns}/secrets/${SECRET}`, method: 'GET' },
      { w: 'LIST Secrets', path: `/api/v1/namespaces/${ns}/secrets`, method: 'GET' },
      { w: 'LIST Backups in default', path: '/apis/velero.io/v1/namespaces/default/backups', method: 'GET' },
    ].map((q) => [
      q.w,
      server.handle(token, {
        method: q.method,
        path: q.path,
        body: q.method === 'GET' || q.method === 'DELETE' ? undefined : {},
        contentType: q.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
      }).code,
    ]);
    expect(writes.length).toBeGreaterThan(100);
    expect(answers.filter(([, code]) => code !== 403)).toEqual([]);
    // and what it needs is allowed: the control that the token and the binding work
    const list = server.handle(token, { method: 'GET', path: `/apis/velero.io/v1/namespaces/${ns}/backups` });
    expect(list.code).toBe(200);
  });
});
