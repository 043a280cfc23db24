/**
 * Runs the shell lines of a rendered runbook against an emulated cluster: every command that changes the
 * cluster is carried out (kubectl create/label/annotate/delete, `velero backup|restore create`), every Restore
 * is handed to the emulated Velero at once, and the read-only lines are recognised and skipped. A line the
 * runner does not know throws, so a runbook that grows a new mutating command fails its test until the
 * runner learns it. Lines after `# afterwards` (to the end of their block, a line '```') are later, manual steps and are not run.
 */
import type { BackupContents, KubeObject, RestoreOutcome } from '../types';
import type { MemoryCluster } from './memory-cluster';
import { emulateBackup } from './backup';
import { emulateRestore } from './restore';
import { veleroCreate } from './velero-cli';
import { parseAllDocuments } from 'yaml';

export interface RunbookEnv {
  readonly cluster: MemoryCluster;
  /** Backups Velero has synced; `velero backup create` appends. */
  readonly backups: BackupContents[];
  readonly veleroVersion: string;
  /** The objects of a file a `kubectl create -f` / `apply -f` names (a rendered file of dist/). */
  readonly readFile: (path: string) => KubeObject[];
  /** `kubectl apply -f <bootstrap>`: what ArgoCD then syncs. @default creates the file's objects */
  readonly sync?: (path: string) => void;
  /** The time of the run (backup and restore names). */
  readonly now: string;
  /** Called at every read-only line, with the cluster as it is then. @default none */
  readonly onCheck?: (line: string) => void;
}

export interface RunResult {
  /** Every Restore the lines created, in order, with its outcome. */
  readonly restores: { readonly restore: KubeObject; readonly outcome: RestoreOutcome }[];
  /** Lines that were checks (read-only), for the caller to evaluate. */
  readonly checks: string[];
}

/** Shell words of one line: quotes removed, `$RESTORE` expanded. */
export function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let cur: string | undefined;
  const expand = (t: string) => t.replace(/\$(\w+)/g, (_, v: string) => vars[v] ?? '');
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+)|(\s+)/g)) {
    if (m[4] !== undefined) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
      continue;
    }
    cur = (cur ?? '') + (m[2] !== undefined ? m[2] : expand(m[1] ?? m[3]));
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** The command part of a runbook line (its `   # comment` dropped). */
export function commandOf(line: string): string {
  return line.split(/\s{2,}#\s/)[0].trim();
}

const READ_ONLY = [
  /^kubectl( -n \S+)? get /,
  /^kubectl( -n \S+)? describe /,
  /^kubectl( -n \S+)? wait (application|backupstoragelocation)\//,
  /^kubectl( -n \S+)? rollout status /,
  /^kubectl( -n \S+)? logs /,
  /^velero( -n \S+)? (backup|restore) (get|describe|logs) /,
  /^velero( -n \S+)? (backup|restore) (get|describe|logs)$/,
  /^kubectl( -n \S+)? wait pod\//,
  /^kubectl( -n \S+)? exec /,
  /^argocd /,
  /^\{ kubectl get namespace/,
];

export function runRunbook(lines: readonly string[], env: RunbookEnv): RunResult {
  const vars: Record<string, string> = {};
  const result: RunResult = { restores: [], checks: [] };
  let later = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw === '```') later = false;
    if (raw.trim() === '# afterwards') later = true;
    if (later || raw === '```') continue;
    const heredoc = /^(.*) <<'(\w+)'$/.exec(raw);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      applyDocuments(heredoc[1], lines.slice(i + 1, end).join('\n'), env);
      i = end;
      continue;
    }
    for (const part of commandOf(raw).split(' && ')) {
      const line = part.trim();
      if (!line || line.startsWith('#')) continue;
      if (READ_ONLY.some((re) => re.test(line))) {
        result.checks.push(line);
        env.onCheck?.(line);
        continue;
      }
      runLine(line, vars, env, result);
    }
  }
  return result;
}

/** `kubectl -n NS apply -f -` of a here-document: each document created (or replaced) in NS. */
function applyDocuments(command: string, text: string, env: RunbookEnv): void {
  const m = /^kubectl -n (\S+) apply -f -$/.exec(command.trim());
  if (!m) throw new Error(`runbook runner: unknown here-document command: ${command}`);
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as KubeObject;
    obj.metadata.namespace = m[1];
    const existing = env.cluster.get(obj.apiVersion, obj.kind, m[1], obj.metadata.name!);
    if (existing) env.cluster.update({ ...obj, metadata: { ...existing.metadata, ...obj.metadata } });
    else env.cluster.create(obj);
  }
}

function runLine(line: string, vars: Record<string, string>, env: RunbookEnv, result: RunResult): void {
  const set = /^(\w+)=\$\(kubectl -n (\S+) get restores -l (\S+)=(\S+) .*\)$/.exec(line);
  if (set) {
    const [, v, ns, key, value] = set;
    const found = env.cluster.list('velero.io/v1', 'Restore', ns).filter((r) => r.metadata.labels?.[key] === value);
    vars[v] = found.at(-1)?.metadata.name ?? '';
    return;
  }
  const w = words(line, vars);
  const [tool, ...args] = w;
  const ns = args[0] === '-n' ? args[1] : undefined;
  const a = args[0] === '-n' ? args.slice(2) : args;
  if (tool === 'velero') return veleroLine(args, env, result);
  if (tool !== 'kubectl') throw new Error(`runbook runner: unknown command: ${line}`);
  const [verb, ...rest] = a;
  if (verb === 'wait' && rest[0].startsWith('restore/')) {
    const name = rest[0].slice('restore/'.length);
    const r = result.restores.find((x) => x.restore.metadata.name === name);
    const want = /=(\w+)$/.exec(rest.find((x) => x.startsWith('--for=')) ?? '')?.[1];
    if (!r || r.outcome.phase !== want) {
      throw new Error(
        `runbook runner: ${line}: restore ${name} is ${r?.outcome.phase ?? 'missing'} (${JSON.stringify(r?.outcome)})`,
      );
    }
    return;
  }
  if (verb === 'create' && rest[0] === '-f') return createFile(rest[1], env, result);
  if (verb === 'apply' && rest[0] === '-f') return env.sync ? env.sync(rest[1]) : createFile(rest[1], env, result);
  if (verb === 'create' && rest[0] === 'namespace') {
    env.cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: rest[1] } });
    return;
  }
  if (verb === 'create' && rest[0] === 'configmap') {
    const data = Object.fromEntries(
      rest
        .filter((x) => x.startsWith('--from-literal='))
        .map((x) => x.slice('--from-literal='.length).split(/=(.*)/s, 2)),
    );
    env.cluster.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rest[1], namespace: ns }, data });
    return;
  }
  if (verb === 'create' && rest[0] === 'secret') {
    env.cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: rest[2], namespace: ns }, data: {} });
    return;
  }
  if ((verb === 'label' || verb === 'annotate') && rest[0] === 'namespace') return unlabel(verb, rest.slice(1), env);
  if (verb === 'scale') return;
  if (verb === 'delete') return deleteLine(ns, rest, vars, env);
  throw new Error(`runbook runner: unknown kubectl command: ${line}`);
}

function veleroLine(args: string[], env: RunbookEnv, result: RunResult): void {
  const verb = args.filter((a, i) => a !== '-n' && args[i - 1] !== '-n');
  if (verb[0] === 'backup' && verb[1] === 'delete') {
    const at = env.backups.findIndex((b) => b.backup.metadata.name === verb[2]);
    if (at < 0) throw new Error(`runbook runner: velero backup delete ${verb[2]}: no such backup`);
    env.backups.splice(at, 1);
    return;
  }
  const obj = veleroCreate(args, env.now);
  if (obj.kind === 'Backup') {
    env.backups.push(emulateBackup({ source: obj, objects: env.cluster.all(), startTimestamp: env.now }));
    return;
  }
  runRestore(env.cluster.create(obj), env, result);
}

function createFile(path: string, env: RunbookEnv, result: RunResult): void {
  for (const obj of env.readFile(path)) {
    const created = env.cluster.create(obj);
    if (created.kind === 'Restore') runRestore(created, env, result);
  }
}

function runRestore(restore: KubeObject, env: RunbookEnv, result: RunResult): void {
  const outcome = emulateRestore({
    restore,
    backups: env.backups,
    cluster: env.cluster,
    veleroVersion: env.veleroVersion,
  });
  env.cluster.update({ ...restore, status: { phase: outcome.phase, validationErrors: outcome.validationErrors } });
  result.restores.push({ restore, outcome });
}

/** `kubectl label|annotate namespace (NAME | -l KEY | --all) KEY-...`: removals only. */
function unlabel(verb: 'label' | 'annotate', args: string[], env: RunbookEnv): void {
  const field = verb === 'label' ? 'labels' : 'annotations';
  let targets: KubeObject[];
  let keys: string[];
  if (args[0] === '--all') [targets, keys] = [env.cluster.list('v1', 'Namespace'), args.slice(1)];
  else if (args[0] === '-l') {
    targets = env.cluster.list('v1', 'Namespace').filter((n) => args[1] in (n.metadata.labels ?? {}));
    keys = args.slice(2);
  } else {
    const ns = env.cluster.get('v1', 'Namespace', undefined, args[0]);
    if (!ns) throw new Error(`runbook runner: kubectl ${verb}: namespace ${args[0]} not found`);
    [targets, keys] = [[ns], args.slice(1)];
  }
  if (!keys.length || keys.some((k) => !k.endsWith('-')))
    throw new Error(`runbook runner: kubectl ${verb}: only removals are emulated`);
  for (const t of targets) {
    const map = { ...((t.metadata[field] as Record<string, string> | undefined) ?? {}) };
    for (const k of keys) delete map[k.slice(0, -1)];
    t.metadata[field] = map;
    env.cluster.update(t);
  }
}

const KINDS: Record<string, [string, string]> = {
  pvc: ['v1', 'PersistentVolumeClaim'],
  namespace: ['v1', 'Namespace'],
  volumesnapshot: ['snapshot.storage.k8s.io/v1', 'VolumeSnapshot'],
  volumesnapshotcontent: ['snapshot.storage.k8s.io/v1', 'VolumeSnapshotContent'],
};

function deleteLine(ns: string | undefined, args: string[], vars: Record<string, string>, env: RunbookEnv): void {
  const kind = KINDS[args[0]];
  if (!kind) throw new Error(`runbook runner: kubectl delete ${args[0]}: unknown kind`);
  if (args[1] === '-l') {
    const [key, value] = args[2].split('=');
    const namespaced = kind[1] !== 'VolumeSnapshotContent' && kind[1] !== 'Namespace';
    for (const o of env.cluster.list(kind[0], kind[1], namespaced ? ns : undefined)) {
      if (o.metadata.labels?.[key] === (value ?? vars[key]))
        env.cluster.delete(kind[0], kind[1], o.metadata.namespace, o.metadata.name!);
    }
    return;
  }
  env.cluster.delete(kind[0], kind[1], kind[1] === 'Namespace' ? undefined : ns, args[1]);
}
