/**
 * The kube-state-metrics ConfigMap and the binding of its ServiceAccount go where kube-state-metrics runs: next to the
 * Prometheus `alerts.namespace` names when set, else `monitoring` (docs/pitfalls.md#ksm-namespace). Velero 1.16: the
 * last line whose storage-location alert reads the BSL phase through kube-state-metrics.
 */
import { join } from 'node:path';
import { App } from 'cdk8s';
import { BackupStack } from '../../constructs/backup-stack';
import { loadConfigFile } from '../../lib/config/load';
import type { AlertsConfig, BackupStackConfig } from '../../lib/config/types';
import { renderApp } from '../../lib/output/output';
import { seedConfig } from '../fixtures/seed';

/** A rendered object: untyped by nature. */
type Json = any;

function ksmPlacement(config: BackupStackConfig) {
  const app = new App();
  new BackupStack(app, 'Stack', config);
  const objects = renderApp(app).map((o) => o.object as Json);
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'velero-kube-state-metrics-config');
  const binding = objects.find(
    (o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'velero-kube-state-metrics-backupstoragelocations',
  );
  return { configMap: cm.metadata.namespace, subjects: binding.subjects };
}

const onV116 = (alerts: AlertsConfig): BackupStackConfig => {
  const config = seedConfig({ version: 'v1.16.2' });
  return { ...config, alerts };
};

test.each([
  ['no alerts.namespace', {}, 'monitoring'],
  ['alerts.namespace default', { namespace: 'default' }, 'default'],
  ['an explicit kubeStateMetrics.namespace', { namespace: 'default', kubeStateMetrics: { namespace: 'obs' } }, 'obs'],
] as const)('%s: the ConfigMap and the ServiceAccount subject are in %j -> %s', (_what, alerts, namespace) => {
  expect(ksmPlacement(onV116(alerts))).toEqual({
    configMap: namespace,
    subjects: [{ kind: 'ServiceAccount', name: 'kube-prometheus-stack-kube-state-metrics', namespace }],
  });
});

test("examples/b2-homelab.yaml: kube-state-metrics' config lands next to its Prometheus in default", () => {
  const config = loadConfigFile(join(__dirname, '..', '..', 'examples', 'b2-homelab.yaml'));
  expect(config.alerts?.namespace).toBe('default');
  expect(ksmPlacement(config).configMap).toBe('default');
  expect(ksmPlacement(config).subjects.map((s: Json) => s.namespace)).toEqual(['default']);
});
