/**
 * Runs a REAL rendered runner CronJob (the restore drill's, the heartbeat's) against the emulated API server: the
 * text rendered into its ConfigMap (read from the rendered output, never the source), with the exact env of the rendered CronJob
 * container, authenticated by a token issued for the CronJob's ServiceAccount, over HTTPS with a CA, as
 * `inClusterKubeApi` reaches a real API server.
 *
 * The seam, and why it is the least intrusive one: the runner runs in a child `node` process (as in the pod:
 * `node /drill/runner.js`), with one `--require` preload that production never loads. The preload does two
 * things and nothing else:
 * - it redirects reads of /var/run/secrets/kubernetes.io/serviceaccount/* (where the kubelet would project the
 *   token and CA) to a temporary directory holding the issued token and the emulated server's CA: the runner's
 *   own `inClusterKubeApi` then builds the https URL from KUBERNETES_SERVICE_HOST/PORT (which the kubelet sets
 *   in every pod, also with enableServiceLinks false) and verifies the server with that CA;
 * - it runs the runner's clock fast: `setTimeout(fn, ms)` fires at once and moves `Date.now()` forward by `ms`,
 *   so a 10-minute poll that never succeeds takes its 120 polls in a second, with the runner's own timeouts.
 * An env override inside the runner (e.g. a base URL) was rejected: it would add a code path to production that
 * only tests take. Running the bundle in-process was rejected: its env, clock and signal handlers are the
 * process's, and the test would share them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiServer } from './api-server';
import type { KubeObject } from './types';

/**
 * One rendered runner CronJob (the drill's, the heartbeat's): the CronJob whose container runs a file of a mounted
 * ConfigMap, with everything the harness needs to run it as its pod would, taken from the rendered objects.
 */
export interface RenderedRunner {
  readonly cronJob: KubeObject;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The container's literal env (`value`). */
  readonly env: Readonly<Record<string, string>>;
  /** The container's env from Secrets (`valueFrom.secretKeyRef`): resolved by the kubelet at each run. */
  readonly secretEnv: Readonly<Record<string, { readonly name: string; readonly key: string }>>;
  /** The runner text, from the ConfigMap the container's command reads. */
  readonly runner: string;
}

/** Everything of one rendered drill the harness needs, taken from the rendered objects. */
export interface RenderedDrill extends RenderedRunner {
  /** The Schedule the drill restores (DRILL_SCHEDULE). */
  readonly schedule: KubeObject;
}

type Json = Record<string, any>;

/** The CronJobs of the rendered objects carrying every label of `labels`, each as the runner its container runs. */
export function renderedRunners(
  objects: readonly KubeObject[],
  labels: Readonly<Record<string, string>>,
): RenderedRunner[] {
  return objects
    .filter((o) => o.kind === 'CronJob' && Object.entries(labels).every(([k, v]) => o.metadata.labels?.[k] === v))
    .map((cronJob) => {
      const pod = (cronJob.spec as Json).jobTemplate.spec.template.spec as Json;
      const container = pod.containers[0] as Json;
      const [, file] = container.command as string[];
      const mount = (container.volumeMounts as Json[]).find((m) => file.startsWith(`${m.mountPath}/`))!;
      const volume = (pod.volumes as Json[]).find((v) => v.name === mount.name)!;
      const ns = cronJob.metadata.namespace!;
      const configMap = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name === volume.configMap.name,
      )!;
      const env = (container.env ?? []) as { name: string; value?: string; valueFrom?: Json }[];
      return {
        cronJob,
        namespace: ns,
        serviceAccount: pod.serviceAccountName as string,
        env: Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])),
        secretEnv: Object.fromEntries(
          env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef]),
        ),
        runner: (configMap.data as Record<string, string>)[file.slice(mount.mountPath.length + 1)],
      };
    });
}

/** Every drill CronJob of the rendered objects, with the Schedule it restores. */
export function renderedDrills(objects: readonly KubeObject[]): RenderedDrill[] {
  return renderedRunners(objects, { 'app.kubernetes.io/component': 'restore-drill' }).map((runner) => ({
    ...runner,
    schedule: objects.find(
      (o) =>
        o.kind === 'Schedule' &&
        o.metadata.namespace === runner.namespace &&
        o.metadata.name === runner.env.DRILL_SCHEDULE,
    )!,
  }));
}

let tls: { key: string; cert: string } | undefined;

/** A self-signed serving certificate for 127.0.0.1 (openssl, once per process): the cluster CA of the test. */
export function servingCertificate(): { key: string; cert: string } {
  if (tls) return tls;
  const dir = mkdtempSync(join(tmpdir(), 'cluster-ca-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=kube-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return tls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PRELOAD = (saDir: string) => `'use strict';
// test seam of test/cluster/drill-harness.ts: service-account files and a fast clock; production never loads it
const fs = require('node:fs');
const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const DIR = ${JSON.stringify(saDir)};
const readFileSync = fs.readFileSync;
fs.readFileSync = function (p, ...rest) {
  if (typeof p === 'string' && p.startsWith(SA + '/')) p = DIR + p.slice(SA.length);
  return readFileSync.call(this, p, ...rest);
};
const now = Date.now;
let offset = 0;
Date.now = () => now() + offset;
const setTimeout = globalThis.setTimeout;
globalThis.setTimeout = function (fn, ms, ...args) {
  offset += Math.max(0, Number(ms) || 0);
  return setTimeout(fn, 1, ...args);
};
`;

export interface RunnerRun {
  /** The exit code; `undefined` when the kubelet never started the container (`startError`). */
  readonly exitCode?: number;
  /** Why the kubelet refused to start the container, as it reports it (e.g. a missing Secret). */
  readonly startError?: string;
  readonly lines: readonly string[];
}

export interface DrillRun extends RunnerRun {
  readonly exitCode: number;
  /** `passed`, or the step of `drill result=failed step=<step>` */
  readonly result: string;
}

/**
 * The container's env as the kubelet builds it: the literal values, and each `secretKeyRef` read from the Secret
 * (a missing Secret or key: the kubelet's CreateContainerConfigError, the container never starts).
 */
function containerEnv(runner: RenderedRunner, server: ApiServer): Record<string, string> | string {
  const env: Record<string, string> = { ...runner.env };
  for (const [name, ref] of Object.entries(runner.secretEnv)) {
    const secret = server.get('v1', 'Secret', runner.namespace, ref.name);
    const data = (secret?.data ?? {}) as Record<string, string>;
    if (!secret) return `CreateContainerConfigError: secret "${ref.name}" not found`;
    if (data[ref.key] === undefined)
      return `CreateContainerConfigError: couldn't find key ${ref.key} in Secret ${runner.namespace}/${ref.name}`;
    env[name] = Buffer.from(data[ref.key], 'base64').toString('utf8');
  }
  return env;
}

/**
 * Runs a rendered runner CronJob once against `server`, as its ServiceAccount, with the container's env; the
 * server listens for the run only.
 */
export async function runRenderedCronJob(runner: RenderedRunner, server: ApiServer): Promise<RunnerRun> {
  const env = containerEnv(runner, server);
  if (typeof env === 'string') return { startError: env, lines: [] };
  const cert = servingCertificate();
  const listening = await server.listen(cert);
  const dir = mkdtempSync(join(tmpdir(), 'runner-pod-'));
  try {
    const saDir = join(dir, 'serviceaccount');
    mkdirSync(saDir);
    writeFileSync(join(saDir, 'token'), server.issueToken(runner.namespace, runner.serviceAccount));
    writeFileSync(join(saDir, 'ca.crt'), cert.cert);
    writeFileSync(join(saDir, 'namespace'), runner.namespace);
    writeFileSync(join(dir, 'preload.cjs'), PRELOAD(saDir));
    writeFileSync(join(dir, 'runner.js'), runner.runner);
    const child = spawn(process.execPath, ['--require', join(dir, 'preload.cjs'), join(dir, 'runner.js')], {
      env: { ...env, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(listening.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    return { exitCode, lines: out.split('\n').filter((l) => l !== '') };
  } finally {
    await listening.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the rendered drill once against `server`, as its ServiceAccount. */
export async function runRenderedDrill(drill: RenderedDrill, server: ApiServer): Promise<DrillRun> {
  const run = await runRenderedCronJob(drill, server);
  const last = run.lines.filter((l) => l.startsWith('drill result=')).pop() ?? '';
  const result = last.startsWith('drill result=passed')
    ? 'passed'
    : (/ step=(\S+)/.exec(last)?.[1] ?? `no result line: ${(run.startError ?? run.lines.join('\n')).slice(-500)}`);
  return { ...run, exitCode: run.exitCode ?? -1, result };
}
