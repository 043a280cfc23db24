/**
 * The emulated API server answers like the real one, on the seed's committed dist/ (its RBAC, its policies, its
 * restores/): authentication, RBAC with resourceNames and aggregation, the object store's Status bodies, and the
 * ValidatingAdmissionPolicy semantics the rendered policies do not exercise themselves (Warn, Audit,
 * failurePolicy, compile errors, selectors), each on a rendered policy changed in one field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readRendered } from '../../lib/validation/validate-dist';
import { compile } from './admission-policy';
import { fakeCluster, syncedObjects, type FakeClusterOptions } from './cluster';
import type { ApiServer } from './api-server';
import type { KubeObject } from './types';

jest.setTimeout(60_000);

type Json = Record<string, any>;
const ROOT = join(__dirname, '..', '..');
const rendered = readRendered(join(ROOT, 'dist')).objects;
const objects = syncedObjects(rendered);
const DRILL = 'restore-drill-daily-critical-pvcs';
const POLICY = `velero-${DRILL}-namespaces`;
const inspect = parse(readFileSync(join(ROOT, 'dist', 'restores', 'namespace-inspect.yaml'), 'utf8')) as KubeObject;

function cluster(options: FakeClusterOptions = {}): { server: ApiServer; drill: string; admin: string } {
  const server = fakeCluster(objects, [], options);
  return { server, drill: server.issueToken('velero', DRILL), admin: server.issueAdminToken() };
}
const nsBody = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const scratch = (name = 'drill-loki') => nsBody(name, { 'velero-cdk8s.io/restore-drill': DRILL });
/** The rendered objects with `change` applied to the one named `name`. */
const changing =
  (kind: string, name: string, change: (o: Json) => void): FakeClusterOptions['replace'] =>
  (objs) =>
    objs.map((o) => {
      if (o.kind !== kind || o.metadata.name !== name) return o;
      const copy = JSON.parse(JSON.stringify(o)) as Json;
      change(copy);
      return copy as KubeObject;
    });

describe('authentication and RBAC', () => {
  const { server, drill } = cluster();

  test('a request without a known token is 401 Unauthorized', () => {
    expect(server.handle('nope', { method: 'GET', path: '/api/v1/namespaces' })).toMatchObject({
      code: 401,
      body: { kind: 'Status', reason: 'Unauthorized' },
    });
  });

  test.each<[string, string, string, number]>([
    ['get its scratch namespace (resourceNames), absent', 'GET', '/api/v1/namespaces/drill-loki', 404],
    ['get a namespace outside its resourceNames', 'GET', '/api/v1/namespaces/loki', 403],
    ["list the schedule's Backups in velero (its Role)", 'GET', '/apis/velero.io/v1/namespaces/velero/backups', 200],
    ['list Backups in default (the Role is velero only)', 'GET', '/apis/velero.io/v1/namespaces/default/backups', 403],
    ['list ConfigMaps in velero (never granted)', 'GET', '/api/v1/namespaces/velero/configmaps', 403],
    ['list PVCs of every namespace (its ClusterRole)', 'GET', '/api/v1/persistentvolumeclaims', 200],
  ])('the drill ServiceAccount may: %s -> %s', (_, method, path, code) => {
    expect(server.handle(drill, { method, path }).code).toBe(code);
  });

  test('a refusal is worded as the API server words it', () => {
    expect(server.handle(drill, { method: 'GET', path: '/api/v1/namespaces/loki' }).body).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message: `namespaces "loki" is forbidden: User "system:serviceaccount:velero:${DRILL}" cannot get resource "namespaces" in API group "" at the cluster scope`,
    });
  });

  test("an aggregated ClusterRole grants the rules of the ClusterRoles its selector selects (the drill's, by its labels)", () => {
    const aggregated: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'aggregate' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'app.kubernetes.io/component': 'restore-drill' } }] },
    };
    const { server: s, drill: token } = cluster({
      replace: (objs) => [
        ...changing('ClusterRoleBinding', `velero-${DRILL}`, (b) => (b.roleRef.name = 'aggregate'))!(objs),
        aggregated,
      ],
    });
    expect(s.handle(token, { method: 'GET', path: '/api/v1/persistentvolumeclaims' }).code).toBe(200);
    expect(s.handle(token, { method: 'GET', path: '/api/v1/namespaces/loki' }).code).toBe(403);
  });
});

describe('the object store', () => {
  const { server, admin } = cluster();
  const restores = '/apis/velero.io/v1/namespaces/velero/restores';

  test('POST of the rendered restores/ Restore fills name (generateName), uid, resourceVersion and creationTimestamp', () => {
    const answer = server.handle(admin, { method: 'POST', path: restores, body: inspect });
    expect(answer.code).toBe(201);
    expect((answer.body as KubeObject).metadata).toMatchObject({
      name: expect.stringMatching(/^namespace-inspect-[0-9a-f]{5}$/),
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resourceVersion: expect.stringMatching(/^\d+$/),
      creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
  });

  test.each<[string, () => { code: number; body: unknown }, Json]>([
    [
      'a second POST of the same name is 409 AlreadyExists',
      () => {
        const named = { ...inspect, metadata: { ...inspect.metadata, generateName: undefined, name: 'twice' } };
        server.handle(admin, { method: 'POST', path: restores, body: named });
        return server.handle(admin, { method: 'POST', path: restores, body: named });
      },
      { code: 409, reason: 'AlreadyExists', message: 'restores.velero.io "twice" already exists' },
    ],
    [
      "a body whose namespace is not the URL's is 400 BadRequest",
      () =>
        server.handle(admin, { method: 'POST', path: '/apis/velero.io/v1/namespaces/default/restores', body: inspect }),
      { code: 400, reason: 'BadRequest', message: expect.stringContaining('does not match the namespace') },
    ],
    [
      'a GET of a missing object is 404 NotFound',
      () => server.handle(admin, { method: 'GET', path: `${restores}/missing` }),
      { code: 404, reason: 'NotFound', message: 'restores.velero.io "missing" not found' },
    ],
    [
      'a POST into a missing namespace is 404 (NamespaceLifecycle)',
      () =>
        server.handle(admin, {
          method: 'POST',
          path: '/apis/velero.io/v1/namespaces/nowhere/restores',
          body: { ...inspect, metadata: { ...inspect.metadata, namespace: undefined } },
        }),
      { code: 404, reason: 'NotFound', message: 'namespaces "nowhere" not found' },
    ],
    [
      'an object against its committed schema is 422 Invalid',
      () =>
        server.handle(admin, {
          method: 'POST',
          path: restores,
          body: { ...inspect, spec: { ...(inspect.spec as object), includedNamespaces: 'loki' } },
        }),
      { code: 422, reason: 'Invalid', message: expect.stringContaining('spec.includedNamespaces') },
    ],
  ])('%s', (_, call, status) => {
    const answer = call();
    expect(answer.code).toBe(status.code);
    expect(answer.body).toMatchObject({ kind: 'Status', status: 'Failure', ...status });
  });

  test('LIST filters by labelSelector; a merge PATCH sets and (null) removes fields', () => {
    const path = '/api/v1/namespaces';
    server.handle(admin, { method: 'POST', path, body: nsBody('one', { team: 'a' }) });
    server.handle(admin, { method: 'POST', path, body: nsBody('two', { team: 'b' }) });
    const names = (selector: string) =>
      (
        (
          server.handle(admin, { method: 'GET', path: `${path}?labelSelector=${encodeURIComponent(selector)}` })
            .body as Json
        ).items as KubeObject[]
      ).map((o) => o.metadata.name);
    expect([names('team=a'), names('team in (a,b)'), names('team!=a,team')]).toEqual([
      ['one'],
      ['one', 'two'],
      ['two'],
    ]);
    const patched = server.handle(admin, {
      method: 'PATCH',
      path: `${path}/one`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { team: null, tier: 'x' } } },
    });
    expect((patched.body as KubeObject).metadata.labels).toEqual({ tier: 'x' });
  });
});

describe('ValidatingAdmissionPolicy semantics, on the rendered namespaces policy', () => {
  const post = (server: ApiServer, token: string, body: unknown) =>
    server.handle(token, { method: 'POST', path: '/api/v1/namespaces', body });

  test('the drill ServiceAccount creating another namespace is refused 422 with the policy, binding and message', () => {
    const { server, drill } = cluster();
    expect(post(server, drill, nsBody('prod')).body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: `namespaces "prod" is forbidden: ValidatingAdmissionPolicy '${POLICY}' with binding '${POLICY}' denied request: the restore drill may create only its scratch namespaces (drill-default, drill-loki, drill-pihole), labelled velero-cdk8s.io/restore-drill=${DRILL}`,
    });
    expect(post(server, drill, scratch()).code).toBe(201);
  });

  test('another user does not match the matchConditions: the policy does not apply', () => {
    const { server, admin } = cluster();
    expect(post(server, admin, nsBody('prod')).code).toBe(201);
  });

  test.each<[string, FakeClusterOptions['replace'], number, Json]>([
    [
      'validationActions Warn admits with a warning',
      changing('ValidatingAdmissionPolicyBinding', POLICY, (b) => (b.spec.validationActions = ['Warn'])),
      201,
      { warnings: [expect.stringContaining(`Validation failed for ValidatingAdmissionPolicy '${POLICY}'`)] },
    ],
    [
      'validationActions Audit admits and records an audit annotation',
      changing('ValidatingAdmissionPolicyBinding', POLICY, (b) => (b.spec.validationActions = ['Audit'])),
      201,
      { audit: [expect.stringContaining(`${POLICY}/${POLICY}/0`)] },
    ],
    [
      'an evaluation error (oldObject is null on CREATE) refuses under failurePolicy Fail',
      changing(
        'ValidatingAdmissionPolicy',
        POLICY,
        (p) => (p.spec.validations[0].expression = "oldObject.metadata.name == 'x'"),
      ),
      422,
      { message: expect.stringContaining('resulted in error') },
    ],
    [
      'the same error is ignored under failurePolicy Ignore',
      changing('ValidatingAdmissionPolicy', POLICY, (p) => {
        p.spec.failurePolicy = 'Ignore';
        p.spec.validations[0].expression = "oldObject.metadata.name == 'x'";
      }),
      201,
      {},
    ],
    [
      'an undeclared variable is a compile error, refused under Fail',
      changing(
        'ValidatingAdmissionPolicy',
        POLICY,
        (p) => (p.spec.validations[0].expression = 'obj.metadata.name != ""'),
      ),
      422,
      { message: expect.stringContaining('compilation error') },
    ],
    [
      'a misspelt request field is a compile error (request is typed)',
      changing(
        'ValidatingAdmissionPolicy',
        POLICY,
        (p) => (p.spec.validations[0].expression = "request.operaton == 'CREATE'"),
      ),
      422,
      { message: expect.stringContaining('compilation error') },
    ],
    [
      'an objectSelector the object does not match: the policy does not apply',
      changing(
        'ValidatingAdmissionPolicy',
        POLICY,
        (p) => (p.spec.matchConstraints.objectSelector = { matchLabels: { tier: 'x' } }),
      ),
      201,
      {},
    ],
    [
      "a namespaceSelector the Namespace's own labels do not match: the policy does not apply",
      changing(
        'ValidatingAdmissionPolicy',
        POLICY,
        (p) => (p.spec.matchConstraints.namespaceSelector = { matchLabels: { tier: 'x' } }),
      ),
      201,
      {},
    ],
    [
      'excludeResourceRules naming the request: the policy does not apply',
      changing(
        'ValidatingAdmissionPolicy',
        POLICY,
        (p) => (p.spec.matchConstraints.excludeResourceRules = p.spec.matchConstraints.resourceRules),
      ),
      201,
      {},
    ],
    [
      'apiVersions that do not include v1: the policy does not apply',
      changing(
        'ValidatingAdmissionPolicy',
        POLICY,
        (p) => (p.spec.matchConstraints.resourceRules[0].apiVersions = ['v2']),
      ),
      201,
      {},
    ],
  ])('%s', (_, replace, code, extra) => {
    const { server, drill } = cluster({ replace });
    const answer = post(server, drill, nsBody('prod'));
    expect(answer.code).toBe(code);
    if (extra.warnings) expect(answer.warnings).toEqual(extra.warnings);
    if (extra.audit) expect(server.auditAnnotations).toEqual(extra.audit);
    if (extra.message) expect((answer.body as Json).message).toEqual(extra.message);
  });

  test('on DELETE, object is null and oldObject the live object (the rendered DELETE rule reads oldObject)', () => {
    const { server, drill, admin } = cluster();
    post(server, admin, nsBody('drill-pihole'));
    expect(server.handle(drill, { method: 'DELETE', path: '/api/v1/namespaces/drill-pihole' }).code).toBe(422);
    post(server, drill, scratch());
    expect(server.handle(drill, { method: 'DELETE', path: '/api/v1/namespaces/drill-loki' }).code).toBe(200);
  });
});

describe('Pod Security admission through the chain', () => {
  test('the rendered server pod made privileged is refused 403 in velero (enforce: restricted), worded as the plugin', () => {
    const { server, admin } = cluster();
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'velero')!;
    const spec = JSON.parse(JSON.stringify((deployment.spec as Json).template.spec)) as Json;
    spec.containers[0].securityContext.privileged = true;
    const answer = server.handle(admin, {
      method: 'POST',
      path: '/api/v1/namespaces/velero/pods',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'velero-x' }, spec },
    });
    expect(answer.body).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: expect.stringMatching(
        /^pods "velero-x" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "velero" must not set securityContext.privileged=true\)/,
      ),
    });
  });
});

describe("the rendered policies compile in Kubernetes' CEL environment (request typed, object dyn)", () => {
  const expressions = objects
    .filter((o) => o.kind === 'ValidatingAdmissionPolicy')
    .flatMap((o) => {
      const spec = o.spec as Json;
      return [...spec.matchConditions, ...spec.validations].map(
        (e: { expression: string }, i: number) => [`${o.metadata.name}[${i}]`, e.expression] as const,
      );
    });

  test('there are the five policies with their conditions', () => {
    expect(expressions.length).toBeGreaterThanOrEqual(13);
  });

  test.each(expressions)('%s', (_, expression) => {
    expect(compile(expression).error).toBeUndefined();
  });
});
