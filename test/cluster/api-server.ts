/**
 * The cluster in a box: an emulated Kubernetes API server for tests, in process, that admits or refuses every
 * request the way the real chain does, from what the project renders (issue 22). A request goes through, in the
 * API server's order (staging/src/k8s.io/apiserver/pkg/server/config.go `DefaultBuildHandlerChain`, then the
 * registry's create/update/delete with admission):
 *
 * 1. authentication: `Authorization: Bearer <token>` -> the ServiceAccount the token was issued for
 *    (`system:serviceaccount:<ns>:<name>`, groups system:serviceaccounts[:<ns>], system:authenticated); none or
 *    unknown: 401 Unauthorized;
 * 2. authorization: the rendered RBAC in the store (./rbac.ts): 403 Forbidden, worded as the API server;
 * 3. mutating admission: NamespaceLifecycle (no create in a missing or terminating namespace), ServiceAccount
 *    (a Pod's serviceAccountName defaults to `default`, which must exist; a token volume unless
 *    automountServiceAccountToken is false);
 * 4. object validation: the committed schemas (lib/validation/schema.ts `validateObjects`, at the Velero line
 *    of the stack), name or generateName, apiVersion/kind/namespace of the body against the URL: 400/422;
 * 5. validating admission: Pod Security from the namespace's `pod-security.kubernetes.io/enforce` label
 *    (./pod-security.ts, 403), then the ValidatingAdmissionPolicies and their bindings (./admission-policy.ts,
 *    422 and warnings);
 * 6. storage: uid, resourceVersion, creationTimestamp, generateName; GET, LIST (labelSelector), POST, PUT,
 *    merge PATCH, DELETE; 404 NotFound and 409 AlreadyExists Status bodies.
 *
 * Controllers are hooks on writes (`onCreate('velero.io/Restore', ...)`), run after the answer like a watch
 * would, and act through the `ClusterView` (no admission: controllers run as cluster-admin).
 *
 * Not modelled (none of it is on a path the stack's workloads take today): watch, finalizers and graceful
 * deletion (a deleted namespace and its content go at once, as after the namespace controller's pass), JSON and
 * strategic-merge patches (415), server-side apply, subresources other than in RBAC matching, the policies'
 * `paramKind`/`paramRef` (params are null), `variables`, `auditAnnotations`, the `authorizer` CEL library, and
 * `namespaceObject`'s Namespace type (declared dyn). Each is a compile error or a plain refusal, never a silent
 * admit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LabelSelector, LabelSelectorRequirement } from '../../lib/kube/label-selector';
import { selectorMatches } from '../../lib/kube/label-selector';
import { validateObjects } from '../../lib/validation/schema';
import { admitByPolicies, type AdmissionAttributes } from './admission-policy';
import { enforceLevel, podSecurityViolation } from './pod-security';
import { forbiddenMessage, rbacAllows, serviceAccountUser, type RequestAttributes, type UserInfo } from './rbac';
import { Discovery, splitApiVersion, type ResourceType } from './resources';
import type { ClusterView, KubeObject } from './types';

/** An API answer outside 2xx: the Status the API server sends. */
export class StatusError extends Error {
  constructor(
    public readonly code: number,
    public readonly reason: string,
    message: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
  get status(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

export interface ApiRequest {
  readonly method: string;
  /** e.g. `/apis/velero.io/v1/namespaces/velero/restores?labelSelector=a%3Db` */
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface ApiAnswer {
  readonly code: number;
  readonly body: unknown;
  readonly warnings: readonly string[];
}

/** One request as the server saw it, for assertions (`user verb resource -> code`). */
export interface RequestRecord {
  readonly user: string;
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly code: number;
  readonly message?: string;
}

export type Hook = (obj: KubeObject, old: KubeObject | undefined) => void;

export interface ApiServerOptions {
  /** Component releases of the schemas objects are validated against, e.g. `{ velero: 'v1.17.2' }`. @default the pins */
  readonly schemaVersions?: Readonly<Record<string, string>>;
  /** Time source of creationTimestamp. @default () => new Date() */
  readonly now?: () => Date;
}

const ADMIN: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

interface ParsedPath {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly query: URLSearchParams;
}

/** `a=b,c!=d,e in (f,g),h,!i` (the labelSelector query parameter) as a LabelSelector. */
export function parseLabelSelector(text: string): LabelSelector {
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const part of text.match(/([^,(]+(\([^)]*\))?)/g) ?? []) {
    const p = part.trim();
    if (!p) continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const values = m[3].split(',').map((v) => v.trim());
      matchExpressions.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(p))) {
      matchExpressions.push({ key: m[1], operator: 'NotIn', values: [m[2]] });
    } else if ((m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(p))) {
      matchExpressions.push({ key: m[1], operator: 'In', values: [m[2]] });
    } else if ((m = /^!(\S+)$/.exec(p))) {
      matchExpressions.push({ key: m[1], operator: 'DoesNotExist' });
    } else if (/^\S+$/.test(p)) {
      matchExpressions.push({ key: p, operator: 'Exists' });
    } else {
      throw new StatusError(400, 'BadRequest', `unable to parse requirement: ${p}`);
    }
  }
  return { matchExpressions };
}

/** RFC 7386 JSON merge patch (what `application/merge-patch+json` means to the API server). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The schema verdict of each object text already validated (the same rendered objects are applied to many clusters). */
const schemaVerdicts = new Map<string, string[]>();

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

/** `pods "x"` / `restores.velero.io "x"`: how the API server names an object in a message. */
function qualified(t: ResourceType, name?: string): string {
  const r = t.group ? `${t.resource}.${t.group}` : t.resource;
  return name === undefined ? r : `${r} "${name}"`;
}

export class ApiServer implements ClusterView {
  readonly discovery = new Discovery();
  /** Every request through `handle`, in order. */
  readonly requests: RequestRecord[] = [];
  readonly auditAnnotations: string[] = [];
  private readonly store = new Map<string, KubeObject>();
  private readonly tokens = new Map<string, UserInfo>();
  private readonly hooks = {
    create: new Map<string, Hook[]>(),
    update: new Map<string, Hook[]>(),
    delete: new Map<string, Hook[]>(),
  };
  private resourceVersion = 1000;
  private readonly now: () => Date;

  constructor(private readonly options: ApiServerOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------------------------------------------------
  // tokens, hooks, bootstrap

  /** A bearer token that authenticates as ServiceAccount `namespace/name` (like a projected token). */
  issueToken(namespace: string, name: string): string {
    const token = `sa-${namespace}-${name}-${randomBytes(8).toString('hex')}`;
    this.tokens.set(token, serviceAccountUser(namespace, name));
    return token;
  }

  /** A bearer token of the cluster's admin (system:masters: every RBAC check passes, admission still applies). */
  issueAdminToken(): string {
    const token = `admin-${randomBytes(8).toString('hex')}`;
    this.tokens.set(token, ADMIN);
    return token;
  }

  onCreate(groupKind: string, hook: Hook): void {
    this.addHook('create', groupKind, hook);
  }
  onUpdate(groupKind: string, hook: Hook): void {
    this.addHook('update', groupKind, hook);
  }
  onDelete(groupKind: string, hook: Hook): void {
    this.addHook('delete', groupKind, hook);
  }
  private addHook(on: 'create' | 'update' | 'delete', groupKind: string, hook: Hook): void {
    this.hooks[on].set(groupKind, [...(this.hooks[on].get(groupKind) ?? []), hook]);
  }
  private fire(on: 'create' | 'update' | 'delete', obj: KubeObject, old?: KubeObject): void {
    const { group } = splitApiVersion(obj.apiVersion);
    for (const hook of this.hooks[on].get(`${group}/${obj.kind}`) ?? [])
      setImmediate(() => hook(clone(obj), old && clone(old)));
  }

  /**
   * Applies rendered objects as the cluster's admin would (`kubectl apply` / an ArgoCD sync): through the whole
   * chain, as `system:masters`. Throws the Status of the first refusal.
   */
  apply(objects: readonly KubeObject[]): void {
    const order = (o: KubeObject) => (o.kind === 'Namespace' ? 0 : o.kind === 'CustomResourceDefinition' ? 1 : 2);
    for (const o of [...objects].sort((a, b) => order(a) - order(b))) {
      const t = this.discovery.ofKind(o.apiVersion, o.kind);
      const ns = t.namespaced ? (o.metadata.namespace ?? 'default') : undefined;
      const answer = this.handleAs(ADMIN, { method: 'POST', path: this.collectionPath(t, ns), body: o });
      if (answer.code >= 300) throw new Error(`apply ${o.kind} ${o.metadata.name}: ${JSON.stringify(answer.body)}`);
    }
  }

  collectionPath(t: ResourceType, namespace?: string): string {
    const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    return `${base}${t.namespaced && namespace ? `/namespaces/${namespace}` : ''}/${t.resource}`;
  }

  // ---------------------------------------------------------------------------------------------------------
  // ClusterView: the store as controllers see it (no authorization, no admission)

  private key(t: ResourceType, namespace: string | undefined, name: string): string {
    return `${t.group}/${t.resource}/${t.namespaced ? (namespace ?? '') : ''}/${name}`;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.store.get(this.key(this.discovery.ofKind(apiVersion, kind), namespace, name));
    return o && clone(o);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const t = this.discovery.ofKind(apiVersion, kind);
    return this.listOf(t, namespace);
  }

  private listOf(t: ResourceType, namespace?: string): KubeObject[] {
    const prefix = `${t.group}/${t.resource}/${t.namespaced && namespace ? `${namespace}/` : ''}`;
    return [...this.store.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, o]) => clone(o))
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
      );
  }

  create(obj: KubeObject): KubeObject {
    const t = this.discovery.ofKind(obj.apiVersion, obj.kind);
    const o = this.persistNew(t, clone(obj));
    this.fire('create', o);
    return clone(o);
  }

  update(obj: KubeObject): KubeObject {
    const t = this.discovery.ofKind(obj.apiVersion, obj.kind);
    const k = this.key(t, obj.metadata.namespace, obj.metadata.name!);
    const old = this.store.get(k);
    if (!old) throw new StatusError(404, 'NotFound', `${qualified(t, obj.metadata.name)} not found`);
    const o = {
      ...clone(obj),
      metadata: { ...clone(obj.metadata), uid: old.metadata.uid, resourceVersion: String(++this.resourceVersion) },
    };
    this.store.set(k, o);
    this.fire('update', o, old);
    return clone(o);
  }

  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const t = this.discovery.ofKind(apiVersion, kind);
    this.remove(t, namespace, name);
  }

  private remove(t: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const k = this.key(t, namespace, name);
    const old = this.store.get(k);
    if (!old)
      throw new StatusError(404, 'NotFound', `${qualified(t, name)} not found`, {
        name,
        group: t.group,
        kind: t.resource,
      });
    this.store.delete(k);
    if (t.group === '' && t.resource === 'namespaces') {
      // the namespace controller: everything in it goes (kubernetes pkg/controller/namespace/deletion)
      for (const [key, o] of [...this.store.entries()]) {
        if (o.metadata.namespace === name && this.discovery.ofKind(o.apiVersion, o.kind).namespaced) {
          this.store.delete(key);
          this.fire('delete', o);
        }
      }
    }
    this.fire('delete', old);
    return old;
  }

  private persistNew(t: ResourceType, o: KubeObject): KubeObject {
    if (!o.metadata.name && o.metadata.generateName) {
      o.metadata.name = `${o.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    const k = this.key(t, o.metadata.namespace, o.metadata.name!);
    if (this.store.has(k)) {
      const e = new StatusError(409, 'AlreadyExists', `${qualified(t, o.metadata.name)} already exists`, {
        name: o.metadata.name,
        group: t.group,
        kind: t.resource,
      });
      throw Object.assign(e, { reason: 'AlreadyExists' });
    }
    if (!t.namespaced) delete o.metadata.namespace;
    o.metadata.uid = randomUUID();
    o.metadata.resourceVersion = String(++this.resourceVersion);
    o.metadata.creationTimestamp = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    if (t.group === '' && t.kind === 'Pod') o.status = { phase: 'Pending', ...((o.status as object) ?? {}) };
    if (t.group === '' && t.kind === 'Namespace') o.status = { phase: 'Active' };
    this.store.set(k, o);
    return o;
  }

  // ---------------------------------------------------------------------------------------------------------
  // the request chain

  /** Serves one request for the holder of `token` (undefined: anonymous). */
  handle(token: string | undefined, req: ApiRequest): ApiAnswer {
    const user = token === undefined ? undefined : this.tokens.get(token);
    if (!user) {
      return { code: 401, body: new StatusError(401, 'Unauthorized', 'Unauthorized').status, warnings: [] };
    }
    return this.handleAs(user, req);
  }

  private handleAs(user: UserInfo, req: ApiRequest): ApiAnswer {
    const warnings: string[] = [];
    let parsed: ParsedPath | undefined;
    let verb = '';
    try {
      parsed = this.parsePath(req.path);
      verb = this.verbOf(req.method, parsed);
      const attrs: RequestAttributes = {
        user,
        verb,
        apiGroup: parsed.type.group,
        resource: parsed.type.resource,
        subresource: parsed.subresource,
        namespace: parsed.namespace,
        name: parsed.name, // a create has no name in the URL, so a rule with resourceNames never allows it
      };
      if (!rbacAllows(this.rbacObjects(), attrs)) {
        throw new StatusError(403, 'Forbidden', forbiddenMessage(attrs), {
          name: parsed.name,
          group: parsed.type.group,
          kind: parsed.type.resource,
        });
      }
      const body = this.serve(user, verb, parsed, req, warnings);
      this.record(user, verb, parsed, 200);
      return { code: verb === 'create' ? 201 : 200, body, warnings };
    } catch (e) {
      const s = e instanceof StatusError ? e : new StatusError(500, 'InternalError', (e as Error).message);
      if (parsed) this.record(user, verb, parsed, s.code, s.message);
      return { code: s.code, body: s.status, warnings };
    }
  }

  private record(user: UserInfo, verb: string, p: ParsedPath, code: number, message?: string): void {
    this.requests.push({
      user: user.username,
      verb,
      group: p.type.group,
      resource: p.type.resource,
      namespace: p.namespace,
      name: p.name,
      code,
      message,
    });
  }

  private parsePath(path: string): ParsedPath {
    const url = new URL(path, 'http://x');
    const segs = url.pathname.split('/').filter((s) => s !== '');
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) {
      [group, version, rest] = ['', segs[1], segs.slice(2)];
    } else if (segs[0] === 'apis' && segs.length >= 3) {
      [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
    } else {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = rest[0] ? this.discovery.ofResource(group, version, rest[0]) : undefined;
    if (!type || rest.length > 3 || (namespace !== undefined && !type.namespaced)) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    return { type, namespace, name: rest[1], subresource: rest[2], query: url.searchParams };
  }

  private verbOf(method: string, p: ParsedPath): string {
    switch (method) {
      case 'GET':
        return p.name ? 'get' : p.query.get('watch') === 'true' ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return p.name ? 'delete' : 'deletecollection';
      default:
        throw new StatusError(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        );
    }
  }

  private rbacObjects() {
    const rbac = 'rbac.authorization.k8s.io/v1';
    return {
      roles: this.list(rbac, 'Role'),
      clusterRoles: this.list(rbac, 'ClusterRole'),
      roleBindings: this.list(rbac, 'RoleBinding'),
      clusterRoleBindings: this.list(rbac, 'ClusterRoleBinding'),
    };
  }

  private serve(user: UserInfo, verb: string, p: ParsedPath, req: ApiRequest, warnings: string[]): unknown {
    const t = p.type;
    switch (verb) {
      case 'get': {
        const o = this.store.get(this.key(t, p.namespace, p.name!));
        if (!o)
          throw new StatusError(404, 'NotFound', `${qualified(t, p.name)} not found`, {
            name: p.name,
            group: t.group,
            kind: t.resource,
          });
        return clone(o);
      }
      case 'list': {
        const selector = p.query.get('labelSelector');
        const s = selector ? parseLabelSelector(selector) : undefined;
        const items = this.listOf(t, p.namespace).filter((o) => !s || selectorMatches(s, o.metadata.labels ?? {}));
        const apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
        return {
          apiVersion,
          kind: `${t.kind}List`,
          metadata: { resourceVersion: String(this.resourceVersion) },
          items,
        };
      }
      case 'create':
        return this.serveCreate(user, p, req.body, warnings);
      case 'update':
      case 'patch':
        return this.serveUpdate(user, verb, p, req, warnings);
      case 'delete':
        return this.serveDelete(user, p, warnings);
      default:
        throw new StatusError(405, 'MethodNotAllowed', `${verb} is not served by the emulated API server`);
    }
  }

  private checkBody(p: ParsedPath, body: unknown): KubeObject {
    const t = p.type;
    const o = body as KubeObject;
    if (!o || typeof o !== 'object' || typeof o.metadata !== 'object' || o.metadata === null) {
      throw new StatusError(400, 'BadRequest', 'the body of the request is not a Kubernetes object');
    }
    const apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
    if (o.apiVersion !== apiVersion || o.kind !== t.kind) {
      throw new StatusError(
        400,
        'BadRequest',
        `the API version in the data (${o.apiVersion}) does not match the expected API version (${apiVersion})`,
      );
    }
    if (t.namespaced) {
      if (o.metadata.namespace !== undefined && o.metadata.namespace !== p.namespace) {
        throw new StatusError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      o.metadata.namespace = p.namespace;
    }
    return o;
  }

  private invalid(t: ResourceType, name: string | undefined, problems: string[]): StatusError {
    return new StatusError(
      422,
      'Invalid',
      `${t.kind}${t.group ? `.${t.group}` : ''} "${name ?? ''}" is invalid: ${problems.join('; ')}`,
      {
        name,
        group: t.group,
        kind: t.kind,
      },
    );
  }

  private validateSchema(t: ResourceType, o: KubeObject): void {
    const key = JSON.stringify([this.options.schemaVersions ?? {}, o]);
    let errors = schemaVerdicts.get(key);
    if (!errors) {
      errors = validateObjects([{ file: 'request', object: o }], {
        crdDir: false,
        ...(this.options.schemaVersions ? { versions: this.options.schemaVersions } : {}),
      }).errors;
      schemaVerdicts.set(key, errors);
    }
    if (errors.length)
      throw this.invalid(
        t,
        o.metadata.name,
        errors.map((e) => e.replace(/^request: [^:]+: /, '')),
      );
  }

  private namespaceOf(p: ParsedPath): KubeObject | null {
    if (!p.type.namespaced || !p.namespace) return null;
    return this.get('v1', 'Namespace', undefined, p.namespace) ?? null;
  }

  private serveCreate(user: UserInfo, p: ParsedPath, body: unknown, warnings: string[]): KubeObject {
    const t = p.type;
    const o = this.checkBody(p, clone(body));
    if (!o.metadata.name && !o.metadata.generateName) {
      throw this.invalid(t, undefined, ['metadata.name: Required value: name or generateName is required']);
    }
    // NamespaceLifecycle (kubernetes plugin/pkg/admission/namespace/lifecycle)
    const ns = this.namespaceOf(p);
    if (t.namespaced && !ns)
      throw new StatusError(404, 'NotFound', `namespaces "${p.namespace}" not found`, {
        name: p.namespace,
        kind: 'namespaces',
      });
    if (ns?.metadata.deletionTimestamp) {
      throw new StatusError(
        403,
        'Forbidden',
        `${qualified(t, o.metadata.name)} is forbidden: unable to create new content in namespace ${p.namespace} because it is being terminated`,
      );
    }
    if (t.group === '' && t.kind === 'Pod') this.admitServiceAccount(o);
    this.validateSchema(t, o);
    if (o.metadata.generateName && !o.metadata.name) {
      o.metadata.name = `${o.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    this.validatingAdmission(user, 'CREATE', p, o, null, ns, warnings);
    const stored = this.persistNew(t, o);
    this.fire('create', stored);
    return clone(stored);
  }

  private serveUpdate(user: UserInfo, verb: string, p: ParsedPath, req: ApiRequest, warnings: string[]): KubeObject {
    const t = p.type;
    const k = this.key(t, p.namespace, p.name!);
    const old = this.store.get(k);
    if (!old)
      throw new StatusError(404, 'NotFound', `${qualified(t, p.name)} not found`, {
        name: p.name,
        group: t.group,
        kind: t.resource,
      });
    let next: KubeObject;
    if (verb === 'patch') {
      if (req.contentType !== 'application/merge-patch+json') {
        throw new StatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`,
        );
      }
      next = mergePatch(clone(old), req.body) as KubeObject;
    } else {
      next = this.checkBody(p, clone(req.body));
    }
    next.metadata = { ...next.metadata, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
    this.validateSchema(t, next);
    this.validatingAdmission(user, 'UPDATE', p, next, clone(old), this.namespaceOf(p), warnings);
    next.metadata.resourceVersion = String(++this.resourceVersion);
    this.store.set(k, next);
    this.fire('update', next, old);
    return clone(next);
  }

  private serveDelete(user: UserInfo, p: ParsedPath, warnings: string[]): unknown {
    const t = p.type;
    const old = this.store.get(this.key(t, p.namespace, p.name!));
    if (!old)
      throw new StatusError(404, 'NotFound', `${qualified(t, p.name)} not found`, {
        name: p.name,
        group: t.group,
        kind: t.resource,
      });
    this.validatingAdmission(user, 'DELETE', p, null, clone(old), this.namespaceOf(p), warnings);
    const removed = this.remove(t, p.namespace, p.name!);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: removed.metadata.name, group: t.group, kind: t.resource, uid: removed.metadata.uid },
    };
  }

  /** The ServiceAccount admission plugin (kubernetes plugin/pkg/admission/serviceaccount `Admit`). */
  private admitServiceAccount(pod: KubeObject): void {
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    spec.serviceAccountName ??= 'default';
    const sa = this.get('v1', 'ServiceAccount', pod.metadata.namespace, spec.serviceAccountName as string);
    if (!sa) {
      throw new StatusError(
        403,
        'Forbidden',
        `pods "${pod.metadata.name ?? ''}" is forbidden: error looking up service account ${pod.metadata.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`,
      );
    }
    const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
    if (automount) {
      const name = `kube-api-access-${randomBytes(3).toString('hex').slice(0, 5)}`;
      spec.volumes = [
        ...((spec.volumes as unknown[]) ?? []),
        { name, projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      ];
    }
    pod.spec = spec;
  }

  private validatingAdmission(
    user: UserInfo,
    operation: 'CREATE' | 'UPDATE' | 'DELETE',
    p: ParsedPath,
    object: KubeObject | null,
    oldObject: KubeObject | null,
    namespaceObject: KubeObject | null,
    warnings: string[],
  ): void {
    const t = p.type;
    const name = (object ?? oldObject)?.metadata.name ?? '';
    if (t.group === '' && t.kind === 'Pod' && object && operation !== 'DELETE') {
      const violation = podSecurityViolation(
        enforceLevel(namespaceObject?.metadata.labels),
        object.metadata,
        object.spec as object,
      );
      if (violation)
        throw new StatusError(403, 'Forbidden', `pods "${name}" is forbidden: ${violation}`, { name, kind: 'pods' });
    }
    const attrs: AdmissionAttributes = {
      operation,
      group: t.group,
      version: t.version,
      resource: t.resource,
      subresource: p.subresource ?? '',
      kind: t.kind,
      namespace: p.namespace ?? (t.group === '' && t.resource === 'namespaces' ? name : ''),
      name,
      user,
      object,
      oldObject,
      namespaceObject,
      namespaced: t.namespaced,
    };
    const adm = 'admissionregistration.k8s.io/v1';
    const verdict = admitByPolicies(
      this.list(adm, 'ValidatingAdmissionPolicy'),
      this.list(adm, 'ValidatingAdmissionPolicyBinding'),
      attrs,
    );
    warnings.push(...verdict.warnings);
    this.auditAnnotations.push(...verdict.audit);
    if (verdict.denied) {
      // admission.NewForbidden(a, err), then the policy's reason and code (dispatcher.go)
      throw new StatusError(
        verdict.denied.code,
        verdict.denied.reason,
        `${qualified(t, name)} is forbidden: ${verdict.denied.message}`,
        {
          name,
          group: t.group,
          kind: t.resource,
        },
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // HTTP(S)

  /** Serves on 127.0.0.1 (HTTPS when `tls` is given), on a free port. */
  async listen(tls?: {
    key: string;
    cert: string;
  }): Promise<{ baseUrl: string; port: number; close: () => Promise<void> }> {
    const handler: http.RequestListener = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          const s = new StatusError(400, 'BadRequest', 'the body of the request is not JSON');
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify(s.status));
          return;
        }
        const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
        const answer = this.handle(auth?.[1], {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          body,
          contentType: req.headers['content-type'],
        });
        const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json' };
        if (answer.warnings.length) headers.Warning = answer.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
        res.writeHead(answer.code, headers).end(JSON.stringify(answer.body));
      });
    };
    const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return {
      baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
      port,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }
}
