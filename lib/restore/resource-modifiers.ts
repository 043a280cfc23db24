/**
 * The resource modifiers every rendered restore (and the restore drill) applies: they strip ArgoCD's
 * tracking (the label, the annotations, or both: what the user's tracking method writes) from restored objects, so ArgoCD treats them as not its own until a person
 * adopts them (a sync of the owning Application re-adds them), instead of pruning or overwriting a
 * namespace-mapped copy (velero#7848, #6801).
 *
 * Format: Velero's resource-modifier ConfigMap, `version: v1` (internal/resourcemodifiers/resource_modifiers.go
 * at v1.15.0). How Velero applies a rule, and why the rules look like this:
 * - conditions are matched against the object as backed up (its original namespace); `groupResource` is a
 *   gobwas glob with `.` as separator, so `*` alone matches only core resources; `**` matches every group.
 * - a JSON-patch `remove` of a path that is not there is an error (evanphx/json-patch ErrMissing), which Velero
 *   counts as a restore error (PartiallyFailed). A `test` op cannot ask "is this key present" (it compares
 *   values; `matches` swallows only a failed test or a missing parent). So the label rule is guarded by a
 *   `labelSelector` with `Exists`, and matches exactly the objects that carry the label.
 * - there is no annotation selector, so the annotation goes with a JSON merge patch (RFC 7386): `null`
 *   deletes the key when present and is a no-op when absent. On an object with no annotations at all it
 *   leaves an empty `annotations: {}`, which the API server drops (ObjectMeta's map is `omitempty`).
 * - objects a controller made from a template and adopts again by label selector keep the label:
 *   pods and ReplicaSets (`pod-template-hash`), ControllerRevisions and StatefulSet/DaemonSet pods
 *   (`controller-revision-hash`), Job pods (`batch.kubernetes.io/controller-uid`, `controller-uid`).
 *   Velero drops ownerReferences on restore (pkg/restore/restore.go resetMetadata); stripping a label their
 *   controller selects on would leave the restored copies orphaned next to new ones. ArgoCD shows them as
 *   children of their owner once adopted, never as its own top-level objects.
 */
import { stringify } from 'yaml';

/** ArgoCD's tracking label (`application.instanceLabelKey`, default; the tracking method `label`). */
export const ARGOCD_TRACKING_LABEL = 'app.kubernetes.io/instance';
/** ArgoCD's tracking annotation (tracking method `annotation`, the default from ArgoCD 3.0). */
export const ARGOCD_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/** ArgoCD's installation-id annotation, written next to the tracking annotation when `installationID` is set. */
export const ARGOCD_INSTALLATION_ID_ANNOTATION = 'argocd.argoproj.io/installation-id';

/**
 * How the user's ArgoCD tracks its objects (`application.resourceTrackingMethod` in `argocd-cm`), in ArgoCD's words.
 * argoproj/argo-cd@v3.5.1: `util/settings/settings.go` `GetTrackingMethod` (empty means `annotation`), and
 * `util/argo/resource_tracking.go`: `GetAppName` reads the label only for `label`, the annotation for the other two;
 * `RemoveAppInstance` removes the label for `label`, the annotations for `annotation`, all three for
 * `annotation+label` (docs/pitfalls.md#tracking-method).
 */
export const TRACKING_METHODS = ['annotation', 'label', 'annotation+label'] as const;
export type ArgoCdTrackingMethod = (typeof TRACKING_METHODS)[number];
/** ArgoCD 3.x's default tracking method. */
export const DEFAULT_TRACKING_METHOD: ArgoCdTrackingMethod = 'annotation';

/** Labels of objects a controller created from a template and adopts by label selector. */
export const CONTROLLER_TEMPLATE_LABELS = [
  'pod-template-hash',
  'controller-revision-hash',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
] as const;

/** Name of the ConfigMap (in the Velero namespace) and its only data key (Velero requires exactly one). */
export const TRACKING_MODIFIER_CONFIGMAP = 'restore-strip-argocd-tracking';
export const RESOURCE_MODIFIER_DATA_KEY = 'resource-modifiers.yaml';

/** RFC 6901 escaping of one JSON-pointer segment: `~` -> `~0`, `/` -> `~1` (as Velero's JSON patches expect). */
export function escapePointerSegment(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface ResourceModifierRule {
  readonly conditions: {
    readonly groupResource: string;
    readonly namespaces?: readonly string[];
    readonly resourceNameRegex?: string;
    readonly labelSelector?: {
      readonly matchLabels?: Readonly<Record<string, string>>;
      readonly matchExpressions?: readonly LabelSelectorRequirement[];
    };
    readonly matches?: readonly { readonly path: string; readonly value: string }[];
  };
  readonly patches?: readonly { readonly operation: string; readonly path: string; readonly value?: string }[];
  readonly mergePatches?: readonly { readonly patchData: string }[];
}

export interface ResourceModifiers {
  readonly version: 'v1';
  readonly resourceModifierRules: readonly ResourceModifierRule[];
}

export interface TrackingKeys {
  /** The tracking method of the user's ArgoCD: only what it writes is stripped. @default 'annotation' (ArgoCD 3.x) */
  readonly method?: ArgoCdTrackingMethod;
  /** @default ARGOCD_TRACKING_LABEL */
  readonly label?: string;
  /** @default ARGOCD_TRACKING_ANNOTATION */
  readonly annotation?: string;
}

/** Whether a tracking method uses (and ArgoCD removes, `RemoveAppInstance`) the label and the annotations. */
export function trackingUses(method: ArgoCdTrackingMethod): { readonly label: boolean; readonly annotation: boolean } {
  return { label: method !== 'annotation', annotation: method !== 'label' };
}

/**
 * The rules that strip ArgoCD's tracking from every restored object: what `keys.method` writes, nothing else (under
 * annotation tracking `app.kubernetes.io/instance` is the app's own label, which Services and ServiceMonitors select on).
 */
export function trackingStripModifiers(keys: TrackingKeys = {}): ResourceModifiers {
  const label = keys.label ?? ARGOCD_TRACKING_LABEL;
  const annotation = keys.annotation ?? ARGOCD_TRACKING_ANNOTATION;
  const uses = trackingUses(keys.method ?? DEFAULT_TRACKING_METHOD);
  const annotations = { [annotation]: null, [ARGOCD_INSTALLATION_ID_ANNOTATION]: null };
  return {
    version: 'v1',
    resourceModifierRules: [
      ...(uses.label ? [labelRule(label)] : []),
      ...(uses.annotation
        ? [
            {
              conditions: { groupResource: '**' },
              mergePatches: [{ patchData: JSON.stringify({ metadata: { annotations } }) }],
            },
          ]
        : []),
    ],
  };
}

/** The JSON-patch rule removing the tracking label, guarded by a selector (a `remove` of a missing key fails). */
function labelRule(label: string): ResourceModifierRule {
  return {
    conditions: {
      groupResource: '**',
      labelSelector: {
        matchExpressions: [
          { key: label, operator: 'Exists' },
          ...CONTROLLER_TEMPLATE_LABELS.map((key) => ({ key, operator: 'DoesNotExist' as const })),
        ],
      },
    },
    patches: [{ operation: 'remove', path: `/metadata/labels/${escapePointerSegment(label)}` }],
  };
}

/** The ConfigMap data value: the modifiers as YAML. */
export function renderResourceModifiers(modifiers: ResourceModifiers): string {
  return stringify(modifiers, { lineWidth: 0 });
}
