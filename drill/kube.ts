/**
 * A minimal Kubernetes API client for the restore-drill runner: JSON over node:https (or node:http for the
 * offline tests), authenticated with the pod's service-account token. Node built-ins only, so the runner
 * bundles into one file with no dependencies and the drill image needs nothing but node.
 *
 * Node's global `fetch` cannot take a custom CA, and the API server's certificate is signed by the cluster
 * CA in the service-account volume, so requests go through `https.request({ ca })`.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

/** Where the kubelet mounts the service-account token and the cluster CA. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** An answer from the API server outside 2xx, with the Status `reason` (e.g. `NotFound`, `AlreadyExists`). */
export class ApiError extends Error {
  constructor(
    public readonly method: string,
    public readonly path: string,
    public readonly status: number,
    public readonly reason: string,
    detail: string,
  ) {
    super(`${method} ${path}: HTTP ${status}${reason ? ` ${reason}` : ''}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** The HTTP status of an API answer error (structurally, so errors of another copy of this module count). */
function statusOf(e: unknown): number | undefined {
  if (e instanceof ApiError) return e.status;
  const s = (e as { name?: unknown; status?: unknown } | null)?.status;
  return (e as { name?: unknown } | null)?.name === 'ApiError' && typeof s === 'number' ? s : undefined;
}

/** True for a 404 answer. */
export function isNotFound(e: unknown): boolean {
  return statusOf(e) === 404;
}

/**
 * True for errors worth another try while polling: the connection failed, the server was overloaded
 * (429) or failed (5xx). A 4xx other than 429 is an answer and is not retried.
 */
export function isTransient(e: unknown): boolean {
  const status = statusOf(e);
  if (status !== undefined) return status === 429 || status >= 500;
  return e instanceof Error;
}

/** The calls the runner makes. Paths are API paths (`/api/v1/namespaces/x`), optionally with a query. */
export interface KubeApi {
  get<T = unknown>(path: string): Promise<T>;
  create<T = unknown>(path: string, body: unknown): Promise<T>;
  /** JSON merge patch (`application/merge-patch+json`). */
  mergePatch<T = unknown>(path: string, body: unknown): Promise<T>;
  delete(path: string, body?: unknown): Promise<void>;
}

export interface HttpKubeApiOptions {
  /** e.g. `https://10.43.0.1:443`, or `http://127.0.0.1:PORT` for a fake API server in tests. */
  readonly baseUrl: string;
  /**
   * Returns the bearer token for each request. Read on every call: the kubelet rotates the projected
   * service-account token (about hourly), and a drill can outlive one token.
   */
  readonly token?: () => string | undefined;
  /** CA bundle (PEM) that signs the API server's certificate. */
  readonly ca?: string | Buffer;
  /** Per-request timeout. @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** A client talking HTTP(S) to `baseUrl`. */
export function httpKubeApi(options: HttpKubeApiOptions): KubeApi {
  const timeout = options.requestTimeoutMs ?? 30_000;

  function request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    const url = new URL(path, options.baseUrl);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = options.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (payload) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(payload.length);
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method, headers, ca: options.ca, timeout }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve(json);
          } else {
            const s = (json ?? {}) as { reason?: string; message?: string };
            reject(new ApiError(method, path, status, s.reason ?? '', s.message ?? text.slice(0, 300)));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeout} ms`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  return {
    get: <T>(path: string) => request('GET', path) as Promise<T>,
    create: <T>(path: string, body: unknown) => request('POST', path, body) as Promise<T>,
    mergePatch: <T>(path: string, body: unknown) =>
      request('PATCH', path, body, 'application/merge-patch+json') as Promise<T>,
    delete: async (path: string, body?: unknown) => {
      await request('DELETE', path, body);
    },
  };
}

/**
 * The client a pod uses: the API server from `KUBERNETES_SERVICE_HOST`/`_PORT`, the token and CA from the
 * service-account volume.
 */
export function inClusterKubeApi(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): KubeApi {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new Error('KUBERNETES_SERVICE_HOST is not set: the runner only runs inside a pod');
  const bracketed = host.includes(':') ? `[${host}]` : host; // IPv6 service address
  return httpKubeApi({
    baseUrl: `https://${bracketed}:${port}`,
    ca: readFileSync(`${dir}/ca.crt`),
    token: () => readFileSync(`${dir}/token`, 'utf8').trim(),
  });
}
