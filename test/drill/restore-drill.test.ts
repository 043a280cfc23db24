import { Duration, Testing } from 'cdk8s';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BackupAlerts } from '../../constructs/backup-alerts';
import { BackupSchedule, type BackupScheduleProps } from '../../constructs/backup-schedule';
import {
  DRILL_NODE_IMAGE,
  DRILL_NODE_VERSION,
  RestoreDrill,
  type RestoreDrillProps,
} from '../../constructs/restore-drill';
import type { VeleroRelease } from '../../constructs/velero-release';
import { configFromEnv } from '../../drill/config';
import { bundleDrillRunner } from '../../lib/drill/drill-bundle';
import { checkRules, findPromtool, promtoolTestFiles, testRulesFilesAsync } from '../../lib/alerts/promtool';
import { recordRunnerPermissions } from '../fixtures/drill/fake-kube';
import { find, objects, testChart, testRelease, type K8sObject } from '../helpers';

const NAME = 'restore-drill-daily-critical-pvcs';

/** The seed's daily-critical-pvcs schedule on a release; `schedule` overrides its props. */
function setup(
  drill: Partial<Omit<RestoreDrillProps, 'release' | 'schedule'>> = {},
  schedule: Partial<BackupScheduleProps> = {},
  release: Parameters<typeof testRelease>[1] = {},
) {
  const { chart } = testChart();
  const r: VeleroRelease = testRelease(chart, release);
  const s = new BackupSchedule(chart, 'Daily', {
    release: r,
    name: 'daily-critical-pvcs',
    schedule: '0 2 * * *',
    ttl: '720h',
    includedNamespaces: ['default', 'loki', 'pihole'],
    snapshotVolumes: true,
    defaultVolumesToFsBackup: false,
    ...schedule,
  });
  const d = new RestoreDrill(chart, 'Drill', {
    release: r,
    schedule: s,
    verify: [{ namespace: 'default', pvc: 'test-pvc', path: 'test.txt' }],
    ...drill,
  });
  return { chart, release: r, schedule: s, drill: d, objs: objects(chart) };
}

const drillError = (
  drill: Partial<Omit<RestoreDrillProps, 'release' | 'schedule'>>,
  schedule: Partial<BackupScheduleProps> = {},
  release = {},
) => {
  try {
    setup(drill, schedule, release);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

const podSpec = (cronJob: K8sObject): any => cronJob.spec.jobTemplate.spec.template.spec;

describe('RestoreDrill CronJob', () => {
  test('runs monthly at 05:00 UTC by default, one run at a time, with a bounded deadline and history', () => {
    const cj = find(setup().objs, 'CronJob', NAME);
    expect(cj.metadata.namespace).toBe('velero');
    expect(cj.spec.schedule).toBe('0 5 1 * *');
    expect(cj.spec.timeZone).toBe('Etc/UTC');
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    expect(cj.spec.startingDeadlineSeconds).toBe(21600);
    expect(cj.spec.suspend).toBe(false);
    expect(cj.spec.successfulJobsHistoryLimit).toBe(3);
    expect(cj.spec.failedJobsHistoryLimit).toBe(3);
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBe(0);
    // restore 1h + bound 10m + verify 10m + leftover namespace 5m + 10m margin
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(5700);
  });

  test('a configured cron is used as written', () => {
    const cj = find(setup({ cron: '30 4 * * 0' }).objs, 'CronJob', NAME);
    expect(cj.spec.schedule).toBe('30 4 * * 0');
  });

  test('runs the bundled runner in the pinned Node.js image, as the node user, never restarted', () => {
    const spec = podSpec(find(setup().objs, 'CronJob', NAME));
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.serviceAccountName).toBe(NAME);
    expect(spec.terminationGracePeriodSeconds).toBe(120);
    expect(spec.containers).toHaveLength(1);
    const c = spec.containers[0];
    expect(c.image).toBe('node:24.22.3-alpine');
    expect(`${DRILL_NODE_IMAGE}:${DRILL_NODE_VERSION}`).toBe('node:24.22.3-alpine');
    expect(c.command).toEqual(['node', '/drill/runner.js']);
    expect(c.volumeMounts).toEqual([{ name: 'runner', mountPath: '/drill', readOnly: true }]);
    expect(spec.volumes).toEqual([{ name: 'runner', configMap: { name: `${NAME}-runner`, defaultMode: 0o444 } }]);
  });

  test('has a hardened, restricted-level securityContext with numeric ids', () => {
    const spec = podSpec(find(setup().objs, 'CronJob', NAME));
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('sets requests and limits', () => {
    expect(podSpec(find(setup().objs, 'CronJob', NAME)).containers[0].resources).toEqual({
      requests: { cpu: '20m', memory: '64Mi' },
      limits: { cpu: '200m', memory: '128Mi' },
    });
  });

  test('passes the drill to the runner in its environment', () => {
    expect(podSpec(find(setup().objs, 'CronJob', NAME)).containers[0].env).toEqual([
      { name: 'VELERO_NAMESPACE', value: 'velero' },
      { name: 'DRILL_NAME', value: NAME },
      { name: 'DRILL_SCHEDULE', value: 'daily-critical-pvcs' },
      { name: 'DRILL_NAMESPACE_MAPPING', value: 'default=drill-default,loki=drill-loki,pihole=drill-pihole' },
      {
        name: 'DRILL_INCLUDED_RESOURCES',
        value:
          'persistentvolumeclaims,volumesnapshots.snapshot.storage.k8s.io,volumesnapshotcontents.snapshot.storage.k8s.io',
      },
      { name: 'DRILL_VERIFY', value: '[{"namespace":"default","pvc":"test-pvc","path":"test.txt"}]' },
      { name: 'DRILL_VERIFY_IMAGE', value: 'node:24.22.3-alpine' },
      { name: 'DRILL_RESTORE_TIMEOUT_SECONDS', value: '3600' },
      { name: 'DRILL_PVC_BOUND_TIMEOUT_SECONDS', value: '600' },
      { name: 'DRILL_VERIFY_TIMEOUT_SECONDS', value: '600' },
      { name: 'DRILL_NAMESPACE_DELETE_TIMEOUT_SECONDS', value: '300' },
      { name: 'DRILL_POLL_SECONDS', value: '5' },
    ]);
  });

  test('the runner reads back exactly the drill the construct describes', () => {
    const { drill, objs } = setup();
    const env = podSpec(find(objs, 'CronJob', NAME)).containers[0].env as { name: string; value: string }[];
    expect(configFromEnv(Object.fromEntries(env.map((e) => [e.name, e.value])))).toEqual(drill.config);
  });

  test('longer timeouts lengthen the Job deadline', () => {
    const { drill } = setup({ restoreTimeout: Duration.hours(3) });
    expect(drill.activeDeadlineSeconds).toBe(3 * 3600 + 600 + 600 + 300 + 600);
  });
});

describe('RestoreDrill runner ConfigMap', () => {
  test('holds the bundled drill/runner.ts, byte for byte what bundleDrillRunner() builds', () => {
    const cm = find(setup().objs, 'ConfigMap', `${NAME}-runner`);
    expect(cm.metadata.namespace).toBe('velero');
    expect(Object.keys(cm.data)).toEqual(['runner.js']);
    expect(cm.data['runner.js']).toBe(bundleDrillRunner());
  });

  test('the bundle holds no absolute path of this checkout', () => {
    expect(bundleDrillRunner()).not.toContain(process.cwd());
    expect(bundleDrillRunner()).toContain('// drill/runner.ts');
  });
});

describe('RestoreDrill defaults', () => {
  test("restores the schedule's namespaces into drill-<namespace>", () => {
    expect(setup().drill.namespaceMapping).toEqual({
      default: 'drill-default',
      loki: 'drill-loki',
      pihole: 'drill-pihole',
    });
  });

  test('exposes its scratch namespaces (for the coverage alert to leave out)', () => {
    expect(setup().drill.scratchNamespaces).toEqual(['drill-default', 'drill-loki', 'drill-pihole']);
  });

  test('a subset of namespaces and a custom mapping', () => {
    const { drill } = setup({ namespaces: ['pihole'], namespaceMapping: { pihole: 'scratch-pihole' }, verify: [] });
    expect(drill.namespaceMapping).toEqual({ pihole: 'scratch-pihole' });
  });

  test('restores the PVCs with their CSI snapshots, and nothing that would start a workload', () => {
    expect(setup().drill.includedResources).toEqual([
      'persistentvolumeclaims',
      'volumesnapshots.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
    ]);
  });

  test('restores the DataUploads for a schedule that moves snapshot data', () => {
    const { drill } = setup({}, { snapshotMoveData: true }, { nodeAgent: { enabled: true } });
    expect(drill.includedResources).toEqual(['persistentvolumeclaims', 'datauploads.velero.io']);
  });

  test('a monthly drill is stale after its 31-day cadence, its run time and a day of slack', () => {
    const { drill } = setup();
    expect(drill.cadence.toSeconds()).toBe(31 * 86400);
    expect(drill.staleAfter.toSeconds()).toBe(31 * 86400 + 5700 + 86400);
  });
});

describe('RestoreDrill validation', () => {
  test('a schedule of every namespace needs the namespaces named', () => {
    expect(drillError({ verify: [] }, { includedNamespaces: ['*'] })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': schedule 'daily-critical-pvcs' includes every namespace ('*'); name the namespaces to restore with 'namespaces'",
    );
  });

  test("'*' as a namespace is refused", () => {
    expect(drillError({ namespaces: ['*'], verify: [] })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': namespaces must be named, '*' is not allowed",
    );
  });

  test('a namespace the schedule does not back up is refused', () => {
    expect(drillError({ namespaces: ['grafana'], verify: [] })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': namespace 'grafana' is not backed up by schedule 'daily-critical-pvcs' (it includes default, loki, pihole)",
    );
  });

  test('a mapping onto a restored namespace is refused (never restore over a real namespace)', () => {
    expect(drillError({ namespaceMapping: { loki: 'pihole' } })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': namespaceMapping: target 'pihole' of 'loki' is also a restored source namespace; a drill restores into scratch namespaces only, e.g. 'drill-loki'",
    );
  });

  test('a mapping onto a system namespace is refused', () => {
    expect(drillError({ namespaceMapping: { loki: 'kube-system' } })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': namespaceMapping: target 'kube-system' of 'loki' is a system namespace; use a scratch namespace such as 'drill-loki'",
    );
  });

  test('a mapping of a namespace the drill does not restore is refused', () => {
    expect(drillError({ namespaces: ['loki'], namespaceMapping: { pihole: 'drill-pihole' }, verify: [] })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': namespaceMapping names 'pihole', which the drill does not restore (restored: loki)",
    );
  });

  test('a verify entry outside the restored namespaces is refused', () => {
    expect(drillError({ namespaces: ['loki'], verify: [{ namespace: 'pihole', pvc: 'config', path: 'x' }] })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': verify[0]: namespace 'pihole' is not restored by this drill; restored: loki",
    );
  });

  test('a verify path that leaves the volume is refused', () => {
    expect(drillError({ verify: [{ namespace: 'loki', pvc: 'data', path: '../../etc/shadow' }] })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': verify[0]: path '../../etc/shadow' must name a file or directory inside the volume, e.g. 'test.txt' (no '..')",
    );
  });

  test('a schedule that keeps no volume data is refused, unless includedResources says what to restore', () => {
    const weekly = {
      name: 'weekly-cluster-resources',
      schedule: '0 3 * * 0',
      ttl: '2160h',
      includedNamespaces: ['loki'],
      snapshotVolumes: false,
    };
    expect(drillError({ verify: [] }, weekly)).toBe(
      "restore drill 'restore-drill-weekly-cluster-resources': schedule 'weekly-cluster-resources' backs up no volume data of 'loki'; a drill of volumes there proves nothing: leave them out of 'namespaces', or set 'includedResources' for a resources-only drill",
    );
  });

  test('a file-system-backup schedule needs includedResources (its data comes back only with the pods)', () => {
    expect(
      drillError(
        { verify: [] },
        { snapshotVolumes: false, defaultVolumesToFsBackup: true },
        { nodeAgent: { enabled: true } },
      ),
    ).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': schedule 'daily-critical-pvcs' keeps volume data by file-system backup, which Velero restores only through the restored pods (the workloads would start in the scratch namespaces); set 'includedResources' explicitly (e.g. persistentvolumeclaims, pods) if that is what you want (docs/pitfalls.md#drill-fs-backup)",
    );
  });

  test('a cron with a time zone prefix is refused (a CronJob takes spec.timeZone only)', () => {
    expect(drillError({ cron: 'CRON_TZ=Europe/Berlin 0 5 1 * *' })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': cron 'CRON_TZ=Europe/Berlin 0 5 1 * *' has a time zone prefix, which a Kubernetes CronJob rejects; write it in UTC, e.g. '0 5 1 * *'",
    );
  });

  test('an invalid cron is refused with the parser reason', () => {
    expect(drillError({ cron: '0 25 1 * *' })).toMatch(
      /^restore drill 'restore-drill-daily-critical-pvcs': cron '0 25 1 \* \*': hour field '25'/,
    );
  });

  test('a drill that could outlast its own cadence is refused', () => {
    expect(drillError({ cron: '0 * * * *' })).toBe(
      "restore drill 'restore-drill-daily-critical-pvcs': a run may take 1h35m, longer than the 1h between runs of '0 * * * *'; run it less often or shorten the timeouts",
    );
  });

  test('a name too long for a CronJob is refused', () => {
    expect(drillError({ name: `restore-drill-${'x'.repeat(40)}` })).toBe(
      `restore drill 'restore-drill-${'x'.repeat(40)}': name must be a DNS-1123 label of at most 52 characters (a CronJob's Jobs append 11), got 54; set a shorter name`,
    );
  });
});

describe('RestoreDrill RBAC', () => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const keys = (rules: Rule[], scope: string) =>
    rules.flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g || 'core'}/${res} ${scope}`)),
      ),
    );

  test('grants exactly the calls the runner makes against the fake API, nothing beyond', async () => {
    const { objs } = setup();
    const role = find(objs, 'Role', NAME);
    const clusterRole = find(objs, 'ClusterRole', `velero-${NAME}`);
    const granted = [...keys(role.rules, 'namespace:velero'), ...keys(clusterRole.rules, 'cluster')].sort();
    expect(granted).toEqual(await recordRunnerPermissions());
  });

  test('the Role lives in the Velero namespace and covers Backups and Restores only', () => {
    const role = find(setup().objs, 'Role', NAME);
    expect(role.metadata.namespace).toBe('velero');
    expect(role.rules).toEqual([
      { apiGroups: ['velero.io'], resources: ['backups'], verbs: ['list'] },
      { apiGroups: ['velero.io'], resources: ['restores'], verbs: ['create', 'delete', 'get', 'list'] },
    ]);
  });

  test('the ClusterRole covers the scratch namespaces (get and delete by name), their PVCs and verify pods, and the scratch PVs and snapshot contents', () => {
    expect(find(setup().objs, 'ClusterRole', `velero-${NAME}`).rules).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['create'] },
      {
        apiGroups: [''],
        resources: ['namespaces'],
        resourceNames: ['drill-default', 'drill-loki', 'drill-pihole'],
        verbs: ['delete', 'get'],
      },
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get'] },
      { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'patch'] },
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: ['delete', 'list'] },
    ]);
  });

  test.each(['namespaces', 'pods', 'persistentvolumes', 'volumesnapshotcontents', 'restores'])(
    'renders a ValidatingAdmissionPolicy for %s and its Deny binding next to the RBAC, named after the ClusterRole',
    (resource) => {
      const { objs } = setup();
      const name = `velero-${NAME}-${resource}`;
      const policy = find(objs, 'ValidatingAdmissionPolicy', name);
      expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(policy.spec.matchConditions[0].expression).toBe(
        `request.userInfo.username == 'system:serviceaccount:velero:${NAME}'`,
      );
      expect(find(objs, 'ValidatingAdmissionPolicyBinding', name).spec).toEqual({
        policyName: name,
        validationActions: ['Deny'],
      });
    },
  );

  test("binds both to the drill's own ServiceAccount, never to cluster-admin", () => {
    const { objs } = setup();
    const subject = [{ kind: 'ServiceAccount', name: NAME, namespace: 'velero' }];
    expect(find(objs, 'RoleBinding', NAME).roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: NAME,
    });
    expect(find(objs, 'RoleBinding', NAME).subjects).toEqual(subject);
    expect(find(objs, 'ClusterRoleBinding', `velero-${NAME}`).roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: `velero-${NAME}`,
    });
    expect(find(objs, 'ClusterRoleBinding', `velero-${NAME}`).subjects).toEqual(subject);
    expect(find(objs, 'ServiceAccount', NAME).metadata.namespace).toBe('velero');
    expect(JSON.stringify(objs)).not.toContain(
      'cluster-admin"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"restore',
    );
    const drillBindings = objs.filter(
      (o) => o.kind.endsWith('RoleBinding') && o.metadata.name.includes('restore-drill'),
    );
    expect(drillBindings.map((b) => b.roleRef.name)).not.toContain('cluster-admin');
  });
});

describe('RestoreDrill alerts', () => {
  const rules = () => setup().drill.alertRules;

  test('form one rule group named after the drill', () => {
    expect(rules().group).toBe(`velero.restore-drill.${NAME}`);
    expect(rules().rules.map((r) => r.alert)).toEqual([
      'VeleroRestoreDrillFailed',
      'VeleroRestoreDrillStale',
      'VeleroRestoreDrillStale',
    ]);
  });

  test('VeleroRestoreDrillFailed: the newest Job of the CronJob failed', () => {
    const failed = rules().rules[0];
    const own =
      'max by (namespace, job_name) (kube_job_status_start_time{namespace="velero"}) * on (namespace, job_name) group_left () ' +
      `max by (namespace, job_name) (kube_job_owner{namespace="velero", owner_kind="CronJob", owner_name="${NAME}"})`;
    expect(failed.expr).toBe(
      `((${own}) and on (namespace, job_name) (kube_job_failed{namespace="velero", condition="true"} == 1)) == on (namespace) group_left () max by (namespace) (${own})`,
    );
    expect(failed.for).toBe('5m');
    expect(failed.labels).toEqual({ severity: 'critical', cronjob: NAME, schedule: 'daily-critical-pvcs' });
    expect(failed.annotations.description).toContain('kubectl -n velero logs job/{{ $labels.job_name }}');
  });

  test('VeleroRestoreDrillStale: no successful run within cadence plus run time plus slack', () => {
    const [, stale, absent] = rules().rules;
    expect(stale.expr).toBe(
      `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{namespace="velero", cronjob="${NAME}"}) > ${31 * 86400 + 5700 + 86400}`,
    );
    expect(stale.for).toBe('10m');
    expect(stale.labels).toEqual({
      severity: 'warning',
      cronjob: NAME,
      schedule: 'daily-critical-pvcs',
      reason: 'overdue',
    });
    expect(absent.expr).toBe(`absent(kube_cronjob_status_last_successful_time{namespace="velero", cronjob="${NAME}"})`);
    expect(absent.for).toBe('32d1h35m');
    expect(absent.labels).toEqual({
      severity: 'warning',
      cronjob: NAME,
      schedule: 'daily-critical-pvcs',
      reason: 'never-succeeded',
    });
  });

  test('every alert has promtool cases where it fires and where it stays silent', () => {
    const { tests } = rules();
    for (const alert of ['VeleroRestoreDrillFailed', 'VeleroRestoreDrillStale']) {
      const cases = tests.filter((t) => t.rule.alert === alert);
      expect(cases.some((c) => c.firing.length > 0)).toBe(true);
      expect(cases.some((c) => c.firing.length === 0)).toBe(true);
    }
  });

  test('join BackupAlerts through additionalRules, checked against the metrics catalog', () => {
    const { chart, release, schedule, drill } = setup();
    const alerts = new BackupAlerts(chart, 'Alerts', {
      release,
      schedules: [schedule],
      additionalRules: [drill.alertRules],
      unprotectedNamespaces: Object.fromEntries(
        drill.scratchNamespaces.map((n) => [n, 'scratch copies of the restore drill']),
      ),
    });
    expect(alerts.groups.map((g) => g.name)).toContain(`velero.restore-drill.${NAME}`);
    const group = alerts.groups.find((g) => g.name === `velero.restore-drill.${NAME}`)!;
    expect(group.rules.map((r) => r.labels)).toEqual([
      { component: 'velero', severity: 'critical', cronjob: NAME, schedule: 'daily-critical-pvcs' },
      { component: 'velero', severity: 'warning', cronjob: NAME, schedule: 'daily-critical-pvcs', reason: 'overdue' },
      {
        component: 'velero',
        severity: 'warning',
        cronjob: NAME,
        schedule: 'daily-critical-pvcs',
        reason: 'never-succeeded',
      },
    ]);
  });

  const promtool = findPromtool();
  if (!promtool) {
    test.skip('promtool is not installed (scripts/install-promtool.sh): the restore-drill alert cases are NOT proven here', () => {});
  } else {
    test('promtool: the rules check and every case passes (fires and stays silent as stated)', async () => {
      const { alertRules } = setup().drill;
      const dir = mkdtempSync(join(tmpdir(), 'drill-alerts-'));
      try {
        const ruleFile = {
          groups: [
            {
              name: alertRules.group,
              rules: alertRules.rules.map((r) => ({
                alert: r.alert,
                expr: r.expr,
                ...(r.for ? { for: r.for } : {}),
                labels: r.labels,
                annotations: r.annotations,
              })),
            },
          ],
        };
        writeFileSync(join(dir, 'rules.yaml'), stringify(ruleFile, { lineWidth: 0 }));
        const check = checkRules(promtool, join(dir, 'rules.yaml'));
        expect(check.output).toContain('SUCCESS');
        expect(check.ok).toBe(true);
        // one file per alert and interval, evaluated at its cases' interval (the month-long ones every hour)
        const files = promtoolTestFiles(ruleFile, alertRules.tests);
        for (const f of files) {
          writeFileSync(join(dir, f.rulesName), f.rules);
          writeFileSync(join(dir, f.testsName), f.tests);
        }
        expect(files.map((f) => f.testsName).sort()).toEqual([
          'tests-VeleroRestoreDrillFailed-1m.yaml',
          'tests-VeleroRestoreDrillStale-1h.yaml',
          'tests-VeleroRestoreDrillStale-1m.yaml',
        ]);
        const results = await testRulesFilesAsync(
          promtool,
          files.map((f) => join(dir, f.testsName)),
        );
        for (const [file, r] of results) if (!r.ok) throw new Error(`${file}\n${r.output}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});

describe('RestoreDrill rendered objects', () => {
  test('snapshot (the runner bundle is asserted above, so it is elided here)', () => {
    const { chart } = setup();
    const objs = Testing.synth(chart).filter((o: K8sObject) => o.metadata.name.includes('restore-drill'));
    for (const o of objs) if (o.kind === 'ConfigMap') o.data['runner.js'] = '<bundleDrillRunner()>';
    expect(objs).toMatchSnapshot();
  });
});
