/**
 * velero-cdk8s, the library: the constructs of a Velero backup and disaster-recovery stack, the storage
 * profiles, the config (its types, loading a YAML/JSON file, validation), and the synth with its default
 * checks. The package's only entry point (`exports` in package.json, compiled into build/ by
 * `npm run build`); the command `velero-cdk8s` is cli/main.ts; main.ts is this repository's config.
 *
 *     import { App } from 'cdk8s';
 *     import { BackupStack, loadConfigFile } from 'velero-cdk8s';
 *
 *     const app = new App();
 *     new BackupStack(app, 'backups', loadConfigFile('velero-cdk8s.yaml'));
 *     app.synth();
 */
export * from './constructs';
export { StorageProfile, type StorageProfileKind } from './lib/storage/storage-profile';
export {
  CSI_DRIVER_PROFILES,
  csiDriverProfile,
  type CsiDriverId,
  type CsiDriverProfile,
  type SnapshotLocality,
} from './lib/storage/csi-drivers';
export { FolderChart } from './lib/output/folder-chart';
export { synthesize, type OutputCheck, type SynthOptions, type SynthResult } from './lib/output/synth';
export { synthChecks, type CheckedRelease } from './lib/output/checks';
export {
  runPermissions,
  runPlan,
  runRestore,
  runSynth,
  runValidate,
  type CliIo,
  type CliStack,
  type RestoreCliStack,
} from './lib/output/cli';
export type * from './lib/config/types';
export { ConfigError, validateConfig } from './lib/config/validate';
export { loadConfigFile, parseConfigText } from './lib/config/load';
export { backupPlan, renderPlanMarkdown, type PlanInput, type VolumeDeclaration } from './lib/plan/plan';
export { Quantity, QuantityError, type QuantityFormat } from './lib/units/quantity';
