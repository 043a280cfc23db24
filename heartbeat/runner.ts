/**
 * The heartbeat from outside: checks that every schedule's newest Completed backup is within its threshold
 * (the `VeleroBackupDelayed` threshold: cadence + slack), then requests the URL the user keeps in a Secret
 * (healthchecks.io, Uptime Kuma push, ntfy, any URL). When the cluster, Prometheus or Alertmanager is down no
 * alert fires (velero#2428, #4067); the service behind the URL notices the missing ping instead.
 *
 * It reads Backups only (`list` in Velero's namespace). A stale or missing schedule, or an API error, means no
 * ping and exit 1; the URL is never logged.
 */
import { inClusterKubeApi, type KubeApi } from '../drill/kube';
import { HEARTBEAT_ENV, type HeartbeatConfig } from './config';

interface BackupList {
  readonly items: readonly {
    readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
    readonly status?: { readonly phase?: string; readonly completionTimestamp?: string };
  }[];
}

/** What is wrong with the backups, one line per schedule; [] when every schedule is fresh. */
export async function backupProblems(api: KubeApi, config: HeartbeatConfig, now: Date): Promise<string[]> {
  const names = config.schedules.map((s) => s.name);
  const selector = encodeURIComponent(`velero.io/schedule-name in (${names.join(',')})`);
  const list = await api.get<BackupList>(
    `/apis/velero.io/v1/namespaces/${config.namespace}/backups?labelSelector=${selector}`,
  );
  const problems: string[] = [];
  for (const s of config.schedules) {
    const completed = list.items
      .filter((b) => b.metadata.labels?.['velero.io/schedule-name'] === s.name && b.status?.phase === 'Completed')
      .map((b) => ({ name: b.metadata.name, at: Date.parse(b.status?.completionTimestamp ?? '') }))
      .filter((b) => !Number.isNaN(b.at))
      .sort((a, b) => b.at - a.at);
    if (completed.length === 0) {
      problems.push(`schedule '${s.name}': no Completed backup`);
      continue;
    }
    const age = Math.round((now.getTime() - completed[0].at) / 1000);
    if (age > s.maxAgeSeconds) {
      problems.push(
        `schedule '${s.name}': newest Completed backup '${completed[0].name}' is ${age}s old (threshold ${s.maxAgeSeconds}s)`,
      );
    }
  }
  return problems;
}

/** Checks, then pings; resolves to the exit code. */
export async function runHeartbeat(
  api: KubeApi,
  config: HeartbeatConfig,
  url: string,
  ping: (url: string) => Promise<{ ok: boolean; status: number }>,
  log: (line: string) => void,
  now = new Date(),
): Promise<number> {
  const problems = await backupProblems(api, config, now);
  if (problems.length) {
    for (const p of problems) log(`heartbeat: ${p}; not pinging`);
    return 1;
  }
  const answer = await ping(url);
  if (!answer.ok) {
    log(`heartbeat: every schedule is fresh, but the ping URL answered HTTP ${answer.status}`);
    return 1;
  }
  log(`heartbeat: ${config.schedules.length} schedule(s) fresh; pinged`);
  return 0;
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const url = env[HEARTBEAT_ENV.url];
  const text = env[HEARTBEAT_ENV.config];
  if (!url || !text) {
    console.error(`heartbeat: ${HEARTBEAT_ENV.url} and ${HEARTBEAT_ENV.config} must be set`);
    return 1;
  }
  const ping = async (u: string) => {
    const r = await fetch(u, { method: 'GET', signal: AbortSignal.timeout(30_000) });
    return { ok: r.ok, status: r.status };
  };
  try {
    return await runHeartbeat(inClusterKubeApi(env), JSON.parse(text) as HeartbeatConfig, url, ping, (l) =>
      console.log(l),
    );
  } catch (e) {
    console.error(`heartbeat: ${(e as Error).message}; not pinging`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
