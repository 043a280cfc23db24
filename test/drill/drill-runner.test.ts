import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  configFromEnv,
  httpKubeApi,
  inClusterKubeApi,
  main,
  restoreName,
  runDrill,
  validateDrillConfig,
  VERIFY_SCRIPT,
  type DrillConfig,
} from '../../drill/runner';
import {
  FakeKube,
  recordRunnerPermissions,
  runScenario,
  SCENARIO_CONFIG,
  SCENARIOS,
  TEST_CONFIG,
} from '../fixtures/drill/fake-kube';

const NOW = new Date('2025-06-05T05:00:00Z');
const RESTORE = 'drill-daily-critical-pvcs-20250605050000';
const at = { now: () => NOW };

function lastLine(logs: string[]): string {
  return logs[logs.length - 1];
}

describe('a passing drill', () => {
  test('restores the newest Completed backup of the schedule, by completionTimestamp', async () => {
    const { result, logs } = await runScenario(SCENARIOS.passing, {}, at);
    expect(result).toEqual({
      passed: true,
      backupName: 'daily-critical-pvcs-20250602020000',
      restoreName: RESTORE,
      cleanupProblems: [],
    });
    expect(lastLine(logs)).toMatch(
      /^drill result=passed backup=daily-critical-pvcs-20250602020000 restore=drill-daily-critical-pvcs-20250605050000 seconds=\d+$/,
    );
  });

  test('lists only the Backups of its schedule (label selector velero.io/schedule-name)', async () => {
    const { fake } = await runScenario(SCENARIOS.passing, {}, at);
    expect(fake.callsTo('list', 'backups').map((c) => c.path)).toEqual([
      '/apis/velero.io/v1/namespaces/velero/backups?labelSelector=velero.io%2Fschedule-name%3Ddaily-critical-pvcs',
    ]);
  });

  test('creates the Restore with the mapping, the resources, restorePVs and existingResourcePolicy none', async () => {
    const { fake } = await runScenario(SCENARIOS.passing, {}, at);
    const [create] = fake.callsTo('create', 'restores');
    expect(create.path).toBe('/apis/velero.io/v1/namespaces/velero/restores');
    expect(create.body).toEqual({
      apiVersion: 'velero.io/v1',
      kind: 'Restore',
      metadata: {
        name: RESTORE,
        namespace: 'velero',
        labels: { 'velero-cdk8s.io/restore-drill': 'restore-drill-daily-critical-pvcs' },
      },
      spec: {
        backupName: 'daily-critical-pvcs-20250602020000',
        includedNamespaces: ['loki', 'pihole'],
        namespaceMapping: { loki: 'drill-loki', pihole: 'drill-pihole' },
        // sorted: restoreSpec (lib/restore/restore-spec.ts) renders lists deterministically
        includedResources: [
          'persistentvolumeclaims',
          'volumesnapshotcontents.snapshot.storage.k8s.io',
          'volumesnapshots.snapshot.storage.k8s.io',
        ],
        restorePVs: true,
        existingResourcePolicy: 'none',
      },
    });
  });

  test('creates the scratch namespaces, marked as its own, before the Restore', async () => {
    const { fake } = await runScenario(SCENARIOS.passing, {}, at);
    const creates = fake.calls.filter((c) => c.verb === 'create').map((c) => `${c.resource}/${c.body?.metadata.name}`);
    expect(creates.slice(0, 3)).toEqual(['namespaces/drill-loki', 'namespaces/drill-pihole', `restores/${RESTORE}`]);
    expect(fake.callsTo('create', 'namespaces')[0].body?.metadata).toEqual({
      name: 'drill-loki',
      labels: {
        'velero-cdk8s.io/restore-drill': 'restore-drill-daily-critical-pvcs',
        'app.kubernetes.io/managed-by': 'velero-cdk8s',
      },
      annotations: { 'velero-cdk8s.io/restore-drill-run': RESTORE },
    });
  });

  test('mounts every restored PVC read-only in a restricted verify pod that reads the declared paths', async () => {
    const { fake } = await runScenario(SCENARIOS.passing, {}, at);
    const pods = fake.callsTo('create', 'pods').map((c) => c.body!);
    expect(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'drill-loki/verify-0-storage-loki-0',
      'drill-pihole/verify-1-pihole-config',
    ]);
    const pihole = pods[1];
    expect(pihole.spec).toEqual({
      restartPolicy: 'Never',
      activeDeadlineSeconds: 10,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 999,
        runAsGroup: 999,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'verify',
          image: 'node:24.22.3-alpine',
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', VERIFY_SCRIPT, 'verify', '/volume', 'test.txt'],
          volumeMounts: [{ name: 'data', mountPath: '/volume', readOnly: true }],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          terminationMessagePolicy: 'FallbackToLogsOnError',
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pihole-config' } }],
    });
    // no runAsUser declared for loki: nobody
    expect((pods[0].spec as { securityContext: { runAsUser: number } }).securityContext.runAsUser).toBe(65534);
  });

  test('cleans up: verify pods, scratch PVs set to Delete, scratch namespaces, restored snapshot contents, the Restore', async () => {
    const { fake } = await runScenario(SCENARIOS.passing, {}, at);
    expect(fake.callsTo('delete', 'pods').map((c) => c.path)).toEqual([
      '/api/v1/namespaces/drill-loki/pods/verify-0-storage-loki-0',
      '/api/v1/namespaces/drill-pihole/pods/verify-1-pihole-config',
    ]);
    expect(fake.callsTo('patch', 'persistentvolumes').map((c) => c.body)).toEqual([
      { spec: { persistentVolumeReclaimPolicy: 'Delete' } },
      { spec: { persistentVolumeReclaimPolicy: 'Delete' } },
    ]);
    expect(fake.callsTo('delete', 'namespaces').map((c) => c.name)).toEqual(['drill-loki', 'drill-pihole']);
    expect(fake.callsTo('delete', 'volumesnapshotcontents').map((c) => c.name)).toEqual([
      `snapcontent-${RESTORE}-storage-loki-0`,
      `snapcontent-${RESTORE}-pihole-config`,
    ]);
    expect(fake.callsTo('delete', 'restores').map((c) => c.name)).toEqual([RESTORE]);
    expect(fake.objects('', 'namespaces').map((n) => n.metadata.name)).toEqual([
      'velero',
      'loki',
      'pihole',
      'default',
      'kube-system',
    ]);
  });

  test('does not patch PVs whose StorageClass already reclaims with Delete', async () => {
    const { result, fake } = await runScenario({ reclaimPolicy: 'Delete' }, {}, at);
    expect(result.passed).toBe(true);
    expect(fake.callsTo('patch', 'persistentvolumes')).toEqual([]);
  });

  test('logs one line per step, naming the step and its status', async () => {
    const { logs } = await runScenario(SCENARIOS.passing, {}, at);
    const steps = logs.filter((l) => / status=(start|ok)$/.test(l));
    expect(steps).toEqual([
      'drill step=preflight status=start',
      'drill step=preflight status=ok',
      'drill step=pick-backup status=start',
      'drill step=pick-backup status=ok',
      'drill step=create-restore status=start',
      'drill step=create-restore status=ok',
      'drill step=wait-restore status=start',
      'drill step=wait-restore status=ok',
      'drill step=verify-pvc-bound status=start',
      'drill step=verify-pvc-bound status=ok',
      'drill step=verify-read status=start',
      'drill step=verify-read status=ok',
      'drill step=cleanup status=start',
      'drill step=cleanup status=ok',
    ]);
  });
});

describe('a failing drill names the step and still cleans up', () => {
  test('a restore that ends PartiallyFailed fails at wait-restore with the phase and the error count', async () => {
    const { result, fake, logs } = await runScenario(SCENARIOS['restore ends PartiallyFailed'], {}, at);
    expect(result.failedStep).toBe('wait-restore');
    expect(result.message).toBe(
      `restore '${RESTORE}' of backup 'daily-critical-pvcs-20250602020000' ended PartiallyFailed (2 errors, 5 warnings); ` +
        `see 'velero restore describe ${RESTORE} --details' and 'velero restore logs ${RESTORE}' before the next run`,
    );
    expect(lastLine(logs)).toMatch(/^drill result=failed step=wait-restore /);
    expect(fake.callsTo('create', 'pods')).toEqual([]);
    expect(fake.callsTo('delete', 'namespaces').map((c) => c.name)).toEqual(['drill-loki', 'drill-pihole']);
    expect(fake.callsTo('delete', 'volumesnapshotcontents')).toHaveLength(2);
    expect(fake.callsTo('delete', 'restores').map((c) => c.name)).toEqual([RESTORE]);
  });

  test('a Failed restore reports its failure reason', async () => {
    const { result } = await runScenario(
      { restorePhase: 'Failed', restoreErrors: 1, restoreFailureReason: 'error downloading backup' },
      {},
      at,
    );
    expect(result.failedStep).toBe('wait-restore');
    expect(result.message).toContain(`ended Failed (1 errors, 0 warnings, failure reason: error downloading backup)`);
  });

  test('a restore that never finishes fails at wait-restore after its timeout', async () => {
    const { result, fake } = await runScenario({ restoreNeverFinishes: true }, { restoreTimeoutSeconds: 0.2 }, at);
    expect(result.failedStep).toBe('wait-restore');
    expect(result.message).toBe(`restore '${RESTORE}' did not finish within 0.2s (last phase InProgress)`);
    expect(fake.callsTo('delete', 'restores').map((c) => c.name)).toEqual([RESTORE]);
  });

  test('a PVC that never binds fails at verify-pvc-bound, and pods, namespaces and Restore are deleted', async () => {
    const { result, fake } = await runScenario(SCENARIOS['PVC never binds'], SCENARIO_CONFIG['PVC never binds'], at);
    expect(result.failedStep).toBe('verify-pvc-bound');
    expect(result.message).toBe(
      'PVCs not Bound after 0.3s: drill-loki/storage-loki-0 (Pending), drill-pihole/pihole-config (Pending); ' +
        "check the StorageClass, the VolumeSnapshots in the scratch namespaces and 'kubectl describe pvc'",
    );
    expect(fake.callsTo('delete', 'pods').map((c) => c.name)).toEqual([
      'verify-0-storage-loki-0',
      'verify-1-pihole-config',
    ]);
    expect(fake.callsTo('patch', 'persistentvolumes')).toEqual([]);
    expect(fake.callsTo('delete', 'namespaces').map((c) => c.name)).toEqual(['drill-loki', 'drill-pihole']);
    expect(fake.callsTo('delete', 'restores').map((c) => c.name)).toEqual([RESTORE]);
  });

  test('a verify pod that cannot read the path fails at verify-read with what the pod reported', async () => {
    const { result, fake, logs } = await runScenario(SCENARIOS['verify pod cannot read the path'], {}, at);
    expect(result.failedStep).toBe('verify-read');
    expect(result.message).toBe(
      "verify pod drill-pihole/verify-1-pihole-config could not read PVC 'pihole-config' (exit code 1): test.txt: cannot be read",
    );
    expect(lastLine(logs)).toMatch(/^drill result=failed step=verify-read /);
    expect(fake.callsTo('delete', 'pods')).toHaveLength(2);
    expect(fake.callsTo('patch', 'persistentvolumes')).toHaveLength(2);
    expect(fake.callsTo('delete', 'namespaces').map((c) => c.name)).toEqual(['drill-loki', 'drill-pihole']);
    expect(fake.callsTo('delete', 'restores').map((c) => c.name)).toEqual([RESTORE]);
  });

  test('a declared PVC the restore did not bring back fails at verify-pvc-bound', async () => {
    const { result, fake } = await runScenario({ restoredPvcs: { loki: ['storage-loki-0'] } }, {}, at);
    expect(result.failedStep).toBe('verify-pvc-bound');
    expect(result.message).toBe(
      "PVC 'pihole/pihole-config' was not restored (looked in 'drill-pihole'); restored: drill-loki/storage-loki-0",
    );
    expect(fake.callsTo('delete', 'namespaces')).toHaveLength(2);
  });

  test('a restore that brings back no PVC at all fails at verify-pvc-bound', async () => {
    const { result } = await runScenario({ restoredPvcs: {} }, { verify: [] }, at);
    expect(result.failedStep).toBe('verify-pvc-bound');
    expect(result.message).toBe(
      'the restore created no PersistentVolumeClaim in drill-loki, drill-pihole: the backup holds no volumes of loki, pihole, ' +
        'or includedResources (persistentvolumeclaims,volumesnapshots.snapshot.storage.k8s.io,volumesnapshotcontents.snapshot.storage.k8s.io) ' +
        'leaves them out; a drill that restores no volume proves nothing',
    );
  });

  test('no Completed backup fails at pick-backup, before anything is created, so nothing is deleted', async () => {
    const { result, fake, logs } = await runScenario(SCENARIOS['no Completed backup'], {}, at);
    expect(result.failedStep).toBe('pick-backup');
    expect(result.message).toBe(
      "no Completed backup of schedule 'daily-critical-pvcs' in namespace 'velero' (found 2: " +
        'daily-critical-pvcs-20250603020000=PartiallyFailed, daily-critical-pvcs-20250604020000=Failed); ' +
        "check 'velero schedule get' and 'velero backup get'",
    );
    expect(lastLine(logs)).toMatch(/^drill result=failed step=pick-backup /);
    expect(fake.calls.filter((c) => c.verb === 'create' || c.verb === 'delete' || c.verb === 'patch')).toEqual([]);
  });

  test('a scratch namespace the drill did not create stops it at preflight, and is never deleted', async () => {
    const { result, fake } = await runScenario(SCENARIOS['foreign namespace in the way'], {}, at);
    expect(result.failedStep).toBe('preflight');
    expect(result.message).toBe(
      "namespace 'drill-pihole' already exists and was not created by this drill (no label velero-cdk8s.io/restore-drill=restore-drill-daily-critical-pvcs); " +
        "the drill never restores into or deletes a namespace it did not create: map to another scratch namespace or remove 'drill-pihole' yourself",
    );
    expect(fake.calls.filter((c) => c.verb === 'create' || c.verb === 'delete' || c.verb === 'patch')).toEqual([]);
    expect(fake.objects('', 'namespaces').map((n) => n.metadata.name)).toContain('drill-pihole');
  });

  test('a scratch namespace another run deleted or relabelled meanwhile is left alone and reported', async () => {
    // the Restore "restores" a namespace mark away: simulate by a foreign label on the scratch namespace after creation
    const fake = await new FakeKube({}).start();
    const api = fake.api();
    const tampering = {
      ...api,
      create: async <T>(path: string, body: unknown): Promise<T> => {
        const b = body as { kind?: string; metadata: { labels?: Record<string, string> } };
        if (b.kind === 'Namespace') b.metadata.labels = { other: 'owner' };
        return api.create<T>(path, body);
      },
    };
    const logs: string[] = [];
    try {
      const result = await runDrill(TEST_CONFIG, tampering, { ...at, log: (l) => logs.push(l) });
      expect(result.cleanupProblems).toEqual([
        "delete scratch namespace 'drill-loki': namespace 'drill-loki' no longer carries this run's mark; left alone",
        "delete scratch namespace 'drill-pihole': namespace 'drill-pihole' no longer carries this run's mark; left alone",
      ]);
      expect(fake.callsTo('delete', 'namespaces')).toEqual([]);
    } finally {
      await fake.stop();
    }
  });

  test('a PV that was not provisioned for the drill keeps its reclaim policy and fails the cleanup step', async () => {
    const { result, fake } = await runScenario({ pvRestoredAsIs: true }, {}, at);
    expect(result.failedStep).toBe('cleanup');
    expect(result.cleanupProblems[0]).toMatch(
      /^release the volumes of 'drill-loki': PV 'pvc-uid-\d+' \(reclaimPolicy Retain\) bound to drill-loki\/storage-loki-0 was not provisioned by this drill; left as is, check it by hand$/,
    );
    expect(fake.callsTo('patch', 'persistentvolumes')).toEqual([]);
    expect(fake.callsTo('delete', 'namespaces')).toHaveLength(2);
  });

  test('SIGTERM (abort) while waiting for the restore stops the wait and still cleans up', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const { result, fake } = await runScenario(
      { restoreNeverFinishes: true },
      { restoreTimeoutSeconds: 30 },
      { ...at, signal: abort.signal },
    );
    expect(result.failedStep).toBe('wait-restore');
    expect(result.message).toBe(
      'aborted: the pod is being stopped (SIGTERM, e.g. the Job reached activeDeadlineSeconds)',
    );
    expect(fake.callsTo('delete', 'namespaces')).toHaveLength(2);
    expect(fake.callsTo('delete', 'restores')).toHaveLength(1);
  });
});

describe('preflight', () => {
  test('removes what a killed run left (its labelled namespace, Restore and snapshot contents), then runs', async () => {
    const { result, fake } = await runScenario(SCENARIOS['leftovers of a killed run'], {}, at);
    expect(result.passed).toBe(true);
    const deletes = fake.calls.filter((c) => c.verb === 'delete').map((c) => `${c.resource}/${c.name}`);
    expect(deletes.slice(0, 3)).toEqual([
      'namespaces/drill-loki',
      'volumesnapshotcontents/snapcontent-old',
      'restores/drill-daily-critical-pvcs-20250501050000',
    ]);
  });

  test('a leftover namespace that never finishes terminating fails preflight', async () => {
    const { result } = await runScenario(
      { ...SCENARIOS['leftovers of a killed run'], namespaceTerminatingReads: 1000 },
      { namespaceDeleteTimeoutSeconds: 0.1 },
      at,
    );
    expect(result.failedStep).toBe('preflight');
    expect(result.message).toBe("scratch namespace 'drill-loki' from an earlier run is still terminating after 0.1s");
  });

  test('a cluster without the snapshot API skips the snapshot-content cleanup', async () => {
    const { result } = await runScenario({ noSnapshotApi: true }, {}, at);
    expect(result).toEqual({
      passed: true,
      backupName: 'daily-critical-pvcs-20250602020000',
      restoreName: RESTORE,
      cleanupProblems: [],
    });
  });

  test('a config that maps onto a source namespace never reaches the API', async () => {
    const { result, fake } = await runScenario(
      {},
      { namespaceMapping: { loki: 'pihole', pihole: 'drill-pihole' } },
      at,
    );
    expect(result.failedStep).toBe('config');
    expect(result.message).toBe(
      "namespaceMapping: target 'pihole' of 'loki' is also a restored source namespace; a drill restores into scratch namespaces only, e.g. 'drill-loki'",
    );
    expect(fake.calls).toEqual([]);
  });
});

describe('the API the runner uses', () => {
  test('is exactly these verbs and resources (the RestoreDrill RBAC grants these and nothing else)', async () => {
    expect(await recordRunnerPermissions()).toEqual([
      'create core/namespaces cluster',
      'create core/pods cluster',
      'create velero.io/restores namespace:velero',
      'delete core/namespaces cluster',
      'delete core/pods cluster',
      'delete snapshot.storage.k8s.io/volumesnapshotcontents cluster',
      'delete velero.io/restores namespace:velero',
      'get core/namespaces cluster',
      'get core/persistentvolumes cluster',
      'get core/pods cluster',
      'get velero.io/restores namespace:velero',
      'list core/persistentvolumeclaims cluster',
      'list snapshot.storage.k8s.io/volumesnapshotcontents cluster',
      'list velero.io/backups namespace:velero',
      'list velero.io/restores namespace:velero',
      'patch core/persistentvolumes cluster',
    ]);
  });

  test('every request carries the current service-account token (re-read for each call: the kubelet rotates it)', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    let n = 0;
    const api = httpKubeApi({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: () => `token-${++n}`,
    });
    await api.get('/api/v1/namespaces/a');
    await api.get('/api/v1/namespaces/b');
    await new Promise<void>((r) => server.close(() => r()));
    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  test('an API error names the call, the status and the reason', async () => {
    const fake = await new FakeKube({}).start();
    try {
      await expect(fake.api().get('/api/v1/namespaces/nope')).rejects.toThrow(
        'GET /api/v1/namespaces/nope: HTTP 404 NotFound: namespaces "nope" not found',
      );
    } finally {
      await fake.stop();
    }
  });

  test('the in-cluster client needs KUBERNETES_SERVICE_HOST', () => {
    expect(() => inClusterKubeApi({})).toThrow('KUBERNETES_SERVICE_HOST is not set: the runner only runs inside a pod');
  });
});

describe('restore names', () => {
  test('are drill-<schedule>-<UTC timestamp>', () => {
    expect(restoreName('daily-critical-pvcs', NOW)).toBe('drill-daily-critical-pvcs-20250605050000');
  });

  test('stay within 63 characters for a long schedule name', () => {
    const name = restoreName(`velero-${'x'.repeat(56)}`, NOW);
    expect(name).toBe(`drill-velero-${'x'.repeat(35)}-20250605050000`);
    expect(name.length).toBe(63);
  });
});

describe('config from the environment', () => {
  const env = {
    VELERO_NAMESPACE: 'velero',
    DRILL_SCHEDULE: 'daily-critical-pvcs',
    DRILL_NAMESPACE_MAPPING: 'loki=drill-loki,pihole=drill-pihole',
    DRILL_INCLUDED_RESOURCES: 'persistentvolumeclaims,volumesnapshots.snapshot.storage.k8s.io',
    DRILL_VERIFY: '[{"namespace":"pihole","pvc":"pihole-config","path":"test.txt"}]',
    DRILL_VERIFY_IMAGE: 'node:24.22.3-alpine',
    DRILL_RESTORE_TIMEOUT_SECONDS: '1800',
  };

  test('is parsed with defaults for what is not set', () => {
    expect(configFromEnv(env)).toEqual({
      drillName: 'restore-drill-daily-critical-pvcs',
      veleroNamespace: 'velero',
      schedule: 'daily-critical-pvcs',
      namespaceMapping: { loki: 'drill-loki', pihole: 'drill-pihole' },
      includedResources: ['persistentvolumeclaims', 'volumesnapshots.snapshot.storage.k8s.io'],
      verify: [{ namespace: 'pihole', pvc: 'pihole-config', path: 'test.txt' }],
      verifyImage: 'node:24.22.3-alpine',
      restoreTimeoutSeconds: 1800,
      pvcBoundTimeoutSeconds: 600,
      verifyTimeoutSeconds: 600,
      namespaceDeleteTimeoutSeconds: 300,
      pollIntervalSeconds: 5,
    });
  });

  test.each([
    [{ DRILL_SCHEDULE: '' }, 'DRILL_SCHEDULE is not set'],
    [{ DRILL_NAMESPACE_MAPPING: 'loki' }, "DRILL_NAMESPACE_MAPPING: entry 'loki' is not '<source>=<target>'"],
    [{ DRILL_NAMESPACE_MAPPING: 'loki=a,loki=b' }, "DRILL_NAMESPACE_MAPPING: source namespace 'loki' is mapped twice"],
    [{ DRILL_VERIFY: '{' }, /^DRILL_VERIFY: not JSON \(/],
    [
      { DRILL_VERIFY: '[{"pvc":"x"}]' },
      'DRILL_VERIFY: expected a JSON list of {"namespace","pvc","path"[,"runAsUser"]}',
    ],
    [{ DRILL_POLL_SECONDS: '0' }, "DRILL_POLL_SECONDS: '0' is not a positive number of seconds"],
  ])('%j is refused', (override, message) => {
    expect(() => configFromEnv({ ...env, ...override })).toThrow(message);
  });
});

describe('config validation (the runner at start and the construct at synth)', () => {
  const errorsOf = (c: Partial<DrillConfig>) => validateDrillConfig({ ...TEST_CONFIG, verify: [], ...c });

  test('a valid drill has none', () => {
    expect(errorsOf({})).toEqual([]);
  });

  test.each([
    [{ namespaceMapping: {} }, 'namespaceMapping is empty; name at least one namespace to restore'],
    [
      { namespaceMapping: { '*': 'drill-all' } },
      "namespaceMapping: source '*' is not allowed; name each namespace to restore",
    ],
    [
      { namespaceMapping: { loki: 'kube-system' } },
      "namespaceMapping: target 'kube-system' of 'loki' is a system namespace; use a scratch namespace such as 'drill-loki'",
    ],
    [
      { namespaceMapping: { loki: 'velero' } },
      "namespaceMapping: target 'velero' of 'loki' is a system namespace; use a scratch namespace such as 'drill-loki'",
    ],
    [
      { namespaceMapping: { loki: 'drill-x', pihole: 'drill-x' } },
      "namespaceMapping: target 'drill-x' is used twice; each source needs its own scratch namespace",
    ],
    [
      { namespaceMapping: { loki: 'Drill_Loki' } },
      "namespaceMapping: target 'Drill_Loki' of 'loki' is not a valid namespace name",
    ],
    [
      { verify: [{ namespace: 'grafana', pvc: 'data', path: 'x' }] },
      "verify[0]: namespace 'grafana' is not restored by this drill; restored: loki, pihole",
    ],
    [
      { verify: [{ namespace: 'loki', pvc: 'data', path: '../etc/passwd' }] },
      "verify[0]: path '../etc/passwd' must name a file or directory inside the volume, e.g. 'test.txt' (no '..')",
    ],
    [
      { verify: [{ namespace: 'loki', pvc: 'data', path: 'x', runAsUser: 0 }] },
      'verify[0]: runAsUser 0 must be a non-root numeric UID (1..2147483647)',
    ],
    [
      { includedResources: ['Pods'] },
      "includedResources: 'Pods' is not a resource name such as 'persistentvolumeclaims'",
    ],
    [
      {
        verify: [
          { namespace: 'loki', pvc: 'data', path: 'a', runAsUser: 10001 },
          { namespace: 'loki', pvc: 'data', path: 'b' },
        ],
      },
      "verify: PVC 'loki/data' is read as runAsUser 10001 and default; one pod reads each PVC, give its entries the same runAsUser",
    ],
  ])('%j: error', (config, message) => {
    expect(errorsOf(config as Partial<DrillConfig>)).toEqual([message]);
  });
});

describe('main()', () => {
  const env = {
    VELERO_NAMESPACE: 'velero',
    DRILL_SCHEDULE: 'daily-critical-pvcs',
    DRILL_NAMESPACE_MAPPING: 'loki=drill-loki,pihole=drill-pihole',
    DRILL_VERIFY_IMAGE: 'node:24.22.3-alpine',
    DRILL_POLL_SECONDS: '0.01',
  };

  test('exits 0 after a passing drill', async () => {
    const fake = await new FakeKube({}).start();
    const logs: string[] = [];
    try {
      expect(await main(env, fake.api(), (l) => logs.push(l))).toBe(0);
    } finally {
      await fake.stop();
    }
    expect(lastLine(logs)).toMatch(/^drill result=passed /);
  });

  test('exits 1 with a last line that names the failed step', async () => {
    const fake = await new FakeKube(SCENARIOS['no Completed backup']).start();
    const logs: string[] = [];
    try {
      expect(await main(env, fake.api(), (l) => logs.push(l))).toBe(1);
    } finally {
      await fake.stop();
    }
    expect(lastLine(logs)).toMatch(/^drill result=failed step=pick-backup /);
  });

  test('exits 1 on a config error, naming the step config', async () => {
    const logs: string[] = [];
    expect(await main({ ...env, DRILL_NAMESPACE_MAPPING: 'loki=loki' }, undefined, (l) => logs.push(l))).toBe(1);
    expect(logs).toEqual([
      `drill step=config status=failed msg="namespaceMapping: target 'loki' of 'loki' is also a restored source namespace; a drill restores into scratch namespaces only, e.g. 'drill-loki'"`,
      `drill result=failed step=config msg="namespaceMapping: target 'loki' of 'loki' is also a restored source namespace; a drill restores into scratch namespaces only, e.g. 'drill-loki'"`,
    ]);
  });
});
