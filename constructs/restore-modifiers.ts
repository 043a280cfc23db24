import { KubeConfigMap } from 'cdk8s-plus-30/lib/imports/k8s';
import { Construct } from 'constructs';
import { recommendedLabels } from '../lib/kube/labels';
import { checkConstruct, checkProps } from '../lib/validation/props';
import {
  DEFAULT_TRACKING_METHOD,
  RESOURCE_MODIFIER_DATA_KEY,
  TRACKING_METHODS,
  TRACKING_MODIFIER_CONFIGMAP,
  renderResourceModifiers,
  trackingStripModifiers,
  type ArgoCdTrackingMethod,
  type ResourceModifiers,
  type TrackingKeys,
} from '../lib/restore/resource-modifiers';
import type { VeleroRelease } from './velero-release';

export interface TrackingStripModifiersProps {
  /** The Velero server; the ConfigMap lives in its namespace (Velero reads it from the Restore's namespace). */
  readonly release: VeleroRelease;
  /**
   * ArgoCD's tracking method (`application.resourceTrackingMethod`), and its keys if the ArgoCD install changed them
   * (`application.instanceLabelKey`): only what the method writes is stripped.
   * @default { method: 'annotation', label: 'app.kubernetes.io/instance', annotation: 'argocd.argoproj.io/tracking-id' }
   */
  readonly tracking?: TrackingKeys;
  /** Name of the ConfigMap. @default 'restore-strip-argocd-tracking' */
  readonly name?: string;
}

/**
 * The resource-modifier ConfigMap that every rendered restore and the restore drill reference
 * (lib/restore/resource-modifiers.ts). It is rendered into the synced dist/velero folder on purpose: a Restore
 * that names a ConfigMap which does not exist ends FailedValidation, so it must already be in the cluster when
 * a person runs `kubectl create -f dist/restores/<scenario>.yaml`, and the monthly drill uses it too.
 */
export class TrackingStripModifiers extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly modifiers: ResourceModifiers;
  /** The tracking method the modifiers strip (resolved default). */
  public readonly trackingMethod: ArgoCdTrackingMethod;

  constructor(scope: Construct, id: string, props: TrackingStripModifiersProps) {
    super(scope, id);
    checkProps('tracking-strip modifiers', props, { tracking: 'object?', name: 'string?' });
    if (props.tracking) {
      checkProps(
        'tracking-strip modifiers',
        props.tracking,
        { method: [...TRACKING_METHODS], label: 'string?', annotation: 'string?' },
        'tracking.',
      );
    }
    checkConstruct('tracking-strip modifiers', 'release', props.release, 'a VeleroRelease', ['namespace', 'version']);
    this.name = props.name ?? TRACKING_MODIFIER_CONFIGMAP;
    this.namespace = props.release.namespace;
    this.trackingMethod = props.tracking?.method ?? DEFAULT_TRACKING_METHOD;
    this.modifiers = trackingStripModifiers({ ...props.tracking, method: this.trackingMethod });
    new KubeConfigMap(this, 'ConfigMap', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...recommendedLabels('velero', props.release.version), 'app.kubernetes.io/component': 'restore' },
      },
      // exactly one key: Velero refuses a modifier ConfigMap with more (GetResourceModifiersFromConfig)
      data: { [RESOURCE_MODIFIER_DATA_KEY]: renderResourceModifiers(this.modifiers) },
    });
  }
}
