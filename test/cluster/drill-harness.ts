/**
 * Runs the REAL restore-drill runner against the emulated API server: the text rendered into the drill's
 * ConfigMap (read from the rendered output, never the source), with the exact env of the rendered CronJob
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

/** Everything of one rendered drill the harness needs, taken from the rendered objects. */
export interface RenderedDrill {
  readonly cronJob: KubeObject;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The exact env of the CronJob's container. */
  readonly env: Readonly<Record<string, string>>;
  /** The runner text, from the ConfigMap the container's command reads. */
  readonly runner: string;
  /** The Schedule the drill restores (DRILL_SCHEDULE). */
  readonly schedule: KubeObject;
}

type Json = Record<string, any>;

/** Every drill CronJob of the rendered objects: the CronJobs whose command runs a file of a mounted ConfigMap. */
export function renderedDrills(objects: readonly KubeObject[]): RenderedDrill[] {
  return objects
    .filter((o) => o.kind === 'CronJob' && o.metadata.labels?.['app.kubernetes.io/component'] === 'restore-drill')
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
      const env = Object.fromEntries(
        (container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
      );
      const schedule = objects.find(
        (o) => o.kind === 'Schedule' && o.metadata.namespace === ns && o.metadata.name === env.DRILL_SCHEDULE,
      )!;
      return {
        cronJob,
        namespace: ns,
        serviceAccount: pod.serviceAccountName as string,
        env,
        runner: (configMap.data as Record<string, string>)[file.slice(mount.mountPath.length + 1)],
        schedule,
      };
    });
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

export interface DrillRun {
  readonly exitCode: number;
  readonly lines: readonly string[];
  /** `passed`, or the step of `drill result=failed step=<step>` */
  readonly result: string;
}

/** Runs the rendered drill once against `server`, as its ServiceAccount; the server listens for the run only. */
export async function runRenderedDrill(drill: RenderedDrill, server: ApiServer): Promise<DrillRun> {
  const cert = servingCertificate();
  const listening = await server.listen(cert);
  const dir = mkdtempSync(join(tmpdir(), 'drill-pod-'));
  try {
    const saDir = join(dir, 'serviceaccount');
    mkdirSync(saDir);
    writeFileSync(join(saDir, 'token'), server.issueToken(drill.namespace, drill.serviceAccount));
    writeFileSync(join(saDir, 'ca.crt'), cert.cert);
    writeFileSync(join(saDir, 'namespace'), drill.namespace);
    writeFileSync(join(dir, 'preload.cjs'), PRELOAD(saDir));
    writeFileSync(join(dir, 'runner.js'), drill.runner);
    const child = spawn(process.execPath, ['--require', join(dir, 'preload.cjs'), join(dir, 'runner.js')], {
      env: { ...drill.env, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(listening.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const lines = out.split('\n').filter((l) => l !== '');
    const last = lines.filter((l) => l.startsWith('drill result=')).pop() ?? '';
    const result = last.startsWith('drill result=passed')
      ? 'passed'
      : (/ step=(\S+)/.exec(last)?.[1] ?? `no result line: ${out.slice(-500)}`);
    return { exitCode, lines, result };
  } finally {
    await listening.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
