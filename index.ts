/**
 * velero-cdk8s, the library: the constructs of a Velero backup and disaster-recovery stack, the storage
 * profiles, and the synth with its default checks. The package's only entry point (`exports` in
 * package.json); main.ts is the seed's config built with it.
 *
 *     import { App } from 'cdk8s';
 *     import { BackupSchedule, FolderChart, StorageProfile, VeleroRelease, runSynth } from 'velero-cdk8s';
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
export { backupPlan, renderPlanMarkdown, type PlanInput, type VolumeDeclaration } from './lib/plan/plan';
export { Quantity, QuantityError, type QuantityFormat } from './lib/units/quantity';
