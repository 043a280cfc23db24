import { App } from 'cdk8s';
import { parse } from 'yaml';
import { BackupStack } from '../../constructs/backup-stack';
import { renderApp } from '../../lib/output/output';
import { seedConfig } from '../fixtures/seed';
import {
  ARGOCD_INSTALLATION_ID_ANNOTATION,
  ARGOCD_TRACKING_ANNOTATION,
  ARGOCD_TRACKING_LABEL,
  escapePointerSegment,
  renderResourceModifiers,
  trackingStripModifiers,
  type ArgoCdTrackingMethod,
} from '../../lib/restore/resource-modifiers';
import { applyModifiers, asStored, globMatches, type Obj } from '../fixtures/restore/velero-modifiers';

/** The widest strip (annotation+label tracking): the label and the annotations. */
const MODIFIERS = trackingStripModifiers({ method: 'annotation+label' });
const TRACKING_ID = 'loki:apps/StatefulSet:loki/loki';

/** Restored objects as Velero has them when it applies the modifiers (original namespace, Velero's labels later). */
const tracked = (kind: string, apiVersion: string, extra: Obj = {}): Obj => ({
  apiVersion,
  kind,
  metadata: {
    name: 'loki',
    namespace: 'loki',
    labels: { [ARGOCD_TRACKING_LABEL]: 'loki', 'app.kubernetes.io/name': 'loki', ...(extra.labels ?? {}) },
    annotations: { [ARGOCD_TRACKING_ANNOTATION]: TRACKING_ID, 'meta.helm.sh/release-name': 'loki' },
  },
  spec: { replicas: 1, selector: { matchLabels: { 'app.kubernetes.io/instance': 'loki' } } },
});

/** The object with the tracking label and annotation taken out, and nothing else. */
function withoutTracking(o: Obj): Obj {
  const c = structuredClone(o);
  delete c.metadata.labels?.[ARGOCD_TRACKING_LABEL];
  delete c.metadata.annotations?.[ARGOCD_TRACKING_ANNOTATION];
  return asStored(c);
}

describe('the tracking-strip resource modifiers, applied with Velero 1.15 semantics', () => {
  test.each([
    ['statefulsets.apps', tracked('StatefulSet', 'apps/v1')],
    ['persistentvolumeclaims', tracked('PersistentVolumeClaim', 'v1')],
    ['configmaps', tracked('ConfigMap', 'v1')],
    ['volumesnapshots.snapshot.storage.k8s.io', tracked('VolumeSnapshot', 'snapshot.storage.k8s.io/v1')],
    ['clusterroles.rbac.authorization.k8s.io', { ...tracked('ClusterRole', 'rbac.authorization.k8s.io/v1') }],
  ])('%s: the tracking label and annotation go, nothing else changes', (groupResource, object) => {
    const { object: out, errors } = applyModifiers(MODIFIERS, object, groupResource);
    expect(errors).toEqual([]);
    expect(asStored(out)).toEqual(withoutTracking(object));
    expect(out.metadata.labels).not.toHaveProperty([ARGOCD_TRACKING_LABEL]);
    expect(out.metadata.annotations).not.toHaveProperty([ARGOCD_TRACKING_ANNOTATION]);
    // the selector (a spec field, not metadata) keeps its instance label
    expect(out.spec.selector).toEqual(object.spec.selector);
  });

  test('an object without any tracking, labels or annotations restores without an error and unchanged', () => {
    const bare = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'loki' }, data: { a: '1' } };
    const { object, errors } = applyModifiers(MODIFIERS, bare, 'configmaps');
    expect(errors).toEqual([]);
    expect(asStored(object)).toEqual(bare);
  });

  test('an object with only the annotation loses it, and one with only the label loses that', () => {
    const onlyAnnotation = tracked('Service', 'v1');
    delete onlyAnnotation.metadata.labels[ARGOCD_TRACKING_LABEL];
    const a = applyModifiers(MODIFIERS, onlyAnnotation, 'services');
    expect(a.errors).toEqual([]);
    expect(asStored(a.object)).toEqual(withoutTracking(onlyAnnotation));
    const onlyLabel = tracked('Service', 'v1');
    delete onlyLabel.metadata.annotations;
    const l = applyModifiers(MODIFIERS, onlyLabel, 'services');
    expect(l.errors).toEqual([]);
    expect(asStored(l.object)).toEqual(withoutTracking(onlyLabel));
  });

  test.each([
    ['pods', 'Pod', 'v1', { 'pod-template-hash': '5d8f7c' }],
    ['replicasets.apps', 'ReplicaSet', 'apps/v1', { 'pod-template-hash': '5d8f7c' }],
    ['controllerrevisions.apps', 'ControllerRevision', 'apps/v1', { 'controller-revision-hash': 'loki-7f9' }],
    ['pods', 'Pod', 'v1', { 'batch.kubernetes.io/controller-uid': 'a-b-c' }],
  ])(
    '%s (%s, %s) made from a template with %j keeps the label its controller adopts it by, loses the annotation',
    (groupResource, kind, apiVersion, labels) => {
      const object = tracked(kind, apiVersion, { labels });
      const { object: out, errors } = applyModifiers(MODIFIERS, object, groupResource);
      expect(errors).toEqual([]);
      expect(out.metadata.labels).toEqual(object.metadata.labels);
      expect(out.metadata.annotations).toEqual({ 'meta.helm.sh/release-name': 'loki' });
    },
  );

  test('an unguarded remove of a missing label is an error in Velero: why the label rule has a selector', () => {
    const unguarded = {
      version: 'v1' as const,
      resourceModifierRules: [
        { conditions: { groupResource: '**' }, patches: MODIFIERS.resourceModifierRules[0].patches },
      ],
    };
    const bare = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'loki', labels: {} } };
    expect(applyModifiers(unguarded, bare, 'configmaps').errors).toHaveLength(1);
  });

  test("the label's JSON-pointer path escapes '/' as '~1' (and '~' as '~0')", () => {
    expect(MODIFIERS.resourceModifierRules[0].patches).toEqual([
      { operation: 'remove', path: '/metadata/labels/app.kubernetes.io~1instance' },
    ]);
    expect(escapePointerSegment('a~b/c')).toBe('a~0b~1c');
  });

  test("'**' matches every group resource, core and grouped; '*' only core ones (gobwas glob, '.' separator)", () => {
    for (const gr of ['pods', 'deployments.apps', 'volumesnapshots.snapshot.storage.k8s.io'])
      expect(globMatches('**', gr)).toBe(true);
    expect(globMatches('*', 'deployments.apps')).toBe(false);
    expect(globMatches('*', 'pods')).toBe(true);
    for (const rule of MODIFIERS.resourceModifierRules) expect(rule.conditions.groupResource).toBe('**');
  });

  test('renders as the v1 format Velero reads strictly: version, resourceModifierRules, conditions, patches', () => {
    const doc = parse(renderResourceModifiers(MODIFIERS));
    expect(doc).toEqual(MODIFIERS);
    expect(Object.keys(doc)).toEqual(['version', 'resourceModifierRules']);
    expect(doc.version).toBe('v1');
    for (const rule of doc.resourceModifierRules) {
      expect(rule.conditions.groupResource).not.toBe('');
      // Velero allows one kind of patch per rule
      expect([rule.patches, rule.mergePatches].filter(Boolean)).toHaveLength(1);
    }
  });

  test('a custom tracking label key (application.instanceLabelKey) is stripped instead', () => {
    const m = trackingStripModifiers({ method: 'label', label: 'argocd.argoproj.io/instance' });
    expect(m.resourceModifierRules[0].patches![0].path).toBe('/metadata/labels/argocd.argoproj.io~1instance');
    expect(m.resourceModifierRules[0].conditions.labelSelector!.matchExpressions![0]).toEqual({
      key: 'argocd.argoproj.io/instance',
      operator: 'Exists',
    });
  });
});

describe.each([
  // method, label stripped, annotations stripped (argo-cd@v3.5.1 RemoveAppInstance)
  ['annotation', false, true],
  ['label', true, false],
  ['annotation+label', true, true],
] as const)("ArgoCD's tracking method %s", (method: ArgoCdTrackingMethod, label, annotations) => {
  const object = tracked('Service', 'v1');
  object.metadata.annotations[ARGOCD_INSTALLATION_ID_ANNOTATION] = 'homelab';
  const { object: out, errors } = applyModifiers(trackingStripModifiers({ method }), object, 'services');

  test(`strips the label: ${label}, the tracking and installation-id annotations: ${annotations}`, () => {
    expect(errors).toEqual([]);
    expect(ARGOCD_TRACKING_LABEL in out.metadata.labels).toBe(!label);
    expect(ARGOCD_TRACKING_ANNOTATION in out.metadata.annotations).toBe(!annotations);
    expect(ARGOCD_INSTALLATION_ID_ANNOTATION in out.metadata.annotations).toBe(!annotations);
  });

  test('keeps every other label and annotation', () => {
    expect(out.metadata.labels['app.kubernetes.io/name']).toBe('loki');
    expect(out.metadata.annotations['meta.helm.sh/release-name']).toBe('loki');
  });
});

test("the default is ArgoCD 3.x's annotation tracking: app.kubernetes.io/instance, the app's own label, stays", () => {
  expect(trackingStripModifiers()).toEqual(trackingStripModifiers({ method: 'annotation' }));
  const { object } = applyModifiers(trackingStripModifiers(), tracked('Service', 'v1'), 'services');
  expect(object.metadata.labels[ARGOCD_TRACKING_LABEL]).toBe('loki');
});

test.each([undefined, 'annotation', 'label', 'annotation+label'] as const)(
  'config argocd.trackingMethod %s renders the strip of that method into the ConfigMap',
  (trackingMethod) => {
    const config = seedConfig();
    const app = new App();
    new BackupStack(app, 'Seed', { ...config, argocd: { ...config.argocd, trackingMethod } });
    const cm = renderApp(app).find(
      (o) => o.object.kind === 'ConfigMap' && o.object.metadata.name === 'restore-strip-argocd-tracking',
    )!.object as unknown as { data: Record<string, string> };
    expect(parse(cm.data['resource-modifiers.yaml'])).toEqual(
      trackingStripModifiers({ method: trackingMethod ?? 'annotation' }),
    );
  },
);
