import { checkInvariants, foldersOf } from '../validation/invariants';
import { schemaCheck } from '../validation/schema';
import type { OutputCheck } from './synth';

/** What the default checks read of the Velero release: its namespace and which locations are the LocalStack rig. */
export interface CheckedRelease {
  readonly namespace: string;
  /** The Velero release: its line's schemas validate the custom resources. */
  readonly version: string;
  readonly storageLocations: readonly {
    readonly name: string;
    readonly profile: { readonly isTestRig: boolean; readonly endpoint?: { readonly encrypted: boolean } };
  }[];
}

/**
 * The checks every synth runs before anything is written: the output invariants, and validation of every
 * object against its schema (core kinds: kubernetes-models; custom resources: the committed schemas/ at the
 * pinned releases, see `SchemaValidationOptions.versions`; a kind without a schema is an error). `release`
 * is read after the build, when the checks run: an IVeleroRelease (rendered or existing) satisfies
 * CheckedRelease.
 */
export function synthChecks(release: () => CheckedRelease): OutputCheck[] {
  return [
    (objects) => {
      const r = release();
      const localStack = r.storageLocations.filter((l) => l.profile.isTestRig);
      return checkInvariants(foldersOf(objects), {
        localStackSecretAllowed: localStack.length > 0,
        localStackLocations: localStack.map((l) => `${r.namespace}/${l.name}`),
        plainHttpLocations: r.storageLocations
          .filter((l) => l.profile.endpoint?.encrypted === false)
          .map((l) => `${r.namespace}/${l.name}`),
      });
    },
    // against the CRDs of the release's own line
    (objects) =>
      schemaCheck({ versions: { velero: release().version } }, (result) => {
        for (const note of result.notes) console.error(`validate: ${note}`);
      })(objects),
  ];
}
