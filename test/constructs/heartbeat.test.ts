/**
 * The heartbeat from outside (constructs/backup-heartbeat.ts, heartbeat/runner.ts): the rendered CronJob,
 * its least-privilege RBAC, and the bundled runner (the code the ConfigMap carries) run against the Backups
 * of a fake API server, with the config the CronJob passes it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import type { BackupStackConfig } from '../../lib/config/types';
import type { KubeApi } from '../../drill/kube';
import type { HeartbeatConfig } from '../../heartbeat/config';
import { toPolicyRule } from '../../lib/kube/permissions';
import { renderApp } from '../../lib/output/output';
import { SEED_CONFIG } from '../fixtures/seed';

const config = { ...(SEED_CONFIG as BackupStackConfig), heartbeat: { secretName: 'velero-heartbeat' } };
const app = new App();
const stack = new BackupStack(app, 'S', config);
const rendered = renderApp(app).map((r) => r.object as any);
const byKind = (kind: string) =>
  rendered.find((o) => o.kind === kind && o.metadata.name.startsWith('velero-heartbeat'));
const cronJob = byKind('CronJob');
const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
/** The config exactly as the CronJob hands it to the runner. */
const runnerConfig: HeartbeatConfig = JSON.parse(container.env.find((e: any) => e.name === 'HEARTBEAT_CONFIG').value);
const runnerText: string = byKind('ConfigMap').data['heartbeat.js'];

describe('the rendered heartbeat', () => {
  test('checks every schedule against its VeleroBackupDelayed threshold', () => {
    expect(runnerConfig).toEqual({
      namespace: 'velero',
      schedules: Object.entries(stack.alerts.thresholds).map(([name, t]) => ({
        name,
        maxAgeSeconds: t.delayed.toSeconds(),
      })),
    });
  });

  test('reads the URL from the Secret: no URL in the output, ever', () => {
    expect(container.env.find((e: any) => e.name === 'HEARTBEAT_URL')).toEqual({
      name: 'HEARTBEAT_URL',
      valueFrom: { secretKeyRef: { name: 'velero-heartbeat', key: 'url' } },
    });
    expect(rendered.some((o) => o.kind === 'Secret')).toBe(false);
  });

  test('its ServiceAccount may only list Backups in the Velero namespace, as declared', () => {
    const role = byKind('Role');
    expect(role.metadata.namespace).toBe('velero');
    expect(role.rules).toEqual([{ apiGroups: ['velero.io'], resources: ['backups'], verbs: ['list'] }]);
    expect(role.rules).toEqual(stack.heartbeat!.permissions.grants[0].rules.map(toPolicyRule));
    expect(stack.permissions.map((p) => p.serviceAccount)).toContain('velero-heartbeat');
    expect(rendered.filter((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name.includes('heartbeat'))).toEqual(
      [],
    );
  });

  test('runs as non-root with a read-only root filesystem', () => {
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
  });

  test('is off unless configured (the seed has none)', () => {
    expect(new BackupStack(new App(), 'T', SEED_CONFIG as BackupStackConfig).heartbeat).toBeUndefined();
  });
});

describe('the bundled runner against a fake API server', () => {
  let dir: string;
  let runHeartbeat: (
    api: KubeApi,
    config: HeartbeatConfig,
    url: string,
    ping: (url: string) => Promise<{ ok: boolean; status: number }>,
    log: (line: string) => void,
    now?: Date,
  ) => Promise<number>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'heartbeat-'));
    writeFileSync(join(dir, 'heartbeat.js'), runnerText);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    runHeartbeat = require(join(dir, 'heartbeat.js')).runHeartbeat;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const NOW = new Date('2026-12-08T12:00:00Z');
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString();
  const backup = (schedule: string, phase: string, completedHoursAgo: number) => ({
    metadata: { name: `${schedule}-${completedHoursAgo}`, labels: { 'velero.io/schedule-name': schedule } },
    status: { phase, completionTimestamp: hoursAgo(completedHoursAgo) },
  });
  const [daily, weekly] = runnerConfig.schedules.map((s) => s.name);

  async function run(items: unknown[], pingStatus = 200) {
    const paths: string[] = [];
    const api: KubeApi = {
      get: async <T>(path: string) => {
        paths.push(path);
        return { items } as T;
      },
      create: async () => Promise.reject(new Error('read-only')),
      mergePatch: async () => Promise.reject(new Error('read-only')),
      delete: async () => Promise.reject(new Error('read-only')),
    };
    const pinged: string[] = [];
    const logs: string[] = [];
    const code = await runHeartbeat(
      api,
      runnerConfig,
      'https://hc-ping.com/uuid',
      async (u) => (pinged.push(u), { ok: pingStatus < 300, status: pingStatus }),
      (l) => logs.push(l),
      NOW,
    );
    return { code, pinged, logs, paths };
  }

  test.each([
    [
      'every schedule fresh: pings',
      [backup(daily, 'Completed', 3), backup(weekly, 'Completed', 100)],
      0,
      1,
      'fresh; pinged',
    ],
    [
      'the daily 31h old (threshold 30h): no ping',
      [backup(daily, 'Completed', 31), backup(weekly, 'Completed', 100)],
      1,
      0,
      `schedule '${daily}'`,
    ],
    [
      'a newer Failed backup does not count, the older Completed one is fresh: pings',
      [backup(daily, 'Failed', 1), backup(daily, 'Completed', 20), backup(weekly, 'Completed', 1)],
      0,
      1,
      'pinged',
    ],
    [
      'the weekly has never completed: no ping',
      [backup(daily, 'Completed', 1), backup(weekly, 'PartiallyFailed', 1)],
      1,
      0,
      `'${weekly}': no Completed backup`,
    ],
  ])('%s', async (_name, items, code, pings, log) => {
    const r = await run(items);
    expect(r.code).toBe(code);
    expect(r.pinged.length).toBe(pings);
    expect(r.logs.join('\n')).toContain(log);
    expect(r.logs.join('\n')).not.toContain('hc-ping.com');
    expect(r.paths).toEqual([
      `/apis/velero.io/v1/namespaces/velero/backups?labelSelector=${encodeURIComponent(`velero.io/schedule-name in (${daily},${weekly})`)}`,
    ]);
  });

  test('a ping the service refuses is a failure', async () => {
    const r = await run([backup(daily, 'Completed', 1), backup(weekly, 'Completed', 1)], 404);
    expect(r.code).toBe(1);
    expect(r.logs.join('\n')).toContain('HTTP 404');
  });
});
